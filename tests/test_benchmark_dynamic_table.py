"""The dynamic job shop benchmark's table arithmetic (benchmarks/dynamic_jobshop.py)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import dynamic_jobshop  # noqa: E402


def result(makespans: dict) -> dict:
    return {"mean": float(np.mean(list(makespans.values()))), "makespans": makespans}


def test_paired_gap_takes_instances_as_the_units():
    rule = result({"a/1": 100, "a/2": 100, "b/1": 200, "b/2": 200, "c/1": 300, "c/2": 300})
    method = result({"a/1": 90, "a/2": 100, "b/1": 190, "b/2": 200, "c/1": 280, "c/2": 300})
    gap, half_width = dynamic_jobshop.paired_gap(method, rule)
    differences = np.array([-5.0, -5.0, -10.0])  # per instance, over its seeds
    assert gap == pytest.approx(100 * differences.mean() / 200)
    assert half_width == pytest.approx(100 / 200 * 4.303 * differences.std(ddof=1) / np.sqrt(3))


def test_paired_gap_of_one_instance_has_no_interval():
    gap, half_width = dynamic_jobshop.paired_gap(result({"a/1": 110, "a/2": 90}), result({"a/1": 100, "a/2": 100}))
    assert gap == 0.0 and np.isnan(half_width)


def test_the_table_counts_the_cells_gnn_wins(tmp_path):
    """Also a regression: a cell without one of the rules of another cell, or without any rule,
    crashed the table."""
    rows = {
        "s/p0": {
            "rule:spt": result({"a/1": 100, "b/1": 200}),
            "rule:mor": result({"a/1": 105, "b/1": 190}),
            "gnn": result({"a/1": 90, "b/1": 176}),
        },
        "s/p0.01": {"rule:spt": result({"a/1": 100, "b/1": 200}), "gnn": result({"a/1": 130, "b/1": 190})},
        "s/p0.02": {"gnn": result({"a/1": 130, "b/1": 190})},
    }
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"settings": rows}))
    table = dynamic_jobshop.table([str(path)])
    assert "| s | p0 | 150.0 | 147.5 | 133.0 | mor | -9.83 % ± 4.31 | - |" in table
    assert "| s | p0.01 | 150.0 | - | 160.0 | spt | +6.67 % ± " in table
    assert "| s | p0.02 | - | - | 160.0 | - | - | - |" in table
    assert "\ngnn below the best rule in 1 of 2 cells, and by more than the 95 % interval in 1.\n" in table
    assert table.endswith("| p0.01 | 2 | spt | +6.67 % ± 169.41 | no |")  # the pooled table follows


def test_per_setting_pools_the_sets_and_compares_gnn_with_every_rule():
    merged = {
        "s/p0": {"rule:spt": result({"a/1": 100, "b/1": 200}), "gnn": result({"a/1": 95, "b/1": 205})},
        "t/p0": {"rule:spt": result({"c/1": 300}), "rule:mor": result({"c/1": 290}), "gnn": result({"c/1": 280})},
        "s/p0+blocking": {"rule:spt": result({"a/1": 100, "b/1": 200}), "gnn": result({"a/1": 110, "b/1": 200})},
    }
    lines = dynamic_jobshop.per_setting(merged).splitlines()
    # p0: spt pooled over a, b, c: differences -5, +5, -20 -> -20/3 over spt's mean 200
    assert lines[2].startswith("| p0 | 3 | spt | -3.33 % ± ")
    assert lines[2].endswith("| yes |")
    # mor only on c: -10 over 290, one instance, no interval
    assert "mor" not in lines[2]
    assert lines[3] == "| p0+blocking | 2 | spt | +3.33 % ± 42.35 | no |"
