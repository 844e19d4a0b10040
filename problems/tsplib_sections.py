"""A line-numbered parser of the TSPLIB95 / VRPLIB file layout, shared by TSP and CVRP.

``KEY : value`` header lines, then ``*_SECTION`` blocks of numbers, then an optional
``EOF``. The ``vrplib`` package reads this layout too, but it supports neither the ATT and
GEO distances nor the UPPER_ROW / *_DIAG_ROW matrix formats, and its errors name no line,
so cosolve parses the sections itself (tests check it agrees with ``vrplib``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cosolve.errors import CosolveInputError


@dataclass
class Section:
    """The numbers of one ``*_SECTION`` block: ``rows`` of tokens with their line numbers."""

    line: int
    rows: list[tuple[int, list[float]]] = field(default_factory=list)

    def flat(self) -> np.ndarray:
        return np.array([value for _, row in self.rows for value in row], dtype=np.float64)


@dataclass
class ParsedFile:
    """Header values (upper-case keys) with their lines, and the sections by name."""

    path: Path
    header: dict[str, str]
    header_lines: dict[str, int]
    sections: dict[str, Section]

    def require(self, key: str) -> str:
        if key not in self.header:
            raise CosolveInputError(f"missing the {key} header line", self.path)
        return self.header[key]

    def integer(self, key: str, minimum: int) -> int:
        text = self.require(key)
        try:
            value = int(float(text))
        except ValueError:
            raise CosolveInputError(f"{key} {text!r} is not a number", self.path, self.header_lines[key]) from None
        if value < minimum or value != float(text):
            raise CosolveInputError(
                f"{key} must be an integer of at least {minimum}, got {text}", self.path, self.header_lines[key]
            )
        return value

    def section(self, name: str) -> Section:
        if name not in self.sections:
            raise CosolveInputError(f"missing {name}", self.path)
        return self.sections[name]


def parse(path: Path, text: str) -> ParsedFile:
    """Split a TSPLIB/VRPLIB text into header and numeric sections, naming lines in errors."""
    header: dict[str, str] = {}
    header_lines: dict[str, int] = {}
    sections: dict[str, Section] = {}
    current: Section | None = None
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        word = line.split()[0].rstrip(":").upper()
        if word == "EOF":
            break
        if word.endswith("_SECTION"):
            current = sections[word] = Section(number)
            rest = line.split(None, 1)[1:] if ":" not in line else line.split(":", 1)[1:]
            if rest and rest[0].strip():
                current.rows.append((number, _numbers(path, number, rest[0])))
            continue
        if ":" in line and not _looks_numeric(line):
            key, value = line.split(":", 1)
            header[key.strip().upper()] = value.strip()
            header_lines[key.strip().upper()] = number
            current = None
            continue
        if current is None:
            if _looks_numeric(line):
                raise CosolveInputError("numbers outside of any *_SECTION", path, number)
            word = line.split()[0]
            if word.upper() in ("NAME", "TYPE", "COMMENT", "DIMENSION", "CAPACITY", "EDGE_WEIGHT_TYPE"):
                header[word.upper()] = line.split(None, 1)[1].strip() if len(line.split()) > 1 else ""
                header_lines[word.upper()] = number
                continue
            raise CosolveInputError(
                f"unexpected line {line[:40]!r} (expected 'KEY : value' or a *_SECTION)", path, number
            )
        current.rows.append((number, _numbers(path, number, line)))
    if not header and not sections:
        raise CosolveInputError("file is empty or not in TSPLIB/VRPLIB format", path)
    return ParsedFile(path, header, header_lines, sections)


def _looks_numeric(line: str) -> bool:
    try:
        [float(token) for token in line.split()]
    except ValueError:
        return False
    return True


def _numbers(path: Path, number: int, line: str) -> list[float]:
    values = []
    for token in line.split():
        try:
            value = float(token)
        except ValueError:
            raise CosolveInputError(f"{token!r} is not a number", path, number) from None
        if not np.isfinite(value):
            raise CosolveInputError(f"{token!r} is not a finite number", path, number)
        values.append(value)
    return values


def node_table(parsed: ParsedFile, name: str, n: int, columns: int) -> np.ndarray:
    """``[n, columns]`` values of a section of ``id v1 .. v_columns`` rows, ids 1..n in order."""
    section = parsed.section(name)
    if len(section.rows) != n:
        raise CosolveInputError(f"{name} has {len(section.rows)} rows, DIMENSION is {n}", parsed.path, section.line)
    table = np.zeros((n, columns))
    for index, (number, row) in enumerate(section.rows):
        if len(row) != columns + 1:
            raise CosolveInputError(
                f"{name} row needs an id and {columns} values, found {len(row)} numbers", parsed.path, number
            )
        if row[0] != index + 1:
            raise CosolveInputError(
                f"{name} ids must run 1..{n} in order, found {row[0]:g} at position {index + 1}", parsed.path, number
            )
        table[index] = row[1:]
    return table
