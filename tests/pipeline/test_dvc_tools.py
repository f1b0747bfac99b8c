"""DVC's own tools on this pipeline: `dvc metrics show` shows a few headline numbers per stage,
`dvc plots show` draws every figure whole, its output folder is ignored. (`dvc exp show` on the
committed HEAD is checked in test_reproducible.py, on a clone.)"""

import configparser
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
HEADLINE_MAX = 12
"""At most this many numbers per stage in `dvc metrics show`; details go to the stages' folders."""


def _leaves(value) -> int:
    return sum(map(_leaves, value.values())) if isinstance(value, dict) else 1


def test_every_stage_but_the_last_has_one_small_git_tracked_metrics_file():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        if name in ("report", "bayes_vs_meta"):
            continue
        (entry,) = stage["metrics"]
        (path, options), = entry.items()
        assert path == f"metrics/{name}.json" and options["cache"] is False, name


def test_headline_metrics_are_a_few_numbers(pipeline_outputs):
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    declared = sorted(next(iter(entry)) for stage in stages.values() for entry in stage.get("metrics") or [])
    files = sorted((ROOT / "metrics").glob("*.json"))
    assert [f"metrics/{path.name}" for path in files] == declared
    for path in files:
        assert 1 <= _leaves(json.loads(path.read_text())) <= HEADLINE_MAX, path.name


def test_plots_template_fits_images_to_the_window():
    config = configparser.ConfigParser()
    config.read(ROOT / ".dvc" / "config")
    template = (ROOT / ".dvc" / config["plots"]["html_template"]).read_text()
    assert "{plot_divs}" in template and "max-width" in template
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "/dvc_plots/" in ignored and "/logs/" in ignored


@pytest.mark.slow
def test_plots_show_draws_the_forest_and_funnel_plots(pipeline_outputs, tmp_path, run_dvc):
    run_dvc("plots", "show", "-o", str(tmp_path / "plots"))
    html = (tmp_path / "plots" / "index.html").read_text()
    assert "max-width" in html
    for name in ("forest", "funnel"):
        assert f"data_processed_meta_{name}.png" in html
