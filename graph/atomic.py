"""Files written whole or not at all: a temporary file beside the target, renamed over it
(``os.replace``, atomic on one file system), removed when anything fails before. A reader
sees the old file or the new one, never half of one.

Three forms of one pattern: :func:`atomic_path` yields the temporary path (for a writer that
opens the file itself, such as SQLite), :func:`atomic_open` an open file, :func:`atomic_write`
writes bytes or text. The temporary file is created with the process's umask (as ``open``
would), not mkstemp's 0600.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def fsync_path(path: Path | str) -> None:
    """Flush a file or a folder (its entries: a rename inside it) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path | str, *, fsync: bool = False) -> Iterator[Path]:
    """A path beside *path* (same folder, made if missing; no file there yet) that becomes
    *path* when the block ends without an error, and is removed when it raises. *fsync*: the
    file's data is flushed to disk before the rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        yield tmp
        if fsync:
            fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(path: Path | str, mode: str = "wb", *, fsync: bool = True, **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode)`` written beside *path* and renamed over it when the block ends
    without an error (closed and, with *fsync*, flushed to disk first)."""
    with atomic_path(path, fsync=fsync) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh


def atomic_write(path: Path | str, data: bytes | str, *, fsync: bool = True) -> None:
    """Write *data* (text as UTF-8) to *path* whole or not at all."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_open(path, "wb", fsync=fsync) as fh:
        fh.write(raw)
