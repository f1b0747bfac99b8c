"""Nothing on a report page is typed in: every number and count comes from the pipeline's outputs.

The scan reads each ``reports/*.qmd`` (and the README's prose) and fails on a digit, or on a number
word, in what a reader sees that is not computed:

* the prose: the front matter's title, subtitle and abstract, and the Markdown outside code;
* the captions and alt texts typed as ``#|`` options of code cells (``fig-cap``, ``fig-alt``, ``tbl-cap``);
* the text the code cells print: every string literal of a cell (the literal parts of f-strings,
  not their format specifications; not docstrings, which are never shown).

Not scanned, because they are computed or are names, not numbers:

* inline ``{python}`` expressions and code spans in backticks (file names, commands, references such
  as ``reported_tests:mm_three_groups#effect_value``);
* citations and cross-references (``@key``, ``[@key; @other]``, ``@fig-x``) and URLs (a DOI link is an
  identifier);
* string literals that are identifiers (column and key names such as ``"bf10"``) or relative file
  paths (``"meta/leave1out.csv"``), regular expressions (arguments of ``re.*``) and ``encoding=``
  arguments;
* fenced code blocks of the README (doctests check their numbers).

Allowed, and only these (each match is removed before the scan):

* a year in an author–year citation: ``Name (1993)`` or ``et al. 2013``;
* a locator of a source: ``Table 11.1``, ``Figure 2``, ``Study 1``, ``Section 3``, ``Chapter 7``;
* a comparison with zero, which is a sign, not a number: ``P(θ > 0)``, ``β = 0``;
* a name that carries a digit and is not a quantity: the hash ``MD5``;
* ``d₃₃`` and subscripts or superscripts (``BF₁₀``, ``η²``) are not ASCII digits and never match.

Number words (two to twelve, twenty ... thousand, twice, dozen) are counts typed in too; "one", "half"
and "zero" are not scanned (pronouns and definitions: "a power of one third", "half a unit"), nor are
the names of tests "two-sided", "two-tailed", "two-sample" and "two-group".
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "reports").glob("*.qmd"))
CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```", re.S | re.M)
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
INLINE = re.compile(r"`\{python\}[^`]*`|`[^`\n]+`")
CITATION = re.compile(r"\[[^\]]*@[^\]]*\]|@[\w:-]+|<?https?://[^\s>]+>?")
YEAR = re.compile(r"(?:(?<=[A-ZÀ-Ýa-zà-ÿ’'.-]) \((?:19|20)\d\d[a-z]?\))|(?:(?<=et al\.) (?:19|20)\d\d[a-z]?)")
LOCATOR = re.compile(r"\b(?:Table|Figure|Study|Section|section|Chapter)\s\d+(?:\.\d+)*")
ZERO = re.compile(r"[<>=≠≤≥] 0(?!\d|[.,]\d)")
NAME = re.compile(r"\bMD5\b")
PATH = re.compile(r"^[\w.-]+(?:/[\w.-]+)+$")
NUMBER_WORDS = re.compile(r"\b(?:two(?!-(?:sided|tailed|sample|group))|three|four|five|six|seven|eight|nine|ten|"
                          r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|twice|dozen)\b", re.I)
CAPTION_KEYS = ("fig-cap", "fig-alt", "tbl-cap")


def offending(text: str) -> list[str]:
    """The digits and number words left in ``text`` after the allowed forms are removed."""
    for pattern in (INLINE, CITATION, YEAR, LOCATOR, ZERO, NAME):
        text = pattern.sub(" ", text)
    found = [m.group(0) for m in re.finditer(r"\S*[0-9]\S*", text)]
    return found + [m.group(0) for m in NUMBER_WORDS.finditer(text)]


def _literals(node: ast.AST, out: list[str]) -> None:
    """String constants a cell may print (see the module docstring for what is left out)."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return  # a docstring
    if isinstance(node, ast.FormattedValue):
        _literals(node.value, out)  # skip node.format_spec
        return
    if isinstance(node, ast.Call):
        func = node.func
        regex = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re"
        for child in ([] if regex else node.args) + [k.value for k in node.keywords if k.arg != "encoding"]:
            _literals(child, out)
        _literals(func, out)
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if not (node.value.isidentifier() or PATH.match(node.value)):
            out.append(node.value)
        return
    for child in ast.iter_child_nodes(node):
        _literals(child, out)


def page_texts(page: Path) -> list[tuple[str, str]]:
    """(where, text) pairs a reader of ``page`` sees that are not computed expressions."""
    source = page.read_text(encoding="utf-8")
    out = []
    front = FRONT.match(source)
    if front:
        meta = yaml.safe_load(front.group(1))
        out += [(f"front matter {key}", str(meta[key])) for key in ("title", "subtitle", "abstract") if key in meta]
        source = source[front.end():]
    for cell in CELL.findall(source):
        options = yaml.safe_load("\n".join(line[3:] for line in cell.splitlines() if line.startswith("#| "))) or {}
        out += [(f"#| {key}", str(options[key])) for key in CAPTION_KEYS if key in options]
        literals: list[str] = []
        _literals(ast.parse(cell), literals)
        out += [("string in a code cell", text) for text in literals]
    prose = CELL.sub("", source)
    out += [("prose", line) for line in prose.splitlines() if line.strip()]
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_number_is_typed_into_a_page(page):
    problems = [f"{where}: {found} in {text.strip()[:120]!r}"
                for where, text in page_texts(page) for found in offending(text)]
    assert not problems, "typed-in numbers:\n" + "\n".join(problems)


def test_readme_prose_states_no_number():
    """README and pages agree: the README's prose states no number (its doctests compute theirs)."""
    text = re.sub(r"^```.*?^```", "", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S | re.M)
    problems = [f"{found} in {line.strip()[:120]!r}" for line in text.splitlines() for found in offending(line)]
    assert not problems, "numbers in the README's prose:\n" + "\n".join(problems)


@pytest.mark.parametrize("text, bad", [
    ("t(24) = −0.93, p = .364", ["t(24)", "−0.93,", ".364"]),
    ("Two rows do not match", ["Two"]),
    ("≈ 3,855 h or ≈ 14,213 h", ["3,855", "14,213"]),
    ("the 1993 interviewers", ["1993"]),
    ("Ericsson, Krampe & Tesch-Römer (1993) and Hróbjartsson et al. 2013, Table 11.1, d₃₃, BF₁₀", []),
    ("Macnamara et al. (2014); P(θ > 0), β = 0, a two-sided test; β = 0.23", ["0.23"]),
    ("the MD5 of every file, not MD5s or MD50 or 5 MD5", ["MD5s", "MD50", "5"]),
    ("`{python} fmt_num(x)` and `params.yaml` [@macnamara2019, section 3] @fig-forest", []),
])
def test_the_scan_catches_typed_numbers_and_spares_the_allowed_forms(text, bad):
    assert offending(text) == bad


def test_the_scan_reads_the_strings_a_cell_prints():
    cell = ('''"""A docstring with F(1, 27) = 4.59."""\n'''
            '''x = re.sub(r"\\d+", "", "a/b.csv")\nprint(f"{v:.2f} of 3 groups", open("p", encoding="utf-8"))\n''')
    out: list[str] = []
    _literals(ast.parse(cell), out)
    assert out == [" of 3 groups"]
