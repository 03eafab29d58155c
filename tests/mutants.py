"""`make mutants`: plant small faults in the code that implements the math; the notebook's own
asserts must catch them.

A fault is one edit, in one function a notebook defines (exercise checks, solutions and plotting
helpers excepted), of the kind a tired author makes:

    sign     a + b -> a - b, a - b -> a + b, -x -> x
    scale    a * b -> a / b, a / b -> a * b
    power    a ** 2 -> a ** 3, a ** 0.5 -> a ** 1
    T        x.T -> x, x.mT -> x, x.t() -> x, x.transpose(i, j) -> x, x.permute(...) -> x
    sqrt     sqrt(x) -> x
    axis     axis=k / dim=k -> another axis; keepdims=True -> False
    identity softmax, log_softmax, exp, log, tanh, sigmoid, relu, gelu (x) -> x

Each fault runs the notebook from the faulty cell to the end, in a child forked from a process
that has already run the cells before it (so a notebook's start is paid once, not once per fault),
and is classified:

    caught    an AssertionError, in any cell from the faulty one on: the notebook's checks saw it
    crashed   another exception: the fault does not run, so it says nothing about the checks
    timeout   used more CPU time than the limit: twice the notebook's CPU time in the last
              `make test` (book/instructors/timings.json), at least 30 s, at most --timeout
    survived  ran to the end with every assert holding
    equivalent  listed in tests/mutants_equivalent.txt with a one-line reason (reviewed like code)

A notebook's score is caught / (caught + survived); each must reach --min (0.9).

With --seed-offset N every literal seed in the notebook is first shifted by N, as `make seeds`
does (tests/seeds.py): the run without a fault, which must hold every assert, is then also a run
with other seeds, and the faults are judged under those seeds. CI uses this to get the first of
`make seeds`' two seed shifts at no extra cost (the second runs with `make newest`).

Two notebooks run at once (--at-once), each with up to --jobs faults beside its clean run: a
notebook's first and last cells run in one process, so one notebook alone leaves a core idle.

    python tests/mutants.py [--per-notebook 12] [--jobs 2] [--at-once 2] [--min 0.9] [--seed-offset 0] [--report FILE] NOTEBOOK...
    python tests/mutants.py --list NOTEBOOK      # every fault it could plant, with its id
"""
import argparse
import ast
import collections
import contextlib
import copy
import functools
import hashlib
import io
import json
import os
import pathlib
import random
import re
import select
import signal
import sys
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tests" / "mutants_equivalent.txt"
TIMINGS = ROOT / "book" / "instructors" / "timings.json"   # kernel CPU s per notebook (tests/nbtiming.py)

# Functions that are not the course's math: exercise checks, plots, printing.
SKIP_FUNCTION = ("check_", "plot", "show", "print", "display", "draw", "fmt", "format", "describe")
IDENTITY = {"softmax", "log_softmax", "exp", "log", "tanh", "sigmoid", "relu", "gelu", "silu"}
SQRT = {"sqrt"}
TRANSPOSE_ATTR = {"T", "mT"}
TRANSPOSE_CALL = {"t", "transpose", "permute", "swapaxes", "swapdims"}
AXIS_KEYWORDS = {"axis", "dim"}
MODULES = {"np", "torch", "F", "math", "jnp", "nn", "special", "sp", "scipy", "functional", "jax"}
KEEPDIM_KEYWORDS = {"keepdims", "keepdim"}
# Calls whose arguments are presentation, not math.
PRESENTATION = {"print", "display", "format", "set_title", "set_xlabel", "set_ylabel", "plot",
                "text", "annotate", "legend", "imshow", "bar", "scatter", "hist", "errorbar",
                "fill_between", "set_xlim", "set_ylim", "axhline", "axvline", "suptitle", "step"}


def callee_name(call):
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


