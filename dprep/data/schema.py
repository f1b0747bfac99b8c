"""Data packages: Frictionless Table Schemas checked with pandera, one error per bad cell.

A table is described by a Frictionless Table Schema
(https://specs.frictionlessdata.io/table-schema/), a ``dict`` read from ``datapackage.json``.
:func:`schema_from_table_schema` turns it into a pandera ``DataFrameSchema``;
:func:`validate_frame` parses the text cells of a table into typed columns and validates them
lazily, so that *every* problem is reported at once; :func:`validate_resource` does the same for
one CSV file and :func:`load_package` / :func:`validate_package` for every resource of a data
package.  Problems are raised together as a :class:`DataValidationError`; nothing is returned
(and so nothing downstream is written) unless the whole input is valid.

Supported Table Schema subset
-----------------------------
- field types ``string``, ``integer``, ``number`` (decimal or exponent notation; ``NaN`` and
  ``INF`` are refused), ``boolean`` (``trueValues`` / ``falseValues``, by default
  ``true``/``True``/``TRUE``/``1`` and ``false``/``False``/``FALSE``/``0``) and ``date``
  (``YYYY-MM-DD``);
- constraints ``required``, ``unique``, ``minimum`` / ``maximum`` and ``exclusiveMinimum`` /
  ``exclusiveMaximum`` (integer and number fields; Table Schema v2, also understood by frictionless-py),
  ``enum`` and ``pattern`` (string fields; the regular expression must match the whole cell);
- ``primaryKey`` (its fields must be present and the key unique) and ``missingValues``
  (default: the empty cell);
- extra or missing columns are errors.

Two custom field properties are understood:

- ``unit``: the unit of the values (e.g. ``"hours"``); documentation only, never checked;
- ``conditionalConstraints``: a list of ``{"when": {"field": F, "in": [v, ...]},
  "constraints": {...}}``; the constraints (same keys as above except ``unique``) apply only to
  rows whose field ``F`` holds one of the listed values.  Frictionless ignores this property.

Row convention
--------------
``row`` in every error is the 1-based number of the data record in the file, the header not
counted: row 1 is the first record under the header (the second physical line when no cell
spans several lines).  Errors about a whole column carry no row.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd
import pandera.pandas as pa

from dprep.core.errors import DataError

__all__ = [
    "CellError",
    "DataValidationError",
    "duplicated_columns",
    "load_package",
    "package_descriptor",
    "schema_from_table_schema",
    "validate_frame",
    "validate_package",
    "validate_resource",
]

#: pandas dtype of each supported Table Schema field type.
DTYPES = {
    "string": "str",
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "date": "datetime64[ns]",
}
_NUMERIC = ("integer", "number")
_CONSTRAINTS = ("required", "unique", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "pattern")
_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_TEXT_FORMS = {
    "integer": (re.compile(r"[+-]?[0-9]+"), "an integer"),
    "number": (re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"), "a number"),
    "date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "a date (YYYY-MM-DD)"),
}
#: Largest integer an ``integer`` cell may hold: every integer up to 2^53 is exact in the float64 it is parsed to.
_INTEGER_MAX = 2.0**53
_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


@dataclass(frozen=True)
class CellError:
    """One problem in a table, located by file, row and column.

    Attributes
    ----------
    file : str
        The file as it was named to the validator.
    row : int or None
        1-based data-record number, header not counted (see the module docstring); ``None`` for
        problems with a whole column or file.
    column : str or None
        Column name (several names joined by ``", "`` for a primary key); ``None`` for problems
        with a whole row or file.
    value : str or None
        The cell's text as written in the file; ``None`` for an empty cell or no cell.
    message : str
        What is wrong.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a plain ``dict`` (for JSON output)."""
        return asdict(self)


class DataValidationError(DataError):
    """Input data break their schema.

    Parameters
    ----------
    errors : sequence of CellError
        Every problem found; ``str(err)`` lists them, one per line.
    """

    def __init__(self, errors: Sequence[CellError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


# ---------------------------------------------------------------------------------------------
# Table Schema -> pandera


def _check_constraints(field: Mapping[str, Any], constraints: Any, *, conditional: bool) -> None:
    """Raise ValueError unless ``constraints`` are supported constraints of ``field``."""
    name, ftype = field["name"], field["type"]
    if not isinstance(constraints, Mapping):
        raise ValueError(
            f"The 'constraints' of field '{name}' must be an object. Got {constraints!r} instead."
        )
    allowed = [c for c in _CONSTRAINTS if not (conditional and c == "unique")]
    for key, bound in constraints.items():
        if key not in allowed:
            raise ValueError(
                f"The constraints of field '{name}' must be among {', '.join(allowed)}. "
                f"Got '{key}' instead."
            )
        if key in _BOUNDS and (
            ftype not in _NUMERIC or isinstance(bound, bool) or not isinstance(bound, (int, float))
        ):
            raise ValueError(
                f"The '{key}' constraint of field '{name}' must be a number on an integer or "
                f"number field. Got {bound!r} on a {ftype} field instead."
            )
        if key == "pattern" and (ftype != "string" or not isinstance(bound, str)):
            raise ValueError(
                f"The 'pattern' constraint of field '{name}' must be a regular expression on a "
                f"string field. Got {bound!r} on a {ftype} field instead."
            )
        if key == "enum" and (not isinstance(bound, list) or not bound):
            raise ValueError(
                f"The 'enum' constraint of field '{name}' must be a non-empty list. "
                f"Got {bound!r} instead."
            )
        if key in ("required", "unique") and not isinstance(bound, bool):
            raise ValueError(
                f"The '{key}' constraint of field '{name}' must be true or false. "
                f"Got {bound!r} instead."
            )


def _fields(table_schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the schema's fields after checking names, types and constraints."""
    fields = table_schema.get("fields") if isinstance(table_schema, Mapping) else None
    if not isinstance(fields, list) or not fields:
        raise ValueError(
            "The 'table_schema' parameter of schema_from_table_schema must be a Table Schema "
            f"with a non-empty 'fields' list. Got {table_schema!r} instead."
        )
    names = [f.get("name") if isinstance(f, Mapping) else None for f in fields]
    for field, name in zip(fields, names):
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"Every field of a Table Schema must have a name. Got {field!r} instead."
            )
        if names.count(name) > 1:
            raise ValueError(
                f"The field names of a Table Schema must be unique. Got '{name}' twice."
            )
        ftype = field.get("type", "string")
        if ftype not in DTYPES:
            raise ValueError(
                f"The 'type' of field '{name}' must be one of {', '.join(DTYPES)}. "
                f"Got {ftype!r} instead."
            )
        field = {**field, "type": ftype}
        _check_constraints(field, field.get("constraints", {}), conditional=False)
        for cond in field.get("conditionalConstraints", []):
            when = cond.get("when", {}) if isinstance(cond, Mapping) else {}
            if when.get("field") not in names or not isinstance(when.get("in"), list):
                raise ValueError(
                    f"Each conditional constraint of field '{name}' must have 'when': "
                    "{'field': <a field of the schema>, 'in': [values]}. "
                    f"Got {cond!r} instead."
                )
            _check_constraints(field, cond.get("constraints"), conditional=True)
    return [{**f, "type": f.get("type", "string")} for f in fields]


