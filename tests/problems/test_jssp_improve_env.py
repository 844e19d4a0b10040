"""The improvement MDP: every state after random moves is consistent with a full recomputation,
rewards add up to the improvement of the best schedule, the previous move cannot be undone, and
the observation points at the right operations."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from jssp_strategies import instances

from cosolve.baselines.jssp_rules import run_rule
from cosolve.problems.jssp import improve as mdp
from cosolve.problems.jssp.check import check
from cosolve.problems.jssp.check import evaluate as makespan_of
from cosolve.problems.jssp.generate import generate
from cosolve.problems.jssp.neighbourhood import orders_from_solution, solution_from_orders


@settings(max_examples=60, deadline=None)
@given(instance=instances(max_jobs=5, max_machines=4), seed=st.integers(0, 2**16), moves=st.integers(1, 12))
def test_random_moves_keep_a_consistent_state(instance, seed, moves):
    start_schedule = run_rule([instance], "random", seed=seed)[0]
    state = mdp.start([instance, instance], [start_schedule, start_schedule])
    rng = np.random.default_rng(seed)
    total = np.zeros(2)
    for _ in range(moves):
        allowed = [np.flatnonzero(state.allowed[b]) for b in range(2)]
        chosen = np.array([rng.choice(a) if len(a) else 0 for a in allowed])
        assert all(len(a) or state.done[b] for b, a in enumerate(allowed))
        total += mdp.step(state, chosen)
        for b in range(2):
            current = solution_from_orders(instance, state.orders[b])
            check(instance, current)
            assert makespan_of(instance, current) == state.makespan[b]
            best = solution_from_orders(instance, state.best_orders[b])
            assert makespan_of(instance, best) == state.best[b] <= state.makespan[b]
    assert np.allclose(total, (state.start - state.best) * 100.0 / np.maximum(state.start, 1), atol=1e-3)
    for best, found in zip(state.best, mdp.solutions(state, [instance, instance])):
        check(instance, found)
        assert makespan_of(instance, found) == best <= makespan_of(instance, start_schedule)


def test_the_previous_move_cannot_be_undone_and_the_observation_points_at_its_operations():
    shops = generate("8x5", 3, seed=2)
    state = mdp.start(shops, run_rule(shops, "spt"))
    n_ops = 8 * 5
    for _ in range(20):
        chosen = np.array([int(np.flatnonzero(state.allowed[b])[0]) for b in range(3)])
        made = state.moves[np.arange(3), chosen].copy()
        mdp.step(state, chosen)
        observation = mdp.observe(state)
        width = observation.mask.shape[1]
        assert observation.x.shape == (3 * n_ops, mdp.NODE_FEATURES)
        assert observation.move_features.shape == (3, width, mdp.MOVE_FEATURES)
        assert observation.neighbours.shape == (mdp.N_RELATIONS, 3 * n_ops)
        assert int((observation.neighbours >= 0).sum()) == 2 * 3 * (8 * 4 + 5 * 7)  # job and machine arcs, both ways
        for b in range(3):
            count = int(state.counts[b])
            local = observation.moves[b, :count] - b * n_ops
            assert torch.equal(local, torch.from_numpy(state.moves[b, :count]))
            undo = [i for i in range(count) if tuple(state.moves[b, i]) == (made[b, 1], made[b, 0])]
            for i in undo:  # undoing the last move is refused unless it is the only move
                assert not observation.mask[b, i] or count == 1
                assert state.features[b, i, 3] == 1.0  # and the move is as recent as can be
            critical = observation.x.view(3, n_ops, -1)[b, :, 5]
            assert bool(critical[local.flatten()].all())  # both operations of every move are critical


def test_a_chain_whose_critical_path_is_one_block_is_done():
    shop = generate("1x4", 1, seed=0)  # one job: its chain is the only path, never two blocks
    state = mdp.start(shop, run_rule(shop, "spt"))
    assert state.done.all() and not state.allowed.any()
    assert mdp.step(state, np.zeros(1, np.int64))[0] == 0.0


def test_orders_survive_the_round_trip_through_the_state():
    shops = generate("6x6", 2, seed=5)
    starts = run_rule(shops, "mwkr")
    state = mdp.start(shops, starts)
    for shop, start, order in zip(shops, starts, state.best_orders):
        assert np.array_equal(order, orders_from_solution(shop, start))
