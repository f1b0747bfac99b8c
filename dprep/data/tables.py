"""Views of the evidence tables that several stages and reports share.

The functions here only select and reshape *reported* values; nothing is computed from
them, so every row keeps its ``source``, ``locator`` and ``tier``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
