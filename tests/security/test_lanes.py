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


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# --- a warm spare worker (issue 17, item 3) ---------------------------------------------

def _pids(pool, n: int = 12) -> set[int]:
    import time
    futures = [pool.schedule(time.sleep, args=(0.3,)) for _ in range(n)]
    for f in futures:
        f.result(timeout=120)
    return {pool.schedule(os.getpid).result(timeout=120) for _ in range(n)}


def test_a_warm_spare_takes_the_next_query_when_a_worker_is_stopped(settings, built_store):
    """One public worker may run at a time, one more waits, started and holding the store:
    when a runaway query's worker is stopped at its time limit, the next query runs on the
    spare at once (no new worker to start)."""
    import pytest

    from graph import errors
    s = settings.model_copy(update={"query_workers": 1, "site_workers": 1, "spare_workers": 1})
    store = EmbeddedStore(s)
    try:
        pool = store._current_pool("public")
        warm = _pids(pool)
        assert len(warm) == 2
        with pytest.raises(errors.QueryTimeout):
            store.query(SLOW, timeout=1.0, lane="public")
        assert pool.schedule(os.getpid).result(timeout=5) in warm
    finally:
        store.close()


def test_the_spare_does_not_run_a_second_query_at_once(settings, built_store):
    """WCKG_QUERY_WORKERS queries run at once, never more: the spare stays a spare (the
    second query waits for the runaway's 3 s limit, though a worker is idle)."""
    import threading
    import time

    from graph import errors
    s = settings.model_copy(update={"query_workers": 1, "site_workers": 1, "spare_workers": 1})
    store = EmbeddedStore(s)
    got: list[object] = []
    try:
        store.query("ASK { ?s ?p ?o }", lane="public")  # the pool started
        t = threading.Thread(target=lambda: got.append(_error_of(lambda: store.query(SLOW, timeout=3.0, lane="public"))))
        t0 = time.monotonic()
        t.start()
        time.sleep(0.5)
        assert store.query("ASK { ?x ?y ?z }", timeout=30, lane="public").boolean is True
        waited = time.monotonic() - t0
        t.join(60)
        assert got == [errors.QueryTimeout]
        assert waited >= 2.9, f"the second query ran after {waited:.1f} s, beside the runaway"
    finally:
        store.close()


def _error_of(call) -> object:
    try:
        call()
    except Exception as e:
        return type(e)
    return None
