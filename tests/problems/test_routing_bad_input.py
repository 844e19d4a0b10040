"""Issue 17 for the TSPLIB / VRPLIB readers: bad input never crashes.

A TSP or CVRP file (and a ``.tour`` or ``.sol`` file) is either refused with one
:class:`CosolveInputError` naming the file and line, before anything of its declared size is
allocated, or read into an instance whose every answer is checked and finite. Values are
bounded as :mod:`cosolve.problems.tsplib_weights` says: at most ``MAX_NODES`` nodes,
coordinates below ``2**53``, and ``edges * (largest distance) < 2**53``.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from fuzz_inputs import time_limit
from hypothesis import given
from hypothesis import strategies as st

from cosolve.baselines.cvrp_heuristics import sweep
from cosolve.cli import main
from cosolve.errors import CosolveInputError
from cosolve.instances import path_of
from cosolve.problems import cvrp, tsp
from cosolve.problems.tsplib_weights import EXPLICIT_FORMATS, MAX_LENGTH, MAX_NODES, explicit_count, explicit_positions

DATA = Path(__file__).resolve().parents[1] / "data"
BAD_NUMBERS = ["²", "١٢", "1_000", "0x10", "nan", "inf", "-inf", "1e400", "9" * 1_000_000]
"""Tokens that are not ASCII decimal numbers of a sane size (``float`` takes most of them)."""
LINE_BREAKERS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Characters ``str.splitlines`` breaks at and the readers do not."""


def tsp_text(dimension="4", weight_type="EUC_2D", x="1", extra="") -> str:
    """Four nodes; node 2's x coordinate (line 7) and the DIMENSION (line 3) can be replaced."""
    return (
        f"NAME : t\nTYPE : TSP\nDIMENSION : {dimension}\nEDGE_WEIGHT_TYPE : {weight_type}\n{extra}"
        f"NODE_COORD_SECTION\n1 0 0\n2 {x} 1\n3 2 0\n4 5 5\nEOF\n"
    )


def vrp_text(x="3", demand="5", capacity="10", extra="", dimension="3") -> str:
    """A depot and two customers; customer 1's x (line 8) and demand (line 12), the CAPACITY
    (line 5) and the DIMENSION (line 3) can be replaced; ``extra`` lines go after the CAPACITY."""
    return (
        f"NAME : t\nTYPE : CVRP\nDIMENSION : {dimension}\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : {capacity}\n{extra}"
        f"NODE_COORD_SECTION\n1 0 0\n2 {x} 4\n3 6 8\nDEMAND_SECTION\n1 0\n2 {demand}\n3 7\n"
        "DEPOT_SECTION\n1\n-1\nEOF\n"
    )


def explicit_tsp(dimension: int, form: str, numbers: str) -> str:
    return (
        f"NAME : e\nTYPE : TSP\nDIMENSION : {dimension}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT : {form}\nEDGE_WEIGHT_SECTION\n{numbers}\nEOF\n"
    )


def explicit_vrp(dimension: int, form: str, numbers: str) -> str:
    """An explicit CVRP file; its EDGE_WEIGHT_SECTION header is line 7."""
    demands = "".join(f"{i} {0 if i == 1 else 1}\n" for i in range(1, dimension + 1))
    return (
        f"NAME : e\nTYPE : CVRP\nDIMENSION : {dimension}\nEDGE_WEIGHT_TYPE : EXPLICIT\n"
        f"EDGE_WEIGHT_FORMAT : {form}\nCAPACITY : 10\nEDGE_WEIGHT_SECTION\n{numbers}\n"
        f"DEMAND_SECTION\n{demands}DEPOT_SECTION\n1\n-1\nEOF\n"
    )


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def assert_refused(read, path: Path, line: int | None, needle: str = "") -> CosolveInputError:
    """``read(path)`` raises one input error naming ``path`` and ``line``, on one line."""
    with pytest.raises(CosolveInputError) as caught:
        read(path)
    error = caught.value
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    assert str(error).startswith(prefix), str(error)
    assert needle in str(error), str(error)
    assert len(str(error).splitlines()) == 1 and len(str(error)) < 500
    return error


