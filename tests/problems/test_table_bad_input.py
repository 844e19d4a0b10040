"""Bad input never crashes the job shop, bin packing and knapsack readers (issue 17).

Every malformed file ends in one :class:`CosolveInputError` naming the file and the line, without
allocating memory for what a header merely announces; every ``sniff`` returns a bool for any text.
"""

from __future__ import annotations

import tempfile
import tracemalloc
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cosolve.cli import main
from cosolve.errors import CosolveInputError
from cosolve.instances import path_of
from cosolve.problems import binpacking, jssp, knapsack
from cosolve.problems.binpacking import io as binpacking_io
from cosolve.problems.jssp import io as jssp_io
from cosolve.problems.jssp.instance import TIME_BOUND
from cosolve.problems.knapsack import io as knapsack_io

DATA = Path(__file__).resolve().parents[1] / "data"
READERS = {"jssp": jssp.read, "binpacking": binpacking.read_all, "knapsack": knapsack.read_all}
MODULES = {"jssp": jssp_io, "binpacking": binpacking_io, "knapsack": knapsack_io}
SNIFFS = {"jssp": jssp.sniff, "binpacking": binpacking.sniff, "knapsack": knapsack.sniff}
MiB = 2**20
LINE_BREAKS_OF_SPLITLINES = ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
"""Characters where ``str.splitlines`` breaks a line and the readers do not."""


def _error(tmp_path: Path, problem: str, text: str, fmt: str = "auto", name: str = "bad.txt") -> CosolveInputError:
    """The error of reading ``text``; it must come without allocating for announced sizes.

    The file is read before memory is traced: ``read_text`` asks for a buffer of its whole limit.
    """
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    module = MODULES[problem]
    with mock.patch.object(module, "read_text", return_value=module.read_text(path)):
        tracemalloc.start()
        try:
            with pytest.raises(CosolveInputError) as caught:
                READERS[problem](path, fmt)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 64 * MiB, f"reading a {len(text)}-character file took {peak / MiB:.0f} MiB"
    error = caught.value
    assert error.path == str(path) and "\n" not in str(error) and "\r" not in str(error)
    return error


def _assert_error(tmp_path: Path, problem: str, text: str, line: int | None, fragment: str, fmt: str = "auto"):
    error = _error(tmp_path, problem, text, fmt)
    assert error.line == line and fragment in error.reason, str(error)


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    return caught.value.code


# ---------------------------------------------------------------------------- 1: job shop sizes


@pytest.mark.parametrize(
    ("text", "fmt", "line", "fragment"),
    [
        ("1 2147483647\n0 1 1 2\n", "auto", 2, "expected 4294967294 integers"),
        ("1 2147483647\n0 1 1 2\n", "jsplib", 2, "expected 4294967294 integers"),
        ("1 2147483647\n1 2\n1 2\n", "taillard", 2, "expected 2147483647 integers"),
        ("2147483647 2147483647\n0 1 1 2\n", "auto", 2, "expected 2147483647 lines"),
        ("1000000000 3\n0 1 1 1 2 1\n0 1 1 1 2 1\n", "auto", 3, "expected 1000000000 lines"),
        ("1000000000 3\n1 1 1\n1 1 1\n", "taillard", 3, "expected 1000000000 lines"),
    ],
)
def test_job_shop_header_sizes_are_checked_against_the_file_before_allocating(tmp_path, text, fmt, line, fragment):
    _assert_error(tmp_path, "jssp", text, line, fragment, fmt)


# ---------------------------------------------------------------------------- 2: job shop total time


def test_the_readers_time_bound_is_the_envs():
    from cosolve.problems.jssp.env import NO_TIME

    assert NO_TIME == TIME_BOUND


@pytest.mark.parametrize(
    ("text", "fmt", "line"),
    [
        (f"2 2\n0 {TIME_BOUND - 1} 1 1\n1 1 0 1\n", "auto", 2),
        (f"2 2\n0 {TIME_BOUND // 2} 1 1\n1 {TIME_BOUND // 2} 0 1\n", "auto", 3),
        ("2 2\n0 2147483647 1 1\n1 1 0 1\n", "auto", 2),
        (f"2 2\n1 1\n{TIME_BOUND // 2} {TIME_BOUND // 2}\n1 2\n2 1\n", "taillard", 3),
    ],
)
def test_job_shop_total_time_is_refused_where_it_crosses_the_env_bound(tmp_path, text, fmt, line):
    error = _error(tmp_path, "jssp", text, fmt)
    assert error.line == line and f"must stay below {TIME_BOUND}" in error.reason, str(error)


