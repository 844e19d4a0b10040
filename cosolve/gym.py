"""Gymnasium environments: any cosolve problem, one instance, for reinforcement learning agents.

:func:`make` wraps a problem's batched tensor env (a batch of one) as a ``gymnasium.Env``; the
env does all the work, this module only turns its state into numpy arrays::

    from cosolve.gym import make

    env = make("jssp", "instances/jssp/ft06.jsp")
    observation, info = env.reset(seed=0)
    while True:
        action = env.action_space.sample(mask=info["action_mask"])  # your agent here
        observation, reward, terminated, truncated, info = env.step(action)
        if terminated:
            break
    print(info["objective"], info["solution"])

Actions are ``Discrete(A)``, the env's own actions (``A`` below). The feasible ones are
``info["action_mask"]`` (int8 ``[A]``, the layout ``Discrete.sample(mask=...)`` takes), which is also
``observation["action_mask"]``, as masked-RL libraries expect; :meth:`CosolveEnv.action_masks`
gives it as bool for sb3-contrib's ``MaskablePPO``.

The reward of a step is minus the increase of the objective so far (plus for knapsack, which
maximises), so the return of an episode is ``-objective`` (``+objective`` for knapsack). An
episode terminates when the env is done; its last ``info`` holds ``"solution"`` (the problem's
``Solution``, passed through the problem's independent ``check``) and ``"objective"`` (the
problem's ``evaluate`` of it). Nothing is random: ``reset(seed=...)`` seeds ``np_random`` as
gymnasium asks, and every reset gives the same start.

An infeasible action (``action_mask`` 0) leaves the state unchanged, gives reward 0 and
``info["invalid_action"] = True`` (``invalid_action="noop"``, the default), or raises ``ValueError``
(``invalid_action="raise"``). Gymnasium's and Stable-Baselines3's env checkers step actions drawn
from the whole action space, and replay an action drawn one step into the episode on a fresh
reset (bin packing: only bin 0 is feasible at the start), so a strict env cannot pass them;
use ``"raise"`` while developing an agent that should never pick a masked action. A step after
the end of an episode, or an action outside ``0..A-1``, always raises ``ValueError``.

Observations are a ``Dict`` of numpy arrays of fixed shapes (integers int64, reals float64, flags
int8), within the declared ``Box`` bounds. Static instance data is repeated in every
observation, as gymnasium wants new arrays on every call. Per problem:

* ``jssp`` (``J`` jobs, ``M`` machines, ``A = J``: the job whose next operation to schedule,
  at its earliest start by gap insertion): ``durations``, ``machines`` ``[J, M]``; ``next_op``
  ``[J]`` (``M`` when the job is done); ``job_ready`` ``[J]`` (end of each job's last scheduled
  operation); ``machine_ready`` ``[M]`` (latest end on each machine); ``earliest_start`` ``[J]``
  (of each job's next operation, ``-1`` when done); ``start_times`` ``[J, M]`` (``-1`` while
  unscheduled); ``makespan`` ``[1]``.
* ``tsp`` (``n`` nodes, ``A = n``: the next node; tours start at node 0): ``coords`` ``[n, 2]``
  (or ``distances`` ``[n, n]`` for explicit-matrix instances); ``visited`` ``[n]`` flags;
  ``current``, ``start`` ``[1]``; ``length`` ``[1]`` (so far, the closing edge included at the end).
* ``cvrp`` (``N = n + 1`` nodes, depot 0, ``A = N``: the next node, the depot ends a route):
  ``coords`` ``[N, 2]`` (or ``distances`` ``[N, N]``); ``demands`` ``[N]``; ``capacity`` ``[1]``;
  ``visited`` ``[N]`` flags; ``current``, ``remaining`` (capacity left) ``[1]``; ``length`` ``[1]``.
* ``knapsack`` (``n`` items, ``A = n + 1``: an item, or ``n`` to stop): ``values``, ``weights``
  ``[n]``; ``capacity``, ``remaining``, ``value`` ``[1]``; ``chosen`` ``[n]`` flags.
* ``binpacking`` (``n`` items, bins ``0..n-1`` in opening order): ``weights`` ``[n]``; ``capacity``
  ``[1]``; ``loads`` ``[n]`` (per bin); ``assignment`` ``[n]`` (bin of each item, ``-1`` while
  unpacked); ``n_open`` ``[1]``. Online mode (the default, ``mode="online"``): items arrive in the
  file's order, ``A = n`` bins for the item ``item`` ``[1]``. Offline (``mode="offline"``): ``A = n * n``,
  action ``item * n + bin``.
"""

from __future__ import annotations

import importlib
import inspect
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import torch
from gymnasium import spaces

from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.env import NO_TIME
from cosolve.registry import detect_problem, get_problem, problem_names

