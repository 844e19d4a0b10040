"""The ``cosolve`` command line: parses arguments, calls the library, prints results.

Exit codes: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal failure
(set ``COSOLVE_DEBUG=1`` for the traceback), 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cosolve import __version__, interrupt
from cosolve.atomic import check_plot_path, check_writable, write_text_atomic
from cosolve.compare import compare as compare_all
from cosolve.compare import expand_paths, mean_gaps, write_csv
from cosolve.errors import CosolveInputError
from cosolve.files import os_reason
from cosolve.methods import Settings
from cosolve.problems.tokens import is_integer
from cosolve.registry import detect_problem, get_methods, get_problem, problem_names, resolve_method
from cosolve.solve import Result
from cosolve.solve import solve as solve_instances

app = typer.Typer(
    help="Solve scheduling and packing instances with learned graph policies, rules and OR-Tools.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
console = Console()

MAX_TIME_LIMIT_S = 1e7
"""The longest --time-limit (about 115 days; solvers take milliseconds as 64-bit integers)."""
MAX_PROCESSES = 1024
"""The most --jobs processes or --workers threads."""

ProblemOption = Annotated[
    str | None,
    typer.Option(
        "--problem", "-p", help=f"Problem of the file(s): {'|'.join(problem_names())} (detected when omitted)."
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", help="File format (auto-detected by default), e.g. jsplib or taillard for jssp.")
]
TimeLimitOption = Annotated[
    float,
    typer.Option(
        "--time-limit",
        "-t",
        min=0.0,
        max=MAX_TIME_LIMIT_S,
        help="Time limit per instance in seconds, for search methods.",
    ),
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers", min=0, max=MAX_PROCESSES, help="Solver threads per instance (0 = all cores, shared among --jobs)."
    ),
]
DeviceOption = Annotated[str, typer.Option("--device", help="cpu, cuda, cuda:N or auto, for batched tensor methods.")]
SeedOption = Annotated[int, typer.Option("--seed", min=0, max=2**63 - 1, help="Seed of every random choice.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
IndexOption = Annotated[
    str | None,
    typer.Option(
        "--index",
        help="Files holding several instances (OR-Library binpack, Pisinger csv): the 0-based instance K, or all.",
    ),
]


def _read(path: Path, problem: str | None, fmt: str):
    name = detect_problem(path, problem)
    module = get_problem(name)
    if fmt not in module.FORMATS:
        raise CosolveInputError(f"unknown {name} format {fmt!r} (choose from {', '.join(module.FORMATS)})", path)
    return name, module.read(path, fmt)


def _read_instances(path: Path, problem: str | None, fmt: str, index: str | None) -> list[tuple[str, Any]]:
    """``[(problem, instance)]``: the one instance of ``path``, or with ``--index`` the K-th or all of
    the instances of a multi-instance file (read by the problem's ``read_all``)."""
    if index is None:
        return [_read(path, problem, fmt)]
    name = detect_problem(path, problem)
    module = get_problem(name)
    if fmt not in module.FORMATS:
        raise CosolveInputError(f"unknown {name} format {fmt!r} (choose from {', '.join(module.FORMATS)})", path)
    if not hasattr(module, "read_all"):
        raise CosolveInputError(f"--index: {name} files hold one instance each", path)
    instances = [getattr(reading, "instance", reading) for reading in module.read_all(path, fmt)]
    if index.strip().lower() == "all":
        return [(name, instance) for instance in instances]
    if not is_integer(index.strip()) or not 0 <= int(index) < len(instances):
        raise CosolveInputError(
            f"--index {index!r}: expected all or an instance number in 0..{len(instances) - 1}", path
        )
    return [(name, instances[int(index)])]


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"


def _gap(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"


def _print_result(result: Result) -> None:
    table = Table(title=f"{result.instance} ({result.problem})", show_header=False, title_justify="left")
    table.add_row("method", result.method)
    table.add_row("objective", _number(result.objective))
    table.add_row("status", result.status + (f", bound {_number(result.bound)}" if result.bound is not None else ""))
    known = _number(result.best_known) + (" (optimal)" if result.best_known_optimal else "")
    table.add_row("best known", known if result.best_known is not None else "unknown")
    table.add_row("gap", _gap(result.gap_percent))
    table.add_row("runtime", f"{result.runtime_s:.3f} s")
    console.print(table)


@app.command()
def solve(
    file: Annotated[Path, typer.Argument(help="Instance file.")],
    problem: ProblemOption = None,
    fmt: FormatOption = "auto",
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            "-m",
            help="e.g. rule:mwkr, rule:spt:plain, ortools, ortools:hint=mwkr (default: the problem's default).",
        ),
    ] = None,
    time_limit: TimeLimitOption = 10.0,
    workers: WorkersOption = 0,
    device: DeviceOption = "auto",
    seed: SeedOption = 0,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the solution JSON here.")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Draw the solution (png, pdf or svg).")] = None,
    force: ForceOption = False,
    index: IndexOption = None,
) -> None:
    """Solve one instance file and print objective, best known value, gap and runtime."""
    items = _read_instances(file, problem, fmt, index)
    if len(items) > 1 and (out is not None or plot is not None):
        raise CosolveInputError("--out and --plot take one instance: pick it with --index K", file)
    name, instance = items[0]
    spec, _ = resolve_method(name, method)
    if out is not None:
        check_writable(out, overwrite=force)
    if plot is not None:
        check_plot_path(plot, overwrite=force)
    settings = Settings(time_limit_s=time_limit, workers=workers, device=device, seed=seed)
    with console.status(f"solving {file} with {spec.text} ..."):
        results = solve_instances(name, [item for _, item in items], spec.text, settings)
    for result in results:
        _print_result(result)
    if interrupt.requested():
        raise interrupt.Interrupted("the result above is the best found before Ctrl-C; nothing written")
    if any(result.solution is None for result in results):
        raise CosolveInputError(f"{spec.text} found no solution within {time_limit:g} s; raise --time-limit", file)
    result = results[0]  # --out and --plot come with one instance only
    if out is not None:
        write_text_atomic(out, json.dumps(result.to_json(), allow_nan=False) + "\n", overwrite=force)
        console.print(f"solution written to {out}")
    if plot is not None:
        get_problem(name).render(instance, result.solution, str(plot), overwrite=force)
        console.print(f"plot written to {plot}")


