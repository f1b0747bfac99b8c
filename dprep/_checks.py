"""Argument checks shared by the statistics modules.

Every message has one shape: "The 'x' parameter of f must be ... Got ... instead."
"""

from __future__ import annotations

import math

import numpy as np


def finite(name: str, func: str, value) -> float:
    """``value`` as a finite float, or ValueError naming the parameter and function."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"The '{name}' parameter of {func} must be a finite number. Got {value!r} instead."
        ) from None
    if not math.isfinite(out):
        raise ValueError(f"The '{name}' parameter of {func} must be a finite number. Got {value!r} instead.")
    return out


def positive(name: str, func: str, value) -> float:
    """``value`` as a finite float > 0, or ValueError."""
    out = finite(name, func, value)
    if out <= 0:
        raise ValueError(f"The '{name}' parameter of {func} must be > 0. Got {value!r} instead.")
    return out


def integer(name: str, func: str, value, minimum: int) -> int:
    """``value`` as an int ≥ ``minimum`` (whole floats accepted, booleans refused), or ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float)) \
            or not float(value).is_integer() or value < minimum:
        raise ValueError(
            f"The '{name}' parameter of {func} must be an integer >= {minimum}. Got {value!r} instead."
        )
    return int(value)
