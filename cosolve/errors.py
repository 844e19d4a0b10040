"""The one exception type for user-facing errors."""

from __future__ import annotations

from pathlib import Path


class CosolveInputError(Exception):
    """Bad input from the user: a malformed file, an unknown method, an impossible option.

    The CLI prints ``str(error)`` as one line and exits with code 2. The message names the
    file and line when there is one: ``ta01.jsp:3: expected 30 integers, found 29``.
    """

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.path = None if path is None else str(path)
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(where + message)
