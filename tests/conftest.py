import os
import pathlib
import subprocess
import sys

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


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """Build the book once, into a temporary folder, with -W (warnings are errors) and -n."""
    out = tmp_path_factory.mktemp("site")
    jupyter_book = os.path.join(os.path.dirname(sys.executable), "jupyter-book")
    result = subprocess.run([jupyter_book, "build", str(ROOT), "-W", "-n", "--keep-going",
                             "--path-output", str(out)], capture_output=True, text=True, timeout=900)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    assert "WARNING" not in log, "\n".join(ln for ln in log.splitlines() if "WARNING" in ln)
    return out / "_build" / "html"
