"""Throughput of the batched job shop env: non-delay MWKR over many random 15x15 instances.

    python benchmarks/jssp_env_speed.py                    # 1,024 instances on the CPU
    python benchmarks/jssp_env_speed.py --device cuda      # 16,384 instances on the GPU
    python benchmarks/jssp_env_speed.py --count 4096 --size 20x20

Times the full episodes (reset, J*M rule-driven steps, solutions back on the host); the
best of ``--repeats`` runs after one warm-up. Writes results/jssp_env_speed_<device>.json.
"""

from __future__ import annotations

import argparse
import time

import torch
from _common import hardware, save

from cosolve.baselines.jssp_rules import run_rule
from cosolve.problems.jssp import check, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--count", type=int, default=None, help="instances (default 1,024 on CPU, 16,384 on GPU)")
    parser.add_argument("--size", default="15x15")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--quick", action="store_true", help="64 instances, one repeat")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    count = args.count or (64 if args.quick else 16384 if args.device.startswith("cuda") else 1024)
    instances = generate(args.size, count, seed=0)
    run_rule(instances[:8], "mwkr", device=args.device)  # warm-up (CUDA context, allocator)
    times = []
    for _ in range(1 if args.quick else args.repeats):
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        begin = time.perf_counter()
        solutions = run_rule(instances, "mwkr", device=args.device)
        times.append(time.perf_counter() - begin)
    for instance, solution in zip(instances[:32], solutions[:32]):
        check(instance, solution)
    best = min(times)
    print(
        f"MWKR, {count} random {args.size} instances on {args.device} ({hardware(args.device)}): "
        f"best {best:.3f} s of {[round(t, 3) for t in times]}, {count / best:,.0f} instances/s"
    )
    path = save(
        f"jssp_env_speed_{args.device.split(':')[0]}",
        {
            "size": args.size,
            "count": count,
            "device": args.device,
            "hardware": hardware(args.device),
            "seconds": times,
            "best_seconds": best,
            "instances_per_second": count / best,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
