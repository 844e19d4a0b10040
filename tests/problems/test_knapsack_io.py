"""Knapsack files: the public collections, Pisinger's layout, round trips, bad input, detection."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.problems import knapsack

DATA = Path(__file__).resolve().parents[1] / "data" / "knapsack"
OPTIMUM = {"knapPI_1_100_1000_1": 9147, "knapPI_2_100_1000_1": 1514, "knapPI_3_100_1000_1": 2397,
           "knapPI_3_200_1000_1": 2697}  # fmt: skip


@pytest.mark.parametrize("name", sorted(OPTIMUM))
def test_large_scale_files_read_with_their_optimal_selection(name):
    reading = knapsack.read_with_optimum(DATA / name)
    instance = reading.instance
    assert instance.name == name and instance.values.dtype == np.int64 and instance.weights.dtype == np.int64
    assert instance.n_items == int(name.split("_")[2]) and instance.shape == (instance.n_items,)
    assert reading.optimum == OPTIMUM[name]
    knapsack.check(instance, reading.solution)
    assert knapsack.evaluate(instance, reading.solution) == OPTIMUM[name]


def test_first_lines_of_a_public_file():
    instance = knapsack.read(DATA / "knapPI_1_100_1000_1")
    assert instance.capacity == 995
    assert instance.values[:3].tolist() == [94, 506, 416] and instance.weights[:3].tolist() == [485, 326, 248]


def test_low_dimensional_files_state_no_optimum():
    reading = knapsack.read_with_optimum(DATA / "f1_l-d_kp_10_269")
    assert reading.optimum is None and reading.solution is None
    assert reading.instance.capacity == 269 and reading.instance.values.tolist()[:2] == [55, 10]
    assert knapsack.read(DATA / "f4_l-d_kp_4_11").weights.tolist() == [2, 4, 6, 7]


def test_real_valued_file_is_refused_with_its_line():
    with pytest.raises(CosolveInputError) as caught:
        knapsack.read(DATA / "f5_l-d_kp_15_375")
    message = str(caught.value)
    assert "f5_l-d_kp_15_375:2:" in message and "'0.125126' is not an integer" in message
    assert "\n" not in message


def test_pisinger_file_reads_with_z_and_x():
    reading = knapsack.read_with_optimum(DATA / "knapPI_1_50_1000_1.csv")
    instance, simple = reading.instance, knapsack.read(DATA / "knapPI_1_100_1000_1")
    assert instance.name == "knapPI_1_50_1000_1" and instance.capacity == 995 and instance.n_items == 50
    assert np.array_equal(instance.values, simple.values[:50]) and np.array_equal(instance.weights, simple.weights[:50])
    assert reading.optimum == 8373
    assert reading.solution.items.tolist() == [6, 10, 12, 13, 23, 25, 30, 32, 37, 38, 48]  # ids 7, 11, ... 0-based
    assert knapsack.read(DATA / "knapPI_1_50_1000_1.csv", fmt="pisinger").fingerprint() == instance.fingerprint()


PISINGER_TWO = "a_1\nn 2\nc 5\nz 7\ntime 0.00\n1,3,4,0\n2,7,5,1\n-----\n\nb_2\nn 1\nc 1\n1,1,1,0\n-----\n"


def test_several_pisinger_instances(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text(PISINGER_TWO)
    first, second = knapsack.read_all(path)
    assert first.instance.name == "a_1" and first.optimum == 7 and first.solution.items.tolist() == [1]
    assert second.instance.name == "b_2" and second.optimum is None and second.solution is None
    with pytest.raises(CosolveInputError, match=r"two.csv:10: the file holds 2 instances .* b_2"):
        knapsack.read(path)


def test_fingerprint_ignores_the_name_and_sees_the_data():
    a = knapsack.Instance("a", np.array([3, 4]), np.array([1, 2]), 2)
    assert a.fingerprint() == knapsack.Instance("b", np.array([3, 4]), np.array([1, 2]), 2).fingerprint()
    assert a.fingerprint() != knapsack.Instance("a", np.array([3, 4]), np.array([1, 2]), 3).fingerprint()
    assert len(a.fingerprint()) == 16 and int(a.fingerprint(), 16) >= 0


PISINGER_BAD = [
    ("a\nn 2\n1,3,4,0\n2,7,5,1\n", "has no 'c' line", 1),
    ("a\nn 2\nc 5\n1,3,4,0\n3,7,5,1\n-----\n", "ids must run 1..2 in order: expected 2, found '3'", 5),
    ("a\nn 2\nc 5\nz 9\n1,3,4,0\n2,7,5,1\n-----\n", "z 9 differs from 7, the value of the x column", 4),
    ("a\nn 2\nc 5\nz 10\n1,3,4,1\n2,7,5,1\n-----\n", "the x column weighs 9, over the capacity 5", 4),
    ("a\nn 2\nc 5\n1,3,4,0\n2,7,5,2\n-----\n", "item 2: x must be 0 or 1, found '2'", 5),
    ("a\nn 3\nc 5\n1,3,4,0\n2,7,5,1\n-----\n", "expected 3 item lines 'id,value,weight,x', found 2", 6),
    ("a\nn 2\nc 5\n1,3,4,0\n2,7,5,1\n3,1,1,0\n", "expected the separator '-----' after its 2 items", 6),
    ("a\nn 2\nc 5\n1,3,4\n2,7,5,1\n-----\n", "item 1: expected 'id,value,weight,x' (4 integers), found 3", 4),
    ("a\nn two\nc 5\n", "the number of items n 'two' is not an integer", 2),
    ("a\nn 1\nc 5\nc 6\n1,1,1,0\n", "'c' is given twice", 4),
    ("a\nn 1\nc 5\ntime fast\n1,1,1,0\n", "time 'fast' is not a number", 4),
    ("a\nn 1\nc 5\n1,1,0,0\n-----\n", "item 1: the weight must be positive, got 0", 4),
]


@pytest.mark.parametrize(("text", "message", "line"), PISINGER_BAD)
def test_malformed_pisinger_files_name_file_and_line(text, message, line, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CosolveInputError) as caught:
        knapsack.read(path)
    assert message in str(caught.value) and str(caught.value).startswith(f"{path}:{line}: ")


SIMPLE_BAD = [
    ("", "file is empty", None),
    ("\n\n# only a comment\n", "file is empty", None),
    ("3\n", "expected the header 'n capacity' (2 integers), found 1 values", 1),
    ("3 10 5\n1 1\n", "found 3 values", 1),
    ("x 10\n1 1\n", "the number of items 'x' is not an integer", 1),
    ("0 10\n", "the number of items must be positive, got 0", 1),
    ("2 -5\n1 1\n1 1\n", "the capacity must be at least 0, got -5", 1),
    ("3 10\n1 2\n3 4\n", "expected 3 item lines 'value weight', found 2", 3),
    ("2 10\n1 2\n3 0\n", "item 1: the weight must be positive, got 0", 3),
    ("2 10\n1 2\n3 -4\n", "item 1: the weight must be positive, got -4", 3),
    ("2 10\n-1 2\n3 4\n", "item 0: the value must be at least 0, got -1", 2),
    ("2 10\n1 2 3\n3 4\n", "item 0: expected 'value weight' (2 integers), found 3 values", 2),
    ("2 10\n1.5 2\n3 4\n", "item 0: the value '1.5' is not an integer (cosolve reads integer knapsack data only)", 2),
    ("2 10\n1 2\n3 four\n", "item 1: the weight 'four' is not an integer", 3),
    ("1 10\n9999999999 1\n", "item 0: the value 9999999999 is too large", 2),
    ("3 10\n1 2\n3 4\n5 6\n7 8\n", "unexpected data after the 3 items", 5),
    ("2 10\n1 2\n3 4\n1 2\n", "each flag of the selection line must be 0 or 1, found '2'", 4),
    ("2 5\n1 3\n3 4\n1 1\n", "the selection line weighs 7, over the capacity 5", 4),
    ("2 10\n1 2\n3 4\n1 0\nfoo\n", "unexpected data after the selection line", 5),
]


@pytest.mark.parametrize(("text", "message", "line"), SIMPLE_BAD)
def test_malformed_simple_files_name_file_and_line(text, message, line, tmp_path):
    path = tmp_path / "bad.kp"
    path.write_text(text)
    with pytest.raises(CosolveInputError) as caught:
        knapsack.read(path)
    error = str(caught.value)
    assert message in error and "\n" not in error
    assert error.startswith(f"{path}:{line}: " if line is not None else f"{path}: ")


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(CosolveInputError, match="no such file"):
        knapsack.read(tmp_path / "absent.kp")
    (tmp_path / "a.kp").write_text("1 1\n1 1\n")
    with pytest.raises(CosolveInputError, match="unknown format 'xml'"):
        knapsack.read(tmp_path / "a.kp", fmt="xml")


def test_forced_format_and_names(tmp_path):
    path = tmp_path / "f1.kp"
    path.write_text("# a comment\r\n2 10\r\n1 2\r\n\r\n3 4\r\n")  # CRLF, comments and blank lines
    instance = knapsack.read(path, fmt="simple")
    assert instance.name == "f1" and instance.values.tolist() == [1, 3] and instance.capacity == 10
    with pytest.raises(CosolveInputError, match="expected an instance name line"):
        knapsack.read(path, fmt="pisinger")
    odd = tmp_path / "inst.v2"
    odd.write_text("1 0\n5 1\n")
    assert knapsack.read(odd).name == "inst.v2"


def _instances():
    pairs = st.lists(st.tuples(st.integers(0, 2**31 - 1), st.integers(1, 2**31 - 1)), min_size=1, max_size=25)
    return st.tuples(pairs, st.integers(0, 2**40), st.integers(0, 2**20))


@given(_instances())
def test_write_read_round_trip(data):
    pairs, capacity, seed = data
    values, weights = (np.array(column, dtype=np.int64) for column in zip(*pairs))
    instance = knapsack.Instance("round_trip", values, weights, capacity)
    mask = np.random.default_rng(seed).random(values.size) < 0.5
    while weights[mask].sum() > capacity:
        mask[np.flatnonzero(mask)[0]] = False
    optimal = knapsack.Solution.from_mask(mask)
    with tempfile.TemporaryDirectory() as folder:
        for fmt, suffix in (("simple", ".kp"), ("pisinger", ".csv")):
            path = Path(folder) / f"round_trip{suffix}"
            knapsack.write(path, instance, fmt=fmt)
            back = knapsack.read_with_optimum(path)
            assert back.instance.fingerprint() == instance.fingerprint() and back.optimum is None
            knapsack.write(path, instance, fmt=fmt, optimal=optimal)
            back = knapsack.read_with_optimum(path)
            assert back.instance.name == "round_trip"
            assert np.array_equal(back.instance.values, values) and np.array_equal(back.instance.weights, weights)
            assert back.instance.capacity == capacity and back.optimum == int(values[mask].sum())
            assert np.array_equal(back.solution.items, optimal.items)


def test_write_does_not_overwrite_unless_asked(tmp_path):
    instance = knapsack.Instance("w", np.array([1]), np.array([1]), 1)
    path = tmp_path / "w.kp"
    path.write_text("keep me")
    with pytest.raises(CosolveInputError, match="file exists"):
        knapsack.write(path, instance, overwrite=False)
    assert path.read_text() == "keep me"
    knapsack.write(path, instance)
    assert path.read_text() == "1 1\n1 1\n"


def test_sniff_accepts_knapsack_files_only():
    for path in DATA.iterdir():
        if path.suffix != ".md":
            assert knapsack.sniff(path.read_text()), path.name
    assert knapsack.sniff(PISINGER_TWO)
    job_shop = "2 2\n0 5 1 3\n1 2 0 4\n"  # JSPLIB: 2 m numbers per job line
    one_machine_job_shop = "3 1\n0 5\n0 7\n0 2\n"  # JSPLIB with m = 1: '0 time' lines
    taillard = "2 2\n5 3\n2 4\n1 2\n2 1\n"  # n lines of times, then n lines of machines
    bin_packing = "3\n10\n5\n4\n3\n"
    tsp = "NAME : x\nTYPE : TSP\nDIMENSION : 3\n"
    for text in (job_shop, one_machine_job_shop, taillard, bin_packing, tsp, "", "2 10\n1 2\n"):
        assert not knapsack.sniff(text), text
    assert knapsack.sniff("2 10\n1 2\n3 4\n") and knapsack.sniff("2 10\n1 2\n3 4\n0 1\n")
    assert not knapsack.sniff("2 10\n1 2\n3 4\n0 2\n") and not knapsack.sniff("2 10\n1 2\n3 4\n0 1\n1 1\n")
