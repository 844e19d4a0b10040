"""CVRP readers and writers: CVRPLIB files, distance conventions, errors and round trips."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
import vrplib
from hypothesis import given
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.problems import cvrp
from cosolve.problems.cvrp import io as cvrp_io
from cosolve.problems.cvrp.instance import Instance, Solution, distance_matrix
from cosolve.problems.cvrp.io import (
    FORMATS,
    format_solution,
    format_text,
    read,
    read_solution,
    sniff,
    write,
    write_solution,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "cvrp"


def _write(tmp_path: Path, text: str, name: str = "bad.vrp") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


HEADER = "NAME : t\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\n"


def _vrp(
    coords="1 0 0\n2 3 4\n3 6 8\n",
    demands="1 0\n2 5\n3 7\n",
    header=HEADER,
    depot="1\n-1\n",
    tail="EOF\n",
) -> str:
    """A small valid file (depot and two customers); each part can be replaced to break it."""
    return f"{header}NODE_COORD_SECTION\n{coords}DEMAND_SECTION\n{demands}DEPOT_SECTION\n{depot}{tail}"


# ---------------------------------------------------------------------------- CVRPLIB files


def test_read_x_n101_k25_and_its_solution_cost_is_exact():
    instance = read(DATA / "X-n101-k25.vrp")
    assert instance.name == "X-n101-k25"
    assert (instance.n_customers, instance.n_nodes, instance.shape) == (100, 101, (100,))
    assert instance.capacity == 206
    assert instance.coords.shape == (101, 2) and instance.coords.dtype == np.float64
    assert instance.demands.dtype == np.int64 and instance.demands[0] == 0
    assert instance.distances.shape == (101, 101) and instance.distances.dtype == np.float64
    assert (instance.edge_weight_type, instance.rounding) == ("EUC_2D", "nint")
    np.testing.assert_array_equal(instance.coords[0], [365, 689])  # "1\t365\t689" (tabs, CRLF)
    solution, cost = read_solution(DATA / "X-n101-k25.sol")
    assert cost == 27591
    assert solution.n_routes == 26
    cvrp.check(instance, solution)
    value = cvrp.evaluate(instance, solution)
    assert value == 27591 and isinstance(value, int)  # nint-rounded EUC_2D, as CVRPLIB counts


def test_read_a_n32_k5_and_its_optimum():
    instance = read(DATA / "A-n32-k5.vrp")
    assert (instance.n_customers, instance.capacity) == (31, 100)
    np.testing.assert_array_equal(instance.coords[:2], [[82, 76], [96, 44]])
    assert instance.demands[:4].tolist() == [0, 19, 21, 6]
    assert instance.total_demand == 410 and instance.min_vehicles == 5
    solution, cost = read_solution(DATA / "A-n32-k5.sol")
    cvrp.check(instance, solution)
    assert cvrp.evaluate(instance, solution) == cost == 784


def test_agrees_with_vrplib_read_instance():
    for name in ("X-n101-k25", "A-n32-k5", "P-n16-k8"):
        ours = read(DATA / f"{name}.vrp", fmt="vrplib")
        theirs = vrplib.read_instance(DATA / f"{name}.vrp")
        np.testing.assert_array_equal(ours.coords, theirs["node_coord"])
        np.testing.assert_array_equal(ours.demands, theirs["demand"])
        assert ours.capacity == theirs["capacity"]
        # vrplib leaves EUC_2D unrounded: rounding it with nint gives our matrix.
        np.testing.assert_array_equal(ours.distances, np.floor(theirs["edge_weight"] + 0.5))


def test_fingerprint_is_stable_and_content_based(tmp_path):
    instance = read(DATA / "A-n32-k5.vrp")
    fingerprint = instance.fingerprint()
    assert len(fingerprint) == 16 and int(fingerprint, 16) >= 0
    copy = tmp_path / "renamed.vrp"
    copy.write_bytes((DATA / "A-n32-k5.vrp").read_bytes())
    assert read(copy).fingerprint() == fingerprint
    assert read(DATA / "X-n101-k25.vrp").fingerprint() != fingerprint
    bigger = Instance("b", instance.coords, instance.demands, 101, instance.distances)
    assert bigger.fingerprint() != fingerprint


def test_name_argument_and_bom(tmp_path):
    path = tmp_path / "bom.vrp"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "A-n32-k5.vrp").read_bytes())
    instance = read(path, name="custom")
    assert instance.name == "custom"
    assert instance.fingerprint() == read(DATA / "A-n32-k5.vrp").fingerprint()


def test_comments_blank_lines_and_spacing(tmp_path):
    text = "# made by hand\n\n" + _vrp(coords="1  0 0\n\n2\t3\t4\n# a comment\n3 6 8\n").replace("\n", "\r\n")
    instance = read(_write(tmp_path, text, "ok.vrp"))
    assert instance.distances[0].tolist() == [0, 5, 10]
    assert instance.demands.tolist() == [0, 5, 7]


def test_layout_variants_vrplib_alone_would_trip_on(tmp_path):
    """A comment containing "EOF", section names in lower case, data on a header line."""
    text = _vrp(header=HEADER.replace("NAME : t\n", "NAME : t\nCOMMENT : by GEOFF\n"), depot="1 -1\n")
    text = text.replace("DEMAND_SECTION\n1 0\n", "demand_section : 1 0\n")
    instance = read(_write(tmp_path, text, "ok.vrp"))
    assert instance.demands.tolist() == [0, 5, 7]
    assert instance.distances[0].tolist() == [0, 5, 10]


# ---------------------------------------------------------------------------- distance conventions


def _distances(tmp_path: Path, kind: str, coords: str, extra: str = "") -> np.ndarray:
    header = f"NAME : t\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : {kind}\n{extra}CAPACITY : 10\n"
    return read(_write(tmp_path, _vrp(coords=coords, header=header), f"{kind}.vrp")).distances


def test_euc_2d_rounds_half_up(tmp_path):
    # |(0,0)-(1,2)| = 2.236 -> 2; |(0,0)-(3,1.5)| = 3.354 -> 3; |(1,2)-(3,1.5)| = 2.062 -> 2; 2.5 -> 3
    d = _distances(tmp_path, "EUC_2D", "1 0 0\n2 1 2\n3 3 1.5\n")
    assert d.tolist() == [[0, 2, 3], [2, 0, 2], [3, 2, 0]]
    assert _distances(tmp_path, "EUC_2D", "1 0 0\n2 2.5 0\n3 0 1.5\n")[0].tolist() == [0, 3, 2]


def test_ceil_floor_att_and_geo(tmp_path):
    coords = "1 0 0\n2 1 2\n3 3 1.5\n"
    assert _distances(tmp_path, "CEIL_2D", coords)[0].tolist() == [0, 3, 4]
    assert _distances(tmp_path, "FLOOR_2D", coords)[0].tolist() == [0, 2, 3]
    # ATT: r = sqrt(100 / 10) = 3.16 -> nint 3 < r -> 4; r = sqrt((30² + 10²) / 10) = 10 exactly -> 10
    assert _distances(tmp_path, "ATT", "1 0 0\n2 10 0\n3 30 10\n")[0].tolist() == [0, 4, 10]
    # GEO: one degree of longitude on the equator is 6378.388 * pi / 180 = 111.3 km -> int(111.3 + 1) = 112
    geo = _distances(tmp_path, "GEO", "1 0 0\n2 0 1\n3 0 0.30\n")
    assert geo[0, 1] == 112
    assert geo[0, 2] == math.floor(6378.388 * 3.141592 * 0.5 / 180 + 1)  # 0.30 is 30 minutes: half a degree
    assert np.all(np.diag(geo) == 0)


def test_geo_reproduces_ulysses16_optimum():
    """TSPLIB's ulysses16 (GEO): the optimal tour has length 6859."""
    coords = np.array(
        [
            [38.24, 20.42], [39.57, 26.15], [40.56, 25.32], [36.26, 23.12], [33.48, 10.54], [37.56, 12.19],
            [38.42, 13.11], [37.52, 20.44], [41.23, 9.10], [41.17, 13.05], [36.08, -5.21], [38.47, 15.13],
            [38.15, 15.35], [37.51, 15.17], [35.49, 14.32], [39.36, 19.56],
        ]
    )  # fmt: skip
    tour = np.array([1, 14, 13, 12, 7, 6, 15, 5, 11, 9, 10, 16, 3, 2, 4, 8]) - 1
    distances = distance_matrix(coords, "geo")
    assert distances[tour, np.roll(tour, -1)].sum() == 6859


