"""The network worker: networks, metrics and per-year slices for the pages, computed in a
process of their own, never in the web process (whose event loop and GIL every other
request needs).

The worker (a pebble pool of ``WCKG_NETWORK_WORKERS`` processes from the store's
forkserver) holds the network table of the current build (:mod:`.table`: read from the
build, or computed once when a rebuild left none). A request waits for its answer up to
``WCKG_NETWORK_WAIT`` seconds; past that it gets :class:`NetworkBusy` (503 with
``Retry-After``) while the job goes on, and the answer, once there, is kept for the retry.
A job past ``WCKG_NETWORK_TIME_LIMIT`` is stopped (its worker killed and replaced):
:class:`NetworkBusy` says so, and to narrow the filters. More than ``WCKG_NETWORK_QUEUE``
different jobs waiting: 503 at once.

The web process keeps only the table's catalogue (agents, countries, topics, years: what a
request is checked against) and the last answers. A backend without a local store (a
remote SPARQL server) computes in this process, as before (:func:`cached_graph_data`).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from ..errors import NetworkBusy
from .build import build_network
from .data import GraphData, cached_graph_data
from .export import yearly_csv
from .filters import NetworkFilters
from .metrics import compute_metrics, yearly_slices, yearly_summaries
from .table import NetworkTable, catalogue, ensure, load_catalogue

# --------------------------------------------------------------------------------------
# in the worker
# --------------------------------------------------------------------------------------

_TABLE: dict[str, NetworkTable] = {}


def _table(build_dir: str, build_id: str, db: str) -> NetworkTable:
    """The build's table, loaded (or computed) once per worker process."""
    t = _TABLE.get(build_id)
    if t is None:
        _TABLE.clear()
        t = _TABLE[build_id] = ensure(Path(build_dir), build_id, Path(db))
    return t


def _job_catalogue(source: tuple[str, str, str]) -> GraphData:
    return catalogue(_table(*source).data)


def _job_indicators(source: tuple[str, str, str], what: str, kind: str, value: str) -> Any:
    from .. import indicators
    t = _table(*source)
    if t.indicators is None:   # (a table of a format without them cannot load: FORMAT)
        raise RuntimeError("the network table has no indicators")
    return indicators.answer(t.indicators, what, kind, value)


def network_of(data: GraphData, filters: NetworkFilters, kind: str, focus: str | None, depth: int,
               max_nodes: int | None, default: tuple[Any, Any] | None = None) -> tuple[Any, Any]:
    """The network and its metrics; *default*: the precomputed default partnership network
    and its metrics (what the filters give when they are the defaults)."""
    if default is not None and kind == "partnership" and filters == NetworkFilters():
        return default
    G = build_network(data, kind, filters, focus=focus, depth=depth, max_nodes=max_nodes)
    return G, compute_metrics(G)


def _job_network(source: tuple[str, str, str], filters: NetworkFilters, kind: str, focus: str | None,
                 depth: int, max_nodes: int | None):
    t = _table(*source)
    return network_of(t.data, filters, kind, focus, depth, max_nodes, (t.network, t.metrics))


def years_of(data: GraphData, filters: NetworkFilters, kind: str, focus: str | None, depth: int,
             max_nodes: int | None, default: list[dict] | None = None) -> list[dict]:
    if default is not None and kind == "partnership" and filters == NetworkFilters():
        return default
    return yearly_summaries(data, filters, kind=kind, focus=focus, depth=depth, max_nodes=max_nodes)


def _job_years(source: tuple[str, str, str], filters: NetworkFilters, kind: str, focus: str | None,
               depth: int, max_nodes: int | None) -> list[dict]:
    t = _table(*source)
    return years_of(t.data, filters, kind, focus, depth, max_nodes, t.years)


def years_csv_of(data: GraphData, filters: NetworkFilters, kind: str, focus: str | None, depth: int,
                 max_nodes: int | None) -> str:
    return yearly_csv(yearly_slices(data, filters, kind=kind, focus=focus, depth=depth, max_nodes=max_nodes))


def _job_years_csv(source: tuple[str, str, str], filters: NetworkFilters, kind: str, focus: str | None,
                   depth: int, max_nodes: int | None) -> str:
    return years_csv_of(_table(*source).data, filters, kind, focus, depth, max_nodes)


# --------------------------------------------------------------------------------------
# in the web process
# --------------------------------------------------------------------------------------

_LOCK = threading.RLock()
_POOL: dict[str, Any] = {}                       # "pool", "key"
_PENDING: dict[tuple, Future] = {}
_RESULTS: OrderedDict[tuple, Any] = OrderedDict()
_RESULTS_MAX = 16
_CATALOGUES: dict[str, GraphData] = {}


def _source(backend) -> tuple[str, str, str] | None:
    """(build directory, build id, store) of the backend's current build, when it has
    one on this machine; None for any other backend."""
    from ..backend import LOCAL_STORE
    layout = getattr(backend, "layout", None)
    if LOCAL_STORE not in getattr(backend, "capabilities", frozenset()) or layout is None:
        return None
    build = layout.current_build()
    if build is None:
        return None
    return str(build), build.name, str(layout.db(build))


