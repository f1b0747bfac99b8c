"""GRIM, GRIMMER and DEBIT (dprep.stats.audit.granularity) against published examples, hand derivations
and brute-force enumeration of every small integer (or binary) data set."""

from __future__ import annotations

import itertools
import math
from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest

from dprep.core.errors import ArgumentError
from dprep.stats.audit.granularity import LISTED_MAX, debit, grim, grimmer


def printed(value: float, decimals: int) -> set[str]:
    """Every way ``value`` can be printed at ``decimals`` (half up or half down)."""
    q = Decimal(1).scaleb(-decimals)
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return {str(exact.quantize(q, rounding=mode)) for mode in (ROUND_HALF_UP, ROUND_HALF_DOWN)}


# ------------------------------------------------------------------------------------ GRIM


@pytest.mark.reference
def test_grim_paper_example():
    # Brown & Heathers (2017), the illustration of the test (p. 364; page not re-checked against the
    # PDF here): a mean of 5.19 from N = 28 integer responses is impossible, since 145/28 = 5.18 and
    # 146/28 = 5.21 are the nearest possible means. The same case is the GRIM example of the
    # rsprite2 and scrutiny test suites.
    out = grim("5.19", 28)
    assert not out.consistent and out.admissible_totals == [] and out.nearest == [5.18, 5.21]
    assert grim("5.18", 28).admissible_totals == [145] and grim("5.21", 28).admissible_totals == [146]


def test_grim_issue_example_and_items():
    # The issue's example: on 0–10 integer items, 9.87 is impossible with n = 13 (128/13 = 9.846,
    # 129/13 = 9.923) but possible with n = 39 (385/39 = 9.8718).
    assert not grim("9.87", 13, scale_min=0, scale_max=10).consistent
    assert grim("9.87", 39, scale_min=0, scale_max=10).admissible_totals == [385]
    # Two items: granularity 1/(2n); 5.18 with n = 14 is 145/28 (rsprite2's GRIM test).
    assert grim("5.18", 14, items=2).admissible_totals == [145]
    assert not grim("5.19", 14, items=2).consistent


def test_grim_rounding_conventions_and_applicability():
    # 9/8 = 1.125 is a tie: 1.12 (half down / even) or 1.13 (half up).
    assert grim("1.12", 8).consistent and grim("1.13", 8).consistent
    assert not grim("1.12", 8, rounding="up").consistent and grim("1.13", 8, rounding="up").consistent
    assert grim("1.12", 8, rounding="even").consistent and not grim("1.13", 8, rounding="even").consistent
    assert grim("-1.13", 8, rounding="up").admissible_totals == [-9]  # ties away from zero
    assert grim("8.00", 30).decimals == 2 and grim(8.0, 30).decimals == 1  # decimals from the text
    assert grim("3.456", 120).applicable and not grim("3.4", 120).applicable
    assert grim("3.4", 120).consistent  # n ≥ 10^d: every printed mean is possible
    assert not grim("10.50", 13, scale_min=0, scale_max=10).consistent  # beyond the scale
    assert "0–10 scale" in grim("9.38", 13, scale_min=0, scale_max=10).assumption


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_grim_matches_enumeration(n):
    # Every data set of n responses on a 1–5 scale; GRIM must accept exactly the printed means.
    possible = set()
    for data in itertools.combinations_with_replacement(range(1, 6), n):
        possible |= printed(Decimal(sum(data)) / Decimal(n), 2)
    for hundredths in range(100, 501):
        mean = f"{hundredths / 100:.2f}"
        assert grim(mean, n, scale_min=1, scale_max=5).consistent == (mean in possible), mean


def test_grim_bad_arguments():
    with pytest.raises(ArgumentError, match="The 'n' parameter of grim must be an integer ≥ 1"):
        grim("1.5", 0)
    with pytest.raises(ArgumentError, match="'mean' parameter of grim"):
        grim("about 3", 10)
    with pytest.raises(ArgumentError, match="'rounding' parameter"):
        grim("1.5", 10, rounding="bankers")
    with pytest.raises(ArgumentError, match="'scale_max' parameter"):
        grim("1.5", 10, scale_min=5, scale_max=1)


