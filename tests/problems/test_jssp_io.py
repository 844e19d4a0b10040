"""Job shop readers and writers: formats, detection, comments, errors and round trips."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from jssp_strategies import instances

from cosolve import instances as shipped
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.instance import Instance
from cosolve.problems.jssp.io import FORMATS, format_text, read, sniff, write

# ---------------------------------------------------------------------------- helpers


def _write(tmp_path: Path, text: str, name: str = "inst.jsp") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _same(a: Instance, b: Instance) -> bool:
    return (
        a.machines.shape == b.machines.shape
        and np.array_equal(a.machines, b.machines)
        and np.array_equal(a.durations, b.durations)
    )


# A 3 jobs x 2 machines instance used in several layouts below.
SMALL_MACHINES = np.array([[0, 1], [1, 0], [0, 1]])
SMALL_DURATIONS = np.array([[5, 7], [3, 9], [4, 2]])

SMALL_JSPLIB = "3 2\n0 5 1 7\n1 3 0 9\n0 4 1 2\n"
SMALL_TAILLARD = "3 2\n5 7\n3 9\n4 2\n1 2\n2 1\n1 2\n"
SMALL_TAILLARD_ORIGINAL = (
    "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound :\n"
    "3 2 840612802 398197754 30 25\n"
    "Times\n"
    "5 7\n3 9\n4 2\n"
    "Machines\n"
    "1 2\n2 1\n1 2\n"
)


def _assert_small(instance: Instance) -> None:
    assert instance.shape == (3, 2)
    np.testing.assert_array_equal(instance.machines, SMALL_MACHINES)
    np.testing.assert_array_equal(instance.durations, SMALL_DURATIONS)
    assert instance.machines.dtype == np.int64
    assert instance.durations.dtype == np.int64


# ---------------------------------------------------------------------------- good files


def test_read_shipped_ft06(ft06_path):
    instance = read(ft06_path)
    assert instance.name == "ft06"
    assert instance.shape == (6, 6)
    assert (instance.n_jobs, instance.n_machines) == (6, 6)
    # First two job lines of the file: "2 1 0 3 1 6 3 7 5 3 4 6" and "1 8 2 5 4 10 5 10 0 10 3 4".
    np.testing.assert_array_equal(instance.machines[0], [2, 0, 1, 3, 5, 4])
    np.testing.assert_array_equal(instance.durations[0], [1, 3, 6, 7, 3, 6])
    np.testing.assert_array_equal(instance.machines[1], [1, 2, 4, 5, 0, 3])
    np.testing.assert_array_equal(instance.durations[1], [8, 5, 10, 10, 10, 4])
    for row in instance.machines:
        assert sorted(row.tolist()) == list(range(6))
    assert int(instance.durations.sum()) == 197
    assert shipped.index("jssp")["ft06"]["best_known"] == 55
    # Forcing the right format gives the same instance.
    assert _same(read(ft06_path, fmt="jsplib"), instance)


def test_read_jsplib_small(tmp_path):
    _assert_small(read(_write(tmp_path, SMALL_JSPLIB)))


def test_read_taillard_simplified_autodetected(tmp_path):
    path = _write(tmp_path, SMALL_TAILLARD, "small.txt")
    instance = read(path)
    _assert_small(instance)
    assert instance.name == "small"
    _assert_small(read(path, fmt="taillard"))


def test_read_taillard_original_layout_autodetected(tmp_path):
    path = _write(tmp_path, SMALL_TAILLARD_ORIGINAL)
    _assert_small(read(path))
    _assert_small(read(path, fmt="taillard"))


def test_read_taillard_original_shipped_ta01_layout(tmp_path):
    """ta01 rewritten in Taillard's original layout reads back as the shipped ta01."""
    ta01 = read(shipped.path_of("jssp", "ta01"))
    times = "\n".join(" ".join(str(t) for t in row) for row in ta01.durations)
    machines = "\n".join(" ".join(str(m + 1) for m in row) for row in ta01.machines)
    text = (
        " Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound :\n"
        "          15          15   840612802   398197754        1278        1231\n"
        f" Times\n{times}\n Machines\n{machines}\n"
    )
    assert _same(read(_write(tmp_path, text, "ta01.txt")), ta01)


