"""A copy of the repository in a temporary folder, for tests that run `dvc repro` on changed inputs."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"


def _run(cmd: list[str], cwd: Path, env: dict) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture
def repo_copy(tmp_path):
    """``(repo, run)``: the repository (tracked and untracked, non-ignored files) copied to a new Git
    repository, and ``run(cmd)`` running a command there with the project's environment first on PATH
    and the copy's own dprep importable."""
    repo = tmp_path / "repo"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():  # skip tracked files deleted in the working tree
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, repo / name)
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(repo),
           "MPLBACKEND": "Agg"}
    _run(["git", "init", "-q"], repo, env)
    return repo, lambda cmd: _run(cmd, repo, env)
