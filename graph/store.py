"""The stores: an embedded pyoxigraph store on disk (the default) and any SPARQL 1.1 server.

Embedded store layout (``WCKG_STORE``, default in the user's data directory)::

    {store}/current -> builds/{build-id}     symlink, swapped atomically after a good build
    {store}/builds/{build-id}/oxigraph/      RocksDB directory
    {store}/builds/{build-id}/manifest.json  files and hashes, graphs and counts, build time
    {store}/builds/{build-id}/search.sqlite  the label index (graph.search)
    {store}/builds/{build-id}/memory.nq.gz   the build as N-Quads, written by the first query worker
                                             that copies the store into memory (graph.residency)
    {store}/.lock                            one builder at a time (flock)

A build never touches the live directory: it copies the current build (a RocksDB backup,
hard links) or starts empty in ``builds/tmp-*``, reloads only the named graphs whose files
changed, validates them, flushes, closes, renames the directory to its build id and swaps
the symlink (fsync'd). A failed or killed build leaves ``current`` as it was; orphans
(``tmp-*``, old builds) are cleaned at the next build.

Queries run in a small pool of worker processes (pebble), each holding the current build
open read-only, or a copy of it in memory when it fits (:mod:`graph.residency`); the
workers' side is :mod:`graph.workers`. pyoxigraph queries cannot be cancelled from Python, so
a query past its time limit is stopped by killing its worker; pebble starts a fresh one.
Killing a reader never harms the store. A remote SPARQL server is :mod:`graph.remote`.
"""
from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .config import Settings
from .errors import ConfigError, QueryTimeout, StoreError, WckgError
from .results import QueryResult
from .terms import to_ntriples, to_oxigraph

# What this module offered before it was split, re-exported: `from graph.store import X` keeps
# working for the shared parts (graph.storebase), the query workers' side (graph.workers; the
# pool's initializer and tasks keep their names) and the remote backend (graph.remote).
from .remote import RemoteStore  # noqa: F401
from .storebase import (METRICS_GRAPH, BuildInfo, BuildReport, LangString, StoreLayout, _Backend,  # noqa: F401
                        _file_key, _info_from_manifest, _new_build_id, _OpenStore, _plain, changed_graphs,
                        file_manifest, rebase)
from .workers import (HEALTH_REOPEN_SECONDS, AnswerTooLarge, _check_params, _expired, _forkserver,  # noqa: F401
                      _run_on_store, _store_files_problem, _to_result, _worker_describe, _worker_health, _worker_init,
                      _worker_query, answer_on, query_hash)

Params = Mapping[str, Any]  # variable name → rdflib term

log = logging.getLogger("wckg.store")

#: Answers of the embedded store kept per build (see EmbeddedStore.query).
CACHE_ENTRIES = 256
CACHE_MAX_BYTES = 2 * 1024 * 1024


#: BuildInfo of the current build, keyed by its manifest (path, mtime, size): :meth:`EmbeddedStore.info`.
_INFO_CACHE: dict[tuple[str, int, int], BuildInfo] = {}
_INFO_LOCK = threading.Lock()

