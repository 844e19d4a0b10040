"""Copy a trained checkpoint into the package as the default policy of its problem.

Drops what is only needed to resume (the optimizer, every random generator's state, the
trainer's extra state: PPO-EWMA's proximal weights, a DAgger buffer) and keeps the config,
weights, training history, arguments and metrics:
``python scripts/ship_checkpoint.py /path/to/best.pt jssp``; a third argument names the shipped
file when it is not ``<problem>.pt`` (``... best.pt jssp_dynamic jssp_dynamic_blocking``).
"""

from __future__ import annotations

import sys

from cosolve.checkpoint import SHIPPED, load_checkpoint, save_checkpoint

RESUME_ONLY = ("optimizer", "random", "extra", "python_rng", "torch_rng")
"""Training entries a shipped checkpoint leaves out (the last two: checkpoints of older versions)."""


def main(source: str, problem: str, name: str | None = None) -> None:
    payload = load_checkpoint(source, problem)
    training = {k: v for k, v in payload["training"].items() if k not in RESUME_ONLY}
    SHIPPED.mkdir(exist_ok=True)
    target = SHIPPED / f"{name or problem}.pt"
    save_checkpoint(
        target,
        problem,
        payload["policy"]["name"],
        payload["policy"]["config"],
        payload["weights"],
        training,
        payload["metrics"],
    )
    print(f"shipped {source} as {target} ({target.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(*sys.argv[1:])