INVALID_ACTIONS = ("noop", "raise")
"""What a step with an infeasible action does: nothing (reward 0, ``info["invalid_action"]``), or raise."""


def make(
    problem: str | None,
    instance: str | Path | Any,
    *,
    device: str | torch.device = "cpu",
    invalid_action: str = "noop",
    **options: Any,
) -> CosolveEnv:
    """A gymnasium env for one instance of a problem.

    Args:
        problem: a registered problem name (``cosolve.registry.problem_names()``), or ``None`` to
            detect it from the file (suffix, then content) or from the instance's type.
        instance: the path of an instance file (read with the problem's reader) or an ``Instance``.
        device: where the tensor env runs.
        invalid_action: ``noop`` or ``raise`` (see the module docstring).
        options: keyword arguments of the problem env's ``reset``, e.g. ``mode="offline"`` for bin
            packing.

    Raises:
        CosolveInputError: an unknown problem or option, a missing or malformed file, or an
            instance of another problem.
    """
    if isinstance(instance, (str, Path)):
        name = detect_problem(instance, problem)
        instance = get_problem(name).read(instance)
    else:
        name = problem if problem is not None else _problem_of(instance)
        expected = get_problem(name).Instance
        if not isinstance(instance, expected):
            raise CosolveInputError(
                f"instance is a {type(instance).__module__}.{type(instance).__name__}, not a {name} instance"
            )
    return CosolveEnv(name, instance, device=device, invalid_action=invalid_action, **options)


def _problem_of(instance: Any) -> str:
    """The registered problem whose ``Instance`` type ``instance`` has."""
    for name in problem_names():
        if isinstance(instance, get_problem(name).Instance):
            return name
    raise CosolveInputError(f"{type(instance).__name__} is not an instance of a cosolve problem; pass its problem")


