"""Exact bin packing with OR-Tools CP-SAT.

Two models, the first when its graph is small enough:

* ``arcflow`` — Valério de Carvalho's arc-flow model (Annals of OR 86, 1999). Nodes are the loads
  ``0..C``; an arc ``(d, d + w)`` packs an item of weight ``w`` into a bin filled to ``d``, and a loss
  arc ``(d, C)`` closes a bin. Every bin is a path from ``0`` to ``C``; ``z`` units of flow leave
  ``0``; the arcs of weight ``w`` carry exactly as many units as there are items of weight ``w``;
  minimise ``z``. The graph is reduced as in the paper: the weights are taken in decreasing order and
  arcs of weight ``w`` only start at loads reachable with heavier items and at most ``count(w) - 1``
  earlier items of weight ``w`` (so each bin's items appear heaviest first). Its LP relaxation equals
  Gilmore and Gomory's, which almost always rounds up to the optimum. (CP-SAT's default
  parameters work best here: ``linearization_level=2`` with one worker was 5-20 times slower on
  Falkenauer u120, and missed one optimum in 10 s.) The flow is split into paths to recover the bins.
* ``assignment`` — ``x[i, b]`` (item ``i`` in bin ``b``) and ``y[b]`` (bin ``b`` used) for ``b`` below
  the warm start's bin count, items sorted by decreasing weight with item ``i`` only in bins
  ``0..i`` and ``y`` non-increasing (symmetry breaking); used when the arc-flow graph has more than
  :data:`MAX_ARCS` arcs (large capacities: Scholl's class 3 has ``C = 100 000``).

Both are warm-started (``add_hint``) from a given packing (the method uses first fit decreasing)
and constrained by ``bins >= L2`` (:mod:`cosolve.problems.binpacking.bounds`): when the start already
uses ``L2`` bins it is returned as optimal without a solver call, and a solution reaching ``L2``
ends the search.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from cosolve.interrupt import solve_cp_sat
from cosolve.problems.binpacking.bounds import l2

MAX_ARCS = 200_000
"""Largest arc-flow graph (item and loss arcs) before the assignment model is used instead."""


@dataclass(frozen=True)
class CpSatResult:
    """One solver run.

    Attributes:
        assignment: ``[n]`` int64, the bin ``0..bins-1`` of each item.
        bins: the number of bins.
        status: ``optimal`` (proven) or ``feasible``.
        bound: a proven lower bound on the number of bins (``bins`` when optimal).
        model: ``arcflow``, ``assignment`` or ``start`` (the warm start was already optimal).
    """

    assignment: np.ndarray
    bins: int
    status: str
    bound: int
    model: str


@dataclass(frozen=True)
class ArcFlowGraph:
    """The reduced arc-flow graph.

    Attributes:
        tails, heads: ``[a]`` int64 loads an arc goes from and to.
        kinds: ``[a]`` int64, the index into ``widths`` of an item arc, ``-1`` for a loss arc.
        widths: ``[t]`` int64, the distinct weights in decreasing order; counts: ``[t]`` their multiplicity.
    """

    tails: np.ndarray
    heads: np.ndarray
    kinds: np.ndarray
    widths: np.ndarray
    counts: np.ndarray


def arcflow_graph(weights: np.ndarray, capacity: int, max_arcs: int = MAX_ARCS) -> ArcFlowGraph | None:
    """The reduced graph of ``weights`` ``[n]`` int64, or ``None`` when it has more than ``max_arcs`` arcs."""
    widths, counts = np.unique(weights, return_counts=True)
    widths, counts = widths[::-1].astype(np.int64), counts[::-1].astype(np.int64)
    reached = np.zeros(capacity + 1, dtype=bool)
    reached[0] = True
    tails, kinds, total = [], [], 0
    for kind, (width, count) in enumerate(zip(widths.tolist(), counts.tolist())):
        starts, frontier = np.zeros_like(reached), reached.copy()
        for _ in range(min(count, capacity // width)):
            starts |= frontier
            frontier = np.concatenate([np.zeros(width, dtype=bool), frontier[:-width]])
        starts[capacity - width + 1 :] = False
        found = np.flatnonzero(starts)
        total += found.size
        if total > max_arcs:
            return None
        tails.append(found)
        kinds.append(np.full(found.size, kind))
        reached[found + width] = True
    loss = np.flatnonzero(reached[:capacity])  # every load below C closes its bin
    if total + loss.size > max_arcs:
        return None
    item_tails = np.concatenate(tails) if tails else np.zeros(0, dtype=np.int64)
    item_kinds = np.concatenate(kinds) if kinds else np.zeros(0, dtype=np.int64)
    return ArcFlowGraph(
        tails=np.concatenate([item_tails, loss]).astype(np.int64),
        heads=np.concatenate([item_tails + widths[item_kinds], np.full(loss.size, capacity)]).astype(np.int64),
        kinds=np.concatenate([item_kinds, np.full(loss.size, -1)]).astype(np.int64),
        widths=widths,
        counts=counts,
    )


def _arcflow_hint(graph: ArcFlowGraph, weights: np.ndarray, capacity: int, start: np.ndarray) -> np.ndarray:
    """``[a]`` int64 flows of the packing ``start`` (each bin as a path, heaviest item first)."""
    arc_of = {(int(t), int(h), int(k)): a for a, (t, h, k) in enumerate(zip(graph.tails, graph.heads, graph.kinds))}
    kind_of = {int(w): k for k, w in enumerate(graph.widths.tolist())}
    flows = np.zeros(graph.tails.size, dtype=np.int64)
    for b in range(int(start.max()) + 1):
        load = 0
        for weight in sorted(weights[start == b].tolist(), reverse=True):
            flows[arc_of[(load, load + weight, kind_of[weight])]] += 1
            load += weight
        if load < capacity:
            flows[arc_of[(load, capacity, -1)]] += 1
    return flows


def _paths(graph: ArcFlowGraph, flows: np.ndarray, weights: np.ndarray, capacity: int) -> np.ndarray:
    """Split ``flows`` ``[a]`` into paths from ``0`` to ``C``: the ``[n]`` bin of each item."""
    outgoing: dict[int, list[int]] = defaultdict(list)
    for arc in np.flatnonzero(flows).tolist():
        outgoing[int(graph.tails[arc])].append(arc)
    left = flows.copy()
    waiting = {k: np.flatnonzero(weights == w).tolist() for k, w in enumerate(graph.widths.tolist())}
    assignment = np.full(weights.size, -1, dtype=np.int64)
    bins = 0
    while outgoing[0]:
        node, used = 0, False
        while node != capacity:
            arc = outgoing[node][-1]
            left[arc] -= 1
            if left[arc] == 0:
                outgoing[node].pop()
            kind = int(graph.kinds[arc])
            if kind >= 0:
                assignment[waiting[kind].pop()] = bins
                used = True
            node = int(graph.heads[arc])
        bins += used
    return assignment


def _solve_arcflow(graph, weights, capacity, start, lower, time_limit_s, workers):
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    upper = int(start.max()) + 1
    limits = np.where(graph.kinds >= 0, np.minimum(graph.counts[graph.kinds], upper), upper)
    flow = [model.new_int_var(0, int(limit), f"f{a}") for a, limit in enumerate(limits.tolist())]
    bins = model.new_int_var(lower, upper, "bins")
    into, out = defaultdict(list), defaultdict(list)
    for a, (tail, head) in enumerate(zip(graph.tails.tolist(), graph.heads.tolist())):
        out[tail].append(flow[a])
        into[head].append(flow[a])
    model.add(sum(out[0]) == bins)
    for node in set(into) | set(out):
        if node not in (0, capacity):
            model.add(sum(into[node]) == sum(out[node]))
    by_kind = defaultdict(list)
    for a, kind in enumerate(graph.kinds.tolist()):
        if kind >= 0:
            by_kind[kind].append(flow[a])
    for kind, count in enumerate(graph.counts.tolist()):
        model.add(sum(by_kind[kind]) == count)
    model.minimize(bins)
    for variable, value in zip(flow, _arcflow_hint(graph, weights, capacity, start).tolist()):
        model.add_hint(variable, value)
    model.add_hint(bins, upper)
    solver, status = _run(model, time_limit_s, workers)
    if status is None:
        return None, False, lower
    flows = np.asarray([solver.value(f) for f in flow], dtype=np.int64)
    return _paths(graph, flows, weights, capacity), status, _bound(solver, lower)


def _solve_assignment(weights, capacity, start, lower, time_limit_s, workers):
    from ortools.sat.python import cp_model

    order = np.argsort(-weights, kind="stable")
    ws = weights[order].tolist()
    upper = int(start.max()) + 1
    model = cp_model.CpModel()
    used = [model.new_bool_var(f"y{b}") for b in range(upper)]
    x = {(i, b): model.new_bool_var(f"x{i}_{b}") for i in range(len(ws)) for b in range(min(i + 1, upper))}
    for i in range(len(ws)):
        model.add_exactly_one(x[i, b] for b in range(min(i + 1, upper)))
    for b in range(upper):
        members = [(i, x[i, b]) for i in range(b, len(ws))]
        model.add(sum(ws[i] * var for i, var in members) <= capacity * used[b])
        if b + 1 < upper:
            model.add_implication(used[b + 1], used[b])
    model.add(sum(used) >= lower)
    model.minimize(sum(used))
    # FFD-like starts put sorted item i in a bin <= i; renumber the start's bins by first use to be sure
    first_use = {}
    for b in start[order].tolist():
        first_use.setdefault(b, len(first_use))
    hinted = np.asarray([first_use[b] for b in start[order].tolist()])
    if all(hinted[i] <= i for i in range(len(ws))):
        for (i, b), var in x.items():
            model.add_hint(var, int(hinted[i] == b))
        for b, var in enumerate(used):
            model.add_hint(var, int(b < len(first_use)))
    solver, status = _run(model, time_limit_s, workers)
    if status is None:
        return None, False, lower
    assignment = np.empty(len(ws), dtype=np.int64)
    for (i, b), var in x.items():
        if solver.boolean_value(var):
            assignment[order[i]] = b
    return assignment, status, _bound(solver, lower)


def _run(model, time_limit_s: float, workers: int):
    """``(solver, proven)``, or ``(solver, None)`` when CP-SAT found no solution in time."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.001, float(time_limit_s))
    solver.parameters.num_workers = max(1, workers)
    status = solve_cp_sat(solver, model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver, None
    return solver, status == cp_model.OPTIMAL


def _bound(solver, lower: int) -> int:
    return max(lower, int(np.ceil(solver.best_objective_bound - 1e-6)))


def solve_cpsat(
    weights: np.ndarray,
    capacity: int,
    start: np.ndarray,
    time_limit_s: float = 10.0,
    workers: int = 1,
    model: str = "auto",
) -> CpSatResult:
    """Solve one instance exactly (or as well as the time limit allows).

    Args:
        weights: ``[n]`` int64, each in ``1..capacity``.
        capacity: the bin capacity.
        start: ``[n]`` int64, a packing to start from (bin numbers ``0..k-1``), e.g. first fit decreasing.
        time_limit_s: CP-SAT's wall-clock limit.
        workers: CP-SAT workers.
        model: ``auto`` (arc flow when its graph has at most :data:`MAX_ARCS` arcs), ``arcflow`` or
            ``assignment``.
    """
    weights, start = np.asarray(weights, dtype=np.int64), np.asarray(start, dtype=np.int64)
    lower, start_bins = l2(weights, capacity), int(np.unique(start).size)
    _, start = np.unique(start, return_inverse=True)  # bins 0..k-1
    if start_bins <= lower:
        return CpSatResult(start, start_bins, "optimal", start_bins, "start")
    graph = None
    if model in ("auto", "arcflow"):
        graph = arcflow_graph(weights, capacity, MAX_ARCS if model == "auto" else 10**9)
    if graph is not None:
        assignment, proven, bound = _solve_arcflow(graph, weights, capacity, start, lower, time_limit_s, workers)
        used = "arcflow"
    else:
        assignment, proven, bound = _solve_assignment(weights, capacity, start, lower, time_limit_s, workers)
        used = "assignment"
    if assignment is None or np.unique(assignment).size >= start_bins:  # nothing better than the start
        assignment, proven = start, proven and start_bins <= bound
    _, assignment = np.unique(assignment, return_inverse=True)
    bins = int(assignment.max()) + 1
    proven = bool(proven) or bins <= bound
    return CpSatResult(
        assignment.astype(np.int64), bins, "optimal" if proven else "feasible", bins if proven else bound, used
    )
