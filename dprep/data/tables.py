"""Views of the evidence tables that several stages and reports share.

The functions here only select and reshape *reported* values; nothing is computed from
them, so every row keeps its ``source``, ``locator`` and ``tier``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from dprep.core.errors import DataError
from dprep.data.schema import DataValidationError
from dprep.data.sources import read_csv_text
from dprep.stats.audit import AuditInputError, validate_group_summaries, validate_reported_tests

def read_table(folder: str | Path, name: str) -> pd.DataFrame:
    """Read a validated evidence table by resource name (``folder/name.csv``).

    Parameters
    ----------
    folder : path-like
        Folder of validated CSV files (``data/processed/validated`` in the pipeline).
    name : str
        Resource name, e.g. ``"music_correlations_macnamara2014"``.

    Raises
    ------
    FileNotFoundError
        If the table is not there; the message names the path and the stage that makes it.
    """
    path = Path(folder) / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} does not exist. Run the 'validate' stage first (dvc repro validate)."
        )
    return pd.read_csv(path, dtype={"locator": "string", "p": "string"})


def published_music_comparison(meta_summaries: pd.DataFrame,
                               published: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    """Published pooled practice–performance correlations for music, side by side.

    Parameters
    ----------
    meta_summaries : DataFrame
        The ``meta_summaries`` table (one row per reported pooled or moderator result).
    published : sequence of mappings
        The ``published_meta_analyses`` of the study file (``StudyFile.published_meta_analyses``):
        ``source_id``, ``subset`` and ``status`` of each row to show, in the order a reader meets them.

    Returns
    -------
    DataFrame
        One row per listed result with ``source_id, source, subset, k, r_mean,
        r_ci_low, r_ci_high, pct_variance_reported, status, citation, locator, tier``.
        ``pct_variance_reported`` is the percentage of variance as the source printed it
        (r² × 100 rounded by the authors), never recomputed here.

    Raises
    ------
    DataError
        If a listed ``source_id``/``subset`` pair is not a row of ``meta_summaries``.
    """
    keys = pd.DataFrame([{"source_id": p["source_id"], "subset": p["subset"], "status": p["status"]}
                         for p in published])
    keys["order"] = range(len(keys))
    rows = meta_summaries.merge(keys, on=["source_id", "subset"], how="inner")
    missing = keys.loc[~keys.set_index(["source_id", "subset"]).index.isin(
        rows.set_index(["source_id", "subset"]).index)]
    if len(missing):
        raise DataError("data/studies.yaml, published_meta_analyses: no row of meta_summaries for "
                        + "; ".join(f"{r.source_id} / {r.subset}" for r in missing.itertuples()))
    rows = rows.sort_values("order").drop(columns="order")
    pct = next(c for c in ("pct_variance_reported", "pct_variance") if c in rows.columns)
    rows = rows.rename(columns={pct: "pct_variance_reported"})
    cols = ["source_id", "source", "subset", "k", "r_mean", "r_ci_low", "r_ci_high",
            "pct_variance_reported", "status", "citation", "locator", "tier"]
    return rows[cols].reset_index(drop=True)


def read_reported_tests(path: str | Path) -> pd.DataFrame:
    """Read and validate a reported-tests CSV, keeping every value as written (strings).

    Parameters
    ----------
    path : path-like
        CSV in the layout of :data:`TEST_COLUMNS`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    AuditInputError (a DataError)
        If the file cannot be read (missing, empty, not UTF-8), or see :func:`validate_reported_tests`.

    References
    ----------
    Layout: ``/work/shared/evidence/reported_tests.csv`` of this project.
    """
    return validate_reported_tests(_read_audit_table(path), str(path))


def read_group_summaries(path: str | Path) -> pd.DataFrame:
    """Read and validate a group-summaries CSV (strings kept as written).

    Parameters
    ----------
    path : path-like
        CSV with at least :data:`GROUP_COLUMNS`.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    AuditInputError (a DataError)
        If the file cannot be read (missing, empty, not UTF-8), or see :func:`validate_group_summaries`.

    References
    ----------
    Layout: ``/work/shared/evidence/group_summaries.csv`` of this project.
    """
    return validate_group_summaries(_read_audit_table(path), str(path))


def _read_audit_table(path: str | Path) -> pd.DataFrame:
    """A CSV as text cells; an unreadable file (missing, empty, not UTF-8) is an AuditInputError naming it."""
    try:
        return read_csv_text(path)
    except DataValidationError as exc:
        raise AuditInputError(str(exc)) from None
