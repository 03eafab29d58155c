"""`make offline`: the website and the notebooks in one archive that works from file:// with no network.

The archive holds `course/index.html` (a redirect to the preface), the built site in
`course/site/` and the notebooks in `course/notebooks/`. MathJax is bundled with the site
(sphinx-mathjax-offline), search reads `searchindex.js` through a script tag, and every link is
relative, so a learner unpacks it and opens `course/index.html` in a browser, on a train.

    python tests/pack_offline.py SITE_DIR NOTEBOOKS_DIR ARCHIVE.zip
"""
import pathlib
import sys
import zipfile

INDEX = """<!DOCTYPE html>
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url=site/index.html">
<title>Large AI models, from formulas to working code</title>
<p><a href="site/index.html">Open the course</a> (the notebooks are in the folder <code>notebooks</code>).</p>
"""


def pack(site, notebooks, archive):
    site, notebooks, archive = pathlib.Path(site), pathlib.Path(notebooks), pathlib.Path(archive)
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("course/index.html", INDEX)
        for path in sorted(site.rglob("*")):
            if path.is_file():
                zf.write(path, "course/site/" + path.relative_to(site).as_posix())
        for path in sorted(notebooks.rglob("*.ipynb")):
            if ".ipynb_checkpoints" not in path.parts:
                zf.write(path, "course/notebooks/" + path.relative_to(notebooks).as_posix())
    return archive


if __name__ == "__main__":
    out = pack(*sys.argv[1:4])
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB; unpack it and open course/index.html")
