"""DVC stage `primary`: audit and recompute the 1993 study and its 2019 replication."""

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.data.io import atomic_dir, write_csv, write_json
from dprep.data.studies import load_studies
from dprep.studies.primary import rating_granularity, recompute_studies

VALIDATED = Path("data/processed/validated")
OUT = Path("data/processed/primary")
METRICS = Path("metrics/primary.json")


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists and dicts (assumptions, checks) become JSON text so the CSV stays one cell each."""
    return frame.apply(lambda col: col.map(
        lambda v: json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, dict, tuple)) else v))


def main() -> int:
    params = yaml.safe_load(Path("params.yaml").read_text())
    result = recompute_studies(
        read_reported_tests(VALIDATED / "reported_tests.csv"),
        read_group_summaries(VALIDATED / "group_summaries.csv"),
        load_studies("data/studies.yaml"),
        alpha=params["audit"]["alpha"], rounding=params["audit"]["rounding"],
        level=params["effect_size"]["level"], lambda_to_eta2=params["effect_size"]["eta2_ci_lambda"],
    )
    scale = params["audit"]["rating_scale"]
    granularity = rating_granularity(pd.read_csv(VALIDATED / "ratings.csv", dtype=str, keep_default_na=False),
                                     read_group_summaries(VALIDATED / "group_summaries.csv"),
                                     scale_min=scale["min"], scale_max=scale["max"], items=scale["items"])
    verdicts = result.audit["verdict"].value_counts().to_dict()
    with atomic_dir(OUT) as tmp:
        write_csv(tmp / "audit.csv", _flat(result.audit))
        write_csv(tmp / "derived.csv", _flat(result.derived))
        write_csv(tmp / "comparisons.csv", result.comparisons)
        write_csv(tmp / "granularity.csv", _flat(granularity))
    write_json(METRICS, {"tests": len(result.audit), "verdicts": verdicts, "derived_values": len(result.derived)})
    print("primary: " + ", ".join(f"{v} {k}" for k, v in verdicts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
