"""Trained checkpoints shipped inside the package (``cosolve/checkpoints_data/*.pt``)."""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "checkpoints_data"


def shipped() -> list[Path]:
    """The checkpoint files that ship with this installation, sorted by name."""
    return sorted(FOLDER.glob("*.pt")) if FOLDER.is_dir() else []
