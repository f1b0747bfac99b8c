"""Effect sizes for meta-analysis computed from what studies report (metafor's ``escalc``).

* two-group continuous outcomes: the standardized mean difference (Hedges' g, or Cohen's d) from means and
  SDs, or from a t, F(1, df) or two-sided p of the t test with the group sizes; the raw mean difference;
* 2×2 tables: log odds ratio, log risk ratio, risk difference, with the ½ continuity correction;
* correlations: r or Fisher's z, from r or from a t, F(1, df) or p of its test with the sample size.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from dprep.core import args
from dprep.core.errors import ArgumentError
from dprep.core.results import Result, result
from dprep.stats import effects

Measure = Literal["SMD", "MD", "OR", "RR", "RD", "COR", "ZCOR"]
MEASURES: tuple[str, ...] = ("SMD", "MD", "OR", "RR", "RD", "COR", "ZCOR")
#: Where the continuity correction ``add`` goes (metafor's ``to``).
ADD_TO: tuple[str, ...] = ("only0", "all", "if0all", "none")

_SCALES = {"SMD": "standardized mean difference", "MD": "mean difference", "OR": "log odds ratio",
           "RR": "log risk ratio", "RD": "risk difference", "COR": "correlation", "ZCOR": "Fisher's z"}


@result(eq=False)
class EffectSizes(Result):
    """Effect sizes ``yi`` and sampling variances ``vi``, shape (k,), on the analysis scale of ``measure``.

    ``to_frame()`` gives the columns ``yi, vi, sei``; feed ``yi``/``vi`` to :func:`dprep.stats.meta.rma`.
    """

    title = "Effect sizes (escalc)"

    measure: str
    scale: str
    yi: np.ndarray
    vi: np.ndarray
    source: str

    @property
    def k(self) -> int:
        """Number of studies."""
        return int(self.yi.size)

    def to_frame(self) -> pd.DataFrame:
        """One row per study: ``yi, vi, sei``."""
        return pd.DataFrame({"yi": self.yi, "vi": self.vi, "sei": np.sqrt(self.vi)})

    def _headline(self) -> dict[str, Any]:
        return {"measure": self.measure, "k": self.k}

    def summary(self) -> str:
        """The measure, its scale, what it was computed from, and the table of yi, vi and sei."""
        return "\n".join([self.title, "", f"measure: {self.measure} ({self.scale}), from {self.source}", "",
                          self.to_frame().to_string(float_format=lambda x: f"{x:.4f}")])


def _vectors(func: str, k: int | None = None, **named: Any) -> dict[str, np.ndarray]:
    """Each non-None argument as a float vector, all of one length."""
    out = {}
    for name, value in named.items():
        if value is not None:
            out[name] = args.vector(name, func, value, size=k)
            k = out[name].size
    return out


def _column(data: pd.DataFrame | None, value: Any, name: str) -> Any:
    if data is None or not isinstance(value, str):
        return value
    if value not in data.columns:
        args.fail(name, "escalc", f"name a column of 'data' ({', '.join(map(str, data.columns))})", value)
    return data[value].to_numpy(dtype=float)


def _at_least(values: np.ndarray, name: str, bound: float, strict: bool) -> None:
    bad = values <= bound if strict else values < bound
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        args.fail(name, "escalc", f"be {'>' if strict else '≥'} {bound:g} in every study",
                  f"{values[i]:g} in study {i + 1}", raw=True)


def _statistic_to_t(func: str, given: dict[str, np.ndarray], df: np.ndarray) -> tuple[np.ndarray, str, str]:
    """The t statistic from exactly one of ``ti``, ``fi`` (F(1, df) = t²) or ``pi`` (two-sided p), signed; what
    it was computed from; the argument that gave it."""
    present = [key for key in ("ti", "fi", "pi") if key in given]
    if len(present) != 1:
        args.fail("ti", func, "be given, or else exactly one of 'fi' or 'pi' (not several)",
                  f"{present or 'none'}", raw=True)
    sign = given.get("sign", np.ones_like(df))
    if not np.all(np.isin(sign, (-1.0, 1.0))):
        args.fail("sign", func, "contain only +1 and -1 (the direction of each F or p)", sign.tolist())
    key = present[0]
    if key == "ti":
        return given["ti"], "t statistics", key
    if key == "fi":
        _at_least(given["fi"], "fi", 0.0, strict=False)
        return sign * np.sqrt(given["fi"]), "F(1, df) statistics (t = ±√F)", key
    p = given["pi"]
    if np.any((p <= 0) | (p > 1)):
        i = int(np.flatnonzero((p <= 0) | (p > 1))[0])
        args.fail("pi", func, "be two-sided p-values in (0, 1]", f"{p[i]:g} in study {i + 1}", raw=True)
    return sign * stats.t.isf(p / 2, df), "two-sided p-values of t tests (t = ±t⁻¹(1 - p/2; df))", key


def _each_study(func: Any, *columns: np.ndarray) -> np.ndarray:
    """``func`` of each study's values; its ArgumentError names the study (1-based)."""
    out = np.empty(columns[0].size)
    for i, values in enumerate(zip(*columns)):
        try:
            out[i] = func(*values)
        except ArgumentError as err:
            raise ArgumentError(f"Study {i + 1}: {err}") from None
    return out


