"""Formatting for the tables of the reports and notebooks (Markdown pipe tables).

Numbers are formatted by :mod:`dprep.core.fmt` (the one formatter of the package); this module
lays them out: Markdown pipe tables and verdicts as labelled badges (styled by
``reports/assets/styles.css``). Every cell is data and is escaped (:func:`dprep.report.markup.escape`)
unless a page made it as :class:`~dprep.report.markup.Markup`.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd

from dprep.report.markup import Markup, escape


def badge(verdict: str) -> Markup:
    """A verdict as a Pandoc/Quarto span with a CSS class per verdict (the text escaped)."""
    css = "verdict-" + re.sub(r"[^a-z0-9]+", "-", str(verdict).lower()).strip("-")
    return Markup(f"[{escape(str(verdict).replace('_', ' '))}]{{.verdict .{css}}}")


def _cell(value: object) -> str:
    if isinstance(value, Markup):
        return value.replace("|", "\\|").replace("\n", " ")
    return escape(value)


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown pipe table (no index); missing values as ``—``.

    Headers and cells are data, escaped by :func:`dprep.report.markup.escape` (``|``, line breaks, HTML
    and Markdown syntax shown as text); a :class:`~dprep.report.markup.Markup` cell is kept as Markdown,
    with only ``|`` escaped and line breaks joined.
    """
    clean = frame.astype(object).where(frame.notna(), "—").map(_cell)
    clean.columns = [_cell(c) for c in clean.columns]
    return clean.to_markdown(index=False, disable_numparse=True)


def table_markdown(frame: pd.DataFrame, caption: str, label: str) -> str:
    """A DataFrame as a numbered, captioned Markdown table: the pipe table, then ``: caption {#label}``.

    Use it (printed from an ``output: asis`` cell, or wrapped in ``IPython.display.Markdown``) when the
    caption is computed; Quarto and dprep's fallback renderer number the table and resolve ``@label``.

    Parameters
    ----------
    frame : DataFrame
        The table (see :func:`markdown_table`).
    caption : str
        The caption (Markdown, written by the page: data inside it must be escaped with
        :func:`dprep.report.markup.escape`).
    label : str
        Cross-reference label, starting with ``tbl-``.

    Returns
    -------
    str
        Starts and ends with a newline, so that it stands as its own block after printed text.

    Raises
    ------
    ValueError
        If ``label`` does not start with ``tbl-``.
    """
    if not label.startswith("tbl-"):
        raise ValueError(f"The 'label' parameter of table_markdown must start with 'tbl-'. Got {label!r} instead.")
    return f"\n{markdown_table(frame)}\n\n: {caption} {{#{label}}}\n"


def figure_html(path: str | Path, alt: str, caption: str) -> str:
    """A PNG as a self-contained HTML figure (image embedded, with its alt text and caption).

    For figures a page makes in a loop (one per configured data set), where a cell's ``fig-alt``
    option cannot be used. ``alt`` and ``caption`` are plain text, escaped (they usually carry data).
    """
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (f'<figure class="dprep-figure"><img src="data:image/png;base64,{data}" alt="{escape(alt)}" '
            f'style="max-width:100%"><figcaption>{escape(caption)}</figcaption></figure>')