@app.command()
def compare(
    files: Annotated[list[str], typer.Argument(help="Instance files or glob patterns (quote globs).")],
    methods: Annotated[
        str, typer.Option("--methods", help="Comma-separated methods, e.g. rule:spt,rule:mwkr,ortools.")
    ] = "rule:spt,rule:mwkr,ortools",
    problem: ProblemOption = None,
    fmt: FormatOption = "auto",
    time_limit: TimeLimitOption = 10.0,
    workers: WorkersOption = 0,
    device: DeviceOption = "cpu",
    seed: SeedOption = 0,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=MAX_PROCESSES, help="Worker processes.")] = 1,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write one row per instance and method.")] = None,
    force: ForceOption = False,
    index: IndexOption = None,
) -> None:
    """Run every method on every instance; print objectives, gaps to best known and runtimes."""
    method_list = [m.strip() for m in methods.split(",") if m.strip()]
    if not method_list:
        raise CosolveInputError("--methods names no method")
    if csv_path is not None:
        check_writable(csv_path, overwrite=force)
    items = [item for path in expand_paths(files) for item in _read_instances(path, problem, fmt, index)]
    settings = Settings(time_limit_s=time_limit, workers=workers, device=device, seed=seed)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("comparing", total=len(items) * len(method_list))
        results = compare_all(items, method_list, settings, jobs, on_result=lambda _: progress.advance(task))
    table = Table(title="objective (gap to best known)")
    table.add_column("instance")
    table.add_column("best known", justify="right")
    for method in method_list:
        table.add_column(method, justify="right")
    for position, (_, instance) in enumerate(items):
        row_results = results[position * len(method_list) : (position + 1) * len(method_list)]
        row = [instance.name, _number(row_results[0].best_known)]
        for r in row_results:
            row.append(
                f"{_number(r.objective)} ({_gap(r.gap_percent)})" if r.gap_percent is not None else _number(r.objective)
            )
        table.add_row(*row)
    console.print(table)
    summary = Table(title="per method")
    for column in ("method", "mean gap", "instances with best known", "mean time per instance"):
        summary.add_column(column, justify="right" if column != "method" else "left")
    for method, (gap, count, runtime) in mean_gaps(results, method_list).items():
        summary.add_row(method, _gap(gap), str(count), f"{runtime:.3f} s")
    console.print(summary)
    if csv_path is not None:
        write_csv(csv_path, results, overwrite=force)
        console.print(f"results written to {csv_path}")