def test_job_shop_total_just_below_the_bound_reads_and_resets(tmp_path):
    from cosolve.problems.jssp.env import reset

    path = tmp_path / "edge.jsp"
    path.write_text(f"2 2\n0 {TIME_BOUND - 4} 1 1\n1 1 0 1\n")
    instance = jssp.read(path)
    assert int(instance.durations.sum()) == TIME_BOUND - 1
    reset([instance])  # the env's own guard agrees


def test_job_shop_total_time_error_through_the_cli(tmp_path, capsys):
    path = tmp_path / "long.jsp"
    path.write_text(f"2 2\n0 1 1 1\n1 {TIME_BOUND} 0 1\n")
    assert _run(["solve", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{path}:3:" in err and str(TIME_BOUND) in err


# ---------------------------------------------------------------------------- 3: bin packing capacities


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("2\n1e1000000\n1.5\n1\n", 2, "the capacity '1e1000000' is out of range"),
        ("2\n1e999999\n1\n1\n", 2, "the capacity '1e999999' is out of range"),
        ("2\n1e300\n1.5\n1\n", 2, "too large (at most 1099511627776)"),
        ("2\n1e13\n1.5\n1\n", 2, "too large (at most 1099511627776)"),
        ("2\n1099511627776\n0.5\n1\n", 2, "too large (at most 1099511627776 after scaling)"),
        ("2\n-1e999999\n1\n1\n", 2, "out of range"),
        ("2\n10\n1e-999999\n1\n", 3, "out of range"),
        ("2\n10\n1.000000000000000000000000000001\n1\n", 3, "30 digits after the decimal point"),
        ("2\n" + "9" * 1_000_000 + "\n1\n1\n", 2, "out of range"),
        ("1\n a\n1e999999 1 1\n1\n", 3, "the capacity '1e999999' is out of range"),
    ],
)
def test_huge_bin_packing_capacities_fail_before_scaling(tmp_path, text, line, fragment):
    _assert_error(tmp_path, "binpacking", text, line, fragment)


def test_bin_packing_total_weight_must_fit_in_int64(tmp_path, monkeypatch):
    assert binpacking_io.MAX_ITEMS * binpacking_io.MAX_VALUE > 2**63  # why the total is checked at all
    assert binpacking_io.MAX_TOTAL_WEIGHT < 2**63
    monkeypatch.setattr(binpacking_io, "MAX_TOTAL_WEIGHT", 10)  # a file over 2**62 would take 56 MB
    _assert_error(tmp_path, "binpacking", "3\n10\n4\n5\n6\n", 5, "the total weight of items 0..2 exceeds 10")


# ---------------------------------------------------------------------------- 4: sniff never raises

SNIFF_TRAPS = [
    "1,5 20\n",
    "100 ²\n",
    "²\n1\n1\n",
    "① 2\n1 2\n3 4\n",
    "2 2\n0 1 ² 2\n1 1 0 1\n",
    "2 10\n1 2\n3 4\n",
    "1 " + "9" * 5000 + "\n0 1\n",
    "9" * 5000 + "\n1\n1\n",
    "0" * 5000 + "1\n10\n4\n",
    "2 " + "0" * 5000 + "1\n1 2\n3 4\n",
    "a\nn 2\nc ²\n",
    "a\nn ²\nc 1\n",
    ", 10\n3 4\n1",
    "１ ２\n１ ２\n",
    "-1 -1\n",
    "\x00\x01\x02",
    "\ufeff\u2028\u2029\x85",
]


@pytest.mark.parametrize("text", SNIFF_TRAPS)
def test_every_sniff_returns_a_bool_on_trap_text(text):
    for problem, sniff in SNIFFS.items():
        assert isinstance(sniff(text), bool), problem


def test_a_trap_text_without_suffix_is_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "trap"
    path.write_text("100 ²\n")
    assert _run(["solve", str(path)]) == 2
    assert "pass --problem" in capsys.readouterr().err


ODD_TOKENS = ["1_000", "²", "١٢", "①", "inf", "nan", "1e999999", "-1", "0", "2147483648", "1,5", "\x85", "\u2028",
              "\v", "\x00", "-----", "n", "c", "z", "Times", "1e300", "9" * 400, "0" * 4400 + "1"]  # fmt: skip
TOKENS = st.one_of(st.sampled_from(ODD_TOKENS), st.integers(-3, 12).map(str), st.text(max_size=3))


