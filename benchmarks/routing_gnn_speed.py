"""Throughput of the learned TSP and CVRP policies: greedy construction of many random
uniform instances in one batch.

    python benchmarks/routing_gnn_speed.py                          # shipped checkpoints, CPU
    python benchmarks/routing_gnn_speed.py --device cuda --count 1024
    python benchmarks/routing_gnn_speed.py --tsp-checkpoint a.pt --cvrp-checkpoint b.pt

Times whole episodes (reset, observe + forward + step for every decision, tours back on the
host) after one warm-up; checks the first tours. Writes results/routing_gnn_speed_<device>.json.
"""

from __future__ import annotations

import argparse
import time

import torch
from _common import hardware, save

from cosolve.checkpoint import SHIPPED, shipped_checkpoint
from cosolve.gnn.cvrp_policy import CvrpPolicy
from cosolve.gnn.cvrp_rollout import best_routes
from cosolve.gnn.loading import load_policy
from cosolve.gnn.tsp_policy import TspPolicy
from cosolve.gnn.tsp_rollout import best_tours
from cosolve.problems import cvrp, tsp


def timed(solve, device: str) -> tuple[float, object]:
    """Seconds one call of ``solve`` takes, and its result."""
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    begin = time.perf_counter()
    result = solve()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - begin, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--count", type=int, default=64, help="instances per problem, one batch")
    parser.add_argument("--size", default="100")
    parser.add_argument("--tsp-checkpoint")
    parser.add_argument("--cvrp-checkpoint")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--quick", action="store_true", help="8 instances of 50 nodes")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        args.count, args.size = 8, "50"
    results = {"device": args.device, "hardware": hardware(args.device), "count": args.count, "size": args.size}

    policy = load_policy(args.tsp_checkpoint or shipped_checkpoint("tsp"), "tsp", TspPolicy, args.device)
    instances = tsp.generate(args.size, args.count, seed=0)
    best_tours(policy, instances[:8], device=args.device)  # warm-up
    seconds, tours = timed(lambda: best_tours(policy, instances, device=args.device), args.device)
    for instance, tour in zip(instances[:16], tours):
        tsp.check(instance, tsp.Solution(tour))
    results["tsp_greedy"] = {"seconds": seconds, "instances_per_second": args.count / seconds}
    print(f"tsp{args.size} greedy: {args.count} in {seconds:.2f} s = {args.count / seconds:.1f}/s", flush=True)

    if args.cvrp_checkpoint is None and not (SHIPPED / "cvrp.pt").is_file():
        print("no CVRP checkpoint ships and none was given: CVRP skipped")
        print(save(f"routing_gnn_speed_{args.device.split(':')[0]}", results))
        return
    policy = load_policy(args.cvrp_checkpoint or shipped_checkpoint("cvrp"), "cvrp", CvrpPolicy, args.device)
    instances = cvrp.generate(args.size, args.count, seed=0)
    best_routes(policy, instances[:8], device=args.device)
    seconds, solutions = timed(lambda: best_routes(policy, instances, device=args.device), args.device)
    for instance, solution in zip(instances[:16], solutions):
        cvrp.check(instance, solution)
    results["cvrp_greedy"] = {"seconds": seconds, "instances_per_second": args.count / seconds}
    print(f"cvrp{args.size} greedy: {args.count} in {seconds:.2f} s = {args.count / seconds:.1f}/s", flush=True)
    print(save(f"routing_gnn_speed_{args.device.split(':')[0]}", results))


if __name__ == "__main__":
    main()
