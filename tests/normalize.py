"""Normalise a freshly executed notebook: python3 kernelspec, no widget state, no timing metadata,
and slide metadata for RISE (one slide per `#`/`##` section, a sub-slide per `###` subsection,
solutions skipped), so every notebook is also a slideshow (tests/test_workshop.py checks it)."""
import re
import sys

import nbformat

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def slide_type(cell):
    if "solution" in cell.metadata.get("tags", []) or cell.source.lstrip().startswith(":::{solution}"):
        return "skip"
    if cell.cell_type != "markdown":
        return "-"
    if re.search(r"^##? ", cell.source, re.M):       # a section starts in this cell
        return "slide"
    if re.search(r"^### ", cell.source, re.M):
        return "subslide"
    return "-"


def normalize(nb):
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["rise"] = {"scroll": True, "enable_chalkboard": False}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        cell.metadata["slideshow"] = {"slide_type": slide_type(cell)}
    return nb


if __name__ == "__main__":
    for path in sys.argv[1:]:
        nbformat.write(normalize(nbformat.read(path, as_version=4)), path)
