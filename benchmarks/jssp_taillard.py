"""Learned policy vs dispatching rules vs CP-SAT on the 80 Taillard instances, per size group.

    python benchmarks/jssp_taillard.py                          # all groups: gnn greedy, gnn:sample=128, rules, CP-SAT
    python benchmarks/jssp_taillard.py --quick                  # 2 instances per group, 8 samples
    python benchmarks/jssp_taillard.py --samples 0 --no-cpsat   # greedy and rules only
    python benchmarks/jssp_taillard.py --checkpoint my.pt --groups 15x15 20x15 --device cuda
    python benchmarks/jssp_taillard.py --set dmu --samples 0 --no-cpsat   # Demirkol's 80 instances

Each group runs as one batch per method. CP-SAT gets, per instance, the wall time that
``gnn:sample=N`` took per instance (the same budget), with 2 workers. Writes
results/jssp_taillard.json.
"""

from __future__ import annotations

import argparse
import time
from statistics import mean

import torch
from _common import hardware, save

from cosolve.baselines.jssp_rules import RULES
from cosolve.instances import path_of
from cosolve.methods import Settings
from cosolve.problems import jssp
from cosolve.solve import solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", dest="family", choices=["ta", "dmu"], default="ta", help="Taillard or Demirkol")
    parser.add_argument("--groups", nargs="+", default=None, help="size groups (default: every group of the set)")
    parser.add_argument("--per-group", type=int, default=10)
    parser.add_argument("--samples", type=int, default=128, help="0 skips the sampling run")
    parser.add_argument("--checkpoint", default=None, help="default: the shipped checkpoint")
    parser.add_argument("--no-cpsat", action="store_true")
    parser.add_argument("--no-rules", action="store_true")
    parser.add_argument("--name", default=None, help="results file name (default jssp_taillard / jssp_dmu)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 instances per group, 8 samples")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    per_group, samples = (2, min(args.samples, 8)) if args.quick else (args.per_group, args.samples)
    suffix = f":checkpoint={args.checkpoint}" if args.checkpoint else ""
    greedy, sampled = f"gnn{suffix}", f"gnn:sample={samples}{suffix}"
    names = [f"{args.family}{i:02d}" for i in range(1, 81)]
    instances = [jssp.read(path_of("jssp", name)) for name in names]
    groups = args.groups or list(dict.fromkeys(f"{i.n_jobs}x{i.n_machines}" for i in instances))
    table: dict[str, dict[str, dict[str, float]]] = {}
    name = args.name or ("jssp_taillard" if args.family == "ta" else "jssp_dmu")
    header = {
        "hardware": hardware(args.device),
        "per_group": per_group,
        "samples": samples,
        "checkpoint": args.checkpoint or "shipped",
    }
    settings = Settings(device=args.device, workers=2)
    for group in groups:
        members = [i for i in instances if f"{i.n_jobs}x{i.n_machines}" == group][:per_group]
        rules = [] if args.no_rules else [f"rule:{rule}" for rule in RULES]
        methods = [greedy] + ([sampled] if samples > 0 else []) + rules
        row: dict[str, dict[str, float]] = {}
        for method in methods:
            begin = time.perf_counter()
            results = solve("jssp", members, method, settings)
            seconds = (time.perf_counter() - begin) / len(members)
            row[method] = {"gap": mean(r.gap_percent for r in results), "seconds_per_instance": seconds}
        if not args.no_cpsat:
            budget = row[sampled if samples > 0 else greedy]["seconds_per_instance"]
            results = solve("jssp", members, "ortools", Settings(time_limit_s=budget, workers=2))
            row[f"ortools ({budget:.1f} s)"] = {
                "gap": mean(r.gap_percent for r in results),
                "seconds_per_instance": mean(r.runtime_s for r in results),
            }
        table[group] = row
        save(name, {**header, "table": table})  # after every group: a run cut short keeps what it measured
        best_rule = min((m for m in row if m.startswith("rule:")), key=lambda m: row[m]["gap"], default=None)
        cells = ", ".join(
            f"{m} {v['gap']:.2f}% ({v['seconds_per_instance']:.2f} s)"
            for m, v in row.items()
            if not m.startswith("rule:") or m == best_rule
        )
        print(f"{group}: {cells}", flush=True)
    overall = {
        m: mean(table[g][m]["gap"] for g in table if m in table[g])
        for m in [greedy, sampled, "rule:fdd-mwkr"]
        if all(m in table[g] for g in table)
    }
    print("mean over groups:", ", ".join(f"{m} {v:.2f}%" for m, v in overall.items()))
    path = save(name, {**header, "table": table, "overall": overall})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
