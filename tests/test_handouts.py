"""The plain-Markdown copies (tests/handouts.py): the Colab copies are current and read cleanly in
a renderer that knows only CommonMark and `$` math; the learner handouts hold no solution, and
every exercise with a check keeps its starter; the stored run shows each check passing on the
solution (its asserts ran under nbval) and failing on the empty starter."""
import re

import nbformat
import pytest
from markdown_it import MarkdownIt

from . import handouts
from .conftest import ROOT, notebook_paths

NOTEBOOKS = [p.as_posix() for p in notebook_paths()]
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
CHECK_DEF = re.compile(r"^def (check_\w+|fails)\(", re.M)


@pytest.fixture(scope="module")
def context():
    return handouts.load_citations(), handouts.notebook_titles()


_copies = {}


def plain_copy(notebook, keep_solutions, cites, titles):
    """Each copy is built once per test session (several tests read it)."""
    key = (notebook, keep_solutions)
    if key not in _copies:
        _copies[key] = handouts.plain_copy(notebook, keep_solutions, cites, titles)
    return _copies[key]


def visible_text(markdown):
    """What a plain Jupyter renderer shows: CommonMark to HTML, math left to MathJax."""
    html = MarkdownIt("commonmark").enable("table").render(MATH.sub("MATH", markdown))
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_colab_copy_is_current(notebook, context):
    fresh = plain_copy(notebook, True, *context)
    stored = nbformat.read(handouts.colab_path(notebook), as_version=4)
    assert [(c.cell_type, c.source) for c in stored.cells] == [(c.cell_type, c.source) for c in fresh.cells], \
        "book/colab is stale: run `.venv/bin/python tests/handouts.py colab`"


@pytest.mark.parametrize("keep_solutions", [True, False], ids=["colab", "handout"])
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_copy_shows_no_raw_myst(notebook, keep_solutions, context):
    nb = plain_copy(notebook, keep_solutions, *context)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = visible_text(cell.source)
            raw = re.search(r"\{(term|cite|cite:t|cite:p|eq|ref|doc|math|exercise|solution|glossary)\}"
                            r"|^\s*:::|^\s*:(label|class):", text, re.M)
            assert raw is None, f"raw markup {raw.group(0)!r} in: {cell.source[:200]}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_handout_has_no_solutions_and_keeps_every_exercise(notebook, context):
    source = nbformat.read(ROOT / notebook, as_version=4)
    handout = plain_copy(notebook, False, *context)
    n_exercises = sum(c.source.count(":::{exercise}") for c in source.cells)
    assert n_exercises >= 2
    assert sum(len(re.findall(r"^#### Exercise \d+$", c.source, re.M)) for c in handout.cells) == n_exercises
    assert not any("solution" in c.metadata.get("tags", []) for c in handout.cells)
    text = "\n".join(c.source for c in handout.cells)
    assert "<summary><b>Solution" not in text and ":::{solution}" not in text
    for cell in handout.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def exercises(nb):
    """(starter code cells, solution code cells) of each exercise, in order."""
    found, current = [], None
    for cell in nb.cells:
        if cell.cell_type == "markdown" and ":::{exercise}" in cell.source:
            current = ([], [])
            found.append(current)
        elif cell.cell_type == "code" and current is not None:
            current["solution" in cell.metadata.get("tags", [])].append(cell)
    return found


# Notebooks whose exercises do not yet all follow the convention (starter + check + tagged
# solution asserting both ways); strict xfail, so a notebook that is fixed must leave the list.
KNOWN_GAPS = {
}


def check_gaps(nb):
    """What keeps a notebook's exercises from proving their checks, as a list of messages."""
    gaps, checked = [], 0
    for starters, solutions in exercises(nb):
        checks = [n for c in starters for n in CHECK_DEF.findall(c.source) if n != "fails"]
        if not checks:
            continue
        checked += 1
        solution = "\n".join(c.source for c in solutions)
        printed = "".join(o.get("text", "") for c in starters for o in c.outputs if o.output_type == "stream")
        for name in checks:
            if not solutions:
                gaps.append(f"{name}: no code cell tagged 'solution'")
            elif not re.search(rf"\b{name}\(", solution):
                gaps.append(f"{name}: the solution cell never runs it")
            elif not (re.search(rf"assert[^\n]*(not {name}\(|fails\({name}\b)", solution)
                      or re.search(r"\bFalse\b", printed)):
                gaps.append(f"{name}: nothing shows it failing on an empty answer")
    if not checked:
        gaps.append("no exercise has a starter with a check")
    return gaps


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_check_fails_on_the_starter_and_passes_on_the_solution(notebook):
    """Each exercise's check (a `check_...` function in its starter) is run on the solution in the
    cell tagged 'solution' (nbval re-runs it in `make test`), and is shown failing on an empty
    answer: asserted there, or printed False by the starter in the stored run."""
    if notebook in KNOWN_GAPS:
        pytest.xfail(KNOWN_GAPS[notebook])
    gaps = check_gaps(nbformat.read(ROOT / notebook, as_version=4))
    assert not gaps, "; ".join(gaps)
