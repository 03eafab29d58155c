"""Tests of tests/nbval_tolerance.py (the tolerance comparison) and of the figure digest that the
kernel startup file in tests/ipython stores in each image output."""
import copy
import json
import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from tests.nbval_tolerance import (MetadataError, cell_spec, compare_digest, compare_figures,
                                   compare_text, split_numbers)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPYTHONDIR = os.path.join(ROOT, "tests", "ipython")


# ---- numbers in text --------------------------------------------------------------------------

def test_numbers_within_the_tolerance_pass():
    assert compare_text("loss 0.098, accuracy 0.969", "loss 0.098, accuracy 0.969") is None
    assert compare_text("accuracy 0.969.", "accuracy 0.9694.", rtol=0, atol=5e-4) is None
    assert compare_text("ratio 3.0", "ratio 3.2", rtol=0.1, atol=0) is None


def test_a_number_outside_the_tolerance_fails_and_is_named():
    msg = compare_text("loss 0.098\naccuracy 0.969", "loss 0.098\naccuracy 0.971", rtol=0, atol=5e-4)
    assert msg is not None
    assert "number 2" in msg and "line 2" in msg and "0.969" in msg and "0.971" in msg and "0.0005" in msg
    # the tolerance is relative to the stored value
    assert compare_text("x 100", "x 110", rtol=0.1) is None
    assert compare_text("x 100", "x 111", rtol=0.1) is not None


def test_one_unit_of_the_last_digit_despite_binary_floats():
    assert compare_text("loss 0.098", "loss 0.099", atol=1e-3) is None     # 0.0010000000000000009
    assert compare_text("loss 0.098", "loss 0.100", atol=1e-3) is not None


def test_per_number_tolerances():
    stored = "test accuracy 0.969\nlargest |W1 difference| after training: 4.8e-07"
    rules = [{"match": r"difference\| after training: \S+", "atol": 1e-5}]
    assert compare_text(stored, stored.replace("4.8e-07", "3.1e-06"), atol=1e-3, tolerances=rules) is None
    msg = compare_text(stored, stored.replace("4.8e-07", "1.0e-03"), atol=1e-3, tolerances=rules)
    assert msg is not None and "4.8e-07" in msg and "1e-05" in msg      # a jump to 1e-3 fails
    assert compare_text(stored, stored.replace("0.969", "0.971"), atol=1e-3, tolerances=rules) is not None


def test_integers_are_numbers_too():
    assert compare_text("14 errors of 450", "15 errors of 450") is not None
    assert compare_text("14 errors of 450", "15 errors of 450", atol=1) is None
    assert compare_text("shape (7, 5)", "shape (7, 5)") is None


def test_the_text_between_numbers_must_be_equal():
    msg = compare_text("test accuracy 0.969", "train accuracy 0.969", atol=1)
    assert msg is not None and "text differs" in msg
    assert compare_text("a 1 b 2", "a 1 b", atol=1) is not None      # a number missing
    assert compare_text("True", "False") is not None
    # column padding moves with a number's width; the words may not
    assert compare_text("[ 0.5 -0.25]\nB=   9.99 ms", "[ 0.5  -0.25]\nB=  10.01 ms", atol=0.05) is None


def test_ignore_regexes_remove_wall_clock_times_from_both_texts():
    stored = "NumPy   0.574 ms/step, torch   2.653 ms/step, ratio 4.62"
    fresh = "NumPy   0.611 ms/step, torch   3.107 ms/step, ratio 5.08"
    assert compare_text(stored, fresh) is not None
    assert compare_text(stored, fresh, ignore=[r"[\d.]+ ms", r"ratio [\d.]+"]) is None
    # what the regex does not cover is still compared
    assert compare_text(stored + " B=32", fresh + " B=64", ignore=[r"[\d.]+ ms", r"ratio [\d.]+"]) is not None