class EmbeddedStore(_Backend):
    """The embedded pyoxigraph store, queried through a pool of worker processes."""

    backend = "embedded"
    capabilities = frozenset({"immutable-builds", "local-store", "query-timeout"})

    def __init__(self, settings: Settings, *, workers: int | None = None):
        self.settings = settings
        self.layout = StoreLayout(settings.store)
        self.workers = workers or settings.query_workers
        import threading
        from collections import OrderedDict
        self._lock = threading.Lock()
        #: lane → (pool, build it serves)
        self._pools: dict[str, tuple[Any, Path]] = {}
        self._sandboxed: bool | None = None
        self._cache: OrderedDict[tuple, QueryResult] = OrderedDict()
        self._residency: tuple[Path, Any] | None = None
        self._public_slots: threading.BoundedSemaphore | None = None
        if self.layout.current_build() is None:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first (or set WCKG_STORE)")

    @property
    def search_index_path(self) -> Path:
        build = self.layout.current_build()
        if build is None:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first")
        return build / "search.sqlite"

    def local_store(self) -> ox.Store | None:
        """The current build, opened read-only in this process (a build never changes)."""
        build = self.layout.current_build()
        return ox.Store.read_only(str(self.layout.db(build))) if build is not None else None

    def info(self) -> BuildInfo:
        """The current build's :class:`BuildInfo`, read from its manifest once per build: a
        build directory never changes once it is current, and the manifest lists every
        data file (29 MB at 5 M triples: parsing it on every page took ~350 ms)."""
        build = self.layout.current_build()
        try:
            st = (build / "manifest.json").stat() if build is not None else None
        except OSError:
            st = None
        key = (str(build), st.st_mtime_ns, st.st_size) if st is not None else None
        with _INFO_LOCK:
            hit = _INFO_CACHE.get(key) if key is not None else None
        if hit is not None:
            return hit
        manifest = self.layout.manifest()
        if not manifest:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first")
        info = _info_from_manifest(manifest, self.layout)
        if key is not None:
            with _INFO_LOCK:
                _INFO_CACHE.clear()
                _INFO_CACHE[key] = info
        return info

    @property
    def sandboxed(self) -> bool:
        """Whether query workers run under the network sandbox; a :class:`ConfigError` when
        they cannot and the operator did not opt out (checked once, before the first pool)."""
        if self._sandboxed is None:
            from . import sandbox
            try:
                self._sandboxed = sandbox.require()
            except sandbox.SandboxUnavailable as e:
                raise ConfigError(str(e), hint=f"set {sandbox.OPT_OUT}=1 to run queries without the sandbox") from None
            if not self._sandboxed:
                log.warning("query workers run WITHOUT the network sandbox (%s=1)", sandbox.OPT_OUT)
        return self._sandboxed

    #: The lanes: "public" (visitors' queries), "site" (the site's own pages), "health"
    #: (one worker for /-/health, so that a probe never waits behind either).
    LANES = ("site", "public", "health")

    def lane_size(self, lane: str) -> int:
        """Worker processes of *lane*; the public lane's include its warm spares."""
        if lane == "health":
            return 1
        return self.workers + self.settings.spare_workers if lane == "public" else self.settings.site_workers

    def _take_slot(self, lane: str, cancel: Any, text: str) -> Any:
        """One of the public lane's *workers* running slots (a semaphore, None for other
        lanes or without spares): its pool has ``WCKG_SPARE_WORKERS`` more processes than
        may run at once, so a worker stays idle and warm, and when a runaway query's worker
        is stopped or dies the next query starts on it at once instead of waiting for a new
        worker to start (and, in memory mode, copy the store). Waiting for a slot ends when
        the client leaves."""
        if lane != "public" or not self.settings.spare_workers:
            return None
        with self._lock:
            if self._public_slots is None:
                self._public_slots = _threading.BoundedSemaphore(self.workers)
            slots = self._public_slots
        while not slots.acquire(timeout=0.25):
            if cancel is not None and cancel.is_set():
                log.info("query %s dropped before it ran: its client left (%s lane)", query_hash(text), lane)
                from .errors import QueryCancelled
                raise QueryCancelled("the query was stopped: its client went away")
        return slots

    def residency(self, build: Path | None = None):
        """Where the query workers of *build* (default: the current one) hold the store:
        a :class:`graph.residency.Residency` (memory when it fits the budget, else disk)."""
        from . import residency
        build = build or self.layout.current_build()
        if build is None:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first")
        known = self._residency
        if known is not None and known[0] == build:
            return known[1]
        try:
            triples = int(json.loads((build / "manifest.json").read_text()).get("triples", 0))
        except (OSError, ValueError) as e:
            raise StoreError(f"the store manifest {build / 'manifest.json'} is unreadable: {e}",
                             hint="run `wckg build --force` to rebuild the store") from None
        found = residency.plan(self.settings, triples, self.lane_size("site") + self.lane_size("public"))
        self._residency = (build, found)
        return found

    def _current_pool(self, lane: str = "site"):
        """The worker pool of *lane* for the current build; replaced when a rebuild swapped the store."""
        from pebble import ProcessPool
        build = self.layout.current_build()
        if build is None:
            raise StoreError(f"the store at {self.layout.root} has no current build", hint="run `wckg build`")
        sandboxed = self.sandboxed
        # the health lane's worker checks the files on disk: it needs no copy
        in_memory = lane != "health" and self.residency(build).in_memory
        with self._lock:
            pool, pool_build = self._pools.get(lane, (None, None))
            if pool is None or build != pool_build or not pool.active:
                old = pool
                pool = ProcessPool(max_workers=self.lane_size(lane), initializer=_worker_init,
                                   initargs=(str(self.layout.db(build)), in_memory,
                                             self.settings.worker_memory_mb, sandboxed,
                                             self.settings.query_nice if lane == "public" else 0),
                                   context=_forkserver())
                self._pools[lane] = (pool, build)
                if old is not None:
                    old.close()  # lets running queries on the previous build finish
            return pool

    def query(self, text: str, *, params: Params | None = None, timeout: float | None = None,
              limit: int | None = None, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, max_bytes: int | None = None,
              lane: str = "site", cancel: Any = None) -> QueryResult:
        """As :meth:`_Backend.query`, with answers kept per build: a build never changes
        once made, so an answer stays right until the next build swaps in (which misses
        the cache, since the build id is part of the key)."""
        _check_params(params)
        build = self.layout.current_build()
        key = (build.name if build else None, text,
               tuple(sorted((k, to_ntriples(v)) for k, v in (params or {}).items())),
               limit, max_bytes, tuple(default_graphs or ()), tuple(named_graphs or ()))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        _CANCEL.event = cancel
        try:
            res = super().query(text, params=params, timeout=timeout, limit=limit,
                                default_graphs=default_graphs, named_graphs=named_graphs,
                                max_bytes=max_bytes, lane=lane)
        finally:
            _CANCEL.event = None
        if build is not None and len(res.payload) <= CACHE_MAX_BYTES:
            with self._lock:
                self._cache[key] = res
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return res

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs, max_bytes=None, lane="site"):
        from pebble import ProcessExpired
        ox_params = {k: to_oxigraph(v) for k, v in params.items()}
        if params:
            # Substitutions bind the values everywhere (sub-selects and EXISTS too) but are
            # invisible to Oxigraph's planner, which then starts a lookup such as
            # are-partners from every link in the store (60 ms at 100 k triples, seconds at
            # 1 M). The same values as a VALUES block in the outermost group (as a remote
            # server gets them) are planned from: 1-3 ms. An OPTIONAL is planned apart from
            # that block (a page's evidence: 5-8 s at 1 M), so the values are also written
            # into the triple patterns (0.6 ms). Together they answer exactly what
            # substitution alone answers (tests/test_query_shapes.py).
            from .queries import bind_params
            text = bind_params(text, params)
        pool = self._current_pool(lane)
        cancel = getattr(_CANCEL, "event", None)
        slots = self._take_slot(lane, cancel, text)
        try:
            future = pool.schedule(_worker_query, args=(text, ox_params, default_graphs, named_graphs, limit,
                                                        max_bytes), timeout=timeout)
        except BaseException:
            if slots is not None:
                slots.release()
            raise
        if slots is not None:
            future.add_done_callback(lambda _f: slots.release())  # done, stopped, dropped or its worker dead
        try:
            if cancel is None:
                return future.result()
            while True:
                try:
                    return future.result(timeout=0.25)
                except FutureTimeout:
                    if future.done():
                        raise  # the task's own time limit
                    if cancel.is_set():
                        future.cancel()  # queued: dropped; running: its worker is stopped and replaced
                        log.info("query %s stopped: its client left (%s lane)", query_hash(text), lane)
                        from .errors import QueryCancelled
                        raise QueryCancelled("the query was stopped: its client went away") from None
        except FutureTimeout:
            log.warning("query %s stopped at its time limit of %g s (%s lane)", query_hash(text), timeout, lane)
            raise QueryTimeout(f"the query ran past its time limit of {timeout:g} s and was stopped",
                               hint="narrow the query (filters, LIMIT) or raise --timeout") from None
        except ProcessExpired as e:
            raise _expired(e, text, lane, self.settings.worker_memory_mb) from None
        except WckgError:
            raise
        except Exception as e:  # the worker could not open the store, the pool was closed
            raise StoreError(f"the query worker failed: {e}", hint="try again; if it repeats, rebuild the store") from None

    def health(self, timeout: float) -> dict:
        """Ask the health lane's worker to check itself and the store's files (never the
        answer cache), within *timeout* seconds (waiting included). Returns what it found;
        raises nothing. A worker of its own: a probe never waits behind page or SPARQL
        queries, and says "worker" only when a query worker cannot be had at all."""
        out: dict[str, Any] = {"backend": "embedded"}
        try:
            current = self.layout.current_build()
            if current is None:
                return {**out, "ok": False, "failing": "store", "error": "no current build"}
            out["build_id"] = self.info().build_id   # the manifest, parsed once per build
            problem = _store_files_problem(self.layout.db(current))
            if problem:
                return {**out, "ok": False, "failing": "store", "error": problem}
            place = self.residency()
            out["mode"] = place.mode
            out["residency"] = place.to_json()
            pool = self._current_pool("health")
        except WckgError as e:
            return {**out, "ok": False, "failing": "store", "error": e.message}
        # the worker is killed only past a minute (a real hang): a check that is merely slow
        # under load finishes and the next probe gets the worker at once, instead of waiting
        # for a replacement to start (which, under load, made every probe after it late too)
        future = pool.schedule(_worker_health, timeout=max(60.0, timeout))
        try:
            found = future.result(timeout=timeout)  # waiting in the queue counts too
        except FutureTimeout:
            if not future.running():
                future.cancel()  # still queued: drop it
            return {**out, "ok": False, "failing": "worker",
                    "error": f"no query worker answered within {timeout:g} s"}
        except Exception as e:
            return {**out, "ok": False, "failing": "worker", "error": f"the query worker failed: {type(e).__name__}"}
        ok = bool(found.get("store")) and bool(found.get("has_data"))
        return {**out, **found, "ok": ok, **({} if ok else {"failing": "store"})}

    def ready(self) -> dict:
        """Cheap readiness: a current build and live pools (no query)."""
        build = self.layout.current_build()
        pools = {lane: bool(p.active) for lane, (p, _b) in self._pools.items()}
        mode = self._residency[1].mode if self._residency is not None and self._residency[0] == build else None
        return {"store": build is not None, "pools": pools, **({"mode": mode} if mode else {}),
                "ok": build is not None and all(pools.values())}

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool, _build in pools:
            pool.stop()
            pool.join(timeout=5)


#: The cancel event of the query this thread is running (see EmbeddedStore.query).
import threading as _threading  # noqa: E402

_CANCEL = _threading.local()


# ======================================================================================

def open_backend(settings: Settings) -> EmbeddedStore | RemoteStore:
    """The backend the settings choose (``WCKG_BACKEND``: embedded or remote)."""
    if settings.backend == "remote":
        return RemoteStore(settings)
    return EmbeddedStore(settings)