def run_cli(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    return caught.value.code


def assert_cli_refuses(capsys, path: Path, line: int, method: str) -> None:
    """``cosolve solve`` exits 2 with one line ``cosolve: error: FILE:LINE: ...``."""
    capsys.readouterr()
    assert run_cli(["solve", str(path), "--method", method, "--time-limit", "0.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"cosolve: error: {path}:{line}: "), err


def solve_json(tmp_path: Path, path: Path, method: str) -> dict:
    """``cosolve solve --out`` on ``path``: exit 0 and strict JSON (no Infinity, no NaN)."""
    out = tmp_path / "out.json"
    assert run_cli(["solve", str(path), "--method", method, "--time-limit", "0.5", "--out", str(out)]) == 0

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    data = json.loads(out.read_text(), parse_constant=refuse)
    assert math.isfinite(data["objective"])
    return data


# ---------------------------------------------------------------------------- 1. DIMENSION


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "", "-4", "0", "2", "3.5", "4 5"])
def test_a_bad_tsp_dimension_names_its_line(tmp_path, value):
    assert_refused(tsp.read, write(tmp_path, tsp_text(dimension=value), "bad.tsp"), 3, "DIMENSION")


@pytest.mark.parametrize("value", ["inf", "1e400"])
def test_an_infinite_tsp_dimension_is_an_input_error_in_the_cli(tmp_path, capsys, value):
    assert_cli_refuses(capsys, write(tmp_path, tsp_text(dimension=value), "bad.tsp"), 3, "rule:nearest")


@pytest.mark.parametrize(
    ("extra", "line", "needle"),
    [
        ("DIMENSION : 4\n", 5, "DIMENSION is given twice (first on line 3)"),
        ("DIMENSION 4\n", 5, "DIMENSION is given twice"),
        ("edge_weight_type: EUC_2D\n", 5, "EDGE_WEIGHT_TYPE is given twice (first on line 4)"),
        ("NAME : u\n", 5, "NAME is given twice"),
    ],
)
def test_a_repeated_tsp_header_names_its_second_line(tmp_path, extra, line, needle):
    assert_refused(tsp.read, write(tmp_path, tsp_text(extra=extra), "bad.tsp"), line, needle)


def test_a_repeated_tsp_section_names_its_second_header(tmp_path):
    text = tsp_text().replace("EOF\n", "NODE_COORD_SECTION\n1 0 0\nEOF\n")
    assert_refused(tsp.read, write(tmp_path, text, "bad.tsp"), 10, "NODE_COORD_SECTION appears twice (first on line 5)")


def test_a_repeated_cvrp_dimension_names_its_second_line(tmp_path):
    path = write(tmp_path, vrp_text(extra="DIMENSION : 3\n"), "bad.vrp")
    assert_refused(cvrp.read, path, 6, "DIMENSION is given twice")


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "-3", "0", "1", "2.5", str(MAX_NODES + 1)])
def test_a_bad_cvrp_dimension_names_its_line(tmp_path, value):
    assert_refused(cvrp.read, write(tmp_path, vrp_text(dimension=value), "bad.vrp"), 3, "DIMENSION")


# ---------------------------------------------------------------------------- 2. sizes before allocation


def test_explicit_counts_are_the_sizes_of_the_streams():
    for form in EXPLICIT_FORMATS:
        for n in range(1, 8):
            assert explicit_count(n, form) == explicit_positions(n, form)[0].size


def test_a_huge_tsp_dimension_is_refused_with_the_reason(tmp_path):
    path = write(tmp_path, explicit_tsp(100_000, "FULL_MATRIX", "0 1 2"), "big.tsp")
    begin = time.perf_counter()
    assert_refused(tsp.read, path, 3, f"at most {MAX_NODES}: distances are kept as a dense n x n matrix")
    assert time.perf_counter() - begin < 1.0


@pytest.mark.parametrize("form", EXPLICIT_FORMATS)
def test_a_short_explicit_section_is_refused_before_its_matrix_is_built(tmp_path, form):
    path = write(tmp_path, explicit_tsp(MAX_NODES, form, "0 1 2"), "big.tsp")
    begin = time.perf_counter()
    assert_refused(tsp.read, path, 6, f"has 3 numbers, {form} of {MAX_NODES} nodes needs")
    vrp = write(tmp_path, explicit_vrp(MAX_NODES, form, "1 2 3"), "big.vrp")
    assert_refused(cvrp.read, vrp, 8, f"has 3 numbers; {form} for DIMENSION {MAX_NODES} needs")
    assert time.perf_counter() - begin < 2.0  # n² index arrays took 3.5 s and 2 GB at 12,000 nodes


