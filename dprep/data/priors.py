"""The meta-epidemiological bias priors table (``data/raw/blinding_bias_priors.csv``), each row translated
to a prior for the bias of one unblinded study on the SMD scale."""

from __future__ import annotations

import csv
import os

from dprep.core.errors import DataError
from dprep.stats.bias import BiasPrior, translate_bias_prior


def read_bias_priors(path: str | os.PathLike) -> list[BiasPrior]:
    """Read ``blinding_bias_priors.csv`` and translate every row (see :func:`translate_bias_prior`).

    Parameters
    ----------
    path : path-like
        CSV file in the layout of ``data/raw/blinding_bias_priors.csv``.

    Returns
    -------
    list of BiasPrior

    Raises
    ------
    DataError
        If a row cannot be translated (the message names the file and row number).
    """
    out = []
    with open(path, newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            try:
                out.append(translate_bias_prior(row))
            except ValueError as exc:
                raise DataError(f"{path}: row {i - 1}: {exc}") from None
    return out
