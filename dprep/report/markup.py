"""Data as text on a page: the one escaping rule for data values that reach Markdown or HTML.

The pages print Pandoc Markdown, which passes raw HTML through (``<script>``, ``<img onerror=…>``) and
reads ``[text](url)``, ``*emphasis*``, ``@citations``, ``|`` table cells and line breaks as markup. A data
value — a ``note`` of a CSV row, a study label of ``data/studies.yaml``, a sample name of an effect
table — is text, never markup: :func:`escape` replaces every character that Markdown or HTML could
read as markup with its numeric character reference (``<`` → ``&#60;``) and every run of whitespace
(line breaks included, which would end a table row or open a block) with one space. Pandoc and
browsers show a character reference as the character itself, so the escaped value reads the same,
as text, wherever a page puts it: in prose, a pipe-table cell, a heading, a caption, a Pandoc
attribute (``fig-alt="…"``, whose references Pandoc decodes), or raw HTML (element content and
quoted attribute values). Pandoc's typographic punctuation still applies to it as to the page's own
text (``--`` becomes an en dash, ``'`` a typographic apostrophe).

Markdown that a page writes itself (a verdict badge, *p* in italics), with any data inside it
escaped, is a :class:`Markup`: :func:`escape` returns it unchanged, so nothing is escaped twice, and
:func:`dprep.report.tables.markdown_table` and :func:`dprep.report.prose.listing`, which escape what
they are given, pass it through. A Markup becomes a plain ``str`` in an f-string or a concatenation, so
a page escapes data where it writes Markdown around it, and hands text that the helpers escape (table
cells, alt texts) over raw.

A callout's ``title`` attribute is read as Markdown after Pandoc has decoded its references, so an
escaped value would be unescaped there: data never goes into it (a callout whose title carries data
takes the title from a leading heading instead).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Markup", "code", "escape"]

ACTIVE = "\\`*_{}[]<>#@$~^|&!\":"
"""Characters escaped: Markdown's inline syntax, HTML's ``<``, ``>``, ``&`` and ``"``, and ``:`` (URL
schemes, fenced divs)."""

_TABLE = {ord(c): f"&#{ord(c)};" for c in ACTIVE} | {c: None for c in (*range(32), 127)}


class Markup(str):
    """Markdown a page wrote (data inside it already escaped): :func:`escape` leaves it as it is.

    As the value of an inline ``{python} expr`` expression it is shown as Markdown (``_repr_markdown_``).
    """

    def _repr_markdown_(self) -> str:
        return str(self)


def escape(value: Any) -> Markup:
    """A data value as text for a page: Markdown- and HTML-active characters as character references.

    Parameters
    ----------
    value : object
        A data value (converted with ``str``); a :class:`Markup` is returned as it is.

    Returns
    -------
    Markup
        One line: whitespace runs become one space, other control characters are dropped, and each
        character of :data:`ACTIVE` becomes ``&#N;``.

    Examples
    --------
    >>> escape("<b>bold</b> & [link](javascript:x)\\n| cell")
    '&#60;b&#62;bold&#60;/b&#62; &#38; &#91;link&#93;(javascript&#58;x) &#124; cell'
    >>> escape(escape("a*b")) == escape("a*b")
    True
    """
    if isinstance(value, Markup):
        return value
    return Markup(" ".join(str(value).split()).translate(_TABLE))


def code(value: Any) -> Markup:
    """A data value in monospace (a file name, a column name): ``<code>`` around :func:`escape` of it.

    A Markdown code span would show the references literally and end at a backtick in the value.

    Parameters
    ----------
    value : object
        A data value (converted with ``str``).

    Returns
    -------
    Markup

    Examples
    --------
    >>> code("data/user/a`b.csv")
    '<code>data/user/a&#96;b.csv</code>'
    """
    return Markup(f"<code>{escape(value)}</code>")
