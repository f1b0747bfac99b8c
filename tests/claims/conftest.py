"""The claims stage's inputs built from data/raw as the pipeline builds them (shared by the claims tests)."""

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from dprep.claims.engine import evaluate_claims
from dprep.claims.evidence import load_evidence
from dprep.data.studies import load_studies
from dprep.data.tables import read_group_summaries, read_reported_tests
from dprep.stats import meta
from dprep.stats.audit import audit

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
STUDIES = load_studies(ROOT / "data" / "studies.yaml")
PARAMS = yaml.safe_load((ROOT / "params.yaml").read_text())


def edit_table(folder: Path, name: str, where: dict, **changes) -> None:
    """Set ``changes`` in the rows of ``folder/name.csv`` matching ``where`` (exactly one row)."""
    path = folder / f"{name}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    mask = pd.Series(True, index=frame.index)
    for col, value in where.items():
        mask &= frame[col] == value
    assert mask.sum() == 1, (name, where)
    for col, value in changes.items():
        frame.loc[mask, col] = value
    frame.to_csv(path, index=False)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists become JSON text, as the `primary` stage writes them."""
    return frame.apply(lambda col: col.map(
        lambda v: json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, (list, tuple, dict)) else v))


def build_inputs(base: Path, edits=()) -> Path:
    """The claims stage's inputs, made from data/raw (after ``edits``) as the pipeline makes them."""
    validated, primary, meta_dir = base / "validated", base / "primary", base / "meta"
    for folder in (validated, primary, meta_dir):
        folder.mkdir(parents=True)
    for path in RAW.iterdir():
        shutil.copy2(path, validated / path.name)
    for name, where, changes in edits:
        edit_table(validated, name, where, **changes)
    result = audit(read_reported_tests(validated / "reported_tests.csv"),
                   read_group_summaries(validated / "group_summaries.csv"),
                   alpha=PARAMS["audit"]["alpha"], rounding=PARAMS["audit"]["rounding"])
    _flat(result.tests).to_csv(primary / "audit.csv", index=False)
    _flat(result.derived).to_csv(primary / "derived.csv", index=False)
    studies = pd.read_csv(validated / "music_correlations_macnamara2014.csv")
    yi, vi = meta.escalc_zcor(studies["r"], studies["n"])
    fit = meta.rma(yi, vi, method=PARAMS["meta"]["method"], test=PARAMS["meta"]["test"])
    summary = {"model": {"method": fit.method, "test": fit.test}, "k": fit.k,
               **meta.correlation_summary(fit).to_dict()}
    (meta_dir / "summary.json").write_text(json.dumps(summary))
    return base


def load(base: Path):
    """(claims, evidence) of a folder made by :func:`build_inputs`."""
    return load_evidence(base / "validated", base / "primary" / "audit.csv", base / "meta" / "summary.json",
                         base / "primary" / "derived.csv", alpha=PARAMS["audit"]["alpha"], studies=STUDIES)


def evaluate(base: Path) -> pd.DataFrame:
    """Verdicts of every claim, indexed by claim_id."""
    return evaluate_claims(*load(base)).set_index("claim_id")


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The helpers above, for the tests of tests/claims/."""
    return SimpleNamespace(root=ROOT, raw=RAW, studies=STUDIES, params=PARAMS, edit_table=edit_table,
                           build_inputs=build_inputs, load=load, evaluate=evaluate)


@pytest.fixture(scope="session")
def shipped_evidence(tmp_path_factory, kit):
    """(claims, evidence) on the shipped data."""
    return load(build_inputs(tmp_path_factory.mktemp("evidence")))