def test_mixed_integers_floats_scientific_notation_and_nan():
    text = "step 10: gap 3.2e-08, loss nan, lr 1E-3, -inf, count 7"
    assert split_numbers(text)[1] == ["10", "3.2e-08", "nan", "1E-3", "-inf", "7"]
    assert compare_text(text, "step 10: gap 4.1e-08, loss nan, lr 0.001, -inf, count 7", atol=1e-6) is None
    assert compare_text(text, "step 10: gap 1.0e-03, loss nan, lr 0.001, -inf, count 7", atol=1e-6) is not None
    assert compare_text("loss nan", "loss 0.5", atol=1) is not None
    assert compare_text("loss inf", "loss -inf", atol=1) is not None
    # digits inside names and versions are text
    assert split_numbers("layer_2 x1 v1.2.3 2026-11-30")[1] == ["2026", "11", "30"]


def test_metadata_is_checked():
    ok = {"metadata": {"nbval": {"atol": 5e-4, "why": "printed to 3 decimals"}}}
    assert cell_spec(ok)["atol"] == 5e-4
    assert cell_spec({"metadata": {}}) is None
    for bad in ({"atol": 5e-4},                                # no why
                {"atol": -1, "why": "x"}, {"rtol": "1", "why": "x"},
                {"ignore": "ms", "why": "x"}, {"ignore": ["("], "why": "x"},
                {"tol": 1, "why": "x"}, {"tolerances": [{"atol": 1}], "why": "x"},
                {"tolerances": [{"match": "a", "atol": -1}], "why": "x"}):
        with pytest.raises(MetadataError):
            cell_spec({"metadata": {"nbval": bad}})
    with pytest.raises(MetadataError, match="both"):
        cell_spec({"metadata": {"tags": ["nbval-ignore-output"], "nbval": {"atol": 1, "why": "x"}}})


# ---- figure digests ------------------------------------------------------------------------------

def test_digest_comparison():
    d = {"v": 1, "axes": [{"lines": [{"x": [1.0, 2.0], "y": [0.123457, "nan"]}],
                           "images": [{"shape": [100, 100], "mean": 0.5, "std": 0.25, "min": 0.0,
                                       "max": 1.0, "sample": [0.0, 1.0]}]}]}
    assert compare_digest(d, copy.deepcopy(d)) is None
    e = copy.deepcopy(d)
    e["axes"][0]["lines"][0]["y"][0] = 0.123458   # one unit of the 6th figure: the digest's rounding
    assert compare_digest(d, e) is None
    e["axes"][0]["lines"][0]["y"][0] = 0.123467
    msg = compare_digest(d, e)
    assert msg is not None and "axes[0].lines[0].y[0]" in msg
    assert compare_digest(d, e, rtol=1e-3) is None
    e = copy.deepcopy(d)
    e["axes"][0]["images"][0]["mean"] = 0.51
    assert compare_digest(d, e) is not None
    e = copy.deepcopy(d)
    e["axes"].append({})
    assert "entries" in compare_digest(d, e)


def run_notebook(cells, tmp_path, name="tiny.ipynb"):
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell(c) for c in cells])
    env_before = {k: os.environ.get(k) for k in ("IPYTHONDIR", "MPLBACKEND")}
    os.environ["IPYTHONDIR"] = IPYTHONDIR
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in env_before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    nbformat.write(nb, tmp_path / name)
    return nb


