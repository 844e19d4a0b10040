"""The CLI on bin packing files: solve (JSON, plot), --index on OR-Library files, compare, generate, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cosolve.cli import main
from cosolve.instances import path_of
from cosolve.problems import binpacking

DATA = Path(__file__).resolve().parent / "data" / "binpacking"


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    return caught.value.code


def _checked(out: Path, path: Path) -> dict:
    data = json.loads(out.read_text())
    instance = binpacking.read(path)
    solution = binpacking.solution_from_json(data["solution"])
    binpacking.check(instance, solution)
    assert binpacking.evaluate(instance, solution) == data["objective"] == len(data["solution"]["bins"])
    return data


def test_solve_default_method_writes_checked_bins_and_a_plot(tmp_path, capsys):
    path, out, plot = path_of("binpacking", "Falkenauer_u120_02"), tmp_path / "s.json", tmp_path / "p.png"
    assert run(["solve", str(path), "--out", str(out), "--plot", str(plot)]) == 0
    data = _checked(out, path)
    assert data["problem"] == "binpacking" and data["method"] == "gnn" and data["best_known"] == 46
    assert data["objective"] <= 47 and data["bound"] == 46 and data["status"] == "heuristic"  # FFD: 47
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_solve_with_cpsat_proves_the_optimum(tmp_path, capsys):
    path, out = path_of("binpacking", "Falkenauer_u120_11"), tmp_path / "s.json"
    assert (
        run(["solve", str(path), "--method", "cpsat", "--time-limit", "10", "--workers", "1", "--out", str(out)]) == 0
    )
    data = _checked(out, path)
    assert data["objective"] == data["best_known"] == data["bound"] == 49 and data["status"] == "optimal"
    assert data["gap_percent"] == 0


def test_index_picks_one_problem_of_an_orlib_file(tmp_path, capsys):
    path, out = DATA / "binpack5_sample.txt", tmp_path / "s.json"
    assert run(["solve", str(path), "--index", "1", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["instance"] == "t60_01" and data["best_known"] == 20  # found by content, scaled by 10
    instance = binpacking.read_all(path)[1].instance
    binpacking.check(instance, binpacking.solution_from_json(data["solution"]))


def test_index_all_solves_every_problem_and_compare_takes_it_too(tmp_path, capsys):
    path = DATA / "binpack1_sample.txt"
    assert run(["solve", str(path), "--index", "all", "--method", "rule:bfd"]) == 0
    printed = capsys.readouterr().out
    assert "u120_00" in printed and "u120_01" in printed
    csv = tmp_path / "c.csv"
    assert run(["compare", str(path), "--index", "all", "--methods", "rule:ff,rule:ffd", "--csv", str(csv)]) == 0
    rows = csv.read_text().splitlines()
    assert len(rows) == 1 + 2 * 2 and rows[1].startswith("u120_00,rule:ff,")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--index", "2"], "--index '2': expected all or an instance number in 0..1"),
        (["--index", "all", "--out", "x.json"], "--out and --plot take one instance"),
        ([], "holds 2 instances"),
    ],
)
def test_index_errors(argv, fragment, capsys):
    assert run(["solve", str(DATA / "binpack1_sample.txt"), *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and fragment in err


def test_index_on_a_one_instance_problem_is_an_error(capsys):
    assert run(["solve", str(path_of("jssp", "ft06")), "--index", "0"]) == 2
    assert "jssp files hold one instance each" in capsys.readouterr().err


def test_malformed_file_is_one_error_line_naming_file_and_line(tmp_path, capsys):
    path = tmp_path / "bad.bpp"
    path.write_bytes(b"3\r\n100\r\n40\r\n120\r\n30\r\n")
    assert run(["solve", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}:4:" in err and "larger than the capacity 100" in err


def test_generate_then_solve(tmp_path, capsys):
    assert run(["generate", "binpacking", "--size", "t60", "--count", "2", "--out", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("*.bpp"))
    assert [f.name for f in files] == ["t60_s0_0000.bpp", "t60_s0_0001.bpp"]
    out = tmp_path / "s.json"
    assert run(["solve", str(files[0]), "--method", "rule:bfd", "--out", str(out)]) == 0
    data = _checked(out, files[0])
    assert data["bound"] == 20 <= data["objective"]  # triplets: n / 3 bins are optimal, and L2 knows it


@pytest.mark.parametrize("method", ["rule:xfd", "cpsat:mip", "ortools"])
def test_unknown_methods(method, capsys):
    assert run(["solve", str(path_of("binpacking", "HARD0")), "--method", method]) == 2


@pytest.mark.parametrize("method", ["gnn", "gnn:offline:sample=3", "gnn:online"])
def test_shipped_learned_policies_solve_from_a_file(method, tmp_path, capsys):
    path, out = path_of("binpacking", "Falkenauer_u120_02"), tmp_path / "s.json"
    assert run(["solve", str(path), "--method", method, "--device", "cpu", "--out", str(out)]) == 0
    data = _checked(out, path)
    assert data["method"] == method and data["bound"] == 46 <= data["objective"]
    if method != "gnn:online":
        assert data["objective"] <= 47  # first fit decreasing's bins on this file
