"""Formatting for the tables of the reports and notebooks (Markdown pipe tables).

Reports show the same numbers in the same way: p-values in APA style, hours with thousands
separators, verdicts as labelled badges (styled by ``reports/assets/styles.css``).
"""

from __future__ import annotations

import math

import pandas as pd


def fmt_p(p: float | None, digits: int = 3) -> str:
    """APA-style p-value: no leading zero, ``< .001`` below 0.001, ``—`` if missing."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    if p < 10 ** -digits:
        return f"< .{'0' * (digits - 1)}1"
    return f"{p:.{digits}f}".lstrip("0")


def fmt_num(x: float | None, digits: int = 2, *, thousands: bool = False) -> str:
    """A number with ``digits`` decimals (thousands separators if asked), ``—`` if missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:,.{digits}f}" if thousands else f"{x:.{digits}f}"


def fmt_ci(lb: float, ub: float, digits: int = 2) -> str:
    """A confidence interval as ``[lb, ub]``."""
    return f"[{fmt_num(lb, digits)}, {fmt_num(ub, digits)}]"


def badge(verdict: str) -> str:
    """A verdict as a Pandoc/Quarto span with a CSS class per verdict."""
    css = "verdict-" + str(verdict).replace(" ", "-").replace("_", "-")
    return f"[{str(verdict).replace('_', ' ')}]{{.verdict .{css}}}"


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown pipe table (no index); ``|`` and newlines in cells escaped."""
    clean = frame.astype(object).where(frame.notna(), "—").map(
        lambda v: str(v).replace("|", "\\|").replace("\n", " "))
    return clean.to_markdown(index=False, disable_numparse=True)