class Site:
    """One fault: where it is (cell, function, line) and how to plant it (a node path + edit)."""

    def __init__(self, cell, function, op, node, edit, before, after):
        self.cell, self.function, self.op, self.node, self.edit = cell, function, op, node, edit
        self.before, self.after = before, after
        self.lineno = getattr(node, "lineno", 0)
        self.id = ""

    def describe(self):
        return f"{self.id}  (cell {self.cell}, line {self.lineno}: {self.before} -> {self.after})"


def short(node, limit=50):
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def sites_in_function(cell_index, function, tree_function):
    """Every fault that can be planted in one function: a list of Site, edits as closures."""
    sites = []
    presentation = set()
    for node in ast.walk(tree_function):
        # Format strings, presentation calls and asserts are not the math.
        if isinstance(node, (ast.JoinedStr, ast.Assert)) or (
                isinstance(node, ast.Call) and callee_name(node) in PRESENTATION):
            presentation.update(id(n) for n in ast.walk(node))
    # Nested functions are enumerated on their own (with their own names).
    for node in ast.walk(tree_function):
        if node is not tree_function and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            presentation.update(id(n) for n in ast.walk(node))

    def add(op, node, edit, _description=None):
        changed = copy.deepcopy(node)
        if isinstance(edit, str):
            changed = {"unwrap_operand": lambda n: n.operand, "unwrap_value": lambda n: n.value,
                       "unwrap_receiver": lambda n: n.func.value,
                       "unwrap_first_arg": lambda n: n.args[0]}[edit](changed)
        else:
            edit(changed)
        after = short(changed) if not isinstance(changed, ast.keyword) else \
            f"{changed.arg}={short(changed.value)}"
        before = short(node) if not isinstance(node, ast.keyword) else f"{node.arg}={short(node.value)}"
        sites.append(Site(cell_index, function, op, node, edit, before, after))

    for node in ast.walk(tree_function):
        if id(node) in presentation:
            continue
        if isinstance(node, ast.BinOp):
            swap = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
            kind = type(node.op)
            if kind in swap:
                # String concatenation and repetition are not arithmetic.
                if any(isinstance(side, ast.Constant) and isinstance(side.value, str)
                       for side in (node.left, node.right)) or "seed" in short(node, 999).lower():
                    continue
                new = swap[kind]
                op = "sign" if kind in (ast.Add, ast.Sub) else "scale"
                symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[new]
                add(op, node, lambda n, new=new: setattr(n, "op", new()),
                    f"{short(node.left, 20)} {symbol} {short(node.right, 20)}")
            elif kind is ast.Pow and isinstance(node.right, ast.Constant) and \
                    isinstance(node.right.value, (int, float)):
                value = node.right.value
                new_value = 1 if value == 0.5 else value + 1
                add("power", node, lambda n, v=new_value: setattr(n.right, "value", v),
                    f"{short(node.left, 20)} ** {new_value}")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and \
                not isinstance(node.operand, ast.Constant):
            add("sign", node, "unwrap_operand", short(node.operand))
        elif isinstance(node, ast.Attribute) and node.attr in TRANSPOSE_ATTR and \
                isinstance(node.ctx, ast.Load):
            add("T", node, "unwrap_value", short(node.value))
        elif isinstance(node, ast.Call):
            name = callee_name(node)
            if name in TRANSPOSE_CALL and isinstance(node.func, ast.Attribute):
                add("T", node, "unwrap_receiver", short(node.func.value))
            elif name in SQRT | IDENTITY:
                op = "sqrt" if name in SQRT else "identity"
                func = node.func
                module_call = isinstance(func, ast.Name) or (
                    isinstance(func, ast.Attribute) and
                    (isinstance(func.value, ast.Name) and func.value.id in MODULES or
                     isinstance(func.value, ast.Attribute) and func.value.attr in MODULES))
                if module_call and node.args:  # np.exp(x), F.softmax(z, dim=-1), sigmoid(x)
                    add(op, node, "unwrap_first_arg", short(node.args[0]))
                elif isinstance(func, ast.Attribute) and not module_call:  # x.exp(), z.softmax(-1)
                    add(op, node, "unwrap_receiver", short(func.value))
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg in AXIS_KEYWORDS and isinstance(value, (ast.Constant, ast.UnaryOp)):
                    try:
                        axis = ast.literal_eval(value)
                    except ValueError:
                        continue
                    if isinstance(axis, int):
                        new_axis = 0 if axis != 0 else -1
                        add("axis", keyword, lambda k, a=new_axis: setattr(k, "value", ast.Constant(a)),
                            f"{keyword.arg}={new_axis}")
                elif keyword.arg in KEEPDIM_KEYWORDS and isinstance(value, ast.Constant) and \
                        value.value is True:
                    add("axis", keyword, lambda k: setattr(k, "value", ast.Constant(False)),
                        f"{keyword.arg}=False")
    return sites


