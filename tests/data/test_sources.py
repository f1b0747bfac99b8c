"""data/sources/: the articles under audit are in the repository, unedited, and every claim names one."""

import hashlib
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "data" / "sources"


def test_readme_lists_every_article_with_its_md5():
    rows = dict(re.findall(r"^\| `([\w.]+\.txt)` \|.*\| `([0-9a-f]{32})` \|$", (SOURCES / "README.md").read_text(), re.M))
    files = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in SOURCES.glob("*.txt")}
    assert len(files) == 3 and rows == files


def test_every_claim_names_an_article_of_data_sources():
    claims = pd.read_csv(ROOT / "data" / "raw" / "claims.csv", dtype=str, keep_default_na=False)
    assert set(claims["source"]) == {p.name for p in SOURCES.glob("*.txt")}
