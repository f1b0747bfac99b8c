"""dprep.report.markup: data values reach a page as text, never as HTML or Markdown, wherever they land.

Each payload is escaped, put where pages put data (prose, a heading, a pipe-table cell, a caption, a
``fig-alt`` attribute, the raw HTML of :func:`dprep.report.tables.figure_html`), and converted by
pandoc as the renderer converts a page: the HTML must show the payload as text and contain no element
or attribute it tried to inject.
"""

import doctest
import html
import re
from html.parser import HTMLParser

import pandas as pd
import pypandoc
import pytest
from matplotlib.figure import Figure

from dprep.report import markup
from dprep.report.figures import figure_markdown
from dprep.report.markup import Markup, code, escape
from dprep.report.prose import listing
from dprep.report.tables import badge, figure_html, markdown_table, table_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[link](javascript:alert(1))",
    '=HYPERLINK("http://x","y")',
    "a | b",
    "first line\nsecond line\r\n| not | a | row |",
    "*bold* _it_ `code` @cite $x$ ~sub~ ^sup^ # h {.class} \\ & &lt; <!-- c -->",
]


class _Elements(HTMLParser):
    """The elements of a page with their attribute names, and the targets of its links."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, tuple[str, ...]]] = []
        self.links: list[str] = []
        self.comments = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.links += [value for name, value in attrs if name in ("href", "src") and not value.startswith("data:")]

    def handle_comment(self, data):
        self.comments += 1


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_text_reads_the_same_and_holds_no_active_character(payload):
    text = escape(payload)
    assert isinstance(text, Markup) and "\n" not in text and "\r" not in text
    assert not set(markup.ACTIVE) & set(re.sub(r"&#\d+;", "", text))  # only character references left
    assert html.unescape(text) == " ".join(payload.split())
    assert escape(text) is text  # never escaped twice


def _page(value: str, png) -> str:
    """``value`` where the pages put data, converted by pandoc."""
    document = "\n\n".join([
        f"A note: {escape(value)}.",
        f"## {escape(value)}",
        table_markdown(pd.DataFrame({"note": [value], "n": [1]}), f"Caption {escape(value)}", "tbl-x"),
        figure_markdown(png, f"Figure {escape(value)}", value, "fig-x"),
        figure_html(png, value, value),
        f"In monospace: {code(value)}, in a list: {listing([value, 'b'])}.",
    ])
    return pypandoc.convert_text(document, "html", format="markdown", extra_args=["--wrap=none"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pandoc_shows_an_escaped_payload_as_text_wherever_a_page_puts_it(payload, tmp_path):
    png = tmp_path / "x.png"
    Figure(figsize=(1, 1)).savefig(png)
    plain = "w" * len(escape(payload))  # as long as the escaped payload: the same table layout
    page, reference = _Elements(_page(payload, png)), _Elements(_page(plain, png))
    assert page.found == reference.found and page.links == reference.links == [] and page.comments == 0
    # as text (pandoc's typographic dashes aside, as in typed text): prose, heading, table caption and cell,
    # figure fig-alt, alt and caption, raw-HTML alt and caption, code, list
    dashes = lambda text: text.replace("--", "–")  # noqa: E731
    assert dashes(html.unescape(_page(payload, png))).count(dashes(" ".join(payload.split()))) == 11


def test_markdown_table_escapes_every_cell_and_header_but_keeps_markup():
    frame = pd.DataFrame({"note <b>": PAYLOADS, "made": [Markup("*p* < .05")] * len(PAYLOADS),
                          "missing": [None] * len(PAYLOADS)})
    lines = markdown_table(frame).splitlines()
    assert len(lines) == 2 + len(PAYLOADS)  # a line break in a cell does not end its row
    assert all(re.sub(r"\\\|", "", line).count("|") == 4 for line in lines)  # three columns in every row
    assert "note &#60;b&#62;" in lines[0]
    assert all("*p* < .05" in line and "—" in line for line in lines[2:])
    for payload, line in zip(PAYLOADS, lines[2:]):
        assert escape(payload) in line


def test_markup_cells_keep_their_markdown_but_not_a_stray_pipe_or_line_break():
    table = markdown_table(pd.DataFrame({"a": [Markup("x | *y*\nz")]}))
    assert table.splitlines()[2] == "| x \\| *y* z |"


def test_badge_and_listing_escape_data_and_pass_markup():
    assert badge("supported with caveats") == "[supported with caveats]{.verdict .verdict-supported-with-caveats}"
    assert badge("not_checkable") == "[not checkable]{.verdict .verdict-not-checkable}"
    assert badge('x"} <b>') == '[x&#34;&#125; &#60;b&#62;]{.verdict .verdict-x-b}'
    assert listing(["<i>", Markup("*p*")], "or") == "&#60;i&#62; or *p*"


def test_markup_is_shown_as_markdown_by_inline_expressions():
    assert Markup("*p*")._repr_markdown_() == "*p*"


def test_the_examples_of_the_module_hold():
    assert doctest.testmod(markup).failed == 0
