"""CP-SAT given, per instance, the wall time another method took: the "same time budget"
column of the Taillard / DMU tables when that method ran on another machine (e.g. the
policy's sampling on a GPU, while CP-SAT runs here on the CPU).

    python benchmarks/jssp_cpsat_equal_time.py results/jssp_ta_sample128_h200.json
    python benchmarks/jssp_cpsat_equal_time.py results/jssp_dmu_sample128_h200.json --method gnn:sample=128

Reads the per-group ``seconds_per_instance`` of ``--method`` from the results file (as
written by jssp_taillard.py), solves the same instances with CP-SAT (``--workers``) under
that time limit, and writes results/<file stem>_cpsat.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from statistics import mean

from _common import RESULTS, hardware, save

from cosolve.instances import path_of
from cosolve.methods import Settings
from cosolve.problems import jssp
from cosolve.solve import solve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", help="a results file of jssp_taillard.py (relative to benchmarks/ or absolute)")
    parser.add_argument("--method", default="gnn:sample=128", help="whose time per instance CP-SAT gets")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    source = Path(args.results)
    if not source.is_absolute() and not source.exists():
        source = RESULTS.parent / source
    measured = json.loads(source.read_text())
    family = "dmu" if "dmu" in source.stem else "ta"
    instances = [jssp.read(path_of("jssp", f"{family}{i:02d}")) for i in range(1, 81)]
    table = {}
    for group, row in measured["table"].items():
        budget = row[args.method]["seconds_per_instance"]
        members = [i for i in instances if f"{i.n_jobs}x{i.n_machines}" == group][: measured["per_group"]]
        results = solve("jssp", members, "ortools", Settings(time_limit_s=budget, workers=args.workers))
        table[group] = {
            "budget_s": budget,
            "gap": mean(r.gap_percent for r in results),
            "method_gap": row[args.method]["gap"],
            "optimal": sum(r.status == "optimal" for r in results),
        }
        print(
            f"{group}: CP-SAT {table[group]['gap']:.2f}% with {budget:.2f} s per instance "
            f"({args.method}: {row[args.method]['gap']:.2f}%)",
            flush=True,
        )
    overall = mean(v["gap"] for v in table.values())
    print(f"mean over groups: CP-SAT {overall:.2f}%")
    path = save(
        f"{source.stem}_cpsat",
        {
            "hardware": hardware("cpu"),
            "workers": args.workers,
            "budgets_from": source.name,
            "method": args.method,
            "method_hardware": measured["hardware"],
            "table": table,
            "overall": overall,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
