"""Classical CVRP local search, batched over instances, time-limited (after Vidal's HGS-CVRP).

Operators, for a customer ``u`` and each of its ``K`` nearest customers ``v`` (and, when ``v``
opens its route, the route's start depot in place of ``v``), with ``x`` the node after ``u``:

* relocate: ``u`` after ``v``; the pair ``(u, x)`` after ``v``, in either orientation;
* swap: exchange ``u`` and ``v``;
* 2-opt (same route): remove the edges after ``u`` and after ``v``, reverse the path between;
* 2-opt* (two routes): exchange the routes' tails after ``u`` and after ``v``, or join head to
  head and tail to tail (each reversed where needed); with both at their route's start, this
  merges the routes.

Relocate and swap work within a route and between routes. Routes are never opened by the local
search (a route may empty). Every move keeps each route's load within the capacity, and a move
is made only when it shortens the routes by more than ``IMPROVEMENT_RTOL`` of the starting cost.

The search takes the first improving move (first improvement) and goes over the customers in a
random order, pass after pass; a route pair whose routes did not change since ``u`` was last
examined is skipped (HGS's ``whenLastModified``). A pass without a move ends at a local optimum.
With ``rounds`` (or a time limit and ``rounds=None``) the search goes on as an iterated local
search: a ruin-and-recreate of the best solution (remove a customer and its nearest neighbours,
reinsert each at its cheapest place, a new route when that is cheapest), then a local search;
a better local optimum becomes the best.

Representation: per instance, doubly linked routes. Customers are nodes ``1..n``; route slot
``r`` has a start depot node ``first_depot + 2 r`` and an end depot node ``first_depot + 2 r + 1``
(``first_depot = n_max + 1``). Arrays are padded to the batch's largest instance ``n_max``:
``links`` ``[B, 5, N]`` (``N = n_max + 1 + 2 n_max``) holds each node's next and previous node,
route slot, position in its route (start depot 0) and load from its route's start through it;
``routes`` ``[B, 3, n_max]`` each slot's load, number of customers and last change. The batch is
searched in slices of customer examinations (numba, one call over the batch), so that the time
limit is checked between slices. A seed gives the same search for the same rounds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numba
import numpy as np

from cosolve.baselines.cvrp_heuristics import IMPROVEMENT_RTOL
from cosolve.baselines.time_slices import run_in_slices
from cosolve.problems.cvrp.check import check, evaluate
from cosolve.problems.cvrp.instance import Instance, Solution

NEXT, PREV, ROUTE, POSITION, LOAD = range(5)
"""Rows of ``links``: next node, previous node, route slot, position, load through the node."""
ROUTE_LOAD, ROUTE_SIZE, STAMP = range(3)
"""Rows of ``routes``: load, customers, clock of the last change."""
CURSOR, CLOCK, SNAPSHOT, ROUNDS_LEFT, ROUNDS, MOVES, EXAMINED, PASS_MOVES, DONE, OPTIMA = range(10)
"""Columns of ``counters``: position in the customer order, moves and ruins so far (the clock of
``STAMP``), the clock when the best was saved, rounds left (-1: no end), rounds made, moves made,
customers examined, moves in this pass, finished (0/1), local optima reached."""
CURRENT, BEST = range(2)
"""Columns of ``costs``."""


@dataclass(frozen=True)
class LocalSearchSettings:
    """``neighbours``: the ``K`` nearest customers a customer's moves are tried with; ``ruin``:
    customers removed and reinserted by each round of the iterated local search."""

    neighbours: int = 20
    ruin: int = 10


@dataclass
class SearchState:
    """A batch of ``B`` solutions under search (arrays updated in place by :func:`search_slice`).

    Attributes:
        sizes: ``[B]`` customers ``n_b`` of each instance.
        offsets, distances: instance ``b``'s ``[n_b + 1, n_b + 1]`` distance matrix, flattened,
            starts at ``distances[offsets[b]]``.
        demands: ``[B, n_max + 1]``; capacity, tolerance (least gain of a move): ``[B]``.
        neighbours: ``[B, n_max + 1, K]`` each customer's nearest customers (0: none).
        links, routes: see the module docstring; best_next: ``[B, N]`` the best solution's next nodes.
        tested: ``[B, n_max + 1]`` clock when each customer was last examined; order: ``[B, n_max]``.
        counters: ``[B, 10]`` int64; costs: ``[B, 2]`` current and best cost; rng: ``[B]`` uint64.
    """

    sizes: np.ndarray
    offsets: np.ndarray
    distances: np.ndarray
    demands: np.ndarray
    capacity: np.ndarray
    tolerance: np.ndarray
    neighbours: np.ndarray
    links: np.ndarray
    routes: np.ndarray
    best_next: np.ndarray
    tested: np.ndarray
    order: np.ndarray
    counters: np.ndarray
    costs: np.ndarray
    rng: np.ndarray

    @property
    def first_depot(self) -> int:
        return int(self.demands.shape[1])

    def kernel_arguments(self) -> tuple:
        """The arrays in field order, as the kernels take them."""
        return tuple(getattr(self, field.name) for field in fields(self))


@numba.njit(cache=True, nogil=True)
def _uniform(rng: np.ndarray, b: int) -> float:
    """A uniform number in [0, 1) from instance ``b``'s splitmix64 state (advanced in place)."""
    rng[b] += np.uint64(0x9E3779B97F4A7C15)
    z = rng[b]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) / 9007199254740992.0