def test_the_largest_shipped_and_shared_tsplib_files_are_within_the_bound():
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "tsplib"
    files = [path_of("tsp", "pr1002"), *sorted(shared.glob("*.tsp"))]
    largest = max(int(line.split(":")[1]) for f in files for line in f.read_text().splitlines() if "DIMENSION" in line)
    assert largest <= MAX_NODES
    assert tsp.read(path_of("tsp", "pr1002")).n_nodes == 1002


# ---------------------------------------------------------------------------- 3. overflowing distances


@pytest.mark.parametrize("weight_type", ["EUC_2D", "CEIL_2D", "ATT", "GEO"])
@pytest.mark.parametrize("x", ["1.4e154", "1e200", "1e308", "-1e17"])
def test_huge_tsp_coordinates_are_refused_on_their_line(tmp_path, weight_type, x):
    path = write(tmp_path, tsp_text(weight_type=weight_type, x=x), "big.tsp")
    assert_refused(tsp.read, path, 7, "NODE_COORD_SECTION")


@pytest.mark.parametrize("weight_type", ["EUC_2D", "CEIL_2D", "ATT"])
def test_distances_whose_tour_could_reach_2_to_the_53_are_refused_on_a_nodes_line(tmp_path, weight_type):
    # 4e15 is a legal coordinate, but 4 edges of length 4e15 (ATT: 1.3e15) pass 2**53.
    x = "8e15" if weight_type == "ATT" else "4e15"
    path = write(tmp_path, tsp_text(weight_type=weight_type, x=x), "big.tsp")
    assert_refused(tsp.read, path, 7, "the distance between nodes 1 and 2 is")


@pytest.mark.parametrize("method", ["rule:nearest", "gnn:2opt", "ortools"])
def test_the_cli_refuses_overflowing_tsp_coordinates_whatever_the_method(tmp_path, capsys, method):
    assert_cli_refuses(capsys, write(tmp_path, tsp_text(x="1.4e154"), "big.tsp"), 7, method)


@pytest.mark.parametrize("rounding", ["", "ROUNDING : NONE\n"])
@pytest.mark.parametrize("x", ["1.4e154", "1e200", "4e15"])
def test_huge_cvrp_coordinates_are_refused_on_their_line(tmp_path, rounding, x):
    path = write(tmp_path, vrp_text(x=x, extra=rounding), "big.vrp")
    assert_refused(cvrp.read, path, 9 if rounding else 8, "NODE_COORD_SECTION" if x != "4e15" else "distance")


@pytest.mark.parametrize("method", ["savings", "sweep", "ortools"])
def test_the_cli_refuses_overflowing_cvrp_coordinates_instead_of_writing_infinity(tmp_path, capsys, method):
    path = write(tmp_path, vrp_text(x="1e200", extra="ROUNDING : NONE\n"), "big.vrp")
    assert_cli_refuses(capsys, path, 9, method)


def test_huge_explicit_weights_are_refused_naming_the_section(tmp_path):
    numbers = "0 1 2 3\n1 0 1e16 3\n2 1e16 0 3\n3 3 3 0"
    assert_refused(tsp.read, write(tmp_path, explicit_tsp(4, "FULL_MATRIX", numbers), "w.tsp"), 6, "nodes 2 and 3")
    vrp = write(tmp_path, explicit_vrp(3, "LOWER_ROW", "1\n2 1e16"), "w.vrp")
    assert_refused(cvrp.read, vrp, 7, "the distance between nodes 2 and 3 is 1e+16")


def test_huge_display_coordinates_are_refused_too(tmp_path):
    text = explicit_tsp(3, "UPPER_ROW", "1 2 3").replace(
        "EOF\n", "DISPLAY_DATA_SECTION\n1 0 0\n2 1e300 0\n3 1 1\nEOF\n"
    )
    assert_refused(tsp.read, write(tmp_path, text, "d.tsp"), 10, "DISPLAY_DATA_SECTION")


# ---------------------------------------------------------------------------- 4. large legal values


