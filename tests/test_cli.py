"""The ``cosolve`` command line, called in process through ``cosolve.cli.main``.

``main`` always ends in ``SystemExit`` carrying the exit code (0 ok, 2 bad input, 1 internal
failure). One test runs the real ``python -m cosolve.cli`` entry point in a subprocess.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

import cosolve.cli as cli
from cosolve.problems import jssp

ROOT = Path(__file__).resolve().parents[1]
FT06 = ROOT / "instances" / "jssp" / "ft06.jsp"
LA01 = ROOT / "instances" / "jssp" / "la01.jsp"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(autouse=True)
def plain_console(monkeypatch):
    """A wide, colourless console writing to whatever ``sys.stdout`` is (pytest's capture),
    so that tables neither wrap nor carry colour codes; no debug tracebacks."""
    monkeypatch.setattr(cli, "console", Console(width=200, color_system=None, highlight=False, force_terminal=False))
    monkeypatch.delenv("COSOLVE_DEBUG", raising=False)


def run(argv: list[str]) -> int:
    """Run the CLI in process; returns the exit code."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(arg) for arg in argv])
    code = exit_info.value.code
    return 0 if code is None else code


def stderr_lines(captured) -> list[str]:
    return [line for line in ANSI.sub("", captured.err).splitlines() if line.strip()]


def assert_one_error_line(capsys, *needles: str) -> str:
    captured = capsys.readouterr()
    lines = stderr_lines(captured)
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def parse_jsplib_by_hand(path: Path) -> tuple[list[list[int]], list[list[int]]]:
    """(machines, durations) of a JSPLIB file, read without cosolve."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    n_jobs, n_machines = int(rows[0][0]), int(rows[0][1])
    machines, durations = [], []
    for row in rows[1 : 1 + n_jobs]:
        values = [int(v) for v in row]
        assert len(values) == 2 * n_machines
        machines.append(values[0::2])
        durations.append(values[1::2])
    assert len(machines) == n_jobs
    return machines, durations


def assert_feasible_by_hand(machines, durations, starts) -> int:
    """Precedence within each job and no overlap on any machine; returns the makespan."""
    n_jobs, n_machines = len(machines), len(machines[0])
    assert len(starts) == n_jobs and all(len(row) == n_machines for row in starts)
    for job in range(n_jobs):
        for op in range(n_machines):
            assert isinstance(starts[job][op], int) and starts[job][op] >= 0
            if op:
                assert starts[job][op] >= starts[job][op - 1] + durations[job][op - 1], (job, op)
    for machine in range(n_machines):
        intervals = sorted(
            (starts[j][o], starts[j][o] + durations[j][o])
            for j in range(n_jobs)
            for o in range(n_machines)
            if machines[j][o] == machine
        )
        assert len(intervals) == n_jobs
        for (_, end), (begin, _) in zip(intervals, intervals[1:]):
            assert begin >= end, f"overlap on machine {machine}"
    return max(starts[j][o] + durations[j][o] for j in range(n_jobs) for o in range(n_machines))


# ---------------------------------------------------------------- solve


def test_solve_ortools_writes_checked_json(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["solve", FT06, "--method", "ortools", "--time-limit", "5", "--workers", "1", "--out", "s.json"]) == 0
    out = capsys.readouterr().out
    assert "55" in out
    data = json.loads((tmp_path / "s.json").read_text())
    expected_keys = {
        "problem",
        "instance",
        "method",
        "objective",
        "runtime_s",
        "best_known",
        "gap_percent",
        "solution",
    }
    assert expected_keys <= set(data)
    assert data["problem"] == "jssp"
    assert data["instance"] == "ft06"
    assert data["method"] == "ortools"
    assert data["objective"] == 55
    assert isinstance(data["runtime_s"], (int, float)) and data["runtime_s"] >= 0
    assert data["best_known"] == 55
    assert data["best_known_optimal"] is True
    assert data["gap_percent"] == 0
    starts = data["solution"]["start_times"]
    assert len(starts) == 6 and all(len(row) == 6 for row in starts)
    machines, durations = parse_jsplib_by_hand(FT06)
    assert assert_feasible_by_hand(machines, durations, starts) == 55


def test_solve_plot_writes_png(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["solve", FT06, "--method", "rule:mwkr", "--plot", "g.png"]) == 0
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_solve_existing_out_needs_force(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "s.json"
    target.write_text("precious\n")
    assert run(["solve", FT06, "--method", "rule:spt", "--out", "s.json"]) == 2
    assert_one_error_line(capsys, "s.json", "--force")
    assert target.read_text() == "precious\n"

    assert run(["solve", FT06, "--method", "rule:spt", "--out", "s.json", "--force"]) == 0
    data = json.loads(target.read_text())
    assert data["instance"] == "ft06" and data["method"] == "rule:spt"


def test_solve_existing_plot_needs_force(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.png").write_bytes(b"old")
    assert run(["solve", FT06, "--method", "rule:spt", "--out", "s.json", "--plot", "g.png"]) == 2
    assert_one_error_line(capsys, "g.png")
    assert (tmp_path / "g.png").read_bytes() == b"old"
    assert not (tmp_path / "s.json").exists()


def test_solve_malformed_file_names_file_and_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    lines = FT06.read_text().splitlines()
    # line 5 of ft06.jsp is job 1; drop its last number
    assert lines[4].split()[:2] == ["1", "8"]
    lines[4] = " ".join(lines[4].split()[:-1])
    (tmp_path / "broken.jsp").write_text("\n".join(lines) + "\n")
    assert run(["solve", "broken.jsp", "--method", "rule:spt"]) == 2
    line = assert_one_error_line(capsys, "broken.jsp")
    assert re.search(r"broken\.jsp:5\b", line), line


def test_solve_number_too_large_is_bad_input(tmp_path, monkeypatch, capsys):
    """A processing time beyond int64 is bad input (exit 2, file and line), not an internal error."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "huge.jsp").write_text("2 1\n0 99999999999999999999999\n0 1\n")
    assert run(["solve", "huge.jsp", "--method", "rule:spt"]) == 2
    line = assert_one_error_line(capsys, "huge.jsp")
    assert re.search(r"huge\.jsp:2\b", line), line


@pytest.mark.parametrize("method", ["rule:nope", "magic", "ortools:hint=nope", "rule:spt:fast"])
def test_solve_unknown_method(method, capsys):
    assert run(["solve", FT06, "--method", method]) == 2
    assert_one_error_line(capsys, "method")


def test_solve_unknown_problem(capsys):
    assert run(["solve", FT06, "--problem", "nope"]) == 2
    assert_one_error_line(capsys, "nope")


def test_solve_prose_txt_cannot_tell(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("Dear operator,\nthe shop opens at nine.\n")
    assert run(["solve", "notes.txt"]) == 2
    assert_one_error_line(capsys, "notes.txt", "cannot tell")


def test_solve_jsplib_txt_is_detected(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FT06, tmp_path / "shop.txt")
    assert run(["solve", "shop.txt", "--method", "rule:mwkr", "--out", "s.json"]) == 0
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["problem"] == "jssp" and data["instance"] == "shop" and data["best_known"] == 55


def test_solve_missing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["solve", "missing.jsp"]) == 2
    assert_one_error_line(capsys, "missing.jsp")


def test_solve_unknown_option():
    assert run(["solve", FT06, "--no-such-option"]) == 2


def test_solve_internal_failure_exit_1(monkeypatch, capsys):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "solve_instances", boom)
    assert run(["solve", FT06, "--method", "rule:spt"]) == 1
    assert_one_error_line(capsys, "internal error", "boom")


