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
