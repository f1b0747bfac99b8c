"""The one argument validator: every check raises :class:`~dprep.core.errors.ArgumentError` with one
message shape, after scikit-learn's ``_param_validation``::

    The 'n1' parameter of d_ci must be an integer ≥ 2. Got 1 instead.

Each function takes the parameter's name, the public function's name and the value, and returns the
value converted (``float``, ``int`` or a read-only-safe ``ndarray``).
"""

from __future__ import annotations

import math
from typing import Any, NoReturn, Sequence

import numpy as np

from dprep.core.errors import ArgumentError


def fail(name: str, func: str, must: str, got: Any, *, raw: bool = False) -> NoReturn:
    """Raise the standard message: "The '{name}' parameter of {func} must {must}. Got {got!r} instead.".

    ``must`` is the requirement after "must", e.g. "be an integer ≥ 2"; with ``raw=True`` ``got`` is a
    description printed as is (e.g. "shape (2, 3)").
    """
    if isinstance(got, np.generic):
        got = got.item()
    raise ArgumentError(f"The '{name}' parameter of {func} must {must}. "
                        f"Got {got if raw else repr(got)} instead.")


def finite(name: str, func: str, value: Any) -> float:
    """``value`` as a finite float."""
    if isinstance(value, bool):
        fail(name, func, "be a finite number", value)
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        fail(name, func, "be a finite number", value)
    if not math.isfinite(out):
        fail(name, func, "be a finite number", value)
    return out


def positive(name: str, func: str, value: Any) -> float:
    """``value`` as a finite float > 0."""
    out = finite(name, func, value)
    if out <= 0:
        fail(name, func, "be a finite number > 0", value)
    return out


def nonnegative(name: str, func: str, value: Any) -> float:
    """``value`` as a finite float ≥ 0."""
    out = finite(name, func, value)
    if out < 0:
        fail(name, func, "be a finite number ≥ 0", value)
    return out


def between(name: str, func: str, value: Any, lo: float, hi: float, *, closed: str = "neither") -> float:
    """``value`` as a finite float in an interval; ``closed`` is "neither", "left", "right" or "both"."""
    out = finite(name, func, value)
    left, right = closed in ("left", "both"), closed in ("right", "both")
    ok = (out >= lo if left else out > lo) and (out <= hi if right else out < hi)
    if not ok:
        fail(name, func, f"be in {'[' if left else '('}{lo:g}, {hi:g}{']' if right else ')'}", value)
    return out


def level(func: str, value: Any, name: str = "level") -> float:
    """A confidence level in (0, 1), e.g. 0.95."""
    return between(name, func, value, 0.0, 1.0)


def integer(name: str, func: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in [``minimum``, ``maximum``] (whole floats accepted, booleans refused)."""
    bounds = ([f"≥ {minimum}"] if minimum is not None else []) + ([f"≤ {maximum:,}"] if maximum is not None else [])
    must = " ".join(["be an integer", " and ".join(bounds)]).strip()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)):
        fail(name, func, must, value)
    if isinstance(value, (float, np.floating)) and not (math.isfinite(value) and float(value).is_integer()):
        fail(name, func, must, value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        fail(name, func, must, value)
    return int(value)


def option(name: str, func: str, value: Any, allowed: Sequence[Any]) -> Any:
    """``value`` if it is one of ``allowed``."""
    if value not in allowed:
        fail(name, func, "be one of " + ", ".join(map(repr, allowed)), value)
    return value


def vector(name: str, func: str, value: Any, *, size: int | None = None, min_size: int = 1,
           finite_only: bool = True) -> np.ndarray:
    """``value`` as a 1-d float array (a copy), optionally of a given length, all finite."""
    try:
        arr = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(name, func, "be a 1-d array of numbers", value)
    if arr.ndim != 1 or arr.size < min_size:
        fail(name, func, f"be a 1-d array with at least {min_size} value(s)", f"shape {arr.shape}", raw=True)
    if size is not None and arr.size != size:
        fail(name, func, f"have length {size}", f"length {arr.size}", raw=True)
    if finite_only and not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        fail(name, func, "contain finite numbers only", f"{float(arr[bad])!r} at position {bad}", raw=True)
    return arr


def check(condition: bool, name: str, func: str, must: str, got: Any, *, raw: bool = False) -> None:
    """Raise the standard message unless ``condition`` holds (for checks the helpers above do not cover)."""
    if not condition:
        fail(name, func, must, got, raw=raw)
