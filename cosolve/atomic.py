"""Atomic file writes: a crash never leaves a half-written file behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cosolve.errors import CosolveInputError


def write_bytes_atomic(path: str | Path, data: bytes, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    With ``overwrite=False`` an existing file is left untouched and a
    :class:`CosolveInputError` is raised instead.
    """
    path = Path(path)
    if not overwrite and path.exists():
        raise CosolveInputError("file exists (pass --force to overwrite it)", path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CosolveInputError(f"folder {folder} does not exist", path)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp_name, 0o666 & ~umask)  # the permissions a plain open() would give, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str, overwrite: bool = True) -> None:
    """Text version of :func:`write_bytes_atomic` (UTF-8)."""
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)
