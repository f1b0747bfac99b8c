"""dprep.report.tracking: the files a page opens and the parameters it looks up are recorded."""

from pathlib import Path

import pandas as pd
import pytest

from dprep.report import tracking


@pytest.fixture
def tracked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tracking, "_root", None)  # restored afterwards: the hook then records nothing
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x\n1\n")
    (tmp_path / "data" / "b.json").write_text("{}")
    (tmp_path / "params.yaml").write_text("meta:\n  method: REML\n  level: 0.95\nseed: 1\n")
    tracking.start(tmp_path)
    return tmp_path


def test_reads_are_recorded_and_writes_sources_and_outside_files_are_not(tracked: Path, tmp_path_factory) -> None:
    pd.read_csv(tracked / "data" / "a.csv")
    (tracked / "data" / "b.json").read_text()
    (tracked / "out.txt").write_text("written")
    (tracked / "module.py").write_text("x = 1")
    (tracked / "module.py").read_text()
    outside = tmp_path_factory.mktemp("outside") / "c.csv"
    outside.write_text("y\n")
    outside.read_text()
    assert tracking.record() == {"files": ["data/a.csv", "data/b.json"], "params": []}


def test_start_clears_the_record(tracked: Path) -> None:
    (tracked / "data" / "a.csv").read_text()
    tracking.start(tracked)
    assert tracking.record()["files"] == []


def test_params_looked_up_are_recorded(tracked: Path) -> None:
    params = tracking.read_params()
    assert params["meta"]["method"] == "REML" and dict(params["meta"]) == {"method": "REML", "level": 0.95}
    assert tracking.record() == {"files": ["params.yaml"], "params": ["meta.level", "meta.method"]}
    with pytest.raises(KeyError):
        params["nothing"]


def test_package_metadata_is_not_an_input(tracked: Path) -> None:
    """An editable install in the repository leaves *.egg-info (or *.dist-info) there, which
    importlib.metadata reads; that is not a file the page was built from."""
    for folder, name in (("dprep.egg-info", "entry_points.txt"), ("pkg-1.0.dist-info", "METADATA")):
        (tracked / folder).mkdir()
        (tracked / folder / name).write_text("[console_scripts]\n")
        (tracked / folder / name).read_text()
    (tracked / "data" / "a.csv").read_text()
    assert tracking.record()["files"] == ["data/a.csv"]
