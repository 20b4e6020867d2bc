"""The network worker (graph/network/pool.py) runs at WCKG_NETWORK_NICE: the network table a
rebuild leaves to compute, and big networks, take the CPU the other pages leave over."""
from __future__ import annotations

import os

from graph.network import pool
from tests.conftest import make_settings


def test_the_network_worker_runs_at_the_configured_niceness(tmp_path):
    base = os.nice(0)
    old = pool._POOL.pop("pool", None)  # (a pool of an earlier test, started with other settings)
    if old is not None:
        old.stop()
        old.join()
    for nice in (7, 0):
        s = make_settings(tmp_path / "store", network_nice=nice)
        p = pool._pool(s)
        try:
            assert p.schedule(os.nice, args=(0,)).result(timeout=60) == min(19, base + nice)
        finally:
            p.stop()
            p.join()
            pool._POOL.clear()
