"""The reports' footers (rendered by the pipeline's `report` stage): the MD5 of every file a page
read is that file's, the files the pages read are the report stage's data dependencies (and
nothing more), and the parameters the pages depend on are listed and declared."""

import hashlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _footer(html: str) -> str:
    return html[html.index('<div class="provenance">'):]


def _files_read(html: str) -> dict[str, str]:
    return dict(re.findall(r"<code>([^<\s]+)</code>\s*<code>([0-9a-f]{32})</code>", _footer(html)))


def _params(html: str) -> set[str]:
    return set(re.findall(r"<code>([\w.]+)=[^<]*</code>", _footer(html)))


@pytest.fixture(scope="module")
def pages(rendered_reports: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(rendered_reports.glob("*.html"))}


@pytest.fixture(scope="module")
def report_stage() -> dict:
    return yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["report"]


def test_footer_hashes_are_those_of_the_files_the_page_read(pages: dict[str, str]) -> None:
    assert {"replication", "blinding", "claims-audit"} <= set(pages)
    for name, html in pages.items():
        read = _files_read(html)
        if name != "index":
            assert len(read) >= 5, name
        for path, md5 in read.items():
            assert hashlib.md5((ROOT / path).read_bytes()).hexdigest() == md5, (name, path)


def test_the_pages_read_what_the_report_stage_depends_on(pages: dict[str, str], report_stage: dict) -> None:
    read = set().union(*(_files_read(html) for html in pages.values())) - {"params.yaml"}  # under `params:`
    deps = report_stage["deps"]
    within = lambda path, dep: path == dep or path.startswith(dep.rstrip("/") + "/")  # noqa: E731
    assert [p for p in read if not any(within(p, d) for d in deps)] == []
    unread = [d for d in deps if d.startswith("data/processed") and not any(within(p, d) for p in read)]
    assert unread == [], "the report stage depends on outputs no page reads"


def test_footer_lists_the_parameters_and_the_stage_declares_them(pages: dict[str, str], report_stage: dict) -> None:
    declared = report_stage["params"]
    assert "effect_size.level" in _params(pages["replication"]) and "audit.alpha" in _params(pages["claims-audit"])
    assert "bayes.draws" in _params(pages["blinding"]) and "meta.method" in _params(pages["blinding"])
    for name, html in pages.items():
        lacking = [k for k in _params(html) if not any(k == d or k.startswith(d + ".") for d in declared)]
        assert lacking == [], name
