"""`make spread NB=...`: every asserted quantity of a notebook at seed offsets 0, +1 and +2.

Issue 17 asks that a threshold come from the spread over seeds, stated next to its assert
(`# seeds +0/+1/+2: ...`). This measures that spread:

    python tests/spread.py NOTEBOOK [--offsets 0 1 2] [--out DIR]

Each top-level assert (not those inside `def`) has every operand of its comparisons wrapped in a
recorder, so the values are captured as the notebook computes them (no second evaluation). The
notebook, seeds shifted by tests/seeds.py's shift_seeds, runs in a fresh kernel; the values go to
DIR/<stem>.<offset>.json and a table is printed: one row per assert with its operands' values per
offset; rows whose values move with the seed are marked '*'.
"""
import argparse
import ast
import json
import os
import pathlib
import subprocess
import sys

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from seeds import shift_seeds  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent

RECORDER = r'''
import json as __json, atexit as __atexit
__SPREAD = {}
def __spread_rec(key, k, value):
    try:
        import numpy as _np
        try:
            import torch as _t
            if isinstance(value, _t.Tensor):
                v = value.detach().cpu().double().numpy()
            else:
                v = value
        except ImportError:
            v = value
        if isinstance(v, (bool, _np.bool_)):
            s = ("bool", bool(v))
        elif isinstance(v, (int, float, _np.integer, _np.floating)):
            s = ("num", float(v))
        else:
            a = _np.asarray(v)
            if a.dtype.kind in "biuf" and a.size > 0:
                s = ("arr", float(a.min()), float(a.max()), int(a.size)) if a.size > 1 else ("num", float(a.ravel()[0]))
            else:
                s = ("other", type(value).__name__)
    except Exception as e:
        s = ("other", type(value).__name__)
    __SPREAD.setdefault(f"{key}:{k}", []).append(s)
    return value
def __spread_dump():
    with open(__SPREAD_OUT, "w") as f:
        __json.dump(__SPREAD, f)
__atexit.register(__spread_dump)
'''


class Wrap(ast.NodeTransformer):
    def __init__(self, cell):
        self.cell, self.n, self.asserts = cell, 0, []

    def visit_FunctionDef(self, node):
        return node  # asserts inside functions (checks of exercises) are not thresholds

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_Assert(self, node):
        key = f"c{self.cell}a{self.n}"
        self.asserts.append((key, ast.unparse(node.test), node.lineno))
        self.n += 1
        self.k = 0
        node.test = self.wrap_test(node.test, key)
        return node

    def rec(self, expr, key):
        k = self.k
        self.k += 1
        return ast.Call(func=ast.Name("__spread_rec", ast.Load()),
                        args=[ast.Constant(key), ast.Constant(k), expr], keywords=[])

    def wrap_test(self, test, key):
        if isinstance(test, ast.BoolOp):
            test.values = [self.wrap_test(v, key) for v in test.values]
            return test
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test.operand = self.wrap_test(test.operand, key)
            return test
        if isinstance(test, ast.Compare):
            test.left = self.rec(test.left, key)
            test.comparators = [self.rec(c, key) for c in test.comparators]
            return test
        if isinstance(test, ast.Call):
            # (a < b).all(), np.all(a < b), all(a < b): record the compared arrays, not the bool
            inner = None
            if isinstance(test.func, ast.Attribute) and test.func.attr in ("all", "any") and not test.args:
                inner = test.func.value
                if isinstance(inner, ast.Compare):
                    test.func.value = self.wrap_test(inner, key)
                    return test
            name = test.func.attr if isinstance(test.func, ast.Attribute) else getattr(test.func, "id", None)
            if name in ("all", "any") and len(test.args) == 1 and isinstance(test.args[0], ast.Compare):
                test.args[0] = self.wrap_test(test.args[0], key)
                return test
        return self.rec(test, key)


def instrument(nb, out_path):
    asserts = []
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORDER.replace("__SPREAD_OUT", repr(str(out_path)))))
    for i, cell in enumerate(nb.cells[1:]):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # magics: run as they are
        w = Wrap(i + 1)
        tree = w.visit(tree)
        if w.asserts:
            ast.fix_missing_locations(tree)
            cell.source = ast.unparse(tree)
            asserts += [(key, src, i) for key, src, _ in w.asserts]
    return asserts


def run(path, offset, out_dir):
    nb = nbformat.read(path, as_version=4)
    shift_seeds(nb, offset)
    out = pathlib.Path(out_dir) / f"{pathlib.Path(path).stem}.{offset}.json"
    if out.exists():
        out.unlink()
    asserts = instrument(nb, out.resolve())
    code = ("import sys, nbformat\nfrom nbclient import NotebookClient\n"
            "nb = nbformat.reads(sys.stdin.read(), as_version=4)\n"
            "NotebookClient(nb, timeout=900, kernel_name='python3', resources={'metadata': {'path': sys.argv[1]}}).execute()\n")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONPATH=str(ROOT / "tests" / "offline"),
               PYTHONHASHSEED="0", MPLBACKEND="Agg", IPYTHONDIR=str(ROOT / "tests" / "ipython"))
    r = subprocess.run([sys.executable, "-c", code, str(pathlib.Path(path).resolve().parent)],
                       input=nbformat.writes(nb), capture_output=True, text=True, env=env)
    if r.returncode:
        print(f"offset {offset}: FAILED\n{(r.stdout + r.stderr)[-2000:]}")
    return asserts, (json.load(open(out)) if out.exists() else {})


def fmt(rec):
    if not rec:
        return "-"
    vals = []
    for s in rec[:1] if len(rec) == 1 else [rec[0], rec[-1]]:
        if s[0] == "num":
            vals.append(f"{s[1]:.6g}")
        elif s[0] == "bool":
            vals.append(str(s[1]))
        elif s[0] == "arr":
            vals.append(f"[{s[1]:.4g}..{s[2]:.4g}]")
        else:
            vals.append(s[1])
    if len(rec) > 1:
        nums = [s[1] for s in rec if s[0] == "num"]
        if nums and len(nums) == len(rec):
            return f"{min(nums):.4g}..{max(nums):.4g} (x{len(rec)})"
        return " .. ".join(vals) + f" (x{len(rec)})"
    return vals[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebook")
    ap.add_argument("--offsets", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--out", default=str(ROOT / "_build" / "spread"))
    a = ap.parse_args(argv)
    pathlib.Path(a.out).mkdir(parents=True, exist_ok=True)
    results = {}
    asserts = None
    for off in a.offsets:
        asserts, results[off] = run(a.notebook, off, a.out)
    print(f"# {a.notebook}: offsets {a.offsets}; '*' = moves with the seed")
    for key, src, cell in asserts:
        ks = sorted({int(x.split(':')[1]) for off in a.offsets for x in results[off] if x.split(':')[0] == key})
        rows = []
        moved = False
        for k in ks:
            per = [fmt(results[off].get(f"{key}:{k}")) for off in a.offsets]
            moved |= len(set(per)) > 1
            rows.append(" / ".join(per))
        mark = "*" if moved else " "
        print(f"{mark} cell {cell:2d} {key:8s} assert {src[:150]}")
        for k, row in zip(ks, rows):
            print(f"      operand {k}: {row}")


if __name__ == "__main__":
    main()