def test_name_argument_overrides_stem(tmp_path):
    assert read(_write(tmp_path, SMALL_JSPLIB), name="custom").name == "custom"


@pytest.mark.parametrize(
    "text",
    [
        "# a comment\n# another\n" + SMALL_JSPLIB,
        "3 2\n# between the header and the jobs\n0 5 1 7\n\n   # indented comment\n1 3 0 9\n0 4 1 2\n# end\n",
        "\n\n3 2\n\n0 5 1 7\n1 3 0 9\n\n0 4 1 2\n\n",
        "  3   2 \n\t0 5   1 7\n 1 3 0 9 \n0 4 1 2",  # odd whitespace, no final newline
    ],
)
def test_comments_blank_lines_and_whitespace_in_jsplib(tmp_path, text):
    _assert_small(read(_write(tmp_path, text)))


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_windows_and_old_mac_line_endings(tmp_path, newline):
    _assert_small(read(_write(tmp_path, "# c" + newline + SMALL_JSPLIB.replace("\n", newline))))


@pytest.mark.parametrize(
    "text",
    [SMALL_JSPLIB, "# saved by Notepad\n" + SMALL_JSPLIB, SMALL_TAILLARD],
    ids=["jsplib", "jsplib-comment-first", "taillard"],
)
def test_utf8_byte_order_mark_is_ignored(tmp_path, text):
    """Files saved as "UTF-8 with BOM" (Windows editors, Excel) start with U+FEFF; they must read."""
    path = tmp_path / "bom.jsp"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    _assert_small(read(path))
    assert sniff(path.read_text(encoding="utf-8"))


def test_comments_in_taillard(tmp_path):
    text = "# Taillard file\n3 2\n# times\n5 7\n3 9\n4 2\n# machines\n1 2\n2 1\n1 2\n"
    _assert_small(read(_write(tmp_path, text)))
    original = "# original layout\n" + SMALL_TAILLARD_ORIGINAL.replace("Times\n", "Times\n# the times\n")
    _assert_small(read(_write(tmp_path, original, "orig.jsp")))


def test_formats_constant():
    assert FORMATS[0] == "auto"
    assert set(FORMATS) == {"auto", "jsplib", "taillard"}


# ---------------------------------------------------------------------------- format override


def test_forcing_taillard_on_a_jsplib_file_is_an_input_error(ft06_path):
    with pytest.raises(CosolveInputError) as info:
        read(ft06_path, fmt="taillard")
    assert str(ft06_path) in str(info.value)


def test_forcing_jsplib_on_a_taillard_file_is_an_input_error(tmp_path):
    path = _write(tmp_path, SMALL_TAILLARD)
    with pytest.raises(CosolveInputError) as info:
        read(path, fmt="jsplib")
    assert str(path) in str(info.value)


def test_forcing_jsplib_on_taillard_original_is_an_input_error(tmp_path):
    with pytest.raises(CosolveInputError):
        read(_write(tmp_path, SMALL_TAILLARD_ORIGINAL), fmt="jsplib")


def test_unknown_format_is_an_input_error(ft06_path):
    with pytest.raises(CosolveInputError, match="format"):
        read(ft06_path, fmt="xml")
    with pytest.raises(CosolveInputError, match="format"):
        format_text(read(ft06_path), fmt="xml")


# ---------------------------------------------------------------------------- malformed files

