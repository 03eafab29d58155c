"""The website: it builds with warnings as errors, every notebook has a page with working launch
and download links, math is typeset by the bundled MathJax, and no page shows raw math or an
error."""
import html.parser
import re

import pytest
import yaml

from .conftest import ROOT, notebook_paths, toc_files

NOTEBOOKS = notebook_paths()
IDS = [str(p) for p in NOTEBOOKS]


def page(site, docname):
    return (site / f"{docname}.html").read_text(encoding="utf-8")


class VisibleText(html.parser.HTMLParser):
    """Text a reader sees as prose: no scripts, styles, code or typeset math."""
    SKIP = {"script", "style", "pre", "code", "textarea"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.chunks = [], []  # stack of (tag, skipped)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        inherited = bool(self.stack) and self.stack[-1][1]
        self.stack.append((tag, inherited or tag in self.SKIP or "math" in classes))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.chunks.append(data)


def visible_text(text):
    parser = VisibleText()
    parser.feed(text)
    return "".join(parser.chunks)


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"].rstrip("/")
    owner_repo = url.split("github.com/")[1]
    return owner_repo, config["repository"]["branch"], config["repository"].get("path_to_book", "")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_page_has_colab_binder_and_download(site, path):
    owner_repo, branch, book_path = repository()
    nb_path = "/".join(p for p in (book_path.strip("/"), str(path)) if p)
    text = page(site, path.with_suffix(""))
    # Colab opens the plain-Markdown copy (book/colab, written by tests/handouts.py), which exists.
    copy = nb_path.replace("notebooks/", "book/colab/", 1)
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{copy}"
    assert f'href="{colab}"' in text
    assert (ROOT / copy).exists(), copy
    # Binder keeps the source notebook: its JupyterLab renders MyST (jupyterlab-myst).
    assert f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?" in text
    assert re.search(rf'href="(\.\./)+_sources/{re.escape(str(path))}"', text), "no download link"


def test_every_toc_page_is_built(site):
    for docname in toc_files():
        assert (site / f"{docname}.html").exists(), docname


def test_math_uses_the_bundled_mathjax(site):
    text = page(site, "notebooks/03_principles/3_1_deep_learning")
    assert re.search(r'<script[^>]+src="(\.\./)+_static/mathjax/tex-chtml\.js"', text)
    assert "cdn.jsdelivr.net/npm/mathjax" not in text
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists()


@pytest.mark.parametrize("docname", toc_files())
def test_no_raw_math_and_no_error_output(site, docname):
    text = page(site, docname)
    prose = visible_text(text)
    assert "$$" not in prose, "raw $$ on the page"
    raw_inline = re.findall(r"\$[^$\s][^$]*?[\\^_{}][^$]*?\$", prose)
    assert not raw_inline, f"raw inline math: {raw_inline[:3]}"
    assert 'class="output traceback' not in text, "an error output is shown"
    assert 'class="output stderr' not in text, "stderr is shown"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solutions_are_hidden(site, path):
    text = page(site, path.with_suffix(""))
    solutions = re.findall(r'class="solution[^"]*"', text)
    assert solutions, "no solutions on the page"
    assert all("dropdown" in s for s in solutions)


def test_glossary_shows_chinese_terms(site):
    prose = visible_text(page(site, "book/glossary"))
    assert "卷积神经网络" in prose and "Convolutional neural network" in prose