@numba.njit(cache=True, nogil=True)
def _shuffle(values: np.ndarray, count: int, rng: np.ndarray, b: int) -> None:
    """Fisher–Yates shuffle of ``values[:count]`` in place."""
    for i in range(count - 1, 0, -1):
        j = min(i, int(_uniform(rng, b) * (i + 1)))
        values[i], values[j] = values[j], values[i]


@numba.njit(cache=True, nogil=True)
def _loc(node: int, first_depot: int) -> int:
    """The row of ``node`` in the distance matrix: depot nodes are the depot, row 0."""
    return node if node < first_depot else 0


@numba.njit(cache=True, nogil=True)
def _refresh(link: np.ndarray, routes: np.ndarray, r: int, demands: np.ndarray, first_depot: int) -> None:
    """Walk route slot ``r`` from its start depot: set its nodes' previous node, slot, position and
    load through them (``link`` ``[5, N]``), and the slot's load and size (``routes`` ``[3, n_max]``)."""
    node, end = first_depot + 2 * r, first_depot + 2 * r + 1
    position, load = 0, 0
    link[ROUTE, node], link[POSITION, node], link[LOAD, node] = r, 0, 0
    while node != end:
        following = link[NEXT, node]
        link[PREV, following] = node
        position += 1
        if following < first_depot:
            load += demands[following]
        link[ROUTE, following], link[POSITION, following], link[LOAD, following] = r, position, load
        node = following
    routes[ROUTE_LOAD, r], routes[ROUTE_SIZE, r] = load, position - 1


@numba.njit(cache=True, nogil=True)
def _moved(ctx, first: int, second: int, delta: float) -> bool:
    """Refresh route slots ``first`` and ``second`` after a move that changed the length by
    ``delta``, and book it; True."""
    link, routes, _, demands, _, first_depot, _, counter, cost = ctx
    _refresh(link, routes, first, demands, first_depot)
    if second != first:
        _refresh(link, routes, second, demands, first_depot)
    counter[CLOCK] += 1
    counter[MOVES] += 1
    counter[PASS_MOVES] += 1
    routes[STAMP, first], routes[STAMP, second] = counter[CLOCK], counter[CLOCK]
    cost[CURRENT] += delta
    return True


