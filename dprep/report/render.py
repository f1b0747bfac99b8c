"""Render the Quarto report project to self-contained HTML pages.

With the Quarto CLI on ``PATH``, :func:`render_project` runs ``quarto render``.  Without it, a
fallback assembled from well-kept parts renders the same ``.qmd`` files:

1. the ``.qmd`` is split into its YAML front matter, Markdown and ```` ```{python} ```` cells
   (with their ``#|`` options); inline `` `{python} expr` `` becomes an injected cell that
   evaluates the expressions where they stand;
2. the cells run in a Jupyter kernel through :mod:`nbclient`, in the document's folder; an
   exception stops the render with the document, the cell and the error;
3. the outputs become pandoc Markdown (figures and tables as labelled floats, HTML tables,
   Markdown output, text); a Lua filter numbers the floats, resolves ``@fig-``/``@tbl-``
   cross-references before ``--citeproc`` resolves the citations, and adds callout titles;
4. pandoc writes one self-contained page (figures and CSS embedded) with the site navbar and a
   footer: the page's provenance (:mod:`dprep.report.provenance`: the files the cells read,
   recorded by :mod:`dprep.report.tracking` while they ran, with their MD5; the parameters; the
   commit) and a note saying plainly that Quarto did not render it.

Nothing on a page depends on when it is rendered: ``date: today`` is the date of the commit, and
the footer carries no render time, so one commit and one set of inputs give one page.

A page replaces its previous version only when every document of the project rendered.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dprep.core.errors import RenderError
from dprep.data.io import atomic_path
from dprep.data.paths import find_root
from dprep.report.markup import escape
from dprep.report.provenance import commit_date, provenance_markdown

ENGINES = ("auto", "quarto", "fallback")
CELL_TIMEOUT = 1800
"""Seconds one cell may run before the render is abandoned."""

_ASSETS = Path(__file__).with_name("render_assets")
_INLINE_MIME = "application/vnd.dprep.inline+json"
_READ_MIME = "application/vnd.dprep.read+json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*$\n?", re.S | re.M)
_CELL_OPEN = re.compile(r"^(`{3,})\s*\{([A-Za-z]\w*)[^}]*\}\s*$")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"`\{python\}\s+([^`]+?)\s*`")
_PLACEHOLDER = "\ue000{}\ue001"
_OUTPUT_MIMES = ("text/markdown", "text/html", "image/svg+xml", "image/png", "image/jpeg", "text/plain")
_QUARTO_ONLY_KEYS = {"format", "execute", "jupyter", "bibliography", "csl", "params"}
"""Front matter that the fallback applies itself instead of passing it on to pandoc."""
_IMAGE_SUFFIX = {"image/svg+xml": ".svg", "image/png": ".png", "image/jpeg": ".jpg"}

# Quarto's defaults for HTML figures from Jupyter.
_FIGURE_DEFAULTS = {"fig-width": 7, "fig-height": 5, "fig-dpi": 96, "fig-format": "retina"}

_SETUP_CELL = '''\
from dprep.report import tracking as _dprep_tracking

_dprep_tracking.start({root!r})
get_ipython().run_line_magic("config", "InlineBackend.figure_formats = [{fig_format!r}]")
get_ipython().run_line_magic("config", "InlineBackend.rc = {rc!r}")


def _dprep_inline(expressions):
    """Evaluate inline `{{python}} expr` expressions; display their text as one output."""
    import numbers

    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    values = []
    for expression in expressions:
        value = eval(expression, shell.user_ns)
        markdown = shell.display_formatter.format(value)[0].get("text/markdown")
        if markdown is not None:
            values.append({{"markdown": True, "text": markdown}})
        elif isinstance(value, (str, numbers.Number)):
            values.append({{"markdown": False, "text": str(value)}})
        else:
            values.append({{"markdown": False, "text": shell.display_formatter.format(value)[0]["text/plain"]}})
    display({{{mime!r}: values}}, raw=True)
'''


@dataclass(frozen=True)
class NavItem:
    """One navbar entry: its text and the project-relative source it points to."""

    text: str
    href: str


@dataclass(frozen=True)
class Project:
    """A Quarto website project as read from ``_quarto.yml``.

    Attributes
    ----------
    root : pathlib.Path
        Folder holding ``_quarto.yml``.
    output_dir : pathlib.Path
        Where the pages go (``project.output-dir``, default ``_site``).
    title : str
        ``website.title``.
    nav : tuple of NavItem
        ``website.navbar.left`` entries, menus flattened.
    documents : tuple of pathlib.Path
        The ``.qmd`` files to render: ``project.render`` if given, else the navbar's.
    options : dict
        Document-level defaults: ``bibliography``, ``csl`` (resolved to absolute paths),
        ``execute`` and ``format``.
    """

    root: Path
    output_dir: Path
    title: str
    nav: tuple[NavItem, ...]
    documents: tuple[Path, ...]
    options: dict[str, Any] = field(default_factory=dict)

    def page_for(self, document: Path, output_dir: Path | None = None) -> Path:
        """Return the HTML page that ``document`` renders to."""
        return (output_dir or self.output_dir) / document.relative_to(self.root).with_suffix(".html")


# --------------------------------------------------------------------------- project


def load_project(project_dir: str | os.PathLike = "reports") -> Project:
    """Read ``_quarto.yml`` of a website project.

    Parameters
    ----------
    project_dir : path-like
        Folder holding ``_quarto.yml``.

    Returns
    -------
    Project

    Raises
    ------
    RenderError
        If ``_quarto.yml`` is missing, is not valid YAML, is not laid out as a Quarto project (mappings
        ``project``, ``website`` and ``website.navbar``, lists ``website.navbar.left`` and
        ``project.render``) or lists a document that does not exist.
    """
    root = Path(project_dir).resolve()
    config_path = root / "_quarto.yml"
    if not config_path.is_file():
        raise RenderError(f"{config_path}: no _quarto.yml, so {root} is not a Quarto project")
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = "" if mark is None else f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise RenderError(f"{config_path}: invalid YAML: {problem}{where}") from None
    config = _expect(config_path, "the file", config, dict)
    website = _expect(config_path, "website", config.get("website") or {}, dict)
    project = _expect(config_path, "project", config.get("project") or {}, dict)
    navbar = _expect(config_path, "website.navbar", website.get("navbar") or {}, dict)

    nav = tuple(_nav_items(root, _expect(config_path, "website.navbar.left", navbar.get("left") or [], list)))
    sources = (_expect(config_path, "project.render", project.get("render"), list)
               or [item.href for item in nav if item.href.endswith(".qmd")])
    documents = tuple(dict.fromkeys((root / source).resolve() for source in sources))
    missing = [str(path.relative_to(root)) for path in documents if not path.is_file()]
    if missing:
        raise RenderError(f"{config_path}: listed but missing: {', '.join(missing)}")

    options = {key: config[key] for key in ("execute", "format") if key in config}
    options.update(_resolve_paths(config, root))
    return Project(
        root=root,
        output_dir=root / project.get("output-dir", "_site"),
        title=str(website.get("title", "")),
        nav=nav,
        documents=documents,
        options=options,
    )


def _expect(config_path: Path, key: str, value: Any, kind: type) -> Any:
    """``value`` (the option ``key`` of ``_quarto.yml``; ``None`` if absent) if it is a ``kind``."""
    if value is not None and not isinstance(value, kind):
        raise RenderError(f"{config_path}: {key} must be a {'mapping' if kind is dict else 'list'}, "
                          f"got {value!r}")
    return value


def _nav_items(root: Path, entries: list[Any]) -> list[NavItem]:
    items = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"href": entry}
        if not isinstance(entry, dict) or not ({"href", "menu"} & entry.keys()):
            raise RenderError(f"{root / '_quarto.yml'}: a navbar entry must be a file name or have an "
                              f"'href' or a 'menu', got {entry!r}")
        if "menu" in entry:
            items.extend(_nav_items(root, entry["menu"]))
            continue
        href = str(entry["href"])
        text = entry.get("text")
        if text is None and href.endswith(".qmd") and (root / href).is_file():
            text = _split_front_matter((root / href).read_text(encoding="utf-8"))[0].get("title")
        items.append(NavItem(text=str(text or Path(href).stem), href=href))
    return items


def _resolve_paths(options: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """Return ``bibliography`` (as a list) and ``csl`` of ``options`` as absolute paths."""
    resolved: dict[str, Any] = {}
    if options.get("bibliography"):
        entries = options["bibliography"]
        entries = [entries] if isinstance(entries, str) else entries
        resolved["bibliography"] = [str((base / entry).resolve()) for entry in entries]
    if options.get("csl"):
        resolved["csl"] = str((base / options["csl"]).resolve())
    return resolved


# --------------------------------------------------------------------------- entry point


def render_project(
    project_dir: str | os.PathLike = "reports",
    *,
    output_dir: str | os.PathLike | None = None,
    engine: str = "auto",
    params: Mapping[str, Any] | None = None,
    progress: Callable[[Path, int, int], None] | None = None,
) -> list[Path]:
    """Render every document of a Quarto website project to HTML.

    Parameters
    ----------
    project_dir : path-like
        Folder holding ``_quarto.yml``.
    output_dir : path-like, optional
        Where the pages go; default the project's ``output-dir``.
    engine : {"auto", "quarto", "fallback"}
        ``"auto"`` uses Quarto when ``quarto`` is on ``PATH``, else the fallback.
    params : mapping, optional
        Values for the cell tagged ``parameters`` (Quarto's ``-P name:value``).
    progress : callable, optional
        Called as ``progress(document, index, total)`` before each fallback document.

    Returns
    -------
    list of pathlib.Path
        The HTML pages, in the order of the project's documents.

    Raises
    ------
    RenderError
        If a document fails; no page of the project is replaced then.
    """
    if engine not in ENGINES:
        raise RenderError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    project = load_project(project_dir)
    out = Path(output_dir).resolve() if output_dir is not None else project.output_dir
    quarto = shutil.which("quarto")
    if engine == "quarto" and quarto is None:
        raise RenderError("engine 'quarto' requested but the quarto CLI is not on PATH")
    if quarto is not None and engine != "fallback":
        return _render_with_quarto(quarto, project, out, params or {})

    reason = "the fallback was requested" if engine == "fallback" else "the Quarto CLI was not found"
    pages = {}
    for index, document in enumerate(project.documents):
        if progress is not None:
            progress(document, index, len(project.documents))
        pages[project.page_for(document, out)] = render_document(document, project, params=params, reason=reason)
    for page, html in pages.items():
        with atomic_path(page) as tmp:
            tmp.write_text(html, encoding="utf-8")
            tmp.chmod(0o644)
    return list(pages)


def _render_with_quarto(quarto: str, project: Project, out: Path, params: Mapping[str, Any]) -> list[Path]:
    command = [quarto, "render", str(project.root), "--output-dir", str(out)]
    for name, value in params.items():
        command += ["-P", f"{name}:{value if isinstance(value, str) else json.dumps(value)}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RenderError(f"quarto render {project.root} failed:\n{result.stderr[-4000:]}")
    return [project.page_for(document, out) for document in project.documents]


# --------------------------------------------------------------------------- fallback


@dataclass
class _Markdown:
    text: str  # inline expressions replaced by numbered placeholders
    expressions: list[str]
    cell: int | None = None  # notebook cell evaluating the expressions


@dataclass
class _Cell:
    source: str
    options: dict[str, Any]
    line: int  # of the opening fence in the .qmd
    cell: int | None = None  # notebook cell, None when not evaluated

    def describe(self) -> str:
        label = self.options.get("label")
        return f"cell {label!r} (line {self.line})" if label else f"cell at line {self.line}"


def render_document(
    document: str | os.PathLike,
    project: Project,
    *,
    params: Mapping[str, Any] | None = None,
    reason: str = "the fallback was requested",
) -> str:
    """Render one ``.qmd`` with the fallback (Jupyter + pandoc) and return the HTML page.

    Parameters
    ----------
    document : path-like
        The ``.qmd`` file, inside ``project.root``.
    project : Project
        Supplies the navbar, site title and document defaults.
    params : mapping, optional
        Values injected after the cell tagged ``parameters``.
    reason : str
        Why Quarto did not render the page; shown in the footer note.

    Returns
    -------
    str
        A self-contained HTML page.

    Raises
    ------
    RenderError
        Naming the document, and the cell when one raised.
    """
    document = Path(document).resolve()
    name = document.relative_to(project.root)
    front, blocks = _parse_qmd(document.read_text(encoding="utf-8"), name)
    options = _merge(project.options, {key: front[key] for key in ("execute", "format") if key in front})
    options.update(_resolve_paths(front, document.parent))
    html_format = (options.get("format") or {}).get("html") or {}

    with tempfile.TemporaryDirectory(prefix="dprep-render-") as workdir:
        work = Path(workdir)
        notebook = _build_notebook(blocks, html_format, params or {}, name, find_root(project.root))
        if any(block.cell is not None for block in blocks):  # plain Markdown needs no kernel
            _execute(notebook, document, name, _kernel_name(front), blocks, work)
        markdown = _assemble(blocks, notebook, options.get("execute") or {}, work / "media")
        metadata = _page_metadata(front, document, project, options, reason, _read(notebook))
        return _pandoc(markdown, metadata, options, html_format, document, project, work)


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _split_front_matter(text: str) -> tuple[dict[str, Any], str, int]:
    """Return the YAML front matter, the body and the body's first line number."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    return yaml.safe_load(match.group(1)) or {}, text[match.end():], match.group(0).count("\n") + 1


def _parse_qmd(text: str, name: Path) -> tuple[dict[str, Any], list[_Markdown | _Cell]]:
    """Split a ``.qmd`` into front matter, Markdown blocks and ``{python}`` cells."""
    try:
        front, body, first_line = _split_front_matter(text)
    except yaml.YAMLError as exc:
        raise RenderError(f"{name}: invalid YAML front matter: {exc}") from exc
    blocks: list[_Markdown | _Cell] = []
    markdown: list[str] = []
    expressions: list[str] = []
    lines = body.splitlines()
    fence = None  # closing marker of a plain fenced code block
    i = 0
    while i < len(lines):
        line, number = lines[i], first_line + i
        cell = _CELL_OPEN.match(line) if fence is None else None
        if cell:
            ticks, language = cell.groups()
            if language != "python":
                raise RenderError(f"{name}: line {number}: {{{language}}} cells need Quarto; the fallback runs {{python}}")
            end = next((j for j in range(i + 1, len(lines)) if re.fullmatch(rf"{ticks}`*\s*", lines[j])), None)
            if end is None:
                raise RenderError(f"{name}: line {number}: unclosed {{python}} cell")
            if markdown:
                blocks.append(_Markdown("\n".join(markdown), expressions))
                markdown, expressions = [], []
            blocks.append(_parse_cell(lines[i + 1:end], number, name))
            i = end + 1
            continue
        if fence is None and (opening := _FENCE_OPEN.match(line)):
            fence = opening.group(1)
        elif fence is not None and re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*", line):
            fence = None
        elif fence is None:
            line = _extract_inline(line, expressions)
        markdown.append(line)
        i += 1
    if markdown:
        blocks.append(_Markdown("\n".join(markdown), expressions))
    return front, blocks


def _extract_inline(line: str, expressions: list[str]) -> str:
    """Move the `` `{python} expr` `` of ``line`` into ``expressions``; leave placeholders."""

    def placeholder(match: re.Match[str]) -> str:
        expressions.append(match.group(1))
        return _PLACEHOLDER.format(len(expressions) - 1)

    return _INLINE_CODE.sub(placeholder, line)


def _parse_cell(lines: list[str], line: int, name: Path) -> _Cell:
    option_lines = []
    for text in lines:
        if not text.startswith("#|"):
            break
        option_lines.append(text[2:].removeprefix(" "))
    try:
        options = yaml.safe_load("\n".join(option_lines)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"{name}: line {line}: invalid #| cell options: {exc}") from exc
    if not isinstance(options, dict):
        raise RenderError(f"{name}: line {line}: #| cell options must be 'key: value' lines")
    return _Cell("\n".join(lines[len(option_lines):]).strip("\n"), options, line)


def _build_notebook(
    blocks: list[_Markdown | _Cell], html_format: Mapping[str, Any], params: Mapping[str, Any], name: Path,
    root: Path,
) -> Any:
    """Number the cells to run (setup, user cells, injected parameters and inline cells, and last the
    record of what they read from the repository at ``root``)."""
    import nbformat

    figure = {**_FIGURE_DEFAULTS, **{k: html_format[k] for k in _FIGURE_DEFAULTS if k in html_format}}
    rc = {"figure.figsize": (figure["fig-width"], figure["fig-height"]), "figure.dpi": figure["fig-dpi"]}
    setup = _SETUP_CELL.format(fig_format=figure["fig-format"], rc=rc, mime=_INLINE_MIME, root=str(root))
    cells = [nbformat.v4.new_code_cell(setup)]

    assignments = []
    for key, value in params.items():
        if not str(key).isidentifier():
            raise RenderError(f"{name}: parameter name {key!r} is not a Python identifier")
        assignments.append(f"{key} = {value!r}")
    tagged = any("parameters" in (b.options.get("tags") or []) for b in blocks if isinstance(b, _Cell))
    if assignments and not tagged:
        cells.append(nbformat.v4.new_code_cell("\n".join(assignments)))

    for block in blocks:
        if isinstance(block, _Markdown):
            if block.expressions:
                block.cell = len(cells)
                cells.append(nbformat.v4.new_code_cell(f"_dprep_inline({block.expressions!r})"))
        elif block.options.get("eval", True):
            block.cell = len(cells)
            cells.append(nbformat.v4.new_code_cell(block.source))
            if assignments and "parameters" in (block.options.get("tags") or []):
                cells.append(nbformat.v4.new_code_cell("\n".join(assignments)))
    cells.append(nbformat.v4.new_code_cell(
        f"display({{{_READ_MIME!r}: _dprep_tracking.record()}}, raw=True)"))
    return nbformat.v4.new_notebook(cells=cells)


def _read(notebook: Any) -> dict[str, list[str]]:
    """What the page's cells read (the last cell's record); nothing when no kernel ran."""
    for output in notebook.cells[-1].get("outputs", []):
        if _READ_MIME in output.get("data", {}):
            return output["data"][_READ_MIME]
    return {"files": [], "params": []}


def _kernel_name(front: Mapping[str, Any]) -> str:
    """The Jupyter kernel of the front matter's ``jupyter`` (a name or a kernelspec), default python3."""
    jupyter = front.get("jupyter", "python3")
    return str(jupyter["kernelspec"]["name"] if isinstance(jupyter, Mapping) else jupyter)


def _execute(
    notebook: Any, document: Path, name: Path, kernel: str, blocks: list[_Markdown | _Cell], work: Path
) -> None:
    """Run the notebook in ``document``'s folder; raise :class:`RenderError` on any failure."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    manager = KernelManager(kernel_name=kernel, transport="ipc", ip=str(work / "kernel"))
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=CELL_TIMEOUT,
        allow_errors=False,
        resources={"metadata": {"path": str(document.parent)}},
    )
    env = {**os.environ, "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        failed = next((i for i, cell in enumerate(notebook.cells) if _has_error(cell)), None)
        where = _describe_cell(blocks, failed)
        traceback = _ANSI.sub("", "\n".join(exc.traceback.splitlines()[-15:])) if exc.traceback else ""
        raise RenderError(f"{name}: {where} raised {exc.ename}: {exc.evalue}\n{traceback}") from None
    except Exception as exc:  # kernel missing or dead, timeout: all stop the document
        raise RenderError(f"{name}: execution failed: {type(exc).__name__}: {exc}") from exc
    finally:
        if manager.has_kernel:  # a kernel manager passed in is not shut down by nbclient
            manager.shutdown_kernel(now=True)


def _has_error(cell: Any) -> bool:
    return any(output.get("output_type") == "error" for output in cell.get("outputs", []))


def _describe_cell(blocks: list[_Markdown | _Cell], index: int | None) -> str:
    for block in blocks:
        if block.cell is not None and block.cell == index:
            if isinstance(block, _Cell):
                return block.describe()
            return f"inline expression in {block.expressions!r}"
    return "setup or parameters cell"


# --------------------------------------------------------------------------- Markdown


def _assemble(blocks: list[_Markdown | _Cell], notebook: Any, execute: Mapping[str, Any], media: Path) -> str:
    """Turn the blocks and their outputs into one pandoc Markdown body."""
    media.mkdir(parents=True, exist_ok=True)
    parts = []
    for block in blocks:
        if isinstance(block, _Markdown):
            parts.append(_fill_inline(block, notebook))
            continue
        options = {**execute, **block.options}
        if options.get("include", True) is False:
            continue
        outputs = notebook.cells[block.cell].outputs if block.cell is not None else []
        parts.append(_cell_markdown(block, options, outputs, media))
    return "\n\n".join(part for part in parts if part.strip()) + "\n"


def _fill_inline(block: _Markdown, notebook: Any) -> str:
    if not block.expressions:
        return block.text
    (values,) = [o["data"][_INLINE_MIME] for o in notebook.cells[block.cell].outputs if _INLINE_MIME in o.get("data", {})]
    text = block.text
    for index, value in enumerate(values):
        filled = value["text"] if value["markdown"] else escape(value["text"])
        text = text.replace(_PLACEHOLDER.format(index), filled)
    return text


def _cell_markdown(cell: _Cell, options: Mapping[str, Any], outputs: list[Any], media: Path) -> str:
    label = str(options.get("label", ""))
    caption = options.get("fig-cap" if label.startswith("fig-") else "tbl-cap") or ""
    alt = str(options.get("fig-alt") or options.get("fig-cap") or "")
    parts = []
    if options.get("echo", True):
        parts.append(_fenced(cell.source, "{.python .cell-code}"))
    body = []
    if options.get("output", True) is not False:
        stem = re.sub(r"[^\w-]", "-", label) or f"cell-{cell.line}"
        for index, output in enumerate(_merge_streams(outputs, stderr=options.get("warning", True) is not False)):
            body.append(_output_markdown(output, options, alt, media / f"{stem}-{index}"))
    body = [part for part in body if part]
    if label.startswith(("fig-", "tbl-")):
        body = [f"::: {{#{label} .dprep-float}}", *body, "::: {.dprep-caption}", str(caption), ":::", ":::"]
    parts.extend(body)
    return "\n\n".join([":::: {.cell}", *parts, "::::"]) if parts else ""


def _merge_streams(outputs: list[Any], *, stderr: bool = True) -> list[dict[str, Any]]:
    """Adjacent stream outputs of one name as one output, as Jupyter front ends show them; stderr
    left out first when it is not shown (``stderr=False``: the cell's ``warning: false``).

    The kernel sends a cell's stdout and stderr in as many messages as it happened to flush (every
    0.2 s, and when a buffer fills), so without this a page's paragraph breaks would depend on
    timing: the outputs are joined with blank lines, which end a Markdown paragraph (and a hidden
    warning between two prints would still split one).
    """
    merged: list[dict[str, Any]] = []
    for output in outputs:
        if not stderr and output.get("output_type") == "stream" and output.get("name") == "stderr":
            continue
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream" and previous.get("name") == output.get("name")):
            merged[-1] = {**previous, "text": previous["text"] + output["text"]}
        else:
            merged.append(dict(output))
    return merged


def _output_markdown(output: Mapping[str, Any], options: Mapping[str, Any], alt: str, stem: Path) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        text = _ANSI.sub("", output["text"])
        if output.get("name") == "stderr":
            return _fenced(text, "{.cell-output .cell-output-stderr}")
        return text if options.get("output") == "asis" else _fenced(text, "{.cell-output .cell-output-stdout}")
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data", {})
    mime = next((m for m in _OUTPUT_MIMES if m in data), None)
    if mime is None:
        return ""
    content = data[mime]
    if mime == "text/markdown":
        return content
    if mime == "text/html":
        return _fenced(content, "{=html}")
    if mime == "text/plain":
        return _fenced(_ANSI.sub("", content), "{.cell-output .cell-output-display}")
    path = stem.with_suffix(_IMAGE_SUFFIX[mime])
    if mime == "image/svg+xml":
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(base64.b64decode(content))
    attributes = [f'alt="{escape(alt)}"']
    width = (output.get("metadata", {}).get(mime) or {}).get("width")
    if width:
        attributes.append(f"width={int(width)}")
    return f"![]({path.as_posix()}){{{' '.join(attributes)}}}"


def _fenced(text: str, info: str) -> str:
    """Fence ``text`` as a code or raw block, with a fence longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip(chr(10))}\n{ticks}"


