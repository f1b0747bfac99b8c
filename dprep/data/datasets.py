"""The data sets the pipeline analyses, as configured in ``params.yaml`` (``datasets:``).

Two lists: ``diaries`` (participant-level data, analysed by the ``diaries`` stage) and
``effect_tables`` (study-level effect sizes, meta-analysed by the ``meta`` stage). The defaults are
the bundled reconstruction of the studies marked ``reconstruct: true`` in ``data/studies.yaml`` and
the 16 music correlations; anything else is added by the user (``data/user/README.md``).

What the data are is part of every entry and of every output made from it: ``kind`` is ``real``
(observed data), ``example`` (invented for the documentation) or, for the reconstruction,
``reconstructed`` (synthetic). A diary data set whose participants are marked ``synthetic`` is
labelled synthetic whatever its ``kind`` says, so real data are never labelled synthetic and
synthetic data never real.

Every problem raises :class:`~dprep.core.errors.DataError` naming ``params.yaml`` and the key, e.g.
``params.yaml: datasets.diaries[1].study: no study 'X' in data/examples/study.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dprep.core.errors import DataError
from dprep.data.paths import inside

#: What the data of an entry are → the label written beside every result made from them.
LABELS = {
    "real": "real data",
    "example": "example (invented for the documentation)",
    "reconstructed": "reconstructed (synthetic)",
}
#: Label of a data set any of whose participants is marked ``synthetic``.
SYNTHETIC_LABEL = "synthetic (participants marked synthetic)"

#: Effect-size measures of an effect table and the columns each needs (metafor's ``escalc`` names).
MEASURES = {"ZCOR": ("r", "n"), "GEN": ("yi", "vi")}

#: Folders a configured file must lie in (``..`` and symbolic links resolved), so that the stages depend on it
#: (dvc.yaml) and nothing outside the project is read.
DATA_FOLDERS = ("data/user", "data/examples", "data/processed/validated")

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_DIARY_KEYS = {"name", "kind", "path", "mapping", "study", "study_file", "reconstruct"}
_TABLE_KEYS = {"name", "kind", "path", "sheet", "measure", "columns", "moderators", "cluster", "blinding",
               "title", "main"}


@dataclass(frozen=True)
class DiarySet:
    """A configured participant-level data set.

    ``reconstruct`` marks the bundled reconstruction (no ``path``); otherwise ``path`` is a diary
    folder or, with ``mapping``, a folder in another layout, and ``study`` names its entry (groups in
    rank order, planned contrasts, target age) in ``study_file``.
    """

    name: str
    kind: str
    reconstruct: bool = False
    path: Path | None = None
    mapping: Path | None = None
    study: str | None = None
    study_file: Path = Path("data/studies.yaml")

    @property
    def label(self) -> str:
        """What the data are (before looking at the participants' ``synthetic`` flags)."""
        return LABELS[self.kind]


@dataclass(frozen=True)
class EffectTableSpec:
    """A configured effect table: where it is, which columns hold what, and what the data are.

    ``columns`` maps each role (``label`` and the columns of the ``measure``: ``r, n`` for ZCOR, ``yi, vi``
    for GEN) to a column of the file; ``moderators``, ``cluster`` and ``blinding`` name columns too. The
    ``main`` table is the one the other pages discuss; its outputs stay at ``data/processed/meta/``.
    """

    name: str
    kind: str
    path: Path
    measure: str
    columns: Mapping[str, str]
    title: str
    sheet: str | int | None = None
    moderators: tuple[str, ...] = ()
    cluster: str | None = None
    blinding: str | None = None
    main: bool = False

    @property
    def label(self) -> str:
        """What the data are."""
        return LABELS[self.kind]


@dataclass(frozen=True)
class Datasets:
    """The configured data sets."""

    diaries: tuple[DiarySet, ...] = ()
    effect_tables: tuple[EffectTableSpec, ...] = field(default_factory=tuple)

    @property
    def main_table(self) -> EffectTableSpec:
        """The effect table whose outputs the other pages read."""
        return next(t for t in self.effect_tables if t.main)


def _fail(where: str, message: str) -> DataError:
    return DataError(f"params.yaml: {where}: {message}")


def _entry(raw: Any, where: str, keys: set[str], kinds: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail(where, "expected a mapping")
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(keys))}")
    if not isinstance(raw.get("name"), str) or not _NAME.fullmatch(raw["name"]):
        raise _fail(f"{where}.name", "a name of letters, digits, '_' or '-' is required (it names the outputs)")
    if raw.get("kind") not in kinds:
        raise _fail(f"{where}.kind", f"one of {', '.join(kinds)} is required (what the data are)")
    return raw


def _file(root: Path, raw: Any, where: str, *, folder: bool = False) -> Path:
    if not isinstance(raw, str) or not raw:
        raise _fail(where, "a path is required")
    path = Path(raw)
    if path.is_absolute() or not inside(root / path, *(root / d for d in DATA_FOLDERS)):
        raise _fail(where, f"{raw!r} must lie in one of {', '.join(DATA_FOLDERS)} (so the stages depend on it)")
    if not ((root / path).is_dir() if folder else (root / path).is_file()):
        raise _fail(where, f"no such {'folder' if folder else 'file'} {raw!r}")
    return path


