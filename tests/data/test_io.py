"""Atomic output: a failure or a crash at any step leaves the old or the new complete result in place, the
next call cleans up; modes follow the umask; CSV cells a spreadsheet would run are neutralised."""

import csv
import json
import math
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dprep.data.io import atomic_dir, atomic_path, neutralise_formulas, to_jsonable, write_csv, write_json


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


# ------------------------------------------------------------------------------ faults at every step

ROOT = Path(__file__).resolve().parents[2]


def fail_on(monkeypatch, module, name: str, calls: set[int], exc: BaseException) -> None:
    """Make ``module.name`` raise ``exc`` on the given (1-based) calls and behave normally otherwise."""
    real, count = getattr(module, name), [0]

    def patched(*args, **kwargs):
        count[0] += 1
        if count[0] in calls:
            raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, patched)


def write_stage(out: Path, text: str) -> None:
    with atomic_dir(out) as tmp:
        (tmp / "a.csv").write_text(text)
        (tmp / "b.csv").write_text(text)


def complete(out: Path) -> str:
    """The version ("old"/"new") of the complete folder at ``out``."""
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv"]
    (text,) = {(out / n).read_text() for n in ("a.csv", "b.csv")}
    return text


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "stage")


def test_the_swap_renames_old_aside_new_in_then_deletes_the_backup(tmp_path, monkeypatch):
    out = tmp_path / "stage"
    write_stage(out, "old")
    renames = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renames.append((Path(a).name, Path(b).name)), real(a, b)))
    write_stage(out, "new")
    (old_aside, new_in, to_trash) = renames
    assert old_aside[0] == "stage" and old_aside[1].endswith(".old")
    assert new_in[0].endswith(".tmp") and new_in[1] == "stage"
    assert to_trash == (old_aside[1], to_trash[1]) and to_trash[1].endswith(".del")
    assert complete(out) == "new" and leftovers(tmp_path) == []


@pytest.mark.parametrize("call, exc, expected", [
    (1, OSError("rename of the old folder failed"), "old"),
    (2, OSError("rename of the new folder failed"), "old"),
    (2, SystemExit(1), "old"),
    (2, KeyboardInterrupt(), "old"),
    (3, OSError("rename of the backup to .del failed"), "new"),
])
def test_a_failed_rename_leaves_a_complete_folder_and_the_next_call_cleans_up(tmp_path, monkeypatch, call, exc,
                                                                              expected):
    out = tmp_path / "stage"
    write_stage(out, "old")
    fail_on(monkeypatch, os, "replace", {call}, exc)
    if expected == "old":
        with pytest.raises(type(exc)):
            write_stage(out, "new")
    else:
        write_stage(out, "new")  # the output is in place: a backup left over is deleted next time
    assert complete(out) == expected
    monkeypatch.undo()
    with pytest.raises(ValueError):  # the next call, even one that fails, cleans up first
        with atomic_dir(out):
            raise ValueError("stage failed")
    assert complete(out) == expected and leftovers(tmp_path) == []


def test_when_the_restore_fails_too_the_next_call_restores_the_backup(tmp_path, monkeypatch):
    out = tmp_path / "stage"
    write_stage(out, "old")
    fail_on(monkeypatch, os, "replace", {2, 3}, OSError("disk gone"))  # new → path, then backup → path
    with pytest.raises(OSError):
        write_stage(out, "new")
    assert not out.exists()
    (backup,) = (p for p in tmp_path.iterdir() if p.name.endswith(".old"))
    assert complete(backup) == "old"
    monkeypatch.undo()
    with atomic_dir(out) as tmp:
        assert complete(out) == "old"  # restored before anything else
        (tmp / "a.csv").write_text("new")
        (tmp / "b.csv").write_text("new")
    assert complete(out) == "new" and leftovers(tmp_path) == []


@pytest.mark.parametrize("call", [1, 2])
def test_failed_deletes_leave_leftovers_the_next_call_removes(tmp_path, monkeypatch, call):
    out = tmp_path / "stage"
    write_stage(out, "old")
    fail_on(monkeypatch, shutil, "rmtree", {1}, OSError("busy"))
    if call == 1:  # the backup of a successful swap cannot be deleted
        write_stage(out, "new")
        expected = "new"
    else:  # the unfinished folder of a failed stage cannot be deleted
        with pytest.raises(ValueError):
            with atomic_dir(out) as tmp:
                (tmp / "a.csv").write_text("partial")
                raise ValueError("stage failed")
        expected = "old"
    assert complete(out) == expected and len(leftovers(tmp_path)) == 1
    monkeypatch.undo()
    write_stage(out, "newer")
    assert complete(out) == "newer" and leftovers(tmp_path) == []


CRASH = """
import os, sys
from pathlib import Path
from dprep.data import io
real, calls = os.replace, []
def replace(a, b):
    calls.append(1)
    if len(calls) == int(sys.argv[2]):
        os._exit(9)  # killed: no handler, no finally
    real(a, b)
os.replace = replace
with io.atomic_dir(sys.argv[1]) as tmp:
    for name in ("a.csv", "b.csv"):
        (tmp / name).write_text("new")
    if sys.argv[2] == "0":
        os._exit(9)
"""


