"""The study file (``data/studies.yaml``): study ids, groups in rank order, planned contrasts, what each
reported test tests, and the original / replication pairs — read and validated.

The file is checked against a JSON Schema (``dprep/data/schemas/studies.schema.json``) and then for
consistency (contrast weights sum to 0 and name the study's groups; a test's contrast exists; a
replication pair names known studies, contrasts and tests). Every problem raises
:class:`~dprep.core.errors.DataError` naming the file and the key, e.g.
``data/studies.yaml: studies.MM2019.contrasts.best_vs_good: weights sum to 0.5, not 0``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

from dprep.core.errors import DataError

SCHEMA = Path(__file__).with_name("schemas") / "studies.schema.json"

#: What a reported test can test besides a contrast: the omnibus (all groups) comparison.
OMNIBUS = "omnibus"


@dataclass(frozen=True)
class Group:
    """One group of a study: ``id`` as in the data, a readable ``label``, a ``colour``, its ``rank`` (1 = best)."""

    id: str
    label: str
    colour: str | None
    rank: int


@dataclass(frozen=True)
class TestRole:
    """What a reported test tests: a contrast id or ``"omnibus"``, on which ``measure`` (default the
    study's); the error term of a contrast F (``"all_groups"``: the ANOVA's pooled error;
    ``"contrasted_groups"``: only the groups contrasted); ``restated``: the value is another paper's
    restatement."""

    test_id: str
    tests: str
    measure: str | None = None
    error_term: str = "contrasted_groups"
    restated: bool = False


@dataclass(frozen=True)
class Study:
    """A study of the study file (see ``data/studies.yaml`` for the meaning of each key)."""

    id: str
    title: str
    outcome_assessment: str
    groups: tuple[Group, ...]
    contrasts: Mapping[str, Mapping[str, float]]
    tests: Mapping[str, TestRole]
    citation: str = ""
    doi: str = ""
    role: str = ""
    measure: str | None = None
    target_age: int | None = None
    reconstruct: bool = False

    @property
    def group_ids(self) -> list[str]:
        """Group ids in rank order (most accomplished first)."""
        return [g.id for g in self.groups]

    @property
    def ranks(self) -> dict[str, int]:
        """Group id → rank (1 = most accomplished)."""
        return {g.id: g.rank for g in self.groups}

    @property
    def colours(self) -> dict[str, str]:
        """Group id → colour (groups without a colour are left out)."""
        return {g.id: g.colour for g in self.groups if g.colour}

    @property
    def unblinded(self) -> bool:
        """True when the outcome assessors knew the participants' group."""
        return self.outcome_assessment == "unblinded"

    def contrast(self, contrast_id: str) -> dict[str, float]:
        """The weights of a planned contrast (group id → weight)."""
        if contrast_id not in self.contrasts:
            raise DataError(f"study {self.id!r} has no contrast {contrast_id!r} "
                            f"(it has {', '.join(self.contrasts) or 'none'})")
        return dict(self.contrasts[contrast_id])


@dataclass(frozen=True)
class Side:
    """One side of a replication pair: the study and the reported test (``None``: derived, not reported)."""

    study: str
    test: str | None


@dataclass(frozen=True)
class Replication:
    """The same planned contrast in an original and a replication study."""

    contrast: str
    label: str
    original: Side
    replication: Side


@dataclass(frozen=True)
class StudyFile:
    """The validated study file."""

    path: Path
    studies: Mapping[str, Study]
    replications: tuple[Replication, ...] = ()
    published_meta_analyses: tuple[Mapping[str, str], ...] = field(default_factory=tuple)

    def __getitem__(self, study_id: str) -> Study:
        if study_id not in self.studies:
            raise DataError(f"{self.path}: no study {study_id!r} (studies: {', '.join(self.studies)})")
        return self.studies[study_id]

    @property
    def reconstructable(self) -> list[Study]:
        """The studies marked ``reconstruct: true``, in file order."""
        return [s for s in self.studies.values() if s.reconstruct]

    def group_ranks(self) -> dict[str, int]:
        """Group id → rank over every study (a label used by several studies must have one rank)."""
        out: dict[str, int] = {}
        for study in self.studies.values():
            for group in study.groups:
                out.setdefault(group.id, group.rank)
        return out


