"""The package's layers (pyproject.toml, [tool.importlinter]) hold: imports point only downwards."""

import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contract_is_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_layers_contract_covers_every_subpackage():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layered = {name.strip() for c in config["contracts"] if c["type"] == "layers"
               for layer in c["layers"] for name in layer.split("|")}
    subpackages = {f"dprep.{p.name}" for p in (ROOT / "dprep").iterdir()
                   if p.is_dir() and (p / "__init__.py").exists()}
    assert subpackages <= layered, f"subpackages outside the layers contract: {sorted(subpackages - layered)}"
