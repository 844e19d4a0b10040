"""Machine orders, critical blocks, N5 moves and Taillard's estimate, against full recomputation.

The reference here is independent of the kernels: schedules are checked by the job shop
checker, and the longest path through two operations is recomputed from scratch with a plain
Python longest-path over the disjunctive graph.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from jssp_strategies import instances

from cosolve.baselines.jssp_rules import run_rule
from cosolve.problems.jssp.check import check
from cosolve.problems.jssp.check import evaluate as makespan_of
from cosolve.problems.jssp.neighbourhood import (
    critical_moves,
    evaluate,
    flat_instance,
    machine_links,
    orders_from_solution,
    solution_from_orders,
    swap,
    swap_estimate,
)


def evaluated(instance, order):
    """(makespan, heads, tails) of ``order`` by the kernel."""
    durations, _ = flat_instance(instance)
    n = durations.size
    heads, tails, topo = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    value = evaluate(order, durations, *instance.shape, heads, tails, topo)
    return value, heads, tails


def longest_paths(instance, order):
    """Heads and tails by plain relaxation over the disjunctive graph (the reference)."""
    durations, _ = flat_instance(instance)
    n_jobs, n_machines = instance.shape
    arcs = [(j * n_machines + k, j * n_machines + k + 1) for j in range(n_jobs) for k in range(n_machines - 1)]
    arcs += [(int(row[i]), int(row[i + 1])) for row in order for i in range(len(row) - 1)]
    heads = np.zeros(durations.size, np.int64)
    tails = np.zeros(durations.size, np.int64)
    for _ in range(durations.size):
        for a, b in arcs:
            heads[b] = max(heads[b], heads[a] + durations[a])
            tails[a] = max(tails[a], tails[b] + durations[b])
    return heads, tails


@st.composite
def shop_and_rule(draw):
    instance = draw(instances(max_jobs=6, max_machines=5, max_time=20, min_time=0))
    return instance, draw(st.sampled_from(["spt", "lpt", "mwkr", "random"]))


@given(shop_and_rule())
def test_orders_of_a_schedule_give_back_a_checked_schedule_no_longer(case):
    instance, rule = case
    start = run_rule([instance], rule, seed=1)[0]
    order = orders_from_solution(instance, start)
    value, heads, tails = evaluated(instance, order)
    schedule = solution_from_orders(instance, order)
    check(instance, schedule)
    assert value == makespan_of(instance, schedule) <= makespan_of(instance, start)
    reference_heads, reference_tails = longest_paths(instance, order)
    assert (heads == reference_heads).all() and (tails == reference_tails).all()


@given(shop_and_rule())
def test_n5_moves_are_critical_adjacent_pairs_and_the_estimate_is_exact_through_them(case):
    """Each N5 swap keeps the orders acyclic; Taillard's estimate equals the longest path through
    the two swapped operations afterwards (recomputed from scratch), hence is a lower bound."""
    instance, rule = case
    order = orders_from_solution(instance, run_rule([instance], rule, seed=2)[0])
    durations, machines = flat_instance(instance)
    value, heads, tails = evaluated(instance, order)
    moves = np.zeros((2 * durations.size, 2), np.int64)
    count = critical_moves(order, durations, instance.n_machines, heads, value, moves)
    previous, following = machine_links(order, durations.size)
    for u, v in moves[:count]:
        assert machines[u] == machines[v] and following[u] == v
        assert heads[u] + durations[u] + tails[u] == value == heads[v] + durations[v] + tails[v]  # critical
        estimate = swap_estimate(u, v, durations, instance.n_machines, heads, tails, previous, following)
        swapped = order.copy()
        swap(swapped, machines, u, v)
        new_value, _, _ = evaluated(instance, swapped)
        assert new_value > 0 or durations.sum() == 0  # no cycle
        new_heads, new_tails = longest_paths(instance, swapped)
        through = max(new_heads[w] + durations[w] + new_tails[w] for w in (u, v))
        assert estimate == through <= new_value
        check(instance, solution_from_orders(instance, swapped))


@given(shop_and_rule())
def test_no_n5_move_means_the_makespan_is_optimal_by_a_lower_bound(case):
    instance, rule = case
    order = orders_from_solution(instance, run_rule([instance], rule, seed=3)[0])
    durations, _ = flat_instance(instance)
    value, heads, _ = evaluated(instance, order)
    moves = np.zeros((2 * durations.size, 2), np.int64)
    if critical_moves(order, durations, instance.n_machines, heads, value, moves) == 0:
        machine_loads = [instance.durations[instance.machines == m].sum() for m in range(instance.n_machines)]
        assert value == max(max(machine_loads), instance.durations.sum(axis=1).max())


def test_a_cyclic_order_is_reported():
    from cosolve.problems.jssp import Instance

    # two jobs, two machines, job 0: m0 then m1, job 1: m1 then m0; orders that wait on each other
    instance = Instance("cycle", np.array([[0, 1], [1, 0]]), np.array([[1, 1], [1, 1]]))
    order = np.array([[3, 0], [1, 2]])  # m0: job 1's 2nd op first; m1: job 0's 2nd op first
    assert evaluated(instance, order)[0] == -1
