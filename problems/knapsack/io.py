"""Readers and writers for 0/1 knapsack files.

Two formats, detected by content (``fmt="auto"``) or forced:

* ``simple``: a line ``n capacity``, then ``n`` lines ``value weight``, then optionally one line
  of ``n`` 0/1 flags, a selection stored with the instance. This is the layout of the widely used
  "instances_01_KP" collection (``knapPI_*`` large-scale files, ``f1``..``f10`` low-dimensional
  ones); its large-scale files end with an optimal selection.
* ``pisinger``: D. Pisinger's ``knapPI_t_n_R.csv`` files ("Where are the hard knapsack
  problems?", 2005). Each instance is a block::

      knapPI_1_50_1000_1      instance name
      n 50                    number of items
      c 995                   capacity
      z 8373                  optimal value (optional here)
      time 0.00               combo's solution time (optional here, not kept)
      1,94,485,0              n lines "id,value,weight,x": ids 1..n, x the optimal selection
      ...
      -----                   separator

  Pisinger's files hold 100 instances each; :func:`read` takes files with one instance (a longer
  file is refused with the line where the second instance starts) and :func:`read_all` reads
  every block.

Values are integers ``>= 0``, weights integers ``>= 1`` (both at most :data:`MAX_COEFFICIENT`),
the capacity an integer ``>= 0``. Lines starting with ``#`` are comments; lines and numbers are
read as :mod:`cosolve.problems.tokens` defines them (ASCII decimal, so ``1_000`` or ``١٢`` are
refused). Every error names the file and the line. Item counts are checked against the lines
present before anything is allocated. A stated optimum is checked against the file's selection,
so a best-known value never enters the program unchecked (see :class:`Reading`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.knapsack.instance import Instance, Solution
from cosolve.problems.tokens import is_integer, is_number, numbered_lines, to_integer

FORMATS = ("auto", "simple", "pisinger")
MAX_COEFFICIENT = 2**31 - 1
"""Largest value or weight a file may hold (so that sums over a million items fit in int64)."""
MAX_CAPACITY = 2**62
NAME_SUFFIXES = (".kp", ".knap", ".txt", ".csv", ".in", ".dat")
"""Suffixes dropped from the file name when it becomes the instance name (``f1.kp`` -> ``f1``);
other names are kept whole (``knapPI_1_100_1000_1``)."""
PISINGER_KEYS = ("n", "c", "z", "time")

Lines = list[tuple[int, str]]


@dataclass(frozen=True)
class Reading:
    """An instance with what its file says about its solution.

    Attributes:
        instance: the instance.
        optimum: the optimal value the file states: Pisinger's ``z``, or the value of the selection
            line of a ``simple`` file (the instances_01_KP collection stores optimal selections
            there); ``None`` when the file states none. When given, it equals the value of ``solution``.
        solution: the selection stored in the file (Pisinger's ``x`` column, or the selection
            line), checked to fit the capacity; ``None`` when there is none.
    """

    instance: Instance
    optimum: int | None = None
    solution: Solution | None = None


# ---------------------------------------------------------------------------- tokens


def _integer(path: Path, number: int, token: str, what: str, low: int, high: int) -> int:
    """``token`` as an integer in ``low..high``, or an error naming ``what``."""
    try:
        value = to_integer(token)
    except ValueError as error:
        hint = " (cosolve reads integer knapsack data only)" if is_number(token) and not is_integer(token) else ""
        raise CosolveInputError(f"{what} {error}{hint}", path, number) from None
    if value < low:
        rule = "positive" if low == 1 else f"at least {low}"
        raise CosolveInputError(f"{what} must be {rule}, got {value}", path, number)
    if value > high:
        raise CosolveInputError(f"{what} {value} is too large (at most {high})", path, number)
    return value


def _selection(path: Path, number: int, flags: list[str], what: str) -> np.ndarray:
    """``[n]`` bool from 0/1 tokens."""
    bad = [flag for flag in flags if flag not in ("0", "1")]
    if bad:
        raise CosolveInputError(f"{what} must be 0 or 1, found {bad[0]!r}", path, number)
    return np.asarray([flag == "1" for flag in flags], dtype=bool)


def _stated(path: Path, instance: Instance, chosen: np.ndarray, number: int, what: str) -> Solution:
    """The selection ``chosen`` ``[n]`` bool, checked to fit the capacity."""
    weight = int(instance.weights[chosen].sum())
    if weight > instance.capacity:
        raise CosolveInputError(f"{what} weighs {weight}, over the capacity {instance.capacity}", path, number)
    return Solution.from_mask(chosen)


# ---------------------------------------------------------------------------- simple


def _read_simple(path: Path, lines: Lines) -> Reading:
    if not lines:
        raise CosolveInputError("file is empty", path)
    number, header = lines[0]
    tokens = header.split()
    if len(tokens) != 2:
        raise CosolveInputError(
            f"expected the header 'n capacity' (2 integers), found {len(tokens)} values", path, number
        )
    n = _integer(path, number, tokens[0], "the number of items", 1, MAX_CAPACITY)
    capacity = _integer(path, number, tokens[1], "the capacity", 0, MAX_CAPACITY)
    rows = lines[1 : n + 1]
    if len(rows) < n:
        raise CosolveInputError(f"expected {n} item lines 'value weight', found {len(rows)}", path, lines[-1][0])
    values, weights = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for item, (number, line) in enumerate(rows):
        tokens = line.split()
        if len(tokens) != 2:
            raise CosolveInputError(
                f"item {item}: expected 'value weight' (2 integers), found {len(tokens)} values", path, number
            )
        values[item] = _integer(path, number, tokens[0], f"item {item}: the value", 0, MAX_COEFFICIENT)
        weights[item] = _integer(path, number, tokens[1], f"item {item}: the weight", 1, MAX_COEFFICIENT)
    instance = Instance(path.stem if path.suffix.lower() in NAME_SUFFIXES else path.name, values, weights, capacity)
    rest = lines[n + 1 :]
    if not rest:
        return Reading(instance)
    number, line = rest[0]
    flags = line.split()
    if len(flags) != n:
        raise CosolveInputError(
            f"unexpected data after the {n} items: expected nothing or a selection line of {n} 0/1 flags, "
            f"found {len(flags)} values (is the item count {n} in the header right?)",
            path,
            number,
        )
    solution = _stated(
        path, instance, _selection(path, number, flags, "each flag of the selection line"), number, "the selection line"
    )
    if len(rest) > 1:
        raise CosolveInputError("unexpected data after the selection line", path, rest[1][0])
    return Reading(instance, int(instance.values[solution.items].sum()), solution)


# ---------------------------------------------------------------------------- Pisinger


def _is_separator(line: str) -> bool:
    return len(line) >= 3 and set(line) == {"-"}


def _pisinger_block(path: Path, lines: Lines, start: int) -> tuple[Reading, int]:
    """The instance whose name line is ``lines[start]``, and the index of the line after its block."""
    name_line, name = lines[start]
    if _is_separator(name) or "," in name or len(name.split()) != 1:
        raise CosolveInputError(f"expected an instance name line, found {name[:40]!r}", path, name_line)
    keys: dict[str, tuple[int, str]] = {}
    position = start + 1
    while position < len(lines):
        number, line = lines[position]
        tokens = line.split()
        key = tokens[0].lower()
        if key not in PISINGER_KEYS:
            break
        if len(tokens) != 2:
            raise CosolveInputError(f"expected '{key} <number>', found {line[:40]!r}", path, number)
        if key in keys:
            raise CosolveInputError(f"'{key}' is given twice in instance {name}", path, number)
        keys[key] = (number, tokens[1])
        position += 1
    for key in ("n", "c"):
        if key not in keys:
            raise CosolveInputError(f"instance {name} has no '{key}' line", path, name_line)
    n = _integer(path, keys["n"][0], keys["n"][1], "the number of items n", 1, MAX_CAPACITY)
    capacity = _integer(path, keys["c"][0], keys["c"][1], "the capacity c", 0, MAX_CAPACITY)
    if "time" in keys and not is_number(keys["time"][1]):
        raise CosolveInputError(f"time {keys['time'][1]!r} is not a number", path, keys["time"][0])
    rows = lines[position : position + n]
    values, weights = np.zeros(len(rows), dtype=np.int64), np.zeros(len(rows), dtype=np.int64)
    chosen = np.zeros(len(rows), dtype=bool)
    for item in range(n):  # item ``item`` has the file id ``item + 1``
        if item >= len(rows) or _is_separator(rows[item][1]):
            last = rows[item][0] if item < len(rows) else lines[-1][0]
            raise CosolveInputError(
                f"instance {name}: expected {n} item lines 'id,value,weight,x', found {item}", path, last
            )
        number, line = rows[item]
        fields = [field.strip() for field in line.split(",")] if "," in line else line.split()
        if len(fields) != 4:
            raise CosolveInputError(
                f"item {item + 1}: expected 'id,value,weight,x' (4 integers), found {len(fields)} values", path, number
            )
        if fields[0] != str(item + 1):
            raise CosolveInputError(
                f"item ids must run 1..{n} in order: expected {item + 1}, found {fields[0]!r}", path, number
            )
        values[item] = _integer(path, number, fields[1], f"item {item + 1}: the value", 0, MAX_COEFFICIENT)
        weights[item] = _integer(path, number, fields[2], f"item {item + 1}: the weight", 1, MAX_COEFFICIENT)
        chosen[item] = _selection(path, number, fields[3:], f"item {item + 1}: x")[0]
    position += n
    if position < len(lines):
        number, line = lines[position]
        if not _is_separator(line):
            raise CosolveInputError(
                f"instance {name}: expected the separator '-----' after its {n} items, found {line[:40]!r}",
                path,
                number,
            )
        position += 1
    instance = Instance(name, values, weights, capacity)
    if "z" not in keys:
        solution = (
            _stated(path, instance, chosen, name_line, f"instance {name}: the x column") if chosen.any() else None
        )
        return Reading(instance, None, solution), position
    z_line = keys["z"][0]
    optimum = _integer(path, z_line, keys["z"][1], "the optimum z", 0, 2**63 - 1)
    solution = _stated(path, instance, chosen, z_line, f"instance {name}: the x column")
    stated = int(values[chosen].sum())
    if stated != optimum:
        raise CosolveInputError(
            f"instance {name}: z {optimum} differs from {stated}, the value of the x column", path, z_line
        )
    return Reading(instance, optimum, solution), position


def _read_pisinger(path: Path, lines: Lines) -> list[tuple[Reading, int]]:
    """Every block, each with the line number of its name line."""
    if not lines:
        raise CosolveInputError("file is empty", path)
    readings, position = [], 0
    while position < len(lines):
        start = lines[position][0]
        reading, position = _pisinger_block(path, lines, position)
        readings.append((reading, start))
    return readings


# ---------------------------------------------------------------------------- entry points


def detect_format(text: str) -> str:
    """``pisinger`` when the second line is Pisinger's ``n N``, else ``simple``."""
    lines = numbered_lines(text)
    if len(lines) >= 2 and not is_number(lines[0][1].split()[0]):
        second = lines[1][1].split()
        if len(second) == 2 and second[0].lower() == "n":
            return "pisinger"
    return "simple"


