"""Readers and writers for job shop files.

Two formats, detected automatically (``fmt="auto"``) or forced:

* ``jsplib`` (the standard format of JSPLIB / OR-Library): a line ``n m``, then one line
  per job with ``m`` pairs ``machine time``, machines 0-based.
* ``taillard``: a line ``n m``, then ``n`` lines of ``m`` processing times, then ``n``
  lines of ``m`` machines, 1-based. Taillard's original layout with the header line
  ``Nb of jobs, Nb of Machines, Time seed, ...`` and the ``Times`` / ``Machines`` labels
  is read too.

Lines starting with ``#`` are comments; lines and numbers are read as :mod:`cosolve.problems.tokens`
defines them (ASCII decimal integers, tokens separated by blanks or commas). Every error names the
file and line.

Sizes are checked against the file before anything is allocated: the header's ``n`` needs ``n``
lines of data, and every line must have the width the header's ``m`` announces, so memory stays
proportional to the file (which :func:`cosolve.files.read_text` bounds). The total processing time
must stay below :data:`~cosolve.problems.jssp.instance.TIME_BOUND` (``2**30``, the env's times are
32-bit); a larger total is refused at the line where it crosses the bound.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.jssp.instance import TIME_BOUND, Instance
from cosolve.problems.tokens import is_integer, numbered_lines, to_integer

FORMATS = ("auto", "jsplib", "taillard")
MAX_VALUE = 2**31 - 1
"""Largest number a job shop file may hold (a header, a machine, a time or a Taillard seed)."""


def _tokens(line: str) -> list[str]:
    """The tokens of a line, separated by blanks or commas."""
    return line.replace(",", " ").split()


def _integers(path: Path, number: int, line: str) -> list[int]:
    """The integers of a line, each at most :data:`MAX_VALUE` in size."""
    values = []
    for token in _tokens(line):
        try:
            value = to_integer(token)
        except ValueError as error:
            raise CosolveInputError(str(error), path, number) from None
        if abs(value) > MAX_VALUE:
            raise CosolveInputError(f"{token} is out of range (at most {MAX_VALUE})", path, number)
        values.append(value)
    return values


def _is_numeric(line: str) -> bool:
    return all(map(is_integer, _tokens(line)))


def _header(path: Path, lines: list[tuple[int, str]]) -> tuple[int, int, list[tuple[int, str]], bool]:
    """Parse ``n m``; returns (n, m, remaining lines, is_taillard_original)."""
    if not lines:
        raise CosolveInputError("file is empty", path)
    original = False
    number, line = lines[0]
    if not _is_numeric(line) and line.lower().startswith("nb of jobs"):
        original = True
        lines = lines[1:]
        if not lines:
            raise CosolveInputError("missing the line with the number of jobs and machines", path, number)
        number, line = lines[0]
    values = _integers(path, number, line)
    if len(values) < 2 or (len(values) != 2 and not original):
        raise CosolveInputError(
            f"expected the header 'jobs machines' (2 integers), found {len(values)} values", path, number
        )
    n_jobs, n_machines = values[0], values[1]
    if n_jobs < 1 or n_machines < 1:
        raise CosolveInputError(f"jobs and machines must be positive, got {n_jobs} {n_machines}", path, number)
    return n_jobs, n_machines, lines[1:], original


def _matrix(path: Path, lines: list[tuple[int, str]], rows: int, cols: int, what: str) -> tuple[np.ndarray, list[int]]:
    """``[rows, cols]`` int64 from the first ``rows`` lines, and their line numbers.

    The lines are counted and each one's width checked before the matrix is built, so a header
    announcing more than the file holds allocates nothing.
    """
    if len(lines) < rows:
        last = lines[-1][0] if lines else None
        raise CosolveInputError(f"expected {rows} lines of {what}, found {len(lines)}", path, last)
    values, numbers = [], []
    for row, (number, line) in enumerate(lines[:rows]):
        values.append(_integers(path, number, line))
        if len(values[-1]) != cols:
            raise CosolveInputError(
                f"expected {cols} integers ({what} of job {row}), found {len(values[-1])}", path, number
            )
        numbers.append(number)
    return np.asarray(values, dtype=np.int64).reshape(rows, cols), numbers


def _validate_machines(path: Path, machines: np.ndarray, line_of_job: list[int], base: int) -> None:
    """Each job must visit each machine exactly once (``base`` is 0 or 1, as in the file)."""
    n_machines = machines.shape[1]
    for job, number in enumerate(line_of_job):
        row = machines[job]
        bad = row[(row < 0) | (row >= n_machines)]
        if bad.size:
            raise CosolveInputError(
                f"job {job} names machine {int(bad[0]) + base}, outside {base}..{n_machines - 1 + base}",
                path,
                number,
            )
        seen, counts = np.unique(row, return_counts=True)
        if (counts > 1).any():
            raise CosolveInputError(f"job {job} visits machine {int(seen[counts > 1][0]) + base} twice", path, number)


def _validate_durations(path: Path, durations: np.ndarray, line_of_job: list[int]) -> None:
    """Times must be ``>= 0`` and their total below :data:`TIME_BOUND`, named at the line where it crosses."""
    total = 0
    for job, number in enumerate(line_of_job):
        negative = durations[job][durations[job] < 0]
        if negative.size:
            raise CosolveInputError(f"job {job} has a negative processing time {int(negative[0])}", path, number)
        total += int(durations[job].sum())  # a row of at most 2**28 times below 2**31 fits in int64
        if total >= TIME_BOUND:
            raise CosolveInputError(
                f"the total processing time reaches {total} at job {job}; it must stay below {TIME_BOUND} "
                "(times are 32-bit in the solvers)",
                path,
                number,
            )


def _trailing(path: Path, lines: list[tuple[int, str]]) -> None:
    if lines:
        raise CosolveInputError("unexpected data after the last job", path, lines[0][0])


def _read_jsplib(
    path: Path, n_jobs: int, n_machines: int, lines: list[tuple[int, str]]
) -> tuple[np.ndarray, np.ndarray]:
    pairs, numbers = _matrix(path, lines, n_jobs, 2 * n_machines, f"{n_machines} machine/time pairs")
    _trailing(path, lines[n_jobs:])
    machines, durations = pairs[:, 0::2], pairs[:, 1::2]
    _validate_machines(path, machines, numbers, base=0)
    _validate_durations(path, durations, numbers)
    return machines, durations


def _drop_label(lines: list[tuple[int, str]], label: str) -> list[tuple[int, str]]:
    if lines and lines[0][1].lower().startswith(label):
        return lines[1:]
    return lines


def _read_taillard(
    path: Path, n_jobs: int, n_machines: int, lines: list[tuple[int, str]]
) -> tuple[np.ndarray, np.ndarray]:
    lines = _drop_label(lines, "times")
    durations, time_lines = _matrix(path, lines, n_jobs, n_machines, "processing times")
    lines = _drop_label(lines[n_jobs:], "machines")
    machines, machine_lines = _matrix(path, lines, n_jobs, n_machines, "machines")
    _trailing(path, lines[n_jobs:])
    _validate_durations(path, durations, time_lines)
    _validate_machines(path, machines - 1, machine_lines, base=1)
    return machines - 1, durations


def _guess_format(lines: list[tuple[int, str]], n_jobs: int, n_machines: int, original: bool) -> str:
    """Tell the two layouts apart by the shape of the data lines.

    Taillard has lines of ``m`` numbers, JSPLIB lines of ``2m``; a malformed file is read in
    the layout most of its lines follow, so its error names the real bad line.
    """
    if original or any(line.lower().startswith(("times", "machines")) for _, line in lines):
        return "taillard"
    widths = [len(_tokens(line)) for _, line in lines]
    taillard_like = sum(width == n_machines for width in widths)
    jsplib_like = sum(width == 2 * n_machines for width in widths)
    return "taillard" if taillard_like > jsplib_like else "jsplib"


def read(path: str | Path, fmt: str = "auto", name: str | None = None) -> Instance:
    """Read a job shop file in ``jsplib`` or ``taillard`` format (``auto`` detects which).

    Raises:
        CosolveInputError: the file is missing, empty or malformed (message names file and line).
    """
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown job shop format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    text = read_text(path)
    lines = numbered_lines(text)
    n_jobs, n_machines, body, original = _header(path, lines)
    if fmt == "auto":
        fmt = _guess_format(body, n_jobs, n_machines, original)
    reader = _read_taillard if fmt == "taillard" else _read_jsplib
    machines, durations = reader(path, n_jobs, n_machines, body)
    return Instance(name=name or path.stem, machines=machines, durations=durations)


def format_text(instance: Instance, fmt: str = "jsplib", comment: str | None = None) -> str:
    """The file text of ``instance`` in ``jsplib`` or ``taillard`` format."""
    if fmt not in ("jsplib", "taillard"):
        raise CosolveInputError(f"unknown job shop format {fmt!r} (choose jsplib or taillard)")
    out = [f"# {line}" for line in (comment or instance.name).splitlines()]
    out.append(f"{instance.n_jobs} {instance.n_machines}")
    if fmt == "jsplib":
        for machine_row, time_row in zip(instance.machines, instance.durations):
            out.append(" ".join(f"{m} {t}" for m, t in zip(machine_row, time_row)))
    else:
        out.extend(" ".join(str(t) for t in row) for row in instance.durations)
        out.extend(" ".join(str(m + 1) for m in row) for row in instance.machines)
    return "\n".join(out) + "\n"


def write(
    path: str | Path, instance: Instance, fmt: str = "jsplib", comment: str | None = None, overwrite: bool = True
) -> None:
    """Write ``instance`` atomically in ``jsplib`` (default) or ``taillard`` format."""
    write_text_atomic(path, format_text(instance, fmt, comment), overwrite=overwrite)


def _is_machine(token: str, n_machines: int) -> bool:
    """True for a 0-based machine token ``0..n_machines-1``."""
    try:
        return 0 <= to_integer(token) < n_machines
    except ValueError:
        return False


def sniff(text: str) -> bool:
    """True when ``text`` looks like a job shop file (used to detect the problem of a file).

    Returns a bool for any text, never raises: a token that is not an integer makes it ``False``.
    """
    lines = numbered_lines(text)
    if not lines:
        return False
    if lines[0][1].lower().startswith("nb of jobs"):
        return True
    first = _tokens(lines[0][1])
    if len(first) != 2:
        return False
    try:
        n_jobs, n_machines = to_integer(first[0]), to_integer(first[1])
    except ValueError:
        return False
    rows = [_tokens(line) for _, line in lines[1:] if not line.lower().startswith(("times", "machines"))]
    widths = [len(row) for row in rows]
    # JSPLIB rows are "machine time" pairs with 0-based machines below m: checking the machines
    # keeps e.g. a knapsack file of capacity 1 ("n 1", then "value weight" lines) out.
    jsplib = len(widths) == n_jobs and all(
        width == 2 * n_machines and all(_is_machine(token, n_machines) for token in row[0::2])
        for width, row in zip(widths, rows)
    )
    taillard = len(widths) == 2 * n_jobs and all(width == n_machines for width in widths)
    return jsplib or taillard
