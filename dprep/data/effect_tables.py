"""An effect table as configured (:class:`dprep.data.datasets.EffectTableSpec`): read from CSV or Excel,
its columns checked against the roles the measure needs, every problem reported with file, row and
column.

Roles and their rules (a Table Schema built for the table, checked by :mod:`dprep.data.schema`):

==============  ============================================================================
``label``       required text: how the study is named in tables and plots
``r``, ``n``    ZCOR: the correlation, −1 < r < 1, and the sample size, an integer ≥ 4
``yi``, ``vi``  GEN: an effect size on its analysis scale and its sampling variance (> 0)
moderators      required text: categories (subgroups), each tested with QM
``cluster``     required text: effects with the same value come from the same sample or paper
``blinding``    ``blinded``, ``unblinded`` or ``unclear``: was outcome assessment blinded?
==============  ============================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dprep.data.datasets import EffectTableSpec
from dprep.data.schema import CellError, DataValidationError, validate_frame
from dprep.data.sources import read_source

#: Values of a blinding column.
BLINDING_VALUES = ("blinded", "unblinded", "unclear")

_ROLE_FIELDS = {
    "label": {"type": "string", "constraints": {"required": True}},
    "r": {"type": "number", "constraints": {"required": True, "minimum": -0.999999999, "maximum": 0.999999999}},
    "n": {"type": "integer", "constraints": {"required": True, "minimum": 4}},
    "yi": {"type": "number", "constraints": {"required": True}},
    "vi": {"type": "number", "constraints": {"required": True, "minimum": 1e-300}},
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
        With every problem: a configured column the file lacks, a bad cell (file, row — 1-based data
        records, header not counted — and column).
    """
    path = Path(root) / spec.path
    text = read_source(path, spec.sheet)
    named = [*spec.columns.values(), *spec.moderators, spec.cluster, spec.blinding]
    absent = [c for c in dict.fromkeys(named) if c is not None and c not in text.columns]
    if absent:
        raise DataValidationError([CellError(str(spec.path), None, c, None,
                                             f"the column does not exist (params.yaml: datasets.effect_tables "
                                             f"{spec.name!r}); columns: {', '.join(text.columns)}") for c in absent])
    typed = validate_frame(text, _schema(spec, list(text.columns)), file=str(spec.path))
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
