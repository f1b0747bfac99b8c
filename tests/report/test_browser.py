"""The rendered reports in a real browser: headless Chromium driven by Selenium (chromedriver).

Renders every document `reports/_quarto.yml` lists with the fallback renderer into a temporary
folder, serves it on 127.0.0.1 and opens each page, checking that

- the browser console holds no errors (level SEVERE),
- every image loaded (``naturalWidth > 0``) and has non-empty alt text,
- every figure and table the document declares (``#| label: fig-…`` / ``tbl-…``) is on the page,
  each with a non-empty caption,
- the footer carries the provenance block and the citation,

and saves a full-page screenshot per page in the temporary folder.  Chromium and chromedriver
must be installed (Debian: ``apt-get install chromium chromium-driver``; `make test` does it):
without them the test fails rather than skips.
"""

from __future__ import annotations

import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
CHROME_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,1000",
)
_LABEL = re.compile(r"^#\|\s*label:\s*[\"']?((?:fig|tbl)-[\w-]+)", re.M)

pytestmark = pytest.mark.slow


def _browser_binaries() -> tuple[str, str]:
    chrome = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    driver = shutil.which("chromedriver")
    if chrome is None or driver is None:
        pytest.fail("headless browser test needs Chromium and chromedriver on PATH "
                    f"(found chromium={chrome}, chromedriver={driver}); install them with "
                    "`sudo apt-get install chromium chromium-driver` or run `make test`", pytrace=False)
    return chrome, driver


class _Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/favicon.ico":  # the browser's own request, not the page's
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, pipeline_outputs: Path) -> dict:
    from dprep.report.render import load_project, render_project

    project = load_project(REPORTS)  # fails when a listed document is missing
    out = tmp_path_factory.mktemp("browser") / "site"
    pages = render_project(REPORTS, output_dir=out, engine="fallback")
    assert len(pages) == len(project.documents)
    return {"out": out, "pages": dict(zip(project.documents, pages))}


@pytest.fixture(scope="module")
def server(site: dict) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(site["out"])))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    chrome, driver_path = _browser_binaries()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("headless browser test needs selenium: pip install -e '.[test]'", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit chromedriver path: Selenium Manager (which may download drivers) never runs.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _declared_floats(document: Path) -> tuple[set[str], set[str]]:
    labels = set(_LABEL.findall(document.read_text(encoding="utf-8")))
    return {x for x in labels if x.startswith("fig-")}, {x for x in labels if x.startswith("tbl-")}


def _documents() -> list[Path]:
    from dprep.report.render import load_project

    return list(load_project(REPORTS).documents)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("document", _documents(), ids=lambda p: p.stem)
def test_page_in_headless_chromium(document: Path, site: dict, server: str, browser) -> None:
    page = site["pages"][document]
    url = f"{server}/{page.relative_to(site['out']).as_posix()}"
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(url)
    assert browser.execute_script("return document.readyState") == "complete"
    problems: list[str] = []

    severe = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    problems += [f"console error: {message}" for message in severe]

    images = browser.execute_script(
        "return Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,"
        " alt: (i.getAttribute('alt') || '').trim(), src: i.currentSrc.slice(0, 60)}))")
    problems += [f"broken image {i['src']}" for i in images if not (i["complete"] and i["width"] > 0)]
    problems += [f"image without alt text: {i['src']}" for i in images if not i["alt"]]

    floats = browser.execute_script(
        "return Array.from(document.querySelectorAll('figure')).map(f => ({id: f.id,"
        " images: f.querySelectorAll('img, svg').length, tables: f.querySelectorAll('table').length,"
        " caption: ((f.querySelector('figcaption') || {}).textContent || '').trim()}))")
    by_id = {f["id"]: f for f in floats if f["id"]}
    problems += [f"figure {f['id'] or '(no id)'} has no caption" for f in floats if not f["caption"]]
    figures, tables = _declared_floats(document)
    for label in sorted(figures):
        found = by_id.get(label)
        if found is None or found["images"] == 0:
            problems.append(f"figure {label} is not rendered as an image")
    for label in sorted(tables):
        found = by_id.get(label)
        if found is None or found["tables"] == 0:
            problems.append(f"table {label} is not rendered as a table")
    if figures:
        assert browser.execute_script("return document.querySelectorAll('figure img').length") >= len(figures)
    if tables:
        assert browser.execute_script("return document.querySelectorAll('table').length") >= len(tables)

    footer = browser.execute_script(
        "const p = document.querySelector('footer .provenance'); return p ? p.textContent : ''")
    if "provenance" not in document.read_text(encoding="utf-8").split("\n---", 1)[0]:
        for needle in ("Provenance.", "commit", "How to cite."):
            if needle not in footer:
                problems.append(f"footer lacks {needle!r}")

    height = browser.execute_script("return Math.min(document.documentElement.scrollHeight, 16000)")
    browser.set_window_size(1280, max(800, int(height)))
    screenshots = site["out"].parent / "screenshots"
    screenshots.mkdir(exist_ok=True)
    browser.save_screenshot(str(screenshots / f"{document.stem}.png"))
    browser.set_window_size(1280, 1000)

    assert not problems, f"{document.name} ({url}):\n" + "\n".join(problems)
