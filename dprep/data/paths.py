"""Where the project is, and whether a path named by a configuration file stays inside it.

A file that a mapping or a configuration names is read only if it lies, after every ``..`` and
every symbolic link is resolved, inside the project (:func:`find_root`) or a folder the user gave
explicitly; anything else is refused before it is opened, so a configuration cannot make dprep
read (and echo in an error) a file such as ``../../etc/passwd``.
"""

from __future__ import annotations

import os
from pathlib import Path


def find_root(start: str | os.PathLike = ".") -> Path:
    """Return the repository root above ``start``: the first folder holding ``dvc.yaml`` or
    ``.git``; ``start`` itself when there is none.

    Parameters
    ----------
    start : path-like, default "."
        Where to start looking (resolved: symbolic links followed).

    Returns
    -------
    pathlib.Path
        The resolved root.
    """
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / "dvc.yaml").is_file() or (folder / ".git").exists():
            return folder
    return start


def inside(path: str | os.PathLike, *folders: str | os.PathLike) -> bool:
    """Whether ``path`` lies inside one of ``folders`` once ``..`` and symbolic links are resolved.

    Only the names are resolved (:meth:`pathlib.Path.resolve`); ``path`` is not opened and need not
    exist.

    Parameters
    ----------
    path : path-like
        The path to check.
    *folders : path-like
        The folders it may lie in (resolved the same way).

    Returns
    -------
    bool
    """
    resolved = Path(path).resolve()
    return any(resolved.is_relative_to(Path(folder).resolve()) for folder in folders)
