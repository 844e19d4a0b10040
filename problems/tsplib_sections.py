"""A line-numbered parser of the TSPLIB95 / VRPLIB file layout, shared by TSP and CVRP.

``KEY : value`` header lines, then ``*_SECTION`` blocks of numbers, then an optional
``EOF``. The ``vrplib`` package reads this layout too, but it supports neither the ATT and
GEO distances nor the UPPER_ROW / *_DIAG_ROW matrix formats, and its errors name no line,
so cosolve parses the sections itself (tests check it agrees with ``vrplib``).

Lines and numbers follow :mod:`cosolve.problems.tokens` (lines end at ``\\n``, ``\\r\\n``, ``\\r``
only; numbers are ASCII decimal and bounded). A section keeps its lines as text and converts
them only when a reader asks, after it has checked the section's size against ``DIMENSION``.
The checks on values that both the TSP and the CVRP reader need (integers, coordinates, the
size of distances) are here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cosolve.errors import CosolveInputError
from cosolve.problems.tokens import is_number, numbered_lines, to_decimal, to_float
from cosolve.problems.tsplib_weights import MAX_LENGTH

HEADER_WORDS = ("NAME", "TYPE", "COMMENT", "DIMENSION", "CAPACITY", "EDGE_WEIGHT_TYPE")
"""Header keys also accepted without a colon (``DIMENSION 52``), as some old files write them."""


def shown(text: str, limit: int = 60) -> str:
    """``text`` as a message shows it: on one line (unprintable characters such as ``\\x85`` or
    ``\\u2028`` escaped) and at most ``limit`` characters."""
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return text if text.isprintable() else repr(text)[1:-1]


def whole_number(token: str) -> int:
    """``token`` as an ``int`` when it is an ASCII decimal number of integral value (``12``,
    ``12.0``, ``1e3``).

    Raises:
        ValueError: not a number, out of range (see :func:`~cosolve.problems.tokens.to_decimal`),
            or not integral.
    """
    value = to_decimal(token)
    if value != value.to_integral_value():
        raise ValueError(f"{token!r} is not an integer")
    return int(value)


def coordinate(token: str) -> float:
    """``token`` as a coordinate: a finite number of magnitude below :data:`MAX_LENGTH` (``2**53``).

    Raises:
        ValueError: not a number, or too large.
    """
    value = to_float(token)
    if abs(value) >= MAX_LENGTH:
        raise ValueError(f"{token!r} is too large for a coordinate (its magnitude must stay below 2**53)")
    return value


def check_distances(path: Path, distances: np.ndarray, edges: int, line_of: Callable[[int, int], int | None]) -> None:
    """Refuse distances under which a solution of ``edges`` edges could reach :data:`MAX_LENGTH`.

    ``edges`` times the largest distance must stay below ``2**53`` (an ``inf`` from an overflow
    never does). ``line_of(i, j)`` is the line to name for the pair of 0-based nodes ``i, j``.
    """
    index = int(np.argmax(distances))  # the first NaN, if any
    i, j = divmod(index, distances.shape[1])
    largest = float(distances[i, j])
    if largest * edges < MAX_LENGTH:  # False for inf and NaN
        return
    if math.isfinite(largest):
        reason = (
            f"is {largest:.6g}, above {MAX_LENGTH / edges:.6g} "
            f"(2**53 over the {edges} edges of a solution: lengths must stay exact)"
        )
    else:
        reason = "overflows"
    raise CosolveInputError(f"the distance between nodes {i + 1} and {j + 1} {reason}", path, line_of(i, j))


@dataclass
class Section:
    """One ``*_SECTION`` block: its header line and its data ``rows`` as (line number, text)."""

    path: Path
    line: int
    rows: list[tuple[int, str]] = field(default_factory=list)

    def count(self) -> int:
        """How many numbers (tokens) the section holds; nothing is converted."""
        return sum(len(text.split()) for _, text in self.rows)

    def flat(self) -> np.ndarray:
        """All numbers of the section in order, ``[count]`` float64; a bad token names its line."""
        values = (value for number, text in self.rows for value in _numbers(self.path, number, text))
        return np.fromiter(values, dtype=np.float64)


@dataclass
class ParsedFile:
    """Header values (upper-case keys) with their lines, and the sections by name."""

    path: Path
    header: dict[str, str] = field(default_factory=dict)
    header_lines: dict[str, int] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)

    def require(self, key: str) -> str:
        if key not in self.header:
            raise CosolveInputError(f"missing the {key} header line", self.path)
        return self.header[key]

    def integer(self, key: str, minimum: int, maximum: int, why: str) -> int:
        """The header value of ``key`` as an integer in ``minimum..maximum`` (``why`` explains the
        maximum in the message)."""
        text, line = self.require(key), self.header_lines[key]
        try:
            value = whole_number(text)
        except ValueError as error:
            raise CosolveInputError(f"{key}: {error}", self.path, line) from None
        if value < minimum:
            raise CosolveInputError(f"{key} must be an integer of at least {minimum}, got {text}", self.path, line)
        if value > maximum:
            raise CosolveInputError(f"{key} {value} is too large (at most {maximum}: {why})", self.path, line)
        return value

    def section(self, name: str) -> Section:
        if name not in self.sections:
            raise CosolveInputError(f"missing {name}", self.path)
        return self.sections[name]

    def add_header(self, key: str, value: str, line: int) -> None:
        """Record ``KEY : value``; a key given twice is refused at its second line, except
        ``COMMENT``, whose lines are joined (several old TSPLIB files have two)."""
        key = key.strip().upper()
        if key == "COMMENT" and key in self.header:
            self.header[key] += " " + value.strip()
            return
        if key in self.header:
            raise CosolveInputError(
                f"{shown(key)} is given twice (first on line {self.header_lines[key]})", self.path, line
            )
        self.header[key] = value.strip()
        self.header_lines[key] = line

    def add_section(self, name: str, line: int) -> Section:
        """Open the section ``name``; a section given twice is refused at its second header."""
        if name in self.sections:
            raise CosolveInputError(
                f"{shown(name)} appears twice (first on line {self.sections[name].line})", self.path, line
            )
        section = self.sections[name] = Section(self.path, line)
        return section


def parse(path: Path, text: str) -> ParsedFile:
    """Split a TSPLIB/VRPLIB text into header and sections, naming lines in errors."""
    parsed = ParsedFile(path)
    current: Section | None = None
    for number, line in numbered_lines(text, comment=None):
        word = line.split()[0].rstrip(":").upper()
        if word == "EOF":
            break
        if word.endswith("_SECTION"):
            current = parsed.add_section(word, number)
            rest = line.split(None, 1)[1:] if ":" not in line else line.split(":", 1)[1:]
            if rest and rest[0].strip():
                current.rows.append((number, rest[0].strip()))
        elif ":" in line:
            key, value = line.split(":", 1)
            parsed.add_header(key, value, number)
            current = None
        elif current is not None:
            current.rows.append((number, line))
        elif all(is_number(token) for token in line.split()):
            raise CosolveInputError("numbers outside of any *_SECTION", path, number)
        elif line.split()[0].upper() in HEADER_WORDS:
            key, *value = line.split(None, 1)
            parsed.add_header(key, "".join(value), number)
        else:
            raise CosolveInputError(
                f"unexpected line {line[:40]!r} (expected 'KEY : value' or a *_SECTION)", path, number
            )
    if not parsed.header and not parsed.sections:
        raise CosolveInputError("file is empty or not in TSPLIB/VRPLIB format", path)
    return parsed


def _numbers(path: Path, number: int, line: str) -> list[float]:
    try:
        return [to_float(token) for token in line.split()]
    except ValueError as error:
        raise CosolveInputError(str(error), path, number) from None


def node_table(parsed: ParsedFile, name: str, n: int) -> np.ndarray:
    """``[n, 2]`` coordinates of a section of ``id x y`` rows, ids 1..n in order; each
    coordinate is checked with :func:`coordinate`."""
    section = parsed.section(name)
    if len(section.rows) != n:
        raise CosolveInputError(f"{name} has {len(section.rows)} rows, DIMENSION is {n}", parsed.path, section.line)
    table = np.zeros((n, 2))
    for index, (number, text) in enumerate(section.rows):
        tokens = text.split()
        if len(tokens) != 3:
            raise CosolveInputError(
                f"{name} row needs an id and 2 values, found {len(tokens)} numbers", parsed.path, number
            )
        try:
            node, values = whole_number(tokens[0]), [coordinate(token) for token in tokens[1:]]
        except ValueError as error:
            raise CosolveInputError(f"{name}: {error}", parsed.path, number) from None
        if node != index + 1:
            raise CosolveInputError(
                f"{name} ids must run 1..{n} in order, found {node} at position {index + 1}", parsed.path, number
            )
        table[index] = values
    return table
