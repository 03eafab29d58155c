"""The fault injector itself (tests/mutants.py): it plants what it says, a check catches what it
should, and the list of equivalent faults names only faults that exist, each with a reason."""
import json
import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

from .conftest import ROOT, notebook_paths
from .mutants import EQUIVALENT, choose, enumerate_sites, load_equivalent, mutated_source

CODE = '''import numpy as np

def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)

def mean_square(x):
    return (x ** 2).mean()
'''
CHECK = '''z = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)  # independent: no max shift
assert np.allclose(softmax(z), expected)
print(mean_square(np.array([1.0, 2.0])))  # printed, never asserted: its faults survive
'''


def tiny_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(CODE), nbformat.v4.new_code_cell(CHECK)]
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def test_faults_are_planted_where_the_math_is(tmp_path):
    nb = nbformat.read(tiny_notebook(tmp_path), as_version=4)
    sites = enumerate_sites(nb)
    ops = {(s.function, s.op) for s in sites}
    assert {("softmax", "identity"), ("softmax", "sign"), ("softmax", "scale"),
            ("softmax", "axis"), ("mean_square", "power")} <= ops
    identity = next(s for s in sites if s.op == "identity")
    assert "np.exp" not in mutated_source(nb, identity).splitlines()[3]
    assert len({s.id for s in sites}) == len(sites)  # ids are unique


def test_a_checked_fault_is_caught_and_an_unchecked_one_survives(tmp_path):
    path = tiny_notebook(tmp_path)
    report = tmp_path / "report.json"
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "mutants.py"), "--per-notebook", "0",
                             "--jobs", "2", "--report", str(report), str(path)],
                            capture_output=True, text=True, env=env, timeout=300)
    outcome = json.loads(report.read_text())[str(path.resolve())]
    kinds = {r["id"]: r["kind"] for r in outcome["results"]}
    assert all(kind == "caught" for mutant, kind in kinds.items()
               if mutant.startswith("softmax:") and "max" not in mutant), kinds
    assert kinds["mean_square:power:x ** 2"] == "survived"
    assert result.returncode == 1 and "FAIL" in result.stdout  # the survivor sinks the score


def test_every_equivalent_fault_exists_and_has_a_reason():
    table = load_equivalent()  # raises on a line without a reason
    ids = {}
    for path in notebook_paths():
        ids[path.stem] = {s.id for s in enumerate_sites(nbformat.read(ROOT / path, as_version=4))}
    stale = [f"{stem} {mutant}" for stem, mutant in table if mutant not in ids.get(stem, set())]
    assert not stale, f"{EQUIVALENT.name} lists faults that no longer exist: {stale}"


def test_make_mutants_is_in_ci():
    makefile = (ROOT / "Makefile").read_text()
    assert "mutants:" in makefile and "tests/mutants.py" in makefile
    assert "make mutants" in (ROOT / ".ci" / "run").read_text()


def test_every_fault_of_the_ci_sample_is_planted():
    """A fault whose edit leaves the source unchanged would count as a survivor (or, listed as
    equivalent, hide one): every fault CI plants must change its cell's code. (The runner also
    refuses to start a notebook with such a fault.)"""
    for path in notebook_paths():
        nb = nbformat.read(ROOT / path, as_version=4)
        for site in choose(enumerate_sites(nb), 12, str((ROOT / path).resolve())):
            mutated_source(nb, site)  # raises when the edit is not planted


def test_pending_notebooks_exist_and_say_why():
    """tests/mutants_pending.txt names notebooks that CI's fault check leaves out for now: each
    must exist and carry its measured score and survivors."""
    pending = ROOT / "tests" / "mutants_pending.txt"
    for line in pending.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            path, _, why = line.partition("#")
            assert (ROOT / path.strip()).exists(), path
            assert "%" in why, f"{path.strip()}: give the measured score and the survivors"


def test_seed_offset_reruns_the_notebook_with_other_seeds(tmp_path):
    """With --seed-offset the run without a fault uses shifted seeds (as `make seeds` does), so an
    assert that holds for one seed only stops the run."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("SEED = 0\nassert SEED == 0, 'fitted to one seed'")]
    path = tmp_path / "one_seed.ipynb"
    nbformat.write(nb, path)
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    runs = {offset: subprocess.run([sys.executable, str(ROOT / "tests" / "mutants.py"), "--seed-offset",
                                    str(offset), "--report", str(tmp_path / f"{offset}.json"), str(path)],
                                   capture_output=True, text=True, env=env, timeout=120)
            for offset in (0, 1)}
    assert runs[0].returncode == 0, runs[0].stdout + runs[0].stderr
    assert runs[1].returncode == 1 and "seeds shifted by +1 fails" in runs[1].stdout, runs[1].stdout


def test_a_fault_that_never_ends_times_out_on_its_cpu_clock(tmp_path):
    """A fault that loops forever is stopped when it has used --timeout seconds of CPU time, and
    reported as a timeout (not judged); two notebooks run at once, and both are reported."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def countdown(n):\n    while n > 0:\n        n = n - 1\n    return n"),
                nbformat.v4.new_code_cell("assert countdown(3) == 0")]
    endless = tmp_path / "endless.ipynb"
    nbformat.write(nb, endless)
    report = tmp_path / "report.json"
    env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "mutants.py"), "--timeout", "2",
                             "--at-once", "2", "--report", str(report), str(endless), str(tiny_notebook(tmp_path))],
                            capture_output=True, text=True, env=env, timeout=120)
    outcome = json.loads(report.read_text())
    assert set(outcome) == {str(endless.resolve()), str((tmp_path / "tiny.ipynb").resolve())}, result.stdout
    kinds = [r["kind"] for r in outcome[str(endless.resolve())]["results"]]
    assert kinds == ["timeout"], (kinds, result.stdout)
