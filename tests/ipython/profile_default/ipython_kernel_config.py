# Kernels started by `make execute` / `make test-notebooks` (IPYTHONDIR=tests/ipython): keep the
# input history in memory, so no history.sqlite is written here and parallel kernels share no file.
c.HistoryManager.enabled = False  # noqa: F821 (c is defined by IPython's config loader)
