"""Argument helpers shared by the replication metrics."""

from __future__ import annotations

import math

from dprep.core import args

#: (√5 + 1) / 2, used by the "golden" recalibration of the sceptical p-value.
GOLDEN_RATIO = (math.sqrt(5.0) + 1.0) / 2.0


def _count(name: str, func: str, value, minimum: int = 2) -> int:
    """A group size (an integer ≥ 2 by default)."""
    return args.integer(name, func, value, minimum)


def _df(func: str, df, n1: int, n2: int) -> int:
    """Degrees of freedom of a two-sample t: ``df`` if given (≥ 1), else n1 + n2 − 2."""
    if df is None:
        return n1 + n2 - 2
    return args.integer("df", func, df, 1)


def _scale(n1: int, n2: int) -> float:
    """√(1/n1 + 1/n2): t = d / scale for a two-sample design."""
    return math.sqrt(1.0 / n1 + 1.0 / n2)
