"""The workshop kit (issue 16): slides in every notebook, JupyterLab that renders MyST and RISE,
the setup check's pins, the agendas' data, and `make handouts`."""
import ast
import json
import os
import re
import subprocess
import sys
import zipfile

import nbformat
import pytest
import yaml

from . import handouts, normalize
from .conftest import ROOT, notebook_paths, toc_files

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import agendas  # noqa: E402  (the Sphinx extension that builds the agenda tables)

NOTEBOOKS = notebook_paths()
IDS = [str(p) for p in NOTEBOOKS]


def pins():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    lines += (ROOT / "requirements-nodeps.txt").read_text().splitlines()
    return {name.lower().replace("_", "-"): version
            for name, _, version in (l.partition("==") for l in lines if "==" in l and not l.startswith("#"))}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_notebook_is_a_slideshow(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    assert "rise" in nb.metadata, "run tests/normalize.py (make execute does)"
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    assert set(kinds) <= normalize.SLIDE_TYPES, f"unknown slide types {set(kinds) - normalize.SLIDE_TYPES}"
    assert kinds == [normalize.slide_type(cell) for cell in nb.cells], "run tests/normalize.py"
    assert kinds[0] == "slide" and kinds.count("slide") + kinds.count("subslide") >= 4


def test_jupyterlab_renders_myst_and_has_rise():
    jupyter = os.path.join(os.path.dirname(sys.executable), "jupyter")
    out = subprocess.run([jupyter, "labextension", "list"], capture_output=True, text=True, timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    for extension in ("jupyterlab-myst", "jupyterlab-rise"):
        assert re.search(rf"^\s*{extension} v\S+ enabled\s+OK", text, re.M), \
            f"{extension} is not loaded by this JupyterLab:\n{text}"


def test_setup_check_knows_the_course_pins():
    nb = nbformat.read(ROOT / "notebooks/00_setup/0_setup_check.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    tree = ast.parse(source)
    found = {t.id: ast.literal_eval(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name) and t.id in ("COURSE_VERSIONS", "INSTALLED_BY_NOTEBOOKS")}
    pinned = pins()
    for name, version in found["COURSE_VERSIONS"].items():
        assert pinned[name] == version, f"{name}: setup check says {version}, requirements {pinned[name]}"
    for name, (version, _) in found["INSTALLED_BY_NOTEBOOKS"].items():
        assert pinned[name] == version, f"{name}: setup check says {version}, requirements {pinned[name]}"


def test_agendas_are_built_from_measured_data():
    timings = json.loads((ROOT / "book/instructors/timings.json").read_text())["seconds"]
    on_disk = {p.as_posix() for p in NOTEBOOKS}
    assert set(timings) == on_disk, "book/instructors/timings.json is stale: run a full `make test`"
    in_toc = set(toc_files())
    for name, agenda in yaml.safe_load((ROOT / "book/instructors/agendas.yml").read_text()).items():
        for day in agenda["days"]:
            total = 0
            for item in day["items"]:
                (notebook, mode), = item.items()
                if notebook == "break":
                    total += mode
                    continue
                assert notebook in in_toc and mode in ("work", "demo"), (name, notebook, mode)
                total += (agendas.work_minutes(notebook) if mode == "work"
                          else agendas.DEMO_MINUTES + timings[f"{notebook}.ipynb"] / 60)
            assert total <= agenda["hours_per_day"] * 60, f"{name}, {day['theme']}: {total:.0f} min"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_time_line_states_run_and_work_time(path):
    assert agendas.work_minutes(path.with_suffix("").as_posix()) >= 5


def test_make_handouts_writes_every_notebook_and_an_archive(tmp_path):
    handouts.write_handouts(tmp_path / "handouts")
    written = sorted(p.relative_to(tmp_path / "handouts") for p in (tmp_path / "handouts").rglob("*.ipynb"))
    assert [str(p) for p in written] == [str(p.relative_to("notebooks")) for p in NOTEBOOKS]
    with zipfile.ZipFile(tmp_path / "handouts.zip") as archive:
        assert len([n for n in archive.namelist() if n.endswith(".ipynb")]) == len(NOTEBOOKS)
    assert "make handouts" in (ROOT / "README.md").read_text()


def test_glossary_terms_linked_at_first_use_in_each_chapter():
    from . import glossary_links

    missing = [f"{chapter}: {term} ({use[0].name}, cell {use[1]})"
               for chapter, terms in glossary_links.unlinked().items() for term, use in terms.items()]
    assert not missing, "run `python tests/glossary_links.py --fix`:\n" + "\n".join(missing)
