"""Running the online bin packing policy on the batched env, and replaying its decisions.

A rollout is online: each item is placed when it arrives, from the state so far. A recorded
rollout (:class:`Trajectory`) keeps what is needed to rebuild every decision's observation
later (the loads of the looked-at bins, the bins in use, the action): the trainers replay
many steps in one batch with gradients instead of holding the graph of a whole rollout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from cosolve.gnn.binpacking_online_policy import OnlinePackingPolicy
from cosolve.gnn.binpacking_rollout import all_packed
from cosolve.gnn.decode import pick, play
from cosolve.problems.binpacking.env import State, reset, step
from cosolve.problems.binpacking.instance import Instance
from cosolve.problems.binpacking.observe_online import OnlineObservation, observe_decisions, observe_online, window

PROBLEM = "binpacking_online"


@dataclass
class Trajectory:
    """The decisions of one batched rollout, step by step (``W_t`` bins looked at in step ``t``).

    Attributes:
        loads: per step ``[B, W_t]`` int64 loads before the decision.
        n_open: per step ``[B]`` int64 bins in use before the decision.
        actions: per step ``[B]`` int64 chosen bins.
        log_probs: per step ``[B]`` float, the log-probability of the action under the policy
            that chose it (empty for a ``chooser``).
    """

    loads: list[torch.Tensor] = field(default_factory=list)
    n_open: list[torch.Tensor] = field(default_factory=list)
    actions: list[torch.Tensor] = field(default_factory=list)
    log_probs: list[torch.Tensor] = field(default_factory=list)

    def padded_loads(self, steps: Sequence[int]) -> torch.Tensor:
        """``[len(steps), B, W]`` the loads of ``steps``, padded with empty bins to the widest."""
        width = max(self.loads[t].shape[1] for t in steps)
        return torch.stack([torch.nn.functional.pad(self.loads[t], (0, width - self.loads[t].shape[1])) for t in steps])


@torch.no_grad()
def run_online(
    policy: OnlinePackingPolicy | None,
    state: State,
    sample: bool = False,
    generator: torch.Generator | None = None,
    trajectory: Trajectory | None = None,
    chooser=None,
) -> State:
    """Pack every item of an online ``state`` in arrival order (in place).

    Args:
        policy: scores the bins; the argmax is taken, or a sample when ``sample``.
        trajectory: when given, every decision is appended to it.
        chooser: instead of a policy, a function ``state -> [B] bins`` (e.g. a rule, to record
            its decisions for imitation).
    """

    def decide(state: State) -> torch.Tensor:
        width = window(state)
        if chooser is not None:
            actions = chooser(state)
        else:
            observation = observe_online(state)
            logits = policy(observation)
            position = pick(logits, sample, generator).unsqueeze(1)
            actions = observation.index.gather(1, position).squeeze(1)
        if trajectory is not None:
            trajectory.loads.append(state.loads[:, :width].clone())
            trajectory.n_open.append(state.n_open.clone())
            trajectory.actions.append(actions)
            if chooser is None:
                trajectory.log_probs.append(torch.log_softmax(logits, dim=1).gather(1, position).squeeze(1))
        return actions

    return play(state, decide, step, all_packed)


def replay(
    weights: torch.Tensor, capacity: torch.Tensor, trajectory: Trajectory, steps: Sequence[int]
) -> tuple[OnlineObservation, torch.Tensor]:
    """The observations of ``steps`` of a recorded rollout, stacked step-major (``len(steps) * B``
    decisions), and the column of each recorded action among its candidates ``[len(steps) * B]``."""
    batch = weights.shape[0]
    loads = trajectory.padded_loads(steps).flatten(0, 1)
    n_open = torch.cat([trajectory.n_open[t] for t in steps])
    index = torch.as_tensor(list(steps), device=weights.device).repeat_interleave(batch)
    observation = observe_decisions(weights.repeat(len(steps), 1), capacity.repeat(len(steps)), loads, n_open, index)
    actions = torch.cat([trajectory.actions[t] for t in steps])
    return observation, (observation.index == actions.unsqueeze(1)).to(torch.int8).argmax(dim=1)


def pack_online(
    policy: OnlinePackingPolicy, instances: Sequence[Instance], device: str | torch.device = "cpu"
) -> torch.Tensor:
    """``[B, n]`` int64 bin numbers of the policy's greedy online packing of same-size instances."""
    return run_online(policy, reset(instances, device)).assignment
