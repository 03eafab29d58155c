# Two commands matter: `make book` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Tests and stored outputs are produced under the same conditions: one thread per kernel
# (two notebooks run side by side on a 2-core machine) and no network (tests/offline).
NB_ENV := OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONPATH=$(CURDIR)/tests/offline PYTHONHASHSEED=0 MPLBACKEND=module://matplotlib_inline.backend_inline
# Where the system allows it (root, as in CI), notebooks run in a network namespace with no route out.
OFFLINE := $(CURDIR)/tests/offline/run-offline
NB     ?= $(shell find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: book test test-notebooks test-repo lab execute serve clean venv seeds offline handouts colab

venv: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed (the pinned numpy and scipy require it)"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The website is in _build/html: open file://$(CURDIR)/_build/html/index.html (or run 'make serve')."

test: test-repo test-notebooks

# Structure, offline guard and the website (which builds the book with -W).
test-repo: $(STAMP)
	$(BIN)/python -m pytest tests -q

# nbval, strict, two notebooks at a time, with the timing report at the end.
test-notebooks: $(STAMP)
	$(NB_ENV) $(OFFLINE) $(BIN)/python -m pytest -q -p tests.nbtiming --nbval --nbval-current-env \
	  --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=300 \
	  -n 2 --dist loadscope $(NB)

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
