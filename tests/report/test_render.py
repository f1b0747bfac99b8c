"""The report renderer: Quarto projects rendered by the fallback (Jupyter + pandoc)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pypandoc
import pytest
import typer
import yaml
from matplotlib.figure import Figure
from typer.testing import CliRunner

from dprep.cli import render as render_command
from dprep.report.render import RenderError, _merge_streams, _parse_qmd, load_project, render_project

FIXTURE = Path(__file__).parents[1] / "fixtures" / "render"
REPORTS = Path(__file__).parents[2] / "reports"

FAKE_QUARTO = """#!/bin/sh
# Stands in for the Quarto CLI: records its arguments, writes a page where --output-dir says.
printf '%s\\n' "$@" > "$(dirname "$0")/args"
while [ "$1" != "--output-dir" ]; do shift; done
mkdir -p "$2" && touch "$2/page.html"
"""


def _copy_project(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("_site", ".quarto"))
    return target


def _markdown_project(root: Path, body: str, bib: str = "") -> Path:
    """A one-page project without code cells: renders without starting a kernel."""
    root.mkdir(parents=True)
    config = {"project": {"type": "website"}, "website": {"title": "T", "navbar": {"left": ["page.qmd"]}}}
    if bib:
        (root / "refs.bib").write_text(bib)
        config["bibliography"] = "refs.bib"
    (root / "_quarto.yml").write_text(yaml.safe_dump(config))
    (root / "page.qmd").write_text(f"---\ntitle: Page\n---\n\n{body}\n")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = _copy_project(FIXTURE, tmp_path_factory.mktemp("render") / "project")
    pages = render_project(project, engine="fallback", params={"threshold": 8000})
    return {
        "project": project,
        "pages": pages,
        "index": pages[0].read_text(encoding="utf-8"),
        "analysis": pages[1].read_text(encoding="utf-8"),
    }


@pytest.mark.slow
def test_pages_are_written_in_navbar_order(site: dict) -> None:
    out = site["project"] / "_site"
    assert site["pages"] == [out / "index.html", out / "analysis.html"]


@pytest.mark.slow
def test_page_is_self_contained(site: dict) -> None:
    html = site["analysis"]
    assert not re.search(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?!data:)", html)
    external = re.findall(r"(?:src|href)=\"(https?:[^\"]*)\"", html)
    references = html[html.index('id="refs"'):]
    assert external, "the DOI of the cited paper should be linked"
    for url in external:
        assert url.startswith("https://doi.org/"), url
        assert url in references, f"{url} appears outside the bibliography"


@pytest.mark.slow
def test_figure_is_embedded_with_alt_text_and_numbered_caption(site: dict) -> None:
    html = site["analysis"]
    (image,) = re.findall(r"<img\b[^>]*>", html)
    assert 'src="data:image/png;base64,' in image
    assert 'alt="Bar chart of practice hours for three groups of violinists."' in image
    figure = html[html.index('<figure id="fig-hours"'):]
    assert re.search(r"<figcaption>Figure\s1: Accumulated practice by group\.</figcaption>", figure)
    assert re.search(r"<figcaption>Table\s1: Practice hours by group\.</figcaption>", html)
    assert "<table" in html[html.index('<figure id="tbl-hours"'):]


@pytest.mark.slow
def test_cross_references_inline_values_and_parameters(site: dict) -> None:
    html = site["analysis"]
    assert re.search(r'<a href="#fig-hours" class="xref">Figure\s1</a>', html)
    assert re.search(r'<a href="#tbl-hours" class="xref">Table\s1</a>', html)
    assert "practised 7410 hours" in html
    assert "parameter\nis 8000 hours" in html or "parameter is 8000 hours" in html


@pytest.mark.slow
def test_citation_is_resolved_into_the_bibliography(site: dict) -> None:
    html = site["analysis"]
    assert re.search(r'data-cites="ericsson1993">\(<a href="#ref-ericsson1993"[^>]*>Ericsson et al\.', html)
    entry = html[html.index('id="ref-ericsson1993"'):]
    assert "Psychological Review" in entry[:1000]
    assert ">References</h2>" in html


@pytest.mark.slow
def test_options_callouts_navbar_and_footer(site: dict) -> None:
    html, index = site["analysis"], site["index"]
    assert "fallback renderer (Jupyter\n+ pandoc" in html or "fallback renderer (Jupyter + pandoc" in html
    assert "not Quarto" in html and "not Quarto" in index
    assert "Provenance slot: fixture v1" in html
    assert "pd.DataFrame" not in html  # execute: echo: false in _quarto.yml
    assert "shown with its code" in html and "print" in html  # #| echo: true
    assert '<div class="callout-title">\nNote\n</div>' in html
    assert 'href="analysis.html"' in index  # a .qmd link becomes the page's link
    assert re.search(r'<a href="analysis.html" class="active"', html)


@pytest.mark.slow
def test_failing_cell_names_document_and_cell_and_keeps_pages(site: dict, tmp_path: Path) -> None:
    project = _copy_project(site["project"], tmp_path / "project")
    shutil.copytree(site["project"] / "_site", project / "_site")
    before = {page.name: page.read_bytes() for page in (project / "_site").iterdir()}
    with (project / "index.qmd").open("a") as handle:
        handle.write("\nChanged text.\n")
    with (project / "analysis.qmd").open("a") as handle:
        handle.write('\n```{python}\n#| label: broken\nraise ValueError("bad input")\n```\n')

    with pytest.raises(RenderError, match=r"analysis\.qmd: cell 'broken' \(line \d+\) raised ValueError: bad input"):
        render_project(project, engine="fallback")
    after = {page.name: page.read_bytes() for page in (project / "_site").iterdir()}
    assert after == before


def test_unresolved_cross_reference_fails(tmp_path: Path) -> None:
    project = _markdown_project(tmp_path / "p", "As @fig-missing shows.")
    with pytest.raises(RenderError, match="unresolved cross-reference @fig-missing"):
        render_project(project, engine="fallback")
    assert not (project / "_site").exists()


def test_missing_citation_fails(tmp_path: Path) -> None:
    bib = "@book{known2000, author = {A, B}, title = {T}, publisher = {P}, year = {2000}}\n"
    project = _markdown_project(tmp_path / "p", "Cited [@known2000; @unknown1999].", bib)
    with pytest.raises(RenderError, match="citations not in the bibliography: unknown1999"):
        render_project(project, engine="fallback")


def test_markdown_figure_and_table_are_numbered(tmp_path: Path) -> None:
    body = (
        "See @tbl-t and [-@fig-f].\n\n"
        "![A *caption*](dot.svg){#fig-f fig-alt=\"A dot\"}\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Numbers {#tbl-t}\n"
    )
    project = _markdown_project(tmp_path / "p", body)
    (project / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (page,) = render_project(project, engine="fallback")
    html = page.read_text()
    assert re.search(r'<a href="#tbl-t" class="xref">Table\s1</a> and <a href="#fig-f" class="xref">1</a>', html)
    assert re.search(r"<figcaption>Figure\s1: A <em>caption</em></figcaption>", html)
    assert re.search(r"<caption>Table\s1: Numbers</caption>", html)
    assert 'alt="A dot"' in html


def test_printed_paragraphs_do_not_depend_on_when_the_kernel_flushed(tmp_path: Path) -> None:
    # stop 16's CI: one print per sentence came as one stream output in one run and two in another, and the
    # blank line between outputs split the paragraph, so a fresh clone's blinding page differed from the lock
    body = ("```{python}\n#| output: asis\nimport sys\nprint('One sentence.')\nsys.stdout.flush()\n"
            "print('Another sentence.')\n```\n\n"
            "```{python}\n#| output: asis\n#| warning: false\nimport warnings\nprint('Third sentence.')\n"
            "sys.stdout.flush()\nwarnings.warn('not shown')\nsys.stderr.flush()\nprint('Fourth sentence.')\n```\n")
    (page,) = render_project(_markdown_project(tmp_path / "p", body), engine="fallback")
    html = page.read_text()
    assert re.search(r"<p>One sentence\.\s+Another sentence\.</p>", html)
    assert re.search(r"<p>Third sentence\.\s+Fourth sentence\.</p>", html) and "UserWarning" not in html


def test_only_adjacent_streams_of_one_name_are_merged() -> None:
    out = lambda text, name="stdout": {"output_type": "stream", "name": name, "text": text}
    image = {"output_type": "display_data", "data": {"image/png": ""}}
    outputs = [out("a\n"), out("b\n"), image, out("c\n"), out("d", "stderr"), out("e")]
    assert _merge_streams(outputs) == [out("a\nb\n"), image, out("c\n"), out("d", "stderr"), out("e")]
    # a warning that is not shown (warning: false) does not split the paragraph around it
    assert _merge_streams(outputs, stderr=False) == [out("a\nb\n"), image, out("c\ne")]


def test_parse_qmd_splits_cells_options_and_inline_code() -> None:
    text = (
        "---\ntitle: X\n---\n\nValue `{python} a + 1` here.\n\n"
        "````markdown\n```{python}\nnot_a_cell()\n```\n````\n\n"
        "```{python}\n#| label: fig-x\n#| fig-cap: \"Cap\"\nplot()\n```\n"
    )
    front, blocks = _parse_qmd(text, Path("x.qmd"))
    assert front == {"title": "X"}
    markdown, cell = blocks
    assert markdown.expressions == ["a + 1"]
    assert "```{python}\nnot_a_cell()" in markdown.text  # shown as code, not run
    assert "`{python}" not in markdown.text.split("````")[0]
    assert cell.options == {"label": "fig-x", "fig-cap": "Cap"} and cell.source == "plot()"
    assert cell.line == 13


def test_other_engines_and_unclosed_cells_are_rejected() -> None:
    with pytest.raises(RenderError, match=r"x\.qmd: line 1: \{r\} cells need Quarto"):
        _parse_qmd("```{r}\n1\n```\n", Path("x.qmd"))
    with pytest.raises(RenderError, match="line 2: unclosed"):
        _parse_qmd("text\n```{python}\n1\n", Path("x.qmd"))


def test_quarto_engine_requires_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    project = _markdown_project(tmp_path / "p", "Text.")
    with pytest.raises(RenderError, match="quarto CLI is not on PATH"):
        render_project(project, engine="quarto")


def test_auto_engine_uses_quarto_when_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    quarto = bin_dir / "quarto"
    quarto.write_text(FAKE_QUARTO)
    quarto.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    project = _markdown_project(tmp_path / "p", "Text.")

    pages = render_project(project, params={"threshold": 8000, "label": "x y"})
    assert pages == [project.resolve() / "_site" / "page.html"] and pages[0].is_file()
    args = (bin_dir / "args").read_text().splitlines()
    assert args[:2] == ["render", str(project.resolve())]
    assert "threshold:8000" in args and "label:x y" in args


def test_command_renders_and_reports_failure(tmp_path: Path) -> None:
    app = typer.Typer()
    render_command.register(app)
    app.command("noop")(lambda: None)  # keep 'render' a named subcommand
    good = _markdown_project(tmp_path / "good", "Fine.")
    result = CliRunner().invoke(app, ["render", str(good), "--engine", "fallback"])
    assert result.exit_code == 0, result.output
    assert (good / "_site" / "page.html").is_file()

    bad = _markdown_project(tmp_path / "bad", "See @tbl-nothing.")
    result = CliRunner().invoke(app, ["render", str(bad), "--engine", "fallback"])
    assert result.exit_code == 1
    assert "unresolved cross-reference @tbl-nothing" in result.output


def test_reports_bibliography_is_complete_and_parses() -> None:
    entries = json.loads(pypandoc.convert_file(str(REPORTS / "references.bib"), "csljson", format="bibtex"))
    ids = {entry["id"] for entry in entries}
    assert len(ids) == len(entries) >= 33
    cited = set(re.findall(r"@([a-z]+\d{4}[a-z]?)", (REPORTS / "index.qmd").read_text()))
    assert cited <= ids
    dois = [entry["DOI"] for entry in entries if "DOI" in entry]
    assert all(doi.startswith("10.") for doi in dois) and len(set(dois)) == len(dois)


def test_reports_index_renders_with_apa_citations(tmp_path: Path) -> None:
    project = _copy_project(REPORTS, tmp_path / "reports")
    config = yaml.safe_load((project / "_quarto.yml").read_text())
    assert config["project"]["type"] == "website" and config["execute"]["echo"] is False
    assert [item["href"] for item in config["website"]["navbar"]["left"]][:2] == ["index.qmd", "replication.qmd"]
    config["project"]["render"] = ["index.qmd"]  # the other documents are written elsewhere
    (project / "_quarto.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    assert load_project(project).documents == (project.resolve() / "index.qmd",)

    (page,) = render_project(project, engine="fallback")
    html = page.read_text()
    assert "Ericsson et al., 1993</a>)" in html  # APA 7 in-text citation
    assert "https://doi.org/10.1037/0033-295X.100.3.363" in html
    assert "dprep — deliberate practice, re-examined" in html


PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[link](javascript:alert(1))",
            '=HYPERLINK("http://x","y")', "a | b", "first line\nsecond line"]
ESCAPING_PAGE = '''\
```{python}
import pandas as pd
from dprep.report.figures import figure_markdown
from dprep.report.markup import escape
from dprep.report.prose import listing
from dprep.report.tables import badge, markdown_table, table_markdown

notes = pd.read_csv("notes.csv")["note"]
```

Inline: `{python} notes[0]`; listed: `{python} listing(notes)`.

```{python}
#| output: asis
print(f"A note from the data: {escape(notes[1])}.\\n")
print(table_markdown(notes.to_frame().assign(verdict=badge("consistent")), f"Notes ({escape(notes[2])}).", "tbl-notes"))
print(figure_markdown("dot.png", f"A dot, {escape(notes[0])}.", notes[1], "fig-dot"))
```

```{python}
from IPython.display import Markdown
Markdown(markdown_table(notes.to_frame()))
```
'''


@pytest.mark.slow
def test_data_reaches_the_page_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page printing data through dprep.report's helpers (prose, tables, captions, alt texts, inline values)
    shows every payload as text: no element, attribute or link comes from the data."""
    paths = [str(REPORTS.parent), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))  # the kernel imports this checkout's dprep
    project = _markdown_project(tmp_path / "p", "")
    (project / "page.qmd").write_text(f"---\ntitle: Page\n---\n\n{ESCAPING_PAGE}")
    pd.DataFrame({"note": PAYLOADS}).to_csv(project / "notes.csv", index=False)
    Figure(figsize=(1, 1)).savefig(project / "dot.png")
    (page,) = render_project(project, engine="fallback")
    html = " ".join(page.read_text(encoding="utf-8").split())  # pandoc wraps lines
    tags = re.findall(r"<[a-zA-Z][^>]*>", re.sub(r'"[^"]*"', '""', html))  # attribute values emptied
    assert not [t for t in tags if re.match(r"<script\b", t) or re.search(r"\son\w+\s*=", t)]
    assert "javascript:" not in "".join(re.findall(r'href="[^"]*"', html)) and "=HYPERLINK" in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # inline, list, table twice, caption, alt
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 5
    assert re.search(r"<td[^>]*>a \| b</td>", html) and "first line second line" in html
    assert re.search(r'class="verdict verdict-consistent"', html)
