"""Store a digest of the data behind every matplotlib figure in its output's metadata.

Loaded by the kernels of `make execute` and `make test-notebooks` (IPYTHONDIR=tests/ipython), never
by a learner's Colab or Jupyter: the notebooks do not depend on it. tests/nbval_tolerance.py
compares the digests of the stored and the fresh image outputs, so a figure is tested by its data
(the PNG itself is not compared, and this file leaves it unchanged).

How: the shell's display formatter is wrapped, so every display of a Figure (plt.show(), the inline
backend's flush at the end of a cell, display(fig), a cell ending in `fig`) gets the metadata
{"figure_data": digest}, the digest a compact JSON string (one line in the
.ipynb file, so a re-run's diff stays readable). Nothing here imports matplotlib: a notebook that never imports it pays
one dict lookup per display.

Digest (version 1): {"v": 1, "axes": [per axes, in fig.axes order]}; per axes, only the keys
that have content: "lines": [{"x": A, "y": A}], "collections": [{"type", "offsets": A, "array": A,
"paths": A}], "bars": {"x": A, "y": A, "width": A, "height": A} (the Rectangle patches: bar, hist),
"patches": [{"type", "xy": A}] (other patches, by their vertices), "images": [A].
An array A of at most 64 values is a nested list rounded to 6 significant figures; a larger one
is {"shape", "mean", "std", "min", "max", "sample"} with a 32-point evenly spaced subsample of
the flattened values (also rounded). Non-finite values are the strings "nan", "inf", "-inf".
"""
import json
import math
import sys

SMALL = 64
SAMPLE = 32


def _r(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return 0.0
    return float(f"{v:.6g}")


def _array(a):
    import numpy as np

    try:
        if np.ma.isMaskedArray(a):
            a = np.ma.asarray(a, dtype=float).filled(np.nan)
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError):  # categorical or date data: keep a short text form
        a = np.asarray(a, dtype=object).ravel()
        return {"shape": [len(a)], "text": [str(v) for v in a[:SMALL]]}
    if a.size <= SMALL:
        return np.vectorize(_r, otypes=[object])(a).tolist() if a.size else []
    flat = a.ravel()
    finite = flat[np.isfinite(flat)]
    stats = {k: _r(f(finite)) if finite.size else "nan"
             for k, f in (("mean", np.mean), ("std", np.std), ("min", np.min), ("max", np.max))}
    idx = np.linspace(0, flat.size - 1, SAMPLE).round().astype(int)
    return {"shape": list(a.shape), **stats, "sample": [_r(v) for v in flat[idx]]}


def figure_digest(fig):
    from matplotlib.collections import PathCollection
    from matplotlib.image import AxesImage
    from matplotlib.patches import Rectangle

    axes = []
    for ax in fig.axes:
        d = {}
        lines = [{"x": _array(ln.get_xdata()), "y": _array(ln.get_ydata())} for ln in ax.lines]
        if lines:
            d["lines"] = lines
        colls = []
        for c in ax.collections:
            e = {"type": type(c).__name__, "offsets": _array(c.get_offsets())}
            arr = c.get_array()
            if arr is not None:
                e["array"] = _array(arr)
            if not isinstance(c, PathCollection):  # fill_between, LineCollection: the data is the paths
                paths = [p.vertices for p in c.get_paths()]
                if paths:
                    import numpy as np
                    e["paths"] = _array(np.concatenate(paths))
            colls.append(e)
        if colls:
            d["collections"] = colls
        rects = [p for p in ax.patches if isinstance(p, Rectangle)]
        if rects:
            d["bars"] = {"x": _array([p.get_x() for p in rects]), "y": _array([p.get_y() for p in rects]),
                         "width": _array([p.get_width() for p in rects]),
                         "height": _array([p.get_height() for p in rects])}
        others = [{"type": type(p).__name__, "xy": _array(p.get_path().vertices)}
                  for p in ax.patches if not isinstance(p, Rectangle)]
        if others:
            d["patches"] = others
        images = [_array(im.get_array()) for im in ax.images if isinstance(im, AxesImage)]
        if images:
            d["images"] = images
        axes.append(d)
    return {"v": 1, "axes": axes}


def _install(ip):
    formatter = ip.display_formatter
    original = formatter.format

    def format(obj, include=None, exclude=None):
        data, md = original(obj, include=include, exclude=exclude)
        figure_module = sys.modules.get("matplotlib.figure")  # loaded only if the notebook uses it
        if figure_module is not None and isinstance(obj, figure_module.Figure) \
                and ("image/png" in data or "image/svg+xml" in data):
            try:
                digest = figure_digest(obj)
            except Exception as error:  # never break a notebook over its test data
                digest = {"v": 1, "error": f"{type(error).__name__}: {error}"}
            md = dict(md or {})
            md["figure_data"] = json.dumps(digest, separators=(",", ":"), sort_keys=True)
        return data, md

    format.figure_data_wrapped = True
    if not getattr(formatter.format, "figure_data_wrapped", False):
        formatter.format = format


try:
    _ip = get_ipython()  # noqa: F821 (defined in IPython startup files)
except NameError:
    _ip = None
if _ip is not None:
    _install(_ip)
del _ip
