"""Throughput of the learned job shop policy: greedy rollouts of the shipped checkpoint over
many random 15x15 instances, batched.

    python benchmarks/jssp_gnn_speed.py                    # 256 instances on the CPU
    python benchmarks/jssp_gnn_speed.py --device cuda      # 16,384 instances on the GPU
    python benchmarks/jssp_gnn_speed.py --device cuda --count 65536 --batch 16384

Times whole episodes (reset, observe + forward + step for all J*M decisions, schedules back
on the host) in batches of ``--batch`` instances; the best of ``--repeats`` runs after one
warm-up. Writes results/jssp_gnn_speed_<device>.json.
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
from cosolve.problems.jssp import check, generate


def timed_run(policy, instances, batch: int, device: str) -> float:
    """Seconds to roll out every instance greedily, ``batch`` at a time."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    begin = time.perf_counter()
    for start in range(0, len(instances), batch):
        rollout(policy, instances[start : start + batch], device)
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--count", type=int, default=None, help="instances (default 256 on CPU, 16,384 on GPU)")
    parser.add_argument("--batch", type=int, default=None, help="instances per batch (default: all)")
    parser.add_argument("--size", default="15x15")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--quick", action="store_true", help="32 instances, one repeat")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    on_gpu = args.device.startswith("cuda")
    count = args.count or (32 if args.quick else 16384 if on_gpu else 256)
    batch = args.batch or count
    instances = generate(args.size, count, seed=0)
    policy = load_policy(shipped_checkpoint("jssp"), "jssp", JobShopPolicy, args.device)
    rollout(policy, instances[: min(batch, 64)], args.device)  # warm-up (CUDA context, allocator)
    times = [timed_run(policy, instances, batch, args.device) for _ in range(1 if args.quick else args.repeats)]
    _, solutions = rollout(policy, instances[:32], args.device)
    for instance, solution in zip(instances[:32], solutions):
        check(instance, solution)
    best = min(times)
    print(
        f"gnn greedy, {count} random {args.size} instances in batches of {batch} on {args.device} "
        f"({hardware(args.device)}): best {best:.3f} s of {[round(t, 3) for t in times]}, "
        f"{count / best:,.0f} instances/s"
    )
    path = save(
        f"jssp_gnn_speed_{args.device.split(':')[0]}",
        {
            "size": args.size,
            "count": count,
            "batch": batch,
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
