"""Loading a policy from its checkpoint: one function for every problem's policy.

A policy class names the dataclass of its architecture in ``config_class`` (the checkpoint stores
that config as a dict). A class whose older checkpoints need more than ``load_state_dict`` defines
``load_weights(weights)`` (the knapsack policy reads checkpoints from before its lookahead
features, :func:`~cosolve.gnn.knapsack_policy.load_narrower_weights`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch

from cosolve.checkpoint import load_checkpoint
from cosolve.errors import CosolveInputError

Policy = TypeVar("Policy", bound=torch.nn.Module)


def load_policy(
    path: str | Path,
    problem: str,
    cls: type[Policy],
    device: str | torch.device = "cpu",
    check: Callable[[Policy], str | None] | None = None,
) -> Policy:
    """The ``cls`` policy of a checkpoint of ``problem``, in eval mode on ``device``.

    Args:
        check: the reason the loaded policy cannot serve here (e.g. trained on another graph),
            or None; a reason is a user error naming the file.

    Raises:
        CosolveInputError: naming the file: it is missing, unreadable, of another problem, holds
            another policy class, its config or weights do not fit this version's ``cls``, or
            ``check`` gave a reason.
    """
    payload = load_checkpoint(path, problem)
    entry = payload.get("policy")
    name = entry.get("name") if isinstance(entry, dict) else None
    if name != cls.__name__:
        raise CosolveInputError(f"checkpoint holds a {name or 'policy of no name'}, not a {cls.__name__}", path)
    try:
        policy = cls(cls.config_class(**entry.get("config", {})))
        load_weights = getattr(policy, "load_weights", policy.load_state_dict)
        load_weights(payload["weights"])
    except (TypeError, RuntimeError, ValueError, KeyError) as error:
        raise CosolveInputError(f"checkpoint does not fit this version's policy: {str(error)[:120]}", path) from None
    reason = check(policy) if check is not None else None
    if reason is not None:
        raise CosolveInputError(reason, path)
    return policy.to(device).eval()
