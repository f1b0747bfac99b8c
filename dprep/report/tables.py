"""Formatting for the tables of the reports and notebooks (Markdown pipe tables).

Numbers are formatted by :mod:`dprep.core.fmt` (the one formatter of the package); this module
lays them out: Markdown pipe tables and verdicts as labelled badges (styled by
``reports/assets/styles.css``).
"""

from __future__ import annotations

import pandas as pd


def badge(verdict: str) -> str:
    """A verdict as a Pandoc/Quarto span with a CSS class per verdict."""
    css = "verdict-" + str(verdict).replace(" ", "-").replace("_", "-")
    return f"[{str(verdict).replace('_', ' ')}]{{.verdict .{css}}}"


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown pipe table (no index); ``|`` and newlines in cells escaped."""
    clean = frame.astype(object).where(frame.notna(), "—").map(
        lambda v: str(v).replace("|", "\\|").replace("\n", " "))
    return clean.to_markdown(index=False, disable_numparse=True)
