"""The two tables the audit reads — reported tests and group summaries — and their validation
(strings kept as written; errors name the file, row and column)."""

from __future__ import annotations

import pandas as pd

from dprep.core.errors import DataError
from dprep.stats.audit.pvalues import STATISTICS, parse_p
from dprep.stats.sumstats import parse_reported

TEST_COLUMNS = (
    "study_id", "test_id", "description", "measure", "comparison", "statistic", "value", "df1", "df2",
    "p_reported", "effect_size", "effect_value", "es_ci_low", "es_ci_high", "source", "locator",
    "tier", "quote",
)
GROUP_COLUMNS = ("study_id", "group", "n", "measure", "mean")


class AuditInputError(DataError):
    """A reported-tests or group-summaries table that cannot be audited (names file, row, column)."""


def _number_or_error(frame: pd.DataFrame, source: str, col: str, i: int, allow_empty: bool = True) -> None:
    text = str(frame.at[i, col]).strip()
    if text == "" and allow_empty:
        return
    try:
        parse_reported(text, col)
    except ValueError:
        tid = frame.at[i, "test_id"] if "test_id" in frame.columns else frame.at[i, "group"]
        raise AuditInputError(
            f"{source}: row {i + 1} (file line {i + 2}; '{tid}'), column '{col}': "
            f"{'a number is required' if text == '' else repr(text) + ' is not a number'}."
        ) from None


def validate_reported_tests(frame: pd.DataFrame, source: str = "reported tests") -> pd.DataFrame:
    """Check a reported-tests table and return it as strings (empty cells as ``""``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Table in the layout of ``reported_tests.csv`` (:data:`TEST_COLUMNS`).
    source : str, default "reported tests"
        Name of the table (file path) used in error messages.

    Returns
    -------
    pandas.DataFrame
        Copy with every cell a stripped string.

    Raises
    ------
    AuditInputError
        If the table has no rows, a required column is missing, a statistic is unknown, or a number is
        not numeric (the message names the file, row and column).

    References
    ----------
    Layout: ``/work/shared/evidence/reported_tests.csv`` of this project.
    """
    missing = [c for c in TEST_COLUMNS if c not in frame.columns]
    if missing:
        raise AuditInputError(f"{source}: missing required column(s) {', '.join(repr(c) for c in missing)}.")
    if frame.empty:
        raise AuditInputError(f"{source}: no data rows (only the header line).")
    out = frame.astype(object).where(frame.notna(), "").astype(str).apply(lambda s: s.str.strip())
    out = out.reset_index(drop=True)
    if out["test_id"].duplicated().any():
        dup = out.loc[out["test_id"].duplicated(), "test_id"].iloc[0]
        raise AuditInputError(f"{source}: column 'test_id': duplicated test_id {dup!r}.")
    for i in range(len(out)):
        stat = out.at[i, "statistic"]
        if stat and stat.lower() not in STATISTICS:
            raise AuditInputError(
                f"{source}: row {i + 1} (file line {i + 2}; '{out.at[i, 'test_id']}'), column 'statistic': "
                f"{stat!r} is not one of t, F, chi2, r, z (or empty)."
            )
        _number_or_error(out, source, "value", i, allow_empty=not stat)
        for col in ("df1", "df2", "effect_value", "es_ci_low", "es_ci_high"):
            _number_or_error(out, source, col, i)
        if out.at[i, "p_reported"]:
            try:
                parse_p(out.at[i, "p_reported"])
            except ValueError:
                raise AuditInputError(
                    f"{source}: row {i + 1} (file line {i + 2}; '{out.at[i, 'test_id']}'), column 'p_reported': "
                    f"{out.at[i, 'p_reported']!r} is not a p-value such as '0.364' or '<.05'."
                ) from None
    return out


def check_measures(tests: pd.DataFrame, groups: pd.DataFrame, source: str = "reported tests") -> None:
    """Every non-empty ``measure`` of a test whose study has group summaries must be one of that study's
    measures: the key the audit looks the group means up by (``description`` is free text, never a key).

    Parameters
    ----------
    tests, groups : pandas.DataFrame
        The validated tables (:func:`validate_reported_tests`, :func:`validate_group_summaries`).
    source : str, default "reported tests"
        Name of the tests table in error messages.

    Raises
    ------
    AuditInputError
        Naming the row, the column ``measure`` and the study's measures.
    """
    known = groups.groupby("study_id")["measure"].agg(lambda m: sorted(set(m) - {""})).to_dict()
    for i, (study, measure) in enumerate(zip(tests["study_id"], tests["measure"])):
        if measure and study in known and measure not in known[study]:
            raise AuditInputError(
                f"{source}: row {i + 1} (file line {i + 2}; '{tests.at[i, 'test_id']}'), column 'measure': "
                f"{measure!r} is not a measure of {study} in the group summaries "
                f"({', '.join(map(repr, known[study])) or 'none'})."
            )


def validate_group_summaries(frame: pd.DataFrame, source: str = "group summaries") -> pd.DataFrame:
    """Check a group-summaries table (n and mean per group) and return it as strings.

    Parameters
    ----------
    frame : pandas.DataFrame
        Table with at least :data:`GROUP_COLUMNS`; ``n`` and ``mean`` may be empty.
    source : str, default "group summaries"
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    AuditInputError
        If a column is missing, ``n`` / ``mean`` is not numeric, or ``n`` is not a whole number ≥ 1 (a
        group size: the group's mean needs a member; the audit's d = t·√(1/n1 + 1/n2) and GRIM divide by
        it). Reconstruction, which draws a sample with an SD in every group, needs n ≥ 2 and checks it.

    References
    ----------
    Layout: ``/work/shared/evidence/group_summaries.csv`` of this project.
    """
    missing = [c for c in GROUP_COLUMNS if c not in frame.columns]
    if missing:
        raise AuditInputError(f"{source}: missing required column(s) {', '.join(repr(c) for c in missing)}.")
    out = frame.astype(object).where(frame.notna(), "").astype(str).apply(lambda s: s.str.strip())
    out = out.reset_index(drop=True)
    for i in range(len(out)):
        for col in ("n", "mean"):
            _number_or_error(out, source, col, i)
        n = out.at[i, "n"]
        size = parse_reported(n, "n").value if n else 1.0  # an empty n is allowed (not reported)
        if not (size >= 1 and size.is_integer()):
            raise AuditInputError(f"{source}: row {i + 1} (file line {i + 2}; '{out.at[i, 'group']}'), column 'n': "
                                  f"a group size must be a whole number ≥ 1, got {n!r}.")
    return out
