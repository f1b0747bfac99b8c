"""Provenance of a rendered report: what produced the numbers on the page, and how to cite it.

:func:`provenance` collects, for one document,

- the git commit of the repository (short hash, and whether tracked files had uncommitted
  changes),
- the ``dvc.lock`` MD5 hashes of the report's data inputs (the ``report`` stage's
  dependencies that are folders under ``data/``), or ``"not yet locked"``,
- the parameters in ``params.yaml`` the numbers depend on (``seed``, ``meta``,
  ``effect_size``, ``audit``),
- the versions of the packages that computed and drew them, and of pandoc,
- the render date (UTC) and the renderer,
- a citation built from ``CITATION.cff`` (title, authors, version, year, repository, commit).

:func:`provenance_markdown` formats it as Markdown.  The fallback renderer
(:mod:`dprep.report.render`) puts that in every page's footer unless the page's front matter sets
``provenance:`` itself.  Quarto does not; a document rendered by Quarto can show the same
block from a cell::

    ```{python}
    #| output: asis
    from dprep.report.provenance import provenance_markdown
    print(provenance_markdown("replication.qmd", renderer="Quarto"))
    ```

Nothing here raises for a missing repository, lock file, parameters or citation file: the
block then says what is missing.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import yaml

PACKAGES = ("dprep", "numpy", "scipy", "pandas", "statsmodels", "pymc", "arviz", "matplotlib")
"""Packages whose versions are recorded."""
PARAM_KEYS = ("seed", "meta", "effect_size", "audit")
"""Top-level ``params.yaml`` entries recorded."""
REPORT_STAGE = "report"
NOT_LOCKED = "not yet locked"


def find_root(start: str | os.PathLike = ".") -> Path:
    """Return the repository root above ``start``: the first folder holding ``dvc.yaml`` or
    ``.git``; ``start`` itself when there is none."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / "dvc.yaml").is_file() or (folder / ".git").exists():
            return folder
    return start


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None


def git_commit(root: str | os.PathLike) -> dict[str, Any]:
    """Short commit hash of ``root``'s repository and whether tracked files differ from it.

    Returns ``{"commit": None, "dirty": None}`` outside a git repository.
    """
    root = Path(root)
    if not (root / ".git").exists():
        return {"commit": None, "dirty": None}
    head = _git(root, "rev-parse", "--short", "HEAD")
    if head is None or head.returncode != 0:
        return {"commit": None, "dirty": None}
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    dirty = None if status is None or status.returncode != 0 else bool(status.stdout.strip())
    return {"commit": head.stdout.strip(), "dirty": dirty}


def _data_dependencies(root: Path) -> list[str]:
    """The ``report`` stage's dependencies in ``dvc.yaml`` that are data folders."""
    try:
        stages = yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8")).get("stages") or {}
    except (OSError, AttributeError, yaml.YAMLError):
        return []
    deps = (stages.get(REPORT_STAGE) or {}).get("deps") or []
    names = [next(iter(dep)) if isinstance(dep, dict) else str(dep) for dep in deps]
    return [name for name in names if name.split("/")[0] == "data" and not Path(name).suffix]


def input_hashes(root: str | os.PathLike) -> dict[str, str]:
    """``dvc.lock`` MD5 of each data folder the ``report`` stage depends on.

    A folder that ``dvc.lock`` does not (yet) record maps to ``"not yet locked"``.
    """
    root = Path(root)
    locked: dict[str, str] = {}
    try:
        lock = yaml.safe_load((root / "dvc.lock").read_text(encoding="utf-8")) or {}
        for dep in ((lock.get("stages") or {}).get(REPORT_STAGE) or {}).get("deps") or []:
            if dep.get("md5"):
                locked[str(dep["path"]).rstrip("/")] = str(dep["md5"])
    except (OSError, AttributeError, yaml.YAMLError):
        pass
    return {name: locked.get(name.rstrip("/"), NOT_LOCKED) for name in _data_dependencies(root)}