def _large_tsp(tmp_path: Path, n: int = 12) -> Path:
    """Coordinates as large as the bound allows: every tour stays below 2**53."""
    points = np.random.default_rng(0).uniform(0, MAX_LENGTH / n / 2, size=(n, 2))
    rows = "".join(f"{i} {x:.17g} {y:.17g}\n" for i, (x, y) in enumerate(points, start=1))
    text = f"NAME : big\nTYPE : TSP\nDIMENSION : {n}\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n{rows}EOF\n"
    return write(tmp_path, text, "big.tsp")


def _large_vrp(tmp_path: Path, rounding: str, customers: int = 10) -> Path:
    points = np.random.default_rng(1).uniform(0, MAX_LENGTH / customers / 6, size=(customers + 1, 2))
    rows = "".join(f"{i} {x:.17g} {y:.17g}\n" for i, (x, y) in enumerate(points, start=1))
    demands = "".join(f"{i} {0 if i == 1 else 3}\n" for i in range(1, customers + 2))
    text = (
        f"NAME : big\nTYPE : CVRP\nDIMENSION : {customers + 1}\nEDGE_WEIGHT_TYPE : EUC_2D\n{rounding}CAPACITY : 10\n"
        f"NODE_COORD_SECTION\n{rows}DEMAND_SECTION\n{demands}DEPOT_SECTION\n1\n-1\nEOF\n"
    )
    return write(tmp_path, text, "big.vrp")


@pytest.mark.parametrize("method", ["rule:nearest", "rule:cheapest:2opt", "ortools", "gnn:2opt"])
def test_tsp_near_the_bound_solves_to_a_checked_finite_tour(tmp_path, capsys, method):
    path = _large_tsp(tmp_path)
    data = solve_json(tmp_path, path, method)
    instance = tsp.read(path)
    solution = tsp.solution_from_json(data["solution"])
    tsp.check(instance, solution)
    assert tsp.evaluate(instance, solution) == data["objective"] < MAX_LENGTH


@pytest.mark.parametrize("rounding", ["", "ROUNDING : NONE\n"])
@pytest.mark.parametrize("method", ["savings", "sweep", "ortools"])
def test_cvrp_near_the_bound_solves_to_checked_finite_routes(tmp_path, capsys, rounding, method):
    path = _large_vrp(tmp_path, rounding)
    data = solve_json(tmp_path, path, method)  # OR-Tools used to say "raise --time-limit"
    instance = cvrp.read(path)
    solution = cvrp.solution_from_json(data["solution"])
    cvrp.check(instance, solution)
    assert cvrp.evaluate(instance, solution) == data["objective"] < MAX_LENGTH


CYCLING = """NAME : cycling
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
ROUNDING : NONE
CAPACITY : 100
NODE_COORD_SECTION
1 500000000000.7 250000000000.0
2 1000000000000.5 0.4
3 750000000000.2 750000000000.3
4 250000000000.8 1000000000000.3
5 750000000000.1 0.7
DEMAND_SECTION
1 0
2 1
3 1
4 1
5 1
DEPOT_SECTION
1
-1
EOF
"""
"""Legal exact distances on which 2-opt with an absolute epsilon of 1e-9 reversed the same
segments forever (float rounding of distances near 1e12 "improved" each way)."""


def test_sweep_two_opt_ends_on_float_rounding_ties(tmp_path, capsys):
    path = write(tmp_path, CYCLING, "cycling.vrp")
    instance = cvrp.read(path)
    with time_limit(20):
        solution = sweep(instance)
        data = solve_json(tmp_path, path, "sweep")
    cvrp.check(instance, solution)
    assert data["objective"] == pytest.approx(cvrp.evaluate(instance, solution), rel=1e-12)


@pytest.mark.parametrize("method", ["rule:farthest", "rule:cheapest:2opt", "gnn:2opt", "ortools"])
def test_identical_nodes_solve_to_a_checked_tour(tmp_path, capsys, method):
    # Every distance is 0: insertion used to start from node 0 itself (argmax of a zero row).
    rows = "".join(f"{i} 7 7\n" for i in range(1, 7))
    path = write(
        tmp_path,
        f"NAME : same\nTYPE : TSP\nDIMENSION : 6\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n{rows}",
        "same.tsp",
    )
    data = solve_json(tmp_path, path, method)
    tsp.check(tsp.read(path), tsp.solution_from_json(data["solution"]))
    assert data["objective"] == 0


