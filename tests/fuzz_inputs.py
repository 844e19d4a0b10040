"""Mutated instance files and the property every reader must keep (issue 17: bad input never crashes).

One mutation engine, two drivers. The mutators are plain functions of a seeded
:class:`random.Random` and a file's text, so that

* ``tests/test_fuzz_readers.py`` drives them with hypothesis (:func:`cases` draws the ``Random``
  with ``st.randoms``; runs are derandomized and shrinkable), and
* ``benchmarks/fuzz_readers.py`` drives them in bulk from ``random.Random(f"fuzz:{seed}:{i}")``
  (:func:`case_for`), with no hypothesis machinery in the loop.

The module lives in ``tests/`` (not in the package) because it needs hypothesis, a development
dependency; the benchmark puts ``tests/`` on ``sys.path`` as the benchmark tests put
``benchmarks/`` there.

The seed files (:data:`SEED_SPECS`) cover every format of every problem: job shop jsplib and
taillard, TSPLIB ``EUC_2D``, ``GEO`` and ``EXPLICIT``, VRPLIB with coordinates and with an
explicit matrix, knapsack simple (with and without a stated selection) and Pisinger csv, bin
packing BPPLIB and OR-Library (integer and decimal weights). Some have no suffix, and every
mutation is written with the seed's suffix or without one, so detection by content runs too.

The property (:func:`check_case`): reading a file as the CLI does either returns instances or
raises :class:`CosolveInputError` whose message is one line naming the file; every instance
read has finite numbers, and a fast method's answer on it (through :func:`cosolve.solve.solve`,
which runs the problem's checker) has a finite objective and serialises to strict JSON.
Anything else (another exception, more than ``timeout_s`` seconds) is a crash.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re
import signal
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

try:
    import resource
except ImportError:  # not on Windows
    resource = None
from hypothesis import strategies as st

from cosolve.cli import _read_instances
from cosolve.errors import CosolveInputError
from cosolve.methods import Settings
from cosolve.registry import detect_problem, get_problem
from cosolve.solve import solve

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------------------------
# Seed files
# --------------------------------------------------------------------------------------------

ULYSSES16 = """NAME : ulysses16
TYPE : TSP
COMMENT : Odyssey of Ulysses (Groetschel/Padberg)
DIMENSION : 16
EDGE_WEIGHT_TYPE : GEO
DISPLAY_DATA_TYPE : COORD_DISPLAY
NODE_COORD_SECTION
 1 38.24 20.42
 2 39.57 26.15
 3 40.56 25.32
 4 36.26 23.12
 5 33.48 10.54
 6 37.56 12.19
 7 38.42 13.11
 8 37.52 20.44
 9 41.23 9.10
 10 41.17 13.05
 11 36.08 -5.21
 12 38.47 15.13
 13 38.15 15.35
 14 37.51 15.17
 15 35.49 14.32
 16 39.36 19.56
EOF
"""
"""TSPLIB's ulysses16 (the shipped TSP files are all ``EUC_2D``)."""

TSP_EXPLICIT = """NAME : fuzz6
TYPE : TSP
COMMENT : six nodes, lower-diagonal explicit matrix (fuzz seed)
DIMENSION : 6
EDGE_WEIGHT_TYPE : EXPLICIT
EDGE_WEIGHT_FORMAT : LOWER_DIAG_ROW
EDGE_WEIGHT_SECTION
0
29 0
82 55 0
46 46 68 0
68 42 46 82 0
52 43 55 15 74 0
EOF
"""

CVRP_EXPLICIT = """NAME : fuzz-e6
TYPE : CVRP
COMMENT : six nodes, upper-row explicit matrix (fuzz seed)
DIMENSION : 6
EDGE_WEIGHT_TYPE : EXPLICIT
EDGE_WEIGHT_FORMAT : UPPER_ROW
CAPACITY : 10
EDGE_WEIGHT_SECTION
29 82 46 68 52
55 46 42 43
68 46 55
82 15
74
DEMAND_SECTION
1 0
2 3
3 4
4 5
5 2
6 6
DEPOT_SECTION
1
-1
EOF
"""