@st.composite
def token_texts(draw):
    """Short lines of numbers and odd tokens: text that looks almost like an instance file."""
    lines = draw(st.lists(st.lists(TOKENS, max_size=5), min_size=1, max_size=8))
    separator = draw(st.sampled_from([" ", ",", "\t"]))
    return "\n".join(separator.join(line) for line in lines)


@settings(max_examples=500)  # cheap: no file is read
@given(st.one_of(st.text(), token_texts()))
def test_every_sniff_returns_a_bool_for_any_text(text):
    for sniff in SNIFFS.values():
        assert isinstance(sniff(text), bool)


def _shipped_texts() -> list[tuple[str, str]]:
    """(problem, text) of small shipped files of every format, the job shop in both layouts."""
    ft06 = jssp.read(path_of("jssp", "ft06"))
    return [
        ("jssp", path_of("jssp", "ft06").read_text()),
        ("jssp", jssp_io.format_text(ft06, "taillard")),
        ("binpacking", path_of("binpacking", "N1C1W1_A").read_bytes().decode()),
        ("binpacking", (DATA / "binpacking" / "binpack5_sample.txt").read_text()),
        ("knapsack", path_of("knapsack", "f1_l-d_kp_10_269").read_text()),
        ("knapsack", (DATA / "knapsack" / "knapPI_1_50_1000_1.csv").read_text()),
    ]


SHIPPED = _shipped_texts()


@st.composite
def mutations(draw):
    """A shipped file with a few edits: a slice replaced by arbitrary text or an odd token, or cut off."""
    problem, text = draw(st.sampled_from(SHIPPED))
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        insert = draw(st.one_of(st.text(max_size=8), st.sampled_from(ODD_TOKENS), st.just("")))
        text = text[:start] + insert + (text[end:] if draw(st.booleans()) else "")
    return problem, text


@settings(max_examples=200)
@given(mutations())
def test_mutated_shipped_files_give_a_bool_or_an_input_error(case):
    problem, text = case
    for sniff in SNIFFS.values():
        assert isinstance(sniff(text), bool)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutated.txt"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        for fmt in MODULES[problem].FORMATS:
            try:
                READERS[problem](path, fmt)
            except CosolveInputError as error:
                assert error.line is None or error.line >= 1
                assert "\n" not in str(error)


# ---------------------------------------------------------------------------- 5: BPPLIB or OR-Library


def test_bpplib_file_with_a_bad_capacity_is_blamed_on_the_capacity_line(tmp_path, capsys):
    text = "3\nabc\n4\n5\n6\n"
    assert binpacking_io.detect_format(text) == "bpplib"
    _assert_error(tmp_path, "binpacking", text, 2, "the capacity 'abc' is not a number")
    path = tmp_path / "bad.bpp"
    path.write_text(text)
    assert _run(["solve", str(path)]) == 2
    assert f"{path}:2: the capacity 'abc' is not a number" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        (" 1\n u3\n 10 3 2\n 4\n 5\n 6\n", "orlib"),
        ("1\n a\n10 2\n4\n5\n", "orlib"),  # a name, then a malformed header: still OR-Library
        ("3\nabc\n4\n5\n6\n", "bpplib"),
        ("3\n10\n4\n5\n6\n", "bpplib"),
        ("1\nabc\n", "bpplib"),
    ],
)
def test_detect_format_needs_a_name_line_followed_by_a_header(text, fmt):
    assert binpacking_io.detect_format(text) == fmt


def test_a_bad_weight_inside_an_or_library_problem_is_named_as_a_weight(tmp_path):
    text = "2\n a\n10 2 1\n4\n²\n b\n10 1 1\n4\n"
    _assert_error(tmp_path, "binpacking", text, 5, "item 1: the weight '²' is not a number")
    text = "2\n a\n10 2 1\n4\n b\n10 1 1\n4\n"  # the next problem's name: a short problem
    _assert_error(tmp_path, "binpacking", text, 5, "problem a: expected 2 weights, found 1")


# ---------------------------------------------------------------------------- 6: ASCII decimal numbers only