def test_real_entry_point_subprocess():
    completed = subprocess.run(
        [sys.executable, "-m", "cosolve.cli", "solve", str(FT06), "--method", "rule:mwkr"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    assert "ft06" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_policy_and_rules_run_without_ortools(tmp_path):
    """Regression: OR-Tools loads only for the ortools method and expert solving, so the GPU
    machines (which lack it) run the learned policy and the rules."""
    (tmp_path / "ortools").mkdir()
    (tmp_path / "ortools" / "__init__.py").write_text("raise ImportError('no ortools here')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    completed = subprocess.run(
        [sys.executable, "-m", "cosolve.cli", "compare", str(FT06), "--methods", "gnn:sample=2,rule:mwkr"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    assert "ft06" in completed.stdout and "rule:mwkr" in completed.stdout


# ---------------------------------------------------------------- generate


def test_generate_reads_back_and_solves(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["generate", "jssp", "--size", "4x3", "--count", "3", "--seed", "1", "--out", "shops"]
    assert run(argv) == 0
    files = sorted((tmp_path / "shops").glob("*.jsp"))
    assert len(files) == 3
    expected = jssp.generate("4x3", 3, 1)
    for path, instance in zip(files, expected):
        read = jssp.read(path)
        assert read.shape == (4, 3)
        np.testing.assert_array_equal(read.machines, instance.machines)
        np.testing.assert_array_equal(read.durations, instance.durations)
    capsys.readouterr()

    assert (
        run(["solve", files[0], "--method", "ortools", "--time-limit", "5", "--workers", "1", "--out", "s.json"]) == 0
    )
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["instance"] == files[0].stem
    assert data["best_known"] is None and data["gap_percent"] is None
    machines, durations = parse_jsplib_by_hand(files[0])
    assert assert_feasible_by_hand(machines, durations, data["solution"]["start_times"]) == data["objective"]
    capsys.readouterr()

    before = {path: path.read_bytes() for path in files}
    assert run(argv) == 2
    assert_one_error_line(capsys, "--force")
    assert {path: path.read_bytes() for path in files} == before
    assert run([*argv, "--force"]) == 0
    assert {path: path.read_bytes() for path in files} == before  # same seed, same files


def test_generate_taillard_format_reads_back_equal(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert (
        run(["generate", "jssp", "--size", "4x3", "--count", "2", "--seed", "7", "--out", "t", "--format", "taillard"])
        == 0
    )
    files = sorted((tmp_path / "t").glob("*.jsp"))
    assert len(files) == 2
    for path, instance in zip(files, jssp.generate("4x3", 2, 7)):
        numeric = [line.split() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
        # Taillard layout: header, 4 rows of 3 times, 4 rows of 3 one-based machines
        assert len(numeric) == 1 + 2 * 4 and all(len(row) == 3 for row in numeric[1:])
        assert sorted(int(v) for v in numeric[5]) == [1, 2, 3]
        for fmt in ("auto", "taillard"):
            read = jssp.read(path, fmt)
            np.testing.assert_array_equal(read.machines, instance.machines)
            np.testing.assert_array_equal(read.durations, instance.durations)


@pytest.mark.parametrize(
    "argv",
    [
        ["generate", "nope", "--size", "4x3", "--out", "g"],
        ["generate", "jssp", "--size", "4by3", "--out", "g"],
        ["generate", "jssp", "--size", "4x3", "--out", "g", "--format", "auto"],
    ],
)
def test_generate_bad_input(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(argv) == 2
    assert_one_error_line(capsys)
    assert not (tmp_path / "g").exists()


# ---------------------------------------------------------------- compare


def read_csv(path: Path) -> tuple[str, list[dict[str, str]]]:
    text = path.read_text()
    return text.splitlines()[0], list(csv.DictReader(text.splitlines()))


def test_compare_writes_csv(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["compare", FT06, LA01, "--methods", "rule:spt,rule:mwkr", "--csv", "out.csv"]
    assert run(argv) == 0
    header, rows = read_csv(tmp_path / "out.csv")
    assert header == "instance,method,objective,best_known,gap_percent,runtime_s"
    assert len(rows) == 4
    assert [(r["instance"], r["method"]) for r in rows] == [
        ("ft06", "rule:spt"),
        ("ft06", "rule:mwkr"),
        ("la01", "rule:spt"),
        ("la01", "rule:mwkr"),
    ]
    for row in rows:
        best = {"ft06": 55, "la01": 666}[row["instance"]]
        assert int(row["best_known"]) == best
        objective = float(row["objective"])
        assert objective >= best
        assert float(row["gap_percent"]) == pytest.approx(100 * (objective - best) / best, abs=1e-3)
        assert float(row["runtime_s"]) >= 0
    out = capsys.readouterr().out
    assert "ft06" in out and "la01" in out

    assert run(argv) == 2  # the CSV exists now
    assert_one_error_line(capsys, "out.csv")
    assert run([*argv, "--force"]) == 0


def test_compare_jobs_2_matches_jobs_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FT06, tmp_path / "copy.jsp")
    base = [
        "compare",
        FT06,
        LA01,
        "copy.jsp",
        "--methods",
        "rule:spt,rule:mwkr,ortools",
        "--time-limit",
        "5",
        "--workers",
        "1",
    ]
    assert run([*base, "--jobs", "1", "--csv", "one.csv"]) == 0
    assert run([*base, "--jobs", "2", "--csv", "two.csv"]) == 0
    _, one = read_csv(tmp_path / "one.csv")
    _, two = read_csv(tmp_path / "two.csv")
    strip = [(r["instance"], r["method"], r["objective"], r["best_known"], r["gap_percent"]) for r in one]
    assert strip == [(r["instance"], r["method"], r["objective"], r["best_known"], r["gap_percent"]) for r in two]
    assert [r["instance"] for r in one] == ["ft06"] * 3 + ["la01"] * 3 + ["copy"] * 3
    ortools = {r["instance"]: int(r["objective"]) for r in one if r["method"] == "ortools"}
    assert ortools["ft06"] == ortools["copy"] == 55


def test_compare_table_rows_for_files_with_the_same_name(tmp_path, monkeypatch, capsys):
    """Two different files that share a stem (a/x.jsp, b/x.jsp) each get their own results in
    the printed table, not the other file's."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(FT06, tmp_path / "a" / "x.jsp")
    shutil.copy(LA01, tmp_path / "b" / "x.jsp")
    assert run(["compare", "a/x.jsp", "b/x.jsp", "--methods", "rule:spt", "--csv", "out.csv"]) == 0
    _, rows = read_csv(tmp_path / "out.csv")
    objectives = [int(r["objective"]) for r in rows]
    assert [int(r["best_known"]) for r in rows] == [55, 666]
    out = ANSI.sub("", capsys.readouterr().out)
    table_rows = [line for line in out.splitlines() if re.search(r"\bx\b", line)]
    assert len(table_rows) == 2
    assert str(objectives[0]) in table_rows[0] and "55" in table_rows[0], table_rows
    assert str(objectives[1]) in table_rows[1] and "666" in table_rows[1], table_rows


def test_compare_glob(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("ft06", "la01"):
        shutil.copy(ROOT / "instances" / "jssp" / f"{name}.jsp", tmp_path / f"{name}.jsp")
    assert run(["compare", "*.jsp", "ft06.jsp", "--methods", "rule:fifo", "--csv", "out.csv"]) == 0
    _, rows = read_csv(tmp_path / "out.csv")
    assert [r["instance"] for r in rows] == ["ft06", "la01"]


def test_compare_glob_without_match(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["compare", "nothing/*.jsp", "--methods", "rule:spt"]) == 2
    assert_one_error_line(capsys, "nothing/*.jsp")


@pytest.mark.parametrize("methods", ["", ",", "rule:spt,rule:nope"])
def test_compare_bad_methods(methods, capsys):
    assert run(["compare", FT06, "--methods", methods]) == 2
    assert_one_error_line(capsys)


def test_compare_missing_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["compare", FT06, "gone.jsp", "--methods", "rule:spt"]) == 2
    assert_one_error_line(capsys, "gone.jsp")


# ---------------------------------------------------------------- info


def test_info(capsys):
    assert run(["info"]) == 0
    out = capsys.readouterr().out
    assert "jssp" in out
    assert "242" in out


def test_no_arguments_prints_help(capsys):
    code = run([])
    assert code in (0, 2)
    captured = capsys.readouterr()
    assert "solve" in captured.out + captured.err
