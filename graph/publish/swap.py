"""Atomic replacement of a bundle: a directory is a bundle when its manifest says
``wckg publish`` wrote it; the new one is swapped in with ``renameat2(RENAME_EXCHANGE)``
(two renames where the kernel lacks it)."""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError, StoreError


#: Marker file of a bundle: a directory holding it may be replaced by ``publish``.
MANIFEST = "manifest.json"


GENERATOR = "wckg publish"


def check_target(out_dir: Path) -> None:
    """DIR may be new, empty, or an older bundle: never a folder of someone's other files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} exists and is not a directory", hint="give a directory for the bundle")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_bundle(out_dir):
        raise InputError(f"{out_dir} holds files that are not a wckg bundle; refusing to replace it",
                         hint="publish into a new or empty directory, or one an earlier `wckg publish` wrote")


def is_bundle(path: Path) -> bool:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return rc == 0


def swap_in(tmp: Path, out_dir: Path) -> bool:
    """Put the finished bundle *tmp* at *out_dir*; returns True when an older one was replaced."""
    if not out_dir.exists():
        try:
            os.rename(tmp, out_dir)
            return False
        except FileExistsError:       # created meanwhile by another publisher: swap below
            pass
        except OSError as e:
            if not out_dir.exists():
                raise StoreError(f"cannot create {out_dir}: {e.strerror}") from None
    check_target(out_dir)
    if _renameat2_exchange(tmp, out_dir):
        shutil.rmtree(tmp, ignore_errors=True)     # tmp now holds the old bundle
        return True
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(old)
    os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return True