def _diary(root: Path, raw: Any, where: str) -> DiarySet:
    if isinstance(raw, Mapping) and raw.get("reconstruct") is True:
        entry = _entry(raw, where, {"name", "kind", "reconstruct"}, ("reconstructed",))
        return DiarySet(name=entry["name"], kind="reconstructed", reconstruct=True)
    entry = _entry(raw, where, _DIARY_KEYS - {"reconstruct"}, ("real", "example"))
    study_file = (_file(root, entry["study_file"], f"{where}.study_file") if "study_file" in entry
                  else Path("data/studies.yaml"))
    if not isinstance(entry.get("study"), str):
        raise _fail(f"{where}.study", f"the data set's study id in {study_file} is required "
                                      "(its groups in rank order, planned contrasts and target age)")
    mapping = None if entry.get("mapping") is None else _file(root, entry["mapping"], f"{where}.mapping")
    return DiarySet(name=entry["name"], kind=entry["kind"], path=_file(root, entry.get("path"), f"{where}.path",
                                                                         folder=True),
                    mapping=mapping, study=entry["study"], study_file=study_file)


def _table(root: Path, raw: Any, where: str) -> EffectTableSpec:
    entry = _entry(raw, where, _TABLE_KEYS, ("real", "example"))
    measure = entry.get("measure")
    if measure not in MEASURES:
        raise _fail(f"{where}.measure", f"one of {', '.join(MEASURES)} is required")
    columns = entry.get("columns")
    needed = ("label", *MEASURES[measure])
    if not isinstance(columns, Mapping) or any(not isinstance(columns.get(k), str) for k in needed):
        raise _fail(f"{where}.columns", f"a mapping of {', '.join(needed)} to columns of the file is required")
    unknown = sorted(set(columns) - set(needed))
    if unknown:
        raise _fail(f"{where}.columns", f"unknown role(s) {', '.join(unknown)} for measure {measure} "
                                        f"(roles: {', '.join(needed)})")
    moderators = entry.get("moderators") or []
    if not isinstance(moderators, list) or not all(isinstance(m, str) for m in moderators):
        raise _fail(f"{where}.moderators", "a list of column names is required")
    for key in ("cluster", "blinding", "title"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise _fail(f"{where}.{key}", "a column name (text) is required" if key != "title" else "text")
    return EffectTableSpec(
        name=entry["name"], kind=entry["kind"], path=_file(root, entry.get("path"), f"{where}.path"),
        measure=measure, columns=dict(columns), title=entry.get("title") or entry["name"], sheet=entry.get("sheet"),
        moderators=tuple(moderators), cluster=entry.get("cluster"), blinding=entry.get("blinding"),
        main=bool(entry.get("main", False)))


def load_datasets(datasets: Mapping[str, Any] | None, root: str | Path = ".") -> Datasets:
    """Read and check the ``datasets:`` entry of ``params.yaml``.

    Parameters
    ----------
    datasets : mapping
        The parsed ``datasets:`` entry of ``params.yaml`` (``params["datasets"]``).
    root : path-like, default "."
        The repository root; configured paths are relative to it.

    Returns
    -------
    Datasets
        The diary data sets and effect tables, in the order configured.

    Raises
    ------
    DataError
        Naming ``params.yaml`` and the key: an unknown key or kind, a missing or misplaced file
        (configured files must lie in one of :data:`DATA_FOLDERS`), a repeated name, no study for a
        diary data set, or not exactly one ``main`` effect table.
    """
    root = Path(root)
    raw = datasets
    if not isinstance(raw, Mapping):
        raise _fail("datasets", "a mapping with 'diaries' and 'effect_tables' is required")
    unknown = sorted(set(raw) - {"diaries", "effect_tables"})
    if unknown:
        raise _fail("datasets", f"unknown key(s) {', '.join(unknown)}; allowed: diaries, effect_tables")
    out = {}
    for key, parse in (("diaries", _diary), ("effect_tables", _table)):
        entries = raw.get(key) or []
        if not isinstance(entries, list):
            raise _fail(f"datasets.{key}", "a list is required")
        out[key] = tuple(parse(root, e, f"datasets.{key}[{i}]") for i, e in enumerate(entries))
        names = [e.name for e in out[key]]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise _fail(f"datasets.{key}", f"names must be unique; repeated: {', '.join(repeated)}")
    if sum(t.main for t in out["effect_tables"]) != 1:
        raise _fail("datasets.effect_tables", "exactly one table must be `main: true` (the one the other "
                                              "pages discuss)")
    if sum(d.reconstruct for d in out["diaries"]) > 1:
        raise _fail("datasets.diaries", "the reconstruction can be configured once")
    return Datasets(**out)