NON_ASCII_NUMBERS = [
    ("jssp", "2 2\n0 1 1 2\n1 1_000 0 1\n", 3, "'1_000' is not an integer"),
    ("jssp", "2 2\n0 1 1 2\n1 ١٢ 0 1\n", 3, "'١٢' is not an integer"),
    ("jssp", "2 2\n1 2\n3 ٤\n1 2\n2 1\n", 3, "'٤' is not an integer"),
    ("jssp", "١ 2\n0 1 1 2\n", 1, "'١' is not an integer"),
    ("binpacking", "3\n10\n4\n1_000\n6\n", 4, "item 1: the weight '1_000' is not a number"),
    ("binpacking", "3\n10\n4\n٥\n6\n", 4, "item 1: the weight '٥' is not a number"),
    ("binpacking", "3\n1_0\n4\n5\n6\n", 2, "the capacity '1_0' is not a number"),
    ("binpacking", "1\n a\n1_0 1 1\n4\n", 3, "the capacity '1_0' is not a number"),
    ("binpacking", "1\n a\n10 ١ 1\n4\n", 3, "the number of items '١' is not an integer"),
    ("knapsack", "2 10\n1 2\n1_000 4\n", 3, "item 1: the value '1_000' is not an integer"),
    ("knapsack", "2 10\n1 2\n١ 4\n", 3, "item 1: the value '١' is not an integer"),
    ("knapsack", "2 1_0\n1 2\n3 4\n", 1, "the capacity '1_0' is not an integer"),
    ("knapsack", "a\nn 2\nc ١٠\n1,1,1,0\n2,1,1,0\n", 3, "the capacity c '١٠' is not an integer"),
    ("knapsack", "a\nn 2\nc 10\n1,1_0,1,0\n2,1,1,0\n", 4, "item 1: the value '1_0' is not an integer"),
    ("knapsack", "a\nn 1\nc 10\ntime ١\n1,1,1,0\n", 4, "time '١' is not a number"),
]


@pytest.mark.parametrize(("problem", "text", "line", "fragment"), NON_ASCII_NUMBERS)
def test_underscores_and_non_ascii_digits_are_not_numbers(tmp_path, problem, text, line, fragment):
    _assert_error(tmp_path, problem, text, line, fragment)


# ---------------------------------------------------------------------------- 7: line numbers

LINE_NUMBER_CASES = [
    ("jssp", "# a{c}# b\n2 2\n0 1 1 2\n1 x 0 1\n", 4),
    ("binpacking", "# a{c}# b\n3\n10\n4\nx\n6\n", 5),
    ("binpacking", "# a{c}# b\n1\n a\n10 2 1\n4\nx\n", 6),
    ("knapsack", "# a{c}# b\n2 10\n1 2\n3 x\n", 4),
    ("knapsack", "# a{c}# b\na\nn 2\nc 10\n1,1,1,0\n2,1,x,0\n", 6),
]


@pytest.mark.parametrize("char", LINE_BREAKS_OF_SPLITLINES, ids=[f"U+{ord(c):04X}" for c in LINE_BREAKS_OF_SPLITLINES])
@pytest.mark.parametrize(("problem", "text", "line"), LINE_NUMBER_CASES)
def test_only_cr_and_lf_break_lines(tmp_path, problem, text, line, char):
    error = _error(tmp_path, problem, text.replace("{c}", char))
    assert error.line == line, str(error)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
@pytest.mark.parametrize(("problem", "text", "line"), LINE_NUMBER_CASES)
def test_crlf_and_cr_line_numbers(tmp_path, problem, text, line, newline):
    error = _error(tmp_path, problem, text.replace("{c}", " ").replace("\n", newline))
    assert error.line == line, str(error)


# ---------------------------------------------------------------------------- 8: everything else

