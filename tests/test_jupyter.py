"""Jupyter ready: JupyterLab is installed with the project (so `make reproduce` leaves `jupyter lab
--version` working in .venv), `make lab` opens the notebooks, and notebooks are stripped of outputs
on commit (the nbstripout filter of .gitattributes; tests/pipeline/test_notebooks.py fails on outputs)."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_jupyterlab_and_nbstripout_are_dependencies_and_run():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9_.-]+", dep).group(0).lower() for dep in deps}
    for package in ("jupyterlab", "nbstripout", "openpyxl", "pyreadstat"):
        assert package in names, package
    bin_dir = Path(sys.executable).parent  # .venv/bin under `make test`
    lab = subprocess.run([str(bin_dir / "jupyter"), "lab", "--version"], capture_output=True, text=True)
    assert lab.returncode == 0 and re.fullmatch(r"4\.\d+\.\d+\S*", lab.stdout.strip()), lab.stderr
    kernels = subprocess.run([str(bin_dir / "jupyter"), "kernelspec", "list"], capture_output=True, text=True)
    assert "python3" in kernels.stdout


def test_make_lab_and_strip_targets_and_the_commit_filter():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab: .*\n\t.*jupyter lab notebooks/", makefile, re.M)
    assert re.search(r"^strip: .*\n\t.*nbstripout notebooks/\*\.ipynb", makefile, re.M)
    assert "nbstripout --install" in makefile
    assert "*.ipynb filter=nbstripout" in (ROOT / ".gitattributes").read_text()
    assert "make lab" in (ROOT / "README.md").read_text()
