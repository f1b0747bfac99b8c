"""Bounded, seeded fuzzing of every command: malformed tables to every command that reads one, malformed
numbers to every command that takes numbers.

Each run must end in one of two ways: exit 0 with JSON whose numbers are all finite (no ``null`` where a
number is promised: :data:`MAY_BE_NULL` lists the keys documented as possibly null), or exit 2 with a
message on stderr (one line per problem, no traceback; with ``--json`` a validation failure may instead
list its problems as JSON records on stdout). Exit 1 or 3 (a bug, see :mod:`dprep.cli._common`) fails;
so does accepting a table that no command may accept (:data:`REJECTED`).

Deterministic: the random bytes and rows come from a generator seeded by the case's name. Bounded: about
800 in-process runs of well under a second each; a run that takes 10 s (a loop or an allocation without
end) fails.
"""

from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from dprep.cli import app

#: Every run is bounded: one that loops or allocates without end fails here instead of stalling CI.
pytestmark = pytest.mark.timeout(10)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference"
DIARIES = ROOT / "tests" / "fixtures" / "diaries"
RAW = ROOT / "data" / "raw"
STUDIES = ROOT / "data" / "studies.yaml"

def _audit_null(path: tuple, rows: list) -> bool:
    """A row echoes no recomputed p (effect size) when its p (effect-size) check is not checkable; a check's
    detail has no numbers when the check is not checkable (``dprep audit --help``, data/README.md)."""
    row = rows[path[0]]
    if path[1] == "checks":
        return row["checks"][path[2]]["outcome"] == "not_checkable"
    outcomes = {check["name"]: check["outcome"] for check in row["checks"]}
    name = "p" if path[1].startswith("recomputed_p") else "effect size" if path[1].startswith("recomputed_es") else None
    return name is not None and outcomes.get(name, "not_checkable") == "not_checkable"


def _bf_overflow(path: tuple, out: dict) -> bool:
    """A Bayes factor beyond the float range is null with bf_overflow true; log_bf10 is always given
    (dprep.stats.bayes_factors)."""
    return path in (("bf10",), ("bf01",)) and out["bf_overflow"] is True


#: command → whether a ``null`` at a path of its ``--json`` output is documented, and where.
MAY_BE_NULL: dict[str, Callable[[tuple, Any], bool]] = {
    "audit": _audit_null,
    # "output": null unless --output is given (help of --output).
    "escalc": lambda path, out: path == ("output",),
    # a δ fixed by the model (delta_fixed) has no standard error, as NA in metafor's selmodel; no note is
    # null.
    "bias selmodel": lambda path, out: path == ("note",) or path[0] == "delta_se" and out["delta_fixed"][path[1]],
    # --n2 0 is a one-sample or paired test (help of --n2): there is no second group.
    "bf ttest": lambda path, out: path == ("n", "n2") or _bf_overflow(path, out),
    "bf anova": lambda path, out: _bf_overflow(path, out),
    # participants younger than --age have no accumulated hours (summarize's help).
    "diaries summarize": lambda path, out: path[0] == "participants" and path[-1] == "accumulated_hours",
}


