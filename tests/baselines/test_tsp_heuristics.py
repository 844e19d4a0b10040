"""TSP construction heuristics, 2-opt and OR-Tools: feasible, batch-independent, sensible."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from cosolve.baselines.tsp_heuristics import CONSTRUCTIONS, construct, nearest_neighbour, tour_lengths, two_opt
from cosolve.baselines.tsp_ortools import solve_ortools
from cosolve.instances import index, path_of
from cosolve.problems import tsp


def _distances(instances) -> torch.Tensor:
    return torch.as_tensor(np.stack([i.distances for i in instances]))


@pytest.mark.parametrize("rule", CONSTRUCTIONS)
def test_constructions_give_permutations_and_do_not_depend_on_the_batch(rule):
    instances = tsp.generate("30", 6, seed=1)
    distances = _distances(instances)
    tours = construct(distances, rule)
    for instance, tour in zip(instances, tours.numpy()):
        tsp.check(instance, tsp.Solution(tour))
    alone = construct(distances[2:3], rule)
    assert torch.equal(alone[0], tours[2])


def test_nearest_neighbour_hand_case():
    coords = np.array([[0.0, 0.0], [5.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    distances = torch.as_tensor(np.abs(coords[:, None, 0] - coords[None, :, 0])).unsqueeze(0)
    assert nearest_neighbour(distances)[0].tolist() == [0, 2, 3, 1]


def test_farthest_insertion_is_within_its_known_range_on_tsp100():
    instances = tsp.generate("100", 16, seed=2)
    distances = _distances(instances)
    farthest = tour_lengths(distances, construct(distances, "farthest")).mean()
    nearest = tour_lengths(distances, construct(distances, "nearest")).mean()
    # Uniform TSP100: optimum about 7.77, farthest insertion about 8.3, nearest neighbour about 9.7.
    assert 7.9 < float(farthest) < 8.7 and float(farthest) < float(nearest)


def test_two_opt_never_worsens_and_leaves_no_improving_move():
    instances = tsp.generate("25", 4, seed=3)
    distances = _distances(instances)
    start = construct(distances, "nearest")
    improved = two_opt(distances, start)
    assert (tour_lengths(distances, improved) <= tour_lengths(distances, start) + 1e-9).all()
    for instance, tour in zip(instances, improved.numpy()):
        tsp.check(instance, tsp.Solution(tour))
        d, n = instance.distances, len(tour)
        for i, j in itertools.combinations(range(n), 2):
            if j - i < 2 or (i == 0 and j == n - 1):
                continue
            gain = d[tour[i], tour[i + 1]] + d[tour[j], tour[(j + 1) % n]] - d[tour[i], tour[j]]
            gain -= d[tour[i + 1], tour[(j + 1) % n]]
            assert gain <= 1e-9


def test_ortools_is_near_optimal_on_eil51():
    instance = tsp.read(path_of("tsp", "eil51"))
    tour = solve_ortools(instance.distances, time_limit_s=1.0, integral=True)
    tsp.check(instance, tsp.Solution(tour))
    assert tsp.evaluate(instance, tsp.Solution(tour)) <= 1.05 * index("tsp")["eil51"]["best_known"]


def test_ortools_handles_unrounded_distances():
    instance = tsp.generate("20", 1, seed=4)[0]
    tour = solve_ortools(instance.distances, time_limit_s=0.5, integral=False)
    tsp.check(instance, tsp.Solution(tour))
    two_opt_length = tour_lengths(
        torch.as_tensor(instance.distances).unsqueeze(0),
        two_opt(torch.as_tensor(instance.distances).unsqueeze(0), construct(_distances([instance]), "nearest")),
    )
    assert tsp.evaluate(instance, tsp.Solution(tour)) <= float(two_opt_length[0]) + 1e-6
