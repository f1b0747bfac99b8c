"""Every DVC stage depends on the code it runs: the dprep modules its script imports (transitively),
and, for the report stage, what the pages' code cells import. A change to any of them must make
`dvc status` report the stage, so no page can show results of code that has since changed."""

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CELL = re.compile(r"^```\{python\}\n(.*?)^```", re.S | re.M)


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(source: str, package: str | None = None) -> set[str]:
    """dprep modules imported by ``source`` (``from dprep.x import y`` counts y when it is a module)."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "dprep"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dprep":
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names if _module_file(f"{node.module}.{a.name}")}
    return {m for m in out if _module_file(m)}


def _closure(modules: set[str]) -> set[Path]:
    files, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or path in files:
            continue
        files.add(path)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(2, len(parts))]  # parent packages run too
        todo += list(_imports(path.read_text()))
    return files


def _covered(path: Path, deps: list[str]) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return any(rel == d or rel.startswith(d.rstrip("/") + "/") for d in deps)


def _stage_code() -> dict[str, set[Path]]:
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    out = {}
    for name, stage in stages.items():
        script = ROOT / stage["cmd"].split()[-1]
        modules = _imports(script.read_text())
        if name == "report":
            for page in (ROOT / "reports").glob("*.qmd"):
                for cell in CELL.findall(page.read_text()):
                    modules |= _imports(cell)
        out[name] = _closure(modules)
    return out


def test_every_stage_depends_on_the_code_it_imports():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    missing = {}
    for name, files in _stage_code().items():
        deps = stages[name]["deps"]
        lacking = sorted(f.relative_to(ROOT).as_posix() for f in files if not _covered(f, deps))
        if lacking:
            missing[name] = lacking
    assert not missing, f"dvc.yaml stages miss dependencies on code they import: {missing}"


def test_stage_scripts_and_pages_are_dependencies():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        assert stage["cmd"].split()[-1] in stage["deps"], name
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "reports").glob("*.qmd")}
    assert pages <= set(stages["report"]["deps"]) | {d for d in stages["report"]["deps"] if d == "reports"}


def _path_literals(source: str) -> set[str]:
    """String constants in a script that name a file or folder of the repository."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[\w./-]+/[\w./-]+", node.value):
            text = node.value.strip()
            if (ROOT / text).exists() or text.startswith(("data/", "reports/")):
                out.add(text.rstrip("/"))
    return out


def test_stage_scripts_depend_on_the_files_they_name():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    missing = {}
    for name, stage in stages.items():
        script = ROOT / stage["cmd"].split()[-1]
        outs = [next(iter(o)) if isinstance(o, dict) else o for o in stage.get("outs", [])]
        named = {p for p in _path_literals(script.read_text())
                 if not any(p == o or p.startswith(o + "/") for o in outs)}
        # a folder named only as the root of paths composed below it (data/processed) is not itself read
        lacking = sorted(p for p in named if not any(p == d or p.startswith(d.rstrip("/") + "/")
                                                     or d.startswith(p + "/") for d in stage["deps"]))
        if lacking:
            missing[name] = lacking
    assert not missing, f"stages read files that are not among their deps: {missing}"