@numba.njit(cache=True, nogil=True)
def _try_relocate(u: int, w: int, ctx) -> bool:
    """Move customer ``u`` after node ``w`` if that gains more than the tolerance.

    ``ctx``: one instance's ``(link [5, N], routes [3, n_max], distances [n + 1, n + 1], demands,
    capacity, first_depot, tolerance, counter [10], cost [2])``."""
    link, routes, distances, demands, capacity, first_depot, tolerance, _, _ = ctx
    pu, x, y = link[PREV, u], link[NEXT, u], link[NEXT, w]
    ru, rw = link[ROUTE, u], link[ROUTE, w]
    if w == pu or (ru != rw and routes[ROUTE_LOAD, rw] + demands[u] > capacity):
        return False
    lpu, lx, lw, ly = _loc(pu, first_depot), _loc(x, first_depot), _loc(w, first_depot), _loc(y, first_depot)
    delta = distances[lpu, lx] - distances[lpu, u] - distances[u, lx]
    delta += distances[lw, u] + distances[u, ly] - distances[lw, ly]
    if delta >= -tolerance:
        return False
    link[NEXT, pu] = x
    y = link[NEXT, w]  # changed when w is the customer after u
    link[NEXT, w], link[NEXT, u] = u, y
    return _moved(ctx, ru, rw, delta)


@numba.njit(cache=True, nogil=True)
def _try_relocate_pair(u: int, w: int, ctx) -> bool:
    """Move customer ``u`` and the customer after it, in either order, after node ``w`` if that
    gains more than the tolerance."""
    link, routes, distances, demands, capacity, first_depot, tolerance, _, _ = ctx
    pu, x, y = link[PREV, u], link[NEXT, u], link[NEXT, w]
    if x >= first_depot or w == pu or w == x:
        return False
    ru, rw = link[ROUTE, u], link[ROUTE, w]
    if ru != rw and routes[ROUTE_LOAD, rw] + demands[u] + demands[x] > capacity:
        return False
    xx = link[NEXT, x]
    lpu, lxx, lw, ly = _loc(pu, first_depot), _loc(xx, first_depot), _loc(w, first_depot), _loc(y, first_depot)
    base = distances[lpu, lxx] - distances[lpu, u] - distances[x, lxx] - distances[lw, ly]
    straight = base + distances[lw, u] + distances[x, ly]
    turned = base + distances[lw, x] + distances[u, ly]
    delta = min(straight, turned)
    if delta >= -tolerance:
        return False
    first, second = (u, x) if straight <= turned else (x, u)
    link[NEXT, pu] = xx
    y = link[NEXT, w]
    link[NEXT, w], link[NEXT, first], link[NEXT, second] = first, second, y
    return _moved(ctx, ru, rw, delta)


@numba.njit(cache=True, nogil=True)
def _try_swap(u: int, v: int, ctx) -> bool:
    """Exchange customers ``u`` and ``v`` (not adjacent: that is a relocation) if that gains more
    than the tolerance."""
    link, routes, distances, demands, capacity, first_depot, tolerance, _, _ = ctx
    pu, x, pv, y = link[PREV, u], link[NEXT, u], link[PREV, v], link[NEXT, v]
    if v == x or v == pu:
        return False
    ru, rv = link[ROUTE, u], link[ROUTE, v]
    if ru != rv and (
        routes[ROUTE_LOAD, ru] - demands[u] + demands[v] > capacity
        or routes[ROUTE_LOAD, rv] - demands[v] + demands[u] > capacity
    ):
        return False
    lpu, lx, lpv, ly = _loc(pu, first_depot), _loc(x, first_depot), _loc(pv, first_depot), _loc(y, first_depot)
    delta = distances[lpu, v] + distances[v, lx] + distances[lpv, u] + distances[u, ly]
    delta -= distances[lpu, u] + distances[u, lx] + distances[lpv, v] + distances[v, ly]
    if delta >= -tolerance:
        return False
    link[NEXT, pu], link[NEXT, v], link[NEXT, pv], link[NEXT, u] = v, x, u, y
    return _moved(ctx, ru, rv, delta)


