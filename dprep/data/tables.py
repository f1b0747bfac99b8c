"""Views of the evidence tables that several stages and reports share.

The functions here only select and reshape *reported* values; nothing is computed from
them, so every row keeps its ``source``, ``locator`` and ``tier``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dprep.stats.audit import validate_group_summaries, validate_reported_tests

#: The rows of ``meta_summaries.csv`` that report a pooled music result, in the order a
#: reader meets them: the 2014 article, its 2018 corrigendum (which supersedes it), the
#: reanalysis by Ericsson & Harwell (2019) with stricter inclusion criteria, and the
#: independent music meta-analysis of Platz et al. (2014).
PUBLISHED_MUSIC_ROWS: tuple[tuple[str, str], ...] = (
    ("MHO2014", "music"),
    ("MHO2018C", "music"),
    ("EH2019", "music"),
    ("EH2019", "pooled"),
    ("PLATZ2014", "task-relevant practice vs musical achievement (corrected r)"),
    ("HAM2014", "music (corrected for measurement error)"),
)

_STATUS = {
    "MHO2014": "superseded by the 2018 corrigendum",
    "MHO2018C": "current (supersedes 2014)",
    "EH2019": "reanalysis, stricter inclusion criteria (subset of studies)",
    "PLATZ2014": "independent meta-analysis; corrected for attenuation",
    "HAM2014": "corrected for measurement error",
}


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


def published_music_comparison(meta_summaries: pd.DataFrame) -> pd.DataFrame:
    """Published pooled practice–performance correlations for music, side by side.

    Parameters
    ----------
    meta_summaries : DataFrame
        The ``meta_summaries`` table (one row per reported pooled or moderator result).

    Returns
    -------
    DataFrame
        One row per published result with ``source_id, source, subset, k, r_mean,
        r_ci_low, r_ci_high, pct_variance_reported, status, citation, locator, tier``.
        ``pct_variance_reported`` is the percentage of variance as the source printed it
        (r² × 100 rounded by the authors), never recomputed here.
    """
    keys = pd.DataFrame(PUBLISHED_MUSIC_ROWS, columns=["source_id", "subset"])
    keys["order"] = range(len(keys))
    rows = meta_summaries.merge(keys, on=["source_id", "subset"], how="inner")
    rows = rows.sort_values("order").drop(columns="order")
    rows["status"] = rows["source_id"].map(_STATUS)
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
        See :func:`validate_reported_tests`.

    References
    ----------
    Layout: ``/work/shared/evidence/reported_tests.csv`` of this project.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return validate_reported_tests(frame, str(path))


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
        See :func:`validate_group_summaries`.

    References
    ----------
    Layout: ``/work/shared/evidence/group_summaries.csv`` of this project.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return validate_group_summaries(frame, str(path))
