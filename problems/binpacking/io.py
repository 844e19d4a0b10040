"""Readers and writers for one-dimensional bin packing files.

Two formats, detected by content (``fmt="auto"``) or forced:

* ``bpplib``: the BPPLIB "BPP format" (Delorme, Iori and Martello's BPPLIB; the Falkenauer,
  Scholl, Schwerin, Wäscher and Hard28 sets): a line ``n``, a line with the capacity, then ``n``
  lines of one weight each. One instance per file; the public files use CRLF line endings.
* ``orlib``: J. E. Beasley's OR-Library files ``binpack1.txt`` .. ``binpack8.txt`` (Falkenauer's
  u and t classes), several instances per file::

      20                  the number of problems P
       u120_00            per problem: its name,
       150 120 48         "capacity n best_known" (bins in the best known solution),
       42                 then n lines of one weight each
       ...

  :func:`read` takes files with one problem (a longer file is refused, naming the line where the
  second starts and suggesting ``--index``); :func:`read_all` reads every problem.

Data are integers; decimal data (OR-Library's triplet files ``binpack5``-``binpack8`` have the
capacity ``100.0`` and weights like ``20.2``) are multiplied by the smallest power of ten that
makes the capacity and every weight of an instance integral, at most ``10**MAX_DECIMALS``, and the
instance records it in ``Instance.scale`` (the number of bins is unchanged; ``binpack5``'s
``t60_00`` becomes BPPLIB's ``Falkenauer_t60_00``, capacity 1000). Weights must be positive and at
most the capacity. Blank lines and lines starting with ``#`` are skipped; lines and numbers are
read as :mod:`cosolve.problems.tokens` defines them (ASCII decimal, so ``1_000``, ``²`` or ``inf``
are refused). Every error names the file and the line.

Counts are checked against the file before anything is allocated (a header announcing ``10**9``
items fails on the lines present), and the capacity is compared with :data:`MAX_VALUE` before the
data are scaled, so a capacity like ``1e300`` costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.binpacking.instance import Instance
from cosolve.problems.tokens import is_number, numbered_lines, to_decimal, to_integer

FORMATS = ("auto", "bpplib", "orlib")
MAX_DECIMALS = 6
"""Most digits after the decimal point that a file's data may have."""
MAX_VALUE = 2**40
"""Largest capacity, before and after scaling (so scaled values are exact: at most 13 + 6 digits)."""
MAX_ITEMS = 10_000_000
"""Most items of an instance (and problems of an OR-Library file)."""
MAX_TOTAL_WEIGHT = 2**62
"""Largest total weight of an instance, after scaling, so that sums and bounds fit in int64
(:data:`MAX_ITEMS` weights of :data:`MAX_VALUE` would not)."""
NAME_SUFFIXES = (".txt", ".bpp", ".dat", ".in")
"""Suffixes dropped from the file name when it becomes the instance name."""

Lines = list[tuple[int, str]]


@dataclass(frozen=True)
class Reading:
    """An instance with what its file says about it.

    Attributes:
        instance: the instance.
        best_known: the number of bins of the best known solution that an OR-Library file states
            (its header's third number); ``None`` for BPPLIB files, which state none.
        line: the 1-based line where the instance starts in its file.
    """

    instance: Instance
    best_known: int | None = None
    line: int = 1


# ---------------------------------------------------------------------------- tokens


def _decimal(path: Path, number: int, token: str, what: str) -> Decimal:
    """``token`` as a finite decimal number (magnitude within ``10**±300``), or an error naming ``what``."""
    try:
        return to_decimal(token)
    except ValueError as error:
        raise CosolveInputError(f"{what} {error}", path, number) from None


def _integer(path: Path, number: int, token: str, what: str, low: int, high: int) -> int:
    """``token`` as an integer in ``low..high`` (counts: no decimals allowed)."""
    try:
        value = to_integer(token)
    except ValueError as error:
        raise CosolveInputError(f"{what} {error}", path, number) from None
    if not low <= value <= high:
        raise CosolveInputError(f"{what} must be in {low}..{high}, got {value}", path, number)
    return value


