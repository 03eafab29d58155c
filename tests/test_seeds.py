"""Every seed a notebook uses is one that `make seeds` moves.

tests/seeds.py shifts seeds it recognises by pattern (`SEED = n`, `manual_seed(n)`, `seed=n`, ...).
A seed written another way (a tuple of literals, a literal passed by position) would silently stay
put, and a threshold fitted to it would pass `make seeds`. This test finds every integer literal
in a seed's place, shifts the notebook by +1 as `make seeds` does, and checks that each one moved.
A seeding call whose argument is built only from names that are not seeds (`manual_seed(epoch)`)
never moves either, and is refused too. Data splits may stay fixed (the issue allows it):
`random_state=` of a splitter (`train_test_split`, `*KFold`, `*Split`) and upper-case names
containing SPLIT are not seeds here; `random_state=` of anything else (PCA's randomized SVD,
KMeans, IsolationForest) is.
"""
import ast
import pathlib
import re
import sys

import nbformat
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from seeds import shift_seeds  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
SEEDING_CALLS = {"manual_seed", "default_rng", "seed", "RandomState", "Generator", "PRNGKey", "set_seed"}


def is_seed_name(name):
    return "seed" in name.lower() and not name.startswith("N_") and "SPLIT" not in name


def leading_int(node):
    "The int literal a seed expression starts from (`7`, `10 + 3 * s`); None for `SEED + 1`."
    if node is None or any(isinstance(n, ast.Name) and is_seed_name(n.id) for n in ast.walk(node)):
        return None  # relative to a seed that is itself checked where it is set
    while isinstance(node, ast.BinOp):
        node = node.left
    return node if isinstance(node, ast.Constant) and type(node.value) is int else None


def is_splitter(name):
    return name is not None and (name == "train_test_split" or name.endswith(("KFold", "Split")))


def never_moves(node):
    "A seeding call's argument made only of names that are not seeds (`epoch`, `i + 1`)."
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    if not names or any(is_seed_name(n) or "SPLIT" in n for n in names):
        return False
    return not any(isinstance(n, (ast.Subscript, ast.Attribute, ast.Call)) for n in ast.walk(node))


def seeds_that_never_move(tree):
    "(line, call) of each seeding call whose argument never moves."
    return [(node.lineno, ast.unparse(node)) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and node.args and never_moves(node.args[0])
            and (node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)) in SEEDING_CALLS]


def seed_literals(tree):
    "Every int literal that stands in a seed's place, in a fixed order."
    seed_params = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for k, arg in enumerate(node.args.args):
                if is_seed_name(arg.arg):
                    seed_params[node.name] = k
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            for keyword in node.keywords:
                if keyword.arg and is_seed_name(keyword.arg) or keyword.arg == "random_state" and not is_splitter(name):
                    found.append(leading_int(keyword.value))
            if name in SEEDING_CALLS and node.args:
                found.append(leading_int(node.args[0]))
            if name in seed_params and len(node.args) > seed_params[name]:
                found.append(leading_int(node.args[seed_params[name]]))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            positional = node.args.args[len(node.args.args) - len(node.args.defaults):]
            for arg, default in [*zip(positional, node.args.defaults), *zip(node.args.kwonlyargs, node.args.kw_defaults)]:
                if is_seed_name(arg.arg):
                    found.append(leading_int(default))
        elif isinstance(node, (ast.Assign, ast.For)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value if isinstance(node, ast.Assign) else node.iter
            if any(isinstance(t, ast.Name) and is_seed_name(t.id) for t in targets):
                elements = value.elts if isinstance(value, (ast.Tuple, ast.List)) else [value]
                found.extend(leading_int(e) for e in elements)
    return [node for node in found if node is not None]


def code_of(nb):
    "The notebook's code as one module, IPython magics and shell lines blanked."
    return "\n".join(re.sub(r"^\s*[%!].*$", "", cell.source, flags=re.M)
                     for cell in nb.cells if cell.cell_type == "code")


def unmoved_seeds(nb):
    "(line, text) of each seed literal that a +1 shift leaves as it is."
    before = code_of(nb)
    shift_seeds(nb, 1)
    after = ast.parse(code_of(nb))
    old = seed_literals(ast.parse(before))
    new = seed_literals(after)
    assert len(old) == len(new)
    lines = before.splitlines()
    return ([(a.lineno, lines[a.lineno - 1].strip()) for a, b in zip(old, new) if a.value == b.value]
            + [(line, lines[line - 1].strip()) for line, _ in seeds_that_never_move(ast.parse(before))])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_seed_moves_when_make_seeds_shifts_them(path):
    nb = nbformat.read(path, as_version=4)
    assert unmoved_seeds(nb) == []


def test_the_audit_finds_seeds_the_shifter_misses():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in [
        "SEED = 0\nSEEDS = (0, 1, 2)\nfor seed in [3, 4]:\n    pass",
        "def init(d, seed=5):\n    return torch.Generator().manual_seed(seed)\n\nw = init(4, 6)\nv = init(4, seed=7)",
        "rng = np.random.default_rng(8)\nSPLIT_SEED = 9\nsplit = train_test_split(x, random_state=10)\ncheck_seed = 11",
        "pca = PCA(4, random_state=12)\nfor epoch in range(3):\n    g = torch.Generator().manual_seed(epoch)",
        "h = torch.Generator().manual_seed(1000 * SEED + epoch)\nr = np.random.default_rng(SPLIT_SEED)",
    ]])
    unmoved = sorted(text for _, text in unmoved_seeds(nb))
    # the tuple's three literals, the loop's two, the positional 6, PCA's random_state and the
    # generator seeded by the epoch alone stay put; the rest move (or are splits)
    assert unmoved == (["SEEDS = (0, 1, 2)"] * 3 + ["for seed in [3, 4]:"] * 2
                       + ["g = torch.Generator().manual_seed(epoch)", "pca = PCA(4, random_state=12)",
                          "w = init(4, 6)"]), unmoved
