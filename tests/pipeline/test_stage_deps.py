"""Every DVC stage depends on what it uses, derived from the code, and on nothing it does not use.

- Code: the dprep modules its script imports (transitively; for the report stage also what the
  pages' code cells import) and the package data those modules name (schemas, render assets).
  A change to any of them must make `dvc status` report the stage, so no page can show results
  of code that has since changed (the slow test at the end checks DVC itself, on a copy).
- Files: every repository path the script names is a dependency or an output, and every data
  dependency is a path the script names (a stage depends on the files it reads, not on a whole
  upstream stage).
- Parameters: every ``params.yaml`` key a script or page reads is declared under the stage's
  ``params:``, and a script stage declares no key it does not read; the report stage declares
  every key of every stage upstream of it, since its footers list them.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CELL = re.compile(r"^```\{python\}\n(.*?)^```", re.S | re.M)
PARAMS_SOURCES = {"safe_load", "read_params"}  # calls that return params.yaml (scripts, pages)


def _stages() -> dict:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def _paths(entries) -> list[str]:
    return [next(iter(e)) if isinstance(e, dict) else e for e in entries or []]


def _within(path: str, folder: str) -> bool:
    return path == folder.rstrip("/") or path.startswith(folder.rstrip("/") + "/")


def _module_file(name: str) -> Path | None:
    parts = name.split(".")
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(source: str) -> set[str]:
    """dprep modules imported by ``source`` (``from dprep.x import y`` counts y when it is a module)."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "dprep"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dprep":
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names if _module_file(f"{node.module}.{a.name}")}
    return {m for m in out if _module_file(m)}


