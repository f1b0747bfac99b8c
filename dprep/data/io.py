"""Atomic, reproducible output: a stage that fails leaves the previous results intact, and one
that succeeds twice on the same inputs writes the same bytes.

Every file the pipeline writes goes through these helpers: the content is written to a
temporary file in the destination folder and moved over the target with :func:`os.replace`,
which is atomic on POSIX file systems. JSON is written with sorted keys; figures without the
date, software stamp or random ids that image formats embed. Wall-clock timings, which differ on
every run, go only to :func:`write_timing`'s log, never into a cached output or a page.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
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


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; move it over ``path`` only on success.

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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


@contextmanager
def atomic_dir(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary folder; swap it in for ``path`` only on success.

    The pipeline's stages write each output folder through this, and ``dvc.yaml`` marks
    the folder ``persist: true`` so DVC does not delete it first: a stage that fails
    leaves the previous results intact, and one that succeeds leaves no stale files.

    Parameters
    ----------
    path : path-like
        Final folder. Its parent is created if missing.

    Yields
    ------
    pathlib.Path
        Empty temporary folder beside ``path``; removed if the block raises.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        yield tmp
        old = None
        if path.exists():
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".old"))
            os.replace(path, old / path.name)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


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


def write_csv(path: str | os.PathLike, frame: pd.DataFrame) -> None:
    """Write a DataFrame as CSV (no index), atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


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
