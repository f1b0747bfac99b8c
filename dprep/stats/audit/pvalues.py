"""Reported p-values: parsing, recomputation from the test statistic, and the statcheck-style check
(Nuijten et al. 2016; ``error_test`` and ``decision_error_test`` of the R package)."""

from __future__ import annotations

import math
import re
from dataclasses import field

from scipy import stats

from dprep.core import fmt
from dprep.core.results import Result, result
from dprep.stats.sumstats import parse_reported

STATISTICS = {"f": "F", "t": "t", "chi2": "chi2", "r": "r", "z": "z"}
_P_PATTERN = re.compile(r"^\s*(?:p\s*)?(<=|>=|=|<|>|≤|≥)?\s*([0-9]*\.?[0-9]+(?:[eE]-?\d+)?)\s*$", re.IGNORECASE)


@result
class ReportedP(Result):
    """A reported p-value: ``comparison`` ('=', '<' or '>'), ``value`` and decimals as written."""

    text: str
    comparison: str
    value: float
    decimals: int



def parse_p(text: str) -> ReportedP:
    """Parse a reported p such as ``"0.364"``, ``"<.05"``, ``"p < 0.001"`` or ``"= .03"``.

    Parameters
    ----------
    text : str
        The p-value as reported.

    Returns
    -------
    ReportedP

    Raises
    ------
    ValueError
        If ``text`` is not an (in)equality with a number in [0, 1].

    References
    ----------
    Nuijten, M. B., et al. (2016). *Behavior Research Methods*, 48(4), 1205–1226.
    """
    match = _P_PATTERN.match(str(text))
    if match is None:
        raise ValueError(
            f"The 'text' parameter of parse_p must be a p-value such as '0.364' or '<.05'. Got {text!r} instead."
        )
    sign, number = match.groups()
    value = float(number)
    if not 0 <= value <= 1:
        raise ValueError(f"The 'text' parameter of parse_p must hold a p in [0, 1]. Got {text!r} instead.")
    comparison = {"<=": "<", "≤": "<", ">=": ">", "≥": ">", None: "="}.get(sign, sign)
    decimals = len(number.split(".")[1]) if "." in number and "e" not in number.lower() else 0
    return ReportedP(str(text).strip(), comparison, value, decimals)


def recompute_p(statistic: str, value: float, df1: float | None = None, df2: float | None = None) -> float:
    """p-value of a test statistic: t and z two-tailed, F and χ² upper tail, r via t with df.

    Parameters
    ----------
    statistic : {"t", "F", "chi2", "r", "z"}
        Kind of statistic.
    value : float
        Its value.
    df1, df2 : float, optional
        Degrees of freedom: F uses (df1, df2); χ² uses df1; t and r use df2 if given, else df1
        (for r, df = n − 2 and t = r·√(df / (1 − r²))).

    Returns
    -------
    float
        The p-value.

    Raises
    ------
    ValueError
        For an unknown statistic, a missing df or one below 1, or an impossible (or non-finite) value.

    References
    ----------
    statcheck ``compute_p`` (Nuijten et al., 2016); the r → t identity is in any text, e.g.
    Cohen, Cohen, West & Aiken (2003), *Applied multiple regression/correlation analysis*, ch. 2.
    """
    kind = STATISTICS.get(str(statistic).lower())
    if kind is None:
        raise ValueError(
            f"The 'statistic' parameter of recompute_p must be one of t, F, chi2, r, z. Got {statistic!r} instead."
        )
    value = float(value)
    df_t = df2 if df2 is not None else df1
    if kind in ("t", "r") and df_t is None or kind == "F" and (df1 is None or df2 is None) or kind == "chi2" and df1 is None:
        raise ValueError(f"The 'df1'/'df2' parameters of recompute_p are required for {kind}. Got {df1!r}, {df2!r} instead.")
    for name, df in (("df1", df1), ("df2", df2)):
        if df is not None and not (math.isfinite(df) and df >= 1):
            raise ValueError(f"The '{name}' parameter of recompute_p must be a number ≥ 1 (degrees of freedom). "
                             f"Got {df!r} instead.")
    if not math.isfinite(value):
        raise ValueError(f"The 'value' parameter of recompute_p must be finite. Got {value!r} instead.")
    if kind == "t":
        return float(2 * stats.t.sf(abs(value), df_t))
    if kind == "z":
        return float(2 * stats.norm.sf(abs(value)))
    if kind == "F":
        if value < 0:
            raise ValueError(f"The 'value' parameter of recompute_p must be ≥ 0 for F. Got {value!r} instead.")
        return float(stats.f.sf(value, df1, df2))
    if kind == "chi2":
        if value < 0:
            raise ValueError(f"The 'value' parameter of recompute_p must be ≥ 0 for chi2. Got {value!r} instead.")
        return float(stats.chi2.sf(value, df1))
    if not -1 < value < 1:
        if abs(value) == 1:
            return 0.0
        raise ValueError(f"The 'value' parameter of recompute_p must be in [-1, 1] for r. Got {value!r} instead.")
    return float(2 * stats.t.sf(abs(value) * math.sqrt(df_t / (1 - value * value)), df_t))


