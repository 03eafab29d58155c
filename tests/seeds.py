"""`make seeds`: every notebook again with other seeds; every assert must still hold.

A threshold that holds for one seed only is a defect: it was fitted to that run. This reruns
each notebook with every seed in its code shifted by +1 and by +2 (initialisation, batch order,
augmentation, sampling, resampling: `SEED = n`, `manual_seed(n)`, `default_rng(n)`,
`np.random.seed(n)`, `random.seed(n)`, `torch.Generator().manual_seed(n)`, and a lowercase name
or keyword ending in `seed`: `seed = n`, `check_seed = n`, `f(x, seed=n)`, `def f(seed=n)`),
leaving data splits fixed (`random_state=` and upper-case names such as `SPLIT_SEED` are not
touched), executes it top to bottom and reports the first failing cell. Seeds written any other
way (a tuple of literals, a literal passed by position) are refused by tests/test_seeds.py, so
every seed the notebooks use follows these patterns.
Outputs are not compared: the numbers are expected to move, the asserts are not.

    python tests/seeds.py [--offsets 1 2] [--jobs 2] NOTEBOOK...

An offset of 0 runs each notebook as it is: `make newest` does that with the newest releases
(the kernel is the Python that runs this script). Each line gives the wall time and the CPU time
(user + sys) of the kernel, which a busy machine barely changes.
"""
import argparse
import concurrent.futures
import pathlib
import re
import subprocess
import sys
import time

import nbformat

SEED_PATTERNS = [
    re.compile(r"^(\s*SEED\s*=\s*)(\d+)", re.M),
    re.compile(r"(manual_seed\(\s*)(\d+)(?=\s*\))"),
    re.compile(r"(default_rng\(\s*)(\d+)(?=\s*\))"),
    re.compile(r"(np\.random\.seed\(\s*)(\d+)(?=\s*\))"),
    re.compile(r"(\brandom\.seed\(\s*)(\d+)(?=\s*\))"),
    re.compile(r"(\b[a-z_]*seed\s*=\s*)(\d+)(?![\d._xXoObBeEjJ])"),  # seed = n, seed=n; not ==, 3.5, 0x1
]


def shift_seeds(nb, offset):
    """Shift every literal seed in the notebook's code by offset; return how many were shifted."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        for pattern in SEED_PATTERNS:
            source, n = pattern.subn(lambda m: m.group(1) + str(int(m.group(2)) + offset), source)
            count += n
        cell.source = source
    return count


def run_one(path, offset):
    """Execute a seed-shifted copy in a child process; return (path, offset, ok, message, seconds, cpu)."""
    nb = nbformat.read(path, as_version=4)
    shifted = shift_seeds(nb, offset)   # none in a notebook with no randomness: it runs as it is
    start = time.perf_counter()
    code = ("import resource, sys, nbformat\n"
            "from nbclient import NotebookClient\n"
            "from nbclient.exceptions import CellExecutionError\n"
            "nb = nbformat.reads(sys.stdin.read(), as_version=4)\n"
            "client = NotebookClient(nb, timeout=900, kernel_name='python3', "
            "resources={'metadata': {'path': sys.argv[1]}})\n"
            "try:\n"
            "    client.execute()\n"
            "except CellExecutionError as error:\n"
            "    print(str(error)[-1500:]); sys.exit(1)\n"
            "finally:\n"
            "    usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "    print(f'kernel cpu {usage.ru_utime + usage.ru_stime:.1f}', file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code, str(pathlib.Path(path).parent)],
                            input=nbformat.writes(nb), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    cpu = re.findall(r"^kernel cpu ([\d.]+)$", result.stderr, re.M)
    stderr = re.sub(r"^kernel cpu [\d.]+\n?", "", result.stderr, flags=re.M)
    message = ((f"{shifted} seeds shifted" if shifted else "no seed to shift: ran as it is")
               if result.returncode == 0 else (result.stdout + stderr)[-1500:])
    return path, offset, result.returncode == 0, message, seconds, float(cpu[-1]) if cpu else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--offsets", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    jobs = [(nb, offset) for nb in args.notebooks for offset in args.offsets]
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for path, offset, ok, message, seconds, cpu in pool.map(lambda job: run_one(*job), jobs):
            status = "ok  " if ok else "FAIL"
            run = f"seed+{offset}" if offset else "as is "
            print(f"{status} {run}  {seconds:6.1f} s wall  {cpu:6.1f} s cpu  {path}  {message if ok and offset else ''}",
                  flush=True)
            if not ok:
                failures.append((path, offset, message))
    for path, offset, message in failures:
        print(f"\n=== {path}, {f'seeds shifted by +{offset}' if offset else 'as is'} ===\n{message}")
    print(f"\n{len(jobs) - len(failures)} of {len(jobs)} runs held every assert")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
