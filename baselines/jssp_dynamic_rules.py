"""The job shop dispatching rules (:mod:`cosolve.baselines.jssp_rules`, unchanged) on the dynamic
job shop: at each decision the rule's priority picks among the jobs that can start now."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cosolve.baselines.jssp_rules import RULES
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.dynamic.env import Dynamics, Execution, State, reset, step, to_executions
from cosolve.problems.jssp.instance import Instance


def dispatch(state: State, rule: str, seed: int = 0) -> torch.Tensor:
    """``[B]`` the job each instance starts next under ``rule`` (highest priority, lowest index
    on ties, as in the static env)."""
    scores = RULES[rule](state, seed).masked_fill(~state.mask, float("-inf"))
    return scores.argmax(dim=1)


def simulate_rule(
    instances: Sequence[Instance],
    rule: str,
    dynamics: Dynamics | None = None,
    seeds: Sequence[int] | None = None,
    device: str = "cpu",
    windows: Sequence[Sequence[tuple[int, int, int]]] | None = None,
    rule_seed: int = 0,
) -> list[Execution]:
    """Run ``rule`` on a batch of same-shape instances, instance ``b`` under scenario
    ``seeds[b]`` (or the given shutdown ``windows``); one execution per instance."""
    if rule not in RULES:
        raise CosolveInputError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})")
    state = reset(instances, dynamics, seeds, device, windows)
    while not bool(state.done.all()):
        step(state, dispatch(state, rule, rule_seed))
    return to_executions(state)
