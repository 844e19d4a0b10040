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
most the capacity. Blank lines and lines starting with ``#`` are skipped. Every error names the
file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np

from cosolve.atomic import write_text_atomic
from cosolve.errors import CosolveInputError
from cosolve.files import read_text
from cosolve.problems.binpacking.instance import Instance

FORMATS = ("auto", "bpplib", "orlib")
MAX_DECIMALS = 6
"""Most digits after the decimal point that a file's data may have."""
MAX_VALUE = 2**40
"""Largest capacity (after scaling); sums of a million weights then fit in int64."""
MAX_ITEMS = 10_000_000
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


def _numbered_lines(text: str) -> Lines:
    """Non-blank, non-comment lines with their 1-based line numbers (CRLF or LF)."""
    lines = []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            lines.append((number, stripped))
    return lines


def _decimal(path: Path, number: int, token: str, what: str) -> Decimal:
    """``token`` as a finite decimal number, or an error naming ``what``."""
    try:
        value = Decimal(token)
    except InvalidOperation:
        raise CosolveInputError(f"{what} {token!r} is not a number", path, number) from None
    if not value.is_finite():
        raise CosolveInputError(f"{what} {token!r} is not a finite number", path, number)
    return value


def _integer(path: Path, number: int, token: str, what: str, low: int, high: int) -> int:
    """``token`` as an integer in ``low..high`` (counts: no decimals allowed)."""
    try:
        value = int(token)
    except ValueError:
        raise CosolveInputError(f"{what} {token!r} is not an integer", path, number) from None
    if not low <= value <= high:
        raise CosolveInputError(f"{what} must be in {low}..{high}, got {value}", path, number)
    return value


def _one_token(path: Path, number: int, line: str, what: str) -> str:
    tokens = line.split()
    if len(tokens) != 1:
        raise CosolveInputError(f"expected {what} (one number), found {len(tokens)} values", path, number)
    return tokens[0]


def _digits_after_point(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -int(exponent))  # type: ignore[arg-type]


def _instance(path: Path, name: str, capacity: tuple[int, Decimal], weights: list[tuple[int, Decimal]]) -> Instance:
    """The instance of parsed numbers ``(line, value)``: checked, and scaled to integers if decimal."""
    capacity_line, raw_capacity = capacity
    if raw_capacity <= 0:
        raise CosolveInputError(f"the capacity must be positive, got {raw_capacity}", path, capacity_line)
    for item, (number, weight) in enumerate(weights):
        if weight <= 0:
            raise CosolveInputError(f"item {item}: the weight must be positive, got {weight}", path, number)
        if weight > raw_capacity:
            raise CosolveInputError(
                f"item {item}: the weight {weight} is larger than the capacity {raw_capacity} (it fits in no bin)",
                path,
                number,
            )
    digits = max(_digits_after_point(value) for _, value in [capacity, *weights])
    if digits > MAX_DECIMALS:
        line = next(number for number, value in [capacity, *weights] if _digits_after_point(value) == digits)
        raise CosolveInputError(
            f"a value has {digits} digits after the decimal point (cosolve scales decimal data to integers "
            f"by at most 10**{MAX_DECIMALS})",
            path,
            line,
        )
    scale = 10**digits
    scaled_capacity = int(raw_capacity * scale)
    if scaled_capacity > MAX_VALUE:
        raise CosolveInputError(f"the capacity is too large (at most {MAX_VALUE} after scaling)", path, capacity_line)
    values = np.asarray([int(value * scale) for _, value in weights], dtype=np.int64)
    return Instance(name=name, weights=values, capacity=scaled_capacity, scale=scale)


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
        if len(name.split()) != 1 or _is_number(name):
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
        for item, (row_line, row) in enumerate(rows):
            if len(row.split()) == 1 and not _is_number(row):  # the next problem's name: too few weights
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


def _is_number(token: str) -> bool:
    try:
        return Decimal(token).is_finite()
    except InvalidOperation:
        return False


# ---------------------------------------------------------------------------- entry points


def detect_format(text: str) -> str:
    """``orlib`` when the second line is a name (not a number), else ``bpplib``."""
    lines = _numbered_lines(text)
    if len(lines) >= 2 and not _is_number(lines[1][1].split()[0]):
        return "orlib"
    return "bpplib"


def read_all(path: str | Path, fmt: str = "auto") -> list[Reading]:
    """Every instance of a file (OR-Library files hold 20), each with what the file states."""
    path = Path(path)
    if fmt not in FORMATS:
        raise CosolveInputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", path)
    text = read_text(path)
    if fmt == "auto":
        fmt = detect_format(text)
    lines = _numbered_lines(text)
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
        lines += [f"bpp_{name}" if _is_number(name) else name, f"{instance.capacity} {instance.n_items} {best}"]
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
    TSPLIB/VRPLIB files with keywords, so none of them is taken for bin packing.
    """
    lines = [line.split() for _, line in _numbered_lines(text)]
    if len(lines) < 3 or len(lines[0]) != 1 or not lines[0][0].isdigit():
        return False
    if len(lines[1]) == 1 and _is_number(lines[1][0]):
        n = int(lines[0][0])
        return n >= 1 and len(lines) == n + 2 and all(len(row) == 1 and _is_number(row[0]) for row in lines[2:])
    return len(lines[1]) == 1 and not _is_number(lines[1][0]) and len(lines[2]) == 3 and all(map(_is_number, lines[2]))
