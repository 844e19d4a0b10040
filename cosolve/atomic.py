"""Atomic file writes: a crash never leaves a half-written file behind, and an output the
command could not write is refused before any work (:func:`check_writable`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cosolve.errors import CosolveInputError
from cosolve.files import os_reason

PLOT_SUFFIXES = (".png", ".pdf", ".svg")
"""The drawings ``--plot`` writes."""


def check_writable(path: str | Path, overwrite: bool = True) -> None:
    """Refuse an output file that cannot be written: a folder, an existing file without
    ``overwrite``, a missing or read-only folder, a name the OS refuses.

    Raises:
        CosolveInputError: naming ``path`` and the reason.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:  # is_dir/exists raise for a name the OS refuses (too long, a loop)
        if path.is_dir():
            raise CosolveInputError("is a folder; name a file to write", path)
        if not overwrite and path.exists():
            raise CosolveInputError("file exists (pass --force to overwrite it)", path)
        if not folder.is_dir():
            raise CosolveInputError(f"folder {folder} does not exist", path)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise CosolveInputError(f"cannot write in folder {folder} (permission denied)", path)
    except OSError as error:
        raise CosolveInputError(os_reason(error), path) from None


def check_plot_path(path: str | Path, overwrite: bool = True) -> None:
    """:func:`check_writable`, and the suffix must be one of :data:`PLOT_SUFFIXES`."""
    if Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise CosolveInputError(f"a plot is drawn as {', '.join(PLOT_SUFFIXES)}: name the file so", path)
    check_writable(path, overwrite)


def write_bytes_atomic(path: str | Path, data: bytes, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    With ``overwrite=False`` an existing file is left untouched and a
    :class:`CosolveInputError` is raised instead; so is an OS refusal (a read-only folder,
    a full disk), and the temporary file is removed.
    """
    path = Path(path)
    check_writable(path, overwrite)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:100]}.", suffix=".tmp")
    except OSError as error:
        raise CosolveInputError(f"cannot write: {os_reason(error)}", path) from None
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp_name, 0o666 & ~umask)  # the permissions a plain open() would give, not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as error:
        Path(tmp_name).unlink(missing_ok=True)
        raise CosolveInputError(f"cannot write: {os_reason(error)}", path) from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str, overwrite: bool = True) -> None:
    """Text version of :func:`write_bytes_atomic` (UTF-8)."""
    write_bytes_atomic(path, text.encode("utf-8"), overwrite=overwrite)
