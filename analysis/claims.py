"""DVC stage `claims`: verdicts on popular claims about deliberate practice, from the pipeline's outputs.

Reads the validated tables (claims included), the consistency audit of the `primary` stage and
the meta-analysis summary of the `meta` stage; writes one row per claim with its verdict,
explanation, evidence and suggested revision, and the counts per verdict.
"""

import sys
from pathlib import Path

import yaml

from dprep.claims.engine import evaluate_claims, verdict_counts
from dprep.claims.evidence import ClaimInputError, load_evidence
from dprep.data.io import atomic_dir, write_csv, write_json
from dprep.data.schema import DataValidationError
from dprep.data.studies import load_studies

VALIDATED = Path("data/processed/validated")
PRIMARY = Path("data/processed/primary")
META = Path("data/processed/meta")
OUT = Path("data/processed/claims")
METRICS = Path("metrics/claims.json")


def main() -> int:
    alpha = yaml.safe_load(Path("params.yaml").read_text())["audit"]["alpha"]
    try:
        claims, evidence = load_evidence(VALIDATED, PRIMARY / "audit.csv", META / "summary.json",
                                         derived=PRIMARY / "derived.csv", alpha=alpha,
                                         studies=load_studies("data/studies.yaml"))
        results = evaluate_claims(claims, evidence)
    except (ClaimInputError, DataValidationError, FileNotFoundError) as err:
        print(err, file=sys.stderr)
        return 2
    counts = verdict_counts(results)
    with atomic_dir(OUT) as tmp:
        write_csv(tmp / "claims_audit.csv", results)
        write_json(tmp / "counts.json", counts)
    write_json(METRICS, {"claims": counts["claims"], "verdicts": counts["verdicts"]})
    print(f"claims: {counts['claims']} claims; "
          + ", ".join(f"{n} {v}" for v, n in counts["verdicts"].items() if n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
