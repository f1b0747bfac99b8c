"""The sceptical p-value (Held 2020; golden recalibration, Held, Micheloud & Pawel 2022)."""

from __future__ import annotations

import math

import numpy as np
from typing import Literal

from scipy import integrate, stats

from dprep.core import args
from dprep.stats.replication._common import GOLDEN_RATIO


def z_sceptical(zo: float, zr: float, c: float) -> float:
    """Sceptical z-value z_S (Held 2020, eq. 6), as ``ReplicationSuccess::zSceptical``.

    Parameters
    ----------
    zo, zr : float
        z-values of the original and the replication estimate.
    c : float
        Variance ratio σo²/σr² (≈ n_rep / n_orig), ≥ 0.

    Returns
    -------
    float
        z_S ≥ 0, from z_S² = [√(z²_A (z²_A + (c−1) z²_H)) − z²_A] / (c − 1), with z²_A and z²_H the
        arithmetic and harmonic means of zo² and zr² (z_S² = z²_H / 2 when c = 1).

    Raises
    ------
    ValueError
        On non-finite input or negative ``c``.

    References
    ----------
    Held, L. (2020). A new standard for the analysis and design of replication studies (with
    discussion). JRSS-A, 183, 431–448. doi:10.1111/rssa.12493
    """
    func = "z_sceptical"
    zo, zr, c = args.finite("zo", func, zo), args.finite("zr", func, zr), args.finite("c", func, c)
    if c < 0:
        raise ValueError(f"The 'c' parameter of {func} must be >= 0. Got {c!r} instead.")
    a, b = zo * zo, zr * zr
    if a == 0 or b == 0:
        return 0.0
    z2a = (a + b) / 2.0
    z2h = 2.0 / (1.0 / a + 1.0 / b)
    if c == 1:
        z2 = z2h / 2.0
    else:
        z2 = (math.sqrt(z2a * (z2a + (c - 1.0) * z2h)) - z2a) / (c - 1.0)
    return math.sqrt(max(z2, 0.0))


def _fz(z: float, c: float) -> float:
    """CDF of z_S² under H0 (Micheloud, Balabdaoui & Held 2023), as ReplicationSuccess:::FZ."""
    if z <= 0:
        return 0.0
    if c == 0:
        return 1.0 - 4.0 * stats.norm.sf(math.sqrt(z)) ** 2
    if c == 1:
        return float(stats.gamma.cdf(z, a=0.5, scale=0.5))

    # exp(-(c-1) z / (sqrt(1+(c-1)t) - 1)) rewritten as exp(-z (sqrt(1+(c-1)t) + 1) / t), which avoids
    # the cancellation near c = 1; the 1/sqrt(t(1-t)) factor is handled by quad's algebraic weight.
    def f(t: float) -> float:
        if t <= 0.0:
            return 0.0
        return math.exp(-z * (math.sqrt(1.0 + (c - 1.0) * t) + 1.0) / t)

    val, _ = integrate.quad(f, 0.0, 1.0, weight="alg", wvar=(-0.5, -0.5), limit=200)
    return 1.0 - val / math.pi


def p_sceptical(zo: float, zr: float, c: float, *, alternative: Literal["one.sided", "two.sided"] = "one.sided",
                type: Literal["golden", "nominal", "controlled"] = "golden") -> float:  # noqa: A002
    """Sceptical p-value, as ``ReplicationSuccess::pSceptical`` (version 1.3.x).

    Parameters
    ----------
    zo, zr : float
        z-values of the original and the replication estimate (same sign = same direction).
    c : float
        Variance ratio σo²/σr² (≈ n_rep / n_orig), ≥ 0.
    alternative : {"one.sided", "two.sided"}, default "one.sided"
        One-sided: replication success in the original's direction (a replication in the opposite
        direction gets p > 0.5).
    type : {"golden", "nominal", "controlled"}, default "golden"
        Recalibration. ReplicationSuccess's default is "golden" (since 1.1; Held, Micheloud & Pawel
        2022): z_S is multiplied by √φ, φ the golden ratio, so that the one-sided p can be compared
        with 0.025. "nominal" is the uncalibrated p of Held (2020); "controlled" uses the exact null
        distribution of z_S² (Micheloud, Balabdaoui & Held 2023).

    Returns
    -------
    float
        The sceptical p-value.

    Raises
    ------
    ValueError
        On non-finite input, negative ``c`` or unknown options.

    References
    ----------
    Held, L. (2020). JRSS-A, 183, 431–448. Held, L., Micheloud, C., & Pawel, S. (2022). The
    assessment of replication success based on relative effect size. Annals of Applied Statistics,
    16, 706–720. Micheloud, C., Balabdaoui, F., & Held, L. (2023). Statistica Neerlandica, 77, 486–505.
    """
    func = "p_sceptical"
    z = z_sceptical(zo, zr, c)
    if type == "nominal":
        res = 2.0 * stats.norm.sf(z)
    elif type == "golden":
        res = 2.0 * stats.norm.sf(z * math.sqrt(GOLDEN_RATIO))
    elif type == "controlled":
        res = math.sqrt(max(1.0 - _fz(z * z, float(c)), 0.0))
    else:
        raise ValueError(
            f"The 'type' parameter of {func} must be 'golden', 'nominal' or 'controlled'. Got {type!r} instead."
        )
    if alternative == "one.sided":
        res = res / 2.0 if np.sign(zo) == np.sign(zr) else 1.0 - res / 2.0
    elif alternative != "two.sided":
        raise ValueError(
            f"The 'alternative' parameter of {func} must be 'one.sided' or 'two.sided'. Got {alternative!r} instead."
        )
    return float(res)
