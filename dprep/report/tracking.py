"""What a page read: the repository files it opened and the parameters it looked up.

The fallback renderer (:mod:`dprep.report.render`) calls :func:`start` in the kernel before a
page's first cell and collects :func:`record` after its last, so the provenance footer lists the
inputs the page was built from, as they were read, not as a configuration file says they should
be. Files are seen through Python's audit hook on ``open`` (:pep:`578`): everything a page reads
with ``open``, ``Path.read_text``, pandas, ``json`` or ``IPython.display.Image`` is recorded;
files opened by C libraries without Python's ``open`` (HDF5, for example) are not, so pages read
the pipeline's CSV, JSON and PNG outputs. Parameters are recorded by :func:`read_params`, the
one way pages read ``params.yaml``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

_WRITE_MODES = set("wax+")
_SKIPPED_PARTS = {".git", ".venv", "__pycache__", ".ipynb_checkpoints"}
_SKIPPED_SUFFIXES = {".py", ".pyc", ".pth"}
_METADATA_SUFFIXES = (".egg-info", ".dist-info")
"""Folders of installed-package metadata (read by :mod:`importlib.metadata`, e.g. for an editable
install kept in the repository): not inputs of a page."""

_root: Path | None = None
_files: set[Path] = set()
_params: set[str] = set()
_hooked = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or _root is None:
        return
    path, mode = args[0], args[1]
    if isinstance(path, int) or path is None or (isinstance(mode, str) and _WRITE_MODES & set(mode)):
        return
    try:
        resolved = Path(os.fsdecode(path)).resolve()
    except (TypeError, ValueError, OSError):
        return
    if resolved.suffix in _SKIPPED_SUFFIXES or not resolved.is_relative_to(_root):
        return
    parts = resolved.relative_to(_root).parts
    if _SKIPPED_PARTS & set(parts) or any(part.endswith(_METADATA_SUFFIXES) for part in parts[:-1]):
        return
    _files.add(resolved)


def start(root: str | os.PathLike) -> None:
    """Record, from now on, every file under ``root`` this process opens for reading.

    Parameters
    ----------
    root : path-like
        The repository root; files outside it (the Python installation, fonts, caches), Python
        source, anything under ``.git`` or ``.venv`` and package metadata (``*.egg-info``,
        ``*.dist-info`` folders) are not recorded.

    Notes
    -----
    The audit hook, once installed, stays for the life of the process (:func:`sys.addaudithook`
    cannot be removed); :func:`start` again only moves the root and clears the record.
    """
    global _root, _hooked
    _root = Path(root).resolve()
    _files.clear()
    _params.clear()
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True


def record() -> dict[str, list[str]]:
    """The files read since :func:`start` (repository-relative, sorted) and the parameters looked up.

    Returns
    -------
    dict
        ``{"files": [...], "params": [...]}``; parameters as dotted keys (``"meta.method"``).
    """
    root = _root or Path.cwd()
    files = sorted(p.relative_to(root).as_posix() for p in _files if p.is_file())
    return {"files": files, "params": sorted(_params)}


class _Params(Mapping):
    """A read-only view of ``params.yaml`` that records each value a page looks up."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self._data, self._prefix = data, prefix

    def __getitem__(self, key: str) -> Any:
        value, name = self._data[key], f"{self._prefix}{key}"
        if isinstance(value, Mapping):
            return _Params(value, f"{name}.")
        _params.add(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"params({dict(self._data)!r})"


def read_params(path: str | os.PathLike | None = None) -> Mapping[str, Any]:
    """``params.yaml`` as a nested read-only mapping that records the keys read (for the footer).

    Parameters
    ----------
    path : path-like, optional
        Default: ``params.yaml`` at the root given to :func:`start`, else in the first folder
        above the working directory that has one.

    Returns
    -------
    Mapping
        Nested mappings; reading a value (``params["meta"]["method"]``) records ``"meta.method"``.

    Raises
    ------
    FileNotFoundError
        If there is no ``params.yaml``.
    """
    if path is None:
        here = _root or Path.cwd().resolve()
        path = next((d / "params.yaml" for d in (here, *here.parents) if (d / "params.yaml").is_file()),
                    here / "params.yaml")
    return _Params(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