def _one_token(path: Path, number: int, line: str, what: str) -> str:
    tokens = line.split()
    if len(tokens) != 1:
        raise CosolveInputError(f"expected {what} (one number), found {len(tokens)} values", path, number)
    return tokens[0]


def _digits_after_point(value: Decimal) -> int:
    """The digits after the point of ``value`` without trailing zeros (``20.20`` has 1), computed
    exactly (``normalize`` would round to the context's 28 digits)."""
    _, digits, exponent = value.as_tuple()
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -int(exponent) - trailing_zeros)


def _check_ranges(path: Path, capacity: tuple[int, Decimal], weights: list[tuple[int, Decimal]]) -> None:
    """The capacity in ``(0, MAX_VALUE]``, checked before any scaling (so a capacity like ``1e300``
    costs nothing), and every weight in ``(0, capacity]``."""
    capacity_line, raw_capacity = capacity
    if raw_capacity <= 0:
        raise CosolveInputError(f"the capacity must be positive, got {raw_capacity}", path, capacity_line)
    if raw_capacity > MAX_VALUE:
        raise CosolveInputError(f"the capacity {raw_capacity} is too large (at most {MAX_VALUE})", path, capacity_line)
    for item, (number, weight) in enumerate(weights):
        if weight <= 0:
            raise CosolveInputError(f"item {item}: the weight must be positive, got {weight}", path, number)
        if weight > raw_capacity:
            raise CosolveInputError(
                f"item {item}: the weight {weight} is larger than the capacity {raw_capacity} (it fits in no bin)",
                path,
                number,
            )


def _decimals(path: Path, values: list[tuple[int, Decimal]]) -> int:
    """The most digits after the point among ``values``, at most :data:`MAX_DECIMALS`."""
    digits = max(_digits_after_point(value) for _, value in values)
    if digits > MAX_DECIMALS:
        line = next(number for number, value in values if _digits_after_point(value) == digits)
        raise CosolveInputError(
            f"a value has {digits} digits after the decimal point (cosolve scales decimal data to integers "
            f"by at most 10**{MAX_DECIMALS})",
            path,
            line,
        )
    return digits


def _check_total(path: Path, weights: list[int], lines: list[int]) -> None:
    """The running total of the (scaled) weights stays within :data:`MAX_TOTAL_WEIGHT`; the error
    names the line where it crosses."""
    total = 0
    for item, (weight, number) in enumerate(zip(weights, lines)):
        total += weight
        if total > MAX_TOTAL_WEIGHT:
            raise CosolveInputError(
                f"the total weight of items 0..{item} exceeds {MAX_TOTAL_WEIGHT} (sums must fit in 64 bits)",
                path,
                number,
            )


def _instance(path: Path, name: str, capacity: tuple[int, Decimal], weights: list[tuple[int, Decimal]]) -> Instance:
    """The instance of parsed numbers ``(line, value)``: checked, and scaled to integers if decimal.

    Values reaching the scaling have at most 13 digits before the point and :data:`MAX_DECIMALS`
    after it, so the decimal arithmetic (28 digits) is exact.
    """
    _check_ranges(path, capacity, weights)
    scale = 10 ** _decimals(path, [capacity, *weights])
    capacity_line, raw_capacity = capacity
    scaled_capacity = int(raw_capacity * scale)
    if scaled_capacity > MAX_VALUE:
        raise CosolveInputError(f"the capacity is too large (at most {MAX_VALUE} after scaling)", path, capacity_line)
    scaled = [int(value * scale) for _, value in weights]
    _check_total(path, scaled, [number for number, _ in weights])
    return Instance(name=name, weights=np.asarray(scaled, dtype=np.int64), capacity=scaled_capacity, scale=scale)


def _weights(path: Path, rows: Lines, first_item: int = 0) -> list[tuple[int, Decimal]]:
    return [
        (
            number,
            _decimal(
                path, number, _one_token(path, number, line, f"the weight of item {item}"), f"item {item}: the weight"
            ),
        )
        for item, (number, line) in enumerate(rows, start=first_item)
    ]


