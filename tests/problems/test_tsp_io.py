"""TSPLIB reading and writing: the files' rounding conventions, explicit matrices, bad input."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import vrplib
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.instances import index, path_of
from cosolve.problems import tsp
from cosolve.problems.tsplib_weights import coordinate_weights, explicit_weights

DATA = Path(__file__).resolve().parents[1] / "data" / "tsp"


@pytest.mark.parametrize("name", ["eil51", "kroA100"])
def test_optimal_tours_have_the_published_length(name):
    instance = tsp.read(path_of("tsp", name))
    tour = tsp.read_tour(DATA / f"{name}.opt.tour", instance.n_nodes)
    tsp.check(instance, tour)
    assert tsp.evaluate(instance, tour) == index("tsp")[name]["best_known"]


def test_coordinates_agree_with_vrplib_and_distances_are_nint_rounded():
    path = path_of("tsp", "kroA100")
    ours = tsp.read(path)
    theirs = vrplib.read_instance(str(path))
    assert np.array_equal(ours.coords, theirs["node_coord"])
    assert np.array_equal(ours.distances, np.floor(theirs["edge_weight"] + 0.5))


def test_every_shipped_instance_reads_with_its_index_entry():
    for name, entry in index("tsp").items():
        instance = tsp.read(path_of("tsp", name))
        assert instance.n_nodes == entry["nodes"] and instance.fingerprint() == entry["fingerprint"]


def test_geo_distance_matches_tsplib_burma14():
    coords = np.array([[16.47, 96.10], [16.47, 94.44], [20.09, 92.54]])
    weights = coordinate_weights(coords, "GEO")
    assert weights[0, 1] == 153 and weights[0, 2] == 510 and weights[1, 2] == 422  # burma14's matrix


def test_att_and_ceil_round_up():
    coords = np.array([[0.0, 0.0], [3.0, 4.0], [10.0, 0.0], [1.0, 1.0]])
    ceil = coordinate_weights(coords, "CEIL_2D")
    assert ceil[0, 1] == 5 and ceil[0, 3] == 2
    att = coordinate_weights(coords, "ATT")
    # sqrt((9 + 16) / 10) = 1.58 -> nint 2 >= r, kept; sqrt(100 / 10) = 3.16 -> nint 3 < r -> 4.
    assert att[0, 1] == 2 and att[0, 2] == 4


@pytest.mark.parametrize(
    ("fmt", "numbers"),
    [
        ("FULL_MATRIX", [0, 1, 2, 1, 0, 3, 2, 3, 0]),
        ("UPPER_ROW", [1, 2, 3]),
        ("LOWER_ROW", [1, 2, 3]),
        ("UPPER_DIAG_ROW", [0, 1, 2, 0, 3, 0]),
        ("LOWER_DIAG_ROW", [0, 1, 0, 2, 3, 0]),
    ],
)
def test_explicit_formats_give_the_same_matrix(fmt, numbers, tmp_path):
    expected = np.array([[0, 1, 2], [1, 0, 3], [2, 3, 0]], dtype=float)
    assert np.array_equal(explicit_weights(np.array(numbers), 3, fmt), expected)
    path = tmp_path / "t.tsp"
    body = " ".join(map(str, numbers))
    path.write_text(
        f"NAME: t\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: {fmt}\n"
        f"EDGE_WEIGHT_SECTION\n{body}\nEOF\n"
    )
    instance = tsp.read(path)
    assert np.array_equal(instance.distances, expected) and instance.coords is None
    assert tsp.evaluate(instance, tsp.Solution(np.array([0, 1, 2]))) == 6


HEADER = "NAME : bad\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "empty", None),
        (HEADER + "1 0 0\n2 3 4\n3 x 1\nEOF\n", "'x' is not a number", 8),
        (HEADER + "1 0 0\n2 3 4\nEOF\n", "has 2 rows, DIMENSION is 3", 5),
        (HEADER + "1 0 0\n3 3 4\n2 1 1\nEOF\n", "ids must run 1..3", 7),
        (HEADER + "1 0 0\n2 3\n3 1 1\nEOF\n", "needs an id and 2 values", 7),
        (HEADER.replace("DIMENSION : 3\n", ""), "missing the DIMENSION", None),
        (HEADER.replace("DIMENSION : 3", "DIMENSION : three"), "not a number", 3),
        (HEADER.replace("EUC_2D", "XRAY1"), "XRAY1 is not supported", 4),
        (HEADER.replace("TYPE : TSP", "TYPE : ATSP"), "not a symmetric TSP", 2),
        (
            "NAME: t\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: UPPER_ROW\n"
            "EDGE_WEIGHT_SECTION\n1 2\nEOF\n",
            "has 2 numbers",
            6,
        ),
        (
            "NAME: t\nTYPE: TSP\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\n"
            "EDGE_WEIGHT_SECTION\n0 1\n2 0\nEOF\n",
            "DIMENSION must be an integer of at least 3",
            3,
        ),
        (
            "NAME: t\nTYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\n"
            "EDGE_WEIGHT_SECTION\n0 1 2\n9 0 3\n2 3 0\nEOF\n",
            "not symmetric",
            6,
        ),
        ("hello world\n", "unexpected line", 1),
    ],
)
def test_malformed_files_name_file_and_line(text, message, line, tmp_path):
    path = tmp_path / "bad.tsp"
    path.write_text(text)
    with pytest.raises(CosolveInputError) as caught:
        tsp.read(path)
    error = caught.value
    assert message in str(error) and "bad.tsp" in str(error)
    if line is not None:
        assert f":{line}:" in str(error)


def test_tour_file_errors(tmp_path):
    path = tmp_path / "t.tour"
    path.write_text("NAME : t\nTYPE : TOUR\nTOUR_SECTION\n1\n0\n2\n-1\nEOF\n")
    with pytest.raises(CosolveInputError, match="positive integer node ids"):
        tsp.read_tour(path)
    path.write_text("NAME : t\nTYPE : TOUR\nTOUR_SECTION\n1\n2\n-1\nEOF\n")
    with pytest.raises(CosolveInputError, match="the tour has 2 nodes, the instance 3"):
        tsp.read_tour(path, 3)


@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)), min_size=3, max_size=30))
def test_write_read_round_trip(points):
    coords = np.array(points, dtype=float)
    instance = tsp.Instance("r", coordinate_weights(coords, "EUC_2D"), coords, "EUC_2D")
    with tempfile.TemporaryDirectory() as folder:
        tsp.write(Path(folder) / "r.tsp", instance)
        back = tsp.read(Path(folder) / "r.tsp")
    assert back.name == "r" and back.edge_weight_type == "EUC_2D"
    assert np.array_equal(back.coords, coords) and back.fingerprint() == instance.fingerprint()


def test_generated_instances_are_written_scaled_and_keep_their_tour_lengths(tmp_path):
    instance = tsp.generate("50", 1, seed=3)[0]
    tsp.write(tmp_path / "g.tsp", instance)
    back = tsp.read(tmp_path / "g.tsp")
    tour = tsp.Solution(np.arange(50))
    ratio = tsp.evaluate(back, tour) / (tsp.evaluate(instance, tour) * tsp.io.GENERATED_SCALE)
    assert abs(ratio - 1) < 1e-5


def test_sniff():
    assert tsp.sniff("NAME : x\nTYPE : TSP\n")
    assert not tsp.sniff("NAME : x\nTYPE : CVRP\n")
    assert not tsp.sniff("3 3\n0 1 2 3\n")
