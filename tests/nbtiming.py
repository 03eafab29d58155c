"""pytest plugin: seconds per notebook under nbval, sorted, against the per-notebook budget.

The budget is 60 s (or NB_BUDGET_S) unless BUDGETS_S names a notebook: an issue may allow a
notebook more, and the allowance is written here, once, with the reason.

Each nbval item is one cell; a notebook's time is the sum of its cells' setup, call and
teardown durations (the kernel start falls in the first cell's setup).
"""
import os
from collections import defaultdict

import pytest

BUDGET_S = float(os.environ.get("NB_BUDGET_S", "60"))
BUDGETS_S = {
    # Trains until the GPT beats a smoothed 3-gram model on 2 CPU cores (issue 10 allows 150 s).
    "notebooks/03_principles/3_4b_small_gpt.ipynb": 150.0,
    # Run the pretrained MiniLM encoder over a few thousand texts (issue 11 allows 90 s).
    "notebooks/05_applications/5_1a_sentiment.ipynb": 90.0,
    "notebooks/05_applications/5_1c_qa_summarization.ipynb": 90.0,
    # Trains a single-shot detector from scratch (issue 12 allows 90 s).
    "notebooks/05_applications/5_3b_object_detection.ipynb": 90.0,
}
_seconds = defaultdict(float)


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration


def budget(path):
    return max(BUDGETS_S.get(path, BUDGET_S), BUDGET_S)


def _over_budget():
    return sorted(p for p, s in _seconds.items() if s > budget(p))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or not _seconds:
        return
    tr = terminalreporter
    tr.section(f"notebook timing (budget {BUDGET_S:.0f} s per notebook unless stated)")
    for path, seconds in sorted(_seconds.items(), key=lambda kv: -kv[1]):
        flag = "OVER BUDGET" if seconds > budget(path) else "ok"
        tr.write_line(f"{seconds:7.1f} s  {flag:11s}  {path}  (budget {budget(path):.0f} s)")
    tr.write_line(f"{sum(_seconds.values()):7.1f} s  total")
    for path in _over_budget():
        tr.write_line(f"FAILED: {path} took {_seconds[path]:.1f} s, over its {budget(path):.0f} s budget",
                      red=True, bold=True)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):
        return
    if _over_budget() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