def _file(relative: str) -> Callable[[], str]:
    """A seed text read from a file of the checkout."""
    return lambda: (ROOT / relative).read_text(encoding="utf-8")


def _taillard_ft06() -> str:
    """ft06 in Taillard's layout (no shipped file uses it): the job shop writer's ``taillard`` text."""
    from cosolve.problems import jssp

    return jssp.io.format_text(jssp.read(ROOT / "instances/jssp/ft06.jsp"), "taillard")


def _pisinger_two_blocks() -> str:
    """Pisinger's csv sample followed by a renamed copy: a file of two instances."""
    text = (ROOT / "tests/data/knapsack/knapPI_1_50_1000_1.csv").read_text(encoding="utf-8")
    return text + text.replace("knapPI_1_50_1000_1", "knapPI_1_50_1000_2")


@dataclass(frozen=True)
class Seed:
    """A valid instance file that mutations start from."""

    name: str  # e.g. "tsp-explicit"
    problem: str
    file_name: str  # the name it is written under (its suffix, if any, is the "original suffix")
    text: str


SEED_SPECS: tuple[tuple[str, str, str, Callable[[], str]], ...] = (
    ("jssp-jsplib", "jssp", "ft06.jsp", _file("instances/jssp/ft06.jsp")),
    ("jssp-taillard", "jssp", "ft06.txt", _taillard_ft06),
    ("jssp-nosuffix", "jssp", "la01", _file("instances/jssp/la01.jsp")),
    ("tsp-euc2d", "tsp", "eil51.tsp", _file("instances/tsp/eil51.tsp")),
    ("tsp-geo", "tsp", "ulysses16.tsp", lambda: ULYSSES16),
    ("tsp-explicit", "tsp", "fuzz6.tsp", lambda: TSP_EXPLICIT),
    ("cvrp-euc2d", "cvrp", "P-n16-k8.vrp", _file("tests/data/cvrp/P-n16-k8.vrp")),
    ("cvrp-explicit", "cvrp", "fuzz-e6.vrp", lambda: CVRP_EXPLICIT),
    ("cvrp-nosuffix", "cvrp", "A-n32-k5", _file("instances/cvrp/A-n32-k5.vrp")),
    ("knapsack-simple", "knapsack", "f1_l-d_kp_10_269.kp", _file("instances/knapsack/f1_l-d_kp_10_269.kp")),
    ("knapsack-selection", "knapsack", "knapPI_1_100_1000_1.kp", _file("instances/knapsack/knapPI_1_100_1000_1.kp")),
    ("knapsack-nosuffix", "knapsack", "f8_l-d_kp_23_10000", _file("tests/data/knapsack/f8_l-d_kp_23_10000")),
    ("knapsack-pisinger", "knapsack", "knapPI_1_50_1000_1.csv", _pisinger_two_blocks),
    ("binpacking-bpplib", "binpacking", "N1C1W1_A.bpp", _file("instances/binpacking/N1C1W1_A.bpp")),
    ("binpacking-nosuffix", "binpacking", "Falkenauer_t60_00", _file("instances/binpacking/Falkenauer_t60_00.bpp")),
    ("binpacking-orlib", "binpacking", "binpack1.txt", _file("tests/data/binpacking/binpack1_sample.txt")),
    ("binpacking-orlib-decimal", "binpacking", "binpack5.txt", _file("tests/data/binpacking/binpack5_sample.txt")),
)
"""(name, problem, file name, text source) of every seed."""

SEED_NAMES: tuple[str, ...] = tuple(spec[0] for spec in SEED_SPECS)