# (id, text, format to force or "auto", line the error must name, substring of the message)
MALFORMED = [
    ("jsplib-short-job-line", "2 2\n0 1 1 2\n1 2 0\n", "auto", 3, "found 3"),
    ("jsplib-long-job-line", "2 2\n0 1 1 2 3 4\n1 2 0 3\n", "auto", 2, "found 6"),
    ("jsplib-extra-trailing-data", "2 2\n0 1 1 2\n1 2 0 3\n5 5\n", "auto", 4, "after the last job"),
    ("jsplib-extra-trailing-line-after-comment", "2 2\n0 1 1 2\n1 2 0 3\n# c\n7\n", "auto", 5, ""),
    ("jsplib-non-integer-token", "2 2\n0 1 1 2\n1 2 0 x\n", "auto", 3, "'x'"),
    ("jsplib-float-token", "2 2\n0 1 1 2.5\n1 2 0 3\n", "auto", 2, "2.5"),
    ("jsplib-machine-repeated", "2 2\n0 1 1 2\n1 2 1 3\n", "auto", 3, "twice"),
    ("jsplib-machine-out-of-range", "2 2\n0 1 2 2\n1 2 0 3\n", "auto", 2, "machine 2"),
    ("jsplib-negative-machine", "2 2\n0 1 1 2\n-1 2 0 3\n", "auto", 3, "machine -1"),
    ("jsplib-negative-time", "2 2\n0 1 1 -2\n1 2 0 3\n", "auto", 2, "negative"),
    ("header-three-values", "2 2 3\n0 1 1 2\n1 2 0 3\n", "auto", 1, "header"),
    ("header-one-value", "2\n0 1 1 2\n1 2 0 3\n", "auto", 1, "header"),
    ("header-after-comments", "# c\n\n2 2 3\n0 1 1 2\n1 2 0 3\n", "auto", 3, "header"),
    ("header-zero-jobs", "0 2\n", "auto", 1, "positive"),
    ("header-non-integer", "two 2\n0 1 1 2\n1 2 0 3\n", "auto", 1, "'two'"),
    ("taillard-short-times-line", "2 2\n1 2\n3\n1 2\n2 1\n", "taillard", 3, "found 1"),
    ("taillard-short-machines-line", "2 2\n1 2\n3 4\n1 2\n2\n", "taillard", 5, "found 1"),
    ("taillard-missing-machine-line", "2 2\n1 2\n3 4\n1 2\n", "taillard", 4, "expected 2 lines"),
    ("taillard-extra-trailing-data", "2 2\n1 2\n3 4\n1 2\n2 1\n5 5\n", "taillard", 6, "after the last job"),
    ("taillard-machine-zero", "2 2\n1 2\n3 4\n1 2\n0 1\n", "taillard", 5, "outside 1..2"),
    ("taillard-machine-too-large", "2 2\n1 2\n3 4\n3 2\n2 1\n", "taillard", 4, "outside 1..2"),
    ("taillard-machine-repeated", "2 2\n1 2\n3 4\n1 2\n2 2\n", "taillard", 5, "twice"),
    ("taillard-negative-time", "2 2\n1 2\n3 -4\n1 2\n2 1\n", "taillard", 3, "negative"),
    ("taillard-non-integer", "2 2\n1 2\n3 4\n1 b\n2 1\n", "taillard", 4, "'b'"),
    (
        "taillard-original-header-one-value",
        "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound :\n2\nTimes\n1 2\n3 4\n"
        "Machines\n1 2\n2 1\n",
        "auto",
        2,
        "header",
    ),
    (
        "taillard-original-short-machines-line",
        "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound :\n2 2 1 1 9 9\nTimes\n"
        "1 2\n3 4\nMachines\n1 2\n2\n",
        "auto",
        8,
        "found 1",
    ),
    (
        "taillard-original-negative-time",
        "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound :\n2 2 1 1 9 9\nTimes\n"
        "1 2\n3 -4\nMachines\n1 2\n2 1\n",
        "auto",
        5,
        "negative",
    ),
]


