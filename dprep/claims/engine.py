"""Claims audit: popular statements about deliberate-practice research, checked against the data.

``data/raw/claims.csv`` holds claims copied verbatim from popular articles (``data/sources/``), each
with what it asserts as data (:mod:`dprep.claims.claim`) and the rule that evaluates it
(:mod:`dprep.claims.rules`, four general rules). :func:`evaluate_claims` gives every claim a verdict
computed from the pipeline's outputs — the validated evidence tables, the consistency audit and the
meta-analysis summary (:mod:`dprep.claims.evidence`). Nothing in a verdict is typed in: every number
in an explanation or a suggested revision is formatted from the evidence
(:mod:`dprep.claims.describe`), so a change in the data changes the verdicts at the next ``dvc repro``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from dprep.claims.claim import CAVEATS, CONTRADICTED, NOT_REPRODUCIBLE, SUPPORTED, VERDICTS, Assessment, parse_claim
from dprep.claims.describe import fill, sources
from dprep.claims.evidence import ClaimInputError, Evidence
from dprep.claims.rules import RULES

__all__ = ["OUTPUT_COLUMNS", "evaluate_claim", "evaluate_claims", "normalise_whitespace", "verbatim_problems",
           "verdict_counts"]

OUTPUT_COLUMNS = (
    "claim_id", "article_id", "article_title", "section", "claim_verbatim", "rule",
    "claimed_text", "verdict", "evidence_value", "evidence_text", "explanation",
    "suggested_revision", "rests_on", "derived_inputs", "sources",
)

#: The revision written when a claim that is not supported has no revision of its own in claims.csv.
DEFAULT_REVISION = {
    CONTRADICTED: "Write what the evidence gives instead: {evidence}.",
    NOT_REPRODUCIBLE: "Quote the number as printed and say that the published statistics do not reproduce "
                      "it ({evidence}).",
}
_GENERIC = "Attribute the statement to its source rather than presenting it as an empirical finding."


def _revision(claim_row: pd.Series, result: Assessment, ev: Evidence) -> str:
    if result.verdict in (SUPPORTED, CAVEATS):
        return ""
    template = str(claim_row.get("revision", "") or "")
    if template:
        return fill(template, ev)
    return DEFAULT_REVISION.get(result.verdict, _GENERIC).replace("{evidence}", result.evidence_text)


def evaluate_claim(row: pd.Series, ev: Evidence) -> dict[str, Any]:
    """Evaluate one claim (a row of the claims table) with its rule.

    Parameters
    ----------
    row : Series
        A row of the claims table (cells as written).
    ev : Evidence
        The evidence (:func:`dprep.claims.evidence.load_evidence`).

    Returns
    -------
    dict
        One output row (:data:`OUTPUT_COLUMNS`).

    Raises
    ------
    ClaimInputError
        If the rule is unknown, a reference does not resolve, or the rule lacks evidence; the
        message names the claim.
    """
    rule = RULES.get(row["rule"])
    if rule is None:
        raise ClaimInputError(f"claim {row['claim_id']}: no rule {row['rule']!r} (known: {', '.join(sorted(RULES))})")
    try:
        claim = parse_claim(row)
        for ref in claim.refs:
            ev.rows(ref)
        result = rule(claim, ev)
        revision = _revision(row, result, ev)
    except ClaimInputError as exc:
        message = str(exc)
        raise ClaimInputError(message if message.startswith(f"claim {row['claim_id']}") else
                              f"claim {row['claim_id']}: {message}") from None
    if result.verdict not in VERDICTS:
        raise ClaimInputError(f"claim {row['claim_id']}: rule returned verdict {result.verdict!r}")
    return {
        "claim_id": row["claim_id"], "article_id": row["article_id"],
        "article_title": row["article_title"], "section": row["section"],
        "claim_verbatim": row["claim_verbatim"], "rule": row["rule"], "claimed_text": row["claimed_text"],
        **result.to_dict(), "suggested_revision": revision,
        "sources": "; ".join(f"doi:{d}" for d in sources(ev, result.rests_on)),
    }


def evaluate_claims(claims: pd.DataFrame, ev: Evidence) -> pd.DataFrame:
    """Evaluate every claim; one output row per claim, in the claims table's order.

    Parameters
    ----------
    claims : DataFrame
        The claims table (cells as written).
    ev : Evidence
        The evidence (see :func:`dprep.claims.evidence.load_evidence`).

    Returns
    -------
    DataFrame
        Columns :data:`OUTPUT_COLUMNS`.

    Raises
    ------
    ClaimInputError
        With one line per claim that cannot be evaluated.
    """
    out, problems = [], []
    for _, row in claims.iterrows():
        try:
            out.append(evaluate_claim(row, ev))
        except ClaimInputError as exc:
            problems.append(str(exc))
    if problems:
        raise ClaimInputError("\n".join(problems))
    return pd.DataFrame(out, columns=list(OUTPUT_COLUMNS))


def verdict_counts(results: pd.DataFrame) -> dict[str, Any]:
    """Counts per verdict (every verdict listed, zeros included), overall and per article.

    Parameters
    ----------
    results : DataFrame
        Output of :func:`evaluate_claims`.

    Returns
    -------
    dict
        ``claims`` (the number of claims), ``verdicts`` (verdict → count) and ``by_article``.
    """
    def count(frame: pd.DataFrame) -> dict[str, int]:
        return {v: int((frame["verdict"] == v).sum()) for v in VERDICTS}
    return {
        "claims": int(len(results)),
        "verdicts": count(results),
        "by_article": {a: count(f) for a, f in results.groupby("article_id", sort=False)},
    }


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def verbatim_problems(claims: pd.DataFrame, sources_dir: str | Path) -> list[str]:
    """Claims whose text is not found word for word in their article file.

    Parameters
    ----------
    claims : DataFrame
        The claims table (``claim_id``, ``claim_verbatim``, ``claimed_text``, ``source``).
    sources_dir : path-like
        Folder holding the article files named in ``source`` (``data/sources``).

    Returns
    -------
    list of str
        One message per problem (empty when every claim is verbatim), naming the claim and file.
    """
    problems, texts = [], {}
    for _, row in claims.iterrows():
        path = Path(sources_dir) / row["source"]
        if path not in texts:
            texts[path] = normalise_whitespace(path.read_text(encoding="utf-8")) if path.exists() else None
        text = texts[path]
        if text is None:
            problems.append(f"claim {row['claim_id']}: article file {path} does not exist")
            continue
        claim = normalise_whitespace(row["claim_verbatim"])
        if claim not in text:
            problems.append(f"claim {row['claim_id']}: claim_verbatim is not in {path}")
        if normalise_whitespace(row["claimed_text"]) not in claim:
            problems.append(f"claim {row['claim_id']}: claimed_text is not part of claim_verbatim")
    return problems
