"""The library entry points: ``cosolve.solve`` and ``cosolve.compare``."""

from __future__ import annotations

import csv
import io
import json
import math
import shutil
from pathlib import Path

import pytest

from cosolve.compare import CSV_COLUMNS, compare, expand_paths, mean_gaps, to_csv, write_csv
from cosolve.errors import CosolveInputError
from cosolve.methods import Settings
from cosolve.problems import jssp
from cosolve.solve import Result, gap_percent, solve

ROOT = Path(__file__).resolve().parents[1]
FT06 = ROOT / "instances" / "jssp" / "ft06.jsp"
LA01 = ROOT / "instances" / "jssp" / "la01.jsp"
CPU = Settings(time_limit_s=5.0, workers=1, device="cpu", seed=0)


@pytest.fixture(scope="module")
def ft06_instance():
    return jssp.read(FT06)


@pytest.fixture(scope="module")
def la01_instance():
    return jssp.read(LA01)


# ---------------------------------------------------------------- gap_percent


def test_gap_percent_min_sense():
    assert gap_percent(110, 100, "min") == pytest.approx(10.0)
    assert gap_percent(100, 100, "min") == 0.0
    assert gap_percent(90, 100, "min") == pytest.approx(-10.0)
    assert gap_percent(61, 55, "min") == pytest.approx(600 / 55)


def test_gap_percent_max_sense():
    assert gap_percent(90, 100, "max") == pytest.approx(10.0)
    assert gap_percent(100, 100, "max") == 0.0
    assert gap_percent(110, 100, "max") == pytest.approx(-10.0)


def test_gap_percent_negative_best_known():
    # relative to |best_known|, positive when worse
    assert gap_percent(-90, -100, "min") == pytest.approx(10.0)
    assert gap_percent(-110, -100, "max") == pytest.approx(10.0)


@pytest.mark.parametrize("sense", ["min", "max"])
def test_gap_percent_zero_best_known(sense):
    assert gap_percent(0, 0, sense) == 0.0
    worse = 5 if sense == "min" else -5
    assert gap_percent(worse, 0, sense) == math.inf


@pytest.mark.parametrize("sense, better", [("min", -5), ("max", 5)])
def test_gap_percent_zero_best_known_better_is_not_worse(sense, better):
    """The gap is positive only when the objective is worse than the best known value;
    an objective better than a best known value of 0 must not be reported as infinitely worse."""
    assert not gap_percent(better, 0, sense) > 0


# ---------------------------------------------------------------- Result


def test_result_to_json_keys_and_serialisable(ft06_instance):
    result = solve("jssp", [ft06_instance], "rule:mwkr", CPU)[0]
    data = result.to_json()
    assert set(data) == {
        "problem",
        "instance",
        "method",
        "objective",
        "runtime_s",
        "status",
        "bound",
        "best_known",
        "best_known_optimal",
        "gap_percent",
        "solution",
    }
    assert data["problem"] == "jssp" and data["instance"] == "ft06" and data["method"] == "rule:mwkr"
    assert data["status"] == "heuristic" and data["bound"] is None
    assert data["best_known"] == 55 and data["best_known_optimal"] is True
    assert data["gap_percent"] == pytest.approx(100 * (data["objective"] - 55) / 55, abs=1e-3)
    starts = data["solution"]["start_times"]
    assert len(starts) == 6 and all(len(row) == 6 and all(type(v) is int for v in row) for row in starts)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    solution = jssp.solution_from_json(data["solution"])
    assert jssp.evaluate(ft06_instance, solution) == data["objective"]


def test_result_without_solution_to_json():
    result = Result("jssp", "x", "rule:spt", 10, 0.123456, "heuristic")
    data = result.to_json()
    assert data["solution"] is None and data["gap_percent"] is None and data["best_known"] is None
    assert data["runtime_s"] == 0.1235
    json.dumps(data, allow_nan=False)


def test_result_without_solution_drops_only_the_solution(ft06_instance):
    result = solve("jssp", [ft06_instance], "rule:spt", CPU)[0]
    light = result.without_solution()
    assert light.solution is None
    assert (light.objective, light.best_known, light.gap_percent) == (
        result.objective,
        result.best_known,
        result.gap_percent,
    )


# ---------------------------------------------------------------- solve


