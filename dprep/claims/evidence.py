"""What the claims rules read: references to evidence rows, and the evidence itself.

A claim points at evidence with references ``table:key`` (the leading fields of the table's primary
key joined by ``/``; every row matching them is meant) or ``table`` (every row), and at one cell with
``table:key#column``. :class:`Evidence` holds the validated evidence tables (cells as written), the
consistency audit and the derived values of the ``primary`` stage, the meta-analysis summary of the
``meta`` stage and the study file; :func:`load_evidence` reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from dprep.core.errors import DataError
from dprep.data.schema import load_package
from dprep.data.studies import Study, StudyFile

__all__ = ["CLAIMS_TABLE", "ClaimInputError", "Evidence", "FAILED_AUDIT", "Ref", "load_evidence", "parse_refs"]

#: Name of the claims resource in the data package (it is not an evidence table).
CLAIMS_TABLE = "claims"
#: Audit verdicts meaning that the reported numbers do not recompute.
FAILED_AUDIT = ("inconsistent", "decision_error")


class ClaimInputError(DataError):
    """A claim cannot be evaluated: unknown rule, a reference to a missing row, or missing evidence."""


@dataclass(frozen=True)
class Ref:
    """A reference to evidence rows, ``table:key`` or ``table``, optionally to one cell: ``table:key#column``."""

    table: str
    key: tuple[str, ...] = ()
    column: str | None = None

    @property
    def rows_ref(self) -> "Ref":
        """The same reference without its column."""
        return Ref(self.table, self.key)

    def __str__(self) -> str:
        return self.table + (":" + "/".join(self.key) if self.key else "") + (f"#{self.column}" if self.column else "")


def parse_ref(text: str) -> Ref:
    """Parse one reference, e.g. ``"reported_tests:mm_three_groups#effect_value"``."""
    text, _, column = text.strip().partition("#")
    table, _, key = text.partition(":")
    return Ref(table.strip(), tuple(k.strip() for k in key.split("/")) if key else (), column.strip() or None)


def parse_refs(text: str | None) -> list[Ref]:
    """Parse ``"reported_tests:mm_best_vs_good; group_summaries:MM2019/best"`` into references.

    Parameters
    ----------
    text : str or None
        References separated by ``;``; empty or ``None`` gives no reference.

    Returns
    -------
    list of Ref
    """
    return [parse_ref(part) for part in str(text or "").split(";") if part.strip()]


@dataclass
class Evidence:
    """What the rules read: evidence tables, the consistency audit, the meta-analysis and the study file.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Evidence tables by resource name, cells as written (text, ``""`` when empty).
    keys : dict of str to list of str
        Primary-key fields of each table.
    audit : DataFrame
        The consistency audit, one row per ``test_id`` (``recomputed_p``, ``verdict``, ...).
    meta : dict
        Summary of the random-effects meta-analysis of the music correlations (``estimate_r, ci_r,
        pct_variance, k``, ...).
    derived : DataFrame, optional
        Derived values of the audit (``source_tests, quantity, value``), e.g. the η² candidates.
    alpha : float
        Significance threshold.
    group_rank : dict of str to int
        Group id → rank in its study (1 = most accomplished), from the study file.
    studies : StudyFile, optional
        The study file: study titles, group labels, contrasts, what each test tests.
    units : dict of (str, str) to str
        ``(table, column)`` → the field's ``unit`` in the data package (e.g. ``percent``).
    """

    tables: dict[str, pd.DataFrame]
    keys: dict[str, list[str]]
    audit: pd.DataFrame
    meta: Mapping[str, Any]
    derived: pd.DataFrame | None = None
    alpha: float = 0.05
    group_rank: Mapping[str, int] = field(default_factory=dict)
    studies: StudyFile | None = None
    units: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def rows(self, ref: Ref) -> pd.DataFrame:
        """Rows a reference points to (at least one), or :class:`ClaimInputError`."""
        if ref.table not in self.tables:
            raise ClaimInputError(f"reference '{ref}': there is no evidence table '{ref.table}'")
        frame, key = self.tables[ref.table], self.keys[ref.table]
        if len(ref.key) > len(key):
            raise ClaimInputError(
                f"reference '{ref}': the key has {len(ref.key)} parts but the primary key of "
                f"'{ref.table}' has {len(key)} ({', '.join(key)})")
        if ref.column is not None and ref.column not in frame:
            raise ClaimInputError(f"reference '{ref}': '{ref.table}' has no column '{ref.column}'")
        mask = pd.Series(True, index=frame.index)
        for name, value in zip(key, ref.key):
            mask &= frame[name] == value
        if not mask.any():
            raise ClaimInputError(f"reference '{ref}': no row of '{ref.table}' has "
                                  + ", ".join(f"{n} = {v!r}" for n, v in zip(key, ref.key)))
        return frame[mask]

    def row(self, ref: Ref) -> pd.Series:
        """The single row a reference points to."""
        rows = self.rows(ref)
        if len(rows) != 1:
            raise ClaimInputError(f"reference '{ref}' must name one row; it matches {len(rows)}")
        return rows.iloc[0]

    def audit_row(self, test_id: str) -> pd.Series | None:
        """The consistency-audit row of a reported test (None when the audit has none)."""
        rows = self.audit[self.audit["test_id"] == test_id]
        if len(rows) > 1:
            raise ClaimInputError(f"the audit table has {len(rows)} rows for test_id '{test_id}'; rerun 'primary'")
        return rows.iloc[0] if len(rows) else None

    def candidates(self, test_id: str) -> tuple[float, float] | None:
        """Range of the values the audit derived for a reported value it could not reproduce (η² candidates)."""
        if self.derived is None or not {"source_tests", "quantity", "value"} <= set(self.derived):
            return None
        mask = (self.derived["source_tests"].astype(str).str.contains(f'"{test_id}"', regex=False)
                & self.derived["quantity"].astype(str).str.contains("candidate"))
        values = pd.to_numeric(self.derived.loc[mask, "value"], errors="coerce").dropna()
        return (float(values.min()), float(values.max())) if len(values) else None

    def study(self, study_id: str) -> Study | None:
        """The study file's entry of a study (None without a study file or for an unknown id)."""
        return self.studies.studies.get(study_id) if self.studies is not None else None

    def unit(self, table: str, column: str) -> str:
        """The data package's unit of a field ("" when none)."""
        return self.units.get((table, column), "")


