"""State kept between builds (beside the store, in the build directory): the tables an
incremental derivation reads back from the previous build."""
from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

from ..atomic import atomic_open

#: While :func:`derive` or an :class:`Update` runs: the previous build's state folder (what
#: an incremental derivation may read: its tables as the previous build left them) and this
#: build's (where it writes them). A state file this build does not rewrite is carried over.
#: While an :class:`.update.Update` applies: ``change``, the quads (removed, added) of the
#: source graphs, as ``before`` and ``after`` got them (the store holds the added ones).
STATE: dict[str, Any] = {"previous": None, "out": None, "tables": None, "change": None}


def carry_state(previous: Path | None, out: Path | None) -> None:
    if previous is None or out is None or not previous.is_dir():
        return
    out.mkdir(parents=True, exist_ok=True)
    for f in previous.iterdir():
        if f.is_file() and not (out / f.name).exists():
            try:
                os.link(f, out / f.name)  # (never written in place: save_state renames a new file over)
            except OSError:
                shutil.copyfile(f, out / f.name)


def load_state(name: str) -> Any:
    """The table *name* of the previous build (None when there is none, or it is unreadable)."""
    folder = STATE["previous"]
    if folder is None:
        return None
    try:
        with open(folder / name, "rb") as fh:
            return pickle.load(fh)  # our own file, written by save_state into the build directory
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None


def save_state(name: str, value: Any) -> None:
    folder = STATE["out"]
    if folder is None:
        return
    with atomic_open(folder / name, "wb", fsync=False) as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
