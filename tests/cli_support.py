"""Running the CLI in process from the tests: ``main`` always ends in ``SystemExit``."""

from __future__ import annotations

import pytest
from rich.console import Console

import cosolve.cli as cli


@pytest.fixture
def plain_console(monkeypatch):
    """A wide, colourless console (tables neither wrap nor carry colour codes); no debug tracebacks."""
    monkeypatch.setattr(cli, "console", Console(width=200, color_system=None, highlight=False, force_terminal=False))
    monkeypatch.delenv("COSOLVE_DEBUG", raising=False)


def run(argv: list) -> int:
    """Run ``cosolve ARGV`` in process; returns the exit code."""
    with pytest.raises(SystemExit) as exit_info:
        cli.main([str(arg) for arg in argv])
    return exit_info.value.code or 0


def error_line(capsys) -> str:
    """The one line on stderr (asserted to be one, without a traceback)."""
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]