def _read_text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_evidence(
    validated: str | Path,
    audit: str | Path,
    meta_summary: str | Path,
    derived: str | Path | None = None,
    alpha: float = 0.05,
    studies: StudyFile | None = None,
) -> tuple[pd.DataFrame, Evidence]:
    """Read the claims and the evidence the rules need.

    Parameters
    ----------
    validated : path-like
        Folder of validated tables with its ``datapackage.json`` (``data/processed/validated``);
        every table is validated again against its schema on reading.
    audit : path-like
        Consistency-audit table (``data/processed/primary/audit.csv``).
    meta_summary : path-like
        Meta-analysis summary (``data/processed/meta/summary.json``).
    derived : path-like, optional
        Derived values of the audit (``data/processed/primary/derived.csv``); used if it exists.
    alpha : float, default 0.05
        Significance threshold.
    studies : StudyFile, optional
        The study file (ranks and labels of groups, study titles, contrasts).

    Returns
    -------
    claims : DataFrame
        The claims table, cells as written.
    evidence : Evidence

    Raises
    ------
    FileNotFoundError
        If an input is missing; the message names the stage that makes it.
    dprep.data.schema.DataValidationError
        If a table breaks its schema.
    ClaimInputError
        If the data package has no claims table.
    """
    validated, audit, meta_summary = Path(validated), Path(audit), Path(meta_summary)
    for path, stage in ((validated / "datapackage.json", "validate"), (audit, "primary"),
                        (meta_summary, "meta")):
        if not path.exists():
            raise FileNotFoundError(f"{path} does not exist. Run the '{stage}' stage first "
                                    f"(dvc repro {stage}).")
    descriptor = json.loads((validated / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    if CLAIMS_TABLE not in resources:
        raise ClaimInputError(f"{validated / 'datapackage.json'} has no '{CLAIMS_TABLE}' resource")
    load_package(validated)  # schema check of every table, claims included
    text = {name: _read_text(validated / res["path"]) for name, res in resources.items()}
    claims = text.pop(CLAIMS_TABLE)
    keys = {name: list(resources[name]["schema"]["primaryKey"]) for name in text}
    units = {(name, f["name"]): f.get("unit", "") for name, res in resources.items()
             for f in res["schema"]["fields"]}
    derived_path = Path(derived) if derived is not None else None
    evidence = Evidence(
        tables=text, keys=keys, audit=pd.read_csv(audit),
        meta=json.loads(meta_summary.read_text(encoding="utf-8")),
        derived=pd.read_csv(derived_path) if derived_path and derived_path.exists() else None,
        alpha=float(alpha), group_rank=studies.group_ranks() if studies is not None else {},
        studies=studies, units=units,
    )
    return claims, evidence