class Replace(ast.NodeTransformer):
    """Apply one site's edit to the node at the same position in a fresh parse."""

    def __init__(self, target_key, edit):
        self.target_key, self.edit = target_key, edit

    def visit(self, node):
        node = self.generic_visit(node)
        if node_key(node) == self.target_key:
            if self.edit == "unwrap_operand":
                return node.operand
            if self.edit == "unwrap_value":
                return node.value
            if self.edit == "unwrap_receiver":
                return node.func.value
            if self.edit == "unwrap_first_arg":
                return node.args[0]
            self.edit(node)
        return node


def node_key(node):
    return (type(node).__name__, getattr(node, "lineno", None), getattr(node, "col_offset", None),
            getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None),
            getattr(node, "arg", None))


@functools.lru_cache(maxsize=None)
def python_source(cell_source):
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(cell_source)


@functools.lru_cache(maxsize=None)
def parsed(cell_source):
    """The cell's syntax tree and its unparsed text (copy the tree before editing it)."""
    tree = ast.parse(python_source(cell_source))
    return tree, ast.unparse(tree)


def enumerate_sites(nb):
    """All faults in a notebook, each with a stable id: function, operator, text, occurrence."""
    sites = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "solution" in tags or "nbval-skip" in tags:
            continue
        tree = ast.parse(python_source(cell.source))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = node.name
                if name.lower().startswith(SKIP_FUNCTION) or name.startswith("test_"):
                    continue
                sites.extend(sites_in_function(index, name, node))
    seen = collections.Counter()
    for site in sites:
        base = f"{site.function}:{site.op}:{site.before}"
        seen[base] += 1
        site.id = base if seen[base] == 1 else f"{base}#{seen[base]}"
    return sites


def mutated_source(nb, site):
    original, original_text = parsed(nb.cells[site.cell].source)
    tree = Replace(node_key(site.node), site.edit).visit(copy.deepcopy(original))
    ast.fix_missing_locations(tree)
    source = ast.unparse(tree)
    if source == original_text:  # a fault that is not planted would pass as a survivor
        raise RuntimeError(f"fault {site.id} was not planted")
    return source


def choose(sites, per_notebook, notebook):
    """A fixed sample, spread over functions and operators: round-robin over (function, op)."""
    if per_notebook <= 0 or len(sites) <= per_notebook:
        return list(sites)
    # Seeded by the file name, so the sample is the same in every checkout.
    rng = random.Random(int(hashlib.sha256(pathlib.Path(notebook).name.encode()).hexdigest()[:8], 16))
    groups = collections.defaultdict(list)
    for site in sites:
        groups[(site.function, site.op)].append(site)
    keys = sorted(groups)
    rng.shuffle(keys)
    for key in keys:
        rng.shuffle(groups[key])
    chosen = []
    while len(chosen) < per_notebook:
        for key in keys:
            if groups[key] and len(chosen) < per_notebook:
                chosen.append(groups[key].pop())
    return chosen


def load_equivalent():
    """notebook-stem  mutant-id  # reason  (one per line)."""
    table = {}
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            body, _, reason = line.partition("#")
            stem, mutant = body.split(None, 1)
            if not reason.strip():
                raise SystemExit(f"{EQUIVALENT.name}: no reason given for {stem} {mutant}")
            table[(stem, mutant.strip())] = reason.strip()
    return table


