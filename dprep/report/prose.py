"""Words that follow the numbers: comparisons and lists for the prose of the report pages.

A page never types "larger", "outside" or "no asymmetry": it asks these helpers, which choose the word
from the values, so the sentence changes when the data do. A list of items is data: :func:`listing`
escapes each item (:func:`dprep.report.markup.escape`) unless the page made it as Markdown
(:class:`~dprep.report.markup.Markup`).
"""

from __future__ import annotations

from typing import Iterable

from dprep.report.markup import Markup, escape

__all__ = ["compare", "listing"]


def compare(a: float, b: float, *, more: str = "larger than", less: str = "smaller than",
            same: str = "equal to") -> str:
    """The word comparing ``a`` with ``b``: ``more`` if a > b, ``less`` if a < b, else ``same``.

    Parameters
    ----------
    a, b : float
    more, less, same : str
        The words.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If either value is NaN.

    Examples
    --------
    >>> compare(0.55, 0.34)
    'larger than'
    """
    if a != a or b != b:
        raise ValueError(f"The 'a' and 'b' parameters of compare must be numbers. Got {a!r} and {b!r} instead.")
    return more if a > b else less if a < b else same


def listing(items: Iterable[str], conjunction: str = "and") -> Markup:
    """``"a, b and c"``, each item escaped as data unless it is :class:`~dprep.report.markup.Markup`.

    Parameters
    ----------
    items : iterable of str
    conjunction : str, default "and"
        Written by the page (not escaped).

    Returns
    -------
    Markup

    Examples
    --------
    >>> listing(["DL", "REML", "PM"])
    'DL, REML and PM'
    """
    items = [escape(i) for i in items]
    if len(items) < 2:
        return Markup("".join(items))
    return Markup(f"{', '.join(items[:-1])} {conjunction} {items[-1]}")
