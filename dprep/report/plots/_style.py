"""Shared look of dprep's figures: font size and the colours of studies, pooled estimates and imputed studies."""

FONT_SIZE = 11
STUDY_COLOUR = "#1f4e79"
POOLED_COLOUR = "#8b1a1a"
FILLED_COLOUR = "#d9822b"
