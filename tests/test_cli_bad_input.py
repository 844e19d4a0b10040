"""Odd command lines and files the OS refuses: one line on stderr, exit 2, nothing written.

Regression tests of issue 17 (items 8, 11 and 12): each case used to end in a traceback
(exit 1), a silent partial write, or a multi-line box.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from cli_support import error_line, plain_console, run  # noqa: F401 (a fixture)

import cosolve.atomic
import cosolve.cli as cli
import cosolve.files
from cosolve.errors import CosolveInputError
from cosolve.problems.jssp.dynamic.env import Dynamics, reset
from cosolve.problems.jssp.dynamic.shutdowns import ShutdownModel
from cosolve.problems.jssp.instance import Instance
from cosolve.simulate import parse_seeds

ROOT = Path(__file__).resolve().parents[1]
FT06 = ROOT / "instances" / "jssp" / "ft06.jsp"


pytestmark = pytest.mark.usefixtures("plain_console")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["solve", FT06, "--time-limit", "-1"], "--time-limit"),
        (["solve"], "Missing argument"),
        (["solve", FT06, "--no-such-option"], "No such option"),
        (["solve", FT06, "--seed", "99999999999999999999999"], "--seed"),
        (["solve", FT06, "--seed", "-1"], "--seed"),
        (["generate", "jssp", "--size", "6x6", "--out", "x", "--count", str(10**30)], "--count"),
        (["compare", FT06, "--jobs", "0"], "--jobs"),
        (["frobnicate"], "No such command"),
        (["solve", FT06, "--time-limit", "1e300"], "--time-limit"),
        (["solve", FT06, "--time-limit", "nan"], "--time-limit"),
        (["solve", FT06, "--workers", "100000000000000000000"], "--workers"),
        (["solve", FT06, "--index", "²"], "--index"),
        (["simulate", FT06, "--repair", "1..99999999999999999999999", "--shutdown-prob", "0.01"], "--repair"),
    ],
)
def test_option_errors_are_one_line_naming_the_option(argv, needle, capsys):
    """Regression: the argument parser's errors were a multi-line box."""
    assert run(argv) == 2
    line = error_line(capsys)
    assert line.startswith("cosolve: error:") and needle in line


@pytest.mark.parametrize(
    ("make_path", "needle"),
    [
        (lambda tmp: FT06 / "x.jsp", "is a file, not a folder"),
        (lambda tmp: tmp / ("a" * 300 + ".jsp"), "file name too long"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "missing.jsp", "no such file"),
    ],
)
def test_paths_the_os_refuses_are_one_line(make_path, needle, tmp_path, capsys):
    assert run(["solve", make_path(tmp_path), "-m", "rule:spt"]) == 2
    assert needle in error_line(capsys)


def test_a_symlink_loop_is_one_line(tmp_path, capsys):
    (tmp_path / "a.jsp").symlink_to(tmp_path / "b.jsp")
    (tmp_path / "b.jsp").symlink_to(tmp_path / "a.jsp")
    assert run(["solve", tmp_path / "a.jsp", "-m", "rule:spt"]) == 2
    assert "symbolic links" in error_line(capsys)


def test_an_endless_file_is_read_up_to_the_limit_only(monkeypatch, capsys):
    """Regression: ``/dev/zero`` was read until memory ran out."""
    monkeypatch.setattr(cosolve.files, "MAX_FILE_BYTES", 2**20)
    assert run(["solve", "/dev/zero", "--problem", "jssp"]) == 2
    assert "larger than 1 MiB" in error_line(capsys)


def test_out_naming_a_folder_is_refused_before_solving_even_with_force(tmp_path, capsys, monkeypatch):
    solved = []
    monkeypatch.setattr(cli, "solve_instances", lambda *args: solved.append(args))
    assert run(["solve", FT06, "-m", "rule:spt", "--out", tmp_path, "--force"]) == 2
    assert "is a folder" in error_line(capsys) and solved == []


