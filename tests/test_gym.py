"""cosolve.gym: every registered problem as a gymnasium env — gymnasium's checker, a random agent
that respects the mask, and the errors a user can meet."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.errors import CosolveInputError
from cosolve.gym import make
from cosolve.registry import get_problem, problem_names

ROOT = Path(__file__).resolve().parents[1]
SMALL_SIZES = {"jssp": "4x3", "tsp": "8", "cvrp": "8", "knapsack": "10", "binpacking": "u20"}
"""A small generator size per problem; a newly registered problem needs one here."""


def small_instance(name: str):
    if name not in SMALL_SIZES:
        pytest.fail(f"no small generator size for {name}: add one to SMALL_SIZES")
    return get_problem(name).generate(SMALL_SIZES[name], 1, seed=0)[0]


def shipped_file(name: str) -> Path:
    """The smallest shipped instance file of a problem."""
    files = [path for path in (ROOT / "instances" / name).iterdir() if path.name != "index.json"]
    if not files:
        pytest.fail(f"no shipped instance of {name} in instances/{name}/")
    return min(files, key=lambda path: (path.stat().st_size, path.name))


def source(name: str, kind: str):
    return small_instance(name) if kind == "generated" else shipped_file(name)


def random_episode(env, seed: int) -> tuple[float, dict, int]:
    """Play one episode choosing uniformly among the feasible actions: (return, last info, steps)."""
    env.action_space.seed(seed)
    _, info = env.reset(seed=seed)
    total, steps = 0.0, 0
    while True:
        assert info["action_mask"].dtype == np.int8 and info["action_mask"].any()
        _, reward, terminated, truncated, info = env.step(env.action_space.sample(mask=info["action_mask"]))
        total, steps = total + reward, steps + 1
        assert not truncated
        if terminated:
            return total, info, steps


def checked(env) -> None:
    """Run gymnasium's checker and fail on its warnings too."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped, skip_render_check=True)
    messages = [str(warning.message) for warning in caught if "WARN" in str(warning.message)]
    assert not messages, messages


PROBLEMS = [pytest.param(name, kind, id=f"{name}-{kind}") for name in problem_names() for kind in ("generated", "file")]


@pytest.mark.parametrize("name, kind", PROBLEMS)
def test_check_env_passes(name, kind):
    checked(make(name, source(name, kind)))


@pytest.mark.parametrize("name, kind", PROBLEMS)
def test_masked_random_agent_finishes_with_a_checked_solution(name, kind):
    env = make(name, source(name, kind))
    problem = get_problem(name)
    total, info, steps = random_episode(env, seed=7)
    problem.check(env.instance, info["solution"])
    assert info["objective"] == problem.evaluate(env.instance, info["solution"])
    sign = 1 if problem.OBJECTIVE_SENSE == "max" else -1
    assert total == pytest.approx(sign * info["objective"], rel=1e-9, abs=1e-9)
    assert steps > 0


def test_episodes_repeat_exactly():
    env = make("cvrp", small_instance("cvrp"))
    first, second = random_episode(env, seed=3), random_episode(env, seed=3)
    assert first[0] == second[0] and first[1]["solution"].routes == second[1]["solution"].routes


def test_bin_packing_offline_mode():
    instance = small_instance("binpacking")
    env = make("binpacking", instance, mode="offline")
    assert env.action_space.n == instance.n_items**2 and "item" not in env.observation_space.spaces
    checked(env)
    total, info, _ = random_episode(env, seed=1)
    get_problem("binpacking").check(instance, info["solution"])
    assert total == -info["objective"]


def test_observation_follows_the_jssp_state():
    env = make("jssp", ROOT / "instances" / "jssp" / "ft06.jsp")
    observation, _ = env.reset()
    assert observation["durations"].shape == (6, 6) and observation["action_mask"].tolist() == [1] * 6
    job = 2
    observation, reward, _, _, _ = env.step(job)
    first_op = env.instance.durations[job, 0]
    assert observation["next_op"][job] == 1 and observation["job_ready"][job] == first_op
    assert observation["machine_ready"][env.instance.machines[job, 0]] == first_op
    assert observation["makespan"].tolist() == [first_op] and reward == -first_op


