"""The website in a real browser: headless Chromium opens every page of the built site, served
on 127.0.0.1, and we read the page as the reader gets it, after its scripts ran. Every formula is
typeset by the bundled MathJax with no error, no raw TeX or traceback is visible, notebook pages
keep their launch links, and the search page returns results. A screenshot of every page is kept
in _build/screenshots as a build artefact.

Runs where `chromium` is installed (`.ci/run` installs it); elsewhere it is skipped, unless
COURSE_REQUIRE_BROWSER=1 makes a missing browser a failure."""
import functools
import http.server
import os
import re
import shutil
import threading
import time

import pytest

from .cdp import SEARCH_DOM, Chromium
from .conftest import ROOT, notebook_paths, toc_files
from .test_site import VisibleText

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("COURSE_REQUIRE_BROWSER=1 but no chromium on PATH")
    pytestmark = pytest.mark.skip(reason="chromium is not installed")

SCREENSHOTS = ROOT / "_build" / "screenshots"
NOTEBOOK_PAGES = {str(p.with_suffix("")) for p in notebook_paths()}


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))

    class Quiet(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass

    httpd = Quiet(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a: None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with Chromium(CHROMIUM) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def rendered(server, browser):
    """Every toc page after its scripts ran (DOM, once MathJax has typeset it), with a screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {}
    for docname in toc_files():
        pages[docname] = browser.open(f"{server}/{docname}.html")
        browser.screenshot(SCREENSHOTS / (docname.replace("/", "__") + ".png"))
    return pages


class ReaderText(VisibleText):
    """test_site's visible text, also skipping what MathJax drew (mjx-* elements, MathML)."""
    SKIP = VisibleText.SKIP | {"math", "svg", "noscript", "template"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        inherited = bool(self.stack) and self.stack[-1][1]
        self.stack.append((tag, inherited or tag in self.SKIP or tag.startswith("mjx-") or "math" in classes))


def reader_text(dom):
    parser = ReaderText()
    parser.feed(dom)
    return "".join(parser.chunks)


@pytest.mark.parametrize("docname", toc_files())
def test_page_typesets_its_math_and_shows_no_raw_tex(site, rendered, docname):
    dom = rendered[docname]
    source = (site / f"{docname}.html").read_text(encoding="utf-8")
    formulas = len(re.findall(r'class="math[ "]', source)) + source.count("\\(")
    if formulas:
        assert "<mjx-container" in dom, "MathJax did not typeset this page"
    assert "<mjx-merror" not in dom and "data-mjx-error" not in dom, \
        re.findall(r'data-mjx-error="([^"]*)"', dom)[:3]
    text = reader_text(dom)
    for raw in ("$$", "\\(", "\\[", "\\frac", "\\mathbf", "\\sum", "\\begin{"):
        assert raw not in text, f"raw TeX {raw!r} visible: ...{text[max(0, text.find(raw) - 80):text.find(raw) + 80]}..."
    assert "Traceback (most recent call last)" not in text
    assert (SCREENSHOTS / (docname.replace("/", "__") + ".png")).stat().st_size > 10_000


@pytest.mark.parametrize("docname", sorted(NOTEBOOK_PAGES))
def test_notebook_page_keeps_its_launch_links(rendered, docname):
    dom = rendered[docname]
    assert "https://colab.research.google.com/github/" in dom
    assert "https://mybinder.org/v2/gh/" in dom


def test_search_returns_results(server, browser):
    dom = browser.open(f"{server}/search.html?q=attention", SEARCH_DOM)
    results = re.search(r'<ul class="search">(.*?)</ul>', dom, re.S)
    assert results, "no result list on the search page"
    hits = re.findall(r"<li", results.group(1))
    assert len(hits) >= 3, f"search for 'attention' found {len(hits)} pages"
    assert "3_4a_attention" in results.group(1)


def test_offline_archive_works_from_file_with_no_network(site, tmp_path):
    """`make offline`'s archive, unpacked and opened from file:// where no network exists."""
    import sys
    import zipfile
    sys.path.insert(0, str(ROOT / "tests"))
    from pack_offline import pack

    archive = pack(site, ROOT / "notebooks", tmp_path / "course-offline.zip")
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    course = tmp_path / "course"
    assert sorted(p.relative_to(course / "notebooks") for p in (course / "notebooks").rglob("*.ipynb")) \
        == notebook_paths_relative()
    # A second browser, started inside the network namespace that holds only loopback.
    with Chromium(CHROMIUM, prefix=[str(ROOT / "tests" / "offline" / "run-offline")]) as offline:
        offline.open((course / "index.html").as_uri())
        # index.html forwards to the site, and the site to the preface, by redirects: wait for them.
        start = wait_for_text(offline, "How the course is organised")
        assert "How the course is organised" in start, "index.html does not lead to the preface"
        page = offline.open((course / "site" / "notebooks" / "03_principles" / "3_4a_attention.html").as_uri())
        assert page.count("<mjx-container") > 50 and "<mjx-merror" not in page
        search = offline.open((course / "site" / "search.html").as_uri() + "?q=attention", SEARCH_DOM)
    results = re.search(r'<ul class="search">(.*?)</ul>', search, re.S)
    assert results and "3_4a_attention" in results.group(1), "search does not work from file://"


def wait_for_text(browser, text, seconds=20):
    dom = ""
    for _ in range(int(seconds / 0.1)):
        try:
            dom = browser.evaluate("document.documentElement.outerHTML")
        except RuntimeError:  # the page navigated while we asked
            dom = ""
        if text in dom:
            break
        time.sleep(0.1)
    return dom


def notebook_paths_relative():
    return sorted(p.relative_to("notebooks") for p in notebook_paths())
