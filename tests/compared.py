"""How much of what the notebooks print does `make test-notebooks` compare?

Per notebook and in total: the share of printed decimal numbers that are compared (a number in a
cell tagged nbval-ignore-output or nbval-skip is not; in a cell with "nbval" metadata, a number
inside a match of one of the cell's `ignore` regexes is not), the figures and how many carry a
data digest (tests/ipython/profile_default/startup/00_figure_data.py; only those are compared by
their data, and only in compared cells), and the lines that are or end in `True` printed in
compared cells (a bare True after an assert tests nothing).

    python tests/compared.py [--min 0.9] [notebooks ...]

--min SHARE exits 1 when the total share of compared numbers is below SHARE.
"""
import argparse
import glob
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A decimal number: digits with a fraction (and exponent), or digits with an exponent.
DECIMAL = re.compile(r"(?<![\w.])[-+]?\d+\.\d+(?:[eE][-+]?\d+)?|(?<![\w.])\d+[eE][-+]?\d+")
IMAGES = ("image/png", "image/jpeg", "image/svg+xml")


def cell_text(cell):
    text = ""
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            text += "".join(out["text"])
        elif "data" in out:
            text += "".join(out["data"].get("text/plain", ""))
    return text


def count(path):
    nb = json.loads(Path(path).read_text())
    c = {"numbers": 0, "compared": 0, "figures": 0, "digests": 0, "figures_compared": 0, "true_lines": 0,
         "cells": 0, "ignored_cells": 0, "tolerance_cells": 0}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        c["cells"] += 1
        meta = cell.get("metadata", {})
        tags = meta.get("tags", [])
        compared = "nbval-ignore-output" not in tags and "nbval-skip" not in tags
        c["ignored_cells"] += not compared
        spec = meta.get("nbval") or {}
        c["tolerance_cells"] += bool(spec) and compared
        text = cell_text(cell)
        c["numbers"] += len(DECIMAL.findall(text))
        if compared:
            kept = text
            for pattern in spec.get("ignore", []):
                kept = re.sub(pattern, "\x00", kept)
            c["compared"] += len(DECIMAL.findall(kept))
            c["true_lines"] += sum(1 for line in text.splitlines()
                                   if line.strip() == "True" or line.rstrip().endswith(" True"))
        for out in cell.get("outputs", []):
            if any(m in out.get("data", {}) for m in IMAGES):
                c["figures"] += 1
                has = "figure_data" in out.get("metadata", {})
                c["digests"] += has
                c["figures_compared"] += has and compared
    return c


def share(c):
    return c["compared"] / c["numbers"] if c["numbers"] else 1.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--min", type=float, default=None, help="exit 1 when the total share is below")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(glob.glob(str(ROOT / "notebooks" / "*" / "*.ipynb")))
    total = None
    print(f"{'numbers':>15s} {'share':>5s} {'figures':>13s} {'True':>4s} {'cells ign/tol/all':>17s}  notebook")
    for path in paths:
        c = count(path)
        total = c if total is None else {k: total[k] + v for k, v in c.items()}
        rel = Path(path).resolve().relative_to(ROOT) if Path(path).resolve().is_relative_to(ROOT) else path
        print(f"{c['compared']:6d}/{c['numbers']:<6d}  {share(c):4.0%} "
              f"{c['figures_compared']:3d}/{c['digests']:3d}/{c['figures']:<3d}   {c['true_lines']:4d} "
              f"{c['ignored_cells']:5d}/{c['tolerance_cells']:3d}/{c['cells']:<4d}  {rel}")
    if total is None:
        print("no notebooks")
        return 1
    print(f"total: decimal numbers compared {total['compared']}/{total['numbers']} = {share(total):.1%}; "
          f"figures compared by data {total['figures_compared']} of {total['figures']} "
          f"({total['digests']} carry a digest); True lines in compared cells {total['true_lines']}; "
          f"cells ignored {total['ignored_cells']}, with a tolerance {total['tolerance_cells']}, "
          f"of {total['cells']}")
    print("(figures column: compared by data / with a digest / all; cells column: nbval-ignore-output or "
          "nbval-skip / with 'nbval' tolerance metadata / all code cells)")
    if args.min is not None and share(total) < args.min:
        print(f"FAILED: {share(total):.1%} of the printed decimal numbers are compared, below --min {args.min:.0%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
