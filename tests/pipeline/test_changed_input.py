"""Change one raw number, rerun the pipeline: no rendered page may still show the old value.

On a copy of the repository (tests/pipeline/conftest.py), the replication's best-vs-good t in
data/raw/reported_tests.csv goes from −0.93 to −1.37 (p and d left as printed, so the audit flags
the row); `dvc repro` then reruns every stage that depends on it, the report included. A page
that typed the t into its prose, a caption or an alt text would still show −0.93. In the same run the
τ² estimator of params.yaml goes from REML to DL (as `dvc exp run -S meta.method=DL` would): the pages
must then name DL as the estimator they used. And a free-text ``note`` of group_summaries.csv and of
ratings.csv carries HTML (notes the replication report prints): the page must show it as text, with no
element or attribute coming from the data (dprep.report.markup).
"""

import re

import pytest

pytestmark = pytest.mark.slow

OLD_ROW = "t,-0.93,,24,0.364,cohens_d,-0.38,"
NEW_ROW = "t,-1.37,,24,0.364,cohens_d,-0.38,"
OLD, NEW = re.compile(r"[-−]0\.93(?!\d)"), re.compile(r"[-−]1\.37(?!\d)")
NOTES = {"group_summaries.csv": ("mean not found in any reachable copy", "<script>alert(1)</script>"),
         "ratings.csv": ("(numbers not found;", "<img src=x onerror=alert(2)>")}


def test_no_page_keeps_the_old_value_after_the_input_changes(repo_copy):
    repo, run = repo_copy
    tests_csv = repo / "data" / "raw" / "reported_tests.csv"
    text = tests_csv.read_text(encoding="utf-8")
    assert text.count(OLD_ROW) == 1
    tests_csv.write_text(text.replace(OLD_ROW, NEW_ROW), encoding="utf-8")
    params = repo / "params.yaml"
    before = params.read_text(encoding="utf-8")
    assert before.count("  method: REML ") == 1
    params.write_text(before.replace("  method: REML ", "  method: DL   "), encoding="utf-8")
    for name, (note, payload) in NOTES.items():
        raw = repo / "data" / "raw" / name
        text = raw.read_text(encoding="utf-8")
        assert text.count(note) == 1
        raw.write_text(text.replace(note, f"{note} {payload}"), encoding="utf-8")
    run(["dvc", "repro"])
    pages = {p.name: p.read_text(encoding="utf-8") for p in (repo / "reports" / "_site").glob("*.html")}
    assert {"index.html", "replication.html", "blinding.html", "claims-audit.html"} <= set(pages)
    stale = {name: OLD.findall(html) for name, html in pages.items() if OLD.search(html)}
    assert not stale, f"pages still show the old t: {stale}"
    for name in ("replication.html", "blinding.html", "claims-audit.html"):
        assert NEW.search(pages[name]), f"{name} does not show the new t"
    text = {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)) for name, html in pages.items()}
    assert "τ² by DL" in text["replication.html"] and "τ² by REML" not in text["replication.html"]
    assert "Bayesian and DL" in text["blinding.html"] and "Bayesian and REML" not in text["blinding.html"]
    assert "(τ² by DL)" in text["claims-audit.html"]
    for name, html in pages.items():
        tags = re.findall(r"<[a-zA-Z][^>]*>", re.sub(r'"[^"]*"', '""', html))  # attribute values emptied
        assert not [t for t in tags if re.match(r"<script\b", t) or re.search(r"\son\w+\s*=", t)], name
    shown = " ".join(pages["replication.html"].split())  # pandoc wraps lines
    for _, payload in NOTES.values():
        assert payload.replace("<", "&lt;").replace(">", "&gt;") in shown, payload