@pytest.mark.parametrize("call, expected", [(0, "old"), (1, "old"), (2, None), (3, "new")])
def test_a_process_killed_at_any_step_is_recovered_by_the_next_call(tmp_path, call, expected):
    """Killed while building (0), before the first rename (1), between the two renames (2), before
    the backup is deleted (3): the next call finds the old or the new complete folder."""
    out = tmp_path / "stage"
    write_stage(out, "old")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    killed = subprocess.run([sys.executable, "-c", CRASH, str(out), str(call)], cwd=ROOT, env=env)
    assert killed.returncode == 9
    if expected is None:  # between the renames: the path is missing, the complete old folder is the backup
        assert not out.exists()
        (backup,) = (p for p in tmp_path.iterdir() if p.name.endswith(".old"))
        assert complete(backup) == "old"
    else:
        assert complete(out) == expected and leftovers(tmp_path)
    with pytest.raises(ValueError):
        with atomic_dir(out):
            raise ValueError("the next stage fails")
    assert complete(out) == (expected or "old") and leftovers(tmp_path) == []


def test_two_processes_recovering_the_same_backup(tmp_path, monkeypatch):
    """The backup a killed process left is put back by whichever process gets there first; the other
    finds it gone (or the folder back) and goes on with its own write."""
    out = tmp_path / "stage"
    write_stage(out, "old")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    backup = tmp_path / f".stage.{int(dead.stdout)}-0123abcd.old"
    os.replace(out, backup)  # as left by a process killed between its two renames
    real = os.replace

    def other_process_first(src, dst):
        if Path(src) == backup:
            real(src, dst)  # the other process restores it ...
            raise FileNotFoundError(2, "No such file or directory", str(src))  # ... and this one finds it gone
        real(src, dst)

    monkeypatch.setattr(os, "replace", other_process_first)
    write_stage(out, "new")
    assert complete(out) == "new" and leftovers(tmp_path) == []


def test_leftovers_of_a_running_process_are_kept(tmp_path):
    out = tmp_path / "stage"
    write_stage(out, "old")
    running = tmp_path / f".stage.{os.getppid()}-0123abcd.tmp"  # the parent of this test process is running
    running.mkdir()
    write_stage(out, "new")
    assert complete(out) == "new" and leftovers(tmp_path) == [running.name]


def test_atomic_path_faults_and_crash(tmp_path, monkeypatch):
    target = tmp_path / "result.json"
    write_json(target, {"value": 1})
    for exc in (OSError("rename failed"), SystemExit(1)):
        fail_on(monkeypatch, os, "replace", {1}, exc)
        with pytest.raises(type(exc)):
            write_json(target, {"value": 2})
        monkeypatch.undo()
        assert json.loads(target.read_text()) == {"value": 1}
        assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]
    crash = ("import os, sys\nfrom dprep.data import io\n"
             "with io.atomic_path(sys.argv[1]) as tmp:\n    tmp.write_text('partial')\n    os._exit(9)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    assert subprocess.run([sys.executable, "-c", crash, str(target)], cwd=ROOT, env=env).returncode == 9
    assert len(list(tmp_path.iterdir())) == 2  # the partial file of the killed process
    write_json(target, {"value": 3})
    assert json.loads(target.read_text()) == {"value": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


# ------------------------------------------------------------------------------ modes follow the umask


@pytest.fixture(params=[0o022, 0o077])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_outputs_get_the_modes_of_open_and_mkdir_under_the_umask(tmp_path, umask):
    out = tmp_path / "new" / "stage"
    with atomic_dir(out) as tmp:
        write_csv(tmp / "a.csv", pd.DataFrame({"x": [1]}))
    write_json(tmp_path / "r.json", {"a": 1})
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(out) == mode(out.parent) == 0o777 & ~umask
    assert mode(out / "a.csv") == mode(tmp_path / "r.json") == 0o666 & ~umask


# ------------------------------------------------------------------------------ CSV injection

PAYLOADS = ["=HYPERLINK(\"http://x.invalid\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
            "\t=1+1", "=1", "-", "+"]
PLAIN = ["-0.93", "+1", "-1e-5", "1.5E+3", ".5", "plain", "a=b", "", "Müller-Lyer"]


def test_write_csv_neutralises_formula_cells_but_not_numbers(tmp_path):
    frame = pd.DataFrame({"label": PAYLOADS + PLAIN, "r": np.linspace(-0.9, 0.9, len(PAYLOADS + PLAIN)),
                          "n": np.arange(len(PAYLOADS + PLAIN)) - 3, "flag": [True, False] * 8 + [True]})
    frame["=HYPERLINK(\"h\")"] = "x"
    write_csv(tmp_path / "t.csv", frame)
    with open(tmp_path / "t.csv", newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    assert header == ["label", "r", "n", "flag", "'=HYPERLINK(\"h\")"]
    labels = [row[0] for row in rows]
    assert labels == ["'" + p for p in PAYLOADS] + PLAIN
    back = pd.read_csv(tmp_path / "t.csv")
    np.testing.assert_array_equal(back["r"], frame["r"])  # numeric columns untouched, "-0.9" included
    np.testing.assert_array_equal(back["n"], frame["n"])
    assert back["flag"].tolist() == frame["flag"].tolist()
    assert frame["label"].tolist() == PAYLOADS + PLAIN  # the caller's frame is not changed


def test_a_leading_carriage_return_is_neutralised_too():
    # (not read back through a CSV: pandas writes a lone CR unquoted, which CSV readers take as a line end)
    out = neutralise_formulas(pd.DataFrame({"x": ["\r=1+1", "a\rb"]}))
    assert out["x"].tolist() == ["'\r=1+1", "a\rb"]


def test_write_csv_can_write_data_cells_as_they_are(tmp_path):
    write_csv(tmp_path / "t.csv", pd.DataFrame({"group": ["=A", "-B"]}), neutralise=False)
    assert (tmp_path / "t.csv").read_text() == "group\n=A\n-B\n"
