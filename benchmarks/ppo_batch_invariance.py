"""Batch-size invariance of PPO and PPO-EWMA on the job shop (Hilton, Cobbe and Schulman 2021).

Trains the job shop policy with PPO on random shops of one size at several batch sizes (the
number of shops per iteration), every run for the same number of episodes, and validates it
every ``--every`` episodes (greedy mean makespan on fixed shops, divided by MWKR's). The
hyperparameters are tuned for the middle batch size; at the other sizes

- ``ppo``: standard PPO, the learning rate scaled in proportion to the batch (the naive rule);
- ``ppo-ewma``: PPO-EWMA scaled by the paper's rules (:func:`cosolve.train.ppo.scale_batch`:
  the learning rate in proportion, the proximal policy's and the advantage moments' EWMA ages
  in inverse proportion).

A batch-size-invariant algorithm gives the same learning curve against environment steps
whatever the batch. Reported: the final score per batch size and the spread (max - min) of the
final scores across the batch sizes, per seed and averaged.

    python ppo_batch_invariance.py --out results/ppo_batch_invariance.json        # train (resumable)
    python ppo_batch_invariance.py --out results/ppo_batch_invariance.json --report ppo_batch_invariance.png
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from cosolve.baselines.jssp_rules import run_rule
from cosolve.gnn.jssp_policy import PolicyConfig
from cosolve.problems.jssp import evaluate, generate
from cosolve.train.jssp_ppo import JobShopPPOArgs, train
from cosolve.train.ppo import scale_batch

ALGORITHMS = ("ppo", "ppo-ewma")


def base_args(out: str, size: str, batch: int, seed: int, algorithm: str) -> JobShopPPOArgs:
    """The run at the reference batch ``batch``: tuned there, scaled from there."""
    return JobShopPPOArgs(
        out=out,
        sizes=[size],
        num_envs=batch,
        learning_rate=1e-3,
        anneal_lr=False,
        update_epochs=3,
        num_minibatches=4,
        ppo_ewma=algorithm == "ppo-ewma",
        adv_ewma_decay=0.5 if algorithm == "ppo-ewma" else 0.0,
        validation_size=size,
        validation_count=32,
        seed=seed,
        config=PolicyConfig(hidden=32, layers=2).to_dict(),
    )


def run_one(size: str, batch: int, reference: int, seed: int, algorithm: str, episodes: int, every: int) -> dict:
    """Train one run; its learning curve as ``{"episodes": [...], "score": [...]}``."""
    with tempfile.TemporaryDirectory() as folder:
        args = scale_batch(base_args(f"{folder}/p.pt", size, reference, seed, algorithm), batch / reference)
        args = replace(args, num_envs=batch, iterations=episodes // batch, validate_every=max(1, every // batch))
        reference_makespan = mwkr_makespan(args)
        began = time.time()
        result = train(args, log=lambda _: None)
    curve = [(row["iteration"] * batch, row["valid_makespan"] / reference_makespan) for row in result["history"]]
    return {
        "episodes": [e for e, _ in curve],
        "score": [s for _, s in curve],
        "seconds": time.time() - began,
        "learning_rate": args.learning_rate,
        "ewma_decay": args.ewma_decay,
        "adv_ewma_decay": args.adv_ewma_decay,
    }


def mwkr_makespan(args: JobShopPPOArgs) -> float:
    """MWKR's mean makespan on the run's validation shops (the trainer's: same size, count, seed)."""
    shops = generate(args.validation_size, args.validation_count, seed=10_000 + args.seed)
    return float(np.mean([evaluate(shop, solution) for shop, solution in zip(shops, run_rule(shops, "mwkr"))]))


def spreads(results: dict, batches: list[int], seeds: list[int]) -> dict:
    """Per algorithm: final score per batch (mean over seeds) and the spread across batches."""
    summary = {}
    for algorithm in ALGORITHMS:
        finals = {
            b: [results[key(algorithm, b, s)]["score"][-1] for s in seeds if key(algorithm, b, s) in results]
            for b in batches
        }
        if not all(len(v) == len(seeds) for v in finals.values()):
            continue
        per_seed = [max(finals[b][i] for b in batches) - min(finals[b][i] for b in batches) for i in range(len(seeds))]
        summary[algorithm] = {
            "final": {b: float(np.mean(v)) for b, v in finals.items()},
            "spread_per_seed": per_seed,
            "spread": float(np.mean(per_seed)),
            "spread_of_means": max(np.mean(v) for v in finals.values()) - min(np.mean(v) for v in finals.values()),
        }
    return summary


def key(algorithm: str, batch: int, seed: int) -> str:
    return f"{algorithm}/b{batch}/s{seed}"


def report(results: dict, batches: list[int], seeds: list[int], figure: str) -> None:
    """The learning curves (mean over seeds) as a PNG and the table of final scores and spreads."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(ALGORITHMS), figsize=(11, 4), sharey=True)
    for axis, algorithm in zip(axes, ALGORITHMS):
        for batch in batches:
            runs = [results[key(algorithm, batch, s)] for s in seeds if key(algorithm, batch, s) in results]
            if not runs:
                continue
            length = min(len(r["score"]) for r in runs)
            curve = np.mean([r["score"][:length] for r in runs], axis=0)
            axis.plot(runs[0]["episodes"][:length], curve, label=f"batch {batch}")
        axis.set_title(f"{algorithm} ({'naive learning-rate scaling' if algorithm == 'ppo' else 'the paper rules'})")
        axis.set_xlabel("training episodes")
        axis.grid(alpha=0.3)
        axis.legend()
    axes[0].set_ylabel("validation makespan / MWKR's (mean over seeds)")
    fig.tight_layout()
    fig.savefig(figure, dpi=120)
    print(f"wrote {figure}")
    summary = spreads(results, batches, seeds)
    print(
        "| algorithm | "
        + " | ".join(f"final, batch {b}" for b in batches)
        + " | spread (mean over seeds) | spread of the means |"
    )
    print("|---|" + "---|" * (len(batches) + 2))
    for algorithm, row in summary.items():
        finals = " | ".join(f"{row['final'][b]:.4f}" for b in batches)
        print(f"| {algorithm} | {finals} | {row['spread']:.4f} | {row['spread_of_means']:.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="results JSON (runs already in it are skipped)")
    parser.add_argument("--size", default="6x6")
    parser.add_argument("--batches", default="4,16,64", help="shops per iteration; the middle one is the reference")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--episodes", type=int, default=2048, help="training episodes of every run")
    parser.add_argument("--every", type=int, default=256, help="episodes between validations")
    parser.add_argument("--report", help="write the learning curves to this PNG and print the table; no training")
    args = parser.parse_args()
    torch.set_num_threads(1)
    batches = [int(b) for b in args.batches.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    path = Path(args.out)
    results = json.loads(path.read_text()) if path.exists() else {}
    if args.report:
        report(results, batches, seeds, args.report)
        return
    reference = batches[len(batches) // 2]
    for seed in seeds:
        for algorithm in ALGORITHMS:
            for batch in batches:
                if key(algorithm, batch, seed) in results:
                    continue
                results[key(algorithm, batch, seed)] = run_one(
                    args.size, batch, reference, seed, algorithm, args.episodes, args.every
                )
                path.write_text(json.dumps(results, indent=1))
                run = results[key(algorithm, batch, seed)]
                print(
                    f"{key(algorithm, batch, seed)}: final {run['score'][-1]:.4f} in {run['seconds']:.0f} s", flush=True
                )


if __name__ == "__main__":
    main()