FIGURE_CELLS = [
    # no matplotlib: the hook must not import it
    "import sys\ndisplay(3)\nprint('matplotlib' in sys.modules)",
    "import matplotlib.pyplot as plt\nimport numpy as np\n"
    "fig, ax = plt.subplots(figsize=(3, 2))\n"
    "ax.plot([0, 1, 2], [0.5, 0.25, 0.125])\nax.bar([0, 1], [2.0, 3.0])\n"
    "ax.scatter(np.arange(100.0), np.sqrt(np.arange(100.0)), c=np.arange(100.0))\n"
    "ax.fill_between([0, 1, 2], [0, 1, 0], [1, 2, 1])\nfig.savefig('fig.png')\n"
    "plt.show()",
    "fig, axes = plt.subplots(1, 2, figsize=(4, 2))\n"
    "axes[0].imshow(np.arange(16.0).reshape(4, 4))\n"
    "_ = axes[1].hist(np.random.default_rng(0).normal(size=500), bins=10)",   # shown by the inline flush
    "print('x = 0.1236')",
    "print('y = 2')",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("figs")
    return run_notebook(FIGURE_CELLS, tmp), tmp


def test_digest_is_stored_and_the_png_appears_once(executed):
    nb, _ = executed
    assert nb.cells[0].outputs[-1].text.strip() == "False"           # matplotlib not imported by the hook
    assert "figure_data" not in nb.cells[0].outputs[0].get("metadata", {})
    for cell, n_axes in ((nb.cells[1], 1), (nb.cells[2], 2)):
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, [o.output_type for o in cell.outputs]   # the learner sees one PNG
        assert images[0].data["text/plain"].startswith("<Figure size")
        digest = json.loads(images[0].metadata["figure_data"])
        assert digest["v"] == 1 and len(digest["axes"]) == n_axes
    ax = json.loads(nb.cells[1].outputs[0].metadata["figure_data"])["axes"][0]
    assert ax["lines"][0]["y"] == [0.5, 0.25, 0.125]
    assert ax["bars"]["height"] == [2.0, 3.0]
    kinds = [c["type"] for c in ax["collections"]]
    assert "PathCollection" in kinds and any("Poly" in k or "Fill" in k for k in kinds)
    scatter = ax["collections"][kinds.index("PathCollection")]
    assert scatter["offsets"]["shape"] == [100, 2] and len(scatter["offsets"]["sample"]) == 32
    axes = json.loads(nb.cells[2].outputs[-1].metadata["figure_data"])["axes"]
    assert axes[0]["images"][0][1] == [4.0, 5.0, 6.0, 7.0]
    assert sum(axes[1]["bars"]["height"]) == 500


def test_a_changed_data_point_fails(executed):
    nb, _ = executed
    ref = nb.cells[1].outputs
    assert compare_figures(ref, ref, None) is None
    changed = copy.deepcopy(ref)
    digest = json.loads(changed[0].metadata["figure_data"])
    digest["axes"][0]["lines"][0]["y"][1] = 0.2501
    changed[0].metadata["figure_data"] = json.dumps(digest)
    msg = compare_figures(changed, ref, None)
    assert msg is not None and "lines[0].y[1]" in msg
    assert compare_figures(changed, ref, {"atol": 1e-3}) is None
    assert "figures" in compare_figures([], ref, None)


def test_the_plugin_under_nbval(executed, monkeypatch, capsys):
    """nbval with the plugin on the executed notebook, its stored outputs edited."""
    nb, tmp = executed
    nb = copy.deepcopy(nb)
    nb.cells[3].metadata["nbval"] = {"atol": 5e-4, "why": "test"}
    nb.cells[3].outputs[0].text = "x = 0.1234\n"                        # within atol: passes
    digest = json.loads(nb.cells[2].outputs[-1].metadata["figure_data"])
    digest["axes"][0]["images"][0][1][2] = 6.5                           # a changed data point: fails
    nb.cells[2].outputs[-1].metadata["figure_data"] = json.dumps(digest)
    nb.cells[4].metadata["nbval"] = {"atol": 1, "why": "test"}
    nb.cells[4].metadata["tags"] = ["nbval-ignore-output"]               # both: an error
    nbformat.write(nb, tmp / "edited.ipynb")
    # In this process (a second interpreter would spend seconds importing nbformat again).
    monkeypatch.setenv("IPYTHONDIR", IPYTHONDIR)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    code = pytest.main(["-q", "-p", "tests.nbval_tolerance", "--nbval", "--nbval-current-env",
                        "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp),
                        str(tmp / "edited.ipynb")])
    out = capsys.readouterr().out
    assert code == 1 and "2 failed, 3 passed" in out, out[-3000:]
    assert "edited.ipynb::Cell 2" in out and "axes[0].images[0][1][2]" in out
    assert "edited.ipynb::Cell 4" in out and "both" in out