# ---------------------------------------------------------------------------- 5. other malformed input


@pytest.mark.parametrize("token", BAD_NUMBERS)
def test_bad_numbers_in_sections_name_their_line(tmp_path, token):
    assert_refused(tsp.read, write(tmp_path, tsp_text(x=token), "bad.tsp"), 7)
    assert_refused(cvrp.read, write(tmp_path, vrp_text(x=token), "bad.vrp"), 8)
    assert_refused(cvrp.read, write(tmp_path, vrp_text(demand=token), "bad.vrp"), 12)
    assert_refused(tsp.read, write(tmp_path, explicit_tsp(3, "UPPER_ROW", f"1\n2 {token}"), "e.tsp"), 8)
    assert_refused(cvrp.read, write(tmp_path, explicit_vrp(3, "UPPER_ROW", f"1 2\n{token}"), "e.vrp"), 9)


@pytest.mark.parametrize("value", [*BAD_NUMBERS, "0", "-5", "-0", "1e10", "2.5"])
def test_a_bad_capacity_names_its_line(tmp_path, value):
    assert_refused(cvrp.read, write(tmp_path, vrp_text(capacity=value), "bad.vrp"), 5, "CAPACITY")


@pytest.mark.parametrize("value", ["-1", "11", "1e10", "0.5"])
def test_a_bad_demand_names_its_line(tmp_path, value):
    assert_refused(cvrp.read, write(tmp_path, vrp_text(demand=value), "bad.vrp"), 12)


@pytest.mark.parametrize("breaker", LINE_BREAKERS)
def test_control_characters_inside_lines_keep_line_numbers_right(tmp_path, breaker):
    comment = f"COMMENT : one{breaker}two\n"
    assert_refused(tsp.read, write(tmp_path, tsp_text(x="q", extra=comment), "bad.tsp"), 8, "'q' is not a number")
    assert_refused(cvrp.read, write(tmp_path, vrp_text(x="q", extra=comment), "bad.vrp"), 9, "'q' is not a number")
    tour = write(tmp_path, f"NAME : t{breaker}x\nTOUR_SECTION\n1\n2\nq\n-1\n", "bad.tour")
    assert_refused(tsp.read_tour, tour, 5, "'q' is not a number")
    solution = write(tmp_path, f"Route #1: 1{breaker}2\nRoute #2: q\n", "bad.sol")
    assert_refused(cvrp.read_solution, solution, 2, "'q'")


def test_a_header_value_with_a_line_breaker_is_shown_on_one_line(tmp_path):
    path = write(tmp_path, tsp_text(weight_type="EX\u2028PLICIT"), "bad.tsp")
    assert_refused(tsp.read, path, 4, "EX\\u2028PLICIT is not supported")
    path = write(tmp_path, vrp_text().replace("TYPE : CVRP", "TYPE : CV\x85RP"), "bad.vrp")
    assert_refused(cvrp.read, path, 2, "CV\\x85RP")


SEEDS = [
    (tsp.read, path_of("tsp", "eil51"), ".tsp"),
    (tsp.read, None, ".tsp"),
    (cvrp.read, DATA / "cvrp" / "P-n16-k8.vrp", ".vrp"),
    (cvrp.read, None, ".vrp"),
    (tsp.read_tour, DATA / "tsp" / "eil51.opt.tour", ".tour"),
    (cvrp.read_solution, DATA / "cvrp" / "A-n32-k5.sol", ".sol"),
]