@numba.njit(cache=True, nogil=True)
def _try_two_opt(u: int, w: int, ctx, path: np.ndarray) -> bool:
    """Within one route: with ``p`` the earlier and ``q`` the later of nodes ``u`` and ``w``, replace
    the edges after ``p`` and after ``q`` by ``(p, q)`` and the edge between their successors
    (reversing the path between) if that gains more than the tolerance. ``path``: scratch ``[n_max]``."""
    link, _, distances, _, _, first_depot, tolerance, _, _ = ctx
    p, q = (u, w) if link[POSITION, u] < link[POSITION, w] else (w, u)
    sp, sq = link[NEXT, p], link[NEXT, q]
    if sp == q:
        return False
    lp, lsq = _loc(p, first_depot), _loc(sq, first_depot)
    delta = distances[lp, q] + distances[sp, lsq] - distances[lp, sp] - distances[q, lsq]
    if delta >= -tolerance:
        return False
    count, node = 0, sp
    while node != sq:
        path[count] = node
        count += 1
        node = link[NEXT, node]
    before = p
    for i in range(count - 1, -1, -1):
        link[NEXT, before] = path[i]
        before = path[i]
    link[NEXT, before] = sq
    return _moved(ctx, link[ROUTE, u], link[ROUTE, u], delta)


@numba.njit(cache=True, nogil=True)
def _collect(link: np.ndarray, r: int, first_depot: int, out: np.ndarray) -> int:
    """The customers of route slot ``r`` in order into ``out``; their number."""
    count, node = 0, link[NEXT, first_depot + 2 * r]
    while node < first_depot:
        out[count] = node
        count += 1
        node = link[NEXT, node]
    return count


@numba.njit(cache=True, nogil=True)
def _write(link: np.ndarray, r: int, customers: np.ndarray, count: int, first_depot: int) -> None:
    """Make route slot ``r`` visit ``customers[:count]`` in order (its cached values stale)."""
    before = first_depot + 2 * r
    for i in range(count):
        link[NEXT, before] = customers[i]
        before = customers[i]
    link[NEXT, before] = first_depot + 2 * r + 1


@numba.njit(cache=True, nogil=True)
def _two_opt_star(link: np.ndarray, p1: int, p2: int, crossed: bool, first_depot: int, scratch: np.ndarray) -> None:
    """Cut the routes of ``p1`` and ``p2`` after them; join each head to the other tail, or
    (``crossed``) the heads together and the tails together. ``scratch``: ``[4, n_max]``."""
    r1, r2 = link[ROUTE, p1], link[ROUTE, p2]
    old1, old2, new1, new2 = scratch[0], scratch[1], scratch[2], scratch[3]
    size1, size2 = _collect(link, r1, first_depot, old1), _collect(link, r2, first_depot, old2)
    cut1, cut2 = link[POSITION, p1], link[POSITION, p2]  # customers in each head
    new1[:cut1] = old1[:cut1]
    if crossed:  # head1 + reversed head2, reversed tail1 + tail2
        new1[cut1 : cut1 + cut2] = old2[:cut2][::-1]
        new2[: size1 - cut1] = old1[cut1:size1][::-1]
        new2[size1 - cut1 : size1 - cut1 + size2 - cut2] = old2[cut2:size2]
        count1 = cut1 + cut2
    else:  # head1 + tail2, head2 + tail1
        new1[cut1 : cut1 + size2 - cut2] = old2[cut2:size2]
        new2[:cut2] = old2[:cut2]
        new2[cut2 : cut2 + size1 - cut1] = old1[cut1:size1]
        count1 = cut1 + size2 - cut2
    _write(link, r1, new1, count1, first_depot)
    _write(link, r2, new2, size1 + size2 - count1, first_depot)


@numba.njit(cache=True, nogil=True)
def _try_two_opt_star(p1: int, p2: int, ctx, scratch: np.ndarray) -> bool:
    """2-opt* between the routes of nodes ``p1`` and ``p2`` (customers or start depots), cut after
    each: tails exchanged or, crossed, heads joined and tails joined, if that gains more than the
    tolerance and both routes stay within the capacity."""
    link, routes, distances, _, capacity, first_depot, tolerance, _, _ = ctx
    r1, r2 = link[ROUTE, p1], link[ROUTE, p2]
    s1, s2 = link[NEXT, p1], link[NEXT, p2]
    head1, head2 = link[LOAD, p1], link[LOAD, p2]
    tail1, tail2 = routes[ROUTE_LOAD, r1] - head1, routes[ROUTE_LOAD, r2] - head2
    l1, l2, ls1, ls2 = _loc(p1, first_depot), _loc(p2, first_depot), _loc(s1, first_depot), _loc(s2, first_depot)
    removed = distances[l1, ls1] + distances[l2, ls2]
    for crossed in (False, True):
        if crossed:
            feasible = head1 + head2 <= capacity and tail1 + tail2 <= capacity
            delta = distances[l1, l2] + distances[ls1, ls2] - removed
        else:
            feasible = head1 + tail2 <= capacity and head2 + tail1 <= capacity
            delta = distances[l1, ls2] + distances[l2, ls1] - removed
        if feasible and delta < -tolerance:
            _two_opt_star(link, p1, p2, crossed, first_depot, scratch)
            return _moved(ctx, r1, r2, delta)
    return False


