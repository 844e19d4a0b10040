"""Decoding with a policy's scores, shared by every problem's rollout and trainer.

- one decision: masked log-probabilities, their entropy, picking an action (greedy or sampled);
- a whole episode: :func:`play` (the loop) and :func:`decode` (the loop with a policy);
- search over copies: :func:`best_of` (the best copy per instance), :func:`chunks` (copies per
  batch);
- the 8-fold symmetry augmentation of 2-D coordinates (TSP, CVRP; POMO's): :func:`symmetries`,
  :func:`views`, :func:`random_views`.

A problem's rollout keeps what is its own (how columns become env actions, forced moves, what it
records) and calls these for the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import torch

from cosolve.problems.planar_embedding import planar_embedding

State = TypeVar("State")
Candidates = TypeVar("Candidates", torch.Tensor, list)


def masked_log_probs(logits: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[B, A]`` log-softmax of ``logits`` over the feasible actions (``-inf`` elsewhere, as the
    policies score infeasible actions); a row with no feasible action (a finished episode) gets
    a uniform row, never used.

    Args:
        logits: ``[B, A]``; mask: ``[B, A]`` bool.
    """
    return torch.log_softmax(torch.where(mask.any(dim=1, keepdim=True), logits, 0.0), dim=1)


def categorical_entropy(log_probs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``[B]`` the entropy of each row's distribution over its feasible actions (no ``0 * -inf``)."""
    safe = log_probs.masked_fill(~mask, 0.0)
    return -(safe.exp() * safe).sum(dim=1)


def pick(
    logits: torch.Tensor,
    sample: bool = False,
    generator: torch.Generator | None = None,
    temperature: float = 1.0,
) -> torch.Tensor:
    """``[B]`` the column of each row's action: the argmax, or a draw from the softmax of
    ``logits / temperature``."""
    if sample:
        return torch.multinomial(torch.softmax(logits / temperature, dim=1), 1, generator=generator).squeeze(1)
    return logits.argmax(dim=1)


def all_done(state: Any) -> bool:
    """Whether every episode of the batch ``state`` is over (its ``done`` ``[B]`` is all True)."""
    return bool(state.done.all())


def play(
    state: State,
    decide: Callable[[State], torch.Tensor],
    step: Callable[[State, torch.Tensor], Any],
    finished: Callable[[State], bool] = all_done,
) -> State:
    """Play the batch ``state`` to its end (in place): ``step(state, decide(state))`` until
    ``finished(state)``. Returns ``state``."""
    while not finished(state):
        step(state, decide(state))
    return state


def decode(
    policy: Callable[[Any], torch.Tensor],
    state: State,
    observe: Callable[[State], Any],
    step: Callable[[State, torch.Tensor], Any],
    sample: bool = False,
    generator: torch.Generator | None = None,
    temperature: float = 1.0,
    to_actions: Callable[[State, torch.Tensor], torch.Tensor] | None = None,
    finished: Callable[[State], bool] = all_done,
) -> State:
    """Play the batch ``state`` to its end (in place) with ``policy``: at every decision, score
    ``observe(state)``, pick a column per row (:func:`pick`: the argmax, or a draw with
    ``generator`` from the softmax at ``temperature``), and step. Returns ``state``.

    Args:
        policy: ``observation -> logits [B, A]``.
        step: the env's ``step(state, actions [B])``.
        to_actions: ``(state, columns [B]) -> actions [B]`` when the policy's columns are not
            the env's actions (default: they are).
        finished: default :func:`all_done`.
    """

    def decide(state: State) -> torch.Tensor:
        columns = pick(policy(observe(state)), sample, generator, temperature)
        return columns if to_actions is None else to_actions(state, columns)

    return play(state, decide, step, finished)


def best_of(
    objectives: torch.Tensor, candidates: Candidates, maximize: bool = False
) -> tuple[torch.Tensor, Candidates]:
    """The best of ``C`` copies of each of ``B`` instances: the first copy with the lowest (or,
    with ``maximize``, highest) objective.

    Args:
        objectives: ``[C, B]``, copy-major (row ``c``: copy ``c`` of every instance).
        candidates: ``[C, B, ...]`` tensor, or a list of ``C * B`` items (copy-major as well).

    Returns:
        the best objectives ``[B]`` and the best candidates (``[B, ...]``, or a list of ``B``).
    """
    choice = objectives.argmax(dim=0) if maximize else objectives.argmin(dim=0)
    batch = objectives.shape[1]
    rows = torch.arange(batch, device=objectives.device)
    if isinstance(candidates, torch.Tensor):
        chosen = candidates[choice.to(candidates.device), rows.to(candidates.device)]
    else:
        chosen = [candidates[copy * batch + index] for index, copy in enumerate(choice.tolist())]
    return objectives[choice, rows], chosen


def chunks(total: int, size: int) -> list[int]:
    """``total`` copies in batches of at most ``size``: the number of copies of each batch."""
    return [min(size, total - start) for start in range(0, total, size)]


def coordinates(instances: Sequence[Any], device: str | torch.device = "cpu") -> torch.Tensor:
    """``[B, n, 2]`` the node coordinates of routing instances (``coords`` ``[n, 2]`` or None,
    ``distances`` ``[n, n]``) for the policy; an explicit-matrix instance gets the planar
    embedding of its matrix (:func:`~cosolve.problems.planar_embedding.planar_embedding`)."""
    points = [planar_embedding(i.distances) if i.coords is None else i.coords for i in instances]
    return torch.as_tensor(np.stack(points), dtype=torch.float32, device=device)


def symmetries(coords: torch.Tensor) -> torch.Tensor:
    """``[8, B, n, 2]`` the 8 symmetric copies of ``coords`` (x/y flips and the x-y swap):
    same distances, different views for the policy (POMO's augmentation)."""
    x, y = coords[..., 0], coords[..., 1]
    views = []
    for a, b in ((x, y), (y, x)):
        for sa, sb in ((a, b), (-a, b), (a, -b), (-a, -b)):
            views.append(torch.stack([sa, sb], dim=-1))
    return torch.stack(views)


def views(coords: torch.Tensor, augment: bool) -> torch.Tensor:
    """``[V, B, n, 2]``: the 8 :func:`symmetries` of ``coords`` with ``augment``, else ``coords``
    alone (``V = 1``)."""
    return symmetries(coords) if augment else coords.unsqueeze(0)


def random_views(coords: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """``coords`` ``[B, n, 2]`` with each instance in one of its 8 symmetric views, at random
    (imitation trainers show every instance in a random view)."""
    chosen = torch.as_tensor(rng.integers(0, 8, size=coords.shape[0]), device=coords.device)
    return symmetries(coords)[chosen, torch.arange(coords.shape[0], device=coords.device)]