class CosolveEnv(gymnasium.Env):
    """One instance of a cosolve problem as a gymnasium env (see the module docstring).

    Attributes:
        problem: the problem package (``cosolve.problems.<name>``).
        instance: the instance, as the problem's ``Instance``.
        state: the tensor env's state (batch of one) after the last ``reset``/``step``.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        problem: str,
        instance: Any,
        *,
        device: str | torch.device = "cpu",
        invalid_action: str = "noop",
        **options: Any,
    ):
        if problem not in VIEWS:
            raise CosolveInputError(
                f"no gymnasium view of problem {problem!r} (cosolve.gym.VIEWS has {', '.join(VIEWS)})"
            )
        if invalid_action not in INVALID_ACTIONS:
            raise CosolveInputError(
                f"invalid_action must be one of {', '.join(INVALID_ACTIONS)}, got {invalid_action!r}"
            )
        self.problem = get_problem(problem)
        self.instance = instance
        self.device = device
        self.invalid_action = invalid_action
        self._tensor_env = importlib.import_module(self.problem.__name__ + ".env")
        accepted = set(inspect.signature(self._tensor_env.reset).parameters) - {"instances", "device"}
        unknown = sorted(set(options) - accepted)
        if unknown:
            raise CosolveInputError(
                f"unknown option {unknown[0]!r} for {problem} (its env takes: {', '.join(sorted(accepted)) or 'none'})"
            )
        self._options = options
        self._space, self._observe_fields, self._objective_field = VIEWS[problem]
        try:
            self.state = self._tensor_env.reset([instance], device=device, **options)
        except ValueError as error:
            raise CosolveInputError(f"{problem} env: {error}") from error
        n_actions = int(self.state.mask.shape[1])
        self.action_space = spaces.Discrete(n_actions)
        self.observation_space = spaces.Dict(
            {**self._space(instance, self.state), "action_mask": spaces.MultiBinary(n_actions)}
        )
        self._sign = 1.0 if self.problem.OBJECTIVE_SENSE == "max" else -1.0
        self._over = False
        self._feasible = self.state.mask[0].cpu().numpy()
        self._last_solution = None

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[dict, dict]:
        """The start of an episode: ``(observation, {"action_mask": [A]})``. ``options`` must be empty."""
        super().reset(seed=seed)
        if options:
            raise ValueError(f"reset takes no options, got {sorted(options)}")
        self.state = self._tensor_env.reset([self.instance], device=self.device, **self._options)
        self._over = False
        observation = self._observe()
        return observation, {"action_mask": observation["action_mask"]}

    def step(self, action: Any) -> tuple[dict, float, bool, bool, dict]:
        """Apply ``action`` (an int in ``0..A-1``): ``(observation, reward, terminated, False, info)``."""
        if self._over:
            raise ValueError("the episode is over: call reset() first")
        index = self._action_index(action)
        feasible = bool(self._feasible[index])
        if not feasible and self.invalid_action == "raise":
            raise ValueError(f"action {index} is infeasible now (action_mask[{index}] is 0); the state is unchanged")
        reward = 0.0
        if feasible:
            before = self._objective()
            self._tensor_env.step(self.state, torch.tensor([index], device=self.state.mask.device))
            reward = self._sign * (self._objective() - before)
        observation = self._observe()
        info: dict[str, Any] = {"action_mask": observation["action_mask"]}
        if not feasible:
            info["invalid_action"] = True
        terminated = bool(self.state.done[0])
        if terminated:
            self._over = True
            info.update(self._result())
        return observation, reward, terminated, False, info

    def action_masks(self) -> np.ndarray:
        """``[A]`` bool, the feasible actions now (the method sb3-contrib's ``MaskablePPO`` calls)."""
        return self._feasible.copy()

    def _action_index(self, action: Any) -> int:
        try:
            index = operator.index(action)
        except TypeError:
            index = -1
        if not 0 <= index < self.action_space.n:
            raise ValueError(f"action must be an integer in 0..{self.action_space.n - 1}, got {action!r}")
        return index

    def _objective(self) -> float:
        return float(getattr(self.state, self._objective_field)[0])

    def _observe(self) -> dict[str, np.ndarray]:
        mask = self.state.mask[0].cpu().numpy()
        self._feasible = mask
        return {**self._observe_fields(self.instance, self.state), "action_mask": mask.astype(np.int8)}

    def _result(self) -> dict[str, Any]:
        """``solution`` (checked) and ``objective`` of a finished episode."""
        solution = self._tensor_env.to_solutions(self.state)[0]
        self.problem.check(self.instance, solution)
        # check_env compares the infos of two identical episodes by value, and a Solution compares
        # by identity: an episode that ends as the previous one did hands back the same (frozen) one.
        if self._last_solution is not None and self._last_solution.to_json() == solution.to_json():
            solution = self._last_solution
        self._last_solution = solution
        return {"solution": solution, "objective": self.problem.evaluate(self.instance, solution)}


def _box(low: float, high: float, shape: tuple[int, ...], dtype: type = np.int64) -> spaces.Box:
    """A ``Box``; ``high`` is raised above ``low`` when they meet (gymnasium warns on flat boxes)."""
    return spaces.Box(low=low, high=high if high > low else low + 1, shape=shape, dtype=dtype)


def _array(tensor: torch.Tensor, dtype: type = np.int64) -> np.ndarray:
    """A new numpy copy of ``tensor`` (on any device) as ``dtype``."""
    return tensor.detach().cpu().numpy().astype(dtype, copy=True)


def _length_box(edges: int, distances: np.ndarray) -> spaces.Box:
    """``[1]`` float64 bounds of a route length of at most ``edges`` edges (slack for rounding)."""
    low, high = min(0.0, float(distances.min())), max(0.0, float(distances.max()))
    return _box(edges * low * (1 + 1e-9), edges * high * (1 + 1e-9) + 1e-9, (1,), np.float64)


def _places_space(instance: Any) -> dict[str, spaces.Space]:
    """``coords`` ``[N, 2]`` of a routing instance, or ``distances`` ``[N, N]`` when it has none."""
    if instance.coords is not None:
        coords = instance.coords
        return {"coords": _box(float(coords.min()), float(coords.max()), coords.shape, np.float64)}
    distances = instance.distances
    return {"distances": _box(min(0.0, float(distances.min())), float(distances.max()), distances.shape, np.float64)}


def _places(instance: Any) -> dict[str, np.ndarray]:
    if instance.coords is not None:
        return {"coords": np.array(instance.coords, dtype=np.float64)}
    return {"distances": np.array(instance.distances, dtype=np.float64)}


def _jssp_space(instance: Any, state: Any) -> dict[str, spaces.Space]:
    n_jobs, n_machines = instance.shape
    horizon = int(instance.durations.sum())  # no time in a schedule built by the env exceeds it
    return {
        "durations": _box(0, int(instance.durations.max()), (n_jobs, n_machines)),
        "machines": _box(0, n_machines - 1, (n_jobs, n_machines)),
        "next_op": _box(0, n_machines, (n_jobs,)),
        "job_ready": _box(0, horizon, (n_jobs,)),
        "machine_ready": _box(0, horizon, (n_machines,)),
        "earliest_start": _box(-1, horizon, (n_jobs,)),
        "start_times": _box(-1, horizon, (n_jobs, n_machines)),
        "makespan": _box(0, horizon, (1,)),
    }


def _jssp_observe(instance: Any, state: Any) -> dict[str, np.ndarray]:
    busy = state.machine_busy_until[0]  # [M, J] running max of ends, padded with NO_TIME
    return {
        "durations": _array(state.durations[0]),
        "machines": _array(state.machines[0]),
        "next_op": _array(state.next_op[0]),
        "job_ready": _array(state.job_ready[0]),
        "machine_ready": _array(torch.where(busy == NO_TIME, 0, busy).amax(dim=1)),
        "earliest_start": _array(torch.where(state.mask[0], state.earliest_start[0], -1)),
        "start_times": _array(state.start_times[0]),
        "makespan": _array(state.makespan),
    }


def _tsp_space(instance: Any, state: Any) -> dict[str, spaces.Space]:
    n = instance.n_nodes
    return {
        **_places_space(instance),
        "visited": spaces.MultiBinary(n),
        "current": _box(0, n - 1, (1,)),
        "start": _box(0, n - 1, (1,)),
        "length": _length_box(n, instance.distances),
    }


def _tsp_observe(instance: Any, state: Any) -> dict[str, np.ndarray]:
    return {
        **_places(instance),
        "visited": _array(state.visited[0], np.int8),
        "current": _array(state.current),
        "start": _array(state.tour[:, 0]),
        "length": _array(state.length, np.float64),
    }


def _cvrp_space(instance: Any, state: Any) -> dict[str, spaces.Space]:
    nodes = instance.n_nodes
    return {
        **_places_space(instance),
        "demands": _box(0, int(instance.demands.max()), (nodes,)),
        "capacity": _box(0, instance.capacity, (1,)),
        "visited": spaces.MultiBinary(nodes),
        "current": _box(0, nodes - 1, (1,)),
        "remaining": _box(0, instance.capacity, (1,)),
        # every customer is entered once and every route ends at the depot: at most 2n edges
        "length": _length_box(2 * instance.n_customers, instance.distances),
    }


def _cvrp_observe(instance: Any, state: Any) -> dict[str, np.ndarray]:
    return {
        **_places(instance),
        "demands": _array(state.demands[0]),
        "capacity": _array(state.capacity),
        "visited": _array(state.visited[0], np.int8),
        "current": _array(state.current),
        "remaining": _array(state.remaining),
        "length": _array(state.length, np.float64),
    }


def _knapsack_space(instance: Any, state: Any) -> dict[str, spaces.Space]:
    n = instance.n_items
    return {
        "values": _box(0, int(instance.values.max()), (n,)),
        "weights": _box(0, int(instance.weights.max()), (n,)),
        "capacity": _box(0, instance.capacity, (1,)),
        "chosen": spaces.MultiBinary(n),
        "remaining": _box(0, instance.capacity, (1,)),
        "value": _box(0, int(instance.values.sum()), (1,)),
    }


def _knapsack_observe(instance: Any, state: Any) -> dict[str, np.ndarray]:
    return {
        "values": _array(state.values[0]),
        "weights": _array(state.weights[0]),
        "capacity": _array(state.capacity),
        "chosen": _array(state.chosen[0], np.int8),
        "remaining": _array(state.remaining),
        "value": _array(state.value),
    }


def _binpacking_space(instance: Any, state: Any) -> dict[str, spaces.Space]:
    n, capacity = instance.n_items, instance.capacity
    fields = {
        "weights": _box(0, capacity, (n,)),
        "capacity": _box(0, capacity, (1,)),
        "loads": _box(0, capacity, (n,)),
        "assignment": _box(-1, n - 1, (n,)),
        "n_open": _box(0, n, (1,)),
    }
    if state.mode == "online":
        fields["item"] = _box(0, n - 1, (1,))
    return fields


def _binpacking_observe(instance: Any, state: Any) -> dict[str, np.ndarray]:
    fields = {
        "weights": _array(state.weights[0]),
        "capacity": _array(state.capacity),
        "loads": _array(state.loads[0]),
        "assignment": _array(state.assignment[0]),
        "n_open": _array(state.n_open),
    }
    if state.mode == "online":
        fields["item"] = _array(state.current)
    return fields


SpaceFn = Callable[[Any, Any], dict[str, spaces.Space]]
ObserveFn = Callable[[Any, Any], dict[str, np.ndarray]]

VIEWS: dict[str, tuple[SpaceFn, ObserveFn, str]] = {
    "jssp": (_jssp_space, _jssp_observe, "makespan"),
    "tsp": (_tsp_space, _tsp_observe, "length"),
    "cvrp": (_cvrp_space, _cvrp_observe, "length"),
    "knapsack": (_knapsack_space, _knapsack_observe, "value"),
    "binpacking": (_binpacking_space, _binpacking_observe, "n_open"),
}
"""Problem name -> (observation fields' spaces of ``(instance, state)``, the fields of a state, the
``State`` attribute holding the objective so far). A new problem needs one entry here."""
