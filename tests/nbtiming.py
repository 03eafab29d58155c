"""pytest plugin: seconds per notebook under nbval, sorted, against the per-notebook budget.

The budget is 60 s (or NB_BUDGET_S) unless BUDGETS_S names a notebook: an issue may allow a
notebook more, and the allowance is written here, once, with the reason.

The budget applies to the CPU time of the notebook's kernel (user + system, its threads and the
child processes it waited for, read from /proc after each cell): one thread per kernel, as the
tests run, this is the time the notebook takes alone on one core, and it stays the same when other
work shares the machine (`make test` runs the repository's tests beside two notebooks at a time).
The wall time is printed beside it: the sum of the cells' setup, call and teardown durations (the
kernel start falls in the first cell's setup). Where /proc is missing, the wall time is budgeted.
"""
import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

BUDGET_S = float(os.environ.get("NB_BUDGET_S", "60"))
BUDGETS_S = {
    # Trains a character-level GPT until it beats a smoothed 3-gram model (issue 10 allowed 150 s;
    # cut to 1,000 steps, it measured 66 s in a clean-clone run beside another notebook).
    "notebooks/03_principles/3_4b_small_gpt.ipynb": 90.0,
    # Run the pretrained MiniLM encoder over a few thousand texts (issue 11 allows 90 s).
    "notebooks/05_applications/5_1a_sentiment.ipynb": 90.0,
    "notebooks/05_applications/5_1c_qa_summarization.ipynb": 90.0,
    # Trains a single-shot detector from scratch (issue 12 allows 90 s).
    "notebooks/05_applications/5_3b_object_detection.ipynb": 90.0,
}
_seconds = defaultdict(float)   # wall
_cpu = {}                        # kernel CPU after the notebook's latest cell
ROOT = Path(__file__).resolve().parents[1]
# After a full, passing run the seconds go to the file the workshop agendas are built from
# (book/_ext/agendas.py); commit it with the change that made the notebooks faster or slower.
TIMINGS = ROOT / "book" / "instructors" / "timings.json"


def write_timings():
    every = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*/*.ipynb")}
    if set(_seconds) != every:
        return False
    partial = TIMINGS.with_suffix(".partial")   # replaced in one step: the repository's tests,
    partial.write_text(json.dumps({            # running beside these, read the file
        "about": "seconds per notebook in the last full, passing `make test`: the CPU time of its "
                 "kernel (one thread), the time it takes alone on one core; written by tests/nbtiming.py",
        "total_s": round(sum(map(timed, _seconds))),
        "seconds": {p: round(timed(p)) for p in sorted(_seconds)},
    }, indent=1) + "\n")
    partial.replace(TIMINGS)
    return True


def kernel_cpu_seconds(item):
    """CPU seconds used so far by the kernel running this nbval item's notebook (None if unknown)."""
    try:
        km = item.parent.kernel.km
        pid = km.provisioner.process.pid if getattr(km, "provisioner", None) else km.kernel.pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (AttributeError, OSError, IndexError):
        return None
    utime, stime, cutime, cstime = map(int, fields[11:15])   # fields 14-17 of proc(5)
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call" and str(getattr(item, "fspath", "")).endswith(".ipynb"):
        cpu = kernel_cpu_seconds(item)
        if cpu is not None:
            outcome.get_result().user_properties.append(("kernel_cpu_s", cpu))
            if os.environ.get("NB_CELL_CPU"):   # where a notebook's time goes: CPU after each cell
                with open(os.environ["NB_CELL_CPU"], "a") as f:
                    f.write(f"{item.nodeid}\t{cpu:.2f}\n")


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration
        for name, value in report.user_properties:
            if name == "kernel_cpu_s":
                _cpu[path] = max(value, _cpu.get(path, 0.0))


def timed(path):
    """What the budget applies to: the kernel's CPU time, or the wall time where it is unknown."""
    return _cpu.get(path, _seconds[path])


def budget(path):
    return max(BUDGETS_S.get(path, BUDGET_S), BUDGET_S)


def _over_budget():
    return sorted(p for p in _seconds if timed(p) > budget(p))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or not _seconds:
        return
    tr = terminalreporter
    tr.section(f"notebook timing: kernel CPU s (budget {BUDGET_S:.0f} s per notebook unless stated), wall s")
    for path in sorted(_seconds, key=lambda p: -timed(p)):
        flag = "OVER BUDGET" if timed(path) > budget(path) else "ok"
        cpu = f"{_cpu[path]:7.1f} s cpu" if path in _cpu else "    (no cpu)"
        tr.write_line(f"{cpu}  {_seconds[path]:7.1f} s wall  {flag:11s}  {path}  (budget {budget(path):.0f} s)")
    tr.write_line(f"{sum(_cpu.values()):7.1f} s cpu  {sum(_seconds.values()):7.1f} s wall  total")
    for path in _over_budget():
        tr.write_line(f"FAILED: {path} took {timed(path):.1f} s, over its {budget(path):.0f} s budget",
                      red=True, bold=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    if _over_budget() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if session.exitstatus == 0 and write_timings():
        print(f"\nnotebook run times written to {TIMINGS.relative_to(ROOT)}")


def pytest_collection_modifyitems(session, config, items):
    """Longest notebooks first (by the last full run's times), so that the two workers end
    together instead of one waiting on the other's last long notebook; cells keep their order."""
    try:
        last = json.loads(TIMINGS.read_text())["seconds"]
    except (OSError, ValueError, KeyError):
        return
    def key(item):
        path = item.nodeid.split("::")[0]
        return (-last.get(path, BUDGET_S), path) if path.endswith(".ipynb") else (0, "")
    items.sort(key=key)   # stable: a notebook's cells stay in order
