"""The comparison of the shipped-objectives regression harness (benchmarks/shipped_objectives.py)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import shipped_objectives  # noqa: E402

BEFORE = {
    "jssp/15x15/ta01/gnn": 1461,
    "jssp/15x15/ta02/gnn": 1429,
    "tsp/random100/u0/gnn:2opt": 7.912345678901234,
    "dynamic/la10x10/p0.02+blocking/la16_seed3/gnn": 1700,
}


def test_identical_objectives_pass_with_one_row_per_set_and_method():
    text, identical = shipped_objectives.compare(BEFORE, dict(BEFORE))
    assert identical
    assert "| jssp/15x15 | gnn | 1445 | 1445 | 2 / 2 |" in text
    assert "| dynamic/la10x10/p0.02+blocking | gnn | 1700 | 1700 | 1 / 1 |" in text
    assert "4 of 4 objectives identical." in text


def test_a_changed_or_missing_objective_fails_and_is_named():
    after = {**BEFORE, "jssp/15x15/ta02/gnn": 1430, "tsp/random100/u0/gnn:2opt": 7.912345678901235}
    del after["dynamic/la10x10/p0.02+blocking/la16_seed3/gnn"]
    text, identical = shipped_objectives.compare(BEFORE, after)
    assert not identical
    assert "| jssp/15x15 | gnn | 1445 | 1445.5 | 1 / 2 **differs** |" in text
    assert "| tsp/random100 | gnn:2opt | 7.91235 | 7.91235 | 0 / 1 **differs** |" in text  # exact, not rounded
    assert "| dynamic/la10x10/p0.02+blocking | gnn | 1700 | - | 0 / 1 **differs** |" in text
    assert "1 of 4 objectives identical." in text
    assert "- jssp/15x15/ta02/gnn: before 1429, after 1430" in text
    assert "- dynamic/la10x10/p0.02+blocking/la16_seed3/gnn: before 1700, after missing" in text


@pytest.mark.parametrize("change, code", [({}, 0), ({"jssp/15x15/ta01/gnn": 1462}, 1)])
def test_compare_exits_1_on_any_difference(tmp_path, monkeypatch, capsys, change, code):
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    before.write_text(json.dumps(BEFORE))
    after.write_text(json.dumps({**BEFORE, **change}))
    monkeypatch.setattr(sys, "argv", ["shipped_objectives.py", "--compare", str(before), str(after)])
    with pytest.raises(SystemExit) as stop:
        shipped_objectives.main()
    assert stop.value.code == code
    assert "| set | method | mean before | mean after | identical / total |" in capsys.readouterr().out
