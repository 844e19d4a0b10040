"""The CLI on TSP, CVRP and knapsack files: solve (JSON, plot), compare, generate, train."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cosolve.cli import main
from cosolve.instances import path_of
from cosolve.problems import tsp


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    return caught.value.code


def test_solve_writes_a_checked_tour_and_a_plot(tmp_path, capsys):
    out, plot = tmp_path / "s.json", tmp_path / "t.png"
    assert run(["solve", str(path_of("tsp", "eil51")), "--out", str(out), "--plot", str(plot)]) == 0
    data = json.loads(out.read_text())
    assert data["problem"] == "tsp" and data["instance"] == "eil51" and data["best_known"] == 426
    instance = tsp.read(path_of("tsp", "eil51"))
    solution = tsp.solution_from_json(data["solution"])
    tsp.check(instance, solution)
    assert tsp.evaluate(instance, solution) == data["objective"] and data["gap_percent"] < 10
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_compare_rules_and_ortools(tmp_path, capsys):
    csv = tmp_path / "c.csv"
    files = [str(path_of("tsp", name)) for name in ("eil51", "berlin52")]
    code = run(
        [
            "compare",
            *files,
            "--methods",
            "rule:farthest,rule:nearest:2opt,ortools",
            "--time-limit",
            "0.5",
            "--csv",
            str(csv),
        ]
    )
    assert code == 0
    rows = csv.read_text().splitlines()
    assert len(rows) == 1 + 2 * 3 and "berlin52" in rows[-1]


def test_generate_then_solve(tmp_path, capsys):
    assert run(["generate", "tsp", "--size", "clustered40", "--count", "2", "--out", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("*.tsp"))
    assert len(files) == 2
    instance = tsp.read(files[0])
    assert instance.n_nodes == 40 and instance.edge_weight_type == "EUC_2D"
    assert run(["solve", str(files[0]), "--method", "rule:cheapest"]) == 0


def test_bad_tsp_file_is_one_line_error(tmp_path, capsys):
    path = tmp_path / "bad.tsp"
    path.write_text("NAME : bad\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n")
    assert run(["solve", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.tsp" in err and "DIMENSION is 3" in err


@pytest.mark.parametrize("method", ["rule:bogus", "rule:nearest:3opt", "ortools:fast"])
def test_unknown_tsp_methods(method, capsys):
    assert run(["solve", str(path_of("tsp", "eil51")), "--method", method]) == 2


def test_explicit_instance_solves_but_cannot_be_plotted(tmp_path, capsys):
    path = tmp_path / "m.tsp"
    matrix = np.array([[0, 2, 9, 10], [2, 0, 6, 4], [9, 6, 0, 8], [10, 4, 8, 0]])
    body = "\n".join(" ".join(map(str, row)) for row in matrix)
    path.write_text(
        "NAME : m\nTYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EXPLICIT\nEDGE_WEIGHT_FORMAT : FULL_MATRIX\n"
        f"EDGE_WEIGHT_SECTION\n{body}\nEOF\n"
    )
    assert run(["solve", str(path), "--method", "ortools", "--time-limit", "0.2"]) == 0
    assert "23" in capsys.readouterr().out  # 0-1-3-2-0: 2 + 4 + 8 + 9
    assert run(["solve", str(path), "--plot", str(tmp_path / "m.png")]) == 2


def test_render_can_be_called_twice_in_one_process(tmp_path):
    """Regression: a submodule named ``render`` replaced the package's ``render`` function
    after its first call (importing a submodule sets the package attribute)."""
    from cosolve.problems import jssp

    for problem, name in ((tsp, "eil51"), (jssp, "ft06")):
        instance = problem.read(path_of(problem.NAME, name))
        from cosolve.solve import solve

        solution = solve(problem.NAME, [instance], None)[0].solution
        for attempt in range(2):
            problem.render(instance, solution, str(tmp_path / f"{name}{attempt}.png"))
            assert (tmp_path / f"{name}{attempt}.png").exists()


def test_cvrp_solve_writes_checked_routes(tmp_path, capsys):
    from cosolve.problems import cvrp

    out = tmp_path / "s.json"
    assert run(["solve", str(path_of("cvrp", "A-n32-k5")), "--out", str(out), "--plot", str(tmp_path / "r.png")]) == 0
    data = json.loads(out.read_text())
    assert data["problem"] == "cvrp" and data["best_known"] == 784 and data["method"] == "savings"
    instance = cvrp.read(path_of("cvrp", "A-n32-k5"))
    solution = cvrp.solution_from_json(data["solution"])
    cvrp.check(instance, solution)
    assert cvrp.evaluate(instance, solution) == data["objective"]
    assert all(1 <= customer <= 31 for route in data["solution"]["routes"] for customer in route)


def test_train_tsp_then_solve_with_the_checkpoint(tmp_path, capsys):
    out = tmp_path / "tsp.pt"
    argv = [
        "train",
        "tsp",
        "--sizes",
        "8,10",
        "--experts",
        "20",
        "--expert",
        "2opt",
        "--episodes",
        "20",
        "--batch-size",
        "8",
        "--validate-every",
        "10",
        "--out",
        str(out),
        "--device",
        "cpu",
    ]
    assert run(argv) == 0
    assert out.exists() and (tmp_path / "tsp.pt.csv").exists()
    assert run(["solve", str(path_of("tsp", "eil51")), "--method", f"gnn:checkpoint={out}"]) == 0
    assert run(argv) == 2  # exists: needs --force or --resume
    assert run(argv[:-2] + ["--resume", f"{out}.last", "--device", "cpu"]) == 0


def test_train_cvrp_then_solve_with_the_checkpoint(tmp_path):
    out = tmp_path / "cvrp.pt"
    argv = ["train", "cvrp", "--sizes", "8,10", "--experts", "16", "--expert", "savings", "--steps", "12"]
    argv += ["--batch-size", "8", "--validate-every", "6", "--out", str(out), "--device", "cpu"]
    assert run(argv) == 0
    assert out.exists() and (tmp_path / "cvrp.pt.csv").read_text().startswith("step,")
    assert run(["solve", str(path_of("cvrp", "A-n32-k5")), "--method", f"gnn:checkpoint={out}"]) == 0


def test_the_default_tsp_method_solves_a_matrix_only_file(tmp_path):
    from cosolve.problems import tsp

    rows = ["0 3 4 2 7", "3 0 4 6 3", "4 4 0 5 8", "2 6 5 0 6", "7 3 8 6 0"]
    text = "NAME: m5\nTYPE: TSP\nDIMENSION: 5\nEDGE_WEIGHT_TYPE: EXPLICIT\nEDGE_WEIGHT_FORMAT: FULL_MATRIX\n"
    path = tmp_path / "m5.tsp"
    path.write_text(text + "EDGE_WEIGHT_SECTION\n" + "\n".join(rows) + "\nEOF\n")
    out = tmp_path / "m5.json"
    assert run(["solve", str(path), "--out", str(out)]) == 0  # gnn:2opt on the embedded matrix
    data = json.loads(out.read_text())
    instance = tsp.read(path)
    tsp.check(instance, tsp.solution_from_json(data["solution"]))
    assert data["method"] == "gnn:2opt" and data["objective"] == tsp.evaluate(
        instance, tsp.solution_from_json(data["solution"])
    )


def test_knapsack_solve_reaches_the_optimum_of_a_shipped_instance(tmp_path, capsys):
    from cosolve.problems import knapsack

    out = tmp_path / "s.json"
    name = "knapPI_1_100_1000_1"
    assert run(["solve", str(path_of("knapsack", name)), "--method", "ortools", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["problem"] == "knapsack" and data["objective"] == data["best_known"] == 9147
    instance = knapsack.read(path_of("knapsack", name))
    knapsack.check(instance, knapsack.solution_from_json(data["solution"]))
    assert run(["solve", str(path_of("knapsack", name))]) == 0  # the default (greedy)


def test_a_knapsack_file_of_capacity_one_is_not_taken_for_a_one_machine_job_shop(tmp_path):
    """Regression: job shop's sniff accepted any "n 1" header followed by n pairs of numbers."""
    from cosolve.registry import detect_problem

    knapsack_file = tmp_path / "k.txt"
    knapsack_file.write_text("3 1\n5 1\n4 2\n3 1\n")
    assert detect_problem(knapsack_file) == "knapsack"
    shop = tmp_path / "s.txt"
    shop.write_text("2 1\n0 5\n0 3\n")
    assert detect_problem(shop) == "jssp"