def _readings(path: str | Path, fmt: str) -> list[tuple[Reading, int]]:
    """The instances of a file, each with the line number where it starts."""
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    text = read_text(path)
    if fmt == "auto":
        fmt = detect_format(text)
    lines = numbered_lines(text)
    return _read_pisinger(path, lines) if fmt == "pisinger" else [(_read_simple(path, lines), 1)]


def read_with_optimum(path: str | Path, fmt: str = "auto") -> Reading:
    """The instance of a one-instance file, with the optimum and selection the file states."""
    readings = _readings(path, fmt)
    if len(readings) > 1:
        second, line = readings[1]
        raise CosolveInputError(
            f"the file holds {len(readings)} instances and cosolve reads one per file "
            f"(the second, {second.instance.name}, starts here; split the file)",
            path,
            line,
        )
    return readings[0][0]


def read_all(path: str | Path, fmt: str = "auto") -> list[Reading]:
    """Every instance of a file (Pisinger's files hold 100), each with what the file states."""
    return [reading for reading, _ in _readings(path, fmt)]


def read(path: str | Path, fmt: str = "auto") -> Instance:
    """Read a one-instance knapsack file (see the module docstring for the formats)."""
    return read_with_optimum(path, fmt).instance


def _pisinger_name(name: str) -> str:
    """``name`` as one token without commas that does not read as a number (a Pisinger name line)."""
    token = "_".join(name.replace(",", " ").split()) or "knapsack"
    return f"kp_{token}" if is_number(token) else token


