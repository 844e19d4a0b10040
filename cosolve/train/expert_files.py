"""Expert solution files of the imitation trainers: ``.npz`` arrays, one row per instance."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from cosolve.atomic import write_bytes_atomic
from cosolve.errors import CosolveInputError


def save_experts(path: str | Path, experts: dict[str, np.ndarray]) -> None:
    """Write the arrays compressed, atomically."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **experts)
    write_bytes_atomic(path, buffer.getvalue())


def read_experts(path: str | Path, keys: Sequence[str], kind: str) -> dict[str, np.ndarray]:
    """The arrays ``keys`` of an expert file, or a one-line error naming the file."""
    try:
        with np.load(path) as data:
            return {key: data[key] for key in keys}
    except (OSError, KeyError, ValueError) as error:
        raise CosolveInputError(f"not a {kind} expert file: {error}", path) from None


def merge_by_size(
    sets: list[dict[str, np.ndarray]], key: str, label: Callable[[int], str] = str
) -> list[dict[str, np.ndarray]]:
    """One set per instance size (``sets[...][key].shape[1]``; files of one size concatenated),
    by increasing size, each with its ``size`` label and ``rows`` (``arange`` of its length),
    as :func:`cosolve.train.imitation.train_imitation` takes them."""
    merged = []
    for size in sorted({experts[key].shape[1] for experts in sets}):
        same = [experts for experts in sets if experts[key].shape[1] == size]
        joined = {name: np.concatenate([e[name] for e in same]) for name in same[0]}
        joined["size"], joined["rows"] = label(size), np.arange(len(joined[key]))
        merged.append(joined)
    return merged
