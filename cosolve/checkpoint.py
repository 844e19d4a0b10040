"""Policy checkpoints: config, weights, training state and metrics in one file, written atomically.

A checkpoint is a ``torch.save`` dict loaded with ``weights_only=True``::

    {"format": "cosolve-checkpoint", "format_version": 1, "problem": "jssp",
     "policy": {"name": "JobShopPolicy", "config": {...}}, "weights": state_dict,
     "training": {...}, "metrics": {...}, "cosolve_version": "0.1.0"}
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

import torch

from cosolve import __version__
from cosolve.atomic import write_bytes_atomic
from cosolve.errors import CosolveInputError

FORMAT = "cosolve-checkpoint"
FORMAT_VERSION = 1
SHIPPED = Path(__file__).resolve().parent / "checkpoints_data"


def save_checkpoint(
    path: str | Path,
    problem: str,
    policy_name: str,
    config: dict,
    weights: dict,
    training: dict | None = None,
    metrics: dict | None = None,
) -> None:
    """Write a checkpoint atomically (a crash never leaves a truncated file)."""
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "problem": problem,
        "policy": {"name": policy_name, "config": config},
        "weights": weights,
        "training": training or {},
        "metrics": metrics or {},
        "cosolve_version": __version__,
    }
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    write_bytes_atomic(path, buffer.getvalue())


def load_checkpoint(path: str | Path, problem: str) -> dict[str, Any]:
    """Read a checkpoint of ``problem``; a missing, corrupted or foreign file is a user error."""
    path = Path(path)
    if not path.is_file():
        raise CosolveInputError("no such checkpoint file", path)
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, pickle.UnpicklingError, zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise CosolveInputError(
            f"not a readable cosolve checkpoint (corrupted or truncated?): {reason}", path
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CosolveInputError("not a cosolve checkpoint", path)
    if payload.get("format_version", 0) > FORMAT_VERSION:
        raise CosolveInputError(f"checkpoint format {payload['format_version']} is newer than this cosolve reads", path)
    if payload.get("problem") != problem:
        raise CosolveInputError(f"checkpoint is for problem {payload.get('problem')!r}, not {problem!r}", path)
    return payload


def shipped_checkpoints() -> list[Path]:
    """The checkpoints that ship inside the package, sorted by name."""
    return sorted(SHIPPED.glob("*.pt")) if SHIPPED.is_dir() else []


def shipped_checkpoint(problem: str) -> Path:
    """The default checkpoint of ``problem`` (``<problem>.pt`` in the package)."""
    path = SHIPPED / f"{problem}.pt"
    if not path.is_file():
        raise CosolveInputError(
            f"no checkpoint for {problem} ships with this installation (train one and use gnn:checkpoint=PATH)"
        )
    return path


def save_training_checkpoints(
    out: str | Path, problem: str, policy: torch.nn.Module, config: dict, training: dict, metrics: dict, is_best: bool
) -> None:
    """During training: always write ``OUT.last`` (to resume), and ``OUT`` when the policy is the best so far."""
    weights = {name: tensor.detach().cpu() for name, tensor in policy.state_dict().items()}
    name = type(policy).__name__
    save_checkpoint(f"{out}.last", problem, name, config, weights, training, metrics)
    if is_best:
        save_checkpoint(out, problem, name, config, weights, training, metrics)
