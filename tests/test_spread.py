"""tests/spread.py records each assert's operands as the notebook computes them, per seed offset."""
import nbformat
import numpy as np

from . import spread


def test_spread_reports_what_moves_with_the_seed(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in [
        "import numpy as np\nSEED = 0\nrng = np.random.default_rng(SEED)\nx = rng.random(100).mean()",
        "assert 0.3 < x < 0.7\nassert (np.arange(3) < 5).all()\n\ndef check(f):\n    assert f(1) == 1",
    ]])
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    spread.main([str(path), "--offsets", "0", "1", "--out", str(tmp_path / "out")])
    lines = capsys.readouterr().out.splitlines()
    moved = [line for line in lines if line.startswith("*")]
    assert len(moved) == 1 and "0.3 < x < 0.7" in moved[0], lines     # the mean moves, the arange does not
    x_row = lines[lines.index(moved[0]) + 2]                           # operand 1: x at +0 / +1
    x0, x1 = (float(v) for v in x_row.split(":")[1].split("/"))
    for value, seed in ((x0, 0), (x1, 1)):                             # the values of the shifted runs
        assert abs(value - np.random.default_rng(seed).random(100).mean()) < 1e-5, (value, seed)
    assert not any("f(1) == 1" in line for line in lines)             # asserts inside functions are skipped
