"""The job shop dispatching rules (:mod:`cosolve.baselines.jssp_rules`, unchanged) on the dynamic
job shop: at each decision the rule's priority picks among the jobs that can start now."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from cosolve.baselines.jssp_rules import RULES
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.dynamic.env import Dynamics, Execution, State, play, reset
from cosolve.problems.jssp.instance import Instance


def dispatch(state: State, rule: str, seed: int = 0) -> torch.Tensor:
    """``[B]`` the job each instance starts next under ``rule`` (highest priority, lowest index
    on ties, as in the static env)."""
    scores = RULES[rule](state, seed).masked_fill(~state.mask, float("-inf"))
    return scores.argmax(dim=1)


def rule_decider(rule: str, seed: int = 0) -> Callable[[State], torch.Tensor]:
    """``state -> [B]`` actions of ``rule`` (an unknown rule is a user error)."""
    if rule not in RULES:
        raise CosolveInputError(f"unknown rule {rule!r} (choose from {', '.join(RULES)})")
    return lambda state: dispatch(state, rule, seed)


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
    decide = rule_decider(rule, rule_seed)
    return play(reset(instances, dynamics, seeds, device, windows), decide)[0]
