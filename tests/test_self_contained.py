"""The tests read only the repository: no absolute paths of a machine, nothing from a shared folder
beside the checkout. A string constant in a test that names an absolute path whose first folder
exists at this machine's file-system root (``/work/…``, ``/tmp/…``) or a folder called ``shared``
fails this test; build paths from the test file's location or from pytest's ``tmp_path`` instead."""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT_FOLDERS = {p.name for p in Path("/").iterdir()}
SHARED = re.compile(r"(^|[/\\])shared([/\\]|$)")


def _offending(value: str) -> bool:
    path = Path(value)
    machine_path = path.is_absolute() and len(path.parts) > 1 and path.parts[1] in ROOT_FOLDERS
    return machine_path or bool(SHARED.search(value))


def test_no_test_names_a_path_outside_the_repository():
    found = []
    for source in sorted(set(TESTS.rglob("*.py")) - {Path(__file__).resolve()}):  # not its own examples
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _offending(node.value):
                found.append(f"{source.relative_to(TESTS)}:{node.lineno}: {node.value!r}")
    assert not found, "tests name paths outside the repository:\n" + "\n".join(found)


def test_the_guard_catches_machine_and_shared_paths():
    assert _offending("/work/shared/sources") and _offending("/tmp/x.csv") and _offending("shared")
    assert _offending("../shared/evidence")
    assert not _offending("/favicon.ico") and not _offending("data/raw") and not _offending("shared MSE")