# ------------------------------------------------------------------------------------ GRIMMER


@pytest.mark.reference
def test_grimmer_published_cases():
    # The two GRIMMER cases of rsprite2's test suite (an R implementation of Anaya's test; the
    # cases are not quoted from Anaya 2016, which gives no table of examples reachable here).
    assert grimmer("5.21", "1.6", 28).consistent
    out = grimmer("3.44", "2.47", 18)
    # By hand: T = 62 (62/18 = 3.444); s ∈ [2.465, 2.475] gives Q = 17·s² + 62²/18 ∈ [316.85, 317.69],
    # so Q = 317, which is odd while T is even: impossible, since Σx² ≡ Σx (mod 2).
    assert not out.consistent and out.grim_consistent and out.reason == "parity"
    assert grimmer("5.19", "1.6", 28).reason == "GRIM"


@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_grimmer_never_rejects_a_real_data_set(n):
    # Every data set of n responses on a 1–5 scale, its mean and sample SD printed to 2 decimals:
    # GRIMMER's conditions are necessary, so each printed pair must be accepted.
    real = set()
    for data in itertools.combinations_with_replacement(range(1, 6), n):
        mean = Decimal(sum(data)) / Decimal(n)
        var = (Decimal(sum(x * x for x in data)) - Decimal(sum(data)) ** 2 / Decimal(n)) / Decimal(n - 1)
        for m in printed(mean, 2):
            for s in printed(var.sqrt(), 2):
                real.add((m, s))
    for m, s in sorted(real):
        assert grimmer(m, s, n, scale_min=1, scale_max=5).consistent, (m, s, n)
    # ... and the test can fail: some pairs next to the real ones are rejected.
    rejected = [(m, s) for m, s in sorted(real)[:40]
                if not grimmer(m, f"{float(s) + 0.01:.2f}", n, scale_min=1, scale_max=5).consistent]
    assert rejected


def test_grimmer_items_and_sd_zero():
    # Two items, n = 3, person scores 1.5, 2, 2.5: mean 2.00, SD 0.50.
    assert grimmer("2.00", "0.50", 3, items=2).consistent
    assert grimmer("2.00", "0.00", 3).consistent and not grimmer("2.00", "0.30", 3).consistent


# ------------------------------------------------------------------------------------ DEBIT


def test_debit_by_hand():
    # 884/1683 = 0.52525 and 900/1683 = 0.53476 bound the counts printed as 0.53; their SDs all
    # print as 0.50 (e.g. √(884·799/(1683·1682)) = 0.4995). Same case as scrutiny's DEBIT tests.
    out = debit("0.53", "0.50", 1683)
    assert out.consistent and out.admissible_counts == list(range(884, 901))
    assert not debit("0.53", "0.45", 1683).consistent
    assert debit("0.50", "0.503", 100).admissible_counts == [50]  # √(2500/9900) = 0.50252


@pytest.mark.parametrize("n", [5, 8, 20, 37])
def test_debit_matches_enumeration(n):
    # DEBIT accepts exactly the printed (mean, SD) pairs of some count k of ones among n.
    real = set()
    for k in range(n + 1):
        sd = Decimal(k * (n - k)) / Decimal(n * (n - 1))
        for m in printed(Decimal(k) / Decimal(n), 2):
            for s in printed(sd.sqrt(), 2):
                real.add((m, s))
    for m100 in range(0, 101, 3):
        for s100 in range(0, 56):
            m, s = f"{m100 / 100:.2f}", f"{s100 / 100:.2f}"
            assert debit(m, s, n).consistent == ((m, s) in real), (m, s, n)


