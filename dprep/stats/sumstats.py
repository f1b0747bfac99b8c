"""Tests from summary statistics, and the quantities a reported statistic implies.

Forward direction: one-way ANOVA from group n / mean / SD, Student and Welch t from summary
statistics, linear contrasts given an MSE (F = L² / (MSE·Σ c²/n)).

Inverse direction: the MSE (and pooled SD) implied by a reported contrast F, the pooled SD
implied by a reported t, and a missing group mean implied by a reported η². These return
:class:`DerivedValue` objects that carry what they were derived from, the assumptions needed,
and an interval that accounts for the rounding of the reported numbers.

Rounding
--------
A reported number is treated as exact only if given as a float. Given as a string (as
written in the paper), its number of decimals is inferred and it stands for the interval
± half a unit in the last digit (``"4.59"`` → [4.585, 4.595]; ``"7410"`` → [7409.5, 7410.5]).
Intervals of derived values are the range of the derived quantity over the corners of the box
of input intervals, which is exact when the quantity is monotone in each input over the box
(true for every quantity here, the boxes being tiny).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import field
from typing import Callable, Sequence

import numpy as np
from scipy import stats

from dprep.core.results import Result, result

__all__ = [
    "AnovaResult",
    "ContrastResult",
    "DerivedValue",
    "ReportedNumber",
    "TTestResult",
    "contrast_f",
    "implied_missing_mean",
    "mse_from_contrast_f",
    "one_way_anova",
    "parse_reported",
    "pooled_sd_from_t",
    "propagate_rounding",
    "t_test_from_summary",
]

Number = float | int | str

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


# ------------------------------------------------------------------------ reported numbers
@result
class ReportedNumber(Result):
    """A number as reported, with the interval its rounding allows.

    Attributes
    ----------
    text : str
        The number as written (``""`` when it was given as a float).
    value : float
        Its value.
    decimals : int or None
        Decimals as written (None: treated as exact).
    lb, ub : float
        value ∓ half a unit in the last reported digit (both equal ``value`` if exact).
    """

    text: str
    value: float
    decimals: int | None
    lb: float
    ub: float

    @property
    def half_unit(self) -> float:
        """Half a unit in the last reported digit (0 when exact)."""
        return 0.0 if self.decimals is None else 0.5 * 10.0 ** (-self.decimals)



def parse_reported(number: Number, name: str = "number", exact: bool = False) -> ReportedNumber:
    """Parse a reported number, keeping its precision.

    Parameters
    ----------
    number : str, float or int
        ``"4.59"``, ``".26"``, ``"-0.93"``, ``"7410"``, ``"7,410"`` (thousands separators are
        removed) or a number. A float/int is treated as exact.
    name : str, default "number"
        Name used in error messages.
    exact : bool, default False
        Treat a string as exact too (e.g. degrees of freedom, group sizes).

    Returns
    -------
    ReportedNumber

    Raises
    ------
    ValueError
        If ``number`` is not a plain decimal number.

    References
    ----------
    Nuijten, M. B., et al. (2016). The prevalence of statistical reporting errors in
    psychology (1985–2013). *Behavior Research Methods*, 48(4), 1205–1226 (statcheck's rule of
    ± half a unit in the last reported digit).
    """
    if isinstance(number, (bool, np.bool_)):
        raise ValueError(f"The '{name}' parameter of parse_reported must be a number. Got {number!r} instead.")
    if isinstance(number, (int, float, np.integer, np.floating)):
        value = float(number)
        if not np.isfinite(value):
            raise ValueError(f"The '{name}' parameter of parse_reported must be finite. Got {number!r} instead.")
        return ReportedNumber("", value, None, value, value)
    text = str(number).strip().replace(",", "").replace("−", "-")
    if not _NUMBER.match(text):
        raise ValueError(
            f"The '{name}' parameter of parse_reported must be a decimal number such as '4.59'. "
            f"Got {number!r} instead."
        )
    value = float(text)
    decimals = len(text.split(".")[1]) if "." in text else 0
    if exact:
        return ReportedNumber(text, value, None, value, value)
    half = 0.5 * 10.0 ** (-decimals)
    return ReportedNumber(text, value, decimals, value - half, value + half)


def propagate_rounding(
    func: Callable[..., float], inputs: Sequence[ReportedNumber | tuple[float, float, float]]
) -> tuple[float, float, float]:
    """Value and range of ``func`` over the box of input rounding intervals.

    Parameters
    ----------
    func : callable
        Function of len(inputs) positional numbers.
    inputs : sequence of ReportedNumber or (value, lb, ub)
        Inputs with their intervals.

    Returns
    -------
    tuple of float
        (func at the reported values, min over the box corners, max over the box corners).

    Raises
    ------
    ValueError
        If ``inputs`` is empty.

    References
    ----------
    Moore, R. E. (1966). *Interval analysis*. Prentice-Hall (range of a function monotone in
    each argument is attained at the corners of the box).
    """
    if len(inputs) == 0:
        raise ValueError("The 'inputs' parameter of propagate_rounding must not be empty. Got [] instead.")
    triples = [(x.value, x.lb, x.ub) if isinstance(x, ReportedNumber) else tuple(map(float, x)) for x in inputs]
    centre = float(func(*[t[0] for t in triples]))
    corners = [float(func(*c)) for c in itertools.product(*[sorted({t[1], t[2]}) for t in triples])]
    return centre, min(corners + [centre]), max(corners + [centre])


@result
class DerivedValue(Result):
    """A quantity implied by reported numbers, with its provenance and assumptions.

    Attributes
    ----------
    quantity : str
        What it is (e.g. ``"MSE"``, ``"pooled SD"``, ``"mean of less_accomplished"``).
    value : float
        Value implied by the numbers as reported.
    lb, ub : float
        Range allowed by the rounding of the reported numbers.
    unit : str
        Unit of the value (e.g. ``"hours²"``).
    derived_from : tuple of str
        The reported numbers used, as ``"name = text"``.
    assumptions : tuple of str
        Plain-English assumptions needed for the derivation.
    """

    quantity: str
    value: float
    lb: float
    ub: float
    unit: str = ""
    derived_from: tuple[str, ...] = field(default_factory=tuple)
    assumptions: tuple[str, ...] = field(default_factory=tuple)



def _describe(name: str, x: ReportedNumber) -> str:
    text = x.text or repr(x.value)
    if x.decimals is None:
        return f"{name} = {text} (treated as exact)"
    return f"{name} = {text} (rounded to {x.decimals} decimal{'s' if x.decimals != 1 else ''}: [{x.lb:g}, {x.ub:g}])"


# --------------------------------------------------------------------- forward: ANOVA, t
@result
class AnovaResult(Result):
    """One-way between-subjects ANOVA table from summary statistics.

    Attributes
    ----------
    f, df1, df2, pval : float
        F statistic, degrees of freedom, upper-tail p.
    ss_between, ss_within, ss_total : float
        Sums of squares (squared outcome units).
    ms_between, ms_within : float
        Mean squares; ``ms_within`` is the MSE.
    eta2, omega2, epsilon2 : float
        η², ω², ε² of the factor.
    """

    f: float
    df1: float
    df2: float
    pval: float
    ss_between: float
    ss_within: float
    ss_total: float
    ms_between: float
    ms_within: float
    eta2: float
    omega2: float
    epsilon2: float



def _groups(func: str, n: Sequence[float], mean: Sequence[float], sd: Sequence[float] | None = None):
    n_arr = np.asarray(n, dtype=float)
    m_arr = np.asarray(mean, dtype=float)
    if n_arr.ndim != 1 or len(n_arr) < 2 or len(m_arr) != len(n_arr):
        raise ValueError(
            f"The 'n' and 'mean' parameters of {func} must be sequences of equal length ≥ 2. "
            f"Got lengths {len(n_arr)} and {len(m_arr)} instead."
        )
    if np.any(n_arr < 1) or not np.all(np.isfinite(n_arr)):
        raise ValueError(f"The 'n' parameter of {func} must hold group sizes ≥ 1. Got {list(n)!r} instead.")
    if not np.all(np.isfinite(m_arr)):
        raise ValueError(f"The 'mean' parameter of {func} must hold finite numbers. Got {list(mean)!r} instead.")
    if sd is None:
        return n_arr, m_arr, None
    s_arr = np.asarray(sd, dtype=float)
    if len(s_arr) != len(n_arr) or np.any(s_arr < 0) or not np.all(np.isfinite(s_arr)):
        raise ValueError(
            f"The 'sd' parameter of {func} must hold one non-negative SD per group. Got {list(sd)!r} instead."
        )
    return n_arr, m_arr, s_arr


def one_way_anova(n: Sequence[int], mean: Sequence[float], sd: Sequence[float]) -> AnovaResult:
    """One-way between-subjects ANOVA from group sizes, means and SDs.

    Parameters
    ----------
    n : sequence of int
        Group sizes.
    mean : sequence of float
        Group means (outcome units, e.g. hours).
    sd : sequence of float
        Group standard deviations (ddof = 1, same units).

    Returns
    -------
    AnovaResult

    Raises
    ------
    ValueError
        On mismatched lengths, fewer than two groups, N ≤ k, or all-zero SDs.

    References
    ----------
    Maxwell, S. E., Delaney, H. D., & Kelley, K. (2018). *Designing experiments and analyzing
    data* (3rd ed.), chapter 3 (SS_between = Σ n_j (M_j − M)², SS_within = Σ (n_j − 1) s_j²).
    """
    n_arr, m_arr, s_arr = _groups("one_way_anova", n, mean, sd)
    k, total = len(n_arr), n_arr.sum()
    if total <= k:
        raise ValueError(f"The 'n' parameter of one_way_anova must sum to more than the number of groups. Got {list(n)!r} instead.")
    grand = np.sum(n_arr * m_arr) / total
    ss_b = float(np.sum(n_arr * (m_arr - grand) ** 2))
    ss_w = float(np.sum((n_arr - 1) * s_arr**2))
    if ss_w == 0:
        raise ValueError(f"The 'sd' parameter of one_way_anova must not be all zero. Got {list(sd)!r} instead.")
    df1, df2 = float(k - 1), float(total - k)
    ms_b, ms_w = ss_b / df1, ss_w / df2
    f = ms_b / ms_w
    ss_t = ss_b + ss_w
    return AnovaResult(
        f=f,
        df1=df1,
        df2=df2,
        pval=float(stats.f.sf(f, df1, df2)),
        ss_between=ss_b,
        ss_within=ss_w,
        ss_total=ss_t,
        ms_between=ms_b,
        ms_within=ms_w,
        eta2=ss_b / ss_t,
        omega2=(ss_b - df1 * ms_w) / (ss_t + ms_w),
        epsilon2=(ss_b - df1 * ms_w) / ss_t,
    )


@result
class TTestResult(Result):
    """Independent-samples t test from summary statistics.

    Attributes
    ----------
    t, df, pval : float
        Statistic, degrees of freedom (Welch–Satterthwaite if unequal variances), two-tailed p.
    mean_difference, se : float
        mean1 − mean2 and its standard error.
    sd_pooled : float
        Pooled SD (NaN for Welch).
    d : float
        Cohen's d with the pooled SD (NaN for Welch).
    equal_var : bool
        Student (True) or Welch (False).
    """

    t: float
    df: float
    pval: float
    mean_difference: float
    se: float
    sd_pooled: float
    d: float
    equal_var: bool



def t_test_from_summary(
    mean1: float,
    sd1: float,
    n1: int,
    mean2: float,
    sd2: float,
    n2: int,
    equal_var: bool = True,
) -> TTestResult:
    """Student (pooled) or Welch t test of group 1 − group 2 from summary statistics.

    Parameters
    ----------
    mean1, sd1, n1 : float, float, int
        Mean, SD (ddof = 1) and size of group 1.
    mean2, sd2, n2 : float, float, int
        Same for group 2.
    equal_var : bool, default True
        Student t with pooled variance (True) or Welch t with Satterthwaite df (False).

    Returns
    -------
    TTestResult

    Raises
    ------
    ValueError
        On invalid sizes or SDs.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika*, 34(1–2), 28–35.
    """
    n_arr, m_arr, s_arr = _groups("t_test_from_summary", [n1, n2], [mean1, mean2], [sd1, sd2])
    (a, b), (sa, sb), (na, nb) = m_arr, s_arr, n_arr
    diff = float(a - b)
    if equal_var:
        if na + nb <= 2:
            raise ValueError(f"The 'n1' and 'n2' parameters of t_test_from_summary must sum to more than 2. Got {n1!r} and {n2!r} instead.")
        df = float(na + nb - 2)
        sp = math.sqrt(((na - 1) * sa**2 + (nb - 1) * sb**2) / df)
        se = sp * math.sqrt(1 / na + 1 / nb)
        d = diff / sp if sp > 0 else float("nan")
    else:
        if na < 2 or nb < 2:
            raise ValueError(f"The 'n1' and 'n2' parameters of t_test_from_summary must be ≥ 2 for Welch. Got {n1!r} and {n2!r} instead.")
        va, vb = sa**2 / na, sb**2 / nb
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
        sp, d = float("nan"), float("nan")
    if se == 0:
        raise ValueError("The 'sd1' and 'sd2' parameters of t_test_from_summary must not both be 0. Got 0 and 0 instead.")
    t = diff / se
    return TTestResult(t, float(df), float(2 * stats.t.sf(abs(t), df)), diff, float(se), float(sp), float(d), bool(equal_var))


# ----------------------------------------------------------------------------- contrasts
@result
class ContrastResult(Result):
    """A linear contrast L = Σ c_j M_j tested against a given MSE.

    Attributes
    ----------
    estimate : float
        L (outcome units).
    ss : float
        Contrast sum of squares L² / Σ(c_j²/n_j).
    f, df1, df2, pval : float
        F(1, df_error) = SS / MSE and its upper-tail p.
    t : float
        Signed √F (sign of L).
    """

    estimate: float
    ss: float
    f: float
    df1: float
    df2: float
    pval: float
    t: float



def _contrast_parts(func: str, means, n, coefficients) -> tuple[float, float]:
    n_arr, m_arr, _ = _groups(func, n, means)
    c = np.asarray(coefficients, dtype=float)
    if len(c) != len(m_arr) or not np.all(np.isfinite(c)) or not np.any(c != 0):
        raise ValueError(
            f"The 'coefficients' parameter of {func} must hold one finite coefficient per group, "
            f"not all zero. Got {list(coefficients)!r} instead."
        )
    if abs(c.sum()) > 1e-9 * np.abs(c).sum():
        raise ValueError(f"The 'coefficients' parameter of {func} must sum to 0. Got {list(coefficients)!r} instead.")
    return float(np.dot(c, m_arr)), float(np.sum(c**2 / n_arr))


def contrast_f(
    means: Sequence[float], n: Sequence[int], coefficients: Sequence[float], mse: float, df_error: float
) -> ContrastResult:
    """F test of a linear contrast among group means: F = L² / (MSE·Σ c_j²/n_j).

    Parameters
    ----------
    means : sequence of float
        Group means (outcome units).
    n : sequence of int
        Group sizes.
    coefficients : sequence of float
        Contrast coefficients c_j (summing to 0).
    mse : float
        Error mean square of the ANOVA (squared outcome units).
    df_error : float
        Its degrees of freedom.

    Returns
    -------
    ContrastResult

    Raises
    ------
    ValueError
        On invalid coefficients, non-positive MSE or df.

    References
    ----------
    Maxwell, Delaney & Kelley (2018), *Designing experiments and analyzing data* (3rd ed.),
    chapter 4 (SS_ψ = ψ̂² / Σ(c_j²/n_j), F = SS_ψ / MS_W).
    """
    estimate, weight = _contrast_parts("contrast_f", means, n, coefficients)
    mse = float(mse)
    df_error = float(df_error)
    if not mse > 0:
        raise ValueError(f"The 'mse' parameter of contrast_f must be positive. Got {mse!r} instead.")
    if not df_error > 0:
        raise ValueError(f"The 'df_error' parameter of contrast_f must be positive. Got {df_error!r} instead.")
    ss = estimate**2 / weight
    f = ss / mse
    return ContrastResult(estimate, ss, f, 1.0, df_error, float(stats.f.sf(f, 1, df_error)), math.copysign(math.sqrt(f), estimate))


# ------------------------------------------------------------------- inverse: derived values
def mse_from_contrast_f(
    f: Number,
    means: Sequence[Number],
    n: Sequence[int],
    coefficients: Sequence[float],
    df_error: float,
    labels: Sequence[str] | None = None,
) -> tuple[DerivedValue, DerivedValue]:
    """MSE and pooled SD implied by a reported contrast F: MSE = L² / (F·Σ c_j²/n_j).

    Parameters
    ----------
    f : str or float
        Reported F(1, df_error); a string keeps its rounding.
    means : sequence of str or float
        Reported group means (strings keep their rounding).
    n : sequence of int
        Group sizes (exact).
    coefficients : sequence of float
        Contrast coefficients the F refers to (summing to 0).
    df_error : float
        Error degrees of freedom of the reported F.
    labels : sequence of str, optional
        Group names for the provenance strings.

    Returns
    -------
    tuple of DerivedValue
        (MSE, pooled SD = √MSE).

    Raises
    ------
    ValueError
        If F is not positive or the contrast is invalid.

    References
    ----------
    Maxwell, Delaney & Kelley (2018), chapter 4 (contrast F solved for MS_W).
    """
    f_rep = parse_reported(f, "f")
    if f_rep.lb <= 0:
        raise ValueError(f"The 'f' parameter of mse_from_contrast_f must be positive. Got {f!r} instead.")
    m_rep = [parse_reported(m, "means") for m in means]
    labels = list(labels) if labels is not None else [f"group {j + 1}" for j in range(len(m_rep))]
    _contrast_parts("mse_from_contrast_f", [m.value for m in m_rep], n, coefficients)

    def mse(fv: float, *ms: float) -> float:
        est, weight = _contrast_parts("mse_from_contrast_f", ms, n, coefficients)
        return est**2 / (fv * weight)

    value, lb, ub = propagate_rounding(mse, [f_rep, *m_rep])
    derived_from = (_describe(f"F(1, {df_error:g})", f_rep),) + tuple(
        _describe(f"mean of {lab} (n = {nj:g})", m) for lab, m, nj in zip(labels, m_rep, n)
    )
    contrast = " ".join(f"{c:+g}·{lab}" for c, lab in zip(coefficients, labels) if c != 0)
    assumptions = (
        f"the F tests the contrast {contrast} against the pooled error term of the ANOVA",
        f"error df = {df_error:g} (MSE pooled over all groups of the design)",
        "equal population SDs in all groups (the MSE is a pooled variance)",
    )
    mse_value = DerivedValue("MSE", value, lb, ub, "squared outcome units", derived_from, assumptions)
    sd_value = DerivedValue(
        "pooled SD", math.sqrt(value), math.sqrt(lb), math.sqrt(ub), "outcome units", derived_from, assumptions
    )
    return mse_value, sd_value


def pooled_sd_from_t(
    t: Number, mean1: Number, mean2: Number, n1: int, n2: int, labels: Sequence[str] = ("group 1", "group 2")
) -> DerivedValue:
    """Pooled SD implied by a reported Student t: s_p = (M1 − M2) / (t·√(1/n1 + 1/n2)).

    Parameters
    ----------
    t : str or float
        Reported t (sign: group 1 − group 2); a string keeps its rounding.
    mean1, mean2 : str or float
        Reported group means.
    n1, n2 : int
        Group sizes.
    labels : sequence of str, default ("group 1", "group 2")
        Group names for the provenance strings.

    Returns
    -------
    DerivedValue
        Pooled SD (outcome units).

    Raises
    ------
    ValueError
        If t is 0 within rounding, or the sign of t disagrees with the sign of M1 − M2.

    References
    ----------
    Student t with pooled variance (e.g. Maxwell, Delaney & Kelley, 2018, chapter 3), solved
    for the SD.
    """
    t_rep = parse_reported(t, "t")
    m1, m2 = parse_reported(mean1, "mean1"), parse_reported(mean2, "mean2")
    if t_rep.lb <= 0 <= t_rep.ub:
        raise ValueError(f"The 't' parameter of pooled_sd_from_t must be non-zero within rounding. Got {t!r} instead.")
    if (m1.value - m2.value) * t_rep.value <= 0:
        raise ValueError(
            "The 't' parameter of pooled_sd_from_t must have the sign of mean1 − mean2. "
            f"Got t = {t!r} with mean1 − mean2 = {m1.value - m2.value:g} instead."
        )
    scale = math.sqrt(1.0 / n1 + 1.0 / n2)
    value, lb, ub = propagate_rounding(lambda tv, a, b: (a - b) / (tv * scale), [t_rep, m1, m2])
    return DerivedValue(
        "pooled SD",
        value,
        lb,
        ub,
        "outcome units",
        (
            _describe(f"t({n1 + n2 - 2:g})", t_rep),
            _describe(f"mean of {labels[0]} (n = {n1:g})", m1),
            _describe(f"mean of {labels[1]} (n = {n2:g})", m2),
        ),
        (
            "the t is a pooled-variance (Student) t of the two group means",
            "equal population SDs in the two groups",
        ),
    )


def implied_missing_mean(
    eta2: Number,
    known_means: Sequence[Number],
    n: Sequence[int],
    mse: float | DerivedValue,
    labels: Sequence[str] | None = None,
) -> tuple[DerivedValue, ...]:
    """The missing group mean(s) implied by a reported one-way η², the other means and an MSE.

    With SS_within = (N − k)·MSE, η² fixes SS_between = η²·SS_within / (1 − η²). SS_between is
    a quadratic function of the missing mean m, so there are in general two solutions,
    symmetric about the value of m that minimises SS_between; both are returned (one if the
    root is double, none if η² is below what the known means alone imply).

    Parameters
    ----------
    eta2 : str or float
        Reported η² of the one-way ANOVA (0–1); a string keeps its rounding.
    known_means : sequence of str or float
        Reported means of the other k − 1 groups (outcome units).
    n : sequence of int
        Sizes of all k groups, the missing group last.
    mse : float or DerivedValue
        Assumed error mean square (squared outcome units); a DerivedValue carries its range
        and assumptions into the result.
    labels : sequence of str, optional
        Names of all k groups, the missing group last.

    Returns
    -------
    tuple of DerivedValue
        The solutions, smallest first.

    Raises
    ------
    ValueError
        On invalid η², sizes or MSE.

    References
    ----------
    Definition η² = SS_between / (SS_between + SS_within) (Cohen, 1973), solved for one mean.
    """
    eta_rep = parse_reported(eta2, "eta2")
    if not 0 <= eta_rep.value < 1 or eta_rep.ub >= 1:
        raise ValueError(f"The 'eta2' parameter of implied_missing_mean must be in [0, 1). Got {eta2!r} instead.")
    m_rep = [parse_reported(m, "known_means") for m in known_means]
    n_arr = np.asarray(n, dtype=float)
    if len(n_arr) != len(m_rep) + 1 or np.any(n_arr < 1):
        raise ValueError(
            "The 'n' parameter of implied_missing_mean must give one size ≥ 1 per group, the missing "
            f"group last ({len(m_rep) + 1} sizes). Got {list(n)!r} instead."
        )
    labels = list(labels) if labels is not None else [f"group {j + 1}" for j in range(len(n_arr))]
    if isinstance(mse, DerivedValue):
        mse_triple = (mse.value, mse.lb, mse.ub)
        mse_from, mse_assumptions = mse.derived_from, mse.assumptions
        mse_text = f"MSE = {mse.value:.6g} (derived; range [{mse.lb:.6g}, {mse.ub:.6g}])"
    else:
        mse_triple = (float(mse),) * 3
        mse_from, mse_assumptions = (), ()
        mse_text = f"MSE = {float(mse):.6g} (assumed)"
    if not mse_triple[1] > 0:
        raise ValueError(f"The 'mse' parameter of implied_missing_mean must be positive. Got {mse!r} instead.")
    k, total = len(n_arr), float(n_arr.sum())
    df_error = total - k
    n0 = n_arr[-1]

    def roots(e2: float, mse_v: float, *ms: float) -> tuple[float, float] | None:
        known_n = n_arr[:-1]
        s1 = float(np.dot(known_n, ms))
        s2 = float(np.dot(known_n, np.square(ms)))
        a = n0 - n0 * n0 / total
        b = -2.0 * s1 * n0 / total
        c = s2 - s1 * s1 / total - e2 * df_error * mse_v / (1.0 - e2)
        disc = b * b - 4 * a * c
        if disc < 0:
            return None
        sq = math.sqrt(disc)
        return (-b - sq) / (2 * a), (-b + sq) / (2 * a)

    centre = roots(eta_rep.value, mse_triple[0], *[m.value for m in m_rep])
    if centre is None:
        return ()
    inputs = [eta_rep, mse_triple, *m_rep]
    out = []
    for which in (0, 1):
        def branch(*args: float, _w: int = which) -> float:
            r = roots(*args)
            return float("nan") if r is None else r[_w]

        value, lb, ub = propagate_rounding(branch, inputs)
        out.append((value, lb, ub))
    derived_from = tuple(dict.fromkeys((
        _describe(f"η² (df {k - 1:g}, {df_error:g})", eta_rep),
        *(_describe(f"mean of {lab} (n = {nj:g})", m) for lab, m, nj in zip(labels, m_rep, n_arr)),
        mse_text,
        *mse_from,
    )))
    n_solutions = 1 if math.isclose(centre[0], centre[1]) else 2
    base = (
        f"η² is the one-way between-subjects ANOVA η² = SS_between / SS_total of the {k} groups",
        f"error df = {df_error:g} = N − k with N = {total:g}",
        "SS_within = error df × MSE, i.e. the same SD in every group, including the one whose mean is missing",
        *mse_assumptions,
    )
    results = []
    for j, (value, lb, ub) in enumerate(out[: 2 if n_solutions == 2 else 1]):
        note = (
            f"solution {j + 1} of 2 (the quadratic has two roots, symmetric about "
            f"{(centre[0] + centre[1]) / 2:.6g}; the data alone cannot choose)"
            if n_solutions == 2
            else "single (double) root"
        )
        results.append(
            DerivedValue(f"mean of {labels[-1]}", value, lb, ub, "outcome units", derived_from, base + (note,))
        )
    return tuple(results)
