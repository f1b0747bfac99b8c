"""The one number formatter: reports, the claims audit, the command line and the notebooks print
numbers, p-values, intervals and test statistics through these functions, so the same value reads the
same everywhere.

Conventions (APA 7th edition, section 6.36):

* a missing value (``None``, NaN) is an em dash ``—``;
* numbers keep ``digits`` decimals; values of 1,000 or more get thousands separators and no
  decimals (hours of practice, large Bayes factors); non-zero values too small to show with
  ``digits`` decimals are given to two significant figures (``4e-05``), never as ``0.00``;
* p-values have no leading zero and three decimals; below .001 they are ``< .001``;
* a confidence interval is ``[lb, ub]``; a percentage has one decimal (``16.5%``).
"""

from __future__ import annotations

import math
import re
from typing import Any

MISSING = "—"


def _missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def num(x: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals; see the module docstring for large, small and missing values.

    Examples
    --------
    >>> num(0.40612), num(7410.0), num(4.2e-05, 3), num(None)
    ('0.41', '7,410', '4.2e-05', '—')
    """
    if _missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if x != 0 and abs(x) < 0.5 * 10 ** -digits:
        return f"{x:.2g}"
    return f"{x:.{digits}f}"


def pval(p: Any, digits: int = 3, *, prefix: bool = False) -> str:
    """An APA-style p-value: ``.364``, ``< .001``; with ``prefix`` ``p = .364``, ``p < .001``.

    Examples
    --------
    >>> pval(0.3641), pval(0.0004), pval(0.0004, prefix=True), pval(1.0)
    ('.364', '< .001', 'p < .001', '1.000')
    """
    if _missing(p):
        return f"p = {MISSING}" if prefix else MISSING
    p = float(p)
    if p < 10 ** -digits:
        text = f"< .{'0' * (digits - 1)}1"
        return f"p {text}" if prefix else text
    text = f"{p:.{digits}f}"
    text = text[1:] if text.startswith("0.") else text
    return f"p = {text}" if prefix else text


def ci(lb: Any, ub: Any, digits: int = 2) -> str:
    """A confidence (or credible, prediction) interval as ``[lb, ub]``.

    Examples
    --------
    >>> ci(0.2841, 0.5149)
    '[0.28, 0.51]'
    """
    return f"[{num(lb, digits)}, {num(ub, digits)}]"


def pct(proportion: Any, digits: int = 1) -> str:
    """A proportion (0–1) as a percentage: ``0.1646`` → ``16.5%``."""
    if _missing(proportion):
        return MISSING
    return f"{100 * float(proportion):.{digits}f}%"


_SYMBOL = {"F": "F", "f": "F", "t": "t", "chi2": "χ²", "r": "r", "z": "z"}


def _df_text(df: Any) -> str:
    return f"{float(df):g}" if not isinstance(df, str) else df


def statistic(kind: str, value: Any, df1: Any = None, df2: Any = None) -> str:
    """A test statistic in APA form: ``F(1, 27) = 4.59``, ``t(24) = -0.93``, ``χ²(2) = 13.90``, ``z = 1.96``.

    ``value`` is printed as given when it is text (a number as reported), else with two decimals.
    """
    symbol = _SYMBOL.get(kind, kind)
    shown = value if isinstance(value, str) else num(value)
    dfs = [_df_text(d) for d in (df1, df2) if not _missing(d)]
    if symbol == "z" or not dfs:
        return f"{symbol} = {shown}"
    if symbol == "F":
        return f"F({', '.join(dfs)}) = {shown}"
    return f"{symbol}({dfs[-1]}) = {shown}"


def slug(text: str) -> str:
    """A file-name-safe form of a label: lower case, runs of other characters as ``_``.

    Examples
    --------
    >>> slug("top two vs third group (lower root)")
    'top_two_vs_third_group_lower_root'
    """
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