def _fail(path: Path, where: str, message: str) -> DataError:
    return DataError(f"{path}: {where}: {message}")


def _schema_errors(path: Path, data: Any) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in first.absolute_path)
        raise _fail(path, where.replace(".[", "[") or "(top level)", first.message)


def _study(path: Path, study_id: str, raw: Mapping[str, Any]) -> Study:
    groups = tuple(Group(g["id"], g["label"], g.get("colour"), rank)
                   for rank, g in enumerate(raw["groups"], start=1))
    ids = [g.id for g in groups]
    if len(set(ids)) != len(ids):
        raise _fail(path, f"studies.{study_id}.groups", "group ids must be unique")
    contrasts = {}
    for name, weights in (raw.get("contrasts") or {}).items():
        where = f"studies.{study_id}.contrasts.{name}"
        unknown = [g for g in weights if g not in ids]
        if unknown:
            raise _fail(path, where, f"unknown group(s) {', '.join(unknown)} (groups: {', '.join(ids)})")
        total = sum(float(w) for w in weights.values())
        if not math.isclose(total, 0.0, abs_tol=1e-12) or not any(w > 0 for w in weights.values()):
            raise _fail(path, where, f"weights must have a positive side and sum to 0; they sum to {total:g}")
        contrasts[name] = MappingProxyType({g: float(w) for g, w in weights.items()})
    tests = {}
    for test_id, role in (raw.get("tests") or {}).items():
        if role["tests"] != OMNIBUS and role["tests"] not in contrasts:
            raise _fail(path, f"studies.{study_id}.tests.{test_id}.tests",
                        f"{role['tests']!r} is neither 'omnibus' nor a contrast of the study")
        tests[test_id] = TestRole(test_id, role["tests"], role.get("measure", raw.get("measure")),
                                  role.get("error_term", "contrasted_groups"), bool(role.get("restated", False)))
    return Study(id=study_id, title=raw["title"], outcome_assessment=raw["outcome_assessment"], groups=groups,
                 contrasts=MappingProxyType(contrasts), tests=MappingProxyType(tests),
                 citation=raw.get("citation", ""), doi=raw.get("doi", ""), role=raw.get("role", ""),
                 measure=raw.get("measure"), target_age=raw.get("target_age"),
                 reconstruct=bool(raw.get("reconstruct", False)))


def _replication(path: Path, i: int, raw: Mapping[str, Any], studies: Mapping[str, Study]) -> Replication:
    where = f"replications[{i}]"
    sides = []
    for key in ("original", "replication"):
        side = raw[key]
        study = studies.get(side["study"])
        if study is None:
            raise _fail(path, f"{where}.{key}.study", f"no study {side['study']!r}")
        if raw["contrast"] not in study.contrasts:
            raise _fail(path, f"{where}.contrast", f"study {study.id!r} has no contrast {raw['contrast']!r}")
        if side["test"] is not None and side["test"] not in study.tests:
            raise _fail(path, f"{where}.{key}.test", f"{side['test']!r} is not among the tests of {study.id!r}")
        sides.append(Side(side["study"], side["test"]))
    if sides[0].test is None:
        raise _fail(path, f"{where}.original.test", "the original side must name a reported test")
    return Replication(raw["contrast"], raw["label"], sides[0], sides[1])


def load_studies(path: str | Path = "data/studies.yaml") -> StudyFile:
    """Read and validate the study file.

    Parameters
    ----------
    path : path-like, default "data/studies.yaml"
        The YAML study file (format documented in the file's header comment).

    Returns
    -------
    StudyFile
        Studies by id (groups in rank order, contrasts, test roles), the replication pairs and the
        published meta-analyses to compare with.

    Raises
    ------
    DataError
        If the file is missing, not YAML, breaks the schema or is inconsistent; the message names
        the file and the key.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no study file (expected the format of data/studies.yaml)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: not a readable YAML file ({str(err).splitlines()[0]})") from None
    _schema_errors(path, data)
    studies = {sid: _study(path, sid, raw) for sid, raw in data["studies"].items()}
    replications = tuple(_replication(path, i, raw, studies) for i, raw in enumerate(data.get("replications") or []))
    published = tuple(MappingProxyType(dict(row)) for row in data.get("published_meta_analyses") or [])
    return StudyFile(path=path, studies=MappingProxyType(studies), replications=replications,
                     published_meta_analyses=published)
