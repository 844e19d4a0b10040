"""Bin packing files: BPPLIB and OR-Library layouts, decimal scaling, round trips, bad input, detection."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.instances import path_of, reference
from cosolve.problems import binpacking
from cosolve.registry import detect_problem

DATA = Path(__file__).resolve().parents[1] / "data" / "binpacking"


def test_shipped_bpplib_file_with_crlf_line_endings():
    path = path_of("binpacking", "Falkenauer_u120_00")
    assert b"\r\n" in path.read_bytes()
    instance = binpacking.read(path)
    assert instance.name == "Falkenauer_u120_00" and instance.capacity == 150 and instance.scale == 1
    assert instance.n_items == 120 and instance.weights.dtype == np.int64 and instance.shape == (120,)
    assert instance.weights[:3].tolist() == [98, 98, 98] and int(instance.weights.min()) >= 20
    assert reference("binpacking", instance).best_known == 48


def test_orlib_file_reads_every_problem_with_its_best_known():
    readings = binpacking.read_all(DATA / "binpack1_sample.txt")
    assert [r.instance.name for r in readings] == ["u120_00", "u120_01"]
    assert [r.best_known for r in readings] == [48, 49] and [r.line for r in readings] == [2, 124]
    shipped = binpacking.read(path_of("binpacking", "Falkenauer_u120_01"))
    assert readings[1].instance.fingerprint() == shipped.fingerprint()


def test_decimal_triplets_are_scaled_by_ten_to_the_bpplib_data():
    readings = binpacking.read_all(DATA / "binpack5_sample.txt", fmt="orlib")
    instance = readings[0].instance
    assert instance.scale == 10 and instance.capacity == 1000 and instance.weights[0] == 495
    assert readings[0].best_known == 20 and instance.total_weight == 20 * 1000
    bpplib = binpacking.read(path_of("binpacking", "Falkenauer_t60_00"))
    assert instance.fingerprint() == bpplib.fingerprint()  # so the shipped best known applies
    assert reference("binpacking", instance).best_known == 20


def test_a_multi_instance_file_is_refused_by_read_naming_index():
    with pytest.raises(CosolveInputError) as caught:
        binpacking.read(DATA / "binpack1_sample.txt")
    message = str(caught.value)
    assert "binpack1_sample.txt:124:" in message and "holds 2 instances" in message and "--index" in message


def _error(tmp_path: Path, text: str, fmt: str = "auto") -> str:
    path = tmp_path / "bad.txt"
    path.write_bytes(text.encode())
    with pytest.raises(CosolveInputError) as caught:
        binpacking.read_all(path, fmt)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message
    return message


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        ("", "", "file is empty"),
        ("3\n10\n4\n5\n", ":4:", "expected 3 weight lines, found 2"),
        ("2\n10\n4\n5\n6\n", ":5:", "unexpected data after the 2 weights"),
        ("2\r\n10\r\n4\r\nfour\r\n", ":4:", "item 1: the weight 'four' is not a number"),
        ("2\n10\n4\n0\n", ":4:", "item 1: the weight must be positive, got 0"),
        ("2\n10\n-3\n4\n", ":3:", "item 0: the weight must be positive, got -3"),
        ("2\n10\n4\n11\n", ":4:", "item 1: the weight 11 is larger than the capacity 10"),
        ("2\n0\n4\n5\n", ":2:", "the capacity must be positive"),
        ("2.5\n10\n4\n5\n", ":1:", "the number of items '2.5' is not an integer"),
        ("2\n10\n4 5\n", ":3:", "expected the weight of item 0 (one number), found 2 values"),
        ("2\n10\n4\n0.1234567\n", ":4:", "7 digits after the decimal point"),
        ("1\n name\n10 3 2\n4\n5\n", ":5:", "expected 3 weights, found 2"),
        ("2\n a\n10 2 1\n4\n5\n b\n10 2 1\n4\n", ":8:", "problem b: expected 2 weights, found 1"),
        ("2\n a\n10 2 1\n4\n b\n10 1 1\n4\n", ":5:", "problem a: expected 2 weights, found 1"),
        ("1\n a\n10 2\n4\n5\n", ":3:", "expected 'capacity n best_known' (3 numbers), found 2"),
        ("1\n a\n10 2 1\n4\n5\n6\n", ":6:", "unexpected data after the 1 problems"),
        ("3\n a\n10 1 1\n4\n", ":4:", "announces 3 problems on line 1, found 1"),
    ],
)
def test_malformed_files_name_the_file_line_and_problem(tmp_path, text, where, fragment):
    message = _error(tmp_path, text)
    assert where in message and fragment in message, message


def test_unknown_format(tmp_path):
    assert "unknown format 'csv'" in _error(tmp_path, "1\n10\n4\n", fmt="csv")


@st.composite
def instances(draw):
    capacity = draw(st.integers(1, 10**6))
    n = draw(st.integers(1, 30))
    weights = draw(st.lists(st.integers(1, capacity), min_size=n, max_size=n))
    return binpacking.Instance("rt", np.asarray(weights, dtype=np.int64), capacity)


@given(instances(), st.sampled_from(["bpplib", "orlib"]))
def test_write_then_read_gives_the_same_instance(instance, fmt):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rt.bpp"
        binpacking.write(path, instance, fmt)
        back = binpacking.read(path)
    assert back.capacity == instance.capacity and np.array_equal(back.weights, instance.weights)
    assert back.name == "rt" and back.scale == 1


@given(st.lists(instances(), min_size=1, max_size=4))
def test_write_all_then_read_all(batch):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "many.txt"
        binpacking.write_all(path, batch)
        readings = binpacking.read_all(path)
    assert len(readings) == len(batch)
    for reading, instance in zip(readings, batch):
        assert np.array_equal(reading.instance.weights, instance.weights)
        assert reading.best_known >= binpacking.l2(instance.weights, instance.capacity)  # FFD's bins by default


@given(st.lists(st.integers(1, 999), min_size=1, max_size=20), st.integers(1, 3))
def test_decimal_weights_scale_to_the_smallest_power_of_ten(tenths, digits):
    capacity = 1000
    text = f"{len(tenths)}\n{capacity / 10**digits:.{digits}f}\n" + "".join(
        f"{w / 10**digits:.{digits}f}\n" for w in tenths
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.txt"
        path.write_text(text)
        instance = binpacking.read(path)
    smallest = max(len(f"{w / 10**digits:.{digits}f}".rstrip("0").split(".")[1]) for w in [capacity, *tenths])
    assert instance.scale == 10**smallest
    assert instance.weights.tolist() == [w * 10**smallest // 10**digits for w in tenths]


def test_existing_file_is_kept_without_overwrite(tmp_path):
    path = tmp_path / "a.bpp"
    path.write_text("keep")
    with pytest.raises(CosolveInputError, match="file exists"):
        binpacking.write(path, binpacking.generate("u10", 1, 0)[0], overwrite=False)
    assert path.read_text() == "keep"


def test_detection_tells_bin_packing_from_knapsack_and_job_shop(tmp_path):
    """Regression guard: all three use plain numeric ``.txt`` files."""
    files = {
        "knapsack": "3 10\n5 4\n4 3\n3 2\n",  # n capacity / value weight
        "knapsack_one_column_capacity": "2 1\n5 1\n4 1\n",
        "jssp": "2 2\n0 3 1 2\n1 4 0 1\n",  # JSPLIB
        "jssp_taillard": "2 1\n5\n3\n0\n1\n",  # Taillard: n m, times then machines
        "bpplib": "3\n10\n4\n5\n6\n",
        "bpplib_crlf": "2\r\n100.0\r\n20.2\r\n30.5\r\n",
        "orlib": " 1\n u3\n 10 3 2\n 4\n 5\n 6\n",
    }
    expected = {"knapsack": "knapsack", "knapsack_one_column_capacity": "knapsack", "jssp": "jssp",
                "jssp_taillard": "jssp", "bpplib": "binpacking", "bpplib_crlf": "binpacking",
                "orlib": "binpacking"}  # fmt: skip
    for name, text in files.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(text.encode())
        assert detect_problem(path) == expected[name], name
    shipped_knapsack = path_of("knapsack", "knapPI_1_100_1000_1")
    assert not binpacking.sniff(shipped_knapsack.read_text())
    assert not binpacking.sniff(path_of("jssp", "ft06").read_text())
    assert detect_problem(path_of("binpacking", "HARD0")) == "binpacking"  # by suffix


def test_sniff_accepts_every_shipped_file_and_rejects_a_count_mismatch():
    for name in ("Falkenauer_t60_00", "Hard28_BPP13", "HARD0", "N1C1W1_A", "N1W1B1R0"):
        assert binpacking.sniff(path_of("binpacking", name).read_text())
    assert binpacking.sniff((DATA / "binpack5_sample.txt").read_text())
    assert not binpacking.sniff("3\n10\n4\n5\n")
    assert not binpacking.sniff("")