@pytest.mark.parametrize(("text", "fmt", "line", "needle"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_file_names_file_and_line(tmp_path, text, fmt, line, needle):
    path = _write(tmp_path, text, "bad.jsp")
    with pytest.raises(CosolveInputError) as info:
        read(path, fmt=fmt)
    error = info.value
    assert str(error).startswith(f"{path}:{line}: "), str(error)
    assert error.path == str(path)
    assert error.line == line
    assert needle in str(error)
    assert "\n" not in str(error)


def test_missing_job_lines_names_the_file_and_a_line(tmp_path):
    path = _write(tmp_path, "3 2\n0 5 1 7\n1 3 0 9\n", "bad.jsp")
    with pytest.raises(CosolveInputError) as info:
        read(path)
    assert info.value.line in (3, 4), str(info.value)  # the last line present, or the one missing
    assert str(info.value).startswith(f"{path}:{info.value.line}: ")
    assert "expected 3 lines" in str(info.value)


def test_header_only_names_the_file(tmp_path):
    path = _write(tmp_path, "2 2\n", "bad.jsp")
    with pytest.raises(CosolveInputError) as info:
        read(path)
    assert str(info.value).startswith(str(path))


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# only a comment\n\n# and another\n"])
def test_empty_file(tmp_path, text):
    path = _write(tmp_path, text, "empty.jsp")
    with pytest.raises(CosolveInputError, match="empty") as info:
        read(path)
    assert str(info.value).startswith(str(path))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CosolveInputError, match="no such file"):
        read(tmp_path / "nope.jsp")
    with pytest.raises(CosolveInputError, match="folder"):
        read(tmp_path)


# Taillard's simplified layout is auto-detected only when every data line has exactly M
# numbers and there are exactly 2*J of them; otherwise the reader falls back to jsplib and
# reports a jsplib error on the first data line. These tests expect the real bad line.
TAILLARD_AUTO_MALFORMED = [
    ("taillard-auto-short-machines-line", "2 2\n1 2\n3 4\n1 2\n2\n", 5),
    ("taillard-auto-short-times-line", "2 2\n1 2\n3\n1 2\n2 1\n", 3),
    ("taillard-auto-extra-trailing-data", "2 2\n1 2\n3 4\n1 2\n2 1\n5 5\n", 6),
]


@pytest.mark.parametrize(
    ("text", "line"), [m[1:] for m in TAILLARD_AUTO_MALFORMED], ids=[m[0] for m in TAILLARD_AUTO_MALFORMED]
)
def test_malformed_taillard_autodetected_names_the_bad_line(tmp_path, text, line):
    path = _write(tmp_path, text, "bad.jsp")
    with pytest.raises(CosolveInputError) as info:
        read(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert "machine/time pairs" not in str(info.value), "a Taillard file reported as a malformed jsplib file"


# ---------------------------------------------------------------------------- writing and sniffing


def test_write_and_sniff_ft06(tmp_path, ft06):
    for fmt in ("jsplib", "taillard"):
        path = tmp_path / f"ft06_{fmt}.jsp"
        write(path, ft06, fmt)
        text = path.read_text()
        assert text.startswith("# ft06\n")
        assert sniff(text)
        back = read(path)
        assert _same(back, ft06)
        assert back.fingerprint() == ft06.fingerprint()


def test_write_comment_and_no_overwrite(tmp_path, ft06):
    path = tmp_path / "out.jsp"
    write(path, ft06, comment="line one\nline two")
    assert path.read_text().startswith("# line one\n# line two\n6 6\n")
    with pytest.raises(CosolveInputError, match="exists"):
        write(path, ft06, overwrite=False)
    assert path.read_text().startswith("# line one\n")


def test_sniff_rejects_other_text():
    assert not sniff("")
    assert not sniff("# only comments\n")
    assert not sniff("hello world, this is prose\nand more prose\n")
    assert not sniff("NAME : berlin52\nTYPE : TSP\nDIMENSION : 52\n")
    assert not sniff("2 2\n0 1 1\n")
    assert sniff(SMALL_JSPLIB)
    assert sniff(SMALL_TAILLARD)
    assert sniff(SMALL_TAILLARD_ORIGINAL)


@given(instance=instances(max_jobs=8, max_machines=6, max_time=200))
def test_round_trip_both_formats(instance):
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("jsplib", "taillard"):
            text = format_text(instance, fmt)
            assert sniff(text)
            path = Path(folder) / f"hyp_{fmt}.jsp"
            write(path, instance, fmt)
            assert path.read_text() == text
            for how in ("auto", fmt):
                back = read(path, fmt=how)
                assert back.shape == instance.shape
                np.testing.assert_array_equal(back.machines, instance.machines)
                np.testing.assert_array_equal(back.durations, instance.durations)
                assert back.fingerprint() == instance.fingerprint()