def format_text(instance: Instance, fmt: str = "simple", optimal: Solution | None = None) -> str:
    """The text of ``instance`` in ``fmt``; ``optimal`` (an optimal selection, if known) is stored as
    the simple format's selection line, or as Pisinger's ``z`` and ``x`` column (with ``time 0.00``,
    as no solution time is known)."""
    n = instance.n_items
    chosen = np.zeros(n, dtype=np.int64)
    if optimal is not None:
        chosen[np.asarray(optimal.items, dtype=np.int64)] = 1
    pairs = zip(instance.values.tolist(), instance.weights.tolist())
    if fmt == "pisinger":
        lines = [_pisinger_name(instance.name), f"n {n}", f"c {instance.capacity}"]
        if optimal is not None:
            lines += [f"z {int(instance.values[chosen == 1].sum())}", "time 0.00"]
        lines += [f"{i + 1},{value},{weight},{x}" for i, ((value, weight), x) in enumerate(zip(pairs, chosen.tolist()))]
        lines.append("-----")
    else:
        lines = [f"{n} {instance.capacity}", *(f"{value} {weight}" for value, weight in pairs)]
        if optimal is not None:
            lines.append(" ".join(map(str, chosen.tolist())))
    return "\n".join(lines) + "\n"


def write(
    path: str | Path, instance: Instance, fmt: str = "simple", overwrite: bool = True, optimal: Solution | None = None
) -> None:
    """Write ``instance`` atomically as ``simple`` (``auto`` means simple) or ``pisinger`` text.

    ``optimal``: an optimal selection to store with the instance (read back as the file's optimum).
    """
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    write_text_atomic(path, format_text(instance, "pisinger" if fmt == "pisinger" else "simple", optimal), overwrite)