def _nulls(value: Any, path: tuple = ()) -> list[tuple]:
    """The paths (keys and list indices) of every ``null`` in a JSON value."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, (*path, i))]
    return [path] if value is None else []


def _message_lines(text: str) -> list[str]:
    lines = text.splitlines()
    assert lines, "exit 2 without a message"
    assert "Traceback" not in text, text
    for line in lines:
        assert line.strip() and not line[0].isspace() and "╭" not in line and "│" not in line, text
    return lines


def check(command: str, argv: list[str], *, bad: bool = False) -> None:
    """Run ``dprep *argv`` in-process and assert it ends as the module docstring says (with ``bad``: exit 2)."""
    result = CliRunner().invoke(app, argv)
    shown = f"dprep {' '.join(argv)}\nexit {result.exit_code}\nstdout: {result.stdout[:2000]}\nstderr: {result.stderr[:2000]}"
    assert result.exit_code in ((2,) if bad else (0, 2)), shown
    if result.exit_code == 2:
        if result.stderr.strip():
            _message_lines(result.stderr)
        else:  # --json: the problems as records on stdout
            records = json.loads(result.stdout)
            assert records and all({"file", "row", "column", "message"} <= set(r) for r in records), shown
        return
    out = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON\n{shown}"))
    documented = MAY_BE_NULL.get(command, lambda path, out: False)
    for path in _nulls(out):
        assert documented(path, out), f"null at {path}\n{shown}"
    if result.stderr.strip():
        _message_lines(result.stderr)


# --------------------------------------------------------------------------- malformed tables


def _rng(*names: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("/".join(names).encode()))


def _numeric(frame: pd.DataFrame) -> list[str]:
    """Columns whose filled cells all read as numbers."""
    out = []
    for column in frame.columns:
        cells = frame[column][frame[column] != ""]
        if len(cells) and pd.to_numeric(cells, errors="coerce").notna().all():
            out.append(column)
    return out


def _with_row1(value: str) -> Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame]:
    def edit(frame, rng):
        frame = frame.copy()
        frame.loc[0, _numeric(frame)] = value
        return frame
    return edit


def _missing_column(frame, rng):
    return frame.drop(columns=_numeric(frame)[-1])


def _duplicated_column(frame, rng):
    name = _numeric(frame)[-1]
    copy = frame[[name]].iloc[::-1].reset_index(drop=True)
    return pd.concat([frame, copy], axis=1)


def _text_in_number(frame, rng):
    frame = frame.copy()
    frame.loc[min(1, len(frame) - 1), _numeric(frame)[-1]] = "twelve"
    return frame


def _random_rows(frame, rng):
    """100 rows drawn from each column: numbers uniformly in the column's range (whole numbers stay whole),
    text from the column's own values."""
    rows = {}
    for column in frame.columns:
        cells = frame[column]
        if column in _numeric(frame):
            values = pd.to_numeric(cells[cells != ""])
            lo, hi = float(values.min()), float(values.max())
            hi = hi if hi > lo else lo + 1
            if (values % 1 == 0).all():
                draws = rng.integers(int(lo), int(hi) + 1, 100).astype(str)
            else:
                draws = np.round(rng.uniform(lo, hi, 100), 3).astype(str)
            rows[column] = draws
        else:
            rows[column] = rng.choice(cells.to_numpy(), 100)
    return pd.DataFrame(rows)


def _wild_rows(frame, rng):
    """100 rows of wild cells: numbers of any size and sign, specials, empty cells, text."""
    pool = np.array(["0", "-1", "1", "0.5", "-0", "1e308", "-1e308", "1e-320", "nan", "inf", "", "x", "3",
                     "12345678901234567890", "2.5", "1000"])
    return pd.DataFrame({c: rng.choice(pool, 100) for c in frame.columns}, dtype=object)


TABLE_EDITS: dict[str, Callable[[pd.DataFrame, np.random.Generator], pd.DataFrame] | None] = {
    "nan": _with_row1("nan"),
    "inf": _with_row1("inf"),
    "minus_inf": _with_row1("-inf"),
    "1e308": _with_row1("1e308"),
    "minus_zero": _with_row1("-0"),
    "huge_int": _with_row1("123456789012345678901234567890"),
    "missing_column": _missing_column,
    "duplicated_column": _duplicated_column,
    "text_in_number": _text_in_number,
    "random_rows": _random_rows,
    "wild_rows": _wild_rows,
}
RAW_CASES = ("empty", "header_only", "semicolons", "binary", "latin1")
#: Cases no command may accept: nothing to read, a required column missing or given twice (which of the
#: two would be meant?), text where a number is required.
REJECTED = ("empty", "missing_column", "duplicated_column", "text_in_number")


