"""The one results convention.

Every result object of dprep is a frozen dataclass made with :func:`result` and derived from
:class:`Result`. Field names follow metafor: the point estimate is ``estimate``, its standard error
``se``, interval bounds ``ci_lb``/``ci_ub`` (prediction intervals ``pi_lb``/``pi_ub``, posterior
intervals ``hdi_lb``/``hdi_ub``), p-values ``pval``. Every result has

* ``to_dict()`` — plain Python (JSON-ready), nested results as dicts, arrays as lists;
* ``to_frame()`` — a tidy :class:`pandas.DataFrame`;
* ``summary()`` — a printed, metafor-like text summary;
* a short ``repr()`` (the headline numbers, never the data) and ``_repr_html_`` for Jupyter.

Fields that hold inputs or fitted sub-models are declared with :func:`internal`: they are kept on
the object but left out of ``to_dict()`` and ``repr()``.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Any, ClassVar, Mapping

import numpy as np

from dprep.core import fmt

HEADLINE = ("estimate", "se", "ci_lb", "ci_ub", "pval")


def result(cls: type | None = None, *, eq: bool = True):
    """Class decorator: a frozen dataclass without the generated repr (the :class:`Result` one is used)."""

    def wrap(klass: type) -> type:
        return dataclasses.dataclass(frozen=True, repr=False, eq=eq)(klass)

    return wrap if cls is None else wrap(cls)


def internal(**kwargs: Any) -> Any:
    """A dataclass field kept on the result but not exported by ``to_dict()`` nor shown by ``repr()``."""
    return dataclasses.field(repr=False, metadata={"export": False}, **kwargs)


def plain(value: Any) -> Any:
    """``value`` as plain Python: results → dict, arrays → lists, numpy scalars → Python numbers."""
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame (pandas is imported lazily)
        return [plain(r) for r in value.to_dict(orient="records")]
    if hasattr(value, "to_dict") and hasattr(value, "index"):  # a Series
        return plain(value.to_dict())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, bool, int, float, np.integer, np.floating, np.bool_))


def _shown(value: Any, digits: int = 4) -> str:
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str) or value is None:
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return fmt.MISSING
        return f"{value:.{digits}g}" if abs(value) < 1e-3 and value != 0 else f"{value:.{digits}f}"
    if isinstance(value, (list, tuple)) and len(value) <= 4 and all(_scalar(v) for v in value):
        return "[" + ", ".join(_shown(v, digits) for v in value) + "]"
    return type(value).__name__


class Result:
    """Base class of dprep's result objects; see the module docstring."""

    #: First line of :meth:`summary`.
    title: ClassVar[str] = ""

    def _exported(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)  # type: ignore[arg-type]
                if f.metadata.get("export", True)}

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy of the exported fields (JSON-ready; NaN stays NaN)."""
        return {key: plain(value) for key, value in self._exported().items()}

    def to_frame(self):
        """One-row :class:`pandas.DataFrame` of the scalar fields (nested values are left out)."""
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in self.to_dict().items() if _scalar(v)}])

    def _summary_lines(self) -> list[str]:
        rows = [(k, v) for k, v in self._exported().items() if _scalar(v)]
        width = max((len(k) for k, _ in rows), default=0)
        return [f"{k.ljust(width)}  {_shown(v)}" for k, v in rows]

    def summary(self) -> str:
        """A printed summary: title, then the results (metafor-like where there is a metafor analogue)."""
        title = self.title or type(self).__name__
        return "\n".join([title, "", *self._summary_lines()])

    def _headline(self) -> dict[str, Any]:
        out = {}
        for key in HEADLINE:
            if hasattr(self, key):
                value = getattr(self, key)
                if _scalar(value):
                    out[key] = value
        return out

    def __repr__(self) -> str:
        items = self._headline() or {k: v for k, v in list(self._exported().items())[:5] if _scalar(v)}
        return f"{type(self).__name__}(" + ", ".join(f"{k}={_shown(v)}" for k, v in items.items()) + ")"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary())}</pre>"


@result
class Interval(Result):
    """A point estimate with a two-sided interval at ``level``.

    Attributes
    ----------
    estimate : float
        Point estimate.
    ci_lb, ci_ub : float
        Lower and upper bound.
    level : float
        Confidence (or credibility) level in (0, 1).
    """

    title: ClassVar[str] = "Interval"

    estimate: float
    ci_lb: float
    ci_ub: float
    level: float

    def contains(self, value: float) -> bool:
        """True if ``ci_lb ≤ value ≤ ci_ub``."""
        return bool(self.ci_lb <= value <= self.ci_ub)

    def _summary_lines(self) -> list[str]:
        head = f"estimate {_shown(self.estimate)}, {round(100 * self.level, 6):g}% interval {fmt.ci(self.ci_lb, self.ci_ub, 4)}"
        rest = [line for line in super()._summary_lines()
                if line.split()[0] not in ("estimate", "ci_lb", "ci_ub", "level")]
        return [head, *rest]