def _package_data(path: Path) -> set[Path]:
    """Non-Python files and folders beside ``path`` that its string constants name (``"schemas"``,
    ``"render_assets"``, ``"diary.schema.json"``): data the module reads."""
    siblings = {p.name: p for p in path.parent.iterdir() if p.suffix != ".py" and p.name != "__pycache__"}
    names = {n.value for n in ast.walk(ast.parse(path.read_text()))
             if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return {siblings[name] for name in names & set(siblings)}


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
    return files | {data for path in files for data in _package_data(path)}


def _page_cells() -> dict[str, str]:
    return {p.name: "\n".join(CELL.findall(p.read_text())) for p in sorted((ROOT / "reports").glob("*.qmd"))}


def _stage_sources() -> dict[str, list[str]]:
    """Each stage's code: its script, and for the report stage the pages' cells too."""
    out = {}
    for name, stage in _stages().items():
        out[name] = [(ROOT / stage["cmd"].split()[-1]).read_text()]
        if name == "report":
            out[name] += list(_page_cells().values())
    return out


def _stage_code() -> dict[str, set[Path]]:
    return {name: _closure(set().union(*map(_imports, sources))) for name, sources in _stage_sources().items()}


def test_every_stage_depends_on_the_code_it_imports():
    stages = _stages()
    missing = {}
    for name, files in _stage_code().items():
        deps = stages[name]["deps"]
        lacking = sorted(rel for f in files if not any(_within(rel := f.relative_to(ROOT).as_posix(), d) for d in deps))
        if lacking:
            missing[name] = lacking
    assert not missing, f"dvc.yaml stages miss dependencies on code they import: {missing}"


def test_package_data_is_found():
    found = {p.relative_to(ROOT).as_posix() for p in _closure({"dprep.data.diaries", "dprep.report.render"})}
    assert {"dprep/data/diary_schema", "dprep/report/render_assets"} <= found


def test_stage_scripts_and_pages_are_dependencies():
    stages = _stages()
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
            if (ROOT / text).exists() or text.startswith(("data/", "reports/", "metrics/")):
                out.add(text.rstrip("/"))
    return out


def _outs(stage: dict) -> list[str]:
    return _paths(stage.get("outs")) + _paths(stage.get("metrics")) + _paths(stage.get("plots"))


def test_stage_scripts_depend_on_the_files_they_name():
    missing = {}
    for name, stage in _stages().items():
        script = ROOT / stage["cmd"].split()[-1]
        named = {p for p in _path_literals(script.read_text()) if not any(_within(p, o) for o in _outs(stage))}
        lacking = sorted(p for p in named if not any(_within(p, d) for d in stage["deps"]))
        if lacking:
            missing[name] = lacking
    assert not missing, f"stages read files that are not among their deps: {missing}"


def test_stages_depend_only_on_the_outputs_they_read():
    """A data dependency of a script stage is a path its script names: `bayes` names
    replication/results.json, so it does not rerun when another file of that stage changes."""
    produced = [o for stage in _stages().values() for o in _outs(stage)]
    unread = {}
    for name, stage in _stages().items():
        if name == "report":  # the pages' reads are checked from the footers (test_report_footer.py)
            continue
        named = _path_literals((ROOT / stage["cmd"].split()[-1]).read_text())
        extra = [d for d in stage["deps"] if any(_within(d, o) for o in produced) and d not in named]
        if extra:
            unread[name] = extra
    assert not unread, f"stages depend on outputs their scripts do not name: {unread}"


# --------------------------------------------------------------------------- parameters


def _chain(node: ast.AST, roots: dict[str, str]) -> str | None:
    """The dotted params key of ``node`` (a chain of ["key"] subscripts on a params source), or None."""
    keys = []
    while isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        keys.append(node.slice.value)
        node = node.value
    if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in PARAMS_SOURCES:
        base = ""
    elif isinstance(node, ast.Name) and node.id in roots:
        base = roots[node.id]
    else:
        return None
    return ".".join(k for k in [base, *reversed(keys)] if k)


def params_read(source: str) -> set[str]:
    """The ``params.yaml`` keys a script or page reads: ``params["meta"]["method"]`` → ``meta.method``,
    through aliases (``p = params["bayes"]``; ``p["draws"]``); a bare alias reads all of its key."""
    tree = ast.parse(source)
    roots: dict[str, str] = {}
    for _ in range(3):  # aliases of aliases
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
                pairs = (zip(target.elts, value.elts) if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
                         else [(target, value)])
                for t, v in pairs:
                    key = _chain(v, roots)
                    if isinstance(t, ast.Name) and key is not None:
                        roots[t.id] = key
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    bound = {id(v) for n in ast.walk(tree) if isinstance(n, ast.Assign) for v in ast.walk(n.value)}
    subscripted = {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)}
    read = {key for name, key in roots.items() if name not in subscripted}  # `alpha = params[...]` reads it
    for node in ast.walk(tree):
        parent = parents.get(node)
        if isinstance(parent, ast.Subscript) and parent.value is node:
            continue  # an inner link of a longer chain
        if isinstance(node, ast.Name) and (node.id not in roots or isinstance(node.ctx, ast.Store)):
            continue
        key = _chain(node, roots)
        if key is not None and not (id(node) in bound and key in roots.values()):
            read.add(key)
    return {key or "<all of params.yaml>" for key in read}


def _declared(stage: dict) -> set[str]:
    keys = set()
    for entry in stage.get("params") or []:
        keys |= {k for ks in entry.values() for k in ks} if isinstance(entry, dict) else {entry}
    return keys


def _covers(declared: str, key: str) -> bool:
    return key == declared or key.startswith(declared + ".")


def test_params_reader_follows_aliases():
    source = ('p = yaml.safe_load(x)["bayes"]\nq, seed = p["mu_prior"], int(params["seed"])\n'
              'params = yaml.safe_load(y)\nf(params["effect_size"]["level"], p["draws"], q)\n'
              'alpha = read_params()["audit"]["alpha"]\nlevel = read_params()["meta"]\nlevel["test"]\n')
    assert params_read(source) == {"bayes.mu_prior", "bayes.draws", "seed", "effect_size.level", "audit.alpha",
                                    "meta.test"}


def test_every_param_read_is_declared_and_every_declared_param_is_read():
    stages, problems = _stages(), {}
    for name, sources in _stage_sources().items():
        read, declared = set().union(*map(params_read, sources)), _declared(stages[name])
        lacking = sorted(k for k in read if not any(_covers(d, k) for d in declared))
        unused = sorted(d for d in declared if not any(_covers(d, k) or _covers(k, d) for k in read))
        if name == "report":
            upstream = set().union(*(_declared(s) for n, s in stages.items() if n != "report"))
            lacking += sorted(k for k in upstream if not any(_covers(d, k) for d in declared))
            unused = []  # the report declares upstream keys for its footers
        if lacking or unused:
            problems[name] = {"read but not declared": lacking, "declared but not read": unused}
    assert not problems, f"params of dvc.yaml stages do not match what they read: {problems}"