def _representable(yi: np.ndarray, vi: np.ndarray, what: str, yi_name: str, vi_name: str) -> None:
    """Refuse the first study whose effect size (blamed on ``yi_name``) or sampling variance (on ``vi_name``)
    lies beyond the float range."""
    for values, name, must in ((yi, yi_name, f"give a {what} within the float range (|yi| ≤ 1.8e308)"),
                               (vi, vi_name, "give a sampling variance within the float range (vi ≤ 1.8e308)")):
        if not np.all(np.isfinite(values)):
            i = int(np.flatnonzero(~np.isfinite(values))[0])
            args.fail(name, "escalc", must, f"yi = {yi[i]:g} and vi = {vi[i]:g} in study {i + 1}", raw=True)


def _continuity(cells: list[np.ndarray], add: float, to: str) -> list[np.ndarray]:
    """Add ``add`` to every cell of the tables chosen by ``to`` (metafor's ``add``/``to``)."""
    zero = np.any([c == 0 for c in cells], axis=0)
    chosen = {"all": np.ones_like(zero), "only0": zero, "if0all": np.full_like(zero, zero.any()),
              "none": np.zeros_like(zero)}[to]
    return [c + add * chosen for c in cells]


def escalc(
    measure: Measure,
    *,
    data: pd.DataFrame | None = None,
    m1i: ArrayLike | str | None = None, sd1i: ArrayLike | str | None = None, n1i: ArrayLike | str | None = None,
    m2i: ArrayLike | str | None = None, sd2i: ArrayLike | str | None = None, n2i: ArrayLike | str | None = None,
    ai: ArrayLike | str | None = None, bi: ArrayLike | str | None = None,
    ci: ArrayLike | str | None = None, di: ArrayLike | str | None = None,
    ri: ArrayLike | str | None = None, ni: ArrayLike | str | None = None,
    ti: ArrayLike | str | None = None, fi: ArrayLike | str | None = None, pi: ArrayLike | str | None = None,
    sign: ArrayLike | str | None = None,
    correct: bool = True,
    add: float = 0.5,
    to: str = "only0",
) -> EffectSizes:
    r"""Effect sizes and their sampling variances from reported statistics, as metafor's ``escalc``.

    Parameters
    ----------
    measure : {"SMD", "MD", "OR", "RR", "RD", "COR", "ZCOR"}
        ``"SMD"`` standardized mean difference (group 1 − group 2) in pooled-SD units, from ``m1i, sd1i,
        n1i, m2i, sd2i, n2i`` or from one of ``ti``/``fi``/``pi`` with ``n1i, n2i``; ``"MD"`` raw mean
        difference (outcome units); ``"OR"``, ``"RR"``, ``"RD"`` log odds ratio, log risk ratio and risk
        difference from the 2×2 counts ``ai, bi`` (events, non-events in group 1) and ``ci, di`` (group 2),
        or ``ai, ci`` with the group sizes ``n1i, n2i``; ``"COR"``, ``"ZCOR"`` Pearson's r or Fisher's z
        from ``ri, ni`` or from one of ``ti``/``fi``/``pi`` with ``ni``.
    data : pandas.DataFrame, optional
        A table holding the columns named by the other arguments (then each may be a column name).
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like, shape (k,), or str
        Group means, standard deviations (ddof = 1) and sizes.
    ai, bi, ci, di : array_like, shape (k,), or str
        Cell counts of the 2×2 tables.
    ri, ni : array_like, shape (k,), or str
        Correlations and sample sizes.
    ti, fi, pi : array_like, shape (k,), or str
        The statistic of the test of the group difference (SMD: Student's t with n1i + n2i − 2 df) or of
        the correlation (COR/ZCOR: t with ni − 2 df): t itself, F(1, df) = t², or the two-sided p-value.
    sign : array_like, shape (k,), or str, optional
        +1 or −1 per study: the direction of an effect given by ``fi`` or ``pi`` (which carry none);
        default +1.
    correct : bool
        SMD only: Hedges' g (True, metafor's "SMD") or Cohen's d (False).
    add : float
        Continuity correction for 2×2 tables (½, metafor's default).
    to : {"only0", "all", "if0all", "none"}
        Tables that get ``add`` in every cell: those with a zero cell (default), all, all if any has a zero
        cell, none.

    Returns
    -------
    EffectSizes
        ``yi`` and ``vi`` (analysis scale: log for OR and RR, z for ZCOR), shape (k,).

    Raises
    ------
    ArgumentError (a ValueError)
        If the arguments for ``measure`` are missing, of different lengths, or out of range (SDs < 0, sizes
        ≤ 0, counts < 0, |r| ≥ 1, p outside (0, 1], n1i + n2i ≤ 3 for SMD, ni ≤ 3 for ZCOR, ni ≤ 2 for a
        correlation from a test), or if an SMD or MD or its sampling variance lies beyond the float range
        (\|yi\| or vi > 1.8e308; intermediate results do not overflow while the result is a float). The
        message names the study (1-based).

    Notes
    -----
    SMD: :math:`d = (\bar x_1 - \bar x_2)/s_p`, :math:`s_p^2 = ((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)`, or
    :math:`d = t\sqrt{1/n_1 + 1/n_2}`; Hedges' :math:`g = J(m)\,d` with the exact
    :math:`J(m) = \Gamma(m/2)/(\sqrt{m/2}\,\Gamma((m-1)/2))`, :math:`m = n_1 + n_2 - 2`; large-sample
    variance (metafor's ``vtype="LS"``) :math:`v = 1/n_1 + 1/n_2 + y^2/(2(n_1+n_2))` with y = g (or d).
    MD: :math:`v = s_1^2/n_1 + s_2^2/n_2`. OR: :math:`v = 1/a + 1/b + 1/c + 1/d`; RR:
    :math:`v = 1/a - 1/n_1 + 1/c - 1/n_2`; RD: :math:`v = p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2`, all on the
    corrected counts. COR: :math:`v = (1-r^2)^2/(n-1)`; from a test :math:`r = t/\sqrt{t^2 + n - 2}`.
    ZCOR: :func:`escalc_zcor`.

    References
    ----------
    Viechtbauer (2010), section 3.1 and Table 1; metafor ``escalc`` (measures "SMD", "MD", "OR", "RR",
    "RD", "COR", "ZCOR"); Hedges, L. V. (1981). Journal of Educational Statistics, 6(2), 107-128 (g and its
    variance); Borenstein et al. (2009), Introduction to Meta-Analysis, chs. 4-7.
    """
    args.option("measure", "escalc", measure, MEASURES)
    args.option("to", "escalc", to, ADD_TO)
    add = args.nonnegative("add", "escalc", add)
    raw = dict(m1i=m1i, sd1i=sd1i, n1i=n1i, m2i=m2i, sd2i=sd2i, n2i=n2i, ai=ai, bi=bi, ci=ci, di=di,
               ri=ri, ni=ni, ti=ti, fi=fi, pi=pi, sign=sign)
    given = _vectors("escalc", **{name: _column(data, value, name) for name, value in raw.items()})

    def need(*names: str) -> list[np.ndarray]:
        missing = [n for n in names if n not in given]
        if missing:
            args.fail(missing[0], "escalc", f"be given for measure {measure!r} (with {', '.join(names)})",
                      "nothing", raw=True)
        return [given[n] for n in names]

    if measure in ("SMD", "MD"):
        n1, n2 = need("n1i", "n2i")
        _at_least(n1, "n1i", 0.0, strict=True)
        _at_least(n2, "n2i", 0.0, strict=True)
        with np.errstate(over="ignore"):  # sizes near 1e308: df = inf, where J is its limit 1
            m = n1 + n2 - 2
        if measure == "SMD" and not any(key in given for key in ("m1i", "m2i", "sd1i", "sd2i")):
            _at_least(m, "n1i", 1.0, strict=True)
            t, source, name = _statistic_to_t("escalc", given, m)
            d = _each_study(effects.cohens_d_from_t, t, n1, n2)
        else:
            mean1, sd1, mean2, sd2 = need("m1i", "sd1i", "m2i", "sd2i")
            _at_least(sd1, "sd1i", 0.0, strict=False)
            _at_least(sd2, "sd2i", 0.0, strict=False)
            source, name = "group means, SDs and sizes", "m1i"
            if measure == "MD":
                with np.errstate(over="ignore"):  # beyond the float range: refused below
                    yi, vi = mean1 - mean2, (sd1 / np.sqrt(n1)) ** 2 + (sd2 / np.sqrt(n2)) ** 2
                _representable(yi, vi, _SCALES[measure], "m1i", "sd1i")
                return EffectSizes(measure=measure, scale=_SCALES[measure], yi=yi, vi=vi, source=source)
            _at_least(m, "n1i", 1.0, strict=True)
            d = _each_study(effects.cohens_d_from_means, mean1, mean2, sd1, sd2, n1, n2)
        yi = _each_study(effects.hedges_correction, m) * d if correct else d
        with np.errstate(over="ignore"):  # beyond the float range: refused below
            vi = 1 / n1 + 1 / n2 + (yi / np.hypot(np.sqrt(n1), np.sqrt(n2))) ** 2 / 2  # y²/(2(n1 + n2)), no overflow
        _representable(yi, vi, _SCALES[measure], name, name)
        return EffectSizes(measure=measure, scale="Hedges' g" if correct else "Cohen's d", yi=yi, vi=vi, source=source)

    if measure in ("OR", "RR", "RD"):
        a, c = need("ai", "ci")
        b = given["bi"] if "bi" in given else need("n1i")[0] - a
        d = given["di"] if "di" in given else need("n2i")[0] - c
        for name, cells in (("ai", a), ("bi", b), ("ci", c), ("di", d)):
            _at_least(cells, name, 0.0, strict=False)
        a, b, c, d = _continuity([a, b, c, d], add, to)
        n1, n2 = a + b, c + d
        _at_least(n1, "n1i", 0.0, strict=True)
        _at_least(n2, "n2i", 0.0, strict=True)
        p1, p2 = a / n1, c / n2
        with np.errstate(divide="ignore", invalid="ignore"):  # to="none" leaves zero cells: ±inf, NaN
            if measure == "OR":
                yi, vi = np.log(a * d / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d
            elif measure == "RR":
                yi, vi = np.log(p1 / p2), 1 / a - 1 / n1 + 1 / c - 1 / n2
            else:
                yi, vi = p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
        return EffectSizes(measure=measure, scale=_SCALES[measure], yi=yi, vi=vi,
                           source=f"2×2 counts (add = {add:g} to {to})")

    (n,) = need("ni")
    if "ri" in given:
        r, source = given["ri"], "correlations and sample sizes"
    else:
        _at_least(n, "ni", 2.0, strict=True)
        t, source, _ = _statistic_to_t("escalc", given, n - 2)
        r = t / np.hypot(t, np.sqrt(n - 2))  # t / √(t² + n − 2), no overflow
    if measure == "ZCOR":
        yi, vi = escalc_zcor(r, n)
        return EffectSizes(measure=measure, scale=_SCALES[measure], yi=yi, vi=vi, source=source)
    if np.any(np.abs(r) >= 1):
        i = int(np.flatnonzero(np.abs(r) >= 1)[0])
        args.fail("ri", "escalc", "lie strictly inside (-1, 1)", f"{r[i]:g} in study {i + 1}", raw=True)
    _at_least(n, "ni", 1.0, strict=True)
    return EffectSizes(measure=measure, scale=_SCALES[measure], yi=r, vi=(1 - r**2) ** 2 / (n - 1), source=source)


def escalc_zcor(r: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's r-to-z transformed correlation and its sampling variance.

    Parameters
    ----------
    r : array_like, shape (k,)
        Pearson correlations, each strictly inside (-1, 1).
    n : array_like, shape (k,)
        Sample sizes, each > 3.

    Returns
    -------
    yi : ndarray, shape (k,)
        Fisher's z, ``atanh(r)``.
    vi : ndarray, shape (k,)
        Sampling variances ``1 / (n - 3)`` (z units squared).

    Raises
    ------
    ValueError
        If ``r`` and ``n`` differ in length, ``|r| >= 1`` or ``n <= 3``.

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from a small
    sample. Metron, 1, 3-32. Same as metafor's ``escalc(measure="ZCOR")`` (Viechtbauer, 2010, Table 1).
    """
    r = args.vector("r", "escalc_zcor", r)
    n = args.vector("n", "escalc_zcor", n)
    if r.shape != n.shape:
        raise ValueError(
            f"The 'n' parameter of escalc_zcor must have the same length as 'r' ({r.size}). "
            f"Got length {n.size} instead."
        )
    if np.any(np.abs(r) >= 1):
        bad = int(np.flatnonzero(np.abs(r) >= 1)[0])
        raise ValueError(
            f"The 'r' parameter of escalc_zcor must lie strictly inside (-1, 1). "
            f"Got {r[bad]!r} at position {bad} instead."
        )
    if np.any(n <= 3):
        bad = int(np.flatnonzero(n <= 3)[0])
        raise ValueError(
            f"The 'n' parameter of escalc_zcor must be greater than 3. Got {n[bad]!r} at position {bad} instead."
        )
    return np.arctanh(r), 1.0 / (n - 3.0)


def z_to_r(z: ArrayLike) -> np.ndarray:
    """Back-transform Fisher's z to a correlation, ``r = tanh(z)``.

    Parameters
    ----------
    z : array_like
        Fisher z values (any shape).

    Returns
    -------
    ndarray
        Correlations, same shape as ``z``.

    Raises
    ------
    ValueError
        If ``z`` is not numeric.

    References
    ----------
    metafor ``transf.ztor`` (Viechtbauer, 2010).
    """
    return np.tanh(np.asarray(z, dtype=float))
