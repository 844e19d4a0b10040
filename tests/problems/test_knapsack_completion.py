"""Greedy completions (the pilot method's lookahead) and the pilot baseline."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from cosolve.baselines.knapsack_greedy import pilot_fill, ratio_greedy
from cosolve.methods import MethodSpec, Settings
from cosolve.problems import knapsack
from cosolve.problems.knapsack import methods
from cosolve.problems.knapsack.completion import greedy_completions
from cosolve.problems.knapsack.env import reset, step, to_solutions

KINDS = ["uncorrelated", "weak", "strong", "subset"]


def test_completions_of_a_hand_checked_instance():
    # Ratios 2, 1.25, 2, 1: the greedy order is items 0, 2, 1, 3; capacity 7.
    instance = knapsack.Instance("hand", np.array([6, 5, 4, 3]), np.array([3, 4, 2, 3]), 7)
    completions = greedy_completions(reset([instance]))
    # 0: then 2 (room 2), 1 and 3 passed over; 1: then 0 (room 0); 2: then 0; 3: then 0 (room 1)
    assert completions.value.tolist() == [[10, 11, 10, 9]]
    assert completions.unused.tolist() == [[2, 0, 2, 1]]
    state = pilot_fill(reset([instance]))
    assert state.value.tolist() == [11]  # the optimum; the ratio greedy stops at 10
    assert ratio_greedy(state.values, state.weights, state.capacity).tolist() == [[True, False, True, False]]


def test_completions_after_a_step_and_of_a_finished_instance():
    instance = knapsack.Instance("hand", np.array([6, 5, 4, 3]), np.array([3, 4, 2, 3]), 7)
    empty = knapsack.Instance("empty", np.array([1, 1, 1, 1]), np.array([8, 8, 8, 8]), 7)  # nothing fits
    state = step(reset([instance, empty]), torch.tensor([2, 4]))  # take item 2 (5 left); stop
    completions = greedy_completions(state)
    # 0: room 2, items 1 and 3 too heavy; 1: room 1; 3: room 2, item 0 (weight 3) no longer fits
    assert completions.value.tolist() == [[10, 9, -1, 7], [-1, -1, -1, -1]]
    assert completions.unused.tolist() == [[2, 1, 0, 2], [0, 0, 0, 0]]


def _reference(values, weights, remaining, value, live) -> tuple[list[int], list[int]]:
    """One instance's completions, written from the definition with exact ratios."""
    order = sorted(np.flatnonzero(live).tolist(), key=lambda j: (-Fraction(int(values[j]), int(weights[j])), j))
    totals, unused = [], []
    for item in range(len(values)):
        if not live[item]:
            totals.append(-1)
            unused.append(0)
            continue
        room, total = remaining - int(weights[item]), value + int(values[item])
        for other in order:
            if other != item and weights[other] <= room:
                room -= int(weights[other])
                total += int(values[other])
        totals.append(total)
        unused.append(room)
    return totals, unused


@given(st.sampled_from(KINDS), st.integers(1, 30), st.integers(1, 5), st.integers(0, 10_000), st.integers(0, 6))
def test_batched_completions_equal_the_per_instance_definition(kind, n, batch, seed, steps):
    instances = knapsack.generate(f"{kind}{n}", batch, seed=seed)
    state = reset(instances)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):  # a few random feasible actions first (stop now and then)
        step(state, torch.multinomial(state.mask.double(), 1, generator=generator).squeeze(1))
    completions = greedy_completions(state)
    live = state.fits.numpy()
    for k in range(batch):
        totals, unused = _reference(
            state.values[k].numpy(), state.weights[k].numpy(), int(state.remaining[k]), int(state.value[k]), live[k]
        )
        assert completions.value[k].tolist() == totals
        assert completions.unused[k].tolist() == unused


@given(st.sampled_from(KINDS), st.integers(1, 40), st.integers(1, 4), st.integers(0, 10_000))
def test_pilot_is_checked_and_never_below_the_ratio_greedy(kind, n, batch, seed):
    instances = knapsack.generate(f"{kind}{n}", batch, seed=seed)
    state = pilot_fill(reset(instances))
    greedy = ratio_greedy(state.values, state.weights, state.capacity)  # with the best single item
    first = greedy_completions(reset(instances)).value.amax(dim=1)
    for k, (instance, solution) in enumerate(zip(instances, to_solutions(state))):
        knapsack.check(instance, solution)
        assert knapsack.evaluate(instance, solution) == int(state.value[k])
        assert int(state.value[k]) >= int(first[k])  # the best first completion stays reachable
        assert int(state.value[k]) >= int(instance.values[greedy[k].numpy()].sum())


def test_pilot_method_runs_batched_and_rejects_variants():
    import pytest

    from cosolve.errors import CosolveInputError

    assert methods.METHODS["pilot"].batched
    instances = knapsack.generate("strong50", 4, seed=3)
    outputs = methods.METHODS["pilot"].run(instances, MethodSpec.parse("pilot"), Settings(device="cpu"))
    for instance, output in zip(instances, outputs):
        knapsack.check(instance, output.solution)
    for bad in ("pilot:deep", "pilot:x=1"):
        with pytest.raises(CosolveInputError, match="method"):
            methods.METHODS["pilot"].validate(MethodSpec.parse(bad))
