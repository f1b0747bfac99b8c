"""GRIM, GRIMMER and DEBIT (dprep.stats.audit.granularity) against published examples, hand derivations
and brute-force enumeration of every small integer (or binary) data set."""

from __future__ import annotations

import itertools
import math
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

import pytest

from dprep.core.errors import ArgumentError
from dprep.stats.audit.granularity import debit, grim, grimmer


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
