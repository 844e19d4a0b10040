"""``cosolve simulate``: methods over shutdown scenarios, the CSV rows, the Gantt chart, bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from cli_support import error_line, plain_console, run  # noqa: F401 (a fixture)

from cosolve.baselines.jssp_dynamic_rules import simulate_rule
from cosolve.problems.jssp import read
from cosolve.problems.jssp.dynamic.env import Dynamics
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel
from cosolve.simulate import parse_seeds

ROOT = Path(__file__).resolve().parents[1]
FT06 = ROOT / "instances" / "jssp" / "ft06.jsp"


pytestmark = pytest.mark.usefixtures("plain_console")


def test_simulate_prints_the_summary_and_writes_rows_and_a_chart(tmp_path, capsys):
    rows_path, chart = tmp_path / "rows.csv", tmp_path / "gantt.png"
    argv = [FT06, "--shutdown-prob", "0.02", "--blocking", "--swap", "--interrupt", "resume", "--seeds", "1..4"]
    argv += ["--methods", "gnn,rule:mwkr,rule:spt,reopt", "--time-limit", "0.3", "--csv", rows_path, "--plot", chart]
    assert run(["simulate", *argv]) == 0
    out = capsys.readouterr().out
    for method in ("gnn", "rule:mwkr", "rule:spt", "reopt"):
        assert method in out
    with rows_path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["method", "seed", "makespan", "decision_time_s"]
    assert [(row["method"], row["seed"]) for row in rows[:4]] == [("gnn", str(s)) for s in range(1, 5)]
    assert len(rows) == 16 and all(float(row["decision_time_s"]) >= 0 for row in rows)
    dynamics = Dynamics(ShutdownModel(prob=0.02), interrupt="resume", blocking=True, swap=True)
    expected = simulate_rule([read(FT06)] * 4, "mwkr", dynamics, seeds=[1, 2, 3, 4])
    assert [int(row["makespan"]) for row in rows if row["method"] == "rule:mwkr"] == [e.makespan for e in expected]
    assert chart.stat().st_size > 1000


def test_the_lookahead_dispatcher_runs_from_the_cli(tmp_path, capsys):
    rows_path = tmp_path / "rows.csv"
    argv = [FT06, "--shutdown-prob", "0.05", "--blocking", "--swap", "--seeds", "1..3", "--csv", rows_path]
    assert run(["simulate", *argv, "--methods", "pilot,pilot:spt,rule:spt"]) == 0
    rows = list(csv.DictReader(rows_path.open()))
    makespans = {
        method: [int(row["makespan"]) for row in rows if row["method"] == method]
        for method in ("pilot", "pilot:spt", "rule:spt")
    }
    assert all(len(values) == 3 for values in makespans.values())
    assert sum(makespans["pilot"]) < sum(makespans["rule:spt"])  # measured on ft06: mean 95.7 vs 116.3


def test_deadlocks_without_swaps_are_counted_not_crashed(tmp_path, capsys):
    rows_path = tmp_path / "rows.csv"
    assert run(["simulate", FT06, "--blocking", "--seeds", "1..2", "--methods", "rule:spt", "--csv", rows_path]) == 0
    out = capsys.readouterr().out
    rows = list(csv.DictReader(rows_path.open()))
    deadlocked = [row for row in rows if row["makespan"] == ""]
    assert "rule:spt" in out and len(rows) == 2
    assert deadlocked == rows  # ft06 under spt with blocking and no swaps jams at once


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--seeds", "5..x"], "--seeds"),
        (["--repair", "9"], "--repair"),
        (["--methods", "magic"], "unknown method"),
        (["--methods", "rule:nope"], "unknown rule"),
        (["--methods", "pilot:mor+nope"], "unknown rule"),
        (["--shutdown-prob", "1.5"], "shutdown probability"),
        (["--swap"], "blocking"),
        (["--interrupt", "pause"], "interrupt"),
        (["--methods", "gnn:checkpoint=/nonexistent.pt"], "no such checkpoint"),
        (["--methods", "gnn:chekpoint=a.pt"], "unknown option 'chekpoint'"),
        (["--methods", "gnn:fast"], "gnn takes options only"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(extra, needle, capsys):
    assert run(["simulate", FT06, "--seeds", "1", *extra]) == 2
    assert needle in error_line(capsys)


def test_a_bad_method_stops_the_run_before_any_simulation(tmp_path, capsys, monkeypatch):
    """Regression: a bad method after good ones was found only once those had run (minutes of
    simulation on a large shop thrown away)."""
    import cosolve.simulate

    simulated = []
    monkeypatch.setattr(cosolve.simulate, "run_method", lambda *args, **kwargs: simulated.append(args) or [])
    out = tmp_path / "rows.csv"
    assert run(["simulate", FT06, "--seeds", "1..3", "--methods", "rule:spt,reopt,rule:nope", "--csv", str(out)]) == 2
    assert "unknown rule" in error_line(capsys)
    assert simulated == []
    assert not out.exists()


def test_existing_outputs_are_kept_without_force(tmp_path, capsys):
    existing = tmp_path / "rows.csv"
    existing.write_text("keep me\n")
    assert run(["simulate", FT06, "--seeds", "1", "--methods", "rule:spt", "--csv", existing]) == 2
    assert "--force" in error_line(capsys) and existing.read_text() == "keep me\n"


def test_non_job_shop_files_are_refused(capsys):
    knapsack = next((ROOT / "instances" / "knapsack").glob("*.kp"))
    assert run(["simulate", knapsack, "--seeds", "1"]) == 2
    assert "job shop" in error_line(capsys)


def test_seed_lists():
    assert parse_seeds("1..3") == [1, 2, 3] and parse_seeds("4, 9") == [4, 9] and parse_seeds("7") == [7]


def test_train_a_dynamic_policy_and_simulate_with_it(tmp_path, capsys):
    out = tmp_path / "dynamic.pt"
    argv = ["train", "jssp", "--mode", "dynamic", "--sizes", "5x5", "--batch-size", "8", "--validate-every", "1"]
    assert run([*argv, "--episodes", "1", "--out", out]) == 0
    assert "best validation" in capsys.readouterr().out and out.is_file()
    assert run([*argv, "--episodes", "1", "--out", out]) == 2  # exists: --force or --resume
    assert "--force" in error_line(capsys)
    assert run([*argv, "--episodes", "2", "--out", out, "--resume", f"{out}.last"]) == 0
    assert "iteration 2:" in capsys.readouterr().out
    assert run(["simulate", FT06, "--seeds", "1..2", "--methods", f"gnn:checkpoint={out}"]) == 0
    assert "gnn:checkpoint" in capsys.readouterr().out


def test_blocking_shops_get_the_blocking_policy():
    from cosolve.problems.jssp.dynamic.methods import default_checkpoint

    assert default_checkpoint(Dynamics(blocking=True, swap=True)).name == "jssp_dynamic_blocking.pt"
    assert default_checkpoint(Dynamics(ShutdownModel(prob=0.01))).name == "jssp_dynamic.pt"
