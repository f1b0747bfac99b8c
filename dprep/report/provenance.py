"""Provenance of a rendered report: what produced the numbers on the page, and how to cite it.

:func:`provenance` collects, for one document,

- the commit of the pipeline's sources and its date, and whether the working tree's sources
  differ from it. The sources (:func:`pipeline_sources`) are what ``dvc.yaml`` says the stages
  depend on (code, data, pages), ``dvc.yaml`` and ``params.yaml``: the last commit that changed
  one of them is the commit a page was built from. Not the head commit: ``dvc.lock`` and the
  metrics git tracks record the pages, so they are committed after them (``dvc repro``, then a
  commit of the records alone), and a commit of the README or the tests changes no page;
- the MD5 of every repository file the page read while it was rendered (recorded by
  :mod:`dprep.report.tracking`; hashed when the page is rendered, in the form ``md5sum`` and
  ``dvc.lock`` use);
- every parameter the page depends on: those it read itself (:func:`~dprep.report.tracking.read_params`)
  and those of every DVC stage upstream of the files it read, with their values in ``params.yaml``;
- the versions of the packages that computed and drew them (dprep's own first), and of pandoc;
- the renderer, and a citation built from ``CITATION.cff`` (title, authors, version, the year of
  the commit, the repository URL ``repository-code``, the commit).

Nothing in it depends on when or where the page is rendered, so one commit gives one page.
:func:`provenance_markdown` formats it as Markdown. The fallback renderer
(:mod:`dprep.report.render`) puts that in every page's footer unless the page's front matter sets
``provenance:`` itself. Nothing here raises for a missing repository, lock file, parameters or
citation file: the block then says what is missing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterable, Mapping
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

import yaml

from dprep.data.paths import find_root

PACKAGES = ("dprep", "numpy", "scipy", "pandas", "statsmodels", "pymc", "arviz", "matplotlib")
"""Packages whose versions are recorded."""
PLACEHOLDER_HOST = ".invalid"
"""A ``repository-code`` on this (reserved, RFC 2606) top-level domain is a placeholder."""


def _git(root: Path, *args: str) -> str | None:
    """Output of ``git args`` in ``root``, or None outside a repository or when git fails."""
    if not (root / ".git").exists():
        return None
    try:
        run = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout if run.returncode == 0 else None


def _stages(root: Path) -> dict[str, Any]:
    try:
        return yaml.safe_load((root / "dvc.yaml").read_text(encoding="utf-8"))["stages"] or {}
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return {}


def _paths(entries: Any) -> list[str]:
    return [str(next(iter(e))) if isinstance(e, Mapping) else str(e) for e in entries or []]


def _within(path: str, folder: str) -> bool:
    folder = folder.rstrip("/")
    return path == folder or path.startswith(folder + "/")


def _outs(stage: Mapping[str, Any]) -> list[str]:
    return _paths(stage.get("outs")) + _paths(stage.get("metrics")) + _paths(stage.get("plots"))


def pipeline_sources(root: str | os.PathLike) -> list[str]:
    """The files the pipeline is built from: every dependency in ``dvc.yaml`` that no stage writes,
    ``dvc.yaml`` and ``params.yaml``; the whole tree (``["."]``) without stages.

    Not among them: ``dvc.lock`` and the outputs git tracks (``cache: false``, the metrics), which
    ``dvc repro`` rewrites after the pages it records (a page cannot name a commit that records its
    own hash), and files nothing depends on (README, tests).
    """
    stages = _stages(Path(root))
    if not stages:
        return ["."]
    produced = [o for stage in stages.values() for o in _outs(stage)]
    deps = {d for stage in stages.values() for d in _paths(stage.get("deps"))
            if not any(_within(d, o) for o in produced)}
    return sorted(deps | {"dvc.yaml", "params.yaml"})


def git_commit(root: str | os.PathLike) -> dict[str, Any]:
    """The last commit that changed the pipeline's sources in ``root`` (:func:`pipeline_sources`),
    its date, and whether the working tree's sources differ from it.

    Parameters
    ----------
    root : path-like
        The repository root.

    Returns
    -------
    dict
        ``commit`` (full hash), ``short`` (7 characters), ``date`` (committer date, ISO 8601) and
        ``dirty`` (a source changed, or an untracked file among them that is not ignored); all
        ``None`` outside a git repository.
    """
    root = Path(root)
    sources = ["--", *pipeline_sources(root)]
    log = _git(root, "log", "-1", "--format=%H%n%cI", *sources)
    if not log or not log.strip():
        return {"commit": None, "short": None, "date": None, "dirty": None}
    commit, date = log.split()[:2]
    status = _git(root, "status", "--porcelain", *sources)
    return {"commit": commit, "short": commit[:7], "date": date,
            "dirty": None if status is None else bool(status.strip())}


def commit_date(root: str | os.PathLike) -> str | None:
    """``YYYY-MM-DD`` of :func:`git_commit` (what a page's ``date: today`` becomes); None outside git."""
    date = git_commit(root)["date"]
    return date[:10] if date else None


def file_md5(path: str | os.PathLike) -> str:
    """MD5 of a file's bytes (as ``md5sum`` and DVC compute it)."""
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_hashes(root: str | os.PathLike, files: Iterable[str]) -> dict[str, str]:
    """MD5 of each of ``files`` (paths relative to ``root``), hashed now, in sorted order."""
    root = Path(root)
    return {name: file_md5(root / name) for name in sorted(set(files)) if (root / name).is_file()}


def stage_params(root: str | os.PathLike, files: Iterable[str]) -> list[str]:
    """The ``params.yaml`` keys declared by the DVC stages that made ``files``, and by every stage
    upstream of them (``dvc.yaml``: a stage is upstream when one of its outputs is a dependency).

    Parameters
    ----------
    root : path-like
        The repository root.
    files : iterable of str
        Paths relative to ``root``; those no stage writes contribute nothing.

    Returns
    -------
    list of str
        Sorted keys, top-level (``"meta"``) or dotted (``"effect_size.level"``) as declared;
        empty without a readable ``dvc.yaml``.
    """
    stages = _stages(Path(root))
    outs = {name: _outs(s) for name, s in stages.items()}

    def producers(path: str) -> set[str]:
        return {name for name, paths in outs.items() if any(_within(path, o) or _within(o, path) for o in paths)}

    todo, seen = set().union(*map(producers, files)), set()
    while todo:
        name = todo.pop()
        seen.add(name)
        for dep in _paths(stages[name].get("deps")):
            todo |= producers(dep) - seen
    keys = set()
    for name in seen:
        for entry in stages[name].get("params") or []:
            if isinstance(entry, Mapping):
                keys |= {str(k) for file, ks in entry.items() if Path(file).name == "params.yaml" for k in ks or []}
            else:
                keys.add(str(entry))
    return sorted(keys)


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {k: v for key, sub in value.items() for k, v in _flatten(sub, f"{prefix}.{key}").items()}
    return {prefix: value}


def parameters(root: str | os.PathLike, keys: Iterable[str]) -> dict[str, Any]:
    """The values in ``params.yaml`` of ``keys`` (top-level or dotted), flattened to dotted leaves
    and sorted; keys that ``params.yaml`` lacks are left out."""
    try:
        params = yaml.safe_load((Path(root) / "params.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    found: dict[str, Any] = {}
    for key in keys:
        value: Any = params
        for part in key.split("."):
            if not isinstance(value, Mapping) or part not in value:
                break
            value = value[part]
        else:
            found.update(_flatten(value, key))
    return dict(sorted(found.items()))


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


def citation(root: str | os.PathLike, git: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Title, authors, version, year and repository from ``CITATION.cff``; ``None`` without one.

    The year is ``date-released`` if the file has one, else the year of the commit in ``git``
    (:func:`git_commit`), so the citation does not change with the day the page is rendered.
    """
    root = Path(root)
    try:
        cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return None
    git = git or {}
    authors = []
    for author in cff.get("authors") or []:
        if "name" in author:
            authors.append(str(author["name"]))
        else:
            authors.append(" ".join(str(author[k]) for k in ("given-names", "family-names") if k in author))
    released = cff.get("date-released") or git.get("date")
    return {"title": cff.get("title", ""), "authors": authors, "version": str(cff.get("version", "")),
            "year": str(released)[:4] if released else "n.d.",
            "repository": str(cff.get("repository-code") or cff.get("url") or root.name),
            "commit": git.get("short")}


def provenance(document: str | os.PathLike | None = None, project_dir: str | os.PathLike = "reports",
               *, renderer: str | None = None, read: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
    """Collect the provenance of ``document`` (a ``.qmd`` of the project in ``project_dir``).

    Parameters
    ----------
    document : path-like, optional
        The rendered document; recorded relative to the repository root.
    project_dir : path-like
        The report project; the repository root is found above it (:func:`find_root`).
    renderer : str, optional
        What renders the page; default the fallback renderer with the pandoc version.
    read : mapping, optional
        What the page read, as :func:`dprep.report.tracking.record` returns it: ``files``
        (repository-relative) and ``params`` (dotted keys). None: nothing was recorded.

    Returns
    -------
    dict
        Keys ``document``, ``git`` (:func:`git_commit`), ``inputs`` (file → MD5, or None when
        nothing was recorded), ``params`` (dotted key → value), ``versions``, ``renderer`` and
        ``citation`` (``None`` without ``CITATION.cff``).
    """
    root = find_root(project_dir)
    found = versions()
    git = git_commit(root)
    name = None
    if document is not None:
        path = Path(document)
        path = (path if path.is_absolute() else Path(project_dir) / path).resolve()
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    files = list((read or {}).get("files") or [])
    keys = set((read or {}).get("params") or []) | set(stage_params(root, files))
    return {
        "document": name,
        "git": git,
        "inputs": None if read is None else input_hashes(root, files),
        "params": parameters(root, keys),
        "versions": found,
        "renderer": renderer or f"dprep's fallback renderer (Jupyter + pandoc {found['pandoc']})",
        "citation": citation(root, git),
    }


def _commit_text(git: Mapping[str, Any]) -> str:
    if git["commit"] is None:
        return "outside git version control"
    state = "with uncommitted changes" if git["dirty"] else "working tree clean"
    return f"commit `{git['short']}` of {git['date'][:10]} ({state})"


def _repository_text(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    if host.endswith(PLACEHOLDER_HOST):
        return f"`{url}`, a placeholder (`repository-code` in CITATION.cff) until the repository is public"
    return url


def citation_markdown(cite: Mapping[str, Any]) -> str:
    """One-line citation: *Authors (year). Title (version x). Repository, commit y.*"""
    authors = ", ".join(cite["authors"]) or "Anonymous"
    version = f" (version {cite['version']})" if cite["version"] else ""
    commit = f", commit `{cite['commit']}`" if cite.get("commit") else ""
    return f"{authors} ({cite['year']}). *{cite['title']}*{version}. {_repository_text(cite['repository'])}{commit}."


def provenance_markdown(document: str | os.PathLike | None = None, project_dir: str | os.PathLike = "reports",
                        *, renderer: str | None = None, read: Mapping[str, Iterable[str]] | None = None,
                        info: Mapping[str, Any] | None = None) -> str:
    """The provenance of ``document`` as a Markdown block (see :func:`provenance`).

    ``info`` formats an already collected :func:`provenance` instead of collecting it.
    """
    info = info or provenance(document, project_dir, renderer=renderer, read=read)
    if info["inputs"] is None:
        inputs = "not recorded (the renderer did not track what the page read)"
    else:
        inputs = "; ".join(f"`{path}` `{md5}`" for path, md5 in info["inputs"].items()) or "none"
    params = ", ".join(f"`{key}={value}`" for key, value in info["params"].items()) or "none"
    packages = ", ".join(f"{name} {version}" for name, version in info["versions"].items())
    lines = [
        "**Provenance.** Built" + (f" from `{info['document']}`" if info["document"] else "")
        + f" at {_commit_text(info['git'])} by {info['renderer']}.",
        "",
        f"- Files read (MD5 when rendered): {inputs}",
        f"- Parameters: {params}",
        f"- Software: {packages}",
    ]
    if info["citation"]:
        lines += [f"- Repository: {_repository_text(info['citation']['repository'])}",
                  "", f"**How to cite.** {citation_markdown(info['citation'])}"]
    return "\n".join(lines) + "\n"