# ----------------------------------------------------------------------------- running


def run_cells(shell, sources):
    """Run cells in order; return (kind, cell, message) of the first error, or ("ok", None, "")."""
    for index, source in sources:
        result = shell.run_cell(source, silent=False, store_history=False)
        error = result.error_in_exec or result.error_before_exec
        if error is not None:
            kind = "caught" if isinstance(error, AssertionError) else "crashed"
            return kind, index, f"{type(error).__name__}: {str(error)[:300]}"
    return "ok", None, ""


def continue_cpu_clock(parent_ns):
    """In a forked child, time.process_time() restarts at 0; a notebook's kernel would read the CPU
    time of the whole run so far. Add the parent's, so that a fault such as
    `process_time() - start` -> `process_time() + start` is as large as in the kernel."""
    child_ns = time.process_time_ns
    time.process_time_ns = lambda: parent_ns + child_ns()
    time.process_time = lambda: (parent_ns + child_ns()) / 1e9


@contextlib.contextmanager
def quiet():
    """Send the cells' output to /dev/null (fd level, so compiled code and children too)."""
    sys.stdout.flush(), sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1), os.dup2(null, 2)
    try:
        yield
    finally:
        sys.stdout.flush(), sys.stderr.flush()
        os.dup2(saved[0], 1), os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def read_notebook(path, seed_offset=0):
    nb = nbformat.read(path, as_version=4)
    if seed_offset:
        sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
        from seeds import shift_seeds   # tests/seeds.py, beside this file
        shift_seeds(nb, seed_offset)
    return nb


def run_notebook(path, per_notebook, jobs, timeout, seed_offset=0):
    """Run one notebook with its faults; yield one result dict per fault, then a summary."""
    nb = read_notebook(path, seed_offset)
    sites = choose(enumerate_sites(nb), per_notebook, str(path))
    planted = {site.id: mutated_source(nb, site) for site in sites}  # raises on a fault not planted
    by_cell = collections.defaultdict(list)
    for site in sites:
        by_cell[site.cell].append(site)
    code = [(i, python_source(c.source)) for i, c in enumerate(nb.cells) if c.cell_type == "code"]

    from IPython.core.interactiveshell import InteractiveShell
    os.chdir(pathlib.Path(path).resolve().parent)
    shell = InteractiveShell.instance()
    children = {}  # pid -> (site, read fd, start)
    results = []

    killed = set()

    def reap():
        """Wait for one child and record its outcome; kill a child that overruns the timeout in
        wall time, with a wide margin (a deadlock uses no CPU, so the child's own timer never fires)."""
        while True:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid:
                break
            for other, (_, _, started) in children.items():
                if time.time() - started > 6 * timeout + 60 and other not in killed:
                    os.kill(other, signal.SIGKILL)
                    killed.add(other)
            time.sleep(0.05)
        site, fd, start = children.pop(pid)
        with os.fdopen(fd) as pipe:
            raw = pipe.read()
        if raw:
            outcome = json.loads(raw)
        elif pid in killed:
            outcome = {"kind": "timeout", "cell": None, "message": "killed after the timeout"}
        else:
            outcome = {"kind": "crashed", "cell": None, "message": f"child died (status {status})"}
        outcome.update(id=site.id, op=site.op, where=f"cell {site.cell} line {site.lineno}",
                       change=f"{site.before} -> {site.after}", seconds=round(time.time() - start, 1))
        results.append(outcome)

    def spawn(site, cells):
        """Fork a child that runs `cells` (the faulty one among them) and reports how it ended."""
        while len(children) >= jobs:
            reap()
        read, write = os.pipe()
        cpu_ns = time.process_time_ns()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            continue_cpu_clock(cpu_ns)
            # The limit is on the child's own CPU time (SIGPROF), which load does not stretch.
            signal.signal(signal.SIGPROF, lambda *a: (_ for _ in ()).throw(TimeoutError()))
            signal.setitimer(signal.ITIMER_PROF, timeout)
            try:
                with quiet():
                    kind, cell, message = run_cells(shell, cells)
                if kind == "crashed" and message.startswith("TimeoutError"):
                    kind = "timeout"
                kind = "survived" if kind == "ok" else kind
            except BaseException as error:  # noqa: BLE001 - report, never hang the parent
                kind, cell, message = "crashed", None, repr(error)[:300]
            with os.fdopen(write, "w") as pipe:
                pipe.write(json.dumps({"kind": kind, "cell": cell, "message": message}))
            os._exit(0)
        os.close(write)
        children[pid] = (site, read, time.time())

    def with_fault(site, index):
        return [(index, planted[site.id])] + [(i, s) for i, s in code if i > index]

    # JAX starts threads that a fork cannot copy: for a notebook that imports it, every fault
    # runs the whole notebook in a child forked before any cell ran.
    fresh = any(re.search(r"^\s*(import|from)\s+jax\b", s, re.M) for _, s in code)
    if fresh:
        for index, _ in code:
            for site in by_cell.get(index, []):
                spawn(site, [(i, s) for i, s in code if i < index] + with_fault(site, index))
    for index, source in code:
        if not fresh:
            for site in by_cell.get(index, []):
                spawn(site, with_fault(site, index))
        with quiet():
            kind, cell, message = run_cells(shell, [(index, source)])
        if kind != "ok":
            while children:
                reap()
            shifted = f" with its seeds shifted by {seed_offset:+d}" if seed_offset else ""
            raise RuntimeError(f"{path}: the unmodified notebook{shifted} fails in cell {cell}: {message}")
    while children:
        reap()
    return sites, results


