"""Job shop search at equal wall time per instance: constructors, tabu search, learned search and
CP-SAT on the 80 Taillard and 80 DMU instances, per size group.

    python benchmarks/jssp_search.py --family ta --budgets 10 --methods tabu,ortools
    python benchmarks/jssp_search.py --batched --methods l2s:start=fdd-mwkr:steps=500:chains=1
    python benchmarks/jssp_search.py --report          # tables and the anytime plot from the rows

Every (instance, method, budget) is one row of ``results/jssp_search.csv``, appended as soon as it
is measured: an interrupted run resumes where it stopped (rows already there are skipped), and runs
on several days add up. Each method gets ``--time-limit`` = the budget per instance and
``--workers`` CPU workers (CP-SAT's search workers; the tabu search uses one core), on the CPU.
Every schedule passes the checker (``cosolve.solve``). ``--batched`` runs methods with a fixed amount
of work instead (``l2s:...:steps=N``, ``tabu:...:iters=N``), each size group as one batch, in rows of
budget 0. ``--report`` writes the per-group mean gaps
to best known per method and budget (``results/jssp_search.json``) and an anytime plot, gap
against seconds, one line per method and one panel per group (``results/jssp_search.png``).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import time
from collections import defaultdict
from statistics import mean

from _common import RESULTS, hardware, save

from cosolve.instances import path_of
from cosolve.methods import Settings
from cosolve.problems import jssp
from cosolve.solve import solve

ROWS = RESULTS / "jssp_search.csv"
COLUMNS = ("family", "instance", "group", "method", "budget_s", "objective", "best_known", "gap", "runtime_s")


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"


def done_rows() -> set[tuple[str, str, float]]:
    if not ROWS.exists():
        return set()
    with ROWS.open() as handle:
        return {(row["instance"], row["method"], float(row["budget_s"])) for row in csv.DictReader(handle)}


def append_row(row: dict) -> None:
    new = not ROWS.exists()
    with ROWS.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=(*COLUMNS, "hardware", "commit"))
        if new:
            writer.writeheader()
        writer.writerow(row)


def run(family: str, methods: list[str], budgets: list[float], workers: int, first: int, last: int) -> None:
    """Each instance alone, each method at each budget (seconds per instance)."""
    done = done_rows()
    for number in range(first, last + 1):
        name = f"{family}{number:02d}"
        instance = jssp.read(path_of("jssp", name))
        for budget in budgets:
            for method in methods:
                if (name, method, budget) not in done:
                    measure(family, [name], [instance], method, budget, workers)


def run_batched(family: str, methods: list[str], workers: int, first: int, last: int) -> None:
    """Methods with a fixed amount of work (``steps=N``, ``iters=N``) on each size group as one
    batch, as the published step-count figures were measured; the budget column is 0 and the
    runtime is the batch's time over its instances."""
    done = done_rows()
    groups: dict = defaultdict(list)
    for number in range(first, last + 1):
        name = f"{family}{number:02d}"
        instance = jssp.read(path_of("jssp", name))
        groups[instance.shape].append((name, instance))
    for method in methods:
        for members in groups.values():
            todo = [(name, instance) for name, instance in members if (name, method, 0.0) not in done]
            if todo:
                names, instances = zip(*todo)
                measure(family, list(names), list(instances), method, 0.0, workers)


def measure(family: str, names: list[str], instances: list, method: str, budget: float, workers: int) -> None:
    """Solve ``instances`` (one shape) in one call and append a row per instance."""
    settings = Settings(time_limit_s=budget or 10.0, workers=workers, device="cpu", seed=0)
    begin = time.perf_counter()
    results = solve("jssp", instances, method, settings)
    runtime = (time.perf_counter() - begin) / len(instances)
    machine, version = hardware(), commit()
    for name, instance, result in zip(names, instances, results):
        group = f"{instance.n_jobs}x{instance.n_machines}"
        append_row(
            {
                "family": family,
                "instance": name,
                "group": group,
                "method": method,
                "budget_s": budget,
                "objective": "" if result.objective is None else int(result.objective),
                "best_known": result.best_known,
                "gap": "" if result.gap_percent is None else round(result.gap_percent, 4),
                "runtime_s": round(runtime, 3),
                "hardware": machine,
                "commit": version,
            }
        )
        shown = f"{result.objective} ({_shown(result.gap_percent)})"
        print(f"{name} {group} {method} {budget:g}s: {shown}", flush=True)


def _by_size(item: tuple) -> tuple:
    """Rows by family, then group size (jobs x machines), then method and budget."""
    (family, group, method, budget), _ = item
    jobs, machines = (int(part) for part in group.split("x"))
    return family, jobs * machines, jobs, method, budget


def _shown(gap: float | None) -> str:
    return "no schedule" if gap is None else f"{gap:.2f}%"


def report() -> None:
    with ROWS.open() as handle:
        rows = list(csv.DictReader(handle))
    table: dict = defaultdict(list)
    for row in rows:  # a method without a schedule in time counts as missing (shown in the counts)
        if row["gap"]:
            table[(row["family"], row["group"], row["method"], float(row["budget_s"]))].append(float(row["gap"]))
    summary: dict = {}
    for (family, group, method, budget), gaps in sorted(table.items(), key=_by_size):
        summary.setdefault(f"{family} {group}", {}).setdefault(method, {})[f"{budget:g}"] = {
            "mean_gap": round(mean(gaps), 3),
            "instances": len(gaps),
        }
    path = save("jssp_search", {"hardware": rows[0]["hardware"] if rows else "", "groups": summary})
    print(markdown(summary))
    print(f"wrote {path}")
    plot(summary)