def test_unrounded_euc_2d_with_cosolve_rounding_keyword(tmp_path):
    d = _distances(tmp_path, "EUC_2D", "1 0 0\n2 0.3 0.4\n3 1 1\n", extra="ROUNDING : NONE\n")
    assert d[0, 1] == pytest.approx(0.5) and d[0, 2] == pytest.approx(math.sqrt(2))


MATRIX = np.array([[0, 3, 4, 5], [3, 0, 6, 7], [4, 6, 0, 8], [5, 7, 8, 0]])


def _explicit_text(form: str, wrap: int, extra_section: str = "") -> str:
    n = MATRIX.shape[0]
    if form == "FULL_MATRIX":
        values = MATRIX.ravel()
    else:
        diagonal = "DIAG" in form
        rows, cols = (np.tril_indices if form.startswith("LOWER") else np.triu_indices)(
            n, 0 if diagonal else (-1 if form.startswith("LOWER") else 1)
        )
        values = MATRIX[rows, cols]
    lines = [" ".join(str(v) for v in values[i : i + wrap]) for i in range(0, values.size, wrap)]
    return (
        f"NAME : m\nTYPE : CVRP\nDIMENSION : {n}\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : {form}\n"
        "CAPACITY : 10\nEDGE_WEIGHT_SECTION\n" + "\n".join(lines) + "\n" + extra_section + "DEMAND_SECTION\n"
        "1 0\n2 1\n3 2\n4 3\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )


@pytest.mark.parametrize("form", ["FULL_MATRIX", "LOWER_ROW", "UPPER_ROW", "LOWER_DIAG_ROW", "UPPER_DIAG_ROW"])
@pytest.mark.parametrize("wrap", [1, 4, 100])
def test_explicit_matrices_in_every_format_and_wrapping(tmp_path, form, wrap):
    instance = read(_write(tmp_path, _explicit_text(form, wrap), "m.vrp"))
    np.testing.assert_array_equal(instance.distances, MATRIX)
    assert (instance.edge_weight_type, instance.rounding, instance.coords) == ("EXPLICIT", "explicit", None)


def test_explicit_with_display_coordinates(tmp_path):
    display = "DISPLAY_DATA_SECTION\n1 0 0\n2 1 0\n3 0 1\n4 1 1\n"
    instance = read(_write(tmp_path, _explicit_text("LOWER_ROW", 3, display), "m.vrp"))
    np.testing.assert_array_equal(instance.coords, [[0, 0], [1, 0], [0, 1], [1, 1]])
    np.testing.assert_array_equal(instance.distances, MATRIX)


# ---------------------------------------------------------------------------- malformed files

# (id, text, line the error must name or None for the file only, substring of the message)
MALFORMED = [
    ("missing-capacity", _vrp(header=HEADER.replace("CAPACITY : 10\n", "")), None, "missing CAPACITY"),
    ("capacity-not-a-number", _vrp(header=HEADER.replace(": 10", ": ten")), 5, "'ten' is not a number"),
    ("capacity-zero", _vrp(header=HEADER.replace(": 10", ": 0")), 5, "CAPACITY must be positive"),
    ("missing-dimension", _vrp(header=HEADER.replace("DIMENSION : 3\n", "")), None, "missing DIMENSION"),
    ("dimension-one", _vrp(header=HEADER.replace(": 3", ": 1")), 3, "at least 2"),
    ("dimension-huge", _vrp(header=HEADER.replace(": 3", ": 50000")), 3, "too large"),
    ("dimension-larger-than-rows", _vrp(header=HEADER.replace(": 3", ": 4"), demands="1 0\n2 5\n3 7\n4 1\n"), 9,
     "3 rows but DIMENSION is 4"),
    ("dimension-smaller-than-rows", _vrp(header=HEADER.replace(": 3", ": 2")), 13,
     "DEMAND_SECTION has 3 rows but DIMENSION is 2"),
    ("coordinate-not-a-number", _vrp(coords="1 0 0\n2 x 4\n3 6 8\n"), 8, "'x' is not a number"),
    ("coordinate-nan", _vrp(coords="1 0 0\n2 nan 4\n3 6 8\n"), 8, "'nan' is not a number"),
    ("coordinate-row-too-short", _vrp(coords="1 0 0\n2 3\n3 6 8\n"), 8, "expected 3 values"),
    ("node-ids-out-of-order", _vrp(coords="1 0 0\n3 3 4\n2 6 8\n"), 8, "node id 3 where 2"),
    ("negative-demand", _vrp(demands="1 0\n2 -5\n3 7\n"), 12, "negative demand -5"),
    ("demand-above-capacity", _vrp(demands="1 0\n2 5\n3 11\n"), 13, "exceeds the vehicle capacity 10"),
    ("demand-not-integer", _vrp(demands="1 0\n2 2.5\n3 7\n"), 12, "'2.5' is not an integer"),
    ("demand-not-a-number", _vrp(demands="1 0\n2 five\n3 7\n"), 12, "'five' is not a number"),
    ("depot-demand", _vrp(demands="1 4\n2 5\n3 7\n"), 11, "depot (node 1) has demand 4"),
    ("missing-demand-section", HEADER + "NODE_COORD_SECTION\n1 0 0\n2 3 4\n3 6 8\nDEPOT_SECTION\n1\n-1\nEOF\n", None,
     "missing DEMAND_SECTION"),
    ("missing-coordinates", HEADER + "DEMAND_SECTION\n1 0\n2 5\n3 7\nDEPOT_SECTION\n1\n-1\nEOF\n", None,
     "missing NODE_COORD_SECTION"),
    ("missing-depot-section", _vrp(depot="").replace("DEPOT_SECTION\n", ""), None, "missing DEPOT_SECTION"),
    ("depot-not-node-1", _vrp(depot="2\n-1\n"), 15, "the depot is node 2"),
    ("two-depots", _vrp(depot="1\n2\n-1\n"), 16, "several depots"),
    ("empty-depot-section", _vrp(depot="-1\n"), 14, "names no depot"),
    ("specification-after-section", _vrp(tail="VEHICLES : 3\nEOF\n"), 17, "after a data section"),
    ("stray-line-in-header", "NAME : t\nhello there\n" + _vrp(), 2, "expected 'KEY : value'"),
    ("type-tsp", _vrp(header=HEADER.replace("CVRP", "TSP")), 2, "CVRP files only"),
    ("route-length-limit", _vrp(header=HEADER + "DISTANCE : 100\n"), 6, "route-length limits"),
    ("service-time", _vrp(header=HEADER + "SERVICE_TIME : 10\n"), 6, "service times"),
    ("time-windows", _vrp(tail="TIME_WINDOW_SECTION\n1 0 10\n2 0 10\n3 0 10\nEOF\n"), 17, "not part of the CVRP"),
    ("edge-weight-type-unknown", _vrp(header=HEADER.replace("EUC_2D", "MAN_2D")), 4, "MAN_2D is not supported"),
    ("missing-edge-weight-type", _vrp(header=HEADER.replace("EDGE_WEIGHT_TYPE : EUC_2D\n", "")), None,
     "missing EDGE_WEIGHT_TYPE"),
    ("rounding-unknown", _vrp(header=HEADER + "ROUNDING : SOMETIMES\n"), 6, "ROUNDING : SOMETIMES"),
    ("rounding-with-ceil", _vrp(header=HEADER.replace("EUC_2D", "CEIL_2D") + "ROUNDING : NONE\n"), 6, "ROUNDING"),
    ("section-twice", _vrp(tail="DEPOT_SECTION\n1\n-1\nEOF\n"), 17, "appears twice"),
    ("specification-twice", _vrp(header=HEADER + "CAPACITY : 12\n"), 6, "given twice"),
    ("explicit-without-format", _explicit_text("FULL_MATRIX", 4).replace("EDGE_WEIGHT_FORMAT : FULL_MATRIX\n", ""),
     4, "need an EDGE_WEIGHT_FORMAT"),
    ("explicit-unknown-format", _explicit_text("FULL_MATRIX", 4).replace(": FULL_MATRIX", ": FUNNY_MATRIX"), 5,
     "FUNNY_MATRIX is not supported"),
    ("explicit-too-few-numbers", _explicit_text("LOWER_ROW", 3).replace("3 4 6\n", "3 4\n"), 9,
     "has 5 numbers; LOWER_ROW for DIMENSION 4 needs 6"),
    ("explicit-too-many-numbers", _explicit_text("LOWER_ROW", 3).replace("3 4 6\n", "3 4 6 9\n"), 9, "has 7"),
    ("explicit-not-a-number", _explicit_text("LOWER_ROW", 3).replace("3 4 6\n", "3 q 6\n"), 8, "'q' is not a number"),
    ("explicit-asymmetric", _explicit_text("FULL_MATRIX", 4).replace("0 3 4 5", "0 9 4 5"), 7, "not symmetric"),
    ("explicit-negative", _explicit_text("LOWER_ROW", 6).replace("3 4 6 5 7 8", "3 -4 6 5 7 8"), 7, "negative"),
    ("explicit-missing-section", _explicit_text("LOWER_ROW", 6).replace("EDGE_WEIGHT_SECTION\n3 4 6 5 7 8\n", ""),
     None, "missing EDGE_WEIGHT_SECTION"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "line", "needle"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_file_is_one_clear_error(tmp_path, text, line, needle):
    path = _write(tmp_path, text)
    with pytest.raises(CosolveInputError) as info:
        read(path)
    error = info.value
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    assert str(error).startswith(prefix), str(error)
    assert (error.path, error.line) == (str(path), line)
    assert needle in str(error), str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# only a comment\n", "EOF\n"])
def test_empty_file(tmp_path, text):
    path = _write(tmp_path, text, "empty.vrp")
    with pytest.raises(CosolveInputError, match="empty") as info:
        read(path)
    assert str(info.value).startswith(str(path))


def test_missing_file_folder_and_unknown_format(tmp_path):
    with pytest.raises(CosolveInputError, match="no such file"):
        read(tmp_path / "nope.vrp")
    with pytest.raises(CosolveInputError, match="folder"):
        read(tmp_path)
    with pytest.raises(CosolveInputError, match="format"):
        read(DATA / "A-n32-k5.vrp", fmt="tsplib")
    with pytest.raises(CosolveInputError, match="format"):
        write(tmp_path / "x.vrp", read(DATA / "A-n32-k5.vrp"), fmt="xml")


def test_a_vrplib_exception_becomes_one_line(tmp_path, monkeypatch):
    def broken(text, compute_edge_weights=True):
        raise ValueError("Edge weight type or format unknown.\nsecond line")

    monkeypatch.setattr(cvrp_io, "parse_vrplib", broken)
    path = _write(tmp_path, _vrp(), "ok.vrp")
    with pytest.raises(CosolveInputError) as info:
        read(path)
    assert str(info.value) == f"{path}: not a valid VRPLIB file (Edge weight type or format unknown.)"


# ---------------------------------------------------------------------------- writing and sniffing


def test_write_read_round_trip_of_cvrplib_files(tmp_path):
    for name in ("A-n32-k5", "X-n101-k25", "P-n16-k8"):
        instance = read(DATA / f"{name}.vrp")
        path = tmp_path / f"{name}.vrp"
        write(path, instance, comment="copied\nby a test")
        text = path.read_text()
        assert text.startswith(f"NAME : {name}\nCOMMENT : copied by a test\nTYPE : CVRP\n")
        assert sniff(text)
        back = read(path)
        assert back.fingerprint() == instance.fingerprint()
        np.testing.assert_array_equal(back.coords, instance.coords)
        theirs = vrplib.read_instance(path)  # the file is plain VRPLIB for other tools too
        np.testing.assert_array_equal(theirs["demand"], instance.demands)


def test_write_does_not_overwrite_unless_asked(tmp_path):
    instance = read(DATA / "P-n16-k8.vrp")
    path = tmp_path / "out.vrp"
    path.write_text("precious")
    with pytest.raises(CosolveInputError, match="exists"):
        write(path, instance, overwrite=False)
    assert path.read_text() == "precious"
    write(path, instance)
    assert read(path).fingerprint() == instance.fingerprint()


def test_generated_instance_round_trip_keeps_exact_distances(tmp_path):
    instance = cvrp.generate("20", 1, seed=3)[0]
    path = tmp_path / "g.vrp"
    write(path, instance)
    assert "ROUNDING : NONE" in path.read_text()
    back = read(path)
    assert back.rounding == "none"
    np.testing.assert_array_equal(back.coords, instance.coords)
    np.testing.assert_array_equal(back.distances, instance.distances)
    assert back.fingerprint() == instance.fingerprint()


def test_sniff():
    assert sniff((DATA / "X-n101-k25.vrp").read_text())
    assert sniff((DATA / "A-n32-k5.vrp").read_text())
    assert sniff("NAME: x\nTYPE:CVRP\n")
    assert sniff("\ufeffTYPE : cvrp\r\n")
    assert not sniff("")
    assert not sniff("NAME : berlin52\nTYPE : TSP\nDIMENSION : 52\n")
    assert not sniff("NAME : c101\nTYPE : CVRPTW\n")
    assert not sniff("2 2\n0 1 1 2\n1 2 0 3\n")
    assert not sniff("NODE_COORD_SECTION\nTYPE : CVRP\n")


@st.composite
def small_instances(draw) -> Instance:
    """A small CVRP instance in one of the conventions a file can carry."""
    n = draw(st.integers(1, 7))
    rounding = draw(st.sampled_from(["nint", "ceil", "att", "none", "explicit"]))
    capacity = draw(st.integers(1, 50))
    demands = [0] + [draw(st.integers(0, capacity)) for _ in range(n)]
    if rounding == "none":
        coords = np.array([[draw(st.floats(0, 1)), draw(st.floats(0, 1))] for _ in range(n + 1)])
    else:
        coords = np.array([[draw(st.integers(-500, 500)), draw(st.integers(-500, 500))] for _ in range(n + 1)], float)
    kind = {"nint": "EUC_2D", "ceil": "CEIL_2D", "att": "ATT", "none": "EUC_2D", "explicit": "EXPLICIT"}[rounding]
    if rounding == "explicit":
        upper = np.triu(np.array([[draw(st.integers(0, 99)) for _ in range(n + 1)] for _ in range(n + 1)]), 1)
        distances = (upper + upper.T).astype(float)
        coords = coords if draw(st.booleans()) else None
    else:
        distances = distance_matrix(coords, rounding)
    return Instance("hyp", coords, np.array(demands, dtype=np.int64), capacity, distances, kind, rounding)


@given(instance=small_instances())
def test_round_trip_property(instance):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hyp.vrp"
        write(path, instance)
        text = path.read_text()
        assert text == format_text(instance)
        assert sniff(text)
        back = read(path)
        assert (back.rounding, back.edge_weight_type, back.capacity) == (
            instance.rounding,
            instance.edge_weight_type,
            instance.capacity,
        )
        np.testing.assert_array_equal(back.demands, instance.demands)
        np.testing.assert_array_equal(back.distances, instance.distances)
        assert (back.coords is None) == (instance.coords is None)
        if instance.coords is not None:
            np.testing.assert_array_equal(back.coords, instance.coords)
        assert back.fingerprint() == instance.fingerprint()


# ---------------------------------------------------------------------------- solution files


def test_solution_file_round_trip(tmp_path):
    solution = Solution(routes=[[3, 1], [2]])
    path = tmp_path / "s.sol"
    write_solution(path, solution, cost=42)
    assert path.read_text() == "Route #1: 3 1\nRoute #2: 2\nCost 42\n" == format_solution(solution, 42)
    back, cost = read_solution(path)
    assert back.routes == [[3, 1], [2]] and cost == 42
    write_solution(path, solution)
    assert read_solution(path)[1] is None
    with pytest.raises(CosolveInputError, match="exists"):
        write_solution(path, solution, overwrite=False)


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("Route #1: 1 2\nRoute #2: 3 x\nCost 5\n", 2, "'x'"),
        ("Route #1: 1 2.5\n", 1, "'2.5'"),
        ("Route #1 1 2\n", 1, "Route #k: ids"),
        ("Route #1: 1 2\nCost lots\n", 2, "'lots' is not a number"),
        ("Cost 5\n", None, "no 'Route #k"),
        ("", None, "no 'Route #k"),
    ],
)
def test_malformed_solution_file(tmp_path, text, line, needle):
    path = _write(tmp_path, text, "bad.sol")
    with pytest.raises(CosolveInputError) as info:
        read_solution(path)
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    assert str(info.value).startswith(prefix) and needle in str(info.value), str(info.value)


def test_formats_constant_and_contract_names():
    assert FORMATS == ("auto", "vrplib")
    assert cvrp.NAME == "cvrp" and cvrp.EXTENSIONS == (".vrp",) and cvrp.OBJECTIVE_SENSE == "min"
    for name in ("Instance", "Solution", "InfeasibleSolution", "read", "write", "sniff", "generate", "parse_size"):
        assert hasattr(cvrp, name)
    for name in ("evaluate", "check", "solution_from_json", "render", "TITLE", "FORMATS"):
        assert hasattr(cvrp, name)
