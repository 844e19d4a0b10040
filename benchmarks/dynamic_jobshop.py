"""Dynamic job shop benchmark: the learned dispatcher against every dispatching rule and CP-SAT
re-optimisation, under random machine shutdowns, without and with blocking + swaps.

    python benchmarks/dynamic_jobshop.py                          # the default sets and settings
    python benchmarks/dynamic_jobshop.py --sets la10x10 --seeds 1..5 --settings p0.02 p0.02+blocking
    python benchmarks/dynamic_jobshop.py --reopt-sets la10x10 --reopt-seeds 1..3 --reopt-time 0.5

Settings (``cosolve.train.jssp_dynamic_ppo.SETTINGS``): shutdown probability per machine and time step
p = 0, 0.01, 0.02, 0.05, repairs uniform in 1..(a fifth of the mean processing time) (1..10 on
Taillard's instances), interrupted operations resume; each without and with blocking + swaps.
Every method meets the same scenarios (seed s of instance i is the same breakdowns for all).

Sets: la10x10 = la16-la20 (10x10), ta15x15 = ta01-ta10, ta20x20 = ta21-ta30 (Taillard's whole
15x15 and 20x20 sets), ft = ft06, ft10, ft20 (one instance per batch). Per set and setting: the
mean makespan of every method over instances x seeds, and the mean decision time (per decision;
for reopt per re-solve). reopt is expensive (a CP-SAT solve at each disruption), so it runs on
``--reopt-sets`` and ``--reopt-seeds`` only (a subset of ``--seeds``), reported beside the other
methods' means on exactly those scenarios. ``--reopt-sets`` with no name skips it. The table
(``--table``) gives gnn's gap to the best rule with a 95 % interval over the instances.
Writes results/<OUT>.json; every execution passes the independent checker.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from _common import hardware, save

from cosolve.baselines.jssp_rules import RULES
from cosolve.instances import path_of
from cosolve.problems.jssp import read
from cosolve.simulate import parse_seeds, run_method
from cosolve.train.jssp_dynamic_ppo import SETTINGS

SETS = {
    "la10x10": [f"la{i}" for i in range(16, 21)],
    "ta15x15": [f"ta{i:02d}" for i in range(1, 11)],
    "ta20x20": [f"ta{i}" for i in range(21, 31)],
    "ft": ["ft06", "ft10", "ft20"],
}
RULE_METHODS = [f"rule:{rule}" for rule in RULES]


def load(name: str) -> list:
    return [read(path_of("jssp", stem)) for stem in SETS[name]]


def run_set(instances: list, method: str, dynamics, seeds: list[int], time_limit: float) -> dict:
    """Every instance x seed under one method (instances of one shape batched together)."""
    by_shape = defaultdict(list)
    for instance in instances:
        by_shape[instance.shape].append(instance)
    makespans, decision_times, started = {}, [], time.perf_counter()
    for group in by_shape.values():
        batch = [instance for instance in group for _ in seeds]
        outcomes = run_method(batch, method, dynamics, seeds * len(group), time_limit)
        for instance, outcome_seed, outcome in zip(batch, seeds * len(group), outcomes):
            makespans[f"{instance.name}/{outcome_seed}"] = outcome.execution.makespan
            decision_times.append(outcome.decision_time_s)
    return {
        "mean": float(np.mean(list(makespans.values()))),
        "decision_time_s": float(np.mean(decision_times)),
        "seconds": time.perf_counter() - started,
        "makespans": makespans,
    }


T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131)
"""Student's t 97.5 % quantiles for 1..15 degrees of freedom (the last one beyond)."""


def paired_gap(method: dict, rule: dict) -> tuple[float, float]:
    """``method``'s mean against ``rule``'s over the same scenarios, in percent of ``rule``'s
    mean, and the half-width of its 95 % confidence interval with the instances as the units
    (an instance's seeds share its structure, and at p = 0 they are one run); nan for one
    instance."""
    by_instance = defaultdict(list)
    for key, makespan in method["makespans"].items():
        by_instance[key.split("/")[0]].append(makespan - rule["makespans"][key])
    differences = np.array([np.mean(values) for values in by_instance.values()])
    scale = 100 / rule["mean"]
    n = len(differences)
    if n < 2:
        return float(differences.mean() * scale), float("nan")
    half_width = T_975[min(n - 1, len(T_975)) - 1] * differences.std(ddof=1) / np.sqrt(n)
    return float(differences.mean() * scale), float(half_width * scale)


def subset_mean(makespans: dict, subset: dict) -> float:
    """The mean of ``makespans`` over the scenarios (``instance/seed`` keys) of ``subset``."""
    return float(np.mean([makespans[key] for key in subset]))