@numba.njit(cache=True, nogil=True)
def _try_pair(u: int, w: int, ctx, scratch: np.ndarray) -> bool:
    """Every operator on customer ``u`` and node ``w`` (a customer, or a start depot); True when
    one made a move."""
    link, first_depot = ctx[0], ctx[5]
    if _try_relocate(u, w, ctx) or _try_relocate_pair(u, w, ctx):
        return True
    if w < first_depot and _try_swap(u, w, ctx):
        return True
    if link[ROUTE, u] == link[ROUTE, w]:
        return _try_two_opt(u, w, ctx, scratch[0])
    return _try_two_opt_star(u, w, ctx, scratch)


@numba.njit(cache=True, nogil=True)
def _examine(u: int, near: np.ndarray, tested: np.ndarray, ctx, scratch: np.ndarray) -> None:
    """Try every operator on customer ``u`` with its neighbours ``near`` ``[K]`` (first improvement),
    skipping those whose route and ``u``'s did not change since ``u`` was last examined
    (``tested`` ``[n_max + 1]``: clocks)."""
    link, routes, first_depot, counter = ctx[0], ctx[1], ctx[5], ctx[7]
    since = tested[u]
    tested[u] = counter[CLOCK]
    for k in range(near.shape[0]):
        v = near[k]
        if v == 0:
            break
        if max(routes[STAMP, link[ROUTE, u]], routes[STAMP, link[ROUTE, v]]) <= since:
            continue
        if _try_pair(u, v, ctx, scratch):
            continue
        start = link[PREV, v]
        if start >= first_depot:  # v opens its route: the moves at the route's start too
            if _try_pair(u, start, ctx, scratch):
                continue
            if link[PREV, u] >= first_depot and link[ROUTE, u] != link[ROUTE, v]:
                _try_two_opt_star(link[PREV, u], start, ctx, scratch)  # joins the routes' heads


@numba.njit(cache=True, nogil=True)
def _insert_cheapest(c: int, n: int, ctx, clock: int) -> None:
    """Insert unrouted customer ``c`` where it adds least (a new route when that is cheapest)."""
    link, routes, distances, demands, capacity, first_depot, _, _, cost = ctx
    best_delta, after = 2.0 * distances[0, c], -1
    for node in range(1, first_depot + 2 * n):
        if n < node < first_depot or (node >= first_depot and (node - first_depot) % 2 == 1):
            continue  # padding and end depots
        r = link[ROUTE, node]
        if r < 0 or routes[ROUTE_SIZE, r] == 0 or routes[ROUTE_LOAD, r] + demands[c] > capacity:
            continue  # unrouted, empty route or too full
        y = link[NEXT, node]
        lw, ly = _loc(node, first_depot), _loc(y, first_depot)
        delta = distances[lw, c] + distances[c, ly] - distances[lw, ly]
        if delta < best_delta:
            best_delta, after = delta, node
    if after < 0:
        r = 0
        while routes[ROUTE_SIZE, r] > 0:
            r += 1
        after = first_depot + 2 * r
    link[NEXT, c], link[NEXT, after] = link[NEXT, after], c
    r = link[ROUTE, after]
    _refresh(link, routes, r, demands, first_depot)
    routes[STAMP, r] = clock
    cost[CURRENT] += best_delta