def _pool(settings):
    from pebble import ProcessPool

    from ..workers import _forkserver
    with _LOCK:
        pool = _POOL.get("pool")
        if pool is None or not pool.active:
            pool = _POOL["pool"] = ProcessPool(max_workers=settings.network_workers, context=_forkserver(),
                                               initializer=_lower_priority, initargs=(settings.network_nice,))
        return pool


def _lower_priority(nice: int) -> None:
    """In each network worker as it starts: run at *nice* (WCKG_NETWORK_NICE)."""
    import os
    if nice > 0:
        os.nice(nice)


def _run(settings, key: tuple, fn: Callable, *args) -> Any:
    """*fn(*args)* in the network worker, answered from the last results when it was
    computed; waits ``settings.network_wait`` seconds at most (:class:`NetworkBusy`)."""
    with _LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
        fut = _PENDING.get(key)
        if fut is None:
            if len(_PENDING) >= settings.network_queue:
                raise NetworkBusy(f"the network worker has {len(_PENDING)} networks to compute already",
                                  retry_after=max(2, int(settings.network_wait)))
            fut = _pool(settings).schedule(fn, args=args, timeout=settings.network_time_limit)
            _PENDING[key] = fut
            fut.add_done_callback(lambda f, key=key: _done(key, f))
    try:
        return fut.result(timeout=settings.network_wait)
    except FutureTimeout:
        if not fut.done():
            raise NetworkBusy(f"this network is still being computed (over {settings.network_wait:g} s so far)",
                              retry_after=max(2, int(settings.network_wait))) from None
        raise NetworkBusy(f"this network took longer than the limit of {settings.network_time_limit:g} s "
                          "and was stopped", retry_after=60, stopped=True) from None


def _done(key: tuple, f: Future) -> None:
    """Keep a finished job's answer for the next request (the one that waited may be gone)."""
    with _LOCK:
        _PENDING.pop(key, None)
        if not f.cancelled() and f.exception() is None:
            _RESULTS[key] = f.result()
            while len(_RESULTS) > _RESULTS_MAX:
                _RESULTS.popitem(last=False)


def catalogue_for(backend, settings) -> GraphData:
    """What a network request is checked against (agents, countries, topics, years), from
    the build's network table; the whole data for a backend without a local store."""
    source = _source(backend)
    if source is None:
        return cached_graph_data(backend)
    build_dir, build_id, _db = source
    with _LOCK:
        hit = _CATALOGUES.get(build_id)
    if hit is None:
        hit = load_catalogue(Path(build_dir), build_id)
        if hit is None:
            hit = _run(settings, ("catalogue", build_id), _job_catalogue, source)
        with _LOCK:
            _CATALOGUES.clear()
            _CATALOGUES[build_id] = hit
    return hit


def _local(backend, key: tuple, fn: Callable, *args) -> Any:
    """*fn(data, *args)* in this process, for a backend without a local store."""
    data = cached_graph_data(backend)
    key = ("local", data.serial, *key)
    with _LOCK:
        if key in _RESULTS:
            return _RESULTS[key]
    out = fn(data, *args)
    with _LOCK:
        _RESULTS[key] = out
        while len(_RESULTS) > _RESULTS_MAX:
            _RESULTS.popitem(last=False)
    return out


def network_for(backend, settings, filters: NetworkFilters, kind: str, focus: str | None, depth: int):
    """(G, metrics) of a network page, from the network worker."""
    source = _source(backend)
    args = (filters, kind, focus, depth, settings.network_ego_max_nodes)
    if source is None:
        return _local(backend, ("network", *args), network_of, *args)
    return _run(settings, ("network", source[1], *args), _job_network, source, *args)


def years_for(backend, settings, filters: NetworkFilters, kind: str, focus: str | None, depth: int) -> list[dict]:
    """The per-year summaries of a network page, from the network worker."""
    source = _source(backend)
    args = (filters, kind, focus, depth, settings.network_ego_max_nodes)
    if source is None:
        return _local(backend, ("years", *args), years_of, *args)
    return _run(settings, ("years", source[1], *args), _job_years, source, *args)


def years_csv_for(backend, settings, filters: NetworkFilters, kind: str, focus: str | None, depth: int) -> str:
    """The per-year CSV (every node's metrics per year), from the network worker."""
    source = _source(backend)
    args = (filters, kind, focus, depth, settings.network_ego_max_nodes)
    if source is None:
        return _local(backend, ("years.csv", *args), years_csv_of, *args)
    return _run(settings, ("years.csv", source[1], *args), _job_years_csv, source, *args)


def indicators_for(backend, settings, what: str, kind: str = "", value: str = "") -> Any:
    """An indicators answer (graph.indicators.answer) from the codes in the build's network
    table, computed in the network worker; in this process for a backend without a local
    store."""
    from .. import indicators
    source = _source(backend)
    if source is None:
        return indicators.answer(indicators.cached(backend), what, kind, value)
    return _run(settings, ("indicators", source[1], what, kind, value), _job_indicators, source, what, kind, value)
