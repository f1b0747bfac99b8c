"""Atomic output: a failure while writing leaves the previous result intact."""

import json
import math

import numpy as np
import pytest

from dprep.data.io import atomic_dir, atomic_path, to_jsonable, write_json


def test_atomic_path_keeps_previous_file_on_failure(tmp_path):
    target = tmp_path / "result.json"
    write_json(target, {"value": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("stage failed")
    assert json.loads(target.read_text()) == {"value": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_atomic_dir_swaps_whole_folder_and_drops_stale_files(tmp_path):
    out = tmp_path / "stage"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("x\n1\n")
        (tmp / "stale.csv").write_text("x\n2\n")
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("x\n3\n")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv"]
    assert (out / "a.csv").read_text() == "x\n3\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stage"]


def test_atomic_dir_leaves_previous_folder_on_failure(tmp_path):
    out = tmp_path / "stage"
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text("old\n")
    with pytest.raises(ValueError):
        with atomic_dir(out) as tmp:
            (tmp / "a.csv").write_text("new\n")
            raise ValueError("bad input")
    assert (out / "a.csv").read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stage"]


def test_to_jsonable_turns_nan_and_numpy_into_plain_json():
    out = to_jsonable({"a": np.float64(math.nan), "b": np.int64(3), "c": np.array([1.5, np.inf])})
    assert out == {"a": None, "b": 3, "c": [1.5, None]}


def test_json_keys_are_sorted(tmp_path):
    write_json(tmp_path / "a.json", {"b": 1, "a": {"d": 2, "c": 3}})
    assert (tmp_path / "a.json").read_text() == '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}\n'


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_same_figure_gives_the_same_bytes(tmp_path, fmt, monkeypatch):
    import datetime as dt

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from dprep.data.io import save_figure

    def draw() -> Figure:
        fig = Figure(figsize=(3, 2))
        ax = fig.subplots()
        ax.plot([0, 1, 2], [1, 0, 2], label="line")
        ax.legend()
        return fig

    save_figure(tmp_path / f"one.{fmt}", draw(), dpi=72)

    class Later(dt.datetime):  # matplotlib dates SVG and PDF files with the time of saving
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2031, 1, 1, tzinfo=tz)

        @classmethod
        def today(cls):
            return dt.datetime(2031, 1, 1)

    monkeypatch.setattr(dt, "datetime", Later)
    save_figure(tmp_path / f"two.{fmt}", draw(), dpi=72)
    one, two = ((tmp_path / f"{n}.{fmt}").read_bytes() for n in ("one", "two"))
    assert one == two
    assert matplotlib.__version__.encode() not in one


def test_timings_go_to_the_log_folder(tmp_path):
    from dprep.data.io import write_timing

    path = write_timing("bayes", {"stage_seconds": 1.5}, folder=tmp_path / "logs")
    assert path == tmp_path / "logs" / "bayes.timing.json"
    assert json.loads(path.read_text()) == {"stage_seconds": 1.5}