def malformed(source: Path, case: str, rng: np.random.Generator) -> bytes:
    """The bytes of ``source`` (a CSV) broken as ``case`` says."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    if case == "empty":
        return b""
    if case == "header_only":
        return (",".join(frame.columns) + "\n").encode()
    if case == "semicolons":
        return frame.to_csv(index=False, sep=";").encode()
    if case == "binary":
        return rng.integers(0, 256, 600, dtype=np.uint8).tobytes()
    if case == "latin1":
        text = [c for c in frame.columns if c not in _numeric(frame)]
        frame = frame.copy()
        if text:
            frame.loc[0, text[0]] = "Tesch-Römer, Übung à deux"
        else:
            frame.columns = [*frame.columns[:-1], f"{frame.columns[-1]}_é"]
        return frame.to_csv(index=False).encode("latin-1", errors="replace")
    return TABLE_EDITS[case](frame, rng).to_csv(index=False).encode()


def _copy(folder: Path, tmp: Path) -> Path:
    return Path(shutil.copytree(folder, tmp / folder.name))


#: command → (the file it reads, to be broken; how to lay out its inputs in tmp and name the argv).
#: ``setup(tmp, broken_bytes)`` writes the inputs and returns the argv.
def _single(args: list[str], source: Path) -> Callable[[Path, bytes], list[str]]:
    def setup(tmp: Path, data: bytes) -> list[str]:
        path = tmp / source.name
        path.write_bytes(data)
        return [a.replace("{csv}", str(path)) for a in args]
    return setup


def _in_folder(folder: Path, name: str, args: list[str]) -> Callable[[Path, bytes], list[str]]:
    def setup(tmp: Path, data: bytes) -> list[str]:
        copy = _copy(folder, tmp)
        (copy / name).write_bytes(data)
        return [a.replace("{dir}", str(copy)).replace("{tmp}", str(tmp)) for a in args]
    return setup


def _smd_table(tmp: Path) -> Path:
    path = tmp / "smd.csv"
    pd.DataFrame({"study": ["a", "b", "c", "d", "e", "f"], "m1": [7410, 5301, 12.5, 3.1, 100, 55.5],
                  "sd1": [2100, 1800, 4.2, 1.0, 15, 9.5], "n1": [10, 10, 25, 40, 12, 33],
                  "m2": [5301, 3420, 10.1, 2.7, 92, 50.0], "sd2": [1900, 1500, 4.0, 1.2, 14, 10.5],
                  "n2": [10, 10, 22, 38, 12, 30]}).to_csv(path, index=False)
    return path


def _escalc_setup(tmp: Path, data: bytes) -> list[str]:
    path = tmp / "smd_broken.csv"
    path.write_bytes(data)
    return ["escalc", str(path), "--measure", "SMD", "--m1i", "m1", "--sd1i", "sd1", "--n1i", "n1", "--m2i", "m2",
            "--sd2i", "sd2", "--n2i", "n2", "--json"]


MUSIC = REFERENCE / "music_correlations.csv"
HACK = REFERENCE / "hackshaw1998.csv"
VALIDATED_TABLES = ("group_summaries.csv", "reported_tests.csv")


def _reconstruct_setup(broken: str) -> Callable[[Path, bytes], list[str]]:
    def setup(tmp: Path, data: bytes) -> list[str]:
        folder = tmp / "validated"
        folder.mkdir()
        for name in VALIDATED_TABLES:
            shutil.copy(RAW / name, folder / name)
        (folder / broken).write_bytes(data)
        return ["reconstruct", "--study", "EKT1993_S1", "--out", str(tmp / "out"), "--seed", "1",
                "--validated", str(folder), "--studies", str(STUDIES), "--json"]
    return setup


def _audit_groups_setup(tmp: Path, data: bytes) -> list[str]:
    path = tmp / "group_summaries.csv"
    path.write_bytes(data)
    return ["audit", str(RAW / "reported_tests.csv"), "--groups", str(path), "--json"]


TABLE_COMMANDS: dict[str, tuple[str, Path | None, Callable[[Path, bytes], list[str]]]] = {
    # id: (command, the file broken, setup)
    "meta": ("meta", MUSIC, _single(["meta", "{csv}", "--json"], MUSIC)),
    "meta-yi": ("meta", HACK, _single(["meta", "{csv}", "--yi-col", "yi", "--vi-col", "vi", "--json"], HACK)),
    "audit": ("audit", RAW / "reported_tests.csv",
              _single(["audit", "{csv}", "--json"], RAW / "reported_tests.csv")),
    "audit-groups": ("audit", RAW / "group_summaries.csv", _audit_groups_setup),
    "escalc": ("escalc", None, _escalc_setup),
    "selmodel": ("bias selmodel", HACK,
                 _single(["bias", "selmodel", "{csv}", "--yi-col", "yi", "--vi-col", "vi", "--json"], HACK)),
    "pet-peese": ("bias pet-peese", MUSIC, _single(["bias", "pet-peese", "{csv}", "--json"], MUSIC)),
    "validate": ("validate", RAW / "music_correlations_macnamara2014.csv",
                 _in_folder(RAW, "music_correlations_macnamara2014.csv", ["validate", "{dir}", "--json"])),
    "validate-csv": ("validate", RAW / "music_correlations_macnamara2014.csv",
                     _in_folder(RAW, "music_correlations_macnamara2014.csv",
                                ["validate", "{dir}/music_correlations_macnamara2014.csv", "--json"])),
    "summarize-history": ("diaries summarize", DIARIES / "standard" / "practice_history.csv",
                          _in_folder(DIARIES / "standard", "practice_history.csv",
                                     ["diaries", "summarize", "{dir}", "--age", "18", "--json"])),
    "summarize-participants": ("diaries summarize", DIARIES / "standard" / "participants.csv",
                               _in_folder(DIARIES / "standard", "participants.csv",
                                          ["diaries", "summarize", "{dir}", "--age", "18", "--json"])),
    "reconstruct": ("reconstruct", RAW / "group_summaries.csv", _reconstruct_setup("group_summaries.csv")),
    "ingest-diaries": ("ingest-diaries", DIARIES / "wide_export" / "subjects.csv",
                       _in_folder(DIARIES / "wide_export", "subjects.csv",
                                  ["ingest-diaries", "{dir}", "--mapping", str(DIARIES / "wide_mapping.yaml"),
                                   "--out", "{tmp}/out", "--json"])),
}


@pytest.mark.parametrize("case", [*RAW_CASES, *TABLE_EDITS])
@pytest.mark.parametrize("target", list(TABLE_COMMANDS))
def test_malformed_table(target, case, tmp_path):
    command, source, setup = TABLE_COMMANDS[target]
    if source is None:
        source = _smd_table(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    check(command, setup(work, malformed(source, case, _rng(target, case))), bad=case in REJECTED)


# --------------------------------------------------------------------------- malformed numbers

#: command → (its arguments, valid options); each option is replaced in turn by every value of BAD_NUMBERS.
NUMBER_COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "effect eta2-ci": ([], {"--f": "4.59", "--df1": "1", "--df2": "27", "--level": "0.95"}),
    "effect d-ci": ([], {"--t": "2.1", "--n1": "20", "--n2": "22", "--level": "0.95"}),
    "bf ttest": ([], {"--t": "2.1", "--n1": "20", "--n2": "22", "--r": "0.7", "--df": "40"}),
    "bf anova": ([], {"--f": "4.2", "--groups": "3", "--n-per-group": "10", "--r": "0.5"}),
    "replication": ([], {"--orig-d": "0.8", "--orig-n1": "20", "--orig-n2": "20", "--rep-d": "0.3",
                         "--rep-n1": "50", "--rep-n2": "50", "--sesoi": "0.3", "--level": "0.95",
                         "--orig-df": "38", "--rep-df": "98"}),
    "audit grim": ([], {"--mean": "5.19", "--n": "28", "--items": "1", "--scale-min": "1", "--scale-max": "7"}),
    "audit grimmer": ([], {"--mean": "5.19", "--sd": "1.34", "--n": "28", "--items": "1"}),
    "audit debit": ([], {"--mean": "0.30", "--sd": "0.46", "--n": "100"}),
    "audit": ([str(RAW / "reported_tests.csv")], {"--alpha": "0.05"}),
    "meta": ([str(MUSIC)], {"--level": "0.95"}),
    "escalc": ([str(MUSIC), "--measure", "ZCOR", "--ri", "r", "--ni", "n"], {"--add": "0.5"}),
    "bias selmodel": ([str(HACK), "--yi-col", "yi", "--vi-col", "vi"], {"--steps": "0.025,0.5,1"}),
    "bias pet-peese": ([str(MUSIC)], {"--alpha": "0.05"}),
    "diaries summarize": ([str(DIARIES / "standard")], {"--age": "18", "--level": "0.95"}),
}
BAD_NUMBERS = ("nan", "inf", "-inf", "1e308", "-1e308", "1e100", "-0", "0", "-1", "0.5",
               "123456789012345678901234567890", "abc", "")


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize("command, option", [(c, o) for c, (_, opts) in NUMBER_COMMANDS.items() for o in opts])
def test_malformed_number(command, option, value):
    arguments, options = NUMBER_COMMANDS[command]
    options = {**options, option: value}
    check(command, [*command.split(), *arguments, *(x for pair in options.items() for x in pair), "--json"])


@pytest.mark.parametrize("seed", ["-1", "0", "123456789012345678901234567890", "abc"])
def test_reconstruct_seed(seed, tmp_path):
    check("reconstruct", ["reconstruct", "--study", "EKT1993_S1", "--out", str(tmp_path / "out"), "--seed", seed,
                          "--validated", str(RAW), "--studies", str(STUDIES), "--json"])