# ---------------------------------------------------------------------------- BPPLIB


def _file_name(path: Path) -> str:
    return path.stem if path.suffix.lower() in NAME_SUFFIXES else path.name


def _read_bpplib(path: Path, lines: Lines) -> Reading:
    if not lines:
        raise CosolveInputError("file is empty", path)
    number, line = lines[0]
    n = _integer(
        path, number, _one_token(path, number, line, "the number of items"), "the number of items", 1, MAX_ITEMS
    )
    if len(lines) < 2:
        raise CosolveInputError("expected the capacity on the line after the number of items", path, number)
    number, line = lines[1]
    capacity = (number, _decimal(path, number, _one_token(path, number, line, "the capacity"), "the capacity"))
    rows = lines[2 : n + 2]
    weights = _weights(path, rows)  # a line of several weights is named before the count
    if len(rows) < n:
        raise CosolveInputError(f"expected {n} weight lines, found {len(rows)}", path, lines[-1][0])
    if len(lines) > n + 2:
        raise CosolveInputError(
            f"unexpected data after the {n} weights (is the number of items {n} on line {lines[0][0]} right?)",
            path,
            lines[n + 2][0],
        )
    return Reading(_instance(path, _file_name(path), capacity, weights))


# ---------------------------------------------------------------------------- OR-Library


def _starts_problem(lines: Lines, index: int) -> bool:
    """True when ``lines[index]`` is an OR-Library problem's name line: one token that is not a number,
    followed by a line of several tokens (the header ``capacity n best_known``, maybe malformed).

    A lone non-number followed by a single number is a bad weight, or a BPPLIB file's bad capacity,
    and is reported as such.
    """
    if index + 1 >= len(lines):
        return False
    tokens = lines[index][1].split()
    return len(tokens) == 1 and not is_number(tokens[0]) and len(lines[index + 1][1].split()) != 1


def _read_orlib(path: Path, lines: Lines) -> list[Reading]:
    if not lines:
        raise CosolveInputError("file is empty", path)
    number, line = lines[0]
    count = _integer(
        path, number, _one_token(path, number, line, "the number of problems"), "the number of problems", 1, MAX_ITEMS
    )
    readings, position = [], 1
    for problem in range(count):
        if position >= len(lines):
            raise CosolveInputError(
                f"the file announces {count} problems on line {number}, found {problem}", path, lines[-1][0]
            )
        name_line, name = lines[position]
        if len(name.split()) != 1 or is_number(name):
            raise CosolveInputError(f"expected the name of problem {problem + 1}, found {name[:40]!r}", path, name_line)
        if position + 1 >= len(lines):
            raise CosolveInputError(f"problem {name}: expected the line 'capacity n best_known'", path, name_line)
        header_line, header = lines[position + 1]
        tokens = header.split()
        if len(tokens) != 3:
            raise CosolveInputError(
                f"problem {name}: expected 'capacity n best_known' (3 numbers), found {len(tokens)} values",
                path,
                header_line,
            )
        capacity = (header_line, _decimal(path, header_line, tokens[0], "the capacity"))
        n = _integer(path, header_line, tokens[1], "the number of items", 1, MAX_ITEMS)
        best = _integer(path, header_line, tokens[2], "the best known number of bins", 1, MAX_ITEMS)
        rows = lines[position + 2 : position + 2 + n]
        for item, (row_line, _) in enumerate(rows):
            if _starts_problem(lines, position + 2 + item):  # the next problem: too few weights
                raise CosolveInputError(f"problem {name}: expected {n} weights, found {item}", path, row_line)
        if len(rows) < n:
            raise CosolveInputError(f"problem {name}: expected {n} weights, found {len(rows)}", path, lines[-1][0])
        readings.append(Reading(_instance(path, name, capacity, _weights(path, rows)), best, name_line))
        position += 2 + n
    if position < len(lines):
        raise CosolveInputError(
            f"unexpected data after the {count} problems the first line announces (is that count, "
            "or an item count, wrong?)",
            path,
            lines[position][0],
        )
    return readings


# ---------------------------------------------------------------------------- entry points


