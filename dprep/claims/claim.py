"""What a claim asserts, as data: one row of ``data/raw/claims.csv`` parsed, and what a rule returns.

A claim names the **rule** that evaluates it and, as columns of ``claims.csv``:

``quantity``
    the evidence it is about: cells ``table:key#column`` separated by ``;`` (one per claimed number,
    or alternatives with ``match = any``), a ratio ``A / B`` of two cells, or a reported test
    ``reported_tests:<test_id>`` (rule ``significance``);
``comparison``, ``claimed_value``, ``tolerance``
    what the claim says about it (:data:`COMPARISONS`); ``tolerance`` is the relative tolerance
    of ``approximately`` ("about", "roughly": the reading is part of the claim's data, not of the
    code);
``scale``
    ``percent``: cells whose unit (``datapackage.json``) is a proportion are multiplied by 100;
``evidence_kind``
    ``lower_bound`` when the evidence can only show that *at least* so much exists (a synthesis
    counting k studies does not show that more do not exist), so a claim of more is undecided;
``evidence_rows``, ``context_rows``
    further rows the verdict rests on (e.g. the group means that give a difference its direction)
    and rows the explanation describes without deciding anything;
``caveat``, ``revision``, ``note``
    a reading caveat (a supported claim with one is at most "supported with caveats"), the
    suggested revision (a template filled from the evidence, :func:`dprep.claims.describe.fill`),
    and how the claim is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dprep.claims.evidence import ClaimInputError, Ref, parse_refs
from dprep.core import fmt

__all__ = ["Assessment", "COMPARISONS", "Claim", "VERDICTS", "parse_claim"]

VERDICTS = (
    "supported",
    "supported with caveats",
    "contradicted",
    "not reproducible from the published numbers",
    "unverifiable with the available evidence",
)
SUPPORTED, CAVEATS, CONTRADICTED, NOT_REPRODUCIBLE, UNVERIFIABLE = VERDICTS

#: Comparisons of a number with a claimed number, and of a test with α.
NUMBER_COMPARISONS = ("equal", "approximately", "more_than", "less_than", "at_least", "at_most")
TEST_COMPARISONS = ("difference", "no_difference", "no_difference_in_direction")
COMPARISONS = NUMBER_COMPARISONS + TEST_COMPARISONS


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class Claim:
    """One row of the claims table, parsed (see the module docstring for the columns)."""

    row: pd.Series
    quantities: tuple[Ref, ...]
    ratio: bool
    claimed: tuple[str, ...]
    evidence_rows: tuple[Ref, ...]
    context_rows: tuple[Ref, ...]

    def field(self, name: str) -> str:
        """A cell of the claim's row ("" when empty or absent)."""
        return str(self.row.get(name, "") or "")

    @property
    def id(self) -> str:
        return self.field("claim_id")

    @property
    def comparison(self) -> str:
        return self.field("comparison")

    @property
    def number_comparison(self) -> str:
        """How a claimed number is compared: the comparison, or ``equal`` for the p a test claim quotes."""
        return self.comparison if self.comparison in NUMBER_COMPARISONS else "equal"

    @property
    def tolerance(self) -> float:
        """Relative tolerance of ``approximately``."""
        return float(self.field("tolerance") or 0.0)

    @property
    def refs(self) -> tuple[Ref, ...]:
        """Every row the claim names: quantities, evidence rows, context rows."""
        return (*self.quantities, *self.evidence_rows, *self.context_rows)

    def value(self, index: int = 0) -> float:
        """Claimed number ``index`` as a float."""
        try:
            return float(self.claimed[index])
        except (IndexError, ValueError):
            raise ClaimInputError(f"claim {self.id}: claimed_value needs a number at position {index + 1} "
                                  f"(got {self.field('claimed_value')!r})") from None

    def matches(self, value: float, index: int = 0) -> bool:
        """Whether an evidence value satisfies claimed number ``index`` under the claim's comparison.

        ``equal`` (also for the p a significance claim quotes): within half a unit of the claimed number's last digit (``0.364`` covers
        [0.3635, 0.3645]); ``approximately``: within ``tolerance`` of it, relative; the others are
        the strict or non-strict inequalities their names say (the evidence value on the left).
        """
        claimed, text = self.value(index), self.claimed[index]
        eps = 1e-12
        return {
            "equal": lambda: abs(value - claimed) <= 0.5 * 10 ** -_decimals(text) + eps,
            "approximately": lambda: abs(value - claimed) <= self.tolerance * abs(claimed) + eps,
            "more_than": lambda: value > claimed,
            "less_than": lambda: value < claimed,
            "at_least": lambda: value >= claimed - eps,
            "at_most": lambda: value <= claimed + eps,
        }[self.number_comparison]()

    def claimed_range(self, index: int = 0, unit: str = "") -> str:
        """What the claimed number allows, in words (for explanations)."""
        text = self.claimed[index]
        claimed, d = self.value(index), _decimals(text) + 1
        if self.number_comparison == "approximately":
            lo, hi = claimed * (1 - self.tolerance), claimed * (1 + self.tolerance)
            return (f"{text}{unit} (read as {fmt.num(lo, d)}{unit} to {fmt.num(hi, d)}{unit}, "
                    f"±{fmt.pct(self.tolerance, 0)})")
        words = {"more_than": "more than", "less_than": "less than", "at_least": "at least", "at_most": "at most"}
        if self.number_comparison in words:
            return f"{words[self.number_comparison]} {text}{unit}"
        half = 0.5 * 10 ** -_decimals(text)
        return f"{text}{unit} (i.e. {fmt.num(claimed - half, d)} to {fmt.num(claimed + half, d)})"


