"""A figure with a computed caption and alt text, as Markdown for a report page.

Quarto takes a cell's caption and alt text from ``#|`` options, which are typed in. A page whose caption
or alt text carries numbers prints :func:`figure_markdown` from an ``output: asis`` cell instead: an
image with the figure embedded as a PNG data URI, its label and its ``fig-alt``, which Quarto and
dprep's fallback renderer number and cross-reference like a cell figure.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

from matplotlib.figure import Figure

from dprep.report.markup import escape

__all__ = ["figure_markdown"]


def _escape(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("\n", " ")


def figure_markdown(image: Figure | str | os.PathLike, caption: str, alt: str, label: str, *,
                    dpi: int = 150) -> str:
    """``![caption](data:image/png;base64,…){#label fig-alt="alt"}`` for a figure or a PNG file.

    Parameters
    ----------
    image : matplotlib.figure.Figure or path-like
        The figure (saved as PNG at ``dpi``, tight bounding box) or a PNG file (embedded as it is).
    caption : str
        The caption (Markdown, written by the page: data inside it must be escaped with
        :func:`dprep.report.markup.escape`; brackets are escaped).
    alt : str
        The alt text (plain text: escaped here).
    label : str
        Cross-reference label, starting with ``fig-``.
    dpi : int, default 150
        Resolution of a figure.

    Returns
    -------
    str
        One Markdown paragraph, with a newline before and after it.

    Raises
    ------
    ValueError
        If ``label`` does not start with ``fig-``.
    FileNotFoundError
        If the PNG file does not exist.
    """
    if not label.startswith("fig-"):
        raise ValueError(f"The 'label' parameter of figure_markdown must start with 'fig-'. Got {label!r} instead.")
    if isinstance(image, Figure):
        buffer = io.BytesIO()
        image.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
        data = buffer.getvalue()
    else:
        data = Path(image).read_bytes()
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return f'\n![{_escape(caption)}]({uri}){{#{label} fig-alt="{escape(alt)}"}}\n'