@numba.njit(cache=True, nogil=True)
def _ruin_and_recreate(n: int, ruin: int, near: np.ndarray, ctx, rng: np.ndarray, b: int, removed: np.ndarray):
    """Remove a random customer and its ``ruin - 1`` nearest neighbours (``near`` ``[n_max + 1, K]``),
    then insert them one by one, in random order, where each adds least."""
    link, routes, distances, demands, _, first_depot, _, counter, cost = ctx
    counter[CLOCK] += 1
    center = 1 + min(n - 1, int(_uniform(rng, b) * n))
    removed[0], count = center, 1
    for k in range(near.shape[1]):
        if count >= ruin or near[center, k] == 0:
            break
        removed[count] = near[center, k]
        count += 1
    for i in range(count):
        c = removed[i]
        before, after, r = link[PREV, c], link[NEXT, c], link[ROUTE, c]
        lb, la = _loc(before, first_depot), _loc(after, first_depot)
        cost[CURRENT] += distances[lb, la] - distances[lb, c] - distances[c, la]
        link[NEXT, before] = after
        _refresh(link, routes, r, demands, first_depot)
        routes[STAMP, r] = counter[CLOCK]
        link[ROUTE, c] = -1
    _shuffle(removed, count, rng, b)
    for i in range(count):
        _insert_cheapest(removed[i], n, ctx, counter[CLOCK])


@numba.njit(cache=True, nogil=True)
def _restore_best(n: int, ctx, best_next: np.ndarray) -> None:
    """Return to the best solution (``best_next`` ``[N]``); the routes changed since it was saved
    count as changed now."""
    link, routes, _, demands, _, first_depot, _, counter, cost = ctx
    counter[CLOCK] += 1
    link[NEXT, :] = best_next
    for r in range(n):
        _refresh(link, routes, r, demands, first_depot)
        if routes[STAMP, r] > counter[SNAPSHOT]:
            routes[STAMP, r] = counter[CLOCK]
    counter[SNAPSHOT] = counter[CLOCK]
    cost[CURRENT] = cost[BEST]


@numba.njit(cache=True, nogil=True)
def _at_local_optimum(n, ruin, near, ctx, best_next, rng, b, removed) -> None:
    """Keep the solution if it is the best (``best_next`` ``[N]``); then stop, or restart from the
    best, ruined and recreated (``near`` ``[n_max + 1, K]``, ``removed``: scratch ``[n_max + 1]``)."""
    link, tolerance, counter, cost = ctx[0], ctx[6], ctx[7], ctx[8]
    counter[OPTIMA] += 1
    if cost[CURRENT] < cost[BEST] - tolerance:
        best_next[:] = link[NEXT]
        cost[BEST] = cost[CURRENT]
        counter[SNAPSHOT] = counter[CLOCK]
    if counter[ROUNDS_LEFT] == 0:
        counter[DONE] = 1
        return
    counter[ROUNDS_LEFT] = max(-1, counter[ROUNDS_LEFT] - 1)
    counter[ROUNDS] += 1
    if counter[CLOCK] != counter[SNAPSHOT]:
        _restore_best(n, ctx, best_next)
    _ruin_and_recreate(n, ruin, near, ctx, rng, b, removed)


@numba.njit(cache=True, nogil=True)
def _distances(flat: np.ndarray, offsets: np.ndarray, sizes: np.ndarray, b: int) -> np.ndarray:
    """Instance ``b``'s ``[n + 1, n + 1]`` distance matrix, a view of the flat ``distances``."""
    nodes = sizes[b] + 1
    return flat[offsets[b] : offsets[b] + nodes * nodes].reshape((nodes, nodes))


