"""An effect table as configured (:class:`dprep.data.datasets.EffectTableSpec`): read from CSV or Excel,
its columns checked against the roles the measure needs, every problem reported with file, row and
column.

Roles and their rules (a Table Schema built for the table, checked by :mod:`dprep.data.schema`):

==============  ============================================================================
``label``       required text: how the study is named in tables and plots
``r``, ``n``    ZCOR: the correlation, −1 < r < 1, and the sample size, an integer ≥ 4
``yi``, ``vi``  GEN: an effect size on its analysis scale and its sampling variance (≥ 1e-100)
moderators      required text: categories (subgroups), each tested with QM
``cluster``     required text: effects with the same value come from the same sample or paper
``blinding``    ``blinded``, ``unblinded`` or ``unclear``: was outcome assessment blinded?
==============  ============================================================================

As :func:`dprep.stats.meta.rma` requires, the sampling variances (``vi``, or 1/(n − 3) of ZCOR) must span a
ratio below 10⁷; and a header must name every column once (:func:`dprep.data.sources.read_source` refuses a
second ``r``, which pandas would read as ``r.1`` while the analysis silently used the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dprep.data.datasets import EffectTableSpec
from dprep.data.schema import CellError, DataValidationError, validate_frame
from dprep.data.sources import read_source
from dprep.stats.meta import VI_MIN, VI_RATIO_MAX

#: Values of a blinding column.
BLINDING_VALUES = ("blinded", "unblinded", "unclear")

_ROLE_FIELDS = {
    "label": {"type": "string", "constraints": {"required": True}},
    "r": {"type": "number", "constraints": {"required": True, "exclusiveMinimum": -1, "exclusiveMaximum": 1}},
    "n": {"type": "integer", "constraints": {"required": True, "minimum": 4}},
    "yi": {"type": "number", "constraints": {"required": True}},
    "vi": {"type": "number", "constraints": {"required": True, "minimum": VI_MIN}},
}


@dataclass(frozen=True, eq=False)
class EffectTable:
    """A read and checked effect table.

    Attributes
    ----------
    spec : EffectTableSpec
        Its configuration.
    data : DataFrame
        Every column of the file in file order; the role columns typed (numbers), the others as text.
    roles : DataFrame
        One column per role (``label``, ``r``/``n`` or ``yi``/``vi``, each moderator under its own
        name, ``cluster``, ``blinding``), typed; moderators numeric when every cell is a number.
    """

    spec: EffectTableSpec
    data: pd.DataFrame
    roles: pd.DataFrame


def _schema(spec: EffectTableSpec, columns: list[str]) -> dict:
    fields = {source: _ROLE_FIELDS[role] for role, source in spec.columns.items()}
    for name in (*spec.moderators, spec.cluster):
        if name is not None:
            fields.setdefault(name, {"type": "string", "constraints": {"required": True}})
    if spec.blinding is not None:
        fields[spec.blinding] = {"type": "string", "constraints": {"required": True, "enum": list(BLINDING_VALUES)}}
    return {"fields": [{"name": c, **fields.get(c, {"type": "string"})} for c in columns]}


def _check_spread(typed: pd.DataFrame, spec: EffectTableSpec, file: str) -> None:
    """The sampling variances must span a ratio below ``VI_RATIO_MAX`` (the rows of the largest and the smallest)."""
    if "vi" in spec.columns:
        column, vi = spec.columns["vi"], typed[spec.columns["vi"]].to_numpy(float)
    else:
        column, vi = spec.columns["n"], 1.0 / (typed[spec.columns["n"]].to_numpy(float) - 3.0)
    big, small = int(np.argmax(vi)), int(np.argmin(vi))
    if vi[big] / vi[small] >= VI_RATIO_MAX:
        raise DataValidationError([CellError(
            file, row + 1, column, str(typed.at[row, column]),
            f"the sampling variances span a ratio of {vi[big] / vi[small]:.3g} (rows {big + 1} and {small + 1}), at "
            f"least {VI_RATIO_MAX:,.0f}: more than the meta-analysis can carry in double precision")
            for row in (big, small)])


def read_effect_table(spec: EffectTableSpec, root: str | Path = ".") -> EffectTable:
    """Read the configured table and check its columns.

    Parameters
    ----------
    spec : EffectTableSpec
        The configured table (``params.yaml``, ``datasets.effect_tables``).
    root : path-like, default "."
        Folder the configured path is relative to.

    Returns
    -------
    EffectTable
        The file's columns (roles typed) and the role columns.

    Raises
    ------
    dprep.data.schema.DataValidationError
        With every problem: a column the file names twice, a configured column it lacks, no data rows, a bad cell (file, row —
        1-based data records, header not counted — and column), sampling variances that span a ratio of
        10⁷ or more.
    """
    path = Path(root) / spec.path
    text = read_source(path, spec.sheet)
    named = [*spec.columns.values(), *spec.moderators, spec.cluster, spec.blinding]
    file = str(spec.path)
    absent = [c for c in dict.fromkeys(named) if c is not None and c not in text.columns]
    if absent:
        raise DataValidationError([CellError(file, None, c, None,
                                             f"the column does not exist (params.yaml: datasets.effect_tables "
                                             f"{spec.name!r}); columns: {', '.join(text.columns)}") for c in absent])
    if text.empty:
        raise DataValidationError([CellError(file, None, None, None, "the table has no data rows (only the header "
                                             f"line; params.yaml: datasets.effect_tables {spec.name!r})")])
    typed = validate_frame(text, _schema(spec, list(text.columns)), file=file)
    _check_spread(typed, spec, file)
    roles = pd.DataFrame({role: typed[source] for role, source in spec.columns.items()})
    for name in spec.moderators:
        roles[name] = typed[name].astype(object)
    if spec.cluster is not None:
        roles["cluster"] = typed[spec.cluster]
    if spec.blinding is not None:
        roles["blinding"] = typed[spec.blinding]
    if "n" in roles:
        roles["n"] = roles["n"].astype(np.int64)
        typed[spec.columns["n"]] = roles["n"]
    return EffectTable(spec=spec, data=typed, roles=roles)