def test_out_in_a_folder_without_write_permission_is_refused_before_solving(tmp_path, capsys, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(cosolve.atomic.os, "access", lambda path, mode: path != tmp_path and real_access(path, mode))
    assert run(["solve", FT06, "-m", "rule:spt", "--out", tmp_path / "s.json"]) == 2
    assert "cannot write in folder" in error_line(capsys)


def test_an_os_refusal_while_writing_is_one_line_and_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    """The write itself fails (a read-only folder seen as writable, a full disk)."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cosolve.atomic.os, "replace", refuse)
    assert run(["solve", FT06, "-m", "rule:spt", "--out", tmp_path / "s.json"]) == 2
    assert "cannot write: permission denied" in error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_plot_of_an_unknown_format_is_refused_before_out_is_written(tmp_path, capsys):
    """Regression: ``--plot g.xyz`` failed in matplotlib after ``--out`` was written."""
    out = tmp_path / "s.json"
    assert run(["solve", FT06, "-m", "rule:spt", "--out", out, "--plot", tmp_path / "g.xyz"]) == 2
    assert ".png" in error_line(capsys) and not out.exists()


def test_generate_writes_each_file_as_it_is_made_and_stops_at_an_existing_one(tmp_path, capsys):
    assert run(["generate", "jssp", "--size", "4x3", "--count", "3", "--out", tmp_path]) == 0
    capsys.readouterr()
    (tmp_path / "jssp_4x3_s0_0001.jsp").write_text("keep me\n")
    for name in ("jssp_4x3_s0_0000.jsp", "jssp_4x3_s0_0002.jsp"):
        (tmp_path / name).unlink()
    assert run(["generate", "jssp", "--size", "4x3", "--count", "3", "--out", tmp_path]) == 2
    assert "1 of 3 files written before it" in error_line(capsys)
    assert (tmp_path / "jssp_4x3_s0_0001.jsp").read_text() == "keep me\n"


def test_generate_interrupted_says_how_many_complete_files_it_wrote(tmp_path, capsys, monkeypatch):
    from cosolve.problems import jssp

    written = []

    def write_then_interrupt(path, instance, fmt):
        if len(written) == 2:
            raise KeyboardInterrupt
        written.append(path)
        Path(path).write_text("x\n")

    monkeypatch.setattr(jssp, "write", write_then_interrupt)
    assert run(["generate", "jssp", "--size", "4x3", "--count", "5", "--out", tmp_path]) == 130
    assert error_line(capsys) == f"cosolve: interrupted: 2 of 5 complete files written to {tmp_path}"
    assert sorted(tmp_path.iterdir()) == sorted(written)


def test_seed_lists_are_bounded():
    for text in ("99999999999999999999999", "1..99999999999", "²", "1_000"):
        with pytest.raises(CosolveInputError, match="--seeds"):
            parse_seeds(text)


def test_simulate_refuses_hopeless_restarts_before_simulating():
    """Regression: operations of ~190 steps under ``--shutdown-prob 0.05`` with restarts were
    simulated for about 3 minutes before the refusal."""
    durations = [[190 + (3 * job + machine) % 20 for machine in range(5)] for job in range(5)]
    machines = [[(job + machine) % 5 for machine in range(5)] for job in range(5)]
    shop = Instance("long", np.array(machines), np.array(durations))
    dynamics = Dynamics(ShutdownModel(prob=0.05), interrupt="restart")
    start = time.perf_counter()
    with pytest.raises(CosolveInputError, match="can hardly complete.*--interrupt resume"):
        reset([shop] * 4, dynamics, seeds=[1, 2, 3, 4])
    assert time.perf_counter() - start < 1.0
    reset([shop] * 4, Dynamics(ShutdownModel(prob=0.05), interrupt="resume"), seeds=[1, 2, 3, 4])
    reset([shop] * 4, Dynamics(ShutdownModel(prob=0.001), interrupt="restart"), seeds=[1, 2, 3, 4])


def test_simulate_refusal_through_the_cli(tmp_path, capsys):
    shop = tmp_path / "long.jsp"
    rows = [" ".join(f"{(job + m) % 5} {190 + m}" for m in range(5)) for job in range(5)]
    shop.write_text("5 5\n" + "\n".join(rows) + "\n")
    assert run(["simulate", shop, "--shutdown-prob", "0.05", "--seeds", "1..3", "--methods", "rule:spt"]) == 2
    assert "can hardly complete" in error_line(capsys)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names")
def test_an_output_name_the_os_refuses_is_one_line(tmp_path, capsys):
    assert run(["solve", FT06, "-m", "rule:spt", "--out", tmp_path / ("b" * 300 + ".json")]) == 2
    assert "file name too long" in error_line(capsys)


@pytest.mark.parametrize(
    ("problem", "size"),
    [
        ("jssp", "99999999999x99999999999"),
        ("jssp", "1_0x5"),
        ("tsp", "99999999999"),
        ("tsp", "²²"),
        ("cvrp", "1_000"),
        ("knapsack", "²²"),
        ("binpacking", "u١٢"),
    ],
)
def test_generate_sizes_are_ascii_and_bounded_before_anything_is_made(problem, size, tmp_path, capsys):
    """Regression: a huge size allocated (MemoryError) or ran for ever; unicode digits crashed ``int()``."""
    assert run(["generate", problem, "--size", size, "--out", tmp_path / "g"]) == 2
    assert f"size {size!r}" in error_line(capsys) and not (tmp_path / "g").exists()
