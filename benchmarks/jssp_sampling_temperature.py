"""How the sampling temperature of ``gnn:sample=N`` was chosen: the best of N sampled
rollouts relative to the greedy rollout, on generated shops (never on the benchmark sets).

    python benchmarks/jssp_sampling_temperature.py                  # 16 random 15x15, 16 samples
    python benchmarks/jssp_sampling_temperature.py --size 20x20 --temperatures 0.1 0.2 0.5

Writes results/jssp_sampling_temperature.json.
"""

from __future__ import annotations

import argparse
import time

import torch
from _common import hardware, save

from cosolve.checkpoint import shipped_checkpoint
from cosolve.gnn.jssp_policy import JobShopPolicy
from cosolve.gnn.jssp_rollout import rollout
from cosolve.gnn.loading import load_policy
from cosolve.problems.jssp import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="15x15")
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.1, 0.2, 0.35, 0.5, 1.0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    instances = generate(args.size, args.count, seed=777)
    policy = load_policy(shipped_checkpoint("jssp"), "jssp", JobShopPolicy, args.device)
    greedy = rollout(policy, instances, args.device)[0].float()
    rows = []
    for temperature in args.temperatures:
        generator = torch.Generator(device=args.device).manual_seed(0)
        begin = time.perf_counter()
        makespans = rollout(
            policy, instances * args.samples, args.device, sample=True, generator=generator, temperature=temperature
        )[0].float()
        makespans = makespans.view(args.samples, args.count)
        best = torch.minimum(makespans.min(dim=0).values, greedy)
        row = {
            "temperature": temperature,
            "best_below_greedy_percent": float(100 * (1 - best / greedy).mean()),
            "mean_sample_above_greedy_percent": float(100 * (makespans / greedy - 1).mean()),
            "seconds": time.perf_counter() - begin,
        }
        rows.append(row)
        print(
            f"temperature {temperature}: best of {args.samples} is {row['best_below_greedy_percent']:.2f}% below "
            f"greedy; a sample is {row['mean_sample_above_greedy_percent']:.2f}% above it on average",
            flush=True,
        )
    path = save(
        "jssp_sampling_temperature",
        {
            "hardware": hardware(args.device),
            "size": args.size,
            "count": args.count,
            "samples": args.samples,
            "rows": rows,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
