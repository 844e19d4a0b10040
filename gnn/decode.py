"""Decoding with a policy's scores, shared by every problem's rollout and trainer: masked
log-probabilities, their entropy, and picking actions (greedy or sampled)."""

from __future__ import annotations

import torch


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
