"""Tables in the formats researchers have: CSV, Excel, SPSS and Stata files read as text cells.

Every reader of another layout (:func:`dprep.data.diaries.ingest`, the effect tables of
:mod:`dprep.data.effect_tables`) starts from :func:`read_source`, so all formats are checked by the
same Table Schemas afterwards and their errors name the source file, row and column alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dprep.data.schema import CellError, DataValidationError, duplicated_columns

#: Formats :func:`read_source` reads, by file suffix.
FORMATS = {".csv": "CSV", ".xlsx": "Excel", ".xlsm": "Excel", ".sav": "SPSS", ".zsav": "SPSS", ".dta": "Stata"}


def _cell_text(value: Any) -> str:
    """A cell of a typed source (Excel, SPSS, Stata) as the text a CSV would hold (19.0 → "19")."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def _unreadable(path: str | Path, message: str) -> DataValidationError:
    """An error about a whole file, on one line."""
    return DataValidationError([CellError(str(path), None, None, None, " ".join(message.split()))])


def read_csv_text(path: str | Path) -> pd.DataFrame:
    """A UTF-8 CSV file as text cells, as written (a leading byte-order mark and spaces after a comma are dropped).

    Parameters
    ----------
    path : path-like
        The CSV file.

    Returns
    -------
    DataFrame
        One column per header name, cells as text (empty cells as ``""``), rows in file order.

    Raises
    ------
    dprep.data.schema.DataValidationError
        With one record naming the file if it does not exist or is not a file, is empty, is not
        UTF-8 (e.g. saved as Latin-1) or cannot be parsed as a CSV; the message is one line. With one
        record per column name the header gives more than once (:func:`dprep.data.schema.duplicated_columns`:
        pandas would read the second ``x`` as ``x.1`` and the first would be used silently).
    """
    options: dict[str, Any] = dict(dtype=str, keep_default_na=False, encoding="utf-8", skipinitialspace=True)
    try:
        frame = pd.read_csv(path, **options)
        header = pd.read_csv(path, header=None, nrows=1, **options).iloc[0]  # the names before pandas renames copies
    except FileNotFoundError:
        raise _unreadable(path, "the file does not exist") from None
    except OSError as exc:
        raise _unreadable(path, f"the file cannot be read: {exc.strerror or exc}") from None
    except pd.errors.EmptyDataError:
        raise _unreadable(path, "the file is empty (no header)") from None
    except UnicodeDecodeError as exc:
        raise _unreadable(path, f"the file is not UTF-8 text (it holds the byte 0x{exc.object[exc.start]:02x}: "
                                "Latin-1 or another encoding?); save it as UTF-8") from None
    except pd.errors.ParserError as exc:
        raise _unreadable(path, f"the file cannot be read as a CSV: {exc}") from None
    duplicated_columns(list(header), str(path))
    return frame


def read_source(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """A table of another layout as text cells, whatever its format.

    CSV (UTF-8) is read as written (:func:`read_csv_text`); Excel (``.xlsx``, ``.xlsm``: openpyxl) from ``sheet`` (default
    the first); SPSS (``.sav``, ``.zsav``) and Stata (``.dta``) with pyreadstat, **value labels
    replacing the codes** (a group coded 1/2/3 and labelled expert/amateur/professional reads as
    its labels). Numbers become their CSV text (a whole number without ``.0``); missing cells are
    empty.

    Parameters
    ----------
    path : path-like
        The source file; its suffix gives the format (:data:`FORMATS`).
    sheet : str or int, optional
        Excel sheet name or 0-based position.

    Returns
    -------
    DataFrame
        One column per source column, cells as text, rows in file order.

    Raises
    ------
    dprep.data.schema.DataValidationError
        If the format is unknown or the file cannot be read (naming the file), or the header names a
        column more than once (one record per such column, as :func:`read_csv_text`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise _unreadable(path, f"unknown format {suffix or '(no suffix)'!r}; known: {', '.join(FORMATS)}")
    if suffix == ".csv":
        return read_csv_text(path)
    try:
        if FORMATS[suffix] == "Excel":
            options = dict(sheet_name=0 if sheet is None else sheet, dtype=object, engine="openpyxl")
            frame = pd.read_excel(path, **options)
            # the names as written: pandas renames a second 'x' to 'x.1'
            header = pd.read_excel(path, header=None, nrows=1, **options).to_numpy().ravel()
        else:
            import pyreadstat

            reader = pyreadstat.read_sav if FORMATS[suffix] == "SPSS" else pyreadstat.read_dta
            frame, _ = reader(str(path), apply_value_formats=True)
            header = frame.columns
    except Exception as exc:  # openpyxl / pyreadstat raise their own types for damaged files
        raise _unreadable(path, f"the file cannot be read as {FORMATS[suffix]}: {exc}") from None
    duplicated_columns([_cell_text(c) for c in header], str(path))
    frame.columns = [str(c) for c in frame.columns]
    return frame.apply(lambda col: col.map(_cell_text)).astype(str)