# --------------------------------------------------------------------------- pandoc


def _page_metadata(
    front: Mapping[str, Any], document: Path, project: Project, options: Mapping[str, Any], reason: str,
    read: Mapping[str, list[str]],
) -> dict[str, Any]:
    import pypandoc

    metadata: dict[str, Any] = {}
    if options.get("bibliography"):
        metadata.update({"link-citations": True, "reference-section-title": "References"})
    metadata.update({key: value for key, value in front.items() if key not in _QUARTO_ONLY_KEYS})
    title = str(front.get("title") or document.stem)
    metadata["pagetitle"] = title if title == project.title or not project.title else f"{title} – {project.title}"
    authors = front.get("author") or []
    authors = authors if isinstance(authors, list) else [authors]
    if authors:
        metadata["author"] = [a.get("name", "") if isinstance(a, Mapping) else str(a) for a in authors]
    if "date" in front:
        metadata["date"] = _date(front["date"], document)
    page_dir = project.page_for(document).parent
    metadata["site-title"] = project.title
    metadata["site-home"] = os.path.relpath(project.output_dir / "index.html", page_dir)
    metadata["site-nav"] = [
        {
            "text": item.text,
            "href": os.path.relpath(project.page_for(project.root / item.href), page_dir)
            if item.href.endswith(".qmd")
            else item.href,
            "active": (project.root / item.href).resolve() == document,
        }
        for item in project.nav
    ]
    metadata["fallback-note"] = (
        f"Rendered by dprep's fallback renderer (Jupyter + pandoc {pypandoc.get_pandoc_version()}), "
        f"not Quarto: {reason}."
    )
    if "provenance" not in front:  # the page's own front matter wins
        metadata["provenance"] = provenance_markdown(document, project.root, read=read)
    return metadata


