"""Issue 17, bad input never crashes: a short fuzz run of every reader (the long run is
``benchmarks/fuzz_readers.py``). Each seed file, mutated (``fuzz_inputs``), is either refused with
a one-line input error naming the file, or read into instances that a fast method solves with a
checked, finite, JSON-clean answer."""

from __future__ import annotations

import pytest
from fuzz_inputs import SEED_NAMES, cases, check_case, count_variants, plain_case, seed_named
from hypothesis import given, settings
from hypothesis import strategies as st

EXAMPLES_PER_SEED = 40
"""17 seeds x 40 cases: 5 to 11 s on a 2-core CPU."""


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_file_reads_and_solves(name):
    """The seeds themselves are valid: a mutation that is refused was refused for the mutation."""
    outcome = check_case(plain_case(seed_named(name)))
    assert (outcome.kind, outcome.error) == ("accepted", None)
    assert outcome.solved == outcome.instances >= 1


@pytest.mark.parametrize("name", SEED_NAMES)
def test_huge_or_degenerate_counts_are_refused_or_solved(name):
    """The nastiest headers: each of a file's first numbers set to 2**31 - 1, 10**9, 0 and -1."""
    crashes = [(case.describe(), check_case(case)) for case in count_variants(seed_named(name))]
    assert [(made, outcome.signature, outcome.error) for made, outcome in crashes if outcome.kind == "crash"] == []


@pytest.mark.parametrize("name", SEED_NAMES)
@settings(max_examples=EXAMPLES_PER_SEED, derandomize=True, deadline=None, database=None)
@given(data=st.data())
def test_mutated_file_is_refused_or_solved(name, data):
    case = data.draw(cases(seed_named(name)), label="case")
    outcome = check_case(case)
    assert outcome.kind != "crash", f"{case.describe()}: {outcome.signature}: {outcome.error}\n{case.data[:400]!r}"
