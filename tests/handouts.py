"""Plain-Markdown copies of the notebooks: the Colab copy and the learner handout.

The notebooks are written in MyST (glossary and citation roles, exercise fences) for the website.
Colab and a JupyterLab without jupyterlab-myst render only CommonMark and `$...$` math, so they
would show that markup raw. This script writes two copies of every notebook with the markup
turned into plain Markdown and the outputs cleared:

- `book/colab/<chapter>/<notebook>.ipynb`: the whole notebook, solutions folded in `<details>`;
  committed, because the website's Colab button opens it from GitHub (see book/_ext/colab_links.py);
- `<out>/<chapter>/<notebook>.ipynb` (`make handouts`): the learner copy, with every solution
  (the `:::{solution}` text and the code cells tagged `solution`) removed; each exercise keeps
  its starter cell, whose check prints True once the learner's answer is right.

    python tests/handouts.py colab              # refresh book/colab (tests check it is current)
    python tests/handouts.py handouts OUTDIR    # learner copies, and OUTDIR.zip
"""
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
COLAB_DIR = ROOT / "book" / "colab"

FENCE = re.compile(r"^:::\{(exercise|solution)\}[^\n]*\n(.*?)^:::[ \t]*$\n?", re.S | re.M)
MATH_FENCE = re.compile(r"^```\{math\}[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
OPTION = re.compile(r"^:(\w+):[ \t]*(.*)$", re.M)
ROLE = re.compile(r"\{(term|cite|cite:p|cite:t|eq|ref|doc|numref)\}`([^`]*)`")
# What must never reach a reader in a plain renderer.
RAW_MARKUP = re.compile(r"\{[a-z:]+\}`|^:::|^```\{|^:(label|class):", re.M)


def repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    return config["url"].rstrip("/").removeprefix("https://github.com/"), config["branch"]


def colab_url(relpath):
    """The Colab address of a file of this repository (relpath from the repository root)."""
    repo, branch = repository()
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{relpath}"


def colab_path(notebook):
    """notebooks/03_principles/x.ipynb -> book/colab/03_principles/x.ipynb"""
    return COLAB_DIR / Path(notebook).relative_to("notebooks")


def load_citations():
    """Citation key -> (authors, year) from book/references.bib, as the website prints them."""
    from pybtex.database import parse_file

    cites = {}
    for key, entry in parse_file(str(ROOT / "book" / "references.bib")).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = [" ".join(p.last_names) or " ".join(p.first_names) for p in people]
        if not last:
            names = entry.fields.get("organization") or entry.fields.get("title", key)
        elif len(last) == 1:
            names = last[0]
        elif len(last) == 2:
            names = f"{last[0]} and {last[1]}"
        else:
            names = f"{last[0]} et al."
        names = names.replace("{", "").replace("}", "")
        cites[key] = (names, entry.fields.get("year", "n.d."))
    return cites


def notebook_titles():
    titles = {}
    for path in sorted((ROOT / "notebooks").glob("*/*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        titles[path.relative_to(ROOT).with_suffix("").as_posix()] = first.lstrip("# ").strip()
    return titles


class Converter:
    """MyST -> CommonMark + `$` math, for one notebook."""

    def __init__(self, notebook, cites, titles, keep_solutions):
        self.notebook = Path(notebook)
        self.cites, self.titles = cites, titles
        self.keep_solutions = keep_solutions
        self.exercises = 0
        self.equations = {}

    def role(self, match):
        name, text = match.groups()
        shown, _, target = text.partition(" <")
        target = target.rstrip(">") if target else shown
        if name == "term":
            return shown
        if name.startswith("cite"):
            keys = [k.strip() for k in target.split(",")]
            found = [self.cites.get(k, (k, "")) for k in keys]
            if name == "cite:t":
                return "; ".join(f"{a} ({y})" for a, y in found)
            return "(" + "; ".join(f"{a} {y}" for a, y in found) + ")"
        if name == "eq":
            return f"({self.equations.get(target, target)})"
        if name == "doc":
            linked = (self.notebook.parent / target).resolve().relative_to(ROOT).as_posix()
            if linked.startswith("notebooks/"):
                title = shown if text.endswith(">") else self.titles.get(linked, target)
                colab = colab_path(linked + ".ipynb").relative_to(ROOT).as_posix()
                return f"[{title}]({colab_url(colab)})"
            return shown
        return shown  # ref, numref: the link text

    def math(self, match):
        body = match.group(1)
        label = dict(OPTION.findall(body)).get("label")
        body = OPTION.sub("", body).strip("\n")
        if label:
            self.equations[label] = len(self.equations) + 1
            body += f" \\tag{{{self.equations[label]}}}"
        return f"$$\n{body}\n$$"

    def fence(self, match):
        kind, body = match.groups()
        body = OPTION.sub("", body).strip("\n")
        if kind == "exercise":
            self.exercises += 1
            return f"#### Exercise {self.exercises}\n\n{body}\n"
        if not self.keep_solutions:
            return ""
        return f"<details><summary><b>Solution</b></summary>\n\n{body}\n\n</details>\n"

    def markdown(self, text):
        text = MATH_FENCE.sub(self.math, text)
        text = FENCE.sub(self.fence, text)
        return ROLE.sub(self.role, text).strip("\n")


def plain_copy(notebook, keep_solutions, cites=None, titles=None):
    """The notebook (path relative to ROOT) as plain Markdown, outputs cleared."""
    nb = nbformat.read(ROOT / notebook, as_version=4)
    convert = Converter(notebook, cites or load_citations(), titles or notebook_titles(), keep_solutions)
    cells = []
    for cell in nb.cells:
        cell = copy.deepcopy(cell)
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            cell.source = convert.markdown(cell.source)
            if not cell.source.strip():
                continue
        elif cell.cell_type == "code":
            if "solution" in tags and not keep_solutions:
                continue
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    intro = ("*Colab copy of the course notebook: the website shows the same text with its "
             "glossary links, citations and figures. Solutions are folded under each exercise.*"
             if keep_solutions else
             "*Learner copy: the solutions are removed. After each exercise, fill in the starter "
             "cell and run it: its check prints `True` once your answer is right.*")
    cells.insert(1, nbformat.v4.new_markdown_cell(intro))
    nb.cells = cells
    for i, cell in enumerate(nb.cells):  # stable ids, so a regenerated copy is byte-identical
        cell["id"] = f"cell-{i:03d}"
    return nb


def notebooks():
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("*/*.ipynb"))


def write_colab():
    cites, titles = load_citations(), notebook_titles()
    wanted = {colab_path(notebook): notebook for notebook in notebooks()}
    for stale in set(COLAB_DIR.rglob("*.ipynb")) - set(wanted):
        stale.unlink()
    for target, notebook in wanted.items():
        text = nbformat.writes(plain_copy(notebook, True, cites, titles)) + "\n"
        if not target.exists() or target.read_text() != text:   # rewrite only what changed
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    print(f"wrote {len(notebooks())} Colab copies under {COLAB_DIR.relative_to(ROOT)}")


def write_handouts(out):
    out = Path(out).resolve()
    cites, titles = load_citations(), notebook_titles()
    shutil.rmtree(out, ignore_errors=True)
    for notebook in notebooks():
        target = out / Path(notebook).relative_to("notebooks")
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(plain_copy(notebook, False, cites, titles), target)
    archive = shutil.make_archive(str(out), "zip", out.parent, out.name)
    print(f"wrote {len(notebooks())} learner copies under {out} and {archive}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["colab"]:
        write_colab()
    elif sys.argv[1:2] == ["handouts"] and len(sys.argv) == 3:
        write_handouts(sys.argv[2])
    else:
        sys.exit(__doc__)
