"""Job shop readers and writers: both formats, detection, malformed files, round trips."""

import numpy as np
import pytest
from hypothesis import given, settings
from jssp_strategies import instances

from cosolve.errors import CosolveInputError
from cosolve.instances import path_of
from cosolve.problems.jssp import Instance, read, sniff, write
from cosolve.problems.jssp.io import format_text

FT06_FIRST_JOB_MACHINES = [2, 0, 1, 3, 5, 4]
FT06_FIRST_JOB_TIMES = [1, 3, 6, 7, 3, 6]

TINY_TAILLARD = """2 3
5 6 7
1 2 3
3 1 2
2 3 1
"""

TAILLARD_ORIGINAL = """Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound :
           2           3   840612802   398197754          18          18
Times
 5 6 7
 1 2 3
Machines
 3 1 2
 2 3 1
"""


def _write(tmp_path, text, name="case.jsp"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_shipped_jsplib_file():
    instance = read(path_of("jssp", "ft06"))
    assert instance.name == "ft06"
    assert instance.shape == (6, 6)
    assert instance.machines[0].tolist() == FT06_FIRST_JOB_MACHINES
    assert instance.durations[0].tolist() == FT06_FIRST_JOB_TIMES


@pytest.mark.parametrize("text", [TINY_TAILLARD, TAILLARD_ORIGINAL])
def test_reads_taillard_layouts(tmp_path, text):
    instance = read(_write(tmp_path, text))
    assert instance.durations.tolist() == [[5, 6, 7], [1, 2, 3]]
    assert instance.machines.tolist() == [[2, 0, 1], [1, 2, 0]]


def test_comments_and_blank_lines_are_skipped(tmp_path):
    text = "# a comment\n\n2 2\n# between\n0 3 1 4\n1 2 0 5\n\n"
    instance = read(_write(tmp_path, text))
    assert instance.machines.tolist() == [[0, 1], [1, 0]]
    assert instance.durations.tolist() == [[3, 4], [2, 5]]


def test_format_override(tmp_path):
    path = _write(tmp_path, TINY_TAILLARD)
    assert read(path, fmt="taillard").shape == (2, 3)
    with pytest.raises(CosolveInputError, match=r"case\.jsp:2: expected 6 integers"):
        read(path, fmt="jsplib")


def test_unknown_format_is_an_error(tmp_path):
    with pytest.raises(CosolveInputError, match="unknown job shop format"):
        read(_write(tmp_path, TINY_TAILLARD), fmt="csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"case\.jsp: file is empty"),
        ("# only a comment\n", r"case\.jsp: file is empty"),
        ("2 2 7\n0 1 1 1\n1 1 0 1\n", r"case\.jsp:1: expected the header"),
        ("2\n0 1 1 1\n", r"case\.jsp:1: expected the header"),
        ("2 2\n0 1 1 1\n1 1 0\n", r"case\.jsp:3: expected 4 integers"),
        ("2 2\n0 1 1 1\n", r"case\.jsp:2: expected 2 lines"),
        ("2 2\n0 1 1 x\n1 1 0 1\n", r"case\.jsp:2: 'x' is not an integer"),
        ("2 2\n0 1 1 1.5\n1 1 0 1\n", r"case\.jsp:2: '1.5' is not an integer"),
        ("2 2\n0 1 0 1\n1 1 0 1\n", r"case\.jsp:2: job 0 visits machine 0 twice"),
        ("2 2\n0 1 2 1\n1 1 0 1\n", r"case\.jsp:2: job 0 names machine 2, outside 0\.\.1"),
        ("2 2\n0 1 1 1\n1 -3 0 1\n", r"case\.jsp:3: job 1 has a negative processing time -3"),
        ("2 2\n0 1 1 1\n1 1 0 1\n0 1 1 1\n", r"case\.jsp:4: unexpected data after the last job"),
        ("0 2\n", r"case\.jsp:1: jobs and machines must be positive"),
        ("2 3\n5 6 7\n1 2 3\n3 1 2\n2 2 1\n", r"case\.jsp:5: job 1 visits machine 2 twice"),
        ("2 3\n5 6 7\n1 2 3\n3 1 2\n2 4 1\n", r"case\.jsp:5: job 1 names machine 4, outside 1\.\.3"),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path, text, message):
    with pytest.raises(CosolveInputError, match=message):
        read(_write(tmp_path, text))


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CosolveInputError, match="no such file"):
        read(tmp_path / "absent.jsp")
    with pytest.raises(CosolveInputError, match="is a folder"):
        read(tmp_path)


def test_error_message_is_one_line(tmp_path):
    with pytest.raises(CosolveInputError) as caught:
        read(_write(tmp_path, "2 2\n0 1 1 1\n1 1 0\n"))
    assert "\n" not in str(caught.value)
    assert caught.value.line == 3


@settings(max_examples=40, deadline=None)
@given(instance=instances(max_jobs=8, max_machines=6, max_time=200))
def test_round_trip_in_both_formats(tmp_path_factory, instance):
    folder = tmp_path_factory.mktemp("round")
    for fmt in ("jsplib", "taillard"):
        path = folder / f"x_{fmt}.jsp"
        write(path, instance, fmt=fmt)
        assert sniff(path.read_text())
        back = read(path)
        np.testing.assert_array_equal(back.machines, instance.machines)
        np.testing.assert_array_equal(back.durations, instance.durations)
        assert back.fingerprint() == instance.fingerprint()


def test_write_refuses_to_overwrite_without_permission(tmp_path):
    instance = Instance("t", np.array([[0, 1]]), np.array([[3, 4]]))
    path = tmp_path / "t.jsp"
    path.write_text("precious")
    with pytest.raises(CosolveInputError, match="file exists"):
        write(path, instance, overwrite=False)
    assert path.read_text() == "precious"
    write(path, instance)
    assert read(path).durations.tolist() == [[3, 4]]


def test_sniff_rejects_other_text():
    assert not sniff("")
    assert not sniff("hello world\nthis is prose\n")
    assert not sniff("NAME : kroA100\nTYPE : TSP\n")
    assert sniff(format_text(Instance("t", np.array([[0, 1]]), np.array([[3, 4]]))))
    assert sniff(TAILLARD_ORIGINAL)