def test_problem_is_detected_from_a_path_or_an_instance():
    assert make(None, shipped_file("tsp")).problem.NAME == "tsp"
    assert make(None, small_instance("knapsack")).problem.NAME == "knapsack"


def test_unknown_problem_or_bad_file_is_an_input_error(tmp_path):
    with pytest.raises(CosolveInputError, match="unknown problem"):
        make("sudoku", small_instance("jssp"))
    with pytest.raises(CosolveInputError, match="no such file"):
        make("jssp", tmp_path / "missing.jsp")
    with pytest.raises(CosolveInputError, match="no such file"):
        make(None, tmp_path / "missing.txt")
    bad = tmp_path / "bad.jsp"
    bad.write_text("2 2\n0 5 1\n")
    with pytest.raises(CosolveInputError, match="bad.jsp"):
        make("jssp", bad)
    with pytest.raises(CosolveInputError, match="not a jssp instance"):
        make("jssp", small_instance("tsp"))
    with pytest.raises(CosolveInputError, match="unknown option 'mode'"):
        make("jssp", small_instance("jssp"), mode="offline")
    with pytest.raises(CosolveInputError, match="unknown mode"):
        make("binpacking", small_instance("binpacking"), mode="sideways")


def test_masked_action_raises_and_leaves_the_state_unchanged():
    instance = small_instance("tsp")
    env = make("tsp", instance, invalid_action="raise")
    observation, info = env.reset()
    assert info["action_mask"][0] == 0  # the tour starts at node 0
    with pytest.raises(ValueError, match="action 0 is infeasible"):
        env.step(0)
    assert env.state.position == 1 and env.state.visited.sum() == 1
    total, info, steps = random_episode(env, seed=0)
    assert steps == instance.n_nodes - 1 and total == pytest.approx(-info["objective"])


def test_masked_action_is_a_noop_by_default():
    env = make("binpacking", small_instance("binpacking"))
    before, _ = env.reset()
    after, reward, terminated, _, info = env.step(5)  # only bin 0 is open to the first item
    assert reward == 0.0 and not terminated and info["invalid_action"]
    assert all(np.array_equal(before[key], after[key]) for key in before)


def test_out_of_range_action_and_step_after_the_end_raise():
    env = make("knapsack", small_instance("knapsack"))
    env.reset()
    for action in (-1, 11, 2.5):
        with pytest.raises(ValueError, match=r"integer in 0\.\.10"):
            env.step(action)
    _, _, terminated, _, info = env.step(10)  # stop
    assert terminated and info["objective"] == 0
    with pytest.raises(ValueError, match="episode is over"):
        env.step(10)


def test_one_step_episodes_pass_the_checker():
    """Any action ends this knapsack at once, so the checker compares two final infos by value."""
    instance = get_problem("knapsack").Instance("one", np.array([3, 4]), np.array([10, 10]), 10)
    checked(make("knapsack", instance))


@settings(max_examples=25)
@given(seed=st.integers(0, 2**31 - 1), jobs=st.integers(1, 5), machines=st.integers(1, 4), high=st.integers(0, 9))
def test_random_job_shops_give_checked_schedules(seed, jobs, machines, high):
    rng = np.random.default_rng(seed)
    machine_order = np.array([rng.permutation(machines) for _ in range(jobs)])
    durations = rng.integers(0, high + 1, size=(jobs, machines))  # zero-length operations included
    instance = get_problem("jssp").Instance("random", machine_order, durations)
    env = make("jssp", instance)
    total, info, steps = random_episode(env, seed=seed)
    get_problem("jssp").check(instance, info["solution"])
    assert steps == jobs * machines and total == -info["objective"]
    assert info["objective"] == env.state.makespan.item()