def _primary_key(table_schema: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    key = table_schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else list(key)
    unknown = [k for k in key if k not in names]
    if unknown:
        raise ValueError(
            f"The 'primaryKey' of a Table Schema must name fields of the schema. "
            f"Got unknown field(s) {', '.join(map(repr, unknown))} instead."
        )
    return key


def _predicate(key: str, bound: Any) -> Callable[[pd.Series], pd.Series]:
    """Element-wise test of one value constraint (missing values are decided by the caller)."""
    if key == "minimum":
        return lambda s: s >= bound
    if key == "maximum":
        return lambda s: s <= bound
    if key == "exclusiveMinimum":
        return lambda s: s > bound
    if key == "exclusiveMaximum":
        return lambda s: s < bound
    if key == "enum":
        return lambda s: s.isin(bound)
    regex = re.compile(bound)  # "pattern", the only other value constraint
    return lambda s: s.map(lambda v: bool(regex.fullmatch(v)), na_action="ignore")


def _conditional_check(field: str, when: Mapping[str, Any], key: str, bound: Any) -> pa.Check:
    """A DataFrame-level check: ``field`` satisfies ``key: bound`` where ``when`` holds."""
    on, values = when["field"], when["in"]
    test = None if key == "required" else _predicate(key, bound)

    def check(frame: pd.DataFrame) -> pd.Series:
        if field not in frame or on not in frame:  # the missing column is reported on its own
            return pd.Series(True, index=frame.index)
        applies = frame[on].isin(values)
        if key == "required":
            ok = frame[field].notna() if bound else pd.Series(True, index=frame.index)
        else:
            cells = frame[field]
            ok = cells.isna() | test(cells).astype("boolean").fillna(True).astype(bool)
        return (~applies | ok).astype(bool)

    return pa.Check(
        check,
        ignore_na=False,
        name=f"{field}: {key} when {on} in {values}",
        statistics={"field": field, "constraint": key, "bound": bound, "when": dict(when)},
    )


def schema_from_table_schema(table_schema: Mapping[str, Any]) -> pa.DataFrameSchema:
    """Build a pandera schema for the *typed* frame that a Table Schema describes.

    Parameters
    ----------
    table_schema : mapping
        A Frictionless Table Schema (see the module docstring for the supported subset).

    Returns
    -------
    pandera.DataFrameSchema
        Strict schema (no extra or missing columns) with one column per field: dtype from
        :data:`DTYPES`, ``nullable`` unless the field is required or in the primary key, a
        check per constraint, one DataFrame-level check per conditional constraint and the
        primary key as a unique column combination.  Each check carries its constraint in
        ``check.statistics`` (``constraint``, ``bound`` and, if conditional, ``field``/``when``).

    Raises
    ------
    ValueError
        If the Table Schema is malformed or uses something outside the supported subset.
    """
    fields = _fields(table_schema)
    key = _primary_key(table_schema, [f["name"] for f in fields])
    columns, frame_checks = {}, []
    for field in fields:
        name, constraints = field["name"], field.get("constraints", {})
        checks = [
            pa.Check(_predicate(k, b), name=k, statistics={"constraint": k, "bound": b})
            for k, b in constraints.items()
            if k not in ("required", "unique")
        ]
        columns[name] = pa.Column(
            DTYPES[field["type"]],
            checks=checks,
            nullable=not (constraints.get("required", False) or name in key),
            unique=constraints.get("unique", False),
            title=field.get("title"),
            description=field.get("description"),
            metadata={"unit": field["unit"]} if "unit" in field else None,
        )
        for cond in field.get("conditionalConstraints", []):
            frame_checks += [
                _conditional_check(name, cond["when"], k, b) for k, b in cond["constraints"].items()
            ]
    return pa.DataFrameSchema(
        columns,
        checks=frame_checks,
        unique=key or None,
        report_duplicates="all",
        strict=True,
    )


# ---------------------------------------------------------------------------------------------
# text cells -> typed columns


def _parse(text: pd.Series, field: Mapping[str, Any]) -> tuple[pd.Series, pd.Series]:
    """Parse a column of text cells; return the typed column and a mask of unparsable cells."""
    ftype = field["type"]
    if ftype == "string":
        return text, pd.Series(False, index=text.index)
    if ftype == "boolean":
        true, false = field.get("trueValues", _TRUE), field.get("falseValues", _FALSE)
        mapping = {**{v: True for v in true}, **{v: False for v in false}}
        values = pd.array(text.map(mapping).tolist(), dtype="boolean")
        values = pd.Series(values, index=text.index)
        return values, text.notna() & values.isna()
    regex = _TEXT_FORMS[ftype][0]
    ok = text.map(lambda v: bool(regex.fullmatch(v)), na_action="ignore")
    bad = text.notna() & ~ok.astype("boolean").fillna(True).astype(bool)
    clean = text.where(~bad)
    if ftype == "date":
        values = pd.to_datetime(clean, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
        bad = bad | (clean.notna() & values.isna())  # e.g. 2020-02-30
        return values, bad
    values = clean.map(float, na_action="ignore").astype("float64")  # 1e999 → inf, 10**400 → inf: out of range
    magnitude = values.abs()
    bad = bad | (values.notna() & ((magnitude > _INTEGER_MAX) if ftype == "integer" else (magnitude == math.inf)))
    values = values.where(~bad)
    return (values.astype("Int64") if ftype == "integer" else values), bad


def _type_message(raw: str, field: Mapping[str, Any]) -> str:
    if field["type"] == "boolean":
        true, false = field.get("trueValues", _TRUE), field.get("falseValues", _FALSE)
        return f"value {raw!r} is not a boolean (one of {', '.join(true + false)})"
    form, what = _TEXT_FORMS[field["type"]]
    if field["type"] in _NUMERIC and form.fullmatch(raw):
        bound = "2^53" if field["type"] == "integer" else "1.8e308 in magnitude"
        return f"value {raw!r} is out of range ({what} up to {bound})"
    return f"value {raw!r} is not {what}"


# ---------------------------------------------------------------------------------------------
# pandera failure cases -> CellError records


def _show(raw: str | None, ftype: str) -> str:
    return "(empty)" if raw is None else raw if ftype in _NUMERIC else repr(raw)


def _violation(raw: str | None, ftype: str, key: str, bound: Any) -> str:
    if key == "required":
        return "the cell is empty but a value is required"
    value = f"value {_show(raw, ftype)}"
    if key == "minimum":
        return f"{value} is less than the minimum {bound}"
    if key == "maximum":
        return f"{value} is greater than the maximum {bound}"
    if key == "exclusiveMinimum":
        return f"{value} is not greater than {bound} (exclusive minimum)"
    if key == "exclusiveMaximum":
        return f"{value} is not less than {bound} (exclusive maximum)"
    if key == "enum":
        return f"{value} is not one of {', '.join(map(repr, bound))}"
    return f"{value} does not match the pattern {bound!r}"


def _duplicates(
    typed: pd.DataFrame, key: list[str], text: pd.DataFrame, file: str
) -> list[CellError]:
    """One error per record whose ``key`` repeats an earlier record's."""
    present = [k for k in key if k in typed]
    if present != key:
        return []
    dup = typed.duplicated(key, keep=False)
    errors = []
    for _, group in typed[dup].groupby(key, sort=False, dropna=False):
        first = int(group.index[0]) + 1
        for idx in group.index[1:]:
            values = ", ".join(str(text.at[idx, k]) for k in key)
            what = f"primary key ({', '.join(key)})" if len(key) > 1 else f"value of '{key[0]}'"
            errors.append(CellError(
                file, int(idx) + 1, ", ".join(key), values,
                f"{what} = ({values}) repeats row {first}; it must be unique",
            ))
    return errors


def _errors_from_failures(
    failures: pd.DataFrame,
    schema: pa.DataFrameSchema,
    fields: Mapping[str, Mapping[str, Any]],
    typed: pd.DataFrame,
    text: pd.DataFrame,
    file: str,
    reported: set[tuple[int, str]],
) -> list[CellError]:
    """Translate pandera's ``failure_cases`` into records; skip cells already in ``reported``."""
    errors: list[CellError] = []
    seen: set[tuple[Any, ...]] = set()
    for case in failures.itertuples(index=False):
        check, column, number = case.check, case.column, case.check_number
        if check == "column_in_dataframe":
            errors.append(CellError(file, None, case.failure_case, None, "the column is missing"))
            continue
        if check == "column_in_schema":
            errors.append(CellError(
                file, None, case.failure_case, None, "the column is not in the table schema"
            ))
            continue
        if check in ("field_uniqueness", "multiple_fields_uniqueness"):
            key = [column] if check == "field_uniqueness" else list(schema.unique)
            if ("unique", tuple(key)) not in seen:
                seen.add(("unique", tuple(key)))
                errors += _duplicates(typed, key, text, file)
            continue
        idx = case.index
        if idx is None or pd.isna(idx) or (check != "not_nullable" and pd.isna(number)):
            # a check that could not run, or a dtype mismatch: report pandera's words
            errors.append(CellError(
                file, None, column, None, f"fails the check {check}: {case.failure_case}"
            ))
            continue
        if check == "not_nullable":
            spec = {"constraint": "required", "bound": True}
        else:
            owner = schema if case.schema_context == "DataFrameSchema" else schema.columns[column]
            spec = owner.checks[int(number)].statistics
            column = spec.get("field", column)
        if (idx, column, number) in seen or (int(idx), column) in reported:
            continue
        seen.add((idx, column, number))
        raw = text.at[idx, column]
        raw = None if pd.isna(raw) else str(raw)
        message = _violation(raw, fields[column]["type"], spec["constraint"], spec["bound"])
        if "when" in spec:
            on = spec["when"]["field"]
            message += f" when '{on}' is {text.at[idx, on]!r}"
        errors.append(CellError(file, int(idx) + 1, column, raw, message))
    return errors


# ---------------------------------------------------------------------------------------------
# public validation entry points


def validate_frame(
    df: pd.DataFrame, table_schema: Mapping[str, Any], *, file: str | os.PathLike
) -> pd.DataFrame:
    """Parse and validate a table of text cells against a Table Schema.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as written: one row per data record in file order (row ``i`` of ``df`` is
        reported as row ``i + 1``), cells as text.  Non-text columns are converted with
        ``astype(str)``; cells equal to one of the schema's ``missingValues`` (default ``""``)
        and NA cells are missing.
    table_schema : mapping
        Frictionless Table Schema (see the module docstring for the supported subset).
    file : str or path-like
        Name of the file the table came from, used in the error records.

    Returns
    -------
    pandas.DataFrame
        The typed table (dtypes from :data:`DTYPES`, a fresh ``RangeIndex``, columns in file
        order).

    Raises
    ------
    DataValidationError
        With every problem found (unparsable cells, constraint violations, duplicated keys,
        missing or extra columns).
    ValueError
        If ``table_schema`` itself is malformed.
    """
    file = str(file)
    schema = schema_from_table_schema(table_schema)
    fields = {f["name"]: f for f in _fields(table_schema)}
    missing = table_schema.get("missingValues", [""])
    text = df.reset_index(drop=True).astype("str")
    text = text.where(~text.isin(missing))
    typed = text.copy()
    errors: list[CellError] = []
    reported: set[tuple[int, str]] = set()
    for name in text.columns.intersection(list(fields), sort=False):
        typed[name], bad = _parse(text[name], fields[name])
        for idx in bad[bad].index:
            reported.add((int(idx), name))
            errors.append(CellError(
                file, int(idx) + 1, name, text.at[idx, name],
                _type_message(text.at[idx, name], fields[name]),
            ))
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        errors += _errors_from_failures(
            exc.failure_cases, schema, fields, typed, text, file, reported
        )
    if errors:
        order = {name: i for i, name in enumerate(fields)}
        errors.sort(key=lambda e: (e.row or 0, order.get(e.column, -1)))
        raise DataValidationError(errors)
    return typed


def duplicated_columns(header: Sequence[str], file: str) -> None:
    """Refuse a header that names a column more than once, as the file wrote it.

    A reader would keep both copies under different names (pandas reads the second ``r`` as ``r.1``) and
    every later step would silently use the first, so every reader of a table (:func:`validate_resource`,
    :func:`dprep.data.sources.read_csv_text`, :func:`dprep.data.sources.read_source`) checks its raw header
    here.

    Parameters
    ----------
    header : sequence of str
        The column names in file order, before any renaming.
    file : str
        The file, as named in the errors.

    Raises
    ------
    DataValidationError
        With one record per repeated name (its column, no row).
    """
    named = [h for h in header if pd.notna(h) and str(h).strip()]  # blank cells (unnamed columns) are no name
    repeated = sorted({h for h in named if named.count(h) > 1})
    if repeated:
        raise DataValidationError([
            CellError(file, None, h, None, "the column name appears more than once in the header")
            for h in repeated
        ])


def _file_error(file: str, message: str) -> DataValidationError:
    """An error about a whole file (no row, no column)."""
    return DataValidationError([CellError(file, None, None, None, message)])


def _read_text(path: Path, file: str) -> tuple[pd.DataFrame, list[CellError]]:
    """Read a UTF-8 CSV as text cells; report blank or ragged records."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            records = list(csv.reader(fh))
    except FileNotFoundError:
        raise _file_error(file, "the file does not exist") from None
    except IsADirectoryError:
        raise _file_error(file, "the path is a folder, not a CSV file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _file_error(file, f"the file cannot be read as a UTF-8 CSV: {exc}") from None
    except OSError as exc:  # permission denied, a device, ...
        raise _file_error(file, f"the file cannot be read: {exc.strerror or type(exc).__name__}") from None
    if not records:
        raise _file_error(file, "the file is empty (no header)")
    header, rows = records[0], records[1:]
    duplicated_columns(header, file)
    errors, cells = [], []
    for i, row in enumerate(rows, start=1):
        if len(row) != len(header):
            what = "is blank" if not row else f"has {len(row)} cells"
            errors.append(CellError(
                file, i, None, None, f"the record {what} but the header has {len(header)}"
            ))
        cells.append((row + [""] * len(header))[: len(header)])
    return pd.DataFrame(cells, columns=header, dtype="str"), errors


def validate_resource(
    csv_path: str | os.PathLike, table_schema: Mapping[str, Any], *, name: str | None = None
) -> pd.DataFrame:
    """Read a CSV file (UTF-8, comma-separated, header row) and validate it.

    Parameters
    ----------
    csv_path : str or path-like
        The CSV file; named in the error records as given.
    table_schema : mapping
        Frictionless Table Schema of the file.
    name : str, optional
        Resource name, stored in ``frame.attrs["resource"]`` (default: the file's stem).

    Returns
    -------
    pandas.DataFrame
        The typed table (see :func:`validate_frame`).

    Raises
    ------
    DataValidationError
        With every problem in the file, including blank or ragged records.
    """
    file = str(csv_path)
    text, errors = _read_text(Path(csv_path), file)
    try:
        typed = validate_frame(text, table_schema, file=file)
    except DataValidationError as exc:
        errors += exc.errors
    if errors:
        raise DataValidationError(sorted(errors, key=lambda e: e.row or 0))
    typed.attrs["resource"] = name or Path(csv_path).stem
    return typed


def _inside(folder: Path, relative: str) -> bool:
    """True if ``relative`` is a relative path that stays inside ``folder`` (also after symlinks), as the
    Data Package spec requires of resource paths (no absolute path, no '..')."""
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts:
        return False
    return (folder / candidate).resolve().is_relative_to(folder.resolve())


def package_descriptor(path: str | os.PathLike) -> tuple[Path, dict[str, Any]]:
    """Find and read a data package descriptor.

    Parameters
    ----------
    path : str or path-like
        A ``datapackage.json`` file or a folder that contains one.

    Returns
    -------
    pathlib.Path
        The descriptor file (resource paths are relative to its folder).
    dict
        The descriptor, with each resource's ``schema`` loaded if it was given as a path.

    Raises
    ------
    DataValidationError
        If there is no descriptor, it is not JSON, or a resource lacks a name, path or schema, or its
        path or schema file lies outside the descriptor's folder (absolute, with '..', or through a
        symlink); such a file is not read.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "datapackage.json"
    file = str(path)
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _file_error(file, "the data package descriptor does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _file_error(file, f"the descriptor is not valid JSON: {exc}") from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        raise _file_error(file, "the descriptor has no 'resources' list")
    problems = []
    for i, res in enumerate(resources, start=1):
        named = isinstance(res, dict) and all(isinstance(res.get(k), str) for k in ("name", "path"))
        if not named:
            problems.append(f"resource {i} must have a 'name' and a 'path' (strings)")
            continue
        schema = res.get("schema")
        outside = [(key, value) for key, value in (("path", res["path"]), ("schema", schema))
                   if isinstance(value, str) and not _inside(path.parent, value)]
        problems += [f"resource '{res['name']}': the {key} {value!r} leads outside the package folder "
                     f"{path.parent} (resource paths must be relative, without '..', and stay inside it); it was not read"
                     for key, value in outside]
        if outside:
            continue
        if isinstance(schema, str):
            try:
                res["schema"] = json.loads((path.parent / schema).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                problems.append(f"resource '{res['name']}': cannot read schema {schema!r}: {exc}")
        elif not isinstance(schema, dict):
            problems.append(f"resource '{res['name']}' has no 'schema'")
    if problems:
        raise DataValidationError([CellError(file, None, None, None, m) for m in problems])
    return path, descriptor


def load_package(
    path: str | os.PathLike, names: Iterable[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Read and validate the resources of a data package.

    Parameters
    ----------
    path : str or path-like
        A ``datapackage.json`` file or a folder that contains one.
    names : iterable of str, optional
        Resources to load (default: all, in descriptor order).

    Returns
    -------
    dict of str to pandas.DataFrame
        Typed table of each resource, by resource name.

    Raises
    ------
    DataValidationError
        With every problem in every requested resource (errors of all files are collected
        before raising), or if ``names`` holds an unknown resource or a resource's Table
        Schema is malformed.
    """
    descriptor_path, descriptor = package_descriptor(path)
    resources = {res["name"]: res for res in descriptor["resources"]}
    wanted = list(resources) if names is None else list(names)
    file = str(descriptor_path)
    unknown = [n for n in wanted if n not in resources]
    if unknown:
        raise DataValidationError([
            CellError(file, None, None, None, f"there is no resource named {n!r}") for n in unknown
        ])
    tables, errors = {}, []
    for name in wanted:
        res = resources[name]
        csv_path = descriptor_path.parent / res["path"]
        try:
            tables[name] = validate_resource(csv_path, res["schema"], name=name)
        except DataValidationError as exc:
            errors += exc.errors
        except ValueError as exc:  # malformed Table Schema
            errors.append(CellError(file, None, None, None, f"resource '{name}': {exc}"))
    if errors:
        raise DataValidationError(errors)
    return tables


def validate_package(path: str | os.PathLike) -> dict[str, pd.DataFrame]:
    """Validate every resource of a data package; return the typed tables.

    Equivalent to ``load_package(path)``: errors of all files are collected and raised together
    as one :class:`DataValidationError`.
    """
    return load_package(path)
