"""A visitor's runaway query costs its sender, not the others (issue 17, items 2 and 3): the
public lane's workers run at a lower CPU priority than the web process, the site's pages
and the health probe."""
from __future__ import annotations

import os

from graph.store import EmbeddedStore


def _nice_of_lanes(settings) -> dict[str, int]:
    store = EmbeddedStore(settings)
    try:
        return {lane: store._current_pool(lane).schedule(os.nice, args=(0,)).result(timeout=120)
                for lane in EmbeddedStore.LANES}
    finally:
        store.close()


def test_public_query_workers_run_at_a_lower_cpu_priority(settings, built_store):
    s = settings.model_copy(update={"query_workers": 1, "site_workers": 1})
    base = os.nice(0)
    assert _nice_of_lanes(s) == {"site": base, "public": min(19, base + s.query_nice), "health": base}
    assert s.query_nice == 10


def test_the_operator_may_keep_them_at_the_servers_priority(settings, built_store):
    s = settings.model_copy(update={"query_workers": 1, "site_workers": 1, "query_nice": 0})
    base = os.nice(0)
    assert _nice_of_lanes(s) == {"site": base, "public": base, "health": base}
