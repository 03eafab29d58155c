"""pytest plugin (`-p tests.nbval_tolerance`, after nbval): compare printed numbers within a
tolerance stated per cell, and compare figures by the data behind them.

nbval compares a cell's text outputs exactly (after tests/sanitize.cfg) and skips images. This
plugin wraps `IPyNbCell.compare_outputs`:

* A code cell may carry the metadata
      "nbval": {"rtol": 0, "atol": 5e-4, "ignore": ["[\\d.]+ ms"], "why": "one line"}
  (all keys but "why" optional; rtol and atol default to 0; "tolerances":
  [{"match": regex, "rtol": .., "atol": ..}] gives the numbers inside a match of the regex (in the
  stored text) their own tolerance; "figure_rtol" and "figure_atol" override the tolerance for
  the cell's figures). In its text outputs (streams, text/plain and any other text MIME type),
  after the sanitizers, every match of an `ignore` regex becomes a placeholder in both the stored and the fresh text; then both are split into
  numbers and the text between them. The text between must be equal (runs of spaces and tabs are
  one space, and spaces next to a number do not count: column padding moves when a number's
  width changes); the numbers must satisfy abs(fresh - stored) <= atol + rtol * abs(stored)
  (integers too; nan equals nan; inf equals inf of the same sign; a relative 1e-9 of slack
  absorbs binary-float noise, so atol 1e-3 admits exactly one unit of a 3-decimal print).
* A cell without the metadata is compared as nbval does (exactly).
* A cell with both the `nbval-ignore-output` tag and `nbval` metadata, or with malformed
  metadata, fails.
* Figures: every image output whose metadata holds a "figure_data" digest (a JSON string, written
  by the kernel startup file tests/ipython/profile_default/startup/00_figure_data.py) is
  compared with the fresh one, in every compared cell, with the cell's figure tolerance (figure_rtol/figure_atol, else
  rtol/atol when the cell states them, else rtol=1e-6, atol=1e-9), plus one unit in the 6th
  significant figure (the digest stores values rounded to 6 significant figures). The number of
  figures must match. A stored figure without a digest (a notebook executed before this plugin)
  is not compared by data.
"""
import json
import math
import re

FIGURE_RTOL, FIGURE_ATOL = 1e-6, 1e-9
KEYS = {"rtol", "atol", "ignore", "tolerances", "why", "figure_rtol", "figure_atol"}
FLOAT_SLACK = 1e-9  # relative: "0.099" - "0.098" is 0.0010000000000000009 in binary floats
PLACEHOLDER = "\x00IGNORED\x00"

# A number: optional sign (only where it cannot be a minus between two operands), digits with an
# optional fraction and exponent, or nan/inf. Digits glued to a letter, '_' or '.' (x1, layer_2,
# 1.2.3) are text, not numbers; a full stop after a number ("accuracy 0.969.") is text.
NUMBER = re.compile(r"""
    (?:(?<![\w.)\]])[-+])?                         # sign, unless after a word, '.', ')' or ']'
    (?:
        (?<![\w.])(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)   # 12, 1.5, .5, 3.2e-08, 7.
      | (?<![\w.])(?:nan|NaN|inf|Inf|infinity)(?![\w])              # nan, inf
    )
""", re.VERBOSE)


class MetadataError(ValueError):
    pass


