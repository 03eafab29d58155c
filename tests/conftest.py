import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]


def toc_files():
    """Every `file:` entry of _toc.yml, in reading order (root first)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("parts"))
    walk(toc.get("chapters"))
    return files


def notebook_paths():
    return sorted(p.relative_to(ROOT) for p in (ROOT / "notebooks").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


@pytest.fixture(scope="session")
def root():
    return ROOT
