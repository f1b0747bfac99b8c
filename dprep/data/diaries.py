"""Individual practice histories and diaries: the format, its validation, and what follows from it.

A diary folder holds up to five CSV tables, each described by a Frictionless Table Schema in
``dprep/diary_schema/`` (documented in ``data/diaries/README.md``). Only ``participants.csv`` is
required; a table the source does not have (no diary week, no ratings, no estimates) is *absent*
(:attr:`DiaryData.absent`), and the analyses that need it are skipped with a note:

``participants.csv``
    one row per participant: ``participant_id``, ``study_id``, ``group`` (free text: the study's
    own labels, whose rank order the study file declares), ``age_years``, ``age_started_years``,
    ``synthetic``;
``practice_history.csv``
    retrospective estimates: ``participant_id``, ``age_years`` (a year of age),
    ``activity``, ``hours_per_week``;
``diary.csv``
    one week of diary: ``participant_id``, ``day`` (1–7), ``start``, ``end`` (HH:MM; an end
    earlier than the start is on the next day), ``activity``;
``activity_ratings.csv``
    ``participant_id``, ``activity``, ``relevance``, ``effort``, ``enjoyment`` (0–10);
``activities.csv``
    the taxonomy (``code``, ``label``, ``domain``, ``teacher_designed``). Optional: when the
    folder has none, the taxonomy shipped in ``dprep/diary_schema/activities.csv`` is used.

Missing rows: a participant with no row at all in ``practice_history.csv`` (``diary.csv``)
has no estimates (no diary), and gets missing values; for a participant who has rows, an
absent (year, activity) or an activity absent from the diary means 0 hours.

References
----------
Ericsson, K. A., Krampe, R. Th., & Tesch-Römer, C. (1993). The role of deliberate practice in
the acquisition of expert performance. *Psychological Review, 100*(3), 363–406.
https://doi.org/10.1037/0033-295X.100.3.363

Macnamara, B. N., & Maitra, M. (2019). The role of deliberate practice in expert performance:
revisiting Ericsson, Krampe & Tesch-Römer (1993). *Royal Society Open Science, 6*, 190327.
https://doi.org/10.1098/rsos.190327
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from dprep.data.io import atomic_dir, write_csv
from dprep.data.paths import find_root, inside
from dprep.data.schema import CellError, DataValidationError, validate_frame, validate_resource
from dprep.data.sources import read_source

#: The folder of Table Schemas and the shipped activity taxonomy.
SCHEMA_DIR = Path(__file__).with_name("diary_schema")

#: The tables of a diary folder, in validation order.
TABLES = ("activities", "participants", "practice_history", "diary", "activity_ratings")

#: Tables a data set may lack (``activities`` falls back on the shipped taxonomy instead).
OPTIONAL = ("practice_history", "diary", "activity_ratings")

#: Weeks per year used to turn weekly estimates into accumulated hours (Ericsson et al., 1993).
WEEKS_PER_YEAR = 52

_MINUTES_PER_DAY = 24 * 60


@cache
def table_schema(name: str) -> dict[str, Any]:
    """The Frictionless Table Schema of one diary table.

    Parameters
    ----------
    name : str
        One of :data:`TABLES`.

    Returns
    -------
    dict
        The parsed ``dprep/diary_schema/<name>.json``.

    Raises
    ------
    KeyError
        If ``name`` is not a diary table.
    """
    if name not in TABLES:
        raise KeyError(f"unknown diary table {name!r}; expected one of {', '.join(TABLES)}")
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _columns(name: str) -> list[str]:
    return [field["name"] for field in table_schema(name)["fields"]]


@dataclass(frozen=True)
class DiaryData:
    """The five validated tables of a diary folder (typed by their Table Schemas).

    Attributes
    ----------
    activities, participants, practice_history, diary, activity_ratings : DataFrame
        One DataFrame per table, columns as in the Table Schemas (an absent table is empty).
    absent : tuple of str
        The tables of :data:`OPTIONAL` the data set does not have.
    """

    activities: pd.DataFrame
    participants: pd.DataFrame
    practice_history: pd.DataFrame
    diary: pd.DataFrame
    activity_ratings: pd.DataFrame
    absent: tuple[str, ...] = ()

    @property
    def synthetic(self) -> bool:
        """True when any participant is synthetic (the results are then not evidence)."""
        return bool(self.participants["synthetic"].any())


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class TableOrigin:
    """Where the rows and columns of a table came from, to name them in error records.

    Attributes
    ----------
    file : str
        The file named in the errors.
    rows : array of int, optional
        Row number in ``file`` of each table row (1-based data records, header not counted,
        as in :mod:`dprep.data.schema`); default: position + 1.
    columns : mapping, optional
        Column of the table → column of ``file`` it came from: one name, or one name per
        row (a reshaped wide layout). Default: the same name.
    """

    file: str
    rows: np.ndarray | None = None
    columns: Mapping[str, Any] = field(default_factory=dict)

    def row(self, position: int) -> int:
        """Row number in :attr:`file` of the table row at ``position`` (0-based)."""
        return int(position + 1 if self.rows is None else self.rows[position])

    def error(self, position: int | None, column: str | None, value: Any, message: str) -> CellError:
        """A :class:`dprep.data.schema.CellError` for the table cell at ``position``, ``column``."""
        row = None if position is None else self.row(position)
        source = self.columns.get(column, column)
        if not isinstance(source, str) and source is not None:
            source = None if position is None else str(source[position])
        return CellError(self.file, row, source, None if value is None else str(value), message)


def read_diaries(folder: str | Path) -> DiaryData:
    """Read and validate a diary folder.

    Parameters
    ----------
    folder : path-like
        Folder with ``participants.csv`` and any of ``practice_history.csv``, ``diary.csv``,
        ``activity_ratings.csv`` (absent: :attr:`DiaryData.absent`) and ``activities.csv``
        (absent: the shipped taxonomy).

    Returns
    -------
    DiaryData
        The typed tables.

    Raises
    ------
    dprep.data.schema.DataValidationError
        With one record (file, row, column, value, message) per problem, every table checked
        before raising (see :func:`validate_tables` for the checks). Rows are 1-based data
        records, the header not counted.
    """
    folder = Path(folder)
    errors: list[CellError] = []
    typed: dict[str, pd.DataFrame] = {}
    origins: dict[str, TableOrigin] = {}
    absent = tuple(name for name in OPTIONAL if not (folder / f"{name}.csv").exists())
    for name in TABLES:
        path = folder / f"{name}.csv"
        if name == "activities" and not path.exists():
            path = SCHEMA_DIR / "activities.csv"
        origins[name] = TableOrigin(str(path))
        try:
            typed[name] = (_empty(name, path) if name in absent
                           else validate_resource(path, table_schema(name), name=name))
        except DataValidationError as exc:
            errors.extend(exc.errors)
    return _cross_check(typed, origins, errors, absent)


def _empty(name: str, path: Path) -> pd.DataFrame:
    """A typed table without rows (an absent table)."""
    return validate_frame(pd.DataFrame(columns=_columns(name), dtype=str), table_schema(name), file=str(path))


def validate_tables(frames: Mapping[str, pd.DataFrame], origins: Mapping[str, TableOrigin]) -> DiaryData:
    """Validate the five tables, each against its Table Schema and against each other.

    Per table (:func:`dprep.data.schema.validate_frame`): columns, types, required values, ranges
    (``hours_per_week`` 0–168, ratings 0–10, ``day`` 1–7), HH:MM times, unique keys. Across
    tables: participants and activities must exist (the schemas' ``foreignKeys``); a
    participant's start age must not exceed the current age; estimates must lie between the
    year of starting and the current year of age; diary entries must not be empty, must not
    overlap for one person, and no calendar day may hold more than 24 h (entries that cross
    midnight are split at midnight).

    Parameters
    ----------
    frames : mapping of str to DataFrame
        One DataFrame of text cells per name in :data:`TABLES`, columns as in the schema; a
        table of :data:`OPTIONAL` left out is absent.
    origins : mapping of str to TableOrigin
        Where each table came from (file, rows, columns), for the error records.

    Returns
    -------
    DiaryData
        The typed tables.

    Raises
    ------
    dprep.data.schema.DataValidationError
        With every problem found. Cross-table checks run only on tables that passed their
        own checks.
    """
    errors: list[CellError] = []
    typed: dict[str, pd.DataFrame] = {}
    absent = tuple(name for name in OPTIONAL if name not in frames)
    origins = {**{name: TableOrigin(f"(no {name} table)") for name in absent}, **origins}
    for name in TABLES:
        origin = origins[name]
        if name in absent:
            typed[name] = _empty(name, Path(origin.file))
            continue
        try:
            typed[name] = validate_frame(frames[name], table_schema(name), file=origin.file)
        except DataValidationError as exc:
            errors.extend(origin.error(None if e.row is None else e.row - 1, e.column, e.value, e.message)
                          for e in exc.errors)
    return _cross_check(typed, origins, errors, absent)


def _cross_check(
    typed: dict[str, pd.DataFrame], origins: Mapping[str, TableOrigin], errors: list[CellError],
    absent: tuple[str, ...],
) -> DiaryData:
    """Run the cross-table checks on the tables that parsed; raise everything found."""
    checks = (
        (("participants", "activities"), _foreign_key_errors),
        (("participants",), _participant_errors),
        (("participants", "practice_history"), _history_age_errors),
        (("diary",), _diary_errors),
    )
    for needed, check in checks:
        if all(n in typed for n in needed):
            errors.extend(check(typed, origins))
    if errors:
        raise DataValidationError(errors)
    return DiaryData(**typed, absent=absent)


def _foreign_key_errors(typed, origins) -> list[CellError]:
    """Values that do not exist in the referenced table (the schemas' ``foreignKeys``)."""
    errors = []
    for name, frame in typed.items():
        for key in table_schema(name).get("foreignKeys", []):
            target = key["reference"]["resource"]
            if target not in typed:
                continue
            column, target_column = key["fields"], key["reference"]["fields"]
            noun = "participant" if target == "participants" else "activity"
            for pos in np.flatnonzero(~frame[column].isin(typed[target][target_column]).to_numpy()):
                value = frame[column].iat[pos]
                errors.append(origins[name].error(
                    pos, column, value, f"unknown {noun} {value!r} (not in {Path(origins[target].file).name})"
                ))
    return errors


def _participant_errors(typed, origins) -> list[CellError]:
    """Participants who started to play after their current age."""
    p = typed["participants"]
    return [
        origins["participants"].error(
            pos, "age_started_years", p["age_started_years"].iat[pos],
            f"age_started_years exceeds age_years ({p['age_years'].iat[pos]:g})",
        )
        for pos in np.flatnonzero((p["age_started_years"] > p["age_years"]).to_numpy())
    ]


def _history_age_errors(typed, origins) -> list[CellError]:
    """Estimates for a year of age before the participant started, or not yet reached."""
    p = typed["participants"].set_index("participant_id")
    h = typed["practice_history"]
    # Unknown participants map to NaN and compare False: the foreign-key check reports them.
    first = np.floor(h["participant_id"].map(p["age_started_years"]).to_numpy(float))
    last = np.floor(h["participant_id"].map(p["age_years"]).to_numpy(float))
    age = h["age_years"].to_numpy(float)
    origin = origins["practice_history"]
    return [
        origin.error(pos, "age_years", int(age[pos]),
                     f"before the year of age the participant started ({int(first[pos])})")
        for pos in np.flatnonzero(age < first)
    ] + [
        origin.error(pos, "age_years", int(age[pos]),
                     f"after the participant's current year of age ({int(last[pos])})")
        for pos in np.flatnonzero(age > last)
    ]


def diary_intervals(diary: pd.DataFrame) -> pd.DataFrame:
    """Diary entries as minutes since the start of day 1.

    Parameters
    ----------
    diary : DataFrame
        The ``diary`` table (``day`` 1–7, ``start`` and ``end`` as HH:MM).

    Returns
    -------
    DataFrame
        ``diary`` plus ``start_minute`` and ``end_minute`` (minutes since 00:00 of day 1; an
        entry whose end is earlier than its start ends on the next day, so ``end_minute`` may
        exceed 7 × 1440) and ``duration_hours``. An entry with end = start has duration 0.
    """

    def minutes(clock: pd.Series) -> np.ndarray:
        text = clock.astype(str)
        return text.str.slice(0, 2).astype(int).to_numpy() * 60 + text.str.slice(3, 5).astype(int).to_numpy()

    start, end = minutes(diary["start"]), minutes(diary["end"])
    offset = (diary["day"].to_numpy(int) - 1) * _MINUTES_PER_DAY
    out = diary.copy()
    out["start_minute"] = offset + start
    out["end_minute"] = offset + end + np.where(end < start, _MINUTES_PER_DAY, 0)
    out["duration_hours"] = (out["end_minute"] - out["start_minute"]) / 60.0
    return out


def _diary_errors(typed, origins) -> list[CellError]:
    """Empty entries, overlapping entries of one person, and days with more than 24 h."""
    origin = origins["diary"]
    d = diary_intervals(typed["diary"])
    errors = [
        origin.error(pos, "end", d["end"].iat[pos], "the entry ends when it starts (0 minutes)")
        for pos in np.flatnonzero((d["start_minute"] == d["end_minute"]).to_numpy())
    ]
    # Overlaps: in start order, an entry overlaps when it starts before the latest end so far.
    order = d.sort_values(["participant_id", "start_minute", "end_minute"], kind="stable")
    latest_end = order.groupby("participant_id", sort=False)["end_minute"].cummax()
    previous_end = latest_end.groupby(order["participant_id"], sort=False).shift()
    for pos in order.index[(order["start_minute"] < previous_end).to_numpy()]:
        person, start = d.at[pos, "participant_id"], d.at[pos, "start_minute"]
        earlier = np.flatnonzero(((d["participant_id"] == person) & (d.index != pos)
                                  & (d["start_minute"] <= start) & (d["end_minute"] > start)).to_numpy())
        rows = ", ".join(str(origin.row(j)) for j in earlier)
        errors.append(origin.error(pos, "start", d.at[pos, "start"],
                                   f"overlaps another diary entry of participant {person!r} (row {rows})"))
    # Hours per calendar day, entries crossing midnight split at midnight.
    midnight = d["day"].to_numpy(int) * _MINUTES_PER_DAY
    before = np.minimum(d["end_minute"].to_numpy(), midnight) - d["start_minute"].to_numpy()
    after = np.maximum(d["end_minute"].to_numpy() - midnight, 0)
    parts = pd.DataFrame({
        "participant_id": np.tile(d["participant_id"].to_numpy(), 2),
        "day": np.concatenate([d["day"].to_numpy(int), d["day"].to_numpy(int) + 1]),
        "minutes": np.concatenate([before, after]),
        "position": np.tile(np.arange(len(d)), 2),
    })
    parts = parts[parts["minutes"] > 0]
    totals = parts.groupby(["participant_id", "day"], sort=True)["minutes"].sum()
    for (person, day), total in totals[totals > _MINUTES_PER_DAY].items():
        positions = sorted(set(parts.loc[(parts["participant_id"] == person) & (parts["day"] == day), "position"]))
        rows = ", ".join(str(origin.row(j)) for j in positions)
        errors.append(origin.error(positions[0], "day", d["day"].iat[positions[0]],
                                   f"participant {person!r} logged {total / 60:g} h on day {day}, "
                                   f"more than 24 h (rows {rows})"))
    return errors


# ---------------------------------------------------------------------------- analysis


def _activity_list(data: DiaryData, activities: str | Sequence[str]) -> list[str]:
    chosen = [activities] if isinstance(activities, str) else list(activities)
    unknown = [a for a in chosen if a not in set(data.activities["code"])]
    if unknown or not chosen:
        raise ValueError(f"unknown activity code(s): {', '.join(unknown) or '(none given)'}; "
                         f"known: {', '.join(data.activities['code'])}")
    return chosen


def accumulated_practice(
    data: DiaryData, age: float, activities: str | Sequence[str] = "practice_alone"
) -> pd.DataFrame:
    """Hours accumulated by age ``age`` from the retrospective weekly estimates.

    For each year of age y from the start up to ``age`` − 1, the estimated hours per week
    (summed over ``activities``) times 52 weeks:

        accumulated_hours(A) = Σ_{y = start}^{A − 1} hours_per_week(y) × 52,

    the definition of Ericsson et al. (1993, p. 379), who turned the estimates of weekly
    practice for every year since starting into accumulated hours, and of Macnamara & Maitra
    (2019), who followed the same procedure.

    Parameters
    ----------
    data : DiaryData
        Validated tables.
    age : float
        Age A, years; the years of age start … A − 1 are summed.
    activities : str or sequence of str, default "practice_alone"
        Activity code(s); several codes are summed (e.g. practice alone split by a dataset's
        own taxonomy into teacher-designed and self-designed parts).

    Returns
    -------
    DataFrame
        One row per participant: ``participant_id``, ``group``, ``accumulated_hours``
        (hours). Missing for participants younger than A (their year A − 1 is not complete)
        and for participants without any estimate.

    Raises
    ------
    ValueError
        If an activity code is not in the taxonomy.
    """
    chosen = _activity_list(data, activities)
    history = data.practice_history
    selected = history[history["activity"].isin(chosen) & (history["age_years"] < age)]
    hours = selected.groupby("participant_id", sort=False)["hours_per_week"].sum() * WEEKS_PER_YEAR
    p = data.participants
    out = p[["participant_id", "group"]].copy()
    out["accumulated_hours"] = out["participant_id"].map(hours).fillna(0.0).astype(float)
    unknown = (p["age_years"] < age) | ~p["participant_id"].isin(history["participant_id"])
    out.loc[unknown.to_numpy(), "accumulated_hours"] = np.nan
    return out.reset_index(drop=True)


def diary_totals(data: DiaryData) -> pd.DataFrame:
    """Hours per activity in the diary week.

    Parameters
    ----------
    data : DiaryData
        Validated tables.

    Returns
    -------
    DataFrame
        One row per participant and taxonomy activity: ``participant_id``, ``group``,
        ``activity``, ``diary_hours_per_week`` (hours in the recorded week; entries crossing
        midnight count in full). 0 for activities the participant did not log; missing for
        participants without any diary entry.
    """
    d = diary_intervals(data.diary)
    hours = d.groupby(["participant_id", "activity"], sort=False)["duration_hours"].sum()
    p = data.participants
    grid = pd.MultiIndex.from_product([p["participant_id"], data.activities["code"]],
                                      names=["participant_id", "activity"])
    out = hours.reindex(grid, fill_value=0.0).rename("diary_hours_per_week").reset_index()
    out.loc[~out["participant_id"].isin(d["participant_id"]).to_numpy(), "diary_hours_per_week"] = np.nan
    out.insert(1, "group", out["participant_id"].map(p.set_index("participant_id")["group"]))
    return out


def estimate_vs_diary(data: DiaryData, activities: str | Sequence[str] = "practice_alone") -> pd.DataFrame:
    """Retrospective estimate for the current year against the diary week.

    Parameters
    ----------
    data : DiaryData
        Validated tables.
    activities : str or sequence of str, default "practice_alone"
        Activity code(s), summed.

    Returns
    -------
    DataFrame
        One row per participant: ``participant_id``, ``group``, ``age_years`` (current year
        of age, the floor of the participant's age), ``estimate_hours_per_week`` (the
        estimate for that year), ``diary_hours_per_week``, ``difference_hours_per_week``
        (estimate − diary; positive = the estimate exceeds the diary). Missing where the
        participant has no estimates or no diary.

    Raises
    ------
    ValueError
        If an activity code is not in the taxonomy.
    """
    chosen = _activity_list(data, activities)
    p = data.participants
    out = p[["participant_id", "group"]].copy()
    out["age_years"] = np.floor(p["age_years"].to_numpy(float)).astype(int)
    h = data.practice_history
    current_year = h["participant_id"].map(out.set_index("participant_id")["age_years"]).to_numpy(float)
    selected = (h["age_years"].to_numpy(float) == current_year) & h["activity"].isin(chosen).to_numpy()
    estimate = h[selected].groupby("participant_id")["hours_per_week"].sum()
    out["estimate_hours_per_week"] = out["participant_id"].map(estimate).fillna(0.0).astype(float)
    out.loc[~out["participant_id"].isin(h["participant_id"]).to_numpy(), "estimate_hours_per_week"] = np.nan
    totals = diary_totals(data)
    diary = (totals[totals["activity"].isin(chosen)]
             .groupby("participant_id", sort=False)["diary_hours_per_week"].sum(min_count=1))
    out["diary_hours_per_week"] = out["participant_id"].map(diary).astype(float)
    out["difference_hours_per_week"] = out["estimate_hours_per_week"] - out["diary_hours_per_week"]
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------- other layouts

#: The file that marks a diary folder written by ``dprep ingest-diaries``: ``--overwrite`` replaces only a
#: folder that holds it (:func:`read_diaries` reads only the tables and ignores it).
INGEST_MARKER = ".dprep-ingest-diaries"
_MARKER_TEXT = "Written by dprep ingest-diaries; `dprep ingest-diaries --overwrite` may replace this folder.\n"

_MAPPING_KEYS = ("source", "sheet", "columns", "melt", "values", "constants")
_MELT_KEYS = ("pattern", "names_to", "values_to")


def _text(value: Any) -> str:
    """A YAML scalar as the text it stands for in a CSV cell (YAML ``true`` → ``"true"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _map_table(source_dir: Path, name: str, spec: Any, mapping_file: str) -> tuple[pd.DataFrame, TableOrigin]:
    """One table of another layout, renamed, reshaped and recoded as ``spec`` says; its ``source`` must lie
    in ``source_dir`` or the project (:func:`dprep.data.paths.find_root` of ``source_dir``)."""

    def mapping_error(message: str) -> DataValidationError:
        return DataValidationError([CellError(mapping_file, None, None, None, f"{name}: {message}")])

    def file_error(message: str) -> DataValidationError:
        return DataValidationError([CellError(file, None, None, None, message)])

    if not isinstance(spec, Mapping) or "source" not in spec:
        raise mapping_error("expected a mapping with at least 'source'")
    unknown = sorted(set(spec) - set(_MAPPING_KEYS))
    if unknown:
        raise mapping_error(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(_MAPPING_KEYS)}")
    path = source_dir / str(spec["source"])
    file = str(path)
    root = find_root(source_dir)
    if not inside(path, source_dir, root):  # refused before it is opened: nothing of it is read or echoed
        raise mapping_error(f"'source' {str(spec['source'])!r} lies outside the source folder {source_dir} "
                            f"and the project {root}; refused")
    if not path.is_file():
        raise file_error(f"the file does not exist (mapping: {name}.source)")
    raw = read_source(path, spec.get("sheet"))
    for key in ("columns", "values", "constants"):
        if not isinstance(spec.get(key) or {}, Mapping):
            raise mapping_error(f"'{key}' must be a mapping")
    columns = {str(k): str(v) for k, v in (spec.get("columns") or {}).items()}
    absent = [c for c in columns if c not in raw.columns]
    if absent:
        raise DataValidationError([
            CellError(file, None, c, None, f"the column does not exist (mapping: {name}.columns)") for c in absent
        ])
    frame = raw[list(columns)].rename(columns=columns)
    sources: dict[str, Any] = {target: source for source, target in columns.items()}
    rows = np.arange(len(raw)) + 1
    melt = spec.get("melt")
    if melt is not None:
        if not isinstance(melt, Mapping) or set(melt) != set(_MELT_KEYS):
            raise mapping_error(f"'melt' needs exactly the keys {', '.join(_MELT_KEYS)}")
        try:
            pattern = re.compile(str(melt["pattern"]))
        except re.error as exc:
            raise mapping_error(f"'melt.pattern' {str(melt['pattern'])!r} is not a valid regular expression ({exc})")
        if pattern.groups < 1:
            raise mapping_error(f"'melt.pattern' {pattern.pattern!r} needs a group (...) for the {melt['names_to']} "
                                "part of the column names")
        wide = [c for c in raw.columns if pattern.fullmatch(c)]
        if not wide:
            raise file_error(f"no column matches the pattern {pattern.pattern!r} (mapping: {name}.melt)")
        names_to, values_to = str(melt["names_to"]), str(melt["values_to"])
        frame = pd.concat([frame] * len(wide), ignore_index=True)
        frame[names_to] = np.repeat([pattern.fullmatch(c).group(1) for c in wide], len(raw))
        frame[values_to] = np.concatenate([raw[c].to_numpy(str) for c in wide])
        origin_columns = np.repeat(wide, len(raw))
        keep = (frame[values_to] != "").to_numpy()  # an empty cell of the wide layout: no row
        frame = frame[keep].reset_index(drop=True)
        rows = np.tile(rows, len(wide))[keep]
        sources[names_to] = sources[values_to] = origin_columns[keep]
    errors = []
    for target, table in (spec.get("values") or {}).items():
        if target not in frame.columns or not isinstance(table, Mapping):
            raise mapping_error(f"'values' for {target!r}: no such mapped column, or not a mapping of values")
        table = {_text(k): _text(v) for k, v in table.items()}
        cells = frame[target]
        unmapped = (~cells.isin(list(table)) & (cells != "")).to_numpy()
        for value in pd.unique(cells[unmapped]):
            positions = np.flatnonzero(unmapped & (cells == value).to_numpy())
            where = ", ".join(str(r) for r in rows[positions])
            source = sources[target] if isinstance(sources[target], str) else sources[target][positions[0]]
            errors.append(CellError(file, int(rows[positions[0]]), source, str(value),
                                    f"unmapped value {value!r} (rows {where}); "
                                    f"add it to {name}.values.{target} in the mapping"))
        frame[target] = cells.map(lambda v: table.get(v, v))
    if errors:
        raise DataValidationError(errors)
    for target, value in (spec.get("constants") or {}).items():
        if target in frame.columns:
            raise mapping_error(f"{target!r} is both mapped from a column and given as a constant")
        frame[target] = _text(value)
        sources[target] = f"(constant {target})"
    expected = _columns(name)
    problems = [f"no source for column {c!r} (map a column to it or give a constant)" for c in expected
                if c not in frame.columns]
    problems += [f"{c!r} is not a column of {name}.csv" for c in frame.columns if c not in expected]
    if problems:
        raise DataValidationError([CellError(mapping_file, None, None, None, f"{name}: {p}") for p in problems])
    return frame[expected], TableOrigin(file, rows, sources)


def ingest(source_dir: str | Path, mapping: str | Path) -> DiaryData:
    """Map a folder in another layout onto the diary format, and validate the result.

    The mapping (YAML) has one entry per diary table — ``participants`` required; a table without
    an entry is absent (``activities``: the shipped taxonomy is used) — each with

    ``source``
        the file in ``source_dir``: CSV, Excel, SPSS ``.sav`` or Stata ``.dta``
        (:func:`dprep.data.sources.read_source`; value labels of SPSS and Stata files replace their codes); several
        tables may come from one file (e.g. participants and their wide estimates). The path is
        relative to ``source_dir`` and must stay, once ``..`` and symbolic links are resolved, inside
        ``source_dir`` or the project holding it (:func:`dprep.data.paths.find_root`); any other
        file is refused without being opened;
    ``sheet`` (optional)
        the Excel sheet (name or 0-based position; default the first);
    ``columns``
        source column → diary column (source columns not listed are ignored);
    ``melt`` (optional)
        reshape a wide layout: every source column whose whole name matches ``pattern``
        becomes one row per record, the regex's first group going to column ``names_to``
        and the cell to column ``values_to``; empty cells give no row;
    ``values`` (optional)
        diary column → {source value: diary value}, e.g. activity labels → codes, group
        labels → groups; every non-empty value must be listed;
    ``constants`` (optional)
        diary column → value for every row (e.g. ``study_id``, ``synthetic``).

    Parameters
    ----------
    source_dir : path-like
        Folder of the source files.
    mapping : path-like
        The YAML mapping file.

    Returns
    -------
    DiaryData
        The validated tables.

    Raises
    ------
    dprep.data.schema.DataValidationError
        Naming what could not be mapped (a missing, unreadable or outside file, a missing column,
        an invalid ``melt`` pattern, unmapped values listed with their rows, diary columns left
        without a source) or failed validation; rows and columns refer to the source files,
        mistakes of the mapping name the mapping file and the key.
    """
    source_dir, mapping_file = Path(source_dir), str(mapping)
    try:
        spec = yaml.safe_load(Path(mapping).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataValidationError([CellError(mapping_file, None, None, None, f"cannot read the mapping: {exc}")])
    if not isinstance(spec, Mapping):
        raise DataValidationError([CellError(mapping_file, None, None, None,
                                             "the mapping must map table names to entries")])
    errors = [CellError(mapping_file, None, None, None, f"unknown table {t!r}; tables: {', '.join(TABLES)}")
              for t in spec if t not in TABLES]
    errors += [CellError(mapping_file, None, None, None, f"no entry for table {t!r}")
               for t in TABLES if t not in spec and t not in ("activities", *OPTIONAL)]
    frames: dict[str, pd.DataFrame] = {}
    origins: dict[str, TableOrigin] = {}
    for name in TABLES:
        if name not in spec:
            continue
        try:
            frames[name], origins[name] = _map_table(source_dir, name, spec[name], mapping_file)
        except DataValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise DataValidationError(errors)
    if "activities" not in frames:
        taxonomy = SCHEMA_DIR / "activities.csv"
        frames["activities"] = pd.read_csv(taxonomy, dtype=str, keep_default_na=False)
        origins["activities"] = TableOrigin(str(taxonomy))
    return validate_tables(frames, origins)


def write_diaries(data: DiaryData, folder: str | Path, *, ingested: bool = False) -> None:
    """Write the tables as a diary folder (absent tables left out), replacing ``folder`` as a whole on success.

    Cells are written as they are (no spreadsheet-formula quoting, see :func:`dprep.data.io.write_csv`):
    a diary folder is data that :func:`read_diaries` reads back unchanged.

    Parameters
    ----------
    data : DiaryData
        Validated tables.
    folder : path-like
        Destination; built aside and swapped in (:func:`dprep.data.io.atomic_dir`).
    ingested : bool, default False
        Also write :data:`INGEST_MARKER` (``dprep ingest-diaries``), which marks the folder as one that
        command may replace (:func:`is_ingest_output`).
    """
    with atomic_dir(folder) as tmp:
        for name in (t for t in TABLES if t not in data.absent):
            frame = getattr(data, name).copy()
            for column in frame.columns:
                if frame[column].dtype == "boolean":
                    frame[column] = frame[column].map({True: "true", False: "false"})
            write_csv(tmp / f"{name}.csv", frame, neutralise=False)
        if ingested:
            (tmp / INGEST_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def is_ingest_output(folder: str | Path) -> bool:
    """Whether ``folder`` is a diary folder written by ``dprep ingest-diaries``.

    Parameters
    ----------
    folder : path-like
        Any path.

    Returns
    -------
    bool
        True if ``folder`` is a folder holding :data:`INGEST_MARKER` (written by
        :func:`write_diaries` with ``ingested=True``), the only kind of folder ``--overwrite`` replaces.
    """
    folder = Path(folder)
    return folder.is_dir() and (folder / INGEST_MARKER).is_file()