def sniff(text: str) -> bool:
    """True for knapsack text only.

    Pisinger: a name line, then ``n N`` and ``c C``. Simple: a header of two integers ``n c``, then
    exactly ``n`` lines of exactly two numbers, then at most one line of ``n`` 0/1 flags. Job shop
    files also start with ``n m``, but their job lines hold ``2 m`` numbers; the one case that also
    has two numbers per line, a one-machine JSPLIB file (``m = 1``, every line ``0 time``), is
    refused here. Returns a bool for any text, never raises.
    """
    lines = [line for _, line in numbered_lines(text)]
    if len(lines) >= 3 and detect_format(text) == "pisinger":
        third = lines[2].split()
        return len(third) == 2 and third[0].lower() == "c" and is_integer(third[1])
    header = lines[0].split() if lines else []
    if len(header) != 2:
        return False
    try:
        n, capacity = to_integer(header[0]), to_integer(header[1])
    except ValueError:
        return False
    if n < 1 or capacity < 0 or len(lines) not in (n + 1, n + 2):
        return False
    rows = [line.split() for line in lines[1 : n + 1]]
    if not all(len(row) == 2 and is_number(row[0]) and is_number(row[1]) for row in rows):
        return False
    if len(lines) == n + 2:
        flags = lines[-1].split()
        if len(flags) != n or not set(flags) <= {"0", "1"}:
            return False
    one_machine_job_shop = capacity == 1 and all(row[0] == "0" for row in rows)
    return not one_machine_job_shop