MAX_GENERATE = 1_000_000
"""Most files one ``generate`` call writes."""


@app.command()
def generate(
    problem: Annotated[str, typer.Argument(help=f"Problem: {'|'.join(problem_names())}.")],
    size: Annotated[
        str,
        typer.Option(
            "--size",
            help="Instance size: e.g. 15x15 (jobs x machines) for jssp, 100 or clustered100 (nodes) for tsp, "
            "100 (customers) for cvrp.",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the files (created if missing).")],
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=MAX_GENERATE, help="Number of instances.")] = 1,
    seed: SeedOption = 0,
    fmt: Annotated[
        str | None, typer.Option("--format", help="File format (the problem's standard one by default).")
    ] = None,
    force: ForceOption = False,
) -> None:
    """Write random instances of the published distribution (seeded: same seed, same files).

    Each file is written as soon as its instance is made; an existing file stops the run
    (without --force) before it is touched, and Ctrl-C says how many complete files were written."""
    module = get_problem(problem)
    writer_format = fmt or module.FORMATS[1]
    if writer_format not in module.FORMATS[1:]:
        raise CosolveInputError(
            f"unknown {problem} format {writer_format!r} (choose from {', '.join(module.FORMATS[1:])})"
        )
    instances = module.generate_iter(size, count, seed)  # checks the size before anything is made
    try:
        if out.exists() and not out.is_dir():
            raise CosolveInputError("exists and is not a folder", out)
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CosolveInputError(os_reason(error), out) from None
    suffix, written = module.EXTENSIONS[0], 0
    try:
        for instance in instances:
            path = out / f"{instance.name}{suffix}"
            if path.exists() and not force:
                raise CosolveInputError(
                    f"file exists (pass --force to overwrite it); {written} of {count} files written before it", path
                )
            module.write(path, instance, writer_format)
            written += 1
    except KeyboardInterrupt:
        raise interrupt.Interrupted(f"{written} of {count} complete files written to {out}") from None
    console.print(f"wrote {written} {problem} instances of size {size} to {out}")


def _refuse_overwrite(out: Path, resume: Path | None, force: bool) -> None:
    """A training run keeps an existing ``--out`` unless it is forced or resumed."""
    if out.exists() and not out.is_dir() and not force and resume is None:
        raise CosolveInputError("file exists (pass --force to overwrite it, or --resume to continue)", out)
    check_writable(out)