def _date(value: Any, document: Path) -> str:
    """A front-matter date; ``today`` is the date of the commit (today only outside git)."""
    if value == "today":
        return commit_date(find_root(document.parent)) or dt.date.today().isoformat()
    if value == "last-modified":
        return dt.date.fromtimestamp(document.stat().st_mtime).isoformat()
    return str(value)


def _pandoc(
    markdown: str,
    metadata: Mapping[str, Any],
    options: Mapping[str, Any],
    html_format: Mapping[str, Any],
    document: Path,
    project: Project,
    work: Path,
) -> str:
    import pypandoc

    source, metadata_file, output = work / "page.md", work / "metadata.yml", work / "page.html"
    source.write_text(markdown, encoding="utf-8")
    metadata_file.write_text(yaml.safe_dump(dict(metadata), allow_unicode=True), encoding="utf-8")
    command = [
        pypandoc.get_pandoc_path(),
        str(source),
        "--from=markdown-implicit_figures",
        "--to=html5",
        "--standalone",
        "--embed-resources",
        "--mathml",
        f"--template={_ASSETS / 'page.html'}",
        f"--metadata-file={metadata_file}",
        f"--resource-path={document.parent}{os.pathsep}{project.root}",
        f"--css={_ASSETS / 'base.css'}",
        f"--lua-filter={_ASSETS / 'quarto.lua'}",  # before --citeproc: @fig-x is not a citation
        f"--output={output}",
    ]
    css = html_format.get("css") or []
    for sheet in [css] if isinstance(css, str) else css:
        command.append(f"--css={(project.root / sheet).resolve()}")
    if html_format.get("toc"):
        command += ["--toc", f"--toc-depth={html_format.get('toc-depth', 3)}"]
    if html_format.get("number-sections"):
        command.append("--number-sections")
    for bibliography in options.get("bibliography") or []:
        command.append(f"--bibliography={bibliography}")
    if options.get("csl"):
        command.append(f"--csl={options['csl']}")
    if options.get("bibliography"):
        command += ["--citeproc", f"--lua-filter={_ASSETS / 'references.lua'}"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=document.parent, check=False)
    name = document.relative_to(project.root)
    if result.returncode != 0:
        raise RenderError(f"{name}: pandoc failed:\n{result.stderr.strip()}")
    missing = re.findall(r"Citeproc: citation (\S+) not found", result.stderr)
    if missing:
        raise RenderError(f"{name}: citations not in the bibliography: {', '.join(sorted(set(missing)))}")
    return output.read_text(encoding="utf-8")
