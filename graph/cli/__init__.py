"""The ``wckg`` command. Each area's module registers its commands on :data:`app`
(:mod:`graph.cli.base`)."""
from __future__ import annotations

from .base import app, err, fail, main, out

# Each module registers its commands when imported (order = order in `wckg --help`).
from . import data_cmds  # noqa: E402,F401
from . import query_cmds  # noqa: E402,F401
from . import network_cmds  # noqa: E402,F401
from . import serve_cmds  # noqa: E402,F401
from . import validate_cmds  # noqa: E402,F401
from . import publish_cmds  # noqa: E402,F401
from . import extract_cmds  # noqa: E402,F401
from . import review_cmds  # noqa: E402,F401

__all__ = ["app", "err", "fail", "main", "out"]
