"""What nbval compares (tests/compared.py): most printed numbers, every figure by its data, and
no bare `True` printed after an assert."""
import pytest

from .compared import count
from .conftest import ROOT, notebook_paths

MIN_TOTAL = 0.90  # issue 17: at least 90 % of the decimal numbers the notebooks print are compared


@pytest.fixture(scope="module")
def counts():
    return {str(p): count(ROOT / p) for p in notebook_paths()}


def test_most_printed_numbers_are_compared(counts):
    numbers = sum(c["numbers"] for c in counts.values())
    compared = sum(c["compared"] for c in counts.values())
    assert compared / numbers >= MIN_TOTAL, f"{compared}/{numbers} printed numbers compared"


@pytest.mark.parametrize("path", [str(p) for p in notebook_paths()])
def test_no_bare_true_is_compared(counts, path):
    assert counts[path]["true_lines"] == 0, "a printed True after an assert tests nothing"


@pytest.mark.parametrize("path", [str(p) for p in notebook_paths()])
def test_every_compared_figure_carries_its_data(counts, path):
    c = counts[path]
    assert c["digests"] == c["figures"], "a figure has no data digest: re-run it with `make execute`"