@numba.njit(cache=True, nogil=True)
def _search_slice(arrays, steps: int, ruin: int) -> bool:
    """``steps`` customer examinations for every unfinished instance of the batch (``arrays``:
    :meth:`SearchState.kernel_arguments`, updated in place); at the end of a pass without a move,
    a local optimum: stop, or start the next round. True when every instance is finished."""
    sizes, offsets, flat, demands, capacity, tolerance, neighbours = arrays[:7]
    links, routes, best_next, tested, order, counters, costs, rng = arrays[7:]
    first_depot = demands.shape[1]
    scratch = np.zeros((4, first_depot), dtype=np.int64)
    for b in range(sizes.shape[0]):
        n, counter = sizes[b], counters[b]
        distances = _distances(flat, offsets, sizes, b)
        ctx = (links[b], routes[b], distances, demands[b], capacity[b], first_depot, tolerance[b], counter, costs[b])
        for _ in range(steps):
            if counter[DONE]:
                break
            if counter[CURSOR] == n:
                if counter[PASS_MOVES] == 0:
                    _at_local_optimum(n, ruin, neighbours[b], ctx, best_next[b], rng, b, scratch[0])
                    if counter[DONE]:
                        break
                _shuffle(order[b], n, rng, b)
                counter[CURSOR], counter[PASS_MOVES] = 0, 0
            u = order[b, counter[CURSOR]]
            counter[CURSOR] += 1
            counter[EXAMINED] += 1
            _examine(u, neighbours[b, u], tested[b], ctx, scratch)
    return bool(counters[:, DONE].all())


@numba.njit(cache=True, nogil=True)
def _prepare(arrays) -> None:
    """Complete the state from each route slot's next nodes: links, route loads, costs, a random
    customer order."""
    sizes, offsets, flat, demands, _, _, _, links, routes, _, _, order, _, costs, rng = arrays
    first_depot = demands.shape[1]
    for b in range(sizes.shape[0]):
        distances, total = _distances(flat, offsets, sizes, b), 0.0
        for r in range(first_depot - 1):
            _refresh(links[b], routes[b], r, demands[b], first_depot)
            node = first_depot + 2 * r
            while node != first_depot + 2 * r + 1:
                following = links[b, NEXT, node]
                total += distances[_loc(node, first_depot), _loc(following, first_depot)]
                node = following
        costs[b, CURRENT], costs[b, BEST] = total, total
        _shuffle(order[b], sizes[b], rng, b)


def nearest_customers(instance: Instance, count: int) -> np.ndarray:
    """``[n + 1, min(count, n - 1)]`` each customer's nearest other customers, nearest first
    (ties by id); row 0 (the depot) is zeros."""
    n = instance.n_customers
    distances = instance.distances[1:, 1:].copy()
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1, kind="stable")[:, : min(count, n - 1)] + 1
    return np.vstack([np.zeros((1, nearest.shape[1]), dtype=np.int64), nearest])