@cache
def seeds() -> tuple[Seed, ...]:
    """Every seed, its text loaded."""
    return tuple(Seed(name, problem, file_name, source()) for name, problem, file_name, source in SEED_SPECS)


def seed_named(name: str) -> Seed:
    return next(seed for seed in seeds() if seed.name == name)


# --------------------------------------------------------------------------------------------
# Mutators: (rng, text) -> text
# --------------------------------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.])[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![\w.])")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TOKEN = re.compile(r"\S+")

HUGE_COUNTS = (
    "2147483647", "2147483648", "4294967296", "1000000000", "10000000000", "9223372036854775807",
    "9223372036854775808", "18446744073709551616", "100000", "0", "-1", "1", "2",
)  # fmt: skip
"""Sizes a header may announce: int32/int64 edges, 10**9, and the degenerate 0, -1, 1, 2."""

NASTY_NUMBERS = (
    "1e400", "1e999999", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "1e308", "1e300",
    "inf", "-inf", "nan", "NaN", "Infinity", "-0", "0", "-1", "0.5", "1.5", "-2.5", "1e3", "1E2",
    "²", "①", "١٢", "１２", "٣", "1_000", "0x10", "0b11", "1,5", "+5", "007", ".5", "5.", "1e", "e5", "--1",
    "2147483647", "2147483648", "-2147483648", "9223372036854775807", "9223372036854775808",
    "18446744073709551616",
)  # fmt: skip
"""Replacements for a number token besides the generated ones of :func:`nasty_number`."""

CONTROL = ("\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x00", "\t", "\r", "\n", "\x7f", "\x1b")
"""Characters that break lines for ``str.splitlines`` but not for the readers, NUL, tab, bare CR ..."""

ODD_CHARACTERS = (
    "\ufeff", "\u00a0", "\u3000", "\u200b", "\u202e", "\u0301", "\ufffd", "\ud800", "é", "ß", "Ω", "中", "😀",
    "\u2212", "\uff0c", ",", ";", ":", "#", "-", ".", "=", "\\", '"', "'",
)  # fmt: skip
"""Unicode the readers may meet: BOM mid-file, no-break and ideographic spaces, zero-width space,
right-to-left override, a combining accent, a lone surrogate, the minus sign, punctuation."""

HEADER_WORDS = (
    "NAME", "TYPE", "COMMENT", "DIMENSION", "CAPACITY", "EDGE_WEIGHT_TYPE", "EDGE_WEIGHT_FORMAT",
    "NODE_COORD_TYPE", "DISPLAY_DATA_TYPE", "NODE_COORD_SECTION", "EDGE_WEIGHT_SECTION", "DEMAND_SECTION",
    "DEPOT_SECTION", "DISPLAY_DATA_SECTION", "FIXED_EDGES_SECTION", "TOUR_SECTION", "EOF", "TSP", "ATSP",
    "CVRP", "HCP", "SOP", "TOUR", "EUC_2D", "EUC_3D", "MAX_2D", "MAN_2D", "CEIL_2D", "GEO", "ATT", "EXPLICIT",
    "XRAY1", "SPECIAL", "FULL_MATRIX", "UPPER_ROW", "LOWER_ROW", "UPPER_DIAG_ROW", "LOWER_DIAG_ROW",
    "FUNCTION", "ROUNDING", "NONE", "DISTANCE", "SERVICE_TIME", "VEHICLES", "n", "c", "z", "time",
)  # fmt: skip
"""Keys and values of every format, to put in the wrong place."""


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _replace_span(text: str, span: tuple[int, int], new: str) -> str:
    return text[: span[0]] + new + text[span[1] :]


