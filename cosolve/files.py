"""Reading the user's files with errors that name them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from cosolve.errors import CosolveInputError

MAX_FILE_BYTES = 512 * 2**20
"""Largest instance file cosolve reads (512 MiB; the largest public instances are a few dozen MiB).
Reading stops there, so ``/dev/zero`` or an endless pipe is refused instead of filling memory."""
CHUNK_BYTES = 4 * 2**20


def os_reason(error: OSError) -> str:
    """The one-line reason of an OS error, e.g. ``no such file``, ``permission denied``."""
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    if isinstance(error, NotADirectoryError):
        return "a part of the path is a file, not a folder"
    if isinstance(error, PermissionError):
        return "permission denied"
    text = error.strerror or (os.strerror(error.errno) if error.errno else str(error))
    return (text or type(error).__name__).strip().rstrip(".").lower()


def read_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a user's file, at most ``limit`` (default :data:`MAX_FILE_BYTES`); every OS
    error is a :class:`CosolveInputError`."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        with open(path, "rb") as handle:
            data = _read_at_most(handle, limit + 1)
    except OSError as error:
        raise CosolveInputError(os_reason(error), path) from None
    except ValueError as error:  # e.g. an embedded NUL byte in the name
        raise CosolveInputError(f"not a usable file name ({error})", repr(str(path))) from None
    if len(data) > limit:
        shown = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit} bytes"
        raise CosolveInputError(f"file is larger than {shown}, the most cosolve reads", path)
    return data


def _read_at_most(handle: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes, in chunks (one ``read(size)`` would reserve ``size`` bytes at once)."""
    chunks, total = [], 0
    while total < size:
        chunk = handle.read(min(CHUNK_BYTES, size - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_text(path: str | Path, limit: int | None = None) -> str:
    """The text of a user's file (UTF-8, undecodable bytes replaced), at most ``limit`` bytes."""
    return read_bytes(path, limit).decode("utf-8-sig", errors="replace")