def test_solve_mixed_shapes_keeps_order(ft06_instance, la01_instance):
    instances = [ft06_instance, la01_instance, ft06_instance]
    results = solve("jssp", instances, "rule:mwkr", CPU)
    assert [r.instance for r in results] == ["ft06", "la01", "ft06"]
    assert [r.best_known for r in results] == [55, 666, 55]
    for instance, result in zip(instances, results):
        assert result.problem == "jssp" and result.method == "rule:mwkr"
        assert result.solution is not None
        assert result.solution.start_times.shape == instance.shape
        jssp.check(instance, result.solution)
        assert result.objective == jssp.evaluate(instance, result.solution)
        assert result.objective >= result.best_known
        assert result.gap_percent == pytest.approx(gap_percent(result.objective, result.best_known, "min"))
    assert results[0].objective == results[2].objective


def test_solve_ortools_ft06_optimal(ft06_instance):
    result = solve("jssp", [ft06_instance], "ortools", CPU)[0]
    assert result.objective == 55 and result.status == "optimal" and result.bound == 55
    assert result.gap_percent == 0.0
    assert result.objective == jssp.evaluate(ft06_instance, result.solution)


def test_solve_default_method_is_the_shipped_policy(ft06_instance):
    result = solve("jssp", [ft06_instance], None, CPU)[0]
    assert result.method == "gnn"
    assert result.objective == jssp.evaluate(ft06_instance, result.solution)
    assert result.objective >= 55


def test_solve_sampling_with_a_temperature(ft06_instance):
    greedy = solve("jssp", [ft06_instance], "gnn", CPU)[0]
    sampled = solve("jssp", [ft06_instance], "gnn:sample=8:temp=0.5", CPU)[0]
    assert sampled.objective == jssp.evaluate(ft06_instance, sampled.solution)
    assert sampled.objective <= greedy.objective  # the greedy rollout is one of the candidates


def test_solve_empty_list():
    assert solve("jssp", [], "rule:spt", CPU) == []


def test_reference_found_by_content_for_renamed_copy(tmp_path):
    shutil.copy(FT06, tmp_path / "other.jsp")
    instance = jssp.read(tmp_path / "other.jsp")
    result = solve("jssp", [instance], "rule:mwkr", CPU)[0]
    assert result.instance == "other"
    assert result.best_known == 55
    assert result.best_known_optimal is True
    assert result.gap_percent == pytest.approx(100 * (result.objective - 55) / 55)


def test_changed_instance_with_benchmark_name_has_no_reference(tmp_path):
    lines = FT06.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
    values = lines[header + 1].split()
    values[1] = str(int(values[1]) + 1)  # first processing time of job 0
    lines[header + 1] = " ".join(values)
    path = tmp_path / "ft06.jsp"
    path.write_text("\n".join(lines) + "\n")
    instance = jssp.read(path)
    assert instance.name == "ft06"
    result = solve("jssp", [instance], "rule:mwkr", CPU)[0]
    assert result.best_known is None
    assert result.best_known_optimal is False
    assert result.gap_percent is None
    assert result.objective == jssp.evaluate(instance, result.solution)


@pytest.mark.parametrize(
    "method",
    ["rule:nope", "magic", "rule:spt:bogus", "ortools:hint=nope", "ortools:fast", "gnn:temp=0", "gnn:temp=warm"],
)
def test_solve_unknown_method(method, ft06_instance):
    with pytest.raises(CosolveInputError):
        solve("jssp", [ft06_instance], method, CPU)


def test_solve_unknown_problem(ft06_instance):
    with pytest.raises(CosolveInputError):
        solve("nope", [ft06_instance], "rule:spt", CPU)


# ---------------------------------------------------------------- expand_paths


def test_expand_paths_dedupes_and_keeps_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("b.jsp", "a.jsp", "c.jsp"):
        shutil.copy(FT06, tmp_path / name)
    paths = expand_paths(["c.jsp", "*.jsp", "a.jsp", "./c.jsp"])
    assert paths == [Path("c.jsp"), Path("a.jsp"), Path("b.jsp")]