def detect_format(text: str) -> str:
    """``orlib`` when the second line is a problem's name followed by its header, else ``bpplib`` (so a
    BPPLIB file whose capacity is not a number is read as BPPLIB, and its error names that line)."""
    return "orlib" if _starts_problem(numbered_lines(text), 1) else "bpplib"


def read_all(path: str | Path, fmt: str = "auto") -> list[Reading]:
    """Every instance of a file (OR-Library files hold 20), each with what the file states."""
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    text = read_text(path)
    if fmt == "auto":
        fmt = detect_format(text)
    lines = numbered_lines(text)
    return _read_orlib(path, lines) if fmt == "orlib" else [_read_bpplib(path, lines)]


def read_with_best_known(path: str | Path, fmt: str = "auto") -> Reading:
    """The instance of a one-instance file, with the best-known value the file states."""
    readings = read_all(path, fmt)
    if len(readings) > 1:
        raise CosolveInputError(
            f"the file holds {len(readings)} instances (the second, {readings[1].instance.name}, starts here); "
            "pick one with --index K (0-based) or take all with --index all",
            path,
            readings[1].line,
        )
    return readings[0]


def read(path: str | Path, fmt: str = "auto") -> Instance:
    """Read a one-instance bin packing file (see the module docstring for the formats)."""
    return read_with_best_known(path, fmt).instance


def format_text(instances: list[Instance], fmt: str = "bpplib", best_known: list[int] | None = None) -> str:
    """The text of ``instances`` in ``fmt``: ``bpplib`` takes one instance; ``orlib`` any number, with
    ``best_known`` (default: the number of bins of first fit decreasing, a solution that exists)."""
    if fmt == "bpplib":
        if len(instances) != 1:
            raise ValueError("the BPPLIB format holds one instance")
        instance = instances[0]
        return "\n".join([str(instance.n_items), str(instance.capacity), *map(str, instance.weights.tolist())]) + "\n"
    if best_known is None:
        from cosolve.baselines.binpacking_heuristics import pack_instances  # torch loads only when needed

        best_known = [int(pack_instances([instance], "ffd").max()) + 1 for instance in instances]
    lines = [str(len(instances))]
    for instance, best in zip(instances, best_known):
        name = "_".join(instance.name.split()) or "binpacking"
        lines += [f"bpp_{name}" if is_number(name) else name, f"{instance.capacity} {instance.n_items} {best}"]
        lines += map(str, instance.weights.tolist())
    return "\n".join(lines) + "\n"


def write(path: str | Path, instance: Instance, fmt: str = "bpplib", overwrite: bool = True) -> None:
    """Write ``instance`` atomically as ``bpplib`` (``auto`` means bpplib) or one-problem ``orlib`` text,
    with LF line endings and the integer (scaled) data."""
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    write_text_atomic(path, format_text([instance], "orlib" if fmt == "orlib" else "bpplib"), overwrite)


def write_all(path: str | Path, instances: list[Instance], overwrite: bool = True) -> None:
    """Write several instances atomically to one OR-Library file."""
    write_text_atomic(path, format_text(list(instances), "orlib"), overwrite)


def sniff(text: str) -> bool:
    """True for bin packing text only.

    BPPLIB: one integer ``n`` on the first line, one number on the second, then exactly ``n`` lines
    of one number each. OR-Library: one integer on the first line, a name on the second, then
    ``capacity n best_known``. Knapsack and job shop files start with two numbers on the first line,
    TSPLIB/VRPLIB files with keywords, so none of them is taken for bin packing. Returns a bool for
    any text, never raises.
    """
    lines = [line.split() for _, line in numbered_lines(text)]
    if len(lines) < 3 or len(lines[0]) != 1:
        return False
    try:
        n = to_integer(lines[0][0])
    except ValueError:
        return False
    if n < 1:
        return False
    if len(lines[1]) == 1 and is_number(lines[1][0]):
        return len(lines) == n + 2 and all(len(row) == 1 and is_number(row[0]) for row in lines[2:])
    return len(lines[1]) == 1 and len(lines[2]) == 3 and all(map(is_number, lines[2]))