def parameters(root: str | os.PathLike) -> dict[str, Any]:
    """The entries of ``params.yaml`` listed in :data:`PARAM_KEYS` (those present)."""
    try:
        params = yaml.safe_load((Path(root) / "params.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {key: params[key] for key in PARAM_KEYS if key in params}


def versions() -> dict[str, str]:
    """Installed versions of :data:`PACKAGES` and of pandoc (``"not installed"`` if absent)."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            found[name] = "not installed"
    try:
        import pypandoc

        found["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        found["pandoc"] = "not installed"
    return found


def citation(root: str | os.PathLike, commit: str | None = None) -> dict[str, Any] | None:
    """Title, authors, version, year and repository from ``CITATION.cff``; ``None`` without one."""
    root = Path(root)
    try:
        cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    authors = []
    for author in cff.get("authors") or []:
        if "name" in author:
            authors.append(str(author["name"]))
        else:
            authors.append(" ".join(str(author[k]) for k in ("given-names", "family-names") if k in author))
    released = cff.get("date-released")
    year = str(released)[:4] if released else str(dt.datetime.now(dt.timezone.utc).year)
    repository = cff.get("repository-code") or cff.get("url") or _project_name(root) or root.name
    return {"title": cff.get("title", ""), "authors": authors, "version": str(cff.get("version", "")),
            "year": year, "repository": repository, "commit": commit}


def _project_name(root: Path) -> str | None:
    try:
        import tomllib

        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    except (OSError, KeyError, ValueError):
        return None


def provenance(document: str | os.PathLike | None = None, project_dir: str | os.PathLike = "reports",
               *, renderer: str | None = None) -> dict[str, Any]:
    """Collect the provenance of ``document`` (a ``.qmd`` of the project in ``project_dir``).

    Parameters
    ----------
    document : path-like, optional
        The rendered document; recorded relative to the repository root.
    project_dir : path-like
        The report project; the repository root is found above it (:func:`find_root`).
    renderer : str, optional
        What renders the page; default the fallback renderer with the pandoc version.

    Returns
    -------
    dict
        Keys ``document``, ``git``, ``inputs``, ``params``, ``versions``, ``rendered``
        (ISO 8601, UTC), ``renderer`` and ``citation`` (``None`` without ``CITATION.cff``).
    """
    root = find_root(project_dir)
    found = versions()
    git = git_commit(root)
    name = None
    if document is not None:
        path = Path(document)
        path = path if path.is_absolute() else Path(project_dir) / path
        path = path.resolve()
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    return {
        "document": name,
        "git": git,
        "inputs": input_hashes(root),
        "params": parameters(root),
        "versions": found,
        "rendered": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "renderer": renderer or f"dprep fallback renderer (Jupyter + pandoc {found['pandoc']})",
        "citation": citation(root, git["commit"]),
    }


def _flat_params(params: dict[str, Any], prefix: str = "") -> list[str]:
    items = []
    for key, value in params.items():
        if isinstance(value, dict):
            items += _flat_params(value, f"{prefix}{key}.")
        else:
            items.append(f"{prefix}{key}={value}")
    return items


def _commit_text(git: dict[str, Any]) -> str:
    if git["commit"] is None:
        return "not under git version control"
    return f"`{git['commit']}`" + (" (with uncommitted changes)" if git["dirty"] else "")


def citation_markdown(cite: dict[str, Any]) -> str:
    """One-line citation: *Authors (year). Title (version x). Repository, commit y.*"""
    authors = ", ".join(cite["authors"]) or "Anonymous"
    version = f" (version {cite['version']})" if cite["version"] else ""
    commit = f", commit `{cite['commit']}`" if cite.get("commit") else ""
    return f"{authors} ({cite['year']}). *{cite['title']}*{version}. {cite['repository']}{commit}."


def provenance_markdown(document: str | os.PathLike | None = None, project_dir: str | os.PathLike = "reports",
                        *, renderer: str | None = None, info: dict[str, Any] | None = None) -> str:
    """The provenance of ``document`` as a Markdown block (see :func:`provenance`).

    ``info`` formats an already collected :func:`provenance` instead of collecting it.
    """
    info = info or provenance(document, project_dir, renderer=renderer)
    inputs = "; ".join(f"`{path}` {md5 if md5 == NOT_LOCKED else f'md5 `{md5}`'}"
                       for path, md5 in info["inputs"].items()) or "none recorded (no dvc.yaml report stage)"
    params = ", ".join(f"`{item}`" for item in _flat_params(info["params"])) or "none (no params.yaml)"
    packages = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    lines = [
        f"**Provenance.** Rendered {info['rendered']} by {info['renderer']}"
        + (f" from `{info['document']}`" if info["document"] else "")
        + f" at commit {_commit_text(info['git'])}.",
        "",
        f"- Data inputs (dvc.lock): {inputs}",
        f"- Parameters: {params}",
        f"- Software: {packages}",
    ]
    if info["citation"]:
        lines += ["", f"**How to cite.** {citation_markdown(info['citation'])}"]
    return "\n".join(lines) + "\n"