# --------------------------------------------------------------------------------- checks
@result
class Check(Result):
    """One check on one row: ``outcome`` in consistent / inconsistent / decision_error /
    not_checkable / info, a plain-English ``explanation`` and numeric ``detail``."""

    name: str
    outcome: str
    explanation: str
    detail: dict = field(default_factory=dict)



def _p_text(rep: ReportedP) -> str:
    return re.sub(r"^\s*p?\s*(<=|>=|=|<|>|≤|≥)?\s*", "", rep.text)


def check_p(
    statistic: str,
    value: str | float,
    df1: float | None,
    df2: float | None,
    p_reported: str,
    alpha: float = 0.05,
    rounding: bool = True,
) -> Check:
    """Compare a reported p with the p recomputed from the statistic (statcheck rules).

    The recomputed p is bracketed by the p-values at the ends of the rounding interval of the
    statistic (``rounding=True``). An exact reported p with d decimals is consistent if it is
    within half a unit of its last digit of that bracket; ``p < x`` is consistent unless even
    the smallest recomputed p exceeds x; ``p > x`` unless even the largest is below x. An
    inconsistent result is a decision error if the recomputed p (at the reported statistic)
    and the reported p fall on different sides of α (p = α counts as significant).

    Parameters
    ----------
    statistic : {"t", "F", "chi2", "r", "z"}
        Kind of statistic.
    value : str or float
        The statistic as reported (a string keeps its decimals).
    df1, df2 : float or None
        Degrees of freedom (see :func:`recompute_p`).
    p_reported : str
        The reported p (``"0.364"``, ``"<.05"``).
    alpha : float, default 0.05
        Significance threshold for decision errors.
    rounding : bool, default True
        Allow for the rounding of the statistic; if False it is taken as exact.

    Returns
    -------
    Check
        ``detail`` holds ``p``, ``p_lb``, ``p_ub``.

    Raises
    ------
    ValueError
        On an unparseable statistic or p.

    References
    ----------
    Nuijten, M. B., Hartgerink, C. H. J., van Assen, M. A. L. M., Epskamp, S., & Wicherts,
    J. M. (2016). The prevalence of statistical reporting errors in psychology (1985–2013).
    *Behavior Research Methods*, 48(4), 1205–1226; R package statcheck, ``error_test.R`` and
    ``decision_error_test.R``.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"The 'alpha' parameter of check_p must be in (0, 1). Got {alpha!r} instead.")
    kind = STATISTICS.get(str(statistic).lower())
    stat = parse_reported(value, "value", exact=not rounding)
    rep = parse_p(p_reported)
    p = recompute_p(kind, stat.value, df1, df2)
    if kind in ("F", "chi2"):
        ends = [max(stat.lb, 0.0), stat.ub]
    elif kind == "r":
        ends = [max(min(x, 0.999999999999), -0.999999999999) for x in (stat.lb, stat.ub)]
    else:
        ends = [stat.lb, stat.ub]
    ps = [recompute_p(kind, x, df1, df2) for x in ends]
    # the p at |statistic| nearest 0 is largest; an interval straddling 0 reaches p = 1
    p_lb, p_ub = min(ps), (1.0 if kind in ("t", "z", "r") and stat.lb < 0 < stat.ub else max(ps))
    detail = {"p": p, "p_lb": p_lb, "p_ub": p_ub}
    text = fmt.statistic(kind, str(value), df1, df2)
    bracket = f"{p_lb:.3g} and {p_ub:.3g}"
    tail = "two-tailed " if kind in ("t", "z", "r") else ""
    if rep.value <= 0:
        return Check("p", "inconsistent", f"{text}: a p of 0 cannot be reported exactly (recomputed {tail}p = {fmt.num(p, 4)}).", detail)
    if rep.comparison == "=":
        half = 0.5 * 10.0 ** (-rep.decimals)
        error = rep.value - half > p_ub or rep.value + half < p_lb
        shown = f"p = {_p_text(rep)}"
    elif rep.comparison == "<":
        error = rep.value < p_lb
        shown = f"p < {_p_text(rep)}"
    else:
        error = rep.value > p_ub
        shown = f"p > {_p_text(rep)}"
    range_text = f"the {tail}p recomputed from {text} is {p:.3g}" + (
        f" (between {bracket} given the rounding of the statistic)" if rounding else ""
    )
    if not error:
        return Check("p", "consistent", f"Reported {shown} agrees: {range_text}.", detail)
    reported_sig = rep.value <= alpha if rep.comparison in ("=", "<") else False
    if rep.comparison == "=":
        decision = (rep.value <= alpha and p > alpha) or (rep.value > alpha and p <= alpha)
    elif rep.comparison == "<":
        decision = rep.value <= alpha and p > alpha
    else:
        decision = rep.value >= alpha and p <= alpha
    if decision:
        side = "significant" if reported_sig else "not significant"
        return Check(
            "p",
            "decision_error",
            f"Reported {shown} does not agree and changes the conclusion at α = {alpha:g}: {range_text}, "
            f"so the result is {'not ' if reported_sig else ''}significant although reported as {side}.",
            detail,
        )
    return Check("p", "inconsistent", f"Reported {shown} does not agree: {range_text}.", detail)