def start_isolated(path, per_notebook, jobs, timeout, seed_offset=0):
    """Run one notebook with its faults in a forked child of the runner (its imports shared, its
    state not); return the child's pid and the pipe its report will come through."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            sites, results = run_notebook(path, per_notebook, jobs, timeout, seed_offset)
            payload = {"total_sites": len(enumerate_sites(read_notebook(path, seed_offset))),
                       "results": results}
        except BaseException as error:  # noqa: BLE001
            payload = {"error": repr(error)[:1000]}
        with os.fdopen(write, "w") as pipe:
            pipe.write(json.dumps(payload))
        os._exit(0)
    os.close(write)
    return pid, read


def run_all(paths, at_once, start):
    """Run `start(path)` for every path, `at_once` notebooks at a time (a notebook's own start and
    end run one process, so two notebooks keep two cores busy); yield (path, outcome, seconds) as
    each notebook finishes."""
    queue, running = list(paths), {}   # read fd -> [pid, path, start time, chunks]
    while queue or running:
        while queue and len(running) < at_once:
            path = queue.pop(0)
            pid, fd = start(path)
            running[fd] = [pid, path, time.time(), []]
        ready, _, _ = select.select(list(running), [], [])
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if data:
                running[fd][3].append(data)
                continue
            pid, path, started, chunks = running.pop(fd)
            os.close(fd)
            os.waitpid(pid, 0)
            raw = b"".join(chunks)
            yield path, json.loads(raw) if raw else {"error": "the notebook's process died"}, time.time() - started


def cpu_limit(path, most):
    """CPU seconds a fault may use: twice what the whole notebook took in the last `make test`
    (a fault runs only from its cell on), at least 30 s, at most `most`."""
    try:
        seconds = json.loads(TIMINGS.read_text())["seconds"]
        cpu = seconds[pathlib.Path(path).relative_to(ROOT).as_posix()]
    except (OSError, ValueError, KeyError):
        return most
    return int(min(most, max(30, 2 * cpu)))


def write_report(path, report):
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(path).write_text(json.dumps(report, indent=1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--per-notebook", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2, help="faults run at once per notebook")
    parser.add_argument("--at-once", type=int, default=2, help="notebooks run at once")
    parser.add_argument("--timeout", type=int, default=240,
                        help="most CPU seconds a fault may use (see cpu_limit)")
    parser.add_argument("--min", type=float, default=0.9)
    parser.add_argument("--report", default=str(ROOT / "_build" / "mutants.json"))
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="also list the faults that crashed")
    parser.add_argument("--seed-offset", type=int, default=0,
                        help="shift every literal seed by this much first (as tests/seeds.py does)")
    args = parser.parse_args()

    if args.list:
        for path in args.notebooks:
            nb = nbformat.read(path, as_version=4)
            for site in enumerate_sites(nb):
                print(f"{pathlib.Path(path).stem}  {site.describe()}")
        return 0

    os.environ.setdefault("MPLBACKEND", "Agg")
    # Import what most notebooks import once, before forking (each child inherits it).
    with quiet() if len(args.notebooks) > 1 else contextlib.nullcontext():
        if len(args.notebooks) > 1:
            import numpy  # noqa: F401
            import torch
            torch.set_num_threads(1)
            import matplotlib.pyplot  # noqa: F401
            import sklearn.linear_model  # noqa: F401
        import IPython.core.interactiveshell  # noqa: F401
    equivalent = load_equivalent()
    report, failed = {}, []
    start_all = time.time()
    paths = sorted((str(pathlib.Path(p).resolve()) for p in args.notebooks), key=lambda p: -cpu_limit(p, 10**6))

    def start(path):   # longest first (above), so that the last two notebooks end together
        return start_isolated(path, args.per_notebook, args.jobs, cpu_limit(path, args.timeout), args.seed_offset)

    for path, outcome, seconds in run_all(paths, args.at_once, start):
        stem = pathlib.Path(path).stem
        if "error" in outcome:
            print(f"ERROR {stem}: {outcome['error']}", flush=True)
            failed.append(stem)
            report[path] = outcome
            continue
        counts = collections.Counter()
        for result in outcome["results"]:
            if (stem, result["id"]) in equivalent:
                result["kind"] = "equivalent"
                result["message"] = equivalent[(stem, result["id"])]
            counts[result["kind"]] += 1
        judged = counts["caught"] + counts["survived"]
        score = counts["caught"] / judged if judged else 1.0
        ok = score >= args.min
        if not ok:
            failed.append(stem)
        status = "n/a " if judged == 0 else "ok  " if ok else "FAIL"  # n/a: no fault ran to a verdict
        print(f"{status} {score:5.0%}  {stem:34s} caught {counts['caught']:2d} "
              f"survived {counts['survived']:2d} crashed {counts['crashed']:2d} "
              f"timeout {counts['timeout']:2d} equivalent {counts['equivalent']:2d} "
              f"(of {outcome['total_sites']} sites)  {seconds:5.0f} s", flush=True)
        for result in sorted(outcome["results"], key=lambda r: r["kind"]):
            if result["kind"] in ("survived", "timeout") or args.verbose and result["kind"] == "crashed":
                print(f"      {result['kind']:8s} {result['id']}  [{result['where']}: "
                      f"{result['change']}]" + (f" {result['message'][:120]}" if result["kind"] == "crashed"
                                                  else ""), flush=True)
        report[path] = {"score": score, "counts": dict(counts), "seconds": round(seconds, 1),
                        "total_sites": outcome["total_sites"], "results": outcome["results"]}
        write_report(args.report, report)
    report = dict(sorted(report.items()))
    write_report(args.report, report)
    caught = sum(r.get("counts", {}).get("caught", 0) for r in report.values())
    survived = sum(r.get("counts", {}).get("survived", 0) for r in report.values())
    print(f"total: caught {caught}, survived {survived} "
          f"({caught / max(caught + survived, 1):.0%}); {time.time() - start_all:.0f} s; "
          f"report in {args.report}")
    if failed:
        print("below the bar:", " ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