def test_cli_trains_a_knapsack_policy_and_solves_with_it(tmp_path):
    from cosolve.checkpoint import load_checkpoint

    out = tmp_path / "kp.pt"
    argv = ["train", "knapsack", "--sizes", "strong15,weak20", "--experts", "24", "--steps", "12"]
    argv += ["--batch-size", "8", "--validate-every", "6", "--out", str(out), "--device", "cpu"]
    assert run(argv) == 0
    assert out.exists() and (tmp_path / "kp.pt.csv").read_text().startswith("step,")
    assert load_checkpoint(out, "knapsack")["policy"]["config"]["hidden"] == 64  # the knapsack default network
    path = tmp_path / "k.kp"
    path.write_text("4 10\n10 5\n6 2\n9 9\n1 4\n")
    assert run(["solve", str(path), "--method", f"gnn:starts=2:checkpoint={out}"]) == 0


def test_the_shipped_knapsack_policy_solves_a_shipped_instance(tmp_path):
    from cosolve.problems import knapsack

    out = tmp_path / "k.json"
    name = "knapPI_1_100_1000_1"
    assert run(["solve", str(path_of("knapsack", name)), "--method", "gnn:starts=4", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    instance = knapsack.read(path_of("knapsack", name))
    knapsack.check(instance, knapsack.solution_from_json(data["solution"]))
    assert data["method"] == "gnn:starts=4" and data["objective"] <= data["best_known"] == 9147
