"""Workshop agendas built from measured data.

`book/instructors/agendas.yml` lists each agenda: its days, and for each day the notebooks in
order with a mode: `work` (learners work through the notebook: the time its "Time:" line states)
or `demo` (the instructor runs it and discusses the results: DEMO_MINUTES plus its run time).
Run times come from `book/instructors/timings.json`, which `make test` writes after a full,
passing run (tests/nbtiming.py). The page `book/instructors/agendas.md` holds a line
`% agenda: <name>` where each table goes; this extension replaces it when the book is built.
A day longer than the agenda's day length fails the build (-W), so a notebook that grows is
caught here.
"""
import json
import re
from pathlib import Path

import nbformat
import yaml
from sphinx.util import logging

LOG = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "book" / "instructors"
PAGE = "book/instructors/agendas"
DEMO_MINUTES = 25
TIME_LINE = re.compile(r"\*\*Time\*\*:\s*runs in about [\d.]+ s[^;]*;\s*about\s+([\d.]+)(?:\s*to\s*([\d.]+))?\s*"
                       r"(hours?|minutes)", re.S)


def work_minutes(notebook):
    """The upper end of the work-through time the notebook states on its "Time:" line."""
    first = nbformat.read(ROOT / f"{notebook}.ipynb", as_version=4).cells[0].source
    match = TIME_LINE.search(first)
    if match is None:
        raise ValueError(f"{notebook}: no 'Time: runs in about N s ...; about M minutes' line")
    low, high, unit = match.groups()
    return round(float(high or low) * (60 if unit.startswith("hour") else 1))


def title(notebook):
    return nbformat.read(ROOT / f"{notebook}.ipynb", as_version=4).cells[0].source.splitlines()[0].lstrip("# ")


def clock(minutes):
    return f"{int(minutes // 60)} h {int(round(minutes % 60)):02d}"


def agenda_table(name, agenda, seconds):
    lines = []
    for number, day in enumerate(agenda["days"], start=1):
        if len(agenda["days"]) > 1:
            lines += [f"**Day {number}: {day['theme']}**", ""]
        lines += ["| # | notebook | mode | run time (measured) | minutes | elapsed |",
                  "|---|---|---|---|---|---|"]
        elapsed, i = 0.0, 0
        for notebook, mode in ((n, m) for item in day["items"] for n, m in item.items()):
            if notebook == "break":
                elapsed += mode
                lines.append(f"| | breaks | | | {mode} | {clock(elapsed)} |")
                continue
            run_s = seconds.get(f"{notebook}.ipynb")
            if run_s is None:
                LOG.warning(f"agenda {name}: no measured run time for {notebook} (run `make test`)")
                run_s = 0
            i += 1
            minutes = work_minutes(notebook) if mode == "work" else DEMO_MINUTES + run_s / 60
            elapsed += minutes
            lines.append(f"| {i} | {{doc}}`{title(notebook)} </{notebook}>` | {mode} | {run_s:.0f} s | "
                         f"{minutes:.0f} | {clock(elapsed)} |")
        limit = agenda["hours_per_day"] * 60
        lines += ["", f"Total: {clock(elapsed)} of the {clock(limit)} available.", ""]
        if elapsed > limit:
            LOG.warning(f"agenda {name}, day {number}: {clock(elapsed)} exceeds {clock(limit)}")
    return "\n".join(lines)


def fill_agendas(app, docname, source):
    if docname != PAGE:
        return
    agendas = yaml.safe_load((DATA / "agendas.yml").read_text())
    seconds = json.loads((DATA / "timings.json").read_text())["seconds"]
    source[0] = re.sub(r"^% agenda: ([\w-]+)[ \t]*$",
                       lambda m: agenda_table(m.group(1), agendas[m.group(1)], seconds),
                       source[0], flags=re.M)


def setup(app):
    app.connect("source-read", fill_agendas)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