def cell_spec(cell):
    """The cell's tolerance metadata, checked; None when it has none."""
    spec = cell.get("metadata", {}).get("nbval")
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise MetadataError("metadata 'nbval' must be an object")
    unknown = set(spec) - KEYS
    if unknown:
        raise MetadataError(f"metadata 'nbval' has unknown keys {sorted(unknown)} (allowed: {sorted(KEYS)})")
    why = spec.get("why")
    if not isinstance(why, str) or not why.strip() or "\n" in why:
        raise MetadataError("metadata 'nbval' needs 'why': one line saying why the tolerance is honest")
    for key in ("rtol", "atol", "figure_rtol", "figure_atol"):
        if key in spec and (isinstance(spec[key], bool) or not isinstance(spec[key], (int, float))
                            or not spec[key] >= 0):
            raise MetadataError(f"metadata 'nbval'.{key} must be a number >= 0, not {spec[key]!r}")
    ignore = spec.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
        raise MetadataError("metadata 'nbval'.ignore must be a list of regexes")
    for pattern in ignore:
        try:
            re.compile(pattern)
        except re.error as error:
            raise MetadataError(f"metadata 'nbval'.ignore: bad regex {pattern!r}: {error}") from None
    tolerances = spec.get("tolerances", [])
    if not isinstance(tolerances, list):
        raise MetadataError("metadata 'nbval'.tolerances must be a list of {\"match\", \"rtol\", \"atol\"}")
    for rule in tolerances:
        if not isinstance(rule, dict) or not isinstance(rule.get("match"), str) \
                or set(rule) - {"match", "rtol", "atol"}:
            raise MetadataError(f"metadata 'nbval'.tolerances: {rule!r} is not {{\"match\": regex, \"rtol\", \"atol\"}}")
        for key in ("rtol", "atol"):
            if key in rule and (isinstance(rule[key], bool) or not isinstance(rule[key], (int, float))
                                or not rule[key] >= 0):
                raise MetadataError(f"metadata 'nbval'.tolerances: {key} must be a number >= 0")
        try:
            re.compile(rule["match"])
        except re.error as error:
            raise MetadataError(f"metadata 'nbval'.tolerances: bad regex {rule['match']!r}: {error}") from None
    if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):
        raise MetadataError("the cell has both the 'nbval-ignore-output' tag and 'nbval' metadata: "
                            "drop the tag (the metadata states what may vary) or the metadata")
    return spec


def to_float(token):
    t = token.lower().lstrip("+")
    if t in ("nan", "-nan"):
        return math.nan
    if t.lstrip("-") in ("inf", "infinity"):
        return -math.inf if t.startswith("-") else math.inf
    return float(token)


def split_numbers(text):
    """(texts, numbers): len(texts) == len(numbers) + 1, the text around the numbers."""
    texts, numbers, last = [], [], 0
    for m in NUMBER.finditer(text):
        texts.append(text[last:m.start()])
        numbers.append(m.group(0))
        last = m.end()
    texts.append(text[last:])
    return texts, numbers


def _normal_text(s, first, last):
    s = re.sub(r"[ \t]+", " ", s)
    if not first:
        s = s.lstrip(" ")
    if not last:
        s = s.rstrip(" ")
    return s


