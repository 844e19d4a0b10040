"""Regression harness: the objective of every instance under the shipped policies, before and
after a change that must not alter what a user sees.

    python benchmarks/shipped_objectives.py --out results/shipped_objectives_before.json
    python benchmarks/shipped_objectives.py --out /tmp/after.json --only jssp tsp
    python benchmarks/shipped_objectives.py --compare results/shipped_objectives_before.json /tmp/after.json

Sets and methods (the published tables' sets, through the public ``solve`` API, batched as the
benchmark scripts batch them; one torch thread):

- jssp: ``gnn`` (greedy) on all 80 Taillard instances, one batch per size group (jssp_taillard.py);
- tsp: ``gnn`` and ``gnn:2opt`` on random TSP100, seed 2026, 16 instances (routing.py);
- knapsack: ``gnn`` on the four classes at 100 and 200 items, seed 2026, 16 instances per cell
  (knapsack_learned.py); ``gnn:starts=4`` on the first 4 of each 100-item class;
- bin packing, offline ``gnn`` (packing.py: seed 2026, one instance per call): the first 8 files
  of Falkenauer u120, u250, t60, t120, t249, Hard28, Scholl 3, the first 2 of u500 and t501,
  and 8 random u120 and u250;
- bin packing, ``gnn:online`` (packing_online.py: seed 4242, one batch per set): 8 random u120
  and u250 streams, 2 Weibull 5k streams, all 80 shipped Falkenauer u files;
- dynamic job shop: ``gnn`` on la16-la20, seeds 1-10, all 8 settings (dynamic_jobshop.py).

Trimmed to keep the run near 8 minutes on a 2-core CPU (one core busy elsewhere): offline ``gnn``
runs 2 files of Falkenauer u500 and t501 (9-13 s each) and none of u1000 (about 20 s each), 8 of
each other shipped set; random sets hold 8 instances instead of 20-100; Weibull 2 streams
instead of 5; multi-start only 4 starts on 16 instances.

Writes one flat JSON ``{"SET/INSTANCE/METHOD": objective}`` (SET may hold slashes, e.g.
``dynamic/la10x10/p0.02+blocking/la16_seed3/gnn``). ``--compare`` prints a markdown table per set
and method (mean before and after, instances identical / total) and exits 1 if any objective
differs or is missing on one side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean

import torch

from cosolve.instances import index, path_of
from cosolve.methods import Settings
from cosolve.problems import binpacking, jssp, knapsack, tsp
from cosolve.solve import solve

KNAPSACK_CLASSES = ("uncorrelated", "weak", "strong", "subset")
PACKING_FILES = {  # set -> (the index's set, items, files): packing.py's shipped sets, by size
    "falkenauer_u120": ("falkenauer_u", 120, 8),
    "falkenauer_u250": ("falkenauer_u", 250, 8),
    "falkenauer_u500": ("falkenauer_u", 500, 2),
    "falkenauer_t60": ("falkenauer_t", 60, 8),
    "falkenauer_t120": ("falkenauer_t", 120, 8),
    "falkenauer_t249": ("falkenauer_t", 249, 8),
    "falkenauer_t501": ("falkenauer_t", 501, 2),
    "hard28": ("hard28", None, 8),
    "scholl_3": ("scholl_3", None, 8),
}
SECTIONS = ("jssp", "tsp", "knapsack", "packing", "packing_online", "dynamic")


def record(out: dict, set_name: str, results: list) -> None:
    """Each result's objective under ``SET/INSTANCE/METHOD`` (numpy scalars as Python numbers)."""
    for result in results:
        objective = result.objective.item() if hasattr(result.objective, "item") else result.objective
        out[f"{set_name}/{result.instance}/{result.method}"] = objective


def run_jssp(out: dict) -> None:
    instances = [jssp.read(path_of("jssp", f"ta{i:02d}")) for i in range(1, 81)]
    for group in dict.fromkeys(f"{i.n_jobs}x{i.n_machines}" for i in instances):
        members = [i for i in instances if f"{i.n_jobs}x{i.n_machines}" == group]
        record(out, f"jssp/{group}", solve("jssp", members, "gnn", Settings(device="cpu")))


def run_tsp(out: dict) -> None:
    instances = tsp.generate("100", 16, seed=2026)
    for method in ("gnn", "gnn:2opt"):
        record(out, "tsp/random100", solve("tsp", instances, method, Settings(workers=1)))