def nasty_number(rng: random.Random, token: str) -> str:
    """A hostile replacement for the number ``token``: huge, negative, non-finite, fractional, foreign."""
    kind = rng.randrange(6)
    if kind == 0:
        return "1" + "0" * rng.choice((9, 10, 18, 19, 20, 30, 31, 40, 100, 308, 309, 400))
    if kind == 1:
        return rng.choice("123456789") + "".join(rng.choice("0123456789") for _ in range(9999))
    if kind == 2:
        return "-" + token.lstrip("+-")
    if kind == 3:
        return token + rng.choice((".5", ".0", "e3", "e-3", "e400"))
    return rng.choice(NASTY_NUMBERS)


def truncate(rng: random.Random, text: str) -> str:
    """Cut the file at any point (the end of a download that stopped)."""
    return text[: rng.randint(0, len(text))]


def _lines(text: str) -> list[str]:
    return text.split("\n")


def delete_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def duplicate_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    position = rng.randrange(len(lines))
    lines.insert(rng.randint(0, len(lines)), lines[position])
    return "\n".join(lines)


def swap_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    first, second = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[first], lines[second] = lines[second], lines[first]
    return "\n".join(lines)


def swap_tokens(rng: random.Random, text: str) -> str:
    """Exchange two whitespace-separated tokens anywhere in the file."""
    spans = _spans(TOKEN, text)
    if len(spans) < 2:
        return text
    first, second = sorted(rng.sample(spans, 2))
    return (
        text[: first[0]] + text[second[0] : second[1]] + text[first[1] : second[0]]
        + text[first[0] : first[1]] + text[second[1] :]
    )  # fmt: skip


def replace_number(rng: random.Random, text: str) -> str:
    """Replace a number token by :func:`nasty_number`."""
    spans = _spans(NUMBER, text)
    if not spans:
        return text
    span = rng.choice(spans)
    return _replace_span(text, span, nasty_number(rng, text[span[0] : span[1]]))


def huge_count(rng: random.Random, text: str) -> str:
    """Make one of the first numbers (where every format keeps its counts and sizes) a huge or
    degenerate count: a header that announces 2**31 - 1 items over a short body."""
    spans = _spans(NUMBER, text)[:8]
    if not spans:
        return text
    return _replace_span(text, rng.choice(spans), rng.choice(HUGE_COUNTS))


