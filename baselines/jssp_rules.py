"""Job shop dispatching rules as priority functions over the batched env state.

A rule maps the state to a ``[B, J]`` score per job (its next operation); the highest
score among the eligible jobs is dispatched. Eligible jobs are, in the default
**non-delay** form, the jobs whose next operation can start at the earliest time of all
candidates (Giffler-Thompson non-delay); in the **plain** form every unfinished job.

Tie-breaking: among equal scores the lowest job index wins (``argmax`` returns the first
maximum), so every rule but ``random`` is deterministic.

=========  =================================================================
name       priority of a job's next operation
=========  =================================================================
spt        shortest processing time
lpt        longest processing time
mwkr       most work remaining in the job (including the operation)
lwkr       least work remaining
mor        most operations remaining
lor        least operations remaining
fifo       first in, first out: earliest time the operation became available
fdd-mwkr   smallest ratio of flow due date (work done so far plus the operation) to work remaining
random     uniform random scores (seeded)
=========  =================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from cosolve.errors import CosolveInputError
from cosolve.problems.hashing import mix32
from cosolve.problems.jssp.env import State, nondelay_mask, reset, step, to_solutions
from cosolve.problems.jssp.instance import Instance, Solution

Priority = Callable[[State, int], torch.Tensor]
"""``(state, seed) -> [B, J]`` scores; only ``random`` uses the seed."""


def _fdd_over_mwkr(state: State, _: int) -> torch.Tensor:
    total_work = state.work_suffix[:, :, 0]
    flow_due_date = total_work - state.remaining_work + state.candidate_duration
    return -(flow_due_date.double() / state.remaining_work.clamp(min=1).double())


def _random(state: State, seed: int) -> torch.Tensor:
    """Uniform scores in [0, 1) from a hash of (seed, instance, step, job): the same instance
    gets the same choices whatever else is in its batch, on any device."""
    steps = state.next_op.sum(dim=1, keepdim=True)
    jobs = torch.arange(state.n_jobs, device=steps.device).unsqueeze(0)
    key = mix32(state.instance_key.unsqueeze(1) ^ mix32(torch.full_like(steps, seed)))
    key = mix32(key ^ mix32(steps * 0x10001 + 0x9E3779B9))
    return mix32(key ^ mix32(jobs + 0x632BE5AB)).double() / 2**32


RULES: dict[str, Priority] = {
    "spt": lambda state, _: -state.candidate_duration.double(),
    "lpt": lambda state, _: state.candidate_duration.double(),
    "mwkr": lambda state, _: state.remaining_work.double(),
    "lwkr": lambda state, _: -state.remaining_work.double(),
    "mor": lambda state, _: state.remaining_ops.double(),
    "lor": lambda state, _: -state.remaining_ops.double(),
    "fifo": lambda state, _: -state.job_ready.double(),
    "fdd-mwkr": _fdd_over_mwkr,
    "random": _random,
}


def dispatch(state: State, rule: str, nondelay: bool = True, seed: int = 0) -> torch.Tensor:
    """``[B]`` the job each instance dispatches next under ``rule``."""
    eligible = nondelay_mask(state) if nondelay else state.mask
    scores = RULES[rule](state, seed).masked_fill(~eligible, float("-inf"))
    return scores.argmax(dim=1)


def run_rule(
    instances: Sequence[Instance], rule: str, nondelay: bool = True, device: str = "cpu", seed: int = 0
) -> list[Solution]:
    """Schedule a batch of same-shape instances with ``rule``; one solution per instance."""
    if rule not in RULES:
        raise CosolveInputError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})")
    state = reset(instances, device)
    for _ in range(state.n_jobs * state.n_machines):
        step(state, dispatch(state, rule, nondelay, seed))
    return to_solutions(state)