def test_debit_population_sd_and_bad_arguments():
    assert debit("0.50", "0.50", 10, sd_type="population").admissible_counts == [5]
    assert not debit("0.50", "0.50", 10).consistent  # sample SD √(25/90) = 0.527
    with pytest.raises(ArgumentError, match="proportion"):
        debit("1.5", "0.5", 10)
    assert math.isclose(debit("0.5", "0.5", 4).sd, 0.5)


# ------------------------------------------------------------------------------------ any n
# issue 11: the checks enumerated every total (count) in the rounding window, about n·items·10⁻ᵈ of them, and
# GRIMMER every sum of squares of each: n = 1.2e29 ran until memory was gone (8.9 GB). The admissible totals
# and counts are intervals found from their ends; here they are compared with brute force, which prints every
# candidate's mean and SD with Decimal, where brute force is still feasible.

HUGE = 123456789012345678901234567890
MODES = {"up": (ROUND_HALF_UP,), "down": (ROUND_HALF_DOWN,), "even": (ROUND_HALF_EVEN,),
         "up_or_down": (ROUND_HALF_UP, ROUND_HALF_DOWN)}


def prints_as(value: Decimal, reported: str, rounding: str) -> bool:
    """Whether ``value`` (exact, ≥ 0) is printed as ``reported`` under the convention ``rounding``."""
    q = Decimal(reported)
    return any(value.quantize(q, rounding=mode) == q for mode in MODES[rounding])


def sd_prints_as(variance: Decimal, reported: str, rounding: str) -> bool:
    with localcontext() as ctx:
        ctx.prec = 60
        return prints_as(variance.sqrt(), reported, rounding)


def brute_grim(mean: str, cells: int, rounding: str) -> list[int]:
    centre, span = int(Decimal(mean) * cells), cells // 10 ** -Decimal(mean).as_tuple().exponent + 2
    with localcontext() as ctx:
        ctx.prec = 60
        return [t for t in range(centre - span, centre + span + 1)
                if prints_as(Decimal(t) / Decimal(cells), mean, rounding)]


def brute_debit(mean: str, sd: str, n: int, rounding: str = "up_or_down") -> list[int]:
    with localcontext() as ctx:
        ctx.prec = 60
        return [k for k in range(n + 1) if prints_as(Decimal(k) / Decimal(n), mean, rounding)
                and sd_prints_as(Decimal(k * (n - k)) / Decimal(n * (n - 1)), sd, rounding)]


@pytest.mark.parametrize("rounding", list(MODES))
@pytest.mark.parametrize("mean, n, items", [("5.19", 20_000, 1), ("1.12", 8_000, 1), ("1.13", 4_000, 2),
                                            ("3.5", 12_345, 3), ("0.125", 64_000, 1)])
def test_grim_at_large_n_equals_brute_force(mean, n, items, rounding):
    # 1.12 and 1.13 with n·items a multiple of 8 (and 0.125 at 3 decimals with 16) put ties at both ends
    every = brute_grim(mean, n * items, rounding)
    out = grim(mean, n, items=items, rounding=rounding)
    assert out.admissible_totals == every[:LISTED_MAX] and out.truncated == (len(every) > LISTED_MAX)
    assert out.consistent == bool(every) and len(every) > 10


@pytest.mark.timeout(5)
def test_grim_with_a_huge_n_or_items_answers_at_once():
    start = math.ceil(Fraction(1037, 200) * HUGE)  # (5.19 − 0.005)·n, rounded up: the first admissible total
    for out in (grim("5.19", HUGE), grim("5.19", 1, items=HUGE)):
        assert out.consistent and not out.applicable and out.truncated
        assert out.admissible_totals == list(range(start, start + LISTED_MAX))
    assert not grim("10.50", HUGE, scale_min=0, scale_max=10).consistent  # beyond the scale, whatever n
    assert grim("10.00", HUGE, scale_min=0, scale_max=10).admissible_totals[0] == math.ceil(Fraction(1999, 200) * HUGE)
    assert "(only the first 100 admissible values are listed)" in grim("5.19", HUGE).summary()