def markdown(summary: dict) -> str:
    """The mean gaps as a markdown table: a row per group (and the family means), a column per
    method and budget."""
    columns = sorted(
        {(method, budget) for methods in summary.values() for method, by in methods.items() for budget in by},
        key=lambda column: (float(column[1]), column[0]),
    )
    heads = [method if float(budget) == 0 else f"{method} {budget} s" for method, budget in columns]
    lines = ["| group | " + " | ".join(heads) + " |"]
    lines.append("|---" * (len(columns) + 1) + "|")
    families: dict = defaultdict(lambda: defaultdict(list))
    for group, methods in summary.items():
        cells = []
        for method, budget in columns:
            cell = methods.get(method, {}).get(budget)
            cells.append("-" if cell is None else f"{cell['mean_gap']:.2f}")
            if cell is not None:
                families[group.split()[0]][(method, budget)].append(cell["mean_gap"])
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    for family, by_column in families.items():
        cells = [f"{mean(by_column[c]):.2f}" if c in by_column else "-" for c in columns]
        lines.append(f"| **{family} mean** | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(summary: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(summary)
    methods = sorted({method for by_method in summary.values() for method in by_method})
    colours = {method: plt.get_cmap("tab20")(i % 20) for i, method in enumerate(methods)}  # one per method
    columns = 4
    rows = (len(groups) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3 * rows + 1), squeeze=False)
    for axis, group in zip(axes.ravel(), groups):
        for method, by_budget in summary[group].items():
            budgets = [budget for budget in sorted(by_budget, key=float) if float(budget) > 0]  # not fixed-work rows
            if not budgets:
                continue
            axis.plot(
                [float(b) for b in budgets],
                [by_budget[b]["mean_gap"] for b in budgets],
                marker="o",
                color=colours[method],
                label=method,
            )
        axis.set_xscale("log")
        axis.set_title(group)
        axis.set_xlabel("seconds per instance")
        axis.set_ylabel("gap to best known (%)")
    for axis in axes.ravel()[len(groups) :]:
        axis.axis("off")
    handles = [plt.Line2D([], [], color=colours[m], marker="o", label=m) for m in methods if _timed(summary, m)]
    if handles:  # none when every row is a fixed-work one
        figure.legend(handles=handles, loc="upper center", ncol=min(5, len(handles)), fontsize=8)
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.6 / (3 * rows + 1)))
    figure.savefig(RESULTS / "jssp_search.png", dpi=120)
    print(f"wrote {RESULTS / 'jssp_search.png'}")


def _timed(summary: dict, method: str) -> bool:
    """Whether ``method`` has a row with a time budget (fixed-work rows are not plotted)."""
    return any(float(b) > 0 for by_method in summary.values() for b in by_method.get(method, {}))


def speed(seconds: float) -> None:
    """Per instance, on a 15x15 and a 50x20 shop: tabu iterations and moves evaluated per second
    (one core, after a first call that compiles the kernels; that call's time is printed too), and
    the learned search's moves per second per chain with one and with four chains."""
    from cosolve.baselines.jssp_tabu import tabu_search
    from cosolve.checkpoint import shipped_checkpoint
    from cosolve.gnn.jssp_improve import improve
    from cosolve.gnn.jssp_improve_policy import ImprovePolicy
    from cosolve.gnn.loading import load_policy
    from cosolve.problems.jssp.methods import start_schedules

    settings = Settings(device="cpu")
    policy = load_policy(shipped_checkpoint("jssp_improve"), "jssp_improve", ImprovePolicy)
    results = {}
    for name in ("ta01", "ta61"):
        instance = jssp.read(path_of("jssp", name))
        start = start_schedules([instance], "gnn", settings)
        begin = time.perf_counter()
        tabu_search([instance], start, iterations=1)
        first_call = time.perf_counter() - begin
        stats: dict = {}
        tabu_search([instance], start, time_limit_s=seconds, stats=stats)
        group = f"{instance.n_jobs}x{instance.n_machines}"
        results[group] = {
            "first_call_s": round(first_call, 3),
            "iterations_per_s": round(stats["iterations"] / stats["seconds"]),
            "moves_per_s": round(stats["moves"] / stats["seconds"]),
        }
        for chains in (1, 4):
            improve(policy, [instance], start, steps=1, chains=chains)  # compiled, warm
            improve(policy, [instance], start, time_limit_s=seconds, chains=chains, stats=stats)
            results[group][f"l2s_steps_per_s_{chains}_chains"] = round(stats["steps"] / stats["seconds"], 1)
        print(group, results[group], flush=True)
    save("jssp_search_speed", {"hardware": hardware(), "seconds": seconds, "groups": results})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", choices=("ta", "dmu"), default="ta")
    parser.add_argument("--methods", default="gnn,tabu,ortools,ortools:hint=gnn")
    parser.add_argument("--budgets", default="1,10,60", help="seconds per instance, comma-separated")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--first", type=int, default=1, help="first instance number")
    parser.add_argument("--last", type=int, default=80, help="last instance number")
    parser.add_argument("--batched", action="store_true", help="fixed-work methods, each size group as one batch")
    parser.add_argument("--report", action="store_true", help="only summarise the rows measured so far")
    parser.add_argument("--speed", action="store_true", help="only measure the searches' moves per second")
    args = parser.parse_args()
    if args.report:
        report()
        return
    if args.speed:
        speed(10.0)
        return
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    if args.batched:
        run_batched(args.family, methods, args.workers, args.first, args.last)
        return
    budgets = [float(b) for b in args.budgets.split(",")]
    run(args.family, methods, budgets, args.workers, args.first, args.last)


if __name__ == "__main__":
    main()