def per_setting(merged: dict) -> str:
    """A markdown table, one row per setting with every set pooled (the issue's "under every
    shutdown setting"): the rule closest to gnn on the pooled scenarios, gnn against it (95 %
    interval over all the instances) and whether gnn's mean is below every rule's. Cells without
    gnn or without some rule are left out of that rule's comparison."""
    pooled: dict = defaultdict(lambda: defaultdict(dict))  # setting -> method -> scenario -> makespan
    for key, row in merged.items():
        for method, result in row.items():
            pooled[key.split("/")[1]][method].update(result["makespans"])
    lines = ["| setting | scenarios | closest rule | gnn vs it | gnn below every rule |", "|---|---|---|---|---|"]
    for setting, by_method in pooled.items():
        gnn = by_method.get("gnn")
        rules = [m for m in by_method if m.startswith("rule:")]
        if gnn is None or not rules:
            continue
        gaps = {}
        for rule in rules:
            shared = [key for key in gnn if key in by_method[rule]]
            mine = {"makespans": {key: gnn[key] for key in shared}}
            theirs = {key: by_method[rule][key] for key in shared}
            gaps[rule] = paired_gap(mine, {"mean": float(np.mean(list(theirs.values()))), "makespans": theirs})
        closest = max(gaps, key=lambda rule: gaps[rule][0])
        gap, half_width = gaps[closest]
        below = "yes" if all(g < 0 for g, _ in gaps.values()) else "no"
        cells = [setting, str(len(gnn)), closest.removeprefix("rule:"), f"{gap:+.2f} % ± {half_width:.2f}", below]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def table(paths: list[str]) -> str:
    """A markdown table (one row per set and setting) from result files of this script, their
    methods merged: mean makespan per method, the best rule, gnn against it (with the 95 %
    interval of :func:`paired_gap`), reopt on its seeds; then how many cells gnn wins, and the
    table of :func:`per_setting`."""
    merged: dict = defaultdict(dict)
    reopt: dict = {}
    for path in paths:
        payload = json.loads(Path(path).read_text())
        for key, row in payload["settings"].items():
            merged[key].update(row)
        reopt.update(payload.get("reopt", {}))
    methods = list(dict.fromkeys(m for row in merged.values() for m in row))
    rules = [m for m in methods if m.startswith("rule:")]
    head = ["set", "setting", *[m.removeprefix("rule:") for m in methods], "best rule", "gnn vs best rule", "reopt"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    wins, clear_wins, cells = 0, 0, 0
    for key, row in merged.items():
        set_name, setting = key.split("/")
        best = min((m for m in rules if m in row), key=lambda m: row[m]["mean"], default="-")
        means = [f"{row[m]['mean']:.1f}" if m in row else "-" for m in methods]
        versus = "-"
        if "gnn" in row and best in row:
            gap, half_width = paired_gap(row["gnn"], row[best])
            versus = f"{gap:+.2f} % ± {half_width:.2f}"
            cells, wins, clear_wins = cells + 1, wins + (gap < 0), clear_wins + (gap + half_width < 0)
        extra = "-"
        if key in reopt:
            same = {m: subset_mean(row[m]["makespans"], reopt[key]["makespans"]) for m in row}
            best_same = min((same[m] for m in rules if m in same), default=float("nan"))
            gnn_same = f", gnn {same['gnn']:.1f}" if "gnn" in same else ""
            extra = (
                f"{reopt[key]['mean']:.1f} ({reopt[key]['decision_time_s']:.2f} s/re-solve; "
                f"same scenarios: best rule {best_same:.1f}{gnn_same})"
            )
        lines.append("| " + " | ".join([set_name, setting, *means, best.removeprefix("rule:"), versus, extra]) + " |")
    lines.append(
        f"\ngnn below the best rule in {wins} of {cells} cells, and by more than the 95 % interval in {clear_wins}."
    )
    return "\n".join(lines) + "\n\nEvery set pooled:\n\n" + per_setting(merged)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["la10x10", "ta15x15", "ta20x20"], choices=list(SETS))
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--seeds", default="1..10")
    parser.add_argument("--methods", default=",".join(["gnn", *RULE_METHODS]))
    parser.add_argument("--reopt-sets", nargs="*", default=["la10x10"], choices=list(SETS))
    parser.add_argument("--reopt-seeds", default="1..3")
    parser.add_argument("--reopt-time", type=float, default=0.5, help="CP-SAT seconds per re-solve")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default="dynamic_jobshop")
    parser.add_argument("--table", nargs="+", help="print the markdown table of these result files and stop")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
        return
    torch.set_num_threads(args.threads)
    seeds, reopt_seeds = parse_seeds(args.seeds), parse_seeds(args.reopt_seeds)
    if args.reopt_sets and not set(reopt_seeds) <= set(seeds):
        parser.error("--reopt-seeds must be a subset of --seeds")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    results: dict = {"hardware": hardware(), "seeds": args.seeds, "settings": {}, "reopt": {}}
    for set_name in args.sets:
        instances = load(set_name)
        for setting in args.settings:
            row = {m: run_set(instances, m, SETTINGS[setting], seeds, args.reopt_time) for m in methods}
            results["settings"][f"{set_name}/{setting}"] = row
            rules = {m: r["mean"] for m, r in row.items() if m.startswith("rule:")}
            best = min(rules, key=rules.get) if rules else None
            line = f"{set_name:8s} {setting:16s} " + " ".join(f"{m}={r['mean']:.1f}" for m, r in row.items())
            if best and "gnn" in row:
                line += f" | gnn vs best rule ({best}) {100 * (row['gnn']['mean'] / rules[best] - 1):+.2f}%"
            print(line, flush=True)
            save(args.out, results)
            if set_name in args.reopt_sets:
                reopt = run_set(instances, "reopt", SETTINGS[setting], reopt_seeds, args.reopt_time)
                results["reopt"][f"{set_name}/{setting}"] = reopt
                same = {m: subset_mean(r["makespans"], reopt["makespans"]) for m, r in row.items()}
                rule_means = [v for m, v in same.items() if m.startswith("rule:")]
                print(
                    f"  reopt on seeds {args.reopt_seeds}: {reopt['mean']:.1f} "
                    f"({reopt['decision_time_s']:.3f} s per re-solve); on the same scenarios "
                    f"gnn={same.get('gnn', float('nan')):.1f}, best rule={min(rule_means, default=float('nan')):.1f}",
                    flush=True,
                )
                save(args.out, results)
    print(f"written {save(args.out, results)}")


if __name__ == "__main__":
    main()