@pytest.mark.parametrize(
    ("read", "source", "suffix"), SEEDS, ids=["eil51", "tsp-explicit", "P-n16-k8", "vrp-explicit", "tour", "sol"]
)
def test_every_truncation_is_read_or_refused(tmp_path, read, source, suffix):
    if source is None:
        text = (
            explicit_tsp(4, "LOWER_DIAG_ROW", "0\n1 0\n2 3 0\n4 5 6 0")
            if suffix == ".tsp"
            else explicit_vrp(4, "UPPER_ROW", "1 2 3\n4 5\n6")
        )
    else:
        text = source.read_text()
    step = max(1, len(text) // 150)
    for end in range(0, len(text), step):
        path = write(tmp_path, text[:end], f"cut{suffix}")
        try:
            result = read(path)
        except CosolveInputError as error:
            assert str(error).startswith(str(path)) and len(str(error).splitlines()) == 1
            continue
        distances = getattr(result, "distances", None)
        assert distances is None or np.isfinite(distances).all()


@pytest.mark.parametrize("token", ["١", "²", "1" + "0" * 40, "1e3", "inf", "2.0"])
def test_bad_customer_ids_in_a_solution_file_are_refused(tmp_path, token):
    assert_refused(cvrp.read_solution, write(tmp_path, f"Route #1: 3 {token}\nCost 5\n", "s.sol"), 1, "route")


@pytest.mark.parametrize("cost", ["inf", "nan", "1e400", "²"])
def test_a_bad_cost_in_a_solution_file_is_refused(tmp_path, cost):
    assert_refused(cvrp.read_solution, write(tmp_path, f"Route #1: 1 2\nCost {cost}\n", "s.sol"), 2, "Cost")


def test_a_solution_file_with_tabs_and_comments_reads(tmp_path):
    solution, cost = cvrp.read_solution(
        write(tmp_path, "# a comment\nRoute #1:\t1\t2\nRoute #2: 3\nCost: 7\n", "s.sol")
    )
    assert solution.routes == [[1, 2], [3]] and cost == 7


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("1\n1e200\n-1\n", 2, "beyond 10001"),
        ("1\n99999\n-1\n", 2, "names node 99999, beyond 10001"),
        ("1\ninf\n-1\n", 4, "'inf' is not a number"),
        ("١\n-1\n", 3, "not a number"),
        ("1\n2\n2.5\n-1\n", 2, "positive integer"),
    ],
)
def test_bad_tour_files_are_refused(tmp_path, body, line, needle):
    assert_refused(tsp.read_tour, write(tmp_path, "NAME : t\nTOUR_SECTION\n" + body, "t.tour"), line, needle)


def test_a_tour_naming_a_node_beyond_the_instance_is_refused(tmp_path):
    path = write(tmp_path, "TOUR_SECTION\n1\n2\n9\n-1\n", "t.tour")
    assert_refused(lambda p: tsp.read_tour(p, 3), path, 1, "names node 9, beyond 3")


@given(st.text(max_size=200))
def test_sniff_returns_a_bool_for_any_text(text):
    for sniff in (tsp.sniff, cvrp.sniff):
        assert sniff(text) in (True, False)
        assert sniff("TYPE : TSP\n" + text) in (True, False)


def test_sniff_does_not_break_lines_at_unicode_separators_and_reads_only_the_head():
    assert tsp.sniff("NAME : a\nTYPE : TSP\n") and cvrp.sniff("NAME : a\r\nTYPE : CVRP\r\n")
    assert not tsp.sniff("NAME : a\u2028TYPE : TSP\n") and not cvrp.sniff("NAME : a\x85TYPE : CVRP\n")
    begin = time.perf_counter()
    assert not tsp.sniff("\n" * 10_000_000) and not cvrp.sniff("x" * 10_000_000)
    assert time.perf_counter() - begin < 1.0


def test_several_comment_lines_are_accepted(tmp_path):
    """Old TSPLIB and VRPLIB files may carry two COMMENT lines; only data keys must be unique."""
    from cosolve.problems.cvrp.io import read as read_cvrp
    from cosolve.problems.tsp.io import read as read_tsp

    tsp = tmp_path / "two.tsp"
    tsp.write_text(
        "NAME : two\nCOMMENT : first\nCOMMENT : second\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "NODE_COORD_SECTION\n1 0 0\n2 3 0\n3 0 4\nEOF\n"
    )
    assert read_tsp(tsp).n_nodes == 3
    vrp = tmp_path / "two.vrp"
    vrp.write_text(
        "NAME : two\nCOMMENT : first\nCOMMENT : second\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n"
        "CAPACITY : 10\nNODE_COORD_SECTION\n1 0 0\n2 3 0\n3 0 4\n"
        "DEMAND_SECTION\n1 0\n2 4\n3 5\nDEPOT_SECTION\n1\n-1\nEOF\n"
    )
    assert read_cvrp(vrp).n_customers == 2
