"""Dispatching rules on the shipped Taillard instances: mean gap to the best known makespan.

    python benchmarks/jssp_rules.py            # ta01-ta10 (15x15), every rule, both forms
    python benchmarks/jssp_rules.py --all      # all 80 Taillard instances, per size group
    python benchmarks/jssp_rules.py --quick    # ta01-ta03 only

Each size group runs as one batch on the batched env. Writes results/jssp_rules.json.
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

PUBLISHED_15X15 = {"rule:spt": 25.9, "rule:mwkr": 19.2, "rule:mor": 20.5}
"""Non-delay rule gaps on Taillard 15x15 published by Zhang et al. (2020, L2D, Table 2;
MOPNR there is our MOR)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--all", action="store_true", help="all 80 Taillard instances")
    parser.add_argument("--quick", action="store_true", help="ta01-ta03 only")
    args = parser.parse_args()
    torch.set_num_threads(2)
    count = 80 if args.all else 3 if args.quick else 10
    names = [f"ta{i:02d}" for i in range(1, count + 1)]
    instances = [jssp.read(path_of("jssp", name)) for name in names]
    groups: dict[str, list[str]] = {}
    for instance in instances:
        groups.setdefault(f"{instance.n_jobs}x{instance.n_machines}", []).append(instance.name)
    methods = [f"rule:{rule}" for rule in RULES] + [f"rule:{rule}:plain" for rule in RULES]
    rows = {}
    for method in methods:
        begin = time.perf_counter()
        results = solve("jssp", instances, method, Settings(device="cpu"))
        elapsed = time.perf_counter() - begin
        gaps = {r.instance: r.gap_percent for r in results}
        rows[method] = {
            "mean_gap": mean(gaps.values()),
            "groups": {group: mean(gaps[n] for n in members) for group, members in groups.items()},
            "seconds_total": elapsed,
        }
    header = f"{'method':<22}" + "".join(f"{g:>9}" for g in groups) + f"{'mean':>9}{'published':>11}{'time s':>9}"
    print(f"Taillard {names[0]}-{names[-1]}; gap to best known (%), {hardware()}")
    print(header)
    for method, row in rows.items():
        published = PUBLISHED_15X15.get(method)
        cells = "".join(f"{row['groups'][g]:>9.2f}" for g in groups)
        published_cell = "" if published is None else f"{published:.1f}"
        print(f"{method:<22}{cells}{row['mean_gap']:>9.2f}{published_cell:>11}{row['seconds_total']:>9.2f}")
    path = save(
        "jssp_rules_all" if args.all else "jssp_rules",
        {"instances": names, "hardware": hardware(), "rows": rows, "published_15x15": PUBLISHED_15X15},
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
