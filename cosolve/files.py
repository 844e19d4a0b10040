"""Reading the user's files with errors that name them."""

from __future__ import annotations

from pathlib import Path

from cosolve.errors import CosolveInputError


def read_text(path: str | Path) -> str:
    """The text of a user's file; a missing file or a folder is a :class:`CosolveInputError`."""
    try:
        return Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except FileNotFoundError:
        raise CosolveInputError("no such file", path) from None
    except IsADirectoryError:
        raise CosolveInputError("is a folder, not a file", path) from None
    except PermissionError:
        raise CosolveInputError("permission denied", path) from None