def replace_word(rng: random.Random, text: str) -> str:
    """Replace a word (a header key or value, a name) by another format's keyword, a lower-case
    or cut copy of itself, or nothing."""
    spans = _spans(WORD, text)
    if not spans:
        return text
    span = rng.choice(spans)
    word = text[span[0] : span[1]]
    new = rng.choice((rng.choice(HEADER_WORDS), rng.choice(HEADER_WORDS), word.lower(), word[: len(word) // 2], ""))
    return _replace_span(text, span, new)


def insert_control(rng: random.Random, text: str) -> str:
    """Insert a control character, or put one in place of a space."""
    character = rng.choice(CONTROL)
    spaces = [i for i, c in enumerate(text) if c == " "]
    if spaces and rng.random() < 0.5:
        position = rng.choice(spaces)
        return text[:position] + character + text[position + 1 :]
    position = rng.randint(0, len(text))
    return text[:position] + character + text[position:]


def insert_unicode(rng: random.Random, text: str) -> str:
    """Insert an odd character or a random code point (a lone surrogate included)."""
    character = rng.choice(ODD_CHARACTERS) if rng.random() < 0.6 else chr(rng.randrange(0x80, 0x110000))
    position = rng.randint(0, len(text))
    return text[:position] + character + text[position:]


def line_endings(rng: random.Random, text: str) -> str:
    """Windows or classic Mac line endings, or none at the end."""
    return rng.choice((text.replace("\n", "\r\n"), text.replace("\n", "\r"), text.rstrip("\n")))


def splice(rng: random.Random, text: str) -> str:
    """Put the first lines of another seed (maybe another format) in front of, or in place of,
    this file's first lines: a wrong header over a plausible body."""
    other = _lines(rng.choice(seeds()).text)
    head = other[: rng.randint(1, min(8, len(other)))]
    lines = _lines(text)
    return "\n".join(head + lines[rng.randint(0, min(8, len(lines))) :])


MUTATORS: dict[str, Callable[[random.Random, str], str]] = {
    function.__name__: function
    for function in (
        truncate, delete_line, duplicate_line, swap_lines, swap_tokens, replace_number, huge_count,
        replace_word, insert_control, insert_unicode, line_endings, splice,
    )
}  # fmt: skip


def encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    """The file's bytes and the encoding's name: mostly UTF-8 (lone surrogates kept as the bytes
    they would be), sometimes with a BOM, UTF-16, Latin-1 or an undecodable byte."""
    kind = rng.choices(("utf-8", "utf-8-bom", "utf-16", "latin-1", "bad-byte"), weights=(85, 4, 3, 3, 5))[0]
    data = text.encode("utf-8", "surrogatepass")
    if kind == "utf-8-bom":
        data = b"\xef\xbb\xbf" + data
    elif kind == "utf-16":
        data = text.encode("utf-16", "surrogatepass")
    elif kind == "latin-1":
        data = text.encode("latin-1", "replace")
    elif kind == "bad-byte":
        position = rng.randint(0, len(data))
        data = data[:position] + rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80")) + data[position:]
    return data, kind


@dataclass(frozen=True)
class Case:
    """One mutated file: what to write and how it was made."""

    seed: str
    file_name: str
    data: bytes
    mutations: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.seed} as {self.file_name!r} after {', '.join(self.mutations)}"


def mutate(rng: random.Random, seed: Seed) -> Case:
    """One to three mutations of ``seed``, encoded, under its own name or without its suffix."""
    text, applied = seed.text, []
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        name = rng.choice(list(MUTATORS))
        text = MUTATORS[name](rng, text)
        applied.append(name)
    data, encoding = encode(rng, text)
    if encoding != "utf-8":
        applied.append(encoding)
    file_name = seed.file_name if rng.random() < 0.7 else Path(seed.file_name).stem
    return Case(seed.name, file_name, data, tuple(applied))


def count_variants(seed: Seed, values: tuple[str, ...] = ("2147483647", "1000000000", "0", "-1")) -> list[Case]:
    """Every one of the first numbers of ``seed`` (its counts and sizes) set to each of ``values``
    in turn: the systematic version of :func:`huge_count`."""
    return [
        Case(
            seed.name, seed.file_name, _replace_span(seed.text, span, value).encode("utf-8"), (f"number {i} = {value}",)
        )
        for i, span in enumerate(_spans(NUMBER, seed.text)[:8])
        for value in values
    ]


def plain_case(seed: Seed) -> Case:
    """The seed itself, unmutated."""
    return Case(seed.name, seed.file_name, seed.text.encode("utf-8"), ())


def case_for(run_seed: int, index: int) -> Case:
    """Case ``index`` of the bulk run ``run_seed`` (the benchmark's driver): same numbers, same file."""
    rng = random.Random(f"fuzz:{run_seed}:{index}")
    return mutate(rng, rng.choice(seeds()))


def _pieces(data: bytes) -> list[list[bytes]]:
    return [line.split(b" ") for line in data.split(b"\n")]


def _joined(pieces: list[list[bytes]]) -> bytes:
    return b"\n".join(b" ".join(line) for line in pieces)


def shrink(case: Case, still_fails: Callable[[Case], bool], budget: int = 800) -> Case:
    """A smaller case that still fails: greedily drop whole lines, then single space-separated
    pieces of the lines left (last first, so earlier positions stay put), trying at most
    ``budget`` candidates."""
    pieces, tries = _pieces(case.data), 0
    mutations = (*case.mutations, "shrink")

    def keep_if_failing(trial: list[list[bytes]]) -> None:
        nonlocal pieces, tries
        tries += 1
        if still_fails(dataclasses.replace(case, data=_joined(trial), mutations=mutations)):
            pieces = trial

    for row in reversed(range(len(pieces))):
        if tries < budget:
            keep_if_failing(pieces[:row] + pieces[row + 1 :])
    for row in reversed(range(len(pieces))):
        for column in reversed(range(len(pieces[row]))):
            if tries < budget:
                keep_if_failing([*pieces[:row], pieces[row][:column] + pieces[row][column + 1 :], *pieces[row + 1 :]])
    return dataclasses.replace(case, data=_joined(pieces), mutations=mutations)


def cases(seed: Seed) -> st.SearchStrategy[Case]:
    """The hypothesis driver: mutations of ``seed`` from a drawn (shrinkable) ``Random``."""
    return st.randoms(use_true_random=False).map(lambda rng: mutate(rng, seed))


# --------------------------------------------------------------------------------------------
# The property
# --------------------------------------------------------------------------------------------

FAST_METHODS = {
    "jssp": "rule:spt",
    "tsp": "rule:nearest",
    "cvrp": "savings",
    "knapsack": "greedy",
    "binpacking": "rule:ffd",
}
"""A method per problem that needs no model and answers a small instance in milliseconds."""

SOLVE_LIMIT = 2000
"""Instances larger than this (operations, nodes or items) are read but not solved."""
MAX_SOLVED = 4
"""At most this many instances of a multi-instance file are solved."""
OK_STATUSES = ("heuristic", "optimal", "feasible")
SETTINGS = Settings(time_limit_s=1.0, workers=1, device="cpu", seed=0)


class PropertyViolation(Exception):
    """The readers or the solve path broke the contract without raising another exception.

    ``str`` is ``what: details``; ``what`` (the part before the colon) names the broken rule."""


class CaseTimeout(Exception):
    """A case ran longer than its time limit."""


@dataclass(frozen=True)
class Outcome:
    """What became of one case. ``kind`` is ``refused`` (a clean :class:`CosolveInputError`),
    ``accepted`` (instances read; ``solved`` of them answered and checked, ``skipped`` too large
    to solve) or ``crash`` (``error`` the exception line, ``signature`` where it was raised)."""

    kind: str
    problem: str | None = None
    instances: int = 0
    solved: int = 0
    skipped: int = 0
    error: str | None = None
    signature: str | None = None
    trace: str | None = None

    def to_json(self) -> dict:
        return {key: value for key, value in dataclasses.asdict(self).items() if value is not None}


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`CaseTimeout` in the block after ``seconds`` (SIGALRM; a no-op off the main
    thread or without SIGALRM). Long C calls are interrupted only when they return to Python."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise CaseTimeout(f"took more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space() -> int | None:
    """Bytes of address space this process maps now (Linux), else ``None``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@contextmanager
def memory_limit(extra_mb: int) -> Iterator[None]:
    """Make allocations fail (``MemoryError``) in the block once the process maps ``extra_mb``
    more than now: the soft ``RLIMIT_AS``, restored after (a no-op where it cannot be set)."""
    now = _address_space()
    if resource is None or now is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = now + extra_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _check_message(error: CosolveInputError, path: Path) -> None:
    """An input error is one line that names the file."""
    message = str(error)
    if len(message.splitlines()) != 1:
        raise PropertyViolation(f"input error is not one line: {message!r}") from error
    if str(path) not in message:
        raise PropertyViolation(f"input error does not name the file: {message!r}") from error


def read_like_cli(path: Path) -> tuple[str, list]:
    """``(problem, instances)`` of ``path`` read as ``cosolve solve FILE`` reads it (problem by suffix
    or content), and for problems with multi-instance files also as ``--index all``; the instances
    are those of the last read that succeeded. Raises the first input error when every read fails."""
    try:
        problem = detect_problem(path)
    except CosolveInputError as error:
        _check_message(error, path)
        raise
    indexes = [None, "all"] if hasattr(get_problem(problem), "read_all") else [None]
    instances, refusals = [], []
    for index in indexes:
        try:
            instances = [instance for _, instance in _read_instances(path, None, "auto", index)]
        except CosolveInputError as error:
            _check_message(error, path)
            refusals.append(error)
    if not instances:
        raise refusals[0] if refusals else PropertyViolation("read returned no instances: []")
    return problem, instances


def _check_instance(instance) -> None:
    """Every number of an instance is finite and it has a fingerprint."""
    for field in dataclasses.fields(instance):
        value = getattr(instance, field.name)
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and not np.isfinite(value).all():
            raise PropertyViolation(f"instance field {field.name} holds a non-finite number: {value!r}"[:200])
        if isinstance(value, float) and not math.isfinite(value):
            raise PropertyViolation(f"instance field {field.name} is not finite: {value}")
    instance.fingerprint()


def _size(instance) -> int:
    return math.prod(instance.shape)


def _check_result(result) -> None:
    """A checked answer: an OK status, a solution, a finite objective, strict JSON."""
    if result.status not in OK_STATUSES or result.solution is None:
        raise PropertyViolation(f"no checked solution: status {result.status!r}, solution {result.solution!r}")
    if result.objective is None or not math.isfinite(result.objective):
        raise PropertyViolation(f"objective is not finite: {result.objective!r}")
    json.dumps(result.to_json(), allow_nan=False)


def read_and_solve(path: Path) -> Outcome:
    """The property on one file; an input error propagates, a violation raises."""
    problem, instances = read_like_cli(path)
    for instance in instances:
        _check_instance(instance)
    small = [instance for instance in instances if _size(instance) <= SOLVE_LIMIT][:MAX_SOLVED]
    try:
        results = solve(problem, small, FAST_METHODS[problem], SETTINGS)
    except CosolveInputError as error:
        raise PropertyViolation(f"solve refused an instance the reader accepted: {error}") from error
    for result in results:
        _check_result(result)
    return Outcome("accepted", problem, len(instances), len(small), len(instances) - len(small))


def _signature(error: BaseException) -> str:
    """``Type at file:line (function)`` of the innermost frame in the project (or the innermost);
    for a :class:`PropertyViolation`, the rule it names and where its cause was raised."""
    if isinstance(error, PropertyViolation):
        rule = str(error).split(":", 1)[0]
        return f"PropertyViolation ({rule})" + (f" from {_signature(error.__cause__)}" if error.__cause__ else "")
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if "/site-packages/" not in f.filename and not f.filename.endswith("fuzz_inputs.py")]
    frame = (inside or frames or [None])[-1]
    if frame is None:
        return type(error).__name__
    where = Path(frame.filename)
    try:
        where = where.resolve().relative_to(ROOT)
    except ValueError:
        where = Path(where.name)
    return f"{type(error).__name__} at {where}:{frame.lineno} ({frame.name})"


def check_case(case: Case, timeout_s: float = 10.0, memory_mb: int = 4096) -> Outcome:
    """Write ``case`` to a fresh folder and run the property on it, allowed ``timeout_s`` seconds
    and ``memory_mb`` more address space (more is a crash: ``CaseTimeout``, ``MemoryError``)."""
    with tempfile.TemporaryDirectory(prefix="cosolve-fuzz-") as folder:
        path = Path(folder) / case.file_name
        path.write_bytes(case.data)
        try:
            with time_limit(timeout_s), memory_limit(memory_mb):
                return read_and_solve(path)
        except CosolveInputError:
            return Outcome("refused", problem=None)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001 - anything else is the crash we look for
            line = f"{type(error).__name__}: {error}".splitlines()[0][:300] if str(error) else type(error).__name__
            trace = "".join(traceback.format_exception(error)[-6:])
            return Outcome("crash", error=line.replace(folder, "<tmp>"), signature=_signature(error), trace=trace)