def test_pages_read_params_only_through_read_params():
    """The footer lists the parameters a page looked up; only read_params records them."""
    for page, cells in _page_cells().items():
        assert "safe_load" not in cells and not re.search(r"open\([^)]*params\.yaml|Path\([^)]*params\.yaml", cells), page


# --------------------------------------------------------------------------- what a parameter reruns


def _downstream(start: set[str]) -> set[str]:
    stages = _stages()
    out, todo = set(start), list(start)
    while todo:
        produced = _outs(stages[todo.pop()])
        for name, stage in stages.items():
            if name not in out and any(_within(d, o) or _within(o, d) for d in stage["deps"] for o in produced):
                out.add(name)
                todo.append(name)
    return out


def test_meta_method_reruns_the_meta_analysis_and_its_users_not_the_mcmc_fits():
    stages = _stages()
    reading = {n for n, s in stages.items() if any(_covers(d, "meta.method") for d in _declared(s))}
    assert _downstream(reading) == {"meta", "bayes_vs_meta", "claims", "report"}


def test_mcmc_fits_rerun_only_on_their_own_inputs():
    stages = _stages()
    for key in ("meta.method", "meta.test", "replication.sesoi"):
        reading = {n for n, s in stages.items() if any(_covers(d, key) for d in _declared(s))}
        assert "bayes_groups" not in _downstream(reading), key
    assert "bayes" not in _downstream({"meta", "claims", "diaries"})


# --------------------------------------------------------------------------- DVC itself


NOOP = """import json, pathlib, sys
for path in map(pathlib.Path, sys.argv[1:]):
    if path.suffix:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    else:
        path.mkdir(parents=True, exist_ok=True)
        (path / "placeholder").write_text("")
"""


def _noop_copy(dest: Path, run_dvc) -> dict:
    """A copy of the repository's files whose stages only create their outputs (and the files
    inside them that other stages read), run once so that dvc.lock matches the copy."""
    import shutil
    import subprocess

    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-co", "--exclude-standard"], check=True,
                            capture_output=True, text=True).stdout.split()
    for rel in listed:
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, dest / rel)
    stages = _stages()
    deps = [d for stage in stages.values() for d in stage["deps"]]
    for stage in stages.values():
        outs = _outs(stage)
        made = outs + [d for d in deps if any(_within(d, o) and d != o for o in outs)]
        stage["cmd"] = "python noop.py " + " ".join(made)
    (dest / "dvc.yaml").write_text(yaml.safe_dump({"stages": stages}, sort_keys=False))
    (dest / "noop.py").write_text(NOOP)
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    run_dvc("repro", "--quiet", root=dest)
    return stages


@pytest.mark.slow
def test_appending_a_comment_to_an_imported_module_makes_dvc_status_report_the_stage(tmp_path, run_dvc):
    from dvc.repo import Repo

    copy = tmp_path / "repo"
    _noop_copy(copy, run_dvc)
    code = {name: {f.relative_to(ROOT).as_posix() for f in files} for name, files in _stage_code().items()}
    modules = sorted({rel for files in code.values() for rel in files if rel.endswith(".py")})
    with Repo(str(copy)) as repo:
        assert repo.status() == {}, "the no-op pipeline of the copy is not up to date"
    missed = {}
    for rel in modules:
        path = copy / rel
        original = path.read_bytes()
        path.write_bytes(original + b"\n# an appended comment\n")
        try:
            with Repo(str(copy)) as repo:
                status = repo.status()
        finally:
            path.write_bytes(original)
        reported = {name.rsplit(":", 1)[-1] for name, changes in status.items()  # "<path>/dvc.yaml:stage"
                    for change in changes if isinstance(change, dict)
                    for dep in change.get("changed deps", {}) if _within(rel, dep)}
        expected = {name for name, files in code.items() if rel in files}
        if expected - reported:
            missed[rel] = sorted(expected - reported)
    assert len(modules) > 40 and not missed, f"dvc status does not report these stages: {missed}"