def start_state(
    instances: Sequence[Instance],
    solutions: Sequence[Solution],
    rounds: int | None = 0,
    seed: int = 0,
    neighbours: int = LocalSearchSettings.neighbours,
) -> SearchState:
    """The search state of feasible ``solutions`` of ``instances`` (any sizes): ``rounds`` of
    ruin and recreate after the first local optimum (``None``: no end)."""
    batch, n_max = len(instances), max(instance.n_customers for instance in instances)
    sizes = np.array([instance.n_customers for instance in instances], dtype=np.int64)
    first_depot = n_max + 1
    offsets = np.concatenate([[0], np.cumsum((sizes + 1) ** 2)[:-1]]).astype(np.int64)
    flat = [np.ascontiguousarray(instance.distances, dtype=np.float64).ravel() for instance in instances]
    distances = flat[0] if batch == 1 else np.concatenate(flat)  # one instance: a view, no copy
    demands = np.zeros((batch, first_depot), dtype=np.int64)
    near = np.zeros((batch, first_depot, max(1, min(neighbours, n_max - 1))), dtype=np.int64)
    links = np.zeros((batch, 5, first_depot + 2 * n_max), dtype=np.int64)
    for b, (instance, solution) in enumerate(zip(instances, solutions)):
        demands[b, : instance.n_nodes] = instance.demands
        nearest = nearest_customers(instance, neighbours)
        near[b, : nearest.shape[0], : nearest.shape[1]] = nearest
        starts = first_depot + 2 * np.arange(n_max)
        links[b, NEXT, starts] = starts + 1  # every slot empty, then the routes
        for r, route in enumerate(route for route in solution.routes if len(route)):
            nodes = [starts[r], *route, starts[r] + 1]
            links[b, NEXT, nodes[:-1]] = nodes[1:]
    state = SearchState(
        sizes=sizes,
        offsets=offsets,
        distances=distances,
        demands=demands,
        capacity=np.array([instance.capacity for instance in instances], dtype=np.int64),
        tolerance=np.zeros(batch),
        neighbours=near,
        links=links,
        routes=np.zeros((batch, 3, n_max), dtype=np.int64),
        best_next=np.zeros((batch, links.shape[2]), dtype=np.int64),
        tested=np.full((batch, first_depot), -1, dtype=np.int64),
        order=np.tile(np.arange(1, n_max + 1, dtype=np.int64), (batch, 1)),
        counters=np.zeros((batch, 10), dtype=np.int64),
        costs=np.zeros((batch, 2)),
        rng=(np.arange(1, batch + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        ^ np.uint64((seed * 0x5851F42D4C957F2D + 0x14057B7EF767814F) % 2**64),
    )
    _prepare(state.kernel_arguments())
    state.best_next[:] = links[:, NEXT]
    state.tolerance[:] = IMPROVEMENT_RTOL * np.maximum(1.0, state.costs[:, CURRENT])
    state.counters[:, ROUNDS_LEFT] = -1 if rounds is None else rounds
    return state


def search_slice(state: SearchState, steps: int, ruin: int = LocalSearchSettings.ruin) -> bool:
    """``steps`` customer examinations for every unfinished instance of ``state`` (updated in
    place); True when every instance is finished."""
    return _search_slice(state.kernel_arguments(), steps, ruin)


def routes_of(state: SearchState, b: int, best: bool = True) -> list[list[int]]:
    """The non-empty routes of instance ``b``: of the best solution (``best``), or the current one."""
    following = state.best_next[b] if best else state.links[b, NEXT]
    routes = []
    for r in range(int(state.sizes[b])):
        node, route = following[state.first_depot + 2 * r], []
        while node < state.first_depot:
            route.append(int(node))
            node = following[node]
        if route:
            routes.append(route)
    return routes


def _better(instance: Instance, candidates: Sequence[Solution]) -> Solution:
    """The cheapest of ``candidates`` by the checker's evaluation (the first among equals)."""
    costs = [evaluate(instance, candidate) for candidate in candidates]
    return candidates[int(np.argmin(costs))]


def local_search(
    instances: Sequence[Instance],
    solutions: Sequence[Solution],
    time_limit_s: float | None = None,
    rounds: int | None = 0,
    seed: int = 0,
    settings: LocalSearchSettings | None = None,
    stats: dict | None = None,
) -> list[Solution]:
    """Improve feasible ``solutions`` of ``instances`` (any sizes, one batch); each result is
    feasible and never worse than its start.

    ``rounds``: 0 stops at the first local optimum (a plain local search); ``N`` makes ``N`` rounds
    of ruin and recreate, each followed by a local search, and keeps the best (deterministic for a
    seed); ``None`` makes rounds until ``time_limit_s``. ``time_limit_s``: wall time for the whole
    batch (None: no limit). Ctrl-C stops the search and returns the best solutions so far.
    ``stats``, when given, receives ``examined`` (customer examinations), ``moves``, ``rounds``,
    ``local_optimum`` (per instance: whether its search reached one) and ``seconds``."""
    if rounds is None and time_limit_s is None:
        raise ValueError("give a time limit or a number of rounds")
    settings = settings or LocalSearchSettings()
    begin = time.perf_counter()
    for instance, solution in zip(instances, solutions, strict=True):
        check(instance, solution)
    state = start_state(instances, solutions, rounds, seed, settings.neighbours)
    run_in_slices(lambda count: search_slice(state, count, settings.ruin), time_limit_s, begin)
    if stats is not None:
        stats.update(
            examined=int(state.counters[:, EXAMINED].sum()),
            moves=int(state.counters[:, MOVES].sum()),
            rounds=int(state.counters[:, ROUNDS].sum()),
            local_optimum=(state.counters[:, OPTIMA] > 0).tolist(),
            seconds=time.perf_counter() - begin,
        )
    return [
        _better(instance, [Solution(routes_of(state, b, best)) for best in (True, False)] + [start])
        for b, (instance, start) in enumerate(zip(instances, solutions))
    ]