def test_expand_paths_dedupes_spellings_of_one_file(tmp_path, monkeypatch):
    """One file named by a relative and by an absolute path is one file (no repeated rows)."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(FT06, tmp_path / "a.jsp")
    paths = expand_paths(["a.jsp", str(tmp_path / "a.jsp")])
    assert len(paths) == 1


def test_expand_paths_missing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CosolveInputError, match="missing.jsp"):
        expand_paths([str(FT06), "missing.jsp"])


def test_expand_paths_glob_without_match(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CosolveInputError, match="nothing"):
        expand_paths(["nothing*.jsp"])


def test_expand_paths_folder_is_not_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(CosolveInputError, match="folder"):
        expand_paths(["folder"])


# ---------------------------------------------------------------- compare


def test_compare_order_and_objectives_match_solve(ft06_instance, la01_instance, tmp_path):
    shutil.copy(FT06, tmp_path / "copy.jsp")
    copy = jssp.read(tmp_path / "copy.jsp")
    items = [("jssp", ft06_instance), ("jssp", la01_instance), ("jssp", copy)]
    methods = ["rule:spt", "rule:mwkr", "ortools"]
    seen = []
    results = compare(items, methods, CPU, jobs=1, on_result=seen.append)
    assert [(r.instance, r.method) for r in results] == [(i.name, m) for _, i in items for m in methods]
    assert len(seen) == len(results)
    assert all(r.solution is None for r in results)
    for (_, instance), chunk in zip(items, (results[k : k + 3] for k in range(0, 9, 3))):
        for result in chunk:
            alone = solve("jssp", [instance], result.method, CPU)[0]
            assert result.objective == alone.objective
            assert result.best_known == alone.best_known
    assert [r.objective for r in results if r.method == "ortools"] == [55, 666, 55]


def test_compare_rejects_unknown_method_before_work(ft06_instance):
    calls = []
    with pytest.raises(CosolveInputError):
        compare([("jssp", ft06_instance)], ["rule:spt", "rule:nope"], CPU, on_result=calls.append)
    assert calls == []


def test_compare_result_does_not_depend_on_other_instances(ft06_instance):
    """rule:random with a fixed seed gives one instance the same schedule whether it is
    compared alone or together with other files of the same shape (and the same as ``solve``)."""
    others = [("jssp", instance) for instance in jssp.generate("6x6", 3, seed=5)]
    alone = compare([("jssp", ft06_instance)], ["rule:random"], CPU)[0].objective
    together = compare([*others, ("jssp", ft06_instance)], ["rule:random"], CPU)[-1].objective
    assert together == alone
    assert alone == solve("jssp", [ft06_instance], "rule:random", CPU)[0].objective


# ---------------------------------------------------------------- mean_gaps / CSV


def _results():
    return [
        Result("jssp", "a", "m1", 110, 0.5, "heuristic", best_known=100, gap_percent=10.0),
        Result("jssp", "a", "m2", 100, 1.5, "optimal", bound=100, best_known=100, gap_percent=0.0),
        Result("jssp", "b", "m1", 30, 0.25, "heuristic", best_known=20, gap_percent=50.0),
        Result("jssp", "b", "m2", 25.5, 0.75, "feasible", best_known=20, gap_percent=27.5),
        Result("jssp", "c", "m1", 7, 0.25, "heuristic"),
        Result("jssp", "c", "m2", None, 2.0, "unknown"),
    ]


def test_mean_gaps():
    summary = mean_gaps(_results(), ["m1", "m2", "m3"])
    assert list(summary) == ["m1", "m2", "m3"]
    gap, count, runtime = summary["m1"]
    assert gap == pytest.approx(30.0) and count == 2 and runtime == pytest.approx(1.0 / 3)
    gap, count, runtime = summary["m2"]
    assert gap == pytest.approx(13.75) and count == 2 and runtime == pytest.approx(4.25 / 3)
    assert summary["m3"] == (None, 0, 0.0)


def test_to_csv():
    text = to_csv(_results())
    lines = text.splitlines()
    assert lines[0] == "instance,method,objective,best_known,gap_percent,runtime_s"
    assert tuple(lines[0].split(",")) == CSV_COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert rows[0] == {
        "instance": "a",
        "method": "m1",
        "objective": "110",
        "best_known": "100",
        "gap_percent": "10.000",
        "runtime_s": "0.5000",
    }
    assert rows[3]["objective"] == "25.5" and rows[3]["gap_percent"] == "27.500"
    assert rows[4]["best_known"] == "" and rows[4]["gap_percent"] == ""
    assert rows[5]["objective"] == "" and rows[5]["runtime_s"] == "2.0000"


def test_write_csv_never_overwrites_unless_asked(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("keep\n")
    with pytest.raises(CosolveInputError):
        write_csv(path, _results())
    assert path.read_text() == "keep\n"
    write_csv(path, _results(), overwrite=True)
    assert path.read_text() == to_csv(_results())
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_settings_reject_unknown_device(ft06_instance):
    with pytest.raises(CosolveInputError):
        solve("jssp", [ft06_instance], "rule:spt", Settings(device="tpu"))