@pytest.mark.parametrize("mean, sd, n, items", [("5.19", "1.34", 2_000, 1),  # wide window: no enumeration
                                                 ("5.19", "1.3400", 2_000, 1),  # narrow: totals one by one
                                                 ("3.44", "2.470", 180, 1), ("2.5", "0.9", 301, 2)])
def test_grimmer_at_large_n_equals_brute_force(mean, sd, n, items):
    # brute force: every total T GRIM admits, every integer Q ≡ T (mod 2) near T²/n + s²·k²(n − 1)
    k2 = items * items
    pairs = []
    with localcontext() as ctx:
        ctx.prec = 60
        for t in brute_grim(mean, n * items, "up_or_down"):
            centre = int(t * t / n + float(sd) ** 2 * k2 * (n - 1))
            for q in range(centre - k2 * n, centre + k2 * n):
                variance = (Decimal(q) - Decimal(t * t) / Decimal(n)) / Decimal(k2 * (n - 1))
                if (q - t) % 2 == 0 and variance >= 0 and sd_prints_as(variance, sd, "up_or_down"):
                    pairs.append([t, q])
    out = grimmer(mean, sd, n, items=items)
    assert out.admissible == pairs[:LISTED_MAX] and out.truncated == (len(pairs) > LISTED_MAX)
    assert out.consistent == bool(pairs)


@pytest.mark.timeout(5)
def test_grimmer_with_a_huge_n_or_items_answers_at_once():
    for n, items in ((HUGE, 1), (28, HUGE)):
        out = grimmer("5.19", "1.34", n, items=items)
        assert out.consistent and out.reason == "consistent" and out.truncated and len(out.admissible) == LISTED_MAX
        for t, q in out.admissible:  # each listed pair prints as reported, with Σx² ≡ Σx (mod 2)
            variance = (Decimal(q) - Decimal(t) ** 2 / Decimal(n)) / Decimal(items**2 * (n - 1))
            with localcontext() as ctx:
                ctx.prec = 200
                assert prints_as(Decimal(t) / Decimal(n * items), "5.19", "up_or_down") and (q - t) % 2 == 0
                assert sd_prints_as(variance, "1.34", "up_or_down")


def test_grimmer_refuses_an_sd_too_fine_to_decide_in_bounded_time():
    # 10⁶ + 1 totals print as 5 (no decimals; both ends are ties) with n = 10⁶, and an SD with 8 decimals
    # leaves each total a window of width 0.03 for its sum of squares: each total would need its own check
    with pytest.raises(ArgumentError, match=r"The 'sd' parameter of grimmer must be printed with fewer decimals: .* "
                                            r"the 1,000,001 admissible totals one by one \(at most 100,000\)"):
        grimmer("5", "1.34000000", 10**6)


@pytest.mark.parametrize("mean, sd, n", [("0.30", "0.46", 5_000), ("0.50", "0.50", 10_001), ("0.5", "0.5", 99_999),
                                         ("0.03", "0.17", 20_000), ("0.97", "0.17", 20_000)])
def test_debit_at_large_n_equals_brute_force(mean, sd, n):
    # 0.50 and 0.5: the admissible counts lie on both sides of n/2, where the SD turns
    every = brute_debit(mean, sd, n)
    out = debit(mean, sd, n)
    assert out.admissible_counts == every[:LISTED_MAX] and out.truncated == (len(every) > LISTED_MAX)
    assert out.consistent == bool(every) and len(every) > 10


@pytest.mark.timeout(5)
def test_debit_with_a_huge_n_answers_at_once():
    out = debit("0.30", "0.46", HUGE)
    start = math.ceil(Fraction(59, 200) * HUGE)  # (0.30 − 0.005)·n: √(0.295·0.705) = 0.456 prints as 0.46
    assert out.consistent and out.truncated and out.admissible_counts == list(range(start, start + LISTED_MAX))
    assert not debit("0.30", "0.40", HUGE).consistent  # √(p(1 − p)) for p in [0.295, 0.305] is 0.456 to 0.460
