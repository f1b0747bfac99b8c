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

from dprep.data.schema import CellError, DataValidationError

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


def read_source(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """A table of another layout as text cells, whatever its format.

    CSV (UTF-8) is read as written; Excel (``.xlsx``, ``.xlsm``: openpyxl) from ``sheet`` (default
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
        If the format is unknown or the file cannot be read (naming the file).
    """
    path = Path(path)
    suffix = path.suffix.lower()

    def unreadable(message: str) -> DataValidationError:
        return DataValidationError([CellError(str(path), None, None, None, message)])

    if suffix not in FORMATS:
        raise unreadable(f"unknown format {suffix or '(no suffix)'!r}; known: {', '.join(FORMATS)}")
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if FORMATS[suffix] == "Excel":
            frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, engine="openpyxl")
        else:
            import pyreadstat

            reader = pyreadstat.read_sav if FORMATS[suffix] == "SPSS" else pyreadstat.read_dta
            frame, _ = reader(str(path), apply_value_formats=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise unreadable(f"the file cannot be read as a CSV: {exc}")
    except Exception as exc:  # openpyxl / pyreadstat raise their own types for damaged files
        raise unreadable(f"the file cannot be read as {FORMATS[suffix]}: {exc}")
    frame.columns = [str(c) for c in frame.columns]
    return frame.apply(lambda col: col.map(_cell_text)).astype(str)
