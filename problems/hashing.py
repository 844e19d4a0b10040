"""Counter-based random numbers on integer tensors: the same value on any device and in any
batch, computed from a key (seed, instance, step ...) instead of drawn from a stream."""

from __future__ import annotations

import torch

MASK32 = 0xFFFFFFFF


def mix32(values: torch.Tensor) -> torch.Tensor:
    """A 32-bit integer hash (xorshift-multiply rounds) on int64 tensors, exact on CPU and GPU."""
    values = values & MASK32
    for multiplier in (0x7FEB352D, 0x846CA68B):
        values = ((values ^ (values >> 16)) * multiplier) & MASK32
    return values ^ (values >> 16)


def uniform(*keys: torch.Tensor | int) -> torch.Tensor:
    """Uniform numbers in the open interval (0, 1), float64, from integer keys that broadcast
    together (tensors of int64, or ints): equal keys give equal numbers."""
    tensors = [key for key in keys if isinstance(key, torch.Tensor)]
    device = tensors[0].device if tensors else None
    hashed = torch.zeros((), dtype=torch.int64, device=device)
    for position, key in enumerate(keys):
        key = torch.as_tensor(key, dtype=torch.int64, device=device)
        hashed = mix32(hashed ^ mix32(key + 0x9E3779B9 * (position + 1)))
    return (hashed.double() + 0.5) / 2**32