MILLION = "7" * 1_000_000
MALFORMED = [
    # job shop: truncation, huge, negative, non-finite, unicode, control characters
    ("jssp", "2 2\n0 1 1 2\n1 1 0", 3, "found 3"),
    ("jssp", "2 2\n0 1 1 2\n1 1 0 " + MILLION + "\n", 3, "out of range"),
    ("jssp", "2 2\n0 1 1 2\n1 1 0 9223372036854775808\n", 3, "out of range"),
    ("jssp", "2 2\n0 1 1 2\n1 1 0 inf\n", 3, "'inf' is not an integer"),
    ("jssp", "2 2\n0 1 1 2\n1 1 0 nan\n", 3, "'nan' is not an integer"),
    ("jssp", "2 2\n0 1 1 2\n1 1 0 1e3\n", 3, "'1e3' is not an integer"),
    ("jssp", "2 2\n0 1 1 2\n1 1 0 \x00\n", 3, "is not an integer"),
    ("jssp", "2 2\n0 1 1 2\n-2147483648 1 0 1\n", 3, "out of range"),
    ("jssp", "-2 2\n", 1, "positive"),
    ("jssp", "Nb of jobs, Nb of machines\n2 2 " + MILLION + "\nTimes\n1 2\n", 2, "out of range"),
    ("jssp", "Nb of jobs, Nb of machines\n1000000000 3 1 1 1 1\nTimes\n1 1 1\n", 4, "expected 1000000000 lines"),
    # BPPLIB
    ("binpacking", "1000000000\n10\n1\n", 1, "the number of items must be in 1..10000000"),
    ("binpacking", "10000000\n10\n1\n1\n", 4, "expected 10000000 weight lines, found 2"),
    ("binpacking", MILLION + "\n10\n1\n", 1, "out of range"),
    ("binpacking", "2\nNaN\n1\n1\n", 2, "the capacity 'NaN' is not a number"),
    ("binpacking", "2\nInfinity\n1\n1\n", 2, "the capacity 'Infinity' is not a number"),
    ("binpacking", "2\n10\n-inf\n1\n", 3, "the weight '-inf' is not a number"),
    ("binpacking", "2\n10\n1e-400\n1\n", 3, "out of range"),
    ("binpacking", "2\n10\n0e999999\n1\n", 3, "the weight must be positive"),
    ("binpacking", "2\n10\n5\n", 3, "expected 2 weight lines, found 1"),
    ("binpacking", "2\n10\n5\n\x1b[31m\n", 4, "is not a number"),
    # OR-Library, several problems
    ("binpacking", "1000000000\n a\n10 1 1\n4\n", 1, "the number of problems must be in 1..10000000"),
    ("binpacking", "10000000\n a\n10 1 1\n4\n", 4, "announces 10000000 problems on line 1, found 1"),
    ("binpacking", "2\n a\n10 1 1\n4\n b\n", 5, "problem b: expected the line 'capacity n best_known'"),
    ("binpacking", "2\n a\n10 1 1\n4\n b\n10 1000000000 1\n4\n", 6, "the number of items must be in"),
    ("binpacking", "2\n a\n10 1 1\n4\n b\n10 9999999 1\n4\n", 7, "problem b: expected 9999999 weights, found 1"),
    ("binpacking", "1\n a\n10 1 " + MILLION + "\n4\n", 3, "out of range"),
    ("binpacking", "1\n a\nnan 1 1\n4\n", 3, "the capacity 'nan' is not a number"),
    # knapsack simple, with its selection line
    ("knapsack", "1000000000 10\n1 1\n1 1\n", 3, "expected 1000000000 item lines"),
    ("knapsack", MILLION + " 10\n1 1\n", 1, "out of range"),
    ("knapsack", "1 " + MILLION + "\n1 1\n", 1, "out of range"),
    ("knapsack", "1 4611686018427387905\n1 1\n", 1, "too large"),
    ("knapsack", "2 10\n1 2\n3 nan\n", 3, "'nan' is not an integer"),
    ("knapsack", "2 10\n1 2\n3 1e3\n", 3, "(cosolve reads integer knapsack data only)"),
    ("knapsack", "2 10\n1 2\n3 4\n1 ١\n", 4, "must be 0 or 1, found '١'"),
    ("knapsack", "2 10\n1 2\n3 4\n1e0 1\n", 4, "must be 0 or 1, found '1e0'"),
    ("knapsack", "2 10\n1 2\n3 4\n1 0 " + MILLION + "\n", 4, "found 3 values"),
    ("knapsack", "2 10\n1 2\n3", 3, "found 1 values"),
    # Pisinger blocks
    ("knapsack", "a\nn 1000000000\nc 5\n1,1,1,0\n", 4, "expected 1000000000 item lines"),
    ("knapsack", "a\nn " + MILLION + "\nc 5\n1,1,1,0\n", 2, "out of range"),
    ("knapsack", "a\nn 1\nc 5\nz " + MILLION + "\n1,1,1,1\n", 4, "out of range"),
    ("knapsack", "a\nn 1\nc 5\nz 1\ntime nan\n1,1,1,1\n", 5, "time 'nan' is not a number"),
    ("knapsack", "a\nn 1\nc 5\n1,1,1,²\n-----\n", 4, "x must be 0 or 1, found '²'"),
    ("knapsack", "a\nn 1\nc 5\n١,1,1,0\n-----\n", 4, "expected 1, found '١'"),
    ("knapsack", "a\nn 2\nc 5\n1,1,1,0\n-----\n", 5, "expected 2 item lines"),
    ("knapsack", "a\nn 1\nc 5\n1,1,1,0\n-----\nb\nn 1\n", 6, "instance b has no 'c' line"),
    ("knapsack", "a\nn 1\nc 5\n1,1,1,0\n-----\n,\n", 6, "expected an instance name line"),
]


@pytest.mark.parametrize(("problem", "text", "line", "fragment"), MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_files_end_in_one_input_error(tmp_path, problem, text, line, fragment):
    _assert_error(tmp_path, problem, text, line, fragment)
