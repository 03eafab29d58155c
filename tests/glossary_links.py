"""Glossary terms linked at their first use in each chapter.

A chapter is a folder of notebooks/ read in order. The first time a glossary term appears in a
chapter's text (outside headings, math, code and links), it must be a `{term}` role, so a reader
who meets it finds the definition and the Chinese term one click away.

    python tests/glossary_links.py          # list the first uses that are not linked
    python tests/glossary_links.py --fix    # link them in place (markdown only; outputs untouched)
    python tests/glossary_links.py --fix 03_principles   # one chapter
"""
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
ROLE = re.compile(r"\{term\}`([^`<]*?)(?:\s*<([^>`]+)>)?`")
# Spans where a term must not be linked: math, code, roles, links, HTML, and whole heading lines.
PROTECTED = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|```.*?```|`[^`\n]*`|\{[a-z:]+\}`[^`]*`|\[[^\]]*\]\([^)]*\)"
                       r"|<[^>\n]+>|^#.*$|^:[a-z]+:.*$|^:::.*$", re.S | re.M)


def glossary_terms():
    """The English terms of book/glossary.md (the unindented line above each Chinese line)."""
    text = (ROOT / "book" / "glossary.md").read_text()
    block = text.split("```{glossary}")[1].split("\n```")[0]
    lines = block.splitlines()
    return [line.strip() for line, nxt in zip(lines, lines[1:])
            if line.strip() and not line.startswith((" ", ":")) and nxt.strip() and not nxt.startswith(" ")]


def pattern(term):
    # "Gate" also matches "gates"; never inside a longer word or a hyphenated compound.
    return re.compile(rf"(?<![\w-]){re.escape(term)}(e?s)?(?![\w-])", re.I)


ONLY = [a for a in sys.argv[1:] if not a.startswith("-")]   # chapters named on the command line


def chapters():
    by_chapter = {}
    for path in sorted((ROOT / "notebooks").glob("*/*.ipynb")):
        if ONLY and path.parent.name not in ONLY and __name__ == "__main__":
            continue
        by_chapter.setdefault(path.parent.name, []).append(path)
    return by_chapter


def first_uses(paths, terms):
    """term -> (path, cell index, start, end, linked?) of its first use in these notebooks."""
    found = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "markdown":
                continue
            text = cell.source
            linked = {(m.group(2) or m.group(1)).strip().lower(): m.start() for m in ROLE.finditer(text)}
            masked = PROTECTED.sub(lambda m: " " * len(m.group(0)), text)
            for term in terms:
                if term in found:
                    continue
                plain = pattern(term).search(masked)
                role_at = linked.get(term.lower())
                if role_at is not None and (plain is None or role_at < plain.start()):
                    found[term] = (path, i, None, None, True)
                elif plain is not None:
                    found[term] = (path, i, plain.start(), plain.end(), False)
    return found


def unlinked():
    terms = glossary_terms()
    return {chapter: {t: use for t, use in first_uses(paths, terms).items() if not use[4]}
            for chapter, paths in chapters().items()}


def fix():
    """Link first uses; a span inside a longer term's span waits for the next pass."""
    for _ in range(6):
        if not any(unlinked().values()):
            return
        fix_once()


def fix_once():
    terms = glossary_terms()
    for chapter, paths in chapters().items():
        edits = {}
        for term, (path, i, start, end, linked) in first_uses(paths, terms).items():
            if not linked:
                edits.setdefault((path, i), []).append((start, end, term))
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            changed = False
            for (p, i), spans in edits.items():
                if p != path:
                    continue
                text = nb.cells[i].source
                kept = []
                for start, end, term in sorted(spans, key=lambda s: s[0] - s[1]):   # longest first
                    if all(end <= a or start >= b for a, b, _ in kept):
                        kept.append((start, end, term))
                for start, end, term in sorted(kept, reverse=True):
                    shown = text[start:end]
                    role = f"{{term}}`{shown}`" if shown == term else f"{{term}}`{shown} <{term}>`"
                    text = text[:start] + role + text[end:]
                nb.cells[i].source = text
                changed = True
            if changed:
                nbformat.write(nb, path)


if __name__ == "__main__":
    if "--fix" in sys.argv:
        fix()
    for chapter, missing in unlinked().items():
        for term, (path, i, *_rest) in missing.items():
            print(f"{chapter}: '{term}' first used unlinked in {path.name}, cell {i}")
