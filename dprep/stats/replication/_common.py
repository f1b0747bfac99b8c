"""Argument helpers shared by the replication metrics."""

from __future__ import annotations

import math

from dprep.core import args

#: (√5 + 1) / 2, used by the "golden" recalibration of the sceptical p-value.
GOLDEN_RATIO = (math.sqrt(5.0) + 1.0) / 2.0
#: Largest group size the replication metrics accept.
N_MAX = 10**9
#: Largest degrees of freedom of a t or F statistic (the default n1 + n2 − 2 of two groups of :data:`N_MAX`).
#: Up to it SciPy's t and noncentral t and the replication Bayes factor's quadrature keep their accuracy (at
#: df = 1e15 the Bayes factor was 1.6% off; beyond 2^63 SciPy refused the integer); the t distribution is the
#: normal one there to within 1e-9, so a larger df changes nothing but is refused.
DF_MAX = 2 * N_MAX
#: Largest smallest effect size of interest, in d units: an equivalence bound of more than 100 standard
#: deviations is no smallest effect of interest (more likely a bound in raw units), and near 1e308 the TOST's
#: t statistics (d ± SESOI)/√(1/n1 + 1/n2) leave the float range.
SESOI_MAX = 100.0


def _count(name: str, func: str, value, minimum: int = 2) -> int:
    """A group size: an integer in [``minimum``, :data:`N_MAX`] (≥ 2 by default)."""
    return args.integer(name, func, value, minimum, N_MAX)


def _df(func: str, df, n1: int, n2: int, name: str = "df") -> int:
    """Degrees of freedom of a two-sample t: ``df`` if given (an integer in [1, :data:`DF_MAX`]), else
    n1 + n2 − 2."""
    if df is None:
        return n1 + n2 - 2
    return args.integer(name, func, df, 1, DF_MAX)


def _sesoi(func: str, value) -> float:
    """A smallest effect size of interest in d units: a number in (0, :data:`SESOI_MAX`]."""
    return args.between("sesoi", func, value, 0.0, SESOI_MAX, closed="right")


def _scale(n1: int, n2: int) -> float:
    """√(1/n1 + 1/n2): t = d / scale for a two-sample design."""
    return math.sqrt(1.0 / n1 + 1.0 / n2)
