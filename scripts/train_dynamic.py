"""Train the shipped dynamic job shop policies (PPO under random shutdowns; one CPU thread).

    python scripts/train_dynamic.py general WORKDIR [--iterations N]    # jssp_dynamic.pt
    python scripts/train_dynamic.py blocking WORKDIR [--iterations N]   # jssp_dynamic_blocking.pt
    python scripts/train_dynamic.py imitation WORKDIR --init CKPT [--iterations N]  # DAgger, not shipped

``general``: warm start from the shipped static job shop policy, every setting of
``cosolve.train.jssp_dynamic_ppo.SETTINGS`` (the blocking ones drawn a little more often), learning
rate 1e-4. ``blocking``: random initial weights, only the blocking + swap settings, learning
rate 3e-4 — the static policy's habits (close to MWKR) are among the worst in a blocking shop,
and measured, PPO from scratch passed every rule there within 10 iterations while the warm
start stayed 2-4 % behind the best rule after 40. Both: random 8x8 and 10x10 Taillard shops,
8 instances x 8 rollouts under one scenario per iteration, validation every 10 iterations on 12
fixed 10x10 instances.

``imitation`` (:mod:`cosolve.train.jssp_dynamic_imitation`): DAgger on the lookahead dispatcher
(:mod:`cosolve.baselines.jssp_dynamic_pilot`, rules MOR and SPT) on the blocking + swap settings,
random 10x10, 15x15 and 20x5 shops, 16 per round, starting from ``--init`` (a PPO blocking
checkpoint); validation every 4 rounds on 8 fixed 15x15 instances. Measured: about 30 rounds
from a PPO blocking checkpoint left its validation where it started (benchmarks/README.md).

Rerunning resumes from ``WORKDIR/policy.pt.last``. Ship with
``python scripts/ship_checkpoint.py WORKDIR/policy.pt jssp_dynamic [jssp_dynamic_blocking]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from cosolve.train.jssp_dynamic_imitation import DynamicImitationArgs
from cosolve.train.jssp_dynamic_imitation import train as train_imitation
from cosolve.train.jssp_dynamic_ppo import RECIPE, SETTINGS, DynamicPPOArgs, train

BLOCKING = [name for name, dynamics in SETTINGS.items() if dynamics.blocking]
RECIPES = RECIPE.settings["shipped"]
"""The dynamic PPO recipe's shipped runs: ``general`` and ``blocking``."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", choices=[*RECIPES, "imitation"])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--iterations", type=int, default=3000, help="PPO iterations or DAgger rounds")
    parser.add_argument("--init", default="none", help="imitation: the checkpoint to start from")
    args = parser.parse_args()
    torch.set_num_threads(1)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.recipe == "imitation":
        imitation = DynamicImitationArgs(
            out=str(args.workdir / "policy.pt"),
            sizes=["10x10", "15x15", "20x5"],
            settings=BLOCKING,
            rounds=args.iterations,
            instances=16,
            learning_rate=3e-4,
            updates=150,
            validate_every=4,
            init=args.init,
            seed=11,
        )
        train_imitation(imitation, resume=resumable(imitation.out))
        return
    run = DynamicPPOArgs(
        out=str(args.workdir / "policy.pt"),
        sizes=["8x8", "10x10"],
        iterations=args.iterations,
        instances=8,
        rollouts=8,
        validate_every=10,
        validation_size="10x10",
        validation_count=12,
        **RECIPES[args.recipe],
    )
    train(run, resume=resumable(run.out))


def resumable(out: str) -> str | None:
    """The run's ``.last`` when a previous call left one (rerunning resumes)."""
    last = Path(f"{out}.last")
    return str(last) if last.is_file() else None


if __name__ == "__main__":
    main()
