"""Shared look of dprep's figures: font size, the colours of studies, pooled estimates and imputed studies,
and :class:`Plot` (a figure with its alt text)."""

from typing import NamedTuple

from matplotlib.figure import Figure

FONT_SIZE = 11
STUDY_COLOUR = "#1f4e79"
POOLED_COLOUR = "#8b1a1a"
FILLED_COLOUR = "#d9822b"


class Plot(NamedTuple):
    """A figure and its alt text."""

    figure: Figure
    alt_text: str
