"""dprep.report.provenance: the footer names the commit of the sources, hashes what the page read,
lists the parameters it depends on, and does not change with the time it is rendered."""

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from dprep.report import provenance as prov

DVC_YAML = {"stages": {
    "fit": {"cmd": "python fit.py", "deps": ["fit.py", "data/raw"], "params": ["seed", "fit.draws"],
            "outs": [{"out/fit": {"persist": True}}], "metrics": [{"metrics/fit.json": {"cache": False}}]},
    "other": {"cmd": "python other.py", "deps": ["other.py"], "params": ["other"], "outs": ["out/other"]},
    "summary": {"cmd": "python summary.py", "deps": ["summary.py", "out/fit/draws.csv"],
                "params": [{"params.yaml": ["level"]}], "outs": ["out/summary"]},
}}
PARAMS = {"seed": 7, "level": 0.9, "fit": {"draws": 100, "chains": 4}, "other": {"x": 1}}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "out" / "summary").mkdir(parents=True)
    (root / "out" / "fit").mkdir()
    (root / "metrics").mkdir()
    (root / "dvc.yaml").write_text(yaml.safe_dump(DVC_YAML))
    (root / "params.yaml").write_text(yaml.safe_dump(PARAMS))
    (root / "dvc.lock").write_text("schema: '2.0'\n")
    (root / "metrics" / "fit.json").write_text("{}\n")
    (root / "CITATION.cff").write_text("title: T\nversion: 1.0\nauthors:\n  - name: A\n"
                                       "repository-code: https://example.org/t\n")
    (root / "out" / "summary" / "table.csv").write_text("x\n1\n")
    (root / ".gitignore").write_text("/out/\n")
    _git(root.parent, "init", "-q", str(root))
    _git(root, "add", "-A")
    env_date = {"GIT_COMMITTER_DATE": "2024-03-05T10:00:00+00:00", "GIT_AUTHOR_DATE": "2024-03-05T10:00:00+00:00"}
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "sources"],
                   check=True, env={**os.environ, **env_date})
    return root


def _commit_all(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


def test_sources_are_the_dependencies_no_stage_writes(repo: Path) -> None:
    assert prov.pipeline_sources(repo) == ["data/raw", "dvc.yaml", "fit.py", "other.py", "params.yaml",
                                           "summary.py"]
    assert prov.pipeline_sources(repo / "out") == ["."]  # no dvc.yaml: the whole tree


def test_commit_is_the_last_that_changed_the_sources(repo: Path) -> None:
    sources = _git(repo, "rev-parse", "HEAD").strip()
    git = prov.git_commit(repo)
    assert git["commit"] == sources and git["short"] == sources[:7] and git["dirty"] is False
    (repo / "dvc.lock").write_text("schema: '2.0'\nstages: {}\n")  # dvc repro rewrites the records
    (repo / "metrics" / "fit.json").write_text('{"a": 1}\n')
    (repo / "README.md").write_text("not a source\n")
    assert prov.git_commit(repo) == git
    _commit_all(repo, "record the pipeline; a README")  # committed after the pages: they still name `sources`
    assert prov.git_commit(repo) == git
    (repo / "fit.py").write_text("print(1)\n")  # a new source file, not yet committed
    assert prov.git_commit(repo)["dirty"] is True
    _commit_all(repo, "fit")
    assert prov.git_commit(repo)["commit"] == _git(repo, "rev-parse", "HEAD").strip()
    (repo / "params.yaml").write_text(yaml.safe_dump({**PARAMS, "seed": 8}))
    assert prov.git_commit(repo)["dirty"] is True


def test_commit_date_replaces_today(repo: Path) -> None:
    assert prov.commit_date(repo) == "2024-03-05"
    assert prov.citation(repo, prov.git_commit(repo))["year"] == "2024"


def test_params_are_those_read_and_those_of_every_upstream_stage(repo: Path) -> None:
    assert prov.stage_params(repo, ["out/summary/table.csv"]) == ["fit.draws", "level", "seed"]
    assert prov.stage_params(repo, ["params.yaml", "elsewhere.txt"]) == []
    assert prov.parameters(repo, ["fit", "level", "missing.key"]) == {"fit.chains": 4, "fit.draws": 100, "level": 0.9}


def test_footer_hashes_the_files_read_and_carries_no_render_time(repo: Path) -> None:
    read = {"files": ["out/summary/table.csv", "params.yaml"], "params": ["other.x"]}
    info = prov.provenance("page.qmd", repo, renderer="R", read=read)
    assert info["inputs"] == {name: hashlib.md5((repo / name).read_bytes()).hexdigest() for name in read["files"]}
    assert info["params"] == {"fit.draws": 100, "level": 0.9, "other.x": 1, "seed": 7}
    text = prov.provenance_markdown(info=info)
    assert f"`out/summary/table.csv` `{info['inputs']['out/summary/table.csv']}`" in text
    assert "`fit.draws=100`" in text and "commit `" in text and "of 2024-03-05" in text
    assert text == prov.provenance_markdown("page.qmd", repo, renderer="R", read=read)  # same inputs, same text
    assert not re.search(r"\d\d:\d\d", text) and "working tree clean" in text


def test_a_placeholder_repository_is_marked(repo: Path) -> None:
    cite = {**prov.citation(repo), "repository": "https://dprep.example.invalid/dprep"}
    assert "a placeholder" in prov.citation_markdown(cite)
    assert "placeholder" not in prov.citation_markdown(prov.citation(repo))


def test_outside_git_nothing_raises(tmp_path: Path) -> None:
    info = prov.provenance(None, tmp_path, renderer="R")
    assert info["git"]["commit"] is None and info["inputs"] is None and info["citation"] is None
    assert "outside git version control" in prov.provenance_markdown(info=info)
