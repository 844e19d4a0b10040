"""CP-SAT on shipped job shop benchmarks with a time limit: makespan, status and bound.

    python benchmarks/jssp_cpsat.py                  # ft06 ft10 la01-la05 ta01 ta02, 10 s each, 2 workers
    python benchmarks/jssp_cpsat.py --quick          # ft06 and ta01
    python benchmarks/jssp_cpsat.py --names ta01 ta11 --time-limit 60 --workers 8

Writes results/jssp_cpsat.json.
"""

from __future__ import annotations

import argparse

from _common import hardware, save

from cosolve.instances import path_of
from cosolve.methods import Settings
from cosolve.problems import jssp
from cosolve.solve import solve

DEFAULT = ["ft06", "ft10", "la01", "la02", "la03", "la04", "la05", "ta01", "ta02"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", nargs="+", default=None)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    names = args.names or (["ft06", "ta01"] if args.quick else DEFAULT)
    settings = Settings(time_limit_s=args.time_limit, workers=args.workers)
    rows = []
    print(f"CP-SAT, {args.time_limit:g} s limit, {args.workers} workers ({hardware()})")
    print(f"{'instance':<10}{'makespan':>10}{'best known':>12}{'gap %':>8}{'bound':>8}{'status':>10}{'time s':>8}")
    for name in names:
        result = solve("jssp", [jssp.read(path_of("jssp", name))], "ortools", settings)[0]
        rows.append(
            {
                "instance": name,
                "makespan": result.objective,
                "best_known": result.best_known,
                "gap_percent": result.gap_percent,
                "bound": result.bound,
                "status": result.status,
                "runtime_s": result.runtime_s,
            }
        )
        print(
            f"{name:<10}{result.objective:>10}{result.best_known:>12}{result.gap_percent:>8.2f}"
            f"{result.bound:>8}{result.status:>10}{result.runtime_s:>8.2f}"
        )
    path = save(
        "jssp_cpsat", {"time_limit_s": args.time_limit, "workers": args.workers, "hardware": hardware(), "rows": rows}
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
