"""Effect sizes for meta-analysis computed from what studies report (metafor's ``escalc``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dprep.core import args


def escalc_zcor(r: ArrayLike, n: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's r-to-z transformed correlation and its sampling variance.

    Parameters
    ----------
    r : array_like, shape (k,)
        Pearson correlations, each strictly inside (-1, 1).
    n : array_like, shape (k,)
        Sample sizes, each > 3.

    Returns
    -------
    yi : ndarray, shape (k,)
        Fisher's z, ``atanh(r)``.
    vi : ndarray, shape (k,)
        Sampling variances ``1 / (n - 3)`` (z units squared).

    Raises
    ------
    ValueError
        If ``r`` and ``n`` differ in length, ``|r| >= 1`` or ``n <= 3``.

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation deduced from a small
    sample. Metron, 1, 3-32. Same as metafor's ``escalc(measure="ZCOR")`` (Viechtbauer, 2010, Table 1).
    """
    r = args.vector("r", "escalc_zcor", r)
    n = args.vector("n", "escalc_zcor", n)
    if r.shape != n.shape:
        raise ValueError(
            f"The 'n' parameter of escalc_zcor must have the same length as 'r' ({r.size}). "
            f"Got length {n.size} instead."
        )
    if np.any(np.abs(r) >= 1):
        bad = int(np.flatnonzero(np.abs(r) >= 1)[0])
        raise ValueError(
            f"The 'r' parameter of escalc_zcor must lie strictly inside (-1, 1). "
            f"Got {r[bad]!r} at position {bad} instead."
        )
    if np.any(n <= 3):
        bad = int(np.flatnonzero(n <= 3)[0])
        raise ValueError(
            f"The 'n' parameter of escalc_zcor must be greater than 3. Got {n[bad]!r} at position {bad} instead."
        )
    return np.arctanh(r), 1.0 / (n - 3.0)


def z_to_r(z: ArrayLike) -> np.ndarray:
    """Back-transform Fisher's z to a correlation, ``r = tanh(z)``.

    Parameters
    ----------
    z : array_like
        Fisher z values (any shape).

    Returns
    -------
    ndarray
        Correlations, same shape as ``z``.

    Raises
    ------
    ValueError
        If ``z`` is not numeric.

    References
    ----------
    metafor ``transf.ztor`` (Viechtbauer, 2010).
    """
    return np.tanh(np.asarray(z, dtype=float))
