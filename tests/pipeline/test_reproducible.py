"""Same commit, same bytes: the committed dvc.lock matches the committed code and data, and a fresh
clone reproduces the pipeline byte for byte.

Both tests work on a clone of HEAD (what CI and a reader get), not on the working tree: the first
runs `dvc status` there, so it fails when the lock is stale (a dependency or parameter changed
after `dvc repro` was last committed); the second (slow: the whole pipeline, twice) is the
issue's check — `dvc repro` leaves `git status --porcelain` empty and no page says "uncommitted",
and `dvc repro -f` then writes every output with the same hash.

A stale lock is fixed by running `dvc repro` and committing ``dvc.lock`` and ``metrics/`` *on
their own*, after the sources (a page names the last commit that changed the pipeline's sources;
see dprep.report.provenance.pipeline_sources).
"""

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from dprep.report.provenance import git_commit

ROOT = Path(__file__).resolve().parents[2]


def _outputs(stages: dict) -> list[str]:
    return [next(iter(o)) if isinstance(o, dict) else o
            for stage in stages.values() for kind in ("outs", "metrics") for o in stage.get(kind) or []]


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()
    dest = tmp_path_factory.mktemp("clone") / "dprep"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "--quiet", head], check=True)
    return dest


def _git_status(root: Path) -> str:
    return subprocess.run(["git", "-C", str(root), "status", "--porcelain"], check=True, capture_output=True,
                          text=True).stdout


def test_committed_lock_matches_the_committed_code_data_and_params(clone: Path, run_dvc) -> None:
    stages = yaml.safe_load((clone / "dvc.yaml").read_text())["stages"]
    produced = _outputs(stages)
    status = json.loads(run_dvc("status", "--json", root=clone).stdout or "{}")
    stale = {}
    for stage, changes in status.items():
        for change in changes:
            if not isinstance(change, dict):  # e.g. "changed checksum": the stage is not in the lock
                stale.setdefault(stage, []).append(change)
                continue
            for kind, entries in change.items():
                # a fresh clone has no cached outputs: those are "deleted", and so are the deps on them
                bad = {path: state for path, state in entries.items()
                       if not (state in ("deleted", "not in cache") and any(_within(path, o) for o in produced))} \
                    if kind in ("changed deps", "changed outs") else entries
                if bad:
                    stale.setdefault(stage, []).append({kind: bad})
    assert not stale, ("dvc.lock does not match the committed code, data or params; run `dvc repro` and "
                       f"commit dvc.lock and metrics/ on their own: {stale}")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def test_the_lock_was_committed_after_the_last_change_to_the_sources(clone: Path) -> None:
    """Pages name the last commit that changed the pipeline's sources, and dvc.lock records the pages'
    hashes, so the lock must come from a later commit. `dvc status` cannot see this: a commit that
    brings sources back to an earlier state (a revert) leaves every dependency hash as the lock has
    it, yet the pages a fresh clone renders name the new commit (stop 16's CI failure)."""
    if _git(clone, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        pytest.skip("a shallow clone has no history to order the commits by")
    sources = git_commit(clone)["commit"]
    lock = _git(clone, "log", "-1", "--format=%H", "--", "dvc.lock").stdout.strip()
    assert sources and lock
    after = sources != lock and _git(clone, "merge-base", "--is-ancestor", sources, lock).returncode == 0
    assert after, (f"dvc.lock was last committed in {lock[:7]}, not after {sources[:7]}, the last commit that "
                   "changed the pipeline's sources; run `dvc repro` and commit dvc.lock and metrics/ on their own")


def _hashes(root: Path, outputs: list[str]) -> dict[str, str]:
    files = [p for out in outputs for p in ([root / out] if (root / out).is_file() else (root / out).rglob("*"))]
    return {p.relative_to(root).as_posix(): hashlib.md5(p.read_bytes()).hexdigest() for p in files if p.is_file()}


@pytest.mark.slow
def test_a_fresh_clone_reproduces_the_pipeline_byte_for_byte(clone: Path, run_dvc) -> None:
    outputs = _outputs(yaml.safe_load((clone / "dvc.yaml").read_text())["stages"])
    run_dvc("repro", root=clone)
    assert _git_status(clone) == "", "dvc repro on a fresh clone changed tracked files (stale dvc.lock or metrics/)"
    pages = sorted((clone / "reports" / "_site").glob("*.html"))
    assert pages and not [p.name for p in pages if "uncommitted" in p.read_text(encoding="utf-8")]
    first = _hashes(clone, outputs)
    run_dvc("repro", "-f", root=clone)
    second = _hashes(clone, outputs)
    assert len(first) > 50 and sorted(first) == sorted(second)
    assert [path for path in first if first[path] != second[path]] == []
    assert _git_status(clone) == ""


def test_exp_show_has_every_metric_and_param_of_the_commit(clone: Path, run_dvc) -> None:
    """No "!" in `dvc exp show`: the metrics are tracked by git, so a commit has them without a cache."""
    rows = json.loads(run_dvc("exp", "show", "--json", root=clone).stdout)
    (head,) = [row for row in rows if row.get("rev") != "workspace"]
    data = head["data"]
    errors = {path: entry["error"] for kind in ("metrics", "params") for path, entry in (data.get(kind) or {}).items()
              if "error" in entry}
    stages = yaml.safe_load((clone / "dvc.yaml").read_text())["stages"]
    declared = {next(iter(entry)) for stage in stages.values() for entry in stage.get("metrics") or []}
    assert not errors and set(data["metrics"]) == declared
