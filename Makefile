# Two commands matter: `make book` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Tests and stored outputs are produced under the same conditions: one thread per kernel
# (two notebooks run side by side on a 2-core machine) and no network (tests/offline); the kernels
# load tests/ipython/profile_default/startup, which stores the data behind each figure for the tests.
# glibc's malloc serves blocks above its mmap threshold (128 kB at first, rising with each such
# block freed, to at most 32 MiB) from fresh mappings and returns them to the kernel when freed: a
# training loop pays page faults (system time) for its activations at every step. The two MALLOC_
# settings (honoured by Debian 12's glibc 2.36, checked with a 50 MB block) keep such blocks in the
# process; they change no result, only when memory goes back to the OS. Four heavy notebooks, run
# side by side with and without them: 3 % less kernel CPU (user + system, 222 s against 230 s).
NB_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=$(CURDIR)/tests/offline PYTHONHASHSEED=0 MPLBACKEND=module://matplotlib_inline.backend_inline IPYTHONDIR=$(CURDIR)/tests/ipython \
  MALLOC_MMAP_THRESHOLD_=100000000 MALLOC_TRIM_THRESHOLD_=1000000000
# Where the system allows it (root, as in CI), notebooks run in a network namespace with no route out.
OFFLINE := $(CURDIR)/tests/offline/run-offline
NB     ?= $(shell find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: book test test-notebooks test-repo lab execute serve clean venv seeds spread offline handouts colab newest mutants

venv: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed (the pinned numpy and scipy require it)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	# jupyter-events pulls in rfc3987-syntax, which jsonschema imports when present and which builds
	# a Lark grammar at import: 2.5-3 s of CPU in every process that imports nbformat (the test
	# runner, each nbval worker, the book build, the fault runner). Nothing here validates IRIs.
	$(BIN)/python -m pip uninstall --quiet -y rfc3987-syntax lark
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The website is in _build/html: open file://$(CURDIR)/_build/html/index.html (or run 'make serve')."

# The repository's tests run beside the notebooks (three processes on two cores): the notebooks'
# budgets are on their kernels' CPU time, which sharing the machine does not change. Each part's
# output is printed when it finishes.
test: $(STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=recurse test-repo test-notebooks

# Structure, offline guard and the website (which builds the book with -W).
test-repo: $(STAMP)
	$(BIN)/python -m pytest tests -q

# nbval, strict, two notebooks at a time, with the timing report at the end. tests/nbval_tolerance.py
# compares a cell within the tolerance its "nbval" metadata states, and figures by their data (the
# digest the kernel startup file in tests/ipython stores in each image output).
test-notebooks: $(STAMP)
	$(NB_ENV) $(OFFLINE) $(BIN)/python -m pytest -q -p tests.nbtiming -p tests.nbval_tolerance --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=300 \
	  -n 2 --dist loadscope $(NB)

# Plant small faults in each notebook's math (sign, scale, transpose, sqrt, axis, nonlinearity);
# its own asserts must catch at least 90% of those that run (tests/mutants.py; equivalent faults
# are listed, with reasons, in tests/mutants_equivalent.txt). The setup check has no math: it only
# runs once, clean. Every seed is shifted by +1 first (MUTANT_SEED_OFFSET), so the clean run of
# each notebook, which must hold every assert, is also `make seeds`' first shift.
# Notebooks still below the bar are listed, with their score and survivors, in
# tests/mutants_pending.txt; CI holds every other notebook to 90 %.
MUTANT_PENDING := $(shell sed -e 's/\#.*//' tests/mutants_pending.txt)
MUTANT_NB ?= $(filter-out $(MUTANT_PENDING),$(NB))
MUTANT_SEED_OFFSET ?= 1
mutants: $(STAMP)
	$(NB_ENV) MPLBACKEND=Agg $(OFFLINE) $(BIN)/python tests/mutants.py --per-notebook 12 --jobs 2 --min 0.9 \
	  --seed-offset $(MUTANT_SEED_OFFSET) $(MUTANT_NB)

# The site and the notebooks in one archive that works from file:// with no network.
offline: book
	$(BIN)/python tests/pack_offline.py _build/html notebooks _build/course-offline.zip

# Learner copies: plain Markdown, solutions removed, a check after each exercise (and a .zip).
handouts: $(STAMP)
	$(BIN)/python tests/handouts.py handouts _build/handouts

# Refresh book/colab, the plain-Markdown copies the Colab buttons open (commit them; tests check).
colab: $(STAMP)
	$(BIN)/python tests/handouts.py colab

# Every notebook again with its seeds shifted by +1 and +2: every assert must still hold.
seeds: $(STAMP)
	$(NB_ENV) $(OFFLINE) $(BIN)/python tests/seeds.py --jobs 2 $(NB)

# The values each assert compared at seeds +0, +1 and +2 (NB=path/to.ipynb), to state next to it.
spread: $(STAMP)
	for nb in $(NB); do $(NB_ENV) $(OFFLINE) $(BIN)/python tests/spread.py "$$nb" || exit 1; done

# Every notebook in a kernel of .venv-newest: the newest releases of what the notebooks import,
# unpinned, as on Colab (which never reads requirements.txt). Outputs are not compared; every
# assert must hold. Its seeds are shifted by +2 (NEWEST_SEED_OFFSET): with `make mutants` at +1,
# CI covers both of `make seeds`' shifts without two more runs. A pip constraint on this machine
# (/etc/xdg/pip) caps torch; the versions that ran are printed first. CI keeps this environment
# between runs (NEWEST=~/.cache/...: creating it installs about 7 GB), and upgrades it each time.
NEWEST ?= .venv-newest
NEWEST_SEED_OFFSET ?= 2
newest:
	@test -x $(NEWEST)/bin/python || $(PYTHON) -m venv $(NEWEST)
	$(NEWEST)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -r requirements-newest.txt
	sed -e 's/#.*//' -e 's/[=<>!~;].*//' -e '/^ *$$/d' requirements-nodeps.txt \
	  | $(NEWEST)/bin/python -m pip install --quiet --upgrade --no-deps -r /dev/stdin
	$(NEWEST)/bin/python -m pip uninstall --quiet -y rfc3987-syntax lark   # as in .venv: 3 s per process
	@$(NEWEST)/bin/python -c 'import platform, importlib.metadata as m; \
	  names = [l.split("#")[0].strip() for f in ("requirements-newest.txt", "requirements-nodeps.txt") for l in open(f)]; \
	  names = [n.split("=")[0] for n in names if n]; \
	  print("Python", platform.python_version() + ":", ", ".join(f"{n} {m.version(n)}" for n in names))'
	$(NB_ENV) $(OFFLINE) $(NEWEST)/bin/python tests/seeds.py --offsets $(NEWEST_SEED_OFFSET) --jobs 2 $(NB)

# Re-execute notebooks in place (all, or NB=path/to.ipynb) to refresh their stored outputs.
execute: $(STAMP)
	for nb in $(NB); do \
	  echo "executing $$nb"; \
	  $(NB_ENV) $(OFFLINE) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.record_timing=False \
	    --ExecutePreprocessor.kernel_name=python3 "$$nb" || exit 1; \
	  $(BIN)/python tests/normalize.py "$$nb" || exit 1; \
	done
	$(BIN)/python tests/handouts.py colab

# JupyterLab with jupyterlab-myst (renders the notebooks' MyST markup) and RISE (slides).
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

serve: book
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build
