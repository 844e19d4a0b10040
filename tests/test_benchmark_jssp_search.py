"""The job shop search benchmark: rows appended per measurement, a rerun resumes, the report."""

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import _common  # noqa: E402
import jssp_search  # noqa: E402


def test_rows_resume_and_the_report_summarises_them(tmp_path, monkeypatch):
    monkeypatch.setattr(jssp_search, "ROWS", tmp_path / "rows.csv")
    monkeypatch.setattr(jssp_search, "RESULTS", tmp_path)
    monkeypatch.setattr(_common, "RESULTS", tmp_path)
    methods = ["rule:mwkr", "tabu:start=mwkr:iters=100"]
    jssp_search.run("ta", methods, [0.5], workers=1, first=1, last=1)
    jssp_search.run("ta", methods, [0.5], workers=1, first=1, last=1)  # nothing left to do
    rows = list(csv.DictReader((tmp_path / "rows.csv").open()))
    assert [row["method"] for row in rows] == methods
    rule, tabu = (float(row["gap"]) for row in rows)
    assert tabu <= rule and rows[0]["group"] == "15x15"
    jssp_search.report()
    summary = json.loads((tmp_path / "jssp_search.json").read_text())["groups"]["ta 15x15"]
    assert summary["rule:mwkr"]["0.5"] == {"mean_gap": rule, "instances": 1}
    assert (tmp_path / "jssp_search.png").stat().st_size > 0


def test_fixed_work_methods_run_per_group_as_one_batch(tmp_path, monkeypatch):
    monkeypatch.setattr(jssp_search, "ROWS", tmp_path / "rows.csv")
    monkeypatch.setattr(jssp_search, "RESULTS", tmp_path)
    monkeypatch.setattr(_common, "RESULTS", tmp_path)
    method = "tabu:start=fdd-mwkr:iters=50"
    jssp_search.run_batched("ta", [method], workers=1, first=1, last=2)
    jssp_search.run_batched("ta", [method], workers=1, first=1, last=2)  # nothing left to do
    rows = list(csv.DictReader((tmp_path / "rows.csv").open()))
    assert [(row["instance"], float(row["budget_s"])) for row in rows] == [("ta01", 0.0), ("ta02", 0.0)]
    assert rows[0]["runtime_s"] == rows[1]["runtime_s"]  # the batch's time, shared
    jssp_search.report()
    table = jssp_search.markdown(json.loads((tmp_path / "jssp_search.json").read_text())["groups"])
    assert f"| group | {method} |" in table