def run_knapsack(out: dict) -> None:
    for size in ("100", "200"):
        for kind in KNAPSACK_CLASSES:
            instances = knapsack.generate(f"{kind}{size}", 16, seed=2026)
            record(out, f"knapsack/{kind}{size}", solve("knapsack", instances, "gnn", Settings(workers=1)))
            if size == "100":
                results = solve("knapsack", instances[:4], "gnn:starts=4", Settings(workers=1))
                record(out, f"knapsack/{kind}{size}", results)


def run_packing(out: dict) -> None:
    sets = {}
    for set_name, (family, items, count) in PACKING_FILES.items():
        names = [n for n, e in index("binpacking").items() if e["set"] == family and items in (None, e["items"])]
        sets[set_name] = [binpacking.read(path_of("binpacking", n)) for n in names[:count]]
    sets |= {f"random_{size}": binpacking.generate(size, 8, seed=2026) for size in ("u120", "u250")}
    for set_name, instances in sets.items():
        for instance in instances:  # one instance per call, as packing.py runs the non-rule methods
            record(out, f"packing/{set_name}", solve("binpacking", [instance], "gnn", Settings(device="cpu")))


def run_packing_online(out: dict) -> None:
    names = sorted(n for n, entry in index("binpacking").items() if entry["set"] == "falkenauer_u")
    sets = {f"random_{size}": binpacking.generate(size, 8, seed=4242) for size in ("u120", "u250")}
    sets["weibull5000"] = binpacking.generate("weibull5000", 2, seed=4242)
    for n in (120, 250, 500, 1000):
        sets[f"falkenauer_u{n}"] = [binpacking.read(path_of("binpacking", name)) for name in names if f"_u{n}_" in name]
    for set_name, instances in sets.items():
        record(out, f"packing_online/{set_name}", solve("binpacking", instances, "gnn:online", Settings(device="cpu")))


def run_dynamic(out: dict) -> None:
    from dynamic_jobshop import SETTINGS, load, run_set  # the benchmark's own sets, settings and runs

    instances, seeds = load("la10x10"), list(range(1, 11))
    for setting, dynamics in SETTINGS.items():
        makespans = run_set(instances, "gnn", dynamics, seeds, time_limit=0.5)["makespans"]
        for key, makespan in makespans.items():
            name, seed = key.split("/")
            out[f"dynamic/la10x10/{setting}/{name}_seed{seed}/gnn"] = int(makespan)


def compare(before: dict, after: dict) -> tuple[str, bool]:
    """The markdown table of two result files, one row per set and method, and whether every
    objective is identical (a key on one side only counts as a difference)."""
    groups: dict = defaultdict(list)
    for key in dict.fromkeys([*before, *after]):
        set_name, _, method = key.rsplit("/", 2)
        groups[(set_name, method)].append(key)
    lines = ["| set | method | mean before | mean after | identical / total |", "|---|---|---|---|---|"]
    differing = []
    for (set_name, method), keys in groups.items():
        same = [key for key in keys if key in before and key in after and before[key] == after[key]]
        differing += [key for key in keys if key not in same]
        means = [f"{mean(side[k] for k in keys if k in side):.6g}" if any(k in side for k in keys) else "-"
                 for side in (before, after)]  # fmt: skip
        mark = "" if len(same) == len(keys) else " **differs**"
        lines.append(f"| {set_name} | {method} | {means[0]} | {means[1]} | {len(same)} / {len(keys)}{mark} |")
    total = sum(len(keys) for keys in groups.values())
    lines.append(f"\n{total - len(differing)} of {total} objectives identical.")
    for key in differing[:20]:
        lines.append(f"- {key}: before {before.get(key, 'missing')}, after {after.get(key, 'missing')}")
    return "\n".join(lines), not differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="write the objectives to this JSON file")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="print the table and stop")
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(Path(path).read_text()) for path in args.compare)
        text, identical = compare(before, after)
        print(text)
        sys.exit(0 if identical else 1)
    if not args.out:
        parser.error("--out or --compare is required")
    torch.set_num_threads(1)
    out: dict = {}
    started = time.perf_counter()
    for section in args.only:
        begin, count = time.perf_counter(), len(out)
        globals()[f"run_{section}"](out)
        print(f"{section}: {len(out) - count} objectives in {time.perf_counter() - begin:.1f} s", flush=True)
    Path(args.out).write_text(json.dumps(out, indent=0) + "\n")
    print(f"wrote {args.out} ({len(out)} objectives, {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