def close(a, b, rtol, atol):
    """abs(a - b) <= atol + rtol * abs(b), b the stored value; nan == nan, inf == inf."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= (atol + rtol * abs(b)) * (1 + FLOAT_SLACK)


def compare_text(stored, fresh, rtol=0.0, atol=0.0, ignore=(), tolerances=()):
    """None when the texts agree within the tolerance, else a message naming the first difference.

    `tolerances`: [{"match": regex, "rtol", "atol"}]; a number of the stored text that lies inside
    a match of a rule's regex (the first rule that matches) is compared with that rule's tolerance
    (its missing keys default to 0)."""
    for pattern in ignore:
        stored = re.sub(pattern, PLACEHOLDER, stored)
        fresh = re.sub(pattern, PLACEHOLDER, fresh)
    spans = [(m.start(), m.end(), rule) for rule in tolerances for m in re.finditer(rule["match"], stored)]
    s_texts, s_numbers = split_numbers(stored)
    f_texts, f_numbers = split_numbers(fresh)
    n = min(len(s_numbers), len(f_numbers))
    for i in range(n + 1):
        s_t = _normal_text(s_texts[i], i == 0, i == len(s_texts) - 1)
        f_t = _normal_text(f_texts[i], i == 0, i == len(f_texts) - 1)
        if s_t != f_t or (i == n and len(s_numbers) != len(f_numbers)):
            where = f"after {i} numbers" if i else "before the first number"
            return (f"text differs {where}: stored {s_texts[i][:80]!r}, fresh {f_texts[i][:80]!r}"
                    + (f" ({len(s_numbers)} numbers stored, {len(f_numbers)} fresh)"
                       if len(s_numbers) != len(f_numbers) else ""))
        if i < n:
            a, b = to_float(f_numbers[i]), to_float(s_numbers[i])
            start = sum(map(len, s_texts[:i + 1])) + sum(map(len, s_numbers[:i]))
            r_tol, a_tol = rtol, atol
            for lo, hi, rule in spans:
                if lo <= start and start + len(s_numbers[i]) <= hi:
                    r_tol, a_tol = rule.get("rtol", 0.0), rule.get("atol", 0.0)
                    break
            if not close(a, b, r_tol, a_tol):
                line = stored[:start].count("\n") + 1
                return (f"number {i + 1} (line {line}) differs: stored {s_numbers[i]}, fresh {f_numbers[i]}, "
                        f"|diff| = {abs(a - b):.3g} > atol + rtol*|stored| = {a_tol:g} + {r_tol:g}*{abs(b):.6g}")
    return None


# ---- figure digests -------------------------------------------------------------------------------

def _sixth_figure(v):
    """One unit in the 6th significant figure of v (the digest's rounding)."""
    return 10.0 ** (math.floor(math.log10(abs(v))) - 5) if v else 0.0


def _value(v):
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    return v


def compare_digest(stored, fresh, rtol=FIGURE_RTOL, atol=FIGURE_ATOL, path="figure"):
    """None when two digests agree within the tolerance, else a message naming the first difference."""
    stored, fresh = _value(stored), _value(fresh)
    if isinstance(stored, dict) and isinstance(fresh, dict):
        if set(stored) != set(fresh):
            return f"{path}: stored has {sorted(stored)}, fresh has {sorted(fresh)}"
        for key in stored:
            msg = compare_digest(stored[key], fresh[key], rtol, atol, f"{path}.{key}")
            if msg:
                return msg
        return None
    if isinstance(stored, list) and isinstance(fresh, list):
        if len(stored) != len(fresh):
            return f"{path}: {len(stored)} entries stored, {len(fresh)} fresh"
        for i, (s, f) in enumerate(zip(stored, fresh)):
            msg = compare_digest(s, f, rtol, atol, f"{path}[{i}]")
            if msg:
                return msg
        return None
    numeric = (int, float)
    if isinstance(stored, numeric) and isinstance(fresh, numeric) \
            and not isinstance(stored, bool) and not isinstance(fresh, bool):
        a, b = float(fresh), float(stored)
        slack = max(_sixth_figure(a), _sixth_figure(b)) if math.isfinite(a) and math.isfinite(b) else 0.0
        if not close(a, b, rtol, atol + slack):
            return (f"{path}: stored {stored}, fresh {fresh}, |diff| = {abs(a - b):.3g} > "
                    f"atol + rtol*|stored| = {atol:g} + {rtol:g}*{abs(b):.6g} (+ {slack:.1g} digest rounding)")
        return None
    if stored != fresh:
        return f"{path}: stored {stored!r}, fresh {fresh!r}"
    return None


def figure_digests(outputs):
    """The figure_data digest (or None where missing) of every image output, in order."""
    found = []
    for out in outputs:
        data = out.get("data", {})
        if "image/png" in data or "image/svg+xml" in data or "image/jpeg" in data:
            digest = out.get("metadata", {}).get("figure_data")
            found.append(json.loads(digest) if isinstance(digest, str) else digest)
    return found


def compare_figures(test, ref, spec):
    spec = spec or {}
    rtol = spec.get("figure_rtol", spec.get("rtol", FIGURE_RTOL))
    atol = spec.get("figure_atol", spec.get("atol", FIGURE_ATOL))
    stored, fresh = figure_digests(ref), figure_digests(test)
    if len(stored) != len(fresh):
        return f"{len(stored)} figures stored, {len(fresh)} fresh"
    for i, (s, f) in enumerate(zip(stored, fresh)):
        if s is None:
            continue
        if f is None:
            return (f"figure {i + 1}: the stored output has figure data, the fresh one none "
                    "(is IPYTHONDIR=tests/ipython set, as the Makefile does?)")
        msg = compare_digest(s, f, rtol, atol, f"figure {i + 1}")
        if msg:
            return msg
    return None


# ---- the nbval hook ---------------------------------------------------------------------------

def _flatten(item, outputs):
    """nbval's view of outputs: {key: [values]}, streams keyed by name, data flattened."""
    from nbval.plugin import transform_streams_for_comparison

    skip = item.parent.skip_compare
    flat = {}
    for out in transform_streams_for_comparison(outputs):
        for key, value in out.items():
            if key in skip:
                continue
            if key == "data":
                for mime, v in value.items():
                    if mime not in skip:
                        flat.setdefault(mime, []).append(item.sanitize(v))
            else:
                flat.setdefault(key, []).append(item.sanitize(value))
    return flat


def compare_with_tolerance(item, test, ref, spec):
    """Every text output within the cell's tolerance; the same keys and counts as nbval demands."""
    fresh, stored = _flatten(item, test), _flatten(item, ref)
    if set(stored) != set(fresh):
        return f"output fields differ: stored {sorted(stored)}, fresh {sorted(fresh)}"
    rtol, atol, ignore = spec.get("rtol", 0.0), spec.get("atol", 0.0), spec.get("ignore", [])
    tolerances = spec.get("tolerances", [])
    for key in stored:
        if len(stored[key]) != len(fresh[key]):
            return f"{len(stored[key])} outputs of '{key}' stored, {len(fresh[key])} fresh"
        for s, f in zip(stored[key], fresh[key]):
            if isinstance(s, str) and isinstance(f, str):
                msg = compare_text(s, f, rtol, atol, ignore, tolerances)
                if msg:
                    return f"'{key}': {msg}"
            elif s != f:
                return f"'{key}': stored {s!r}, fresh {f!r}"
    return None


def _install():
    from nbval.plugin import IPyNbCell

    if getattr(IPyNbCell.compare_outputs, "tolerance_wrapped", False):
        return
    original_compare, original_runtest = IPyNbCell.compare_outputs, IPyNbCell.runtest

    def compare_outputs(self, test, ref, skip_compare=None):
        try:
            spec = cell_spec(self.cell)
        except MetadataError as error:
            self.comparison_traceback = [f"bad nbval metadata: {error}"]
            return False
        if spec is None:
            if not original_compare(self, test, ref, skip_compare):
                return False
        else:
            self.comparison_traceback = []
            msg = compare_with_tolerance(self, test, ref, spec)
            if msg:
                self.comparison_traceback.append(f"within the cell's tolerance ({spec['why']}): {msg}")
                return False
        msg = compare_figures(test, ref, spec)
        if msg:
            self.comparison_traceback = getattr(self, "comparison_traceback", [])
            self.comparison_traceback.append(f"figure data differ: {msg}")
            return False
        return True

    def runtest(self):
        try:
            cell_spec(self.cell)
            problem = None
        except MetadataError as error:
            problem = str(error)
        original_runtest(self)  # run the cell anyway: the cells after it need its state
        if problem:
            self.raise_cell_error(f"bad nbval metadata: {problem}")

    compare_outputs.tolerance_wrapped = True
    IPyNbCell.compare_outputs = compare_outputs
    IPyNbCell.runtest = runtest


def pytest_configure(config):
    try:
        _install()
    except ImportError:  # nbval not installed: nothing to wrap
        pass