def parse_claim(row: pd.Series) -> Claim:
    """Parse one row of the claims table.

    Raises
    ------
    ClaimInputError
        If the comparison is unknown or a ratio does not have two cells.
    """
    claim_id = row.get("claim_id", "?")
    quantity = str(row.get("quantity", "") or "")
    ratio = " / " in quantity  # key parts are joined by "/" without spaces
    parts = quantity.split(" / ") if ratio else [quantity]
    quantities = tuple(r for part in parts for r in parse_refs(part))
    if ratio and (len(quantities) != 2 or any(q.column is None for q in quantities)):
        raise ClaimInputError(f"claim {claim_id}: a ratio quantity is 'table:key#column / table:key#column'; "
                              f"got {quantity!r}")
    comparison = str(row.get("comparison", "") or "")
    if comparison and comparison not in COMPARISONS:
        raise ClaimInputError(f"claim {claim_id}: unknown comparison {comparison!r} (known: {', '.join(COMPARISONS)})")
    claimed = tuple(v.strip() for v in str(row.get("claimed_value", "") or "").split(";") if v.strip())
    return Claim(row, quantities, ratio, claimed, tuple(parse_refs(row.get("evidence_rows"))),
                 tuple(parse_refs(row.get("context_rows"))))


@dataclass(frozen=True)
class Assessment:
    """What a rule returns for one claim.

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    explanation : str
        One paragraph; every number in it is formatted from the evidence.
    evidence_value : float or None
        The number the evidence gives for what the claim states.
    evidence_text : str
        That number with its label, for tables.
    rests_on : tuple of Ref
        Evidence rows used.
    derived_inputs : tuple of str
        Pipeline outputs used (audit rows, the meta-analysis summary).
    """

    verdict: str
    explanation: str
    evidence_value: float | None
    evidence_text: str
    rests_on: tuple[Ref, ...]
    derived_inputs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The assessment as a plain dict (references as text)."""
        return {"verdict": self.verdict, "explanation": self.explanation, "evidence_value": self.evidence_value,
                "evidence_text": self.evidence_text, "rests_on": "; ".join(str(r) for r in self.rests_on),
                "derived_inputs": "; ".join(self.derived_inputs)}
