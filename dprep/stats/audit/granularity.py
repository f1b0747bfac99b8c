"""Granularity checks of reported summary statistics: GRIM, GRIMMER and DEBIT.

Data made of whole numbers leave fingerprints in their summaries. The mean of n integer responses
to k items is a total divided by n·k; the SD of such data comes from an integer sum of squares; the
SD of binary (0/1) data is fixed by its mean. A reported mean, SD and n that no data set of that
kind can produce are *inconsistent*: an error somewhere (a typo, a wrong n, a different scale, an
unreported exclusion), not by itself evidence of anything worse.

Arithmetic is exact (:class:`fractions.Fraction`), so a verdict never depends on floating-point
noise.

Rounding conventions
--------------------
A reported value with d decimals stands for every value that rounds to it. Values strictly inside
``reported ± ½·10⁻ᵈ`` always do; a value exactly on the boundary (a tie, e.g. 1.125 → 1.12 or 1.13)
depends on the convention, given by ``rounding``:

``"up_or_down"`` (default)
    either half-up or half-down, as Brown & Heathers (2017) allow, since papers do not say which
    their software used;
``"up"``, ``"down"``
    ties away from zero / towards zero;
``"even"``
    ties to the even last digit (IEC 60559; R's and NumPy's ``round``).

The number of decimals is read from the reported text (``"8.00"`` has 2), so pass means and SDs as
*strings*, as printed; a float loses trailing zeros (``8.00`` → ``8.0``) unless ``decimals`` is
given.

Any n
-----
The totals (GRIM) and counts (DEBIT) consistent with a printed value form one interval of integers, or two
for DEBIT's SD (it rises up to n/2 and falls after), found from its ends (GRIM) or by bisection (DEBIT)
without enumerating it: n = 10³⁰ takes as long as n = 28 (DEBIT: 4·log₂ n steps). GRIMMER also needs no
enumeration when the SD's rounding window holds sums of squares of both parities for every total (always,
for realistic n); otherwise it checks the totals one by one, at most :data:`TOTALS_CHECKED_MAX` of them
(more only when the SD is printed with about 5 more decimals than the mean). Results list at most
:data:`LISTED_MAX` totals, counts or pairs, the smallest first; ``truncated`` says when more exist.
When n·items ≥ 10^decimals every printed mean is possible (Brown & Heathers 2017): GRIM then says
``applicable = False``.

References
----------
Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple technique detects numerous
anomalies in the reporting of results in psychology. *Social Psychological and Personality Science,
8*(4), 363–369. https://doi.org/10.1177/1948550616673876

Anaya, J. (2016). The GRIMMER test: A method for testing the validity of reported measures of
variability. *PeerJ Preprints, 4*, e2400v1. https://doi.org/10.7287/peerj.preprints.2400v1

Allard, A. (2018). Analytic-GRIMMER: a new way of testing the possibility of standard deviations
(blog post, 2018-05-20; the closed-form version of GRIMMER implemented here).

Heathers, J. A. J., & Brown, N. J. L. (2019). DEBIT: A simple consistency test for binary data.
*OSF Preprints*. https://osf.io/5vb3u
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import chain, islice
from typing import Callable, ClassVar, Iterable, Iterator

from dprep.core import args
from dprep.core.results import Result, result

#: Conventions for a value exactly halfway between two reportable values (see the module docstring).
ROUNDING = ("up_or_down", "up", "down", "even")
#: At most this many admissible totals (GRIM), (total, sum of squares) pairs (GRIMMER) or counts (DEBIT) are
#: listed in a result, the smallest first; its ``truncated`` is True when more exist.
LISTED_MAX = 100
#: GRIMMER checks the totals one by one only when the SD's rounding window is too narrow to hold sums of
#: squares of both parities for every total; then at most this many totals (about a second).
TOTALS_CHECKED_MAX = 100_000


def _reported(name: str, func: str, value: str | float, decimals: int | None) -> tuple[Fraction, int]:
    """A reported number as an exact fraction and its number of decimals (from its text, or given)."""
    try:
        text = Decimal(str(value).strip())
    except InvalidOperation:
        args.fail(name, func, "be a number as reported (e.g. '9.87')", value)
    if not text.is_finite():
        args.fail(name, func, "be a finite number", value)
    found = max(0, -int(text.as_tuple().exponent))
    if decimals is not None:
        found = args.integer("decimals", func, decimals, minimum=0)
    return Fraction(text), found


def _rounds_to(value: Fraction, reported: Fraction, decimals: int, rounding: str) -> bool:
    """True if ``value`` rounded to ``decimals`` under ``rounding`` can be printed as ``reported``."""
    half = Fraction(1, 2 * 10**decimals)
    gap = value - reported
    if abs(gap) < half:
        return True
    if abs(gap) > half:
        return False
    # A tie: value is halfway between reported and its neighbour on the side of gap.
    away = abs(value) > abs(reported)  # rounding value to reported goes towards zero
    towards_reported = {"up": not away, "down": away}
    if rounding == "even":
        return (reported * 10**decimals).numerator % 2 == 0
    if rounding == "up_or_down":
        return True
    return towards_reported[rounding]


def _round_half_up(value: Fraction, decimals: int) -> Fraction:
    """``value`` rounded to ``decimals``, ties away from zero."""
    scaled = abs(value) * 10**decimals
    out = Fraction(math.floor(scaled + Fraction(1, 2)), 10**decimals)
    return out if value >= 0 else -out


def _totals(mean: Fraction, decimals: int, cells: int, rounding: str, lo: Fraction | None,
            hi: Fraction | None) -> range:
    """The integer totals T (over ``cells`` = n·items responses) whose mean T / cells prints as ``mean``, within
    [lo, hi]·cells: one interval, found from its ends. Every T strictly inside the rounding window
    (mean ± ½·10⁻ᵈ)·cells prints as ``mean``; only the two ends can be ties, which ``rounding`` decides."""
    half = Fraction(1, 2 * 10**decimals)
    first, last = math.ceil((mean - half) * cells), math.floor((mean + half) * cells)
    if lo is not None:
        first = max(first, math.ceil(lo * cells))
    if hi is not None:
        last = min(last, math.floor(hi * cells))
    if first <= last and not _rounds_to(Fraction(first, cells), mean, decimals, rounding):
        first += 1
    if first <= last and not _rounds_to(Fraction(last, cells), mean, decimals, rounding):
        last -= 1
    return range(first, max(first, last + 1))


def _size(r: range) -> int:
    """The length of a range of any size (``len`` stops at 2⁶³)."""
    return max(0, r.stop - r.start)


def _listed(values: Iterable) -> tuple[list, bool]:
    """The first :data:`LISTED_MAX` values and whether there are more."""
    head = list(islice(values, LISTED_MAX + 1))
    return head[:LISTED_MAX], len(head) > LISTED_MAX


def _first(holds: Callable[[int], bool], r: range) -> int:
    """The smallest k of ``r`` where ``holds`` (False, then True along ``r``) is True; ``r.stop`` if none."""
    lo, hi = r.start, r.stop
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _scale(func: str, scale_min: float | None, scale_max: float | None) -> tuple[Fraction | None, Fraction | None]:
    lo = None if scale_min is None else Fraction(str(args.finite("scale_min", func, scale_min)))
    hi = None if scale_max is None else Fraction(str(args.finite("scale_max", func, scale_max)))
    args.check(lo is None or hi is None or lo < hi, "scale_max", func, "be greater than scale_min",
               scale_max)
    return lo, hi


class _Check(Result):
    """Shared summary of the granularity checks: the verdict, the scalars, then the lists."""

    def _summary_lines(self) -> list[str]:
        lists = [f"{k}: {', '.join(map(str, v)) or '(none)'}" for k, v in self.to_dict().items()
                 if isinstance(v, list)]
        lists += [f"(only the first {LISTED_MAX} admissible values are listed)"] if self.truncated else []
        return [f"verdict     {'consistent' if self.consistent else 'INCONSISTENT'}", *super()._summary_lines(), *lists]


def _assumption(n: int, items: int, lo, hi, rounding: str) -> str:
    scale = "" if lo is None and hi is None else f" on a {lo if lo is not None else '−∞'}–{hi if hi is not None else '∞'} scale"
    ties = "half up or half down" if rounding == "up_or_down" else f"ties {rounding}"
    return (f"integer responses{scale}, {items} item{'s' if items != 1 else ''} per score, n = {n}, "
            f"every participant answering; printed values rounded ({ties})")


@result
class GrimResult(_Check):
    """The GRIM test of one reported mean (:func:`grim`).

    Attributes
    ----------
    mean : float
        The reported mean.
    decimals : int
        Its number of decimals.
    n, items : int
        Sample size and number of items averaged into each participant's score.
    consistent : bool
        True if some integer total of the n·items responses gives a mean printed as ``mean``.
    applicable : bool
        False when n·items ≥ 10^decimals: the means of such data are spaced more finely than the
        printed precision, so every printed mean is possible and the test cannot fail.
    admissible_totals : list of int
        The integer totals T (sum of all n·items responses) with T / (n·items) printed as ``mean``
        (within the scale, when given): at most :data:`LISTED_MAX`, the smallest.
    truncated : bool
        True when more totals are admissible than are listed.
    nearest : list of float
        The closest consistent means below and above ``mean`` at its precision (empty if consistent).
    assumption : str
        What the verdict assumes (integer responses, items, scale, n, rounding).
    """

    title: ClassVar[str] = "GRIM test (Brown & Heathers, 2017)"

    mean: float
    decimals: int
    n: int
    items: int
    consistent: bool
    applicable: bool
    admissible_totals: list[int]
    truncated: bool
    nearest: list[float]
    assumption: str


def grim(mean: str | float, n: int, *, items: int = 1, scale_min: float | None = None,
         scale_max: float | None = None, decimals: int | None = None, rounding: str = "up_or_down") -> GrimResult:
    """GRIM: can n participants' integer responses to ``items`` items have the reported mean?

    The mean of n·k integer responses is T / (n·k) for an integer total T. The reported mean M
    (d decimals) is consistent if some integer T — within [n·k·min, n·k·max] when the scale is
    given — satisfies round(T / (n·k), d) = M under the rounding convention.

    Parameters
    ----------
    mean : str or float
        The mean as printed (a string keeps its trailing zeros: ``"8.00"``).
    n : int
        Number of participants (≥ 1).
    items : int, default 1
        Number of integer items averaged (or summed and divided) into each participant's score.
    scale_min, scale_max : float, optional
        Range of a single response (e.g. 0 and 10); restricts the admissible totals.
    decimals : int, optional
        Decimals of the printed mean (default: read from ``mean``).
    rounding : {"up_or_down", "up", "down", "even"}
        Convention for ties (see the module docstring).

    Returns
    -------
    GrimResult
        ``consistent``, ``applicable``, ``admissible_totals`` (at most :data:`LISTED_MAX`), ``truncated``,
        ``nearest`` and the ``assumption``. The time does not depend on n or ``items``.

    Raises
    ------
    ArgumentError
        If ``mean`` is not a number, ``n`` or ``items`` is not a positive integer, the scale is
        empty, or ``rounding`` is unknown.

    References
    ----------
    Brown & Heathers (2017), the GRIM test (see the module docstring).
    """
    return _grim(mean, n, items=items, scale_min=scale_min, scale_max=scale_max, decimals=decimals,
                 rounding=rounding)[0]


def _grim(mean: str | float, n: int, *, items: int = 1, scale_min: float | None = None,
          scale_max: float | None = None, decimals: int | None = None,
          rounding: str = "up_or_down") -> tuple[GrimResult, range]:
    """:func:`grim` and every admissible total (the listed ones are the first :data:`LISTED_MAX`)."""
    func = "grim"
    value, d = _reported("mean", func, mean, decimals)
    n = args.integer("n", func, n, minimum=1)
    items = args.integer("items", func, items, minimum=1)
    args.option("rounding", func, rounding, ROUNDING)
    lo, hi = _scale(func, scale_min, scale_max)
    cells = n * items
    totals = _totals(value, d, cells, rounding, lo, hi)
    listed, truncated = _listed(totals)
    # The two possible means around the reported one, printed at its precision (half up).
    nearest = [] if totals else [float(_round_half_up(Fraction(t, cells), d))
                                 for t in (math.floor(value * cells), math.ceil(value * cells))]
    return GrimResult(mean=float(value), decimals=d, n=n, items=items, consistent=bool(totals),
                      applicable=cells < 10**d, admissible_totals=listed, truncated=truncated, nearest=nearest,
                      assumption=_assumption(n, items, lo, hi, rounding)), totals


@result
class GrimmerResult(_Check):
    """The GRIMMER test of a reported mean and SD (:func:`grimmer`).

    Attributes
    ----------
    mean, sd : float
        The reported mean and sample SD.
    n, items : int
        Sample size and items per score.
    consistent : bool
        True if some integer data set gives both printed values (GRIM, then GRIMMER's conditions).
    grim_consistent : bool
        The GRIM verdict of the mean alone.
    reason : str
        ``"consistent"``, ``"GRIM"`` (the mean is impossible), ``"sum of squares"`` (no integer sum of
        squares lies in the SD's rounding interval) or ``"parity"`` (the only such sums of squares
        have the wrong parity: Σx² and Σx are both even or both odd).
    admissible : list of list of int
        The pairs [T, Q] (total, sum of squared person totals) that reproduce both printed values: at
        most :data:`LISTED_MAX`, by T, then Q.
    truncated : bool
        True when more pairs are admissible than are listed.
    assumption : str
        What the verdict assumes.
    """

    title: ClassVar[str] = "GRIMMER test (Anaya, 2016)"

    mean: float
    sd: float
    n: int
    items: int
    consistent: bool
    grim_consistent: bool
    reason: str
    admissible: list[list[int]]
    truncated: bool
    assumption: str


def grimmer(mean: str | float, sd: str | float, n: int, *, items: int = 1, scale_min: float | None = None,
            scale_max: float | None = None, rounding: str = "up_or_down") -> GrimmerResult:
    """GRIMMER: are a reported mean and sample SD of integer data possible together with n?

    With person totals tᵢ (integers: each person's score times ``items``), T = Σtᵢ and Q = Σtᵢ² are
    integers, the SD of the scores is s = √((Q − T²/n) / (k²(n − 1))), and Q ≡ T (mod 2) because
    t² ≡ t (mod 2). The pair is consistent when a GRIM-admissible T and an integer Q of T's parity
    give an s printed as ``sd`` (Anaya 2016; the closed form of Allard 2018).

    Parameters
    ----------
    mean, sd : str or float
        The mean and sample SD (n − 1 denominator) as printed; strings keep trailing zeros.
    n : int
        Number of participants (≥ 2).
    items : int, default 1
        Integer items per participant's score.
    scale_min, scale_max : float, optional
        Range of one response; restricts the totals (GRIM step).
    rounding : {"up_or_down", "up", "down", "even"}
        Convention for ties, applied to the mean and to the SD.

    Returns
    -------
    GrimmerResult
        ``consistent``, ``grim_consistent``, the ``reason`` of an inconsistency and the admissible
        (T, Q) pairs (at most :data:`LISTED_MAX`; ``truncated``).

    Raises
    ------
    ArgumentError
        If an argument is invalid (``sd`` negative, ``n`` < 2, ...), or the SD's rounding window is too
        narrow to hold sums of squares of both parities for every total while more than
        :data:`TOTALS_CHECKED_MAX` totals are GRIM-admissible (an SD printed with about 5 more decimals
        than the mean).

    Notes
    -----
    The sums of squares of a total T lie in a window of width (high² − low²)·k²(n − 1), the same for
    every T (low, high: the ends of the SD's rounding interval). When it exceeds 2 it holds two
    consecutive integers strictly inside for every T, one of each parity: the pair is then consistent
    exactly when the mean is (GRIM), and only the listed pairs are enumerated.

    References
    ----------
    Anaya (2016); Allard (2018) (see the module docstring).
    """
    func = "grimmer"
    s, ds = _reported("sd", func, sd, None)
    args.check(s >= 0, "sd", func, "be ≥ 0", sd)
    n = args.integer("n", func, n, minimum=2)
    first, totals = _grim(mean, n, items=items, scale_min=scale_min, scale_max=scale_max, rounding=rounding)
    spread = first.items**2 * (n - 1)  # Q − T²/n = variance · k²(n − 1)
    half = Fraction(1, 2 * 10**ds)
    low, high = max(s - half, Fraction(0)), s + half

    def sums_of_squares() -> Iterator[tuple[int, int]]:
        """(T, Q) whose SD prints as ``sd``, any parity, by T, then Q."""
        for t in totals:
            base = Fraction(t * t, n)
            for q in range(math.ceil(low**2 * spread + base), math.floor(high**2 * spread + base) + 1):
                if _sd_rounds_to((q - base) / spread, s, ds, rounding):
                    yield t, q

    wide = (high**2 - low**2) * spread > 2  # every T: both parities strictly inside (see the Notes)
    args.check(wide or _size(totals) <= TOTALS_CHECKED_MAX, "sd", func,
               f"be printed with fewer decimals: its rounding window is too narrow to decide without checking "
               f"the {_size(totals):,} admissible totals one by one (at most {TOTALS_CHECKED_MAX:,})", sd)
    found = sums_of_squares() if wide else list(sums_of_squares())
    admissible, truncated = _listed([t, q] for t, q in found if (q - t) % 2 == 0)
    any_q = bool(totals) if wide else bool(found)
    reason = ("GRIM" if not first.consistent else "consistent" if admissible
              else "parity" if any_q else "sum of squares")
    return GrimmerResult(mean=first.mean, sd=float(s), n=n, items=first.items, consistent=bool(admissible),
                         grim_consistent=first.consistent, reason=reason, admissible=admissible,
                         truncated=truncated, assumption=first.assumption)


def _sd_rounds_to(variance: Fraction, sd: Fraction, decimals: int, rounding: str) -> bool:
    """Whether √variance prints as ``sd``, compared on the squared scale (exact)."""
    half = Fraction(1, 2 * 10**decimals)
    low, high = max(sd - half, Fraction(0)), sd + half
    if low**2 < variance < high**2:
        return True
    if variance in (low**2, high**2):  # a tie: √variance is exactly halfway
        return _rounds_to(low if variance == low**2 else high, sd, decimals, rounding)
    return False


@result
class DebitResult(_Check):
    """The DEBIT test of a reported proportion and its SD (:func:`debit`).

    Attributes
    ----------
    mean, sd : float
        The reported mean (proportion of 1s) and SD.
    n : int
        Sample size.
    consistent : bool
        True if some count k of 1s among n gives both printed values.
    admissible_counts : list of int
        The counts k whose mean k/n and SD print as reported: at most :data:`LISTED_MAX`, the smallest.
    truncated : bool
        True when more counts are admissible than are listed.
    sd_type : str
        ``"sample"`` (n − 1) or ``"population"`` (n) denominator.
    assumption : str
        What the verdict assumes.
    """

    title: ClassVar[str] = "DEBIT test (Heathers & Brown, 2019)"

    mean: float
    sd: float
    n: int
    consistent: bool
    admissible_counts: list[int]
    truncated: bool
    sd_type: str
    assumption: str


def debit(mean: str | float, sd: str | float, n: int, *, sd_type: str = "sample",
          rounding: str = "up_or_down") -> DebitResult:
    """DEBIT: are a reported mean and SD of binary (0/1) data possible together with n?

    With k ones among n values, the mean is k/n and the SD is √(k(n − k) / (n(n − 1))) (sample) or
    √(k(n − k)) / n (population): the mean fixes the SD. The pair is consistent when some
    k ∈ {0, …, n} gives both printed values.

    Parameters
    ----------
    mean, sd : str or float
        The proportion (0–1) and its SD as printed; strings keep trailing zeros.
    n : int
        Number of observations (≥ 2).
    sd_type : {"sample", "population"}
        Denominator of the SD.
    rounding : {"up_or_down", "up", "down", "even"}
        Convention for ties.

    Returns
    -------
    DebitResult
        ``consistent`` and the admissible counts of 1s (at most :data:`LISTED_MAX`; ``truncated``). The
        time grows with log n: the counts are found by bisection on each side of n/2, where the SD is
        monotone in k.

    Raises
    ------
    ArgumentError
        If the mean is outside [0, 1], the SD is negative, ``n`` < 2 or an option is unknown.

    References
    ----------
    Heathers & Brown (2019) (see the module docstring).
    """
    func = "debit"
    m, dm = _reported("mean", func, mean, None)
    s, ds = _reported("sd", func, sd, None)
    args.check(0 <= m <= 1, "mean", func, "be a proportion in [0, 1]", mean)
    args.check(s >= 0, "sd", func, "be ≥ 0", sd)
    n = args.integer("n", func, n, minimum=2)
    args.option("sd_type", func, sd_type, ("sample", "population"))
    args.option("rounding", func, rounding, ROUNDING)
    denominator = n * (n - 1) if sd_type == "sample" else n * n

    def side(k: int) -> int:
        """−1, 0, +1: the SD of k ones among n prints below, as, above ``sd``."""
        variance = Fraction(k * (n - k), denominator)
        return 0 if _sd_rounds_to(variance, s, ds, rounding) else -1 if variance < s * s else 1

    by_mean = _totals(m, dm, n, rounding, Fraction(0), Fraction(1))
    rising = range(by_mean.start, min(by_mean.stop, n // 2 + 1))  # k(n − k) rises up to n/2 ...
    falling = range(max(by_mean.start, n // 2 + 1), by_mean.stop)  # ... and falls after
    counts = chain(range(_first(lambda k: side(k) >= 0, rising), _first(lambda k: side(k) > 0, rising)),
                   range(_first(lambda k: side(k) <= 0, falling), _first(lambda k: side(k) < 0, falling)))
    listed, truncated = _listed(counts)
    ties = "half up or half down" if rounding == "up_or_down" else f"ties {rounding}"
    return DebitResult(mean=float(m), sd=float(s), n=n, consistent=bool(listed), admissible_counts=listed,
                       truncated=truncated, sd_type=sd_type, assumption=f"binary (0/1) data, n = {n}, {sd_type} SD; "
                                                                        f"printed values rounded ({ties})")
