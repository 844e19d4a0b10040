"""Tabu search over N5: checked schedules never worse than their start, deterministic for a seed
and an iteration count, the same alone or in a batch; the ``tabu`` method and CP-SAT hinted by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import error_line, plain_console, run  # noqa: F401 (a fixture)

from cosolve.baselines.jssp_rules import run_rule
from cosolve.baselines.jssp_tabu import tabu_search
from cosolve.methods import Settings
from cosolve.problems.jssp.check import check
from cosolve.problems.jssp.check import evaluate as makespan_of
from cosolve.problems.jssp.generate import generate
from cosolve.problems.jssp.io import read
from cosolve.solve import solve

ROOT = Path(__file__).resolve().parents[2]
FT06 = ROOT / "instances" / "jssp" / "ft06.jsp"


def test_tabu_finds_ft06s_optimum_from_a_rule():
    instance = read(FT06)
    start = run_rule([instance], "mwkr")[0]
    (best,) = tabu_search([instance], [start], iterations=2000, seed=0)
    check(instance, best)
    assert makespan_of(instance, start) > 55 == makespan_of(instance, best)


def test_a_batch_is_searched_as_each_instance_alone_and_never_worse_than_its_start():
    shops = generate("8x6", 4, seed=3)
    starts = run_rule(shops, "spt")
    batch = tabu_search(shops, starts, iterations=300, seed=7)
    for shop, start, found in zip(shops, starts, batch):
        check(shop, found)
        assert makespan_of(shop, found) <= makespan_of(shop, start)
    alone = [tabu_search([shop], [start], iterations=300, seed=7)[0] for shop, start in zip(shops, starts)]
    # instance b's random stream depends on its position: compare the first one alone
    assert (alone[0].start_times == batch[0].start_times).all()
    again = tabu_search(shops, starts, iterations=300, seed=7)
    assert all((a.start_times == b.start_times).all() for a, b in zip(batch, again))


def test_a_time_or_an_iteration_limit_is_needed():
    instance = read(FT06)
    with pytest.raises(ValueError, match="time limit or a number of iterations"):
        tabu_search([instance], run_rule([instance], "spt"))


def test_the_tabu_method_and_cp_sat_hinted_by_it():
    instance = read(FT06)
    (tabu,) = solve("jssp", [instance], "tabu:start=spt:iters=500", Settings(device="cpu"))
    assert tabu.objective == 55 and tabu.status == "heuristic"
    (hinted,) = solve("jssp", [instance], "ortools:hint=tabu", Settings(time_limit_s=2.0, workers=1, device="cpu"))
    assert hinted.objective == 55 and hinted.status == "optimal"
    (from_gnn,) = solve("jssp", [instance], "ortools:hint=gnn", Settings(time_limit_s=2.0, workers=1, device="cpu"))
    assert from_gnn.objective == 55


@pytest.mark.usefixtures("plain_console")
@pytest.mark.parametrize(
    ("method", "needle"),
    [
        ("tabu:start=nope", "unknown start 'nope'"),
        ("tabu:iters=0", "iters must be at least 1"),
        ("tabu:iters=-5", "iters must be at least 1"),
        ("tabu:iters=x", "is not an integer"),
        ("tabu:fast", "takes options, not a variant"),
        ("tabu:iters=1_000", "is not an integer"),
        ("tabu:mwkr", "takes options, not a variant"),
        ("ortools:hint=l2s2", "unknown hint 'l2s2'"),
    ],
)
def test_bad_tabu_options_are_one_line_and_exit_2(method, needle, capsys):
    assert run(["solve", FT06, "-m", method]) == 2
    assert needle in error_line(capsys)


@pytest.mark.usefixtures("plain_console")
def test_cli_solves_with_tabu(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert run(["solve", FT06, "-m", "tabu:start=mwkr", "-t", "1", "--device", "cpu", "--out", out]) == 0
    assert "55" in capsys.readouterr().out and out.is_file()


def test_cp_sat_never_ends_above_its_hint_even_without_time_to_load_it():
    """Regression: with 1 s on ta35, CP-SAT hinted by the policy returned no schedule at all."""
    instance = read(ROOT / "instances" / "jssp" / "ta41.jsp")
    settings = Settings(time_limit_s=0.01, workers=1, device="cpu")
    (start,) = solve("jssp", [instance], "gnn", settings)
    (hinted,) = solve("jssp", [instance], "ortools:hint=gnn", settings)
    assert hinted.solution is not None and hinted.objective <= start.objective
