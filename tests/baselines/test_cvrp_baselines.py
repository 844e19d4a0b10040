"""CVRP baselines (Clarke–Wright, sweep, OR-Tools), the method table and the route plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cosolve.baselines.cvrp_heuristics import clarke_wright, savings_list, sweep, sweep_order, two_opt
from cosolve.baselines.cvrp_ortools import FIRST_SOLUTIONS, OrToolsResult, arc_costs, fleet_size, solve_ortools
from cosolve.errors import CosolveInputError
from cosolve.methods import MethodOutput, MethodSpec, Settings
from cosolve.problems import cvrp
from cosolve.problems.cvrp import methods
from cosolve.problems.cvrp.instance import Instance, Solution, distance_matrix

DATA = Path(__file__).resolve().parents[1] / "data" / "cvrp"
OPTIMUM = {"A-n32-k5": 784, "P-n16-k8": 450, "X-n101-k25": 27591}


@pytest.fixture(scope="module")
def real() -> dict[str, Instance]:
    return {name: cvrp.read(DATA / f"{name}.vrp") for name in OPTIMUM}


@pytest.fixture(scope="module")
def generated() -> list[Instance]:
    return [*cvrp.generate("10", 3, seed=0), *cvrp.generate("20", 2, seed=1), *cvrp.generate("50", 2, seed=2)]


def _gap(instance: Instance, solution: Solution) -> float:
    return cvrp.evaluate(instance, solution) / OPTIMUM[instance.name] - 1


# ---------------------------------------------------------------------------- construction heuristics


@pytest.mark.parametrize("heuristic", [clarke_wright, sweep, lambda i: sweep(i, improve=False)])
def test_heuristics_are_feasible_everywhere(heuristic, real, generated):
    for instance in [*real.values(), *generated]:
        solution = heuristic(instance)
        cvrp.check(instance, solution)
        assert solution.n_routes >= instance.min_vehicles


def test_clarke_wright_quality(real):
    # Measured: A-n32-k5 842 (7.4 %), X-n101-k25 28986 (5.1 %), P-n16-k8 482 (7.1 %, 9 routes for 8).
    assert _gap(real["A-n32-k5"], clarke_wright(real["A-n32-k5"])) <= 0.10
    assert _gap(real["X-n101-k25"], clarke_wright(real["X-n101-k25"])) <= 0.08
    assert _gap(real["P-n16-k8"], clarke_wright(real["P-n16-k8"])) <= 0.10


def test_sweep_quality_and_two_opt_helps(real):
    # Measured: A-n32-k5 882 (12.5 %) with 2-opt, 1561 without; X-n101-k25 26.8 % (tight capacity).
    for name, bound in (("A-n32-k5", 0.15), ("X-n101-k25", 0.30)):
        improved, plain = sweep(real[name]), sweep(real[name], improve=False)
        assert _gap(real[name], improved) <= bound
        assert cvrp.evaluate(real[name], improved) < cvrp.evaluate(real[name], plain)
        # 2-opt reorders each route but keeps its customers.
        assert [sorted(r) for r in improved.routes] == [sorted(r) for r in plain.routes]


def test_clarke_wright_is_deterministic_and_uses_every_saving(generated):
    instance = generated[-1]
    assert clarke_wright(instance).routes == clarke_wright(instance).routes
    pairs, saving = savings_list(instance.distances)
    n = instance.n_customers
    assert pairs.shape[1] == 2 and (pairs[:, 0] < pairs[:, 1]).all() and pairs.min() >= 1 and pairs.max() <= n
    assert (np.diff(saving) <= 0).all() and (saving > 0).all()
    i, j = pairs[0]
    d = instance.distances
    assert saving[0] == pytest.approx(d[0, i] + d[0, j] - d[i, j])


def test_clarke_wright_with_no_room_to_merge():
    coords = np.array([[0, 0], [1, 0], [2, 0], [3, 0]], dtype=float)
    instance = Instance("full", coords, np.array([0, 5, 5, 5]), 5, distance_matrix(coords, "nint"))
    assert sorted(clarke_wright(instance).routes) == [[1], [2], [3]]
    roomy = Instance("roomy", coords, np.array([0, 1, 1, 1]), 5, distance_matrix(coords, "nint"))
    (route,) = clarke_wright(roomy).routes
    assert route in ([1, 2, 3], [3, 2, 1])
    assert cvrp.evaluate(roomy, Solution([route])) == 6


def test_single_customer():
    coords = np.array([[0, 0], [1, 1]], dtype=float)
    instance = Instance("one", coords, np.array([0, 3]), 3, distance_matrix(coords, "none"), rounding="none")
    for heuristic in (clarke_wright, sweep):
        assert heuristic(instance).routes == [[1]]


def test_two_opt_uncrosses_a_route():
    # Depot (0, 0), customers 1 (1, 0), 2 (0, 1), 3 (1, 1): the order 1, 2, 3 crosses itself (length 2 + 2·√2).
    coords = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    distances = distance_matrix(coords, "none")
    instance = Instance("square", coords, np.array([0, 1, 1, 1]), 3, distances, rounding="none")
    assert cvrp.evaluate(instance, Solution([[1, 2, 3]])) == pytest.approx(2 + 2 * np.sqrt(2))
    route = two_opt(distances, [1, 2, 3])
    assert sorted(route) == [1, 2, 3]
    assert cvrp.evaluate(instance, Solution([route])) == pytest.approx(4.0)
    assert two_opt(distances, []) == [] and two_opt(distances, [2]) == [2]


def test_sweep_order_starts_after_the_widest_gap():
    # Customers 1..4 at 100°, 110°, 120° and 190°: sorting by atan2 (190° is -170°) gives 4, 1, 2, 3, but the
    # widest empty sector runs from 190° round to 100°, so the sweep starts at customer 1.
    angles = np.radians([100, 110, 120, 190])
    coords = np.vstack([[0, 0], np.stack([np.cos(angles), np.sin(angles)], axis=1)])
    instance = Instance("s", coords, np.array([0, 1, 1, 1, 1]), 9, distance_matrix(coords, "none"), rounding="none")
    assert sweep_order(instance).tolist() == [1, 2, 3, 4]


def test_sweep_needs_coordinates():
    matrix = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float)
    instance = Instance("m", None, np.array([0, 1, 1]), 2, matrix, "EXPLICIT", "explicit")
    with pytest.raises(CosolveInputError, match="coordinates"):
        sweep(instance)
    cvrp.check(instance, clarke_wright(instance))


# ---------------------------------------------------------------------------- OR-Tools


def test_ortools_beats_or_equals_savings_on_cvrp50():
    instance = cvrp.generate("50", 1, seed=11)[0]
    savings_value = cvrp.evaluate(instance, clarke_wright(instance))
    result = solve_ortools(instance, time_limit_s=1.0)
    assert isinstance(result, OrToolsResult) and result.status == "feasible"
    cvrp.check(instance, result.solution)
    assert result.objective == cvrp.evaluate(instance, result.solution)
    assert result.objective <= savings_value * (1 + 1e-9)
    assert result.wall_time_s < 1.0 + 0.5  # the time limit is honoured


@pytest.mark.parametrize("first", ["savings", "cheapest_arc"])
def test_ortools_own_first_solutions_on_a_n32_k5(real, first):
    instance = real["A-n32-k5"]
    result = solve_ortools(instance, time_limit_s=0.5, first_solution=first)
    cvrp.check(instance, result.solution)
    value = cvrp.evaluate(instance, result.solution)
    assert value == result.objective and isinstance(value, int)
    assert value <= 784 * 1.10  # measured: 784 (the optimum) with savings in 1 s


def test_ortools_arguments_and_model_pieces(real):
    instance = real["P-n16-k8"]
    with pytest.raises(CosolveInputError, match="first solution"):
        solve_ortools(instance, 1, first_solution="random")
    with pytest.raises(CosolveInputError, match="positive"):
        solve_ortools(instance, 0)
    assert fleet_size(instance) >= instance.min_vehicles
    costs = arc_costs(instance)
    assert costs.dtype == np.int64 and np.array_equal(costs, instance.distances)
    unit = cvrp.generate("10", 1, seed=0)[0]
    scaled = arc_costs(unit)
    assert scaled.max() == 1_000_000 and (scaled == scaled.T).all()
    assert FIRST_SOLUTIONS == methods.FIRST_SOLUTIONS


# ---------------------------------------------------------------------------- method table


def test_method_table():
    assert methods.DEFAULT_METHOD == "savings"
    assert set(methods.METHODS) == {"savings", "sweep", "ortools", "gnn"}
    assert [name for name, family in methods.METHODS.items() if family.batched] == ["gnn"]
    assert methods.METHODS["ortools"].usage == "ortools[:first=<cw|savings|cheapest_arc>]"


@pytest.mark.parametrize("text", ["savings", "sweep", "sweep:plain", "ortools", "ortools:first=cheapest_arc"])
def test_methods_run_and_return_checked_outputs(real, text):
    spec = MethodSpec.parse(text)
    family = methods.METHODS[spec.family]
    family.validate(spec)
    instances = [real["P-n16-k8"], real["A-n32-k5"]]
    outputs = family.run(instances, spec, Settings(time_limit_s=0.3, seed=0))
    assert len(outputs) == 2
    for instance, output in zip(instances, outputs):
        assert isinstance(output, MethodOutput) and output.runtime_s >= 0
        cvrp.check(instance, output.solution)
        assert output.status == ("feasible" if spec.family == "ortools" else "heuristic")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("savings:fast", "no variant"),
        ("savings:x=1", "unknown option"),
        ("sweep:round", "unknown sweep variant"),
        ("sweep:plain:x=1", "unknown option"),
        ("ortools:savings", "no variant"),
        ("ortools:first=random", "unknown first solution 'random'"),
        ("ortools:hint=cw", "unknown option"),
    ],
)
def test_bad_method_names(text, needle):
    spec = MethodSpec.parse(text)
    with pytest.raises(CosolveInputError, match=needle):
        methods.METHODS[spec.family].validate(spec)


# ---------------------------------------------------------------------------- route plot


def test_render_writes_images_and_stays_a_function(tmp_path, real):
    import cosolve.problems.cvrp.plot  # noqa: F401  (loading the module must not shadow cvrp.render)

    instance = real["A-n32-k5"]
    solution = clarke_wright(instance)
    for name in ("a.png", "b.svg"):
        cvrp.render(instance, solution, str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000
    assert callable(cvrp.render)
    with pytest.raises(CosolveInputError, match="exists"):
        cvrp.render(instance, solution, str(tmp_path / "a.png"), overwrite=False)
    explicit = Instance("m", None, instance.demands, instance.capacity, instance.distances, "EXPLICIT", "explicit")
    cvrp.render(explicit, solution, str(tmp_path / "m.png"))  # positions from the matrix (MDS)
    assert (tmp_path / "m.png").exists()
