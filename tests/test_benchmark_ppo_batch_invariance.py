"""The batch-invariance benchmark's summary: finals per batch and their spreads, by hand."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
import ppo_batch_invariance as bench  # noqa: E402


def test_spreads_of_the_final_scores_across_batch_sizes():
    finals = {
        ("ppo", 4): [1.0, 0.9],
        ("ppo", 16): [0.98, 0.95],
        ("ppo-ewma", 4): [0.97, 0.96],
        ("ppo-ewma", 16): [0.96, 0.96],
    }
    results = {
        bench.key(a, b, s): {"score": [1.2, final]} for (a, b), runs in finals.items() for s, final in enumerate(runs)
    }
    summary = bench.spreads(results, [4, 16], [0, 1])
    assert summary["ppo"]["final"] == pytest.approx({4: 0.95, 16: 0.965})
    assert summary["ppo"]["spread_per_seed"] == pytest.approx([0.02, 0.05])
    assert summary["ppo"]["spread"] == pytest.approx(0.035)
    assert summary["ppo"]["spread_of_means"] == pytest.approx(0.015)
    assert summary["ppo-ewma"]["spread"] == pytest.approx(0.005)


def test_an_algorithm_with_missing_runs_is_left_out():
    results = {bench.key("ppo", b, 0): {"score": [0.9]} for b in (4, 16)}
    assert list(bench.spreads(results, [4, 16], [0])) == ["ppo"]
    assert bench.spreads(results, [4, 16], [0, 1]) == {}


def test_the_reference_batch_scales_by_the_papers_rules():
    ewma = bench.scale_batch(bench.base_args("p.pt", "6x6", 16, 0, "ppo-ewma"), 4.0)
    plain = bench.scale_batch(bench.base_args("p.pt", "6x6", 16, 0, "ppo"), 4.0)
    assert ewma.learning_rate == plain.learning_rate == pytest.approx(4e-3)
    assert plain.ewma_decay is None and ewma.ewma_decay == pytest.approx(0.5789, abs=1e-4)