@contextmanager
def training_progress(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A rich progress bar for a training run; yields the trainers' ``progress`` callback."""
    columns = (
        TextColumn(f"[progress.description]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def update(done: int, total: int, status: str) -> None:
            bar.update(task, completed=done, total=total, description=status)

        yield update


RECIPE_OPTIONS = (
    "sizes",
    "episodes",
    "batch_size",
    "validate_every",
    "experts",
    "expert",
    "expert_time_limit",
    "data_dir",
    "jobs",
    "rule_validation",
    "init",
    "ppo_ewma",
    "tensorboard",
)
"""The ``train`` options that belong to recipes (a recipe that does not use one refuses it)."""


def _train_help(ctx: typer.Context, problem: str | None) -> str:
    """``cosolve train --help``: the options, then the recipes (all, or the problem's with their
    options and defaults)."""
    from cosolve.registry import get_recipes

    if problem is None:
        names = [recipe.name for name in problem_names() for recipe in get_recipes(name)]
        recipes = "Recipes (cosolve train PROBLEM --help shows one problem's options and defaults):\n  "
        return ctx.get_help() + "\n\n" + recipes + "\n  ".join(names)
    described = "\n".join(recipe.describe() for recipe in get_recipes(problem))
    return ctx.get_help() + f"\n\nRecipes of {problem} (the first of a mode is its default):\n" + described


def _given(ctx: typer.Context, name: str) -> bool:
    """Whether the option ``name`` was on the command line (not its default)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


@app.command(context_settings={"help_option_names": []})
def train(
    ctx: typer.Context,
    problem: Annotated[str | None, typer.Argument(help=f"Problem: {'|'.join(problem_names())}.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Best checkpoint (the last one goes to OUT.last).")
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option("--mode", help="jssp: static (default), dynamic or improve; binpacking: offline or online."),
    ] = None,
    algo: Annotated[
        str | None, typer.Option("--algo", help="Training algorithm of the mode (default: its first recipe's).")
    ] = None,
    sizes: Annotated[str | None, typer.Option("--sizes", "--size", help="Comma-separated training sizes.")] = None,
    episodes: Annotated[
        int | None,
        typer.Option("--episodes", "--steps", "--iterations", min=1, help="Training length in the recipe's steps."),
    ] = None,
    batch_size: Annotated[int | None, typer.Option("--batch-size", min=1, help="Instances per step.")] = None,
    validate_every: Annotated[int | None, typer.Option("--validate-every", min=1)] = None,
    experts: Annotated[int | None, typer.Option("--experts", min=2, help="Expert-solved instances per size.")] = None,
    expert: Annotated[str | None, typer.Option("--expert", help="Expert solver (see PROBLEM --help).")] = None,
    expert_time_limit: Annotated[
        float | None, typer.Option("--expert-time-limit", min=0.01, help="Expert seconds per instance.")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Where expert sets are cached (default: next to --out).")
    ] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, max=MAX_PROCESSES, help="Processes solving expert instances.")
    ] = None,
    rule_validation: Annotated[
        str | None, typer.Option("--rule-validation", help="Larger validation sizes, scored against FDD/MWKR.")
    ] = None,
    init: Annotated[Path | None, typer.Option("--init", help="Start from this checkpoint's weights.")] = None,
    ppo_ewma: Annotated[
        bool, typer.Option("--ppo-ewma", help="PPO: the batch-size-invariant variant (EWMA proximal policy).")
    ] = False,
    tensorboard: Annotated[
        Path | None, typer.Option("--tensorboard", help="Also log every step to this TensorBoard folder.")
    ] = None,
    device: DeviceOption = "auto",
    seed: SeedOption = 0,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue from this checkpoint (e.g. OUT.last).")
    ] = None,
    force: ForceOption = False,
    show_help: Annotated[
        bool, typer.Option("--help", "-h", help="Show this message (with PROBLEM: its recipes and options).")
    ] = False,
) -> None:
    """Train a policy with one of the problem's recipes; the best checkpoint by validation goes to --out.
    An option that the chosen recipe does not use is refused."""
    from cosolve.registry import get_recipes
    from cosolve.train.recipes import choose

    if show_help:
        print(_train_help(ctx, problem))
        raise typer.Exit()
    if problem is None:
        raise CosolveInputError("missing PROBLEM (cosolve train PROBLEM --out FILE; --help lists the recipes)")
    recipe = choose(get_recipes(problem), problem, mode, algo)
    given = {name: ctx.params[name] for name in RECIPE_OPTIONS if _given(ctx, name)}
    if out is None:
        raise CosolveInputError(f"missing --out FILE (where {recipe.name} writes its checkpoint)")
    request = recipe.request(out, given, device=Settings(device=device).torch_device(), seed=seed, resume=resume)
    _refuse_overwrite(out, resume, force)
    request.log = console.print
    with training_progress(recipe.algo) as progress:
        request.progress = progress
        result = recipe.run(request)
    console.print(f"best {recipe.score}: {result['best']:.4f}; checkpoint {out}")


MAX_REPAIR = 2**31 - 1
"""The longest repair time (the job shop's times are 32-bit)."""


def _repair_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    low, sep, high = text.partition("..")
    if not sep or not is_integer(low.strip()) or not is_integer(high.strip()):
        raise CosolveInputError(f"--repair {text[:40]!r}: expected LOW..HIGH time steps, e.g. 5..20")
    if int(high) > MAX_REPAIR:
        raise CosolveInputError(f"--repair {text[:40]!r}: repairs take at most {MAX_REPAIR} time steps")
    return int(low), int(high)


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="Job shop instance file.")],
    shutdown_prob: Annotated[
        float, typer.Option("--shutdown-prob", help="Per machine and time step, the probability it shuts down.")
    ] = 0.0,
    mtbf: Annotated[
        float, typer.Option("--mtbf", help="Instead: mean time between failures (exponential up times).")
    ] = 0.0,
    repair: Annotated[
        str | None,
        typer.Option("--repair", help="Repair time range LOW..HIGH (default 1..a fifth of the mean processing time)."),
    ] = None,
    interrupt: Annotated[
        str, typer.Option("--interrupt", help="restart or resume an operation its machine's shutdown interrupted.")
    ] = "restart",
    blocking: Annotated[
        bool, typer.Option("--blocking", help="No buffers: a job holds its machine until its next one takes it.")
    ] = False,
    swap: Annotated[
        bool, typer.Option("--swap", help="Blocked jobs waiting in a cycle swap machines at once.")
    ] = False,
    seeds: Annotated[str, typer.Option("--seeds", help="Scenario seeds: A..B, a comma list or one.")] = "1..20",
    methods: Annotated[
        str,
        typer.Option(
            "--methods", help="Comma-separated: gnn, gnn:checkpoint=PATH, rule:<name>, pilot, pilot:mor+spt, reopt."
        ),
    ] = "gnn,rule:mwkr,rule:spt",
    time_limit: Annotated[
        float, typer.Option("--time-limit", "-t", min=0.01, help="reopt: CP-SAT seconds per re-solve.")
    ] = 1.0,
    problem: ProblemOption = None,
    fmt: FormatOption = "auto",
    device: DeviceOption = "cpu",
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write method,seed,makespan,decision_time_s rows.")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Gantt chart of the first seed under the first method, shutdowns shaded."),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Run dispatching methods on a job shop under random machine shutdowns (and blocking/swaps),
    the same scenarios for every method; print mean, median and p95 makespan per method."""
    from cosolve.problems.jssp.dynamic.env import Dynamics
    from cosolve.problems.jssp.dynamic.gantt import gantt
    from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel
    from cosolve.simulate import check_method, parse_seeds, run_method, summarise, write_outcomes_csv

    name, instance = _read(file, problem, fmt)
    if name != "jssp":
        raise CosolveInputError(f"simulate runs job shop instances, this file is {name}", file)
    method_list = [m.strip() for m in methods.split(",") if m.strip()]
    if not method_list:
        raise CosolveInputError("--methods names no method")
    for method in method_list:
        check_method(method)
    if csv_path is not None:
        check_writable(csv_path, overwrite=force)
    if plot is not None:
        check_plot_path(plot, overwrite=force)
    dynamics = Dynamics(ShutdownModel(shutdown_prob, mtbf, _repair_range(repair)), interrupt, blocking, swap)
    seed_list = parse_seeds(seeds)
    device = Settings(device=device).torch_device()
    outcomes = []
    for method in method_list:
        with console.status(f"simulating {len(seed_list)} scenarios with {method} ..."):
            outcomes += run_method([instance] * len(seed_list), method, dynamics, seed_list, time_limit, device)
    table = Table(title=f"{instance.name}: makespan over {len(seed_list)} scenarios", title_justify="left")
    for column in ("method", "mean", "median", "p95", "deadlocks", "decision time"):
        table.add_column(column, justify="left" if column == "method" else "right")
    for row in summarise(outcomes):
        values = [_number(row[key]) if row[key] is not None else "-" for key in ("mean", "median", "p95")]
        table.add_row(row["method"], *values, str(row["deadlocks"]), f"{row['decision_time_s'] * 1000:.2f} ms")
    console.print(table)
    if csv_path is not None:
        write_outcomes_csv(str(csv_path), outcomes, overwrite=force)
        console.print(f"rows written to {csv_path}")
    if plot is not None:
        first = outcomes[0]
        title = f"{instance.name}, {first.method}, seed {first.seed}: makespan {first.execution.makespan}"
        gantt(instance, first.execution, plot, title, overwrite=force)
        console.print(f"plot written to {plot}")


@app.command()
def info() -> None:
    """List problems, methods, shipped checkpoints and the compute device."""
    import torch

    from cosolve import instances as shipped
    from cosolve.checkpoint import shipped_checkpoints

    console.print(f"[bold]cosolve {__version__}[/bold]")
    for name in problem_names():
        module, methods = get_problem(name), get_methods(name)
        console.print(f"\n[bold]{name}[/bold]: {module.TITLE}")
        console.print(f"  files: {' '.join(module.EXTENSIONS)} (formats: {', '.join(module.FORMATS)})")
        console.print(f"  shipped instances: {len(shipped.index(name))}")
        console.print(f"  methods: {', '.join(family.usage for family in methods.METHODS.values())}")
        console.print(f"  default method: {methods.DEFAULT_METHOD}")
    checkpoint_files = shipped_checkpoints()
    console.print("\ncheckpoints: " + (", ".join(p.name for p in checkpoint_files) or "none shipped yet"))
    device = f"cuda ({torch.cuda.get_device_name(0)})" if torch.cuda.is_available() else "cpu (no CUDA device)"
    console.print(f"device: {device}; torch {torch.__version__}; {os.cpu_count()} CPU cores")


def _usage_error(error: typer._click.exceptions.ClickException) -> str:
    """The one line of an argument parser error, naming the command: ``solve: Missing argument 'file'.``"""
    message = " ".join(error.format_message().split())
    context = getattr(error, "ctx", None)
    command = context.command_path.removeprefix("cosolve").strip() if context is not None else ""
    return f"{command}: {message}" if command else message


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``cosolve`` script: maps errors to exit codes.

    Every error is one line on stderr: bad options and bad input (:class:`CosolveInputError`,
    a file the OS refuses) exit 2, Ctrl-C exits 130 (see :mod:`cosolve.interrupt`), anything
    else is an internal failure, exit 1 (``COSOLVE_DEBUG=1`` prints the traceback).
    """
    with interrupt.installed():
        try:
            code = app(args=argv, prog_name="cosolve", standalone_mode=False)
        except typer._click.exceptions.NoArgsIsHelpError as error:
            print(error.format_message())
            sys.exit(2)
        except typer._click.exceptions.ClickException as error:
            print(f"cosolve: error: {_usage_error(error)}", file=sys.stderr)
            sys.exit(2)
        except CosolveInputError as error:
            print(f"cosolve: error: {' '.join(str(error).split())}", file=sys.stderr)
            sys.exit(2)
        except interrupt.Interrupted as error:
            print(f"{interrupt.MESSAGE}: {error.detail}", file=sys.stderr)
            sys.exit(interrupt.EXIT_CODE)
        except (KeyboardInterrupt, typer.Abort):
            print(interrupt.MESSAGE, file=sys.stderr)
            sys.exit(interrupt.EXIT_CODE)
        except OSError as error:  # a file the OS refuses: a user problem, not a bug
            where = f"{error.filename}: " if error.filename else ""
            print(f"cosolve: error: {where}{os_reason(error)}", file=sys.stderr)
            sys.exit(2)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if os.environ.get("COSOLVE_DEBUG"):
                traceback.print_exc()
            reason = " ".join(str(error).split())[:300]
            print(
                f"cosolve: internal error: {type(error).__name__}: {reason} (set COSOLVE_DEBUG=1 for the traceback)",
                file=sys.stderr,
            )
            sys.exit(1)
    if code == interrupt.EXIT_CODE:  # typer turns a KeyboardInterrupt into this return value
        print(interrupt.MESSAGE, file=sys.stderr)
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
