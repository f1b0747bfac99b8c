"""Atomic, reproducible output: a stage that fails, or is killed, leaves the previous results in place,
and one that succeeds twice on the same inputs writes the same bytes.

Every file the pipeline writes goes through these helpers. A file is written to a temporary file in
the destination folder and moved over the target with :func:`os.replace`, which is atomic on POSIX
file systems. A folder is built aside and swapped in by two renames, the old folder kept as a
backup until the new one is in place (:func:`atomic_dir`). Temporary files and folders are named
``.<target>.<pid>-<random>.<tmp|old|del>`` after the target and the process that made them, so the
next call for the same target can tell a leftover of a killed process from one in use: it restores
a backup whose target is missing and deletes the rest. Files and folders get the modes a plain
``open()`` / ``mkdir()`` would give under the current umask (e.g. 0644 and 0755 under umask 022).

JSON is written with sorted keys; figures without the date, software stamp or random ids that image
formats embed; CSV text cells that a spreadsheet would run as a formula are neutralised
(:func:`write_csv`). Wall-clock timings, which differ on every run, go only to
:func:`write_timing`'s log, never into a cached output or a page.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Iterator

import matplotlib
import numpy as np
import pandas as pd

TIMING_LOGS = Path("logs")
"""Folder of the stages' timing logs (gitignored; not a DVC output)."""
_FIGURE_METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                    "pdf": {"CreationDate": None, "Creator": None, "Producer": None}}
"""Per format, the metadata matplotlib would stamp with the date or its version; None drops it."""
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A decimal number, which a spreadsheet reads as that number: left as it is."""
_IN_USE: set[Path] = set()
"""Temporary files and folders this process is using (the others with its pid are leftovers)."""


def _aside(path: Path, kind: str) -> Path:
    """A free name ``.<name>.<pid>-<random>.<kind>`` beside ``path``, marked in use by this process."""
    while True:
        candidate = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.{kind}"
        if not os.path.lexists(candidate):
            _IN_USE.add(candidate)
            return candidate


def _alive(pid: int, path: Path) -> bool:
    """Whether the process that named ``path`` may still be using it."""
    if pid == os.getpid():
        return path in _IN_USE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    return True


def _remove(path: Path) -> None:
    """Delete a file or folder, best effort: what is left is a leftover the next call deletes."""
    _IN_USE.discard(path)
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif os.path.lexists(path):
            path.unlink()
    except OSError:
        pass


def _recover(path: Path) -> None:
    """Put back or delete what a killed process left beside ``path``.

    A backup (``.old``) is always a complete earlier ``path``, moved aside whole by one rename: if
    ``path`` is missing, the latest one is renamed back before anything else. Every other leftover
    (an unfinished ``.tmp``, a ``.del`` being deleted, further backups) of a process that is no
    longer running is deleted.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)-[0-9a-f]+\.(tmp|old|del)")
    stale = [(p, m[2]) for p in path.parent.iterdir()
             if (m := pattern.fullmatch(p.name)) and not _alive(int(m[1]), p)]
    backups = [p for p, kind in stale if kind == "old"]
    if backups and not os.path.lexists(path):
        try:
            latest = max(backups, key=lambda p: p.lstat().st_ctime_ns)
            os.replace(latest, path)
        except OSError:
            if os.path.lexists(path) or not any(os.path.lexists(p) for p in backups):
                return  # another process recovering the same leftovers was first: it finishes the job
            raise
        stale = [(p, kind) for p, kind in stale if p != latest]
    for leftover, kind in stale:
        if kind == "old":
            _delete_backup(path, leftover)
        else:
            _remove(leftover)


def _delete_backup(path: Path, backup: Path) -> None:
    """Delete a backup of ``path``, renaming it to a ``.del`` name first so that a backup is always
    complete (if the rename fails, the backup stays whole until the next call)."""
    trash = _aside(path, "del")
    with suppress(OSError):
        os.replace(backup, trash)
    _remove(trash)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it over ``path`` only on success.

    The temporary file is created empty with the mode ``open()`` gives under the current umask;
    :func:`os.replace` then puts it over ``path`` in one step, so ``path`` holds either the old or
    the new complete file at every instant. Leftovers of a killed process writing the same target
    are deleted first.

    Parameters
    ----------
    path : path-like
        Final destination. Its parent folder is created if missing.

    Yields
    ------
    pathlib.Path
        Temporary file to write to. It is removed if the block raises.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _recover(path)
    tmp = _aside(path, "tmp")
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        yield tmp
        os.replace(tmp, path)
    finally:
        _remove(tmp)


@contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary folder; swap it in for ``path`` only on success.

    The pipeline's stages write each output folder through this, and ``dvc.yaml`` marks
    the folder ``persist: true`` so DVC does not delete it first: a stage that fails
    leaves the previous results intact, and one that succeeds leaves no stale files.

    The swap: the new folder is complete before ``path`` is touched; ``path`` is renamed to a
    backup, the new folder renamed to ``path``, and, should that rename fail (or be interrupted
    by ``KeyboardInterrupt``/``SystemExit``), the backup renamed back. The backup is deleted only
    once the new folder is in place. A process killed between the two renames leaves ``path``
    missing and the complete old folder as backup; the next call for ``path`` renames it back
    before anything else, then deletes every leftover (unfinished folders, backups) of processes
    that no longer run.

    Parameters
    ----------
    path : path-like
        Final folder. Its parent is created if missing.

    Yields
    ------
    pathlib.Path
        Empty temporary folder beside ``path`` (mode as ``mkdir()`` gives under the current
        umask); removed if the block raises.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _recover(path)
    tmp = _aside(path, "tmp")
    try:
        tmp.mkdir()
        yield tmp
        if not os.path.lexists(path):
            os.replace(tmp, path)
            return
        backup = _aside(path, "old")
        try:
            os.replace(path, backup)
            try:
                os.replace(tmp, path)
            except BaseException:
                os.replace(backup, path)
                raise
        finally:
            _IN_USE.discard(backup)  # from here on, a backup left beside path is a leftover
        _delete_backup(path, backup)
    finally:
        _remove(tmp)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (pd.Timestamp,)):
        return obj.isoformat()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays and NaN into plain JSON values (NaN and ±inf become None)."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if np.isfinite(value) else None
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    return obj


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented JSON with sorted keys, atomically (NaN written as ``null``)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(to_jsonable(obj), indent=2, sort_keys=True, default=_json_default) + "\n")


def write_timing(stage: str, timings: Any, folder: str | os.PathLike = TIMING_LOGS) -> Path:
    """Write a stage's wall-clock timings to ``<folder>/<stage>.timing.json``.

    The log is gitignored and no DVC output: timings differ on every run, so they would make
    the stage's outputs, ``dvc.lock`` and every page that showed them differ too.

    Parameters
    ----------
    stage : str
        The DVC stage's name.
    timings : JSON-able
        Seconds (and rates such as ESS per second) by fit or step.
    folder : path-like
        Default ``logs/`` in the working directory (the repository root under ``dvc repro``).

    Returns
    -------
    pathlib.Path
        The log written.
    """
    path = Path(folder) / f"{stage}.timing.json"
    write_json(path, timings)
    return path


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell a spreadsheet would run as a formula prefixed by ``'``, header included.

    The OWASP rule against CSV injection: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a leading single quote (``=HYPERLINK(...)`` → ``'=HYPERLINK(...)``), so
    Excel, LibreOffice and Google Sheets show it as text. A cell that is a plain decimal number
    (``-0.93``, ``+1``, ``-1e-5``) is left as it is, and so is every numeric, boolean or date column.

    Parameters
    ----------
    frame : DataFrame
        Any table.

    Returns
    -------
    DataFrame
        A copy; ``frame`` is not changed.

    References
    ----------
    OWASP, *CSV Injection*, https://owasp.org/www-community/attacks/CSV_Injection
    """
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column)):
            out.isetitem(i, column.map(_neutralise, na_action="ignore"))
    out.columns = [_neutralise(name) for name in out.columns]
    return out


def _neutralise(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def write_csv(path: str | os.PathLike, frame: pd.DataFrame, *, neutralise: bool = True) -> None:
    """Write a DataFrame as CSV (no index), atomically, with no cell a spreadsheet would run.

    Text cells (column names included) that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return and are not plain numbers get a leading ``'`` (:func:`neutralise_formulas`, the OWASP
    CSV-injection rule), so a label such as ``=HYPERLINK(...)`` read from the data reaches a
    spreadsheet as text; numbers (``-0.93``, ``+1``) and numeric columns are never altered. Whoever
    reads such a cell back sees the quote.

    Parameters
    ----------
    path : path-like
        Destination CSV file.
    frame : DataFrame
        The table.
    neutralise : bool, default True
        False writes every cell as it is: only for files that are data for dprep to read back
        exactly (a diary folder, :func:`dprep.data.diaries.write_diaries`), not for results.
    """
    with atomic_path(path) as tmp:
        (neutralise_formulas(frame) if neutralise else frame).to_csv(tmp, index=False)


def save_figure(path: str | os.PathLike, fig: Any, **kwargs: Any) -> None:
    """Save a matplotlib figure atomically and reproducibly (format from the suffix of ``path``).

    PNG, SVG and PDF are written without the creation date, the matplotlib version and (SVG)
    random element ids, so the same figure gives the same bytes on every run.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    metadata = {**_FIGURE_METADATA.get(fmt, {}), **kwargs.pop("metadata", {})}
    with atomic_path(path) as tmp, matplotlib.rc_context({"svg.hashsalt": "dprep"}):
        fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata=metadata or None, **kwargs)
