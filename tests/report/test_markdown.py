"""Computed captions and words: dprep.report.tables.table_markdown, dprep.report.figures, dprep.report.prose."""

import base64
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure

from dprep.report.figures import figure_markdown
from dprep.report.prose import compare, listing
from dprep.report.tables import table_markdown


def test_table_markdown_puts_the_caption_and_label_after_the_table():
    text = table_markdown(pd.DataFrame({"a": [1], "b": ["x|y"]}), "A caption, 95% CI", "tbl-x")
    assert text.startswith("\n|") and text.endswith(": A caption, 95% CI {#tbl-x}\n")
    assert "x&#124;y" in text  # a data value: escaped (tests/report/test_markup.py)
    with pytest.raises(ValueError, match="tbl-"):
        table_markdown(pd.DataFrame({"a": [1]}), "c", "fig-x")


def test_figure_markdown_embeds_a_png_with_label_and_alt(tmp_path):
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    text = figure_markdown(fig, "Caption [with brackets]", 'Alt "quoted"', "fig-x")
    match = re.fullmatch(r'\n!\[Caption \\\[with brackets\\\]\]\(data:image/png;base64,([A-Za-z0-9+/=]+)\)'
                         r'\{#fig-x fig-alt="Alt &#34;quoted&#34;"\}\n', text)
    assert match and base64.b64decode(match.group(1)).startswith(b"\x89PNG")
    png = tmp_path / "f.png"
    fig.savefig(png)
    assert base64.b64encode(png.read_bytes()).decode() in figure_markdown(png, "c", "a", "fig-y")
    with pytest.raises(ValueError, match="fig-"):
        figure_markdown(png, "c", "a", "tbl-y")


def test_words_follow_the_values():
    assert (compare(2, 1), compare(1, 2), compare(1, 1)) == ("larger than", "smaller than", "equal to")
    assert compare(0.3, 0.1, more="rises", less="falls") == "rises"
    assert listing(["a"]) == "a" and listing(["a", "b", "c"], "or") == "a, b or c" and listing([]) == ""
    with pytest.raises(ValueError):
        compare(float("nan"), 1)
