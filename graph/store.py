"""The stores: an embedded pyoxigraph store on disk (the default) and any SPARQL 1.1 server.

Embedded store layout (``WCKG_STORE``, default in the user's data directory)::

    {store}/current -> builds/{build-id}     symlink, swapped atomically after a good build
    {store}/builds/{build-id}/oxigraph/      RocksDB directory
    {store}/builds/{build-id}/manifest.json  files and hashes, graphs and counts, build time
    {store}/builds/{build-id}/search.sqlite  the label index (graph.search)
    {store}/.lock                            one builder at a time (flock)

A build never touches the live directory: it copies the current build (a RocksDB backup,
hard links) or starts empty in ``builds/tmp-*``, reloads only the named graphs whose files
changed, validates them, flushes, closes, renames the directory to its build id and swaps
the symlink (fsync'd). A failed or killed build leaves ``current`` as it was; orphans
(``tmp-*``, old builds) are cleaned at the next build.

Queries run in a small pool of worker processes (pebble), each holding the current build
open read-only. pyoxigraph queries cannot be cancelled from Python, so a query past its
time limit is stopped by killing its worker; pebble starts a fresh one. Killing a reader
never harms the store.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from .config import Settings
from .errors import (ConfigError, ParameterError, QueryError, QuerySyntaxError, QueryTimeout, RemoteStoreError, StoreError,
                     ValidationFailed, WckgError)
from .load import DataFile, discover, iter_quads
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, WCID_DEFAULT
from .results import QueryResult, ask_json, select_json
from .safety import check_query
from .sparqltext import query_dataset
from .terms import ox_term_json, to_ntriples, to_oxigraph

Params = Mapping[str, Any]  # variable name → rdflib term

log = logging.getLogger("wckg.store")

#: Answers of the embedded store kept per build (see EmbeddedStore.query).
CACHE_ENTRIES = 256
CACHE_MAX_BYTES = 2 * 1024 * 1024



# ======================================================================================
# Build metadata
# ======================================================================================

@dataclass
class BuildInfo:
    """What is in the store now (read from the build's manifest, or from the server)."""

    build_id: str
    built_at: str
    triples: int
    graphs: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)
    backend: str = "embedded"
    location: str = ""

    def to_json(self) -> dict:
        return {"build_id": self.build_id, "built_at": self.built_at, "triples": self.triples,
                "graphs": self.graphs, "backend": self.backend, "location": self.location}


@dataclass
class BuildReport:
    """What one `wckg build` did."""

    build_id: str
    changed_graphs: list[str]
    reused_graphs: list[str]
    removed_graphs: list[str]
    triples: int
    load_seconds: float
    validate_seconds: float
    index_seconds: float
    validation: Any = None  # graph.validate.ValidationReport
    up_to_date: bool = False
    metrics_triples: int = 0  # triples of wcid:graph/metrics (0: no metrics in this build)
    release: Path | None = None  # the build's release bundle (graph.build.release_dir)


def _file_key(f: DataFile, settings: Settings) -> str:
    for root in (settings.data_dir.parent, settings.ontology_dir.parent):
        with contextlib.suppress(ValueError):
            return str(f.path.resolve().relative_to(root.resolve()))
    return str(f.path.resolve())


def file_manifest(files: Sequence[DataFile], settings: Settings) -> dict[str, dict]:
    return {_file_key(f, settings): {"sha256": f.sha256(), "graph": f.graph, "role": f.role} for f in files}


def changed_graphs(old: Mapping[str, dict], new: Mapping[str, dict]) -> tuple[set[str], set[str]]:
    """(graphs whose files changed or appeared, graphs that no file feeds any more)."""
    old_graphs = {v["graph"] for v in old.values()}
    new_graphs = {v["graph"] for v in new.values()}
    changed = {v["graph"] for k, v in new.items() if old.get(k, {}).get("sha256") != v["sha256"]}
    changed |= {v["graph"] for k, v in old.items() if k not in new and v["graph"] in new_graphs}
    return changed, old_graphs - new_graphs


# ======================================================================================
# The embedded store: building
# ======================================================================================

class StoreLayout:
    """Paths of an embedded store directory."""

    def __init__(self, root: Path):
        self.root = Path(root).expanduser()
        self.builds = self.root / "builds"
        self.current = self.root / "current"
        self.lock = self.root / ".lock"

    def current_build(self) -> Path | None:
        if not self.current.is_symlink() and not self.current.exists():
            return None
        target = self.current.resolve()
        return target if (target / "manifest.json").is_file() else None

    def manifest(self) -> dict | None:
        build = self.current_build()
        if build is None:
            return None
        try:
            return json.loads((build / "manifest.json").read_text())
        except (OSError, ValueError) as e:
            raise StoreError(f"the store manifest {build / 'manifest.json'} is unreadable: {e}",
                             hint="run `wckg build --force` to rebuild the store") from None

    def db(self, build: Path) -> Path:
        return build / "oxigraph"


def _new_build_id(manifest: Mapping[str, dict]) -> str:
    import hashlib
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:10]
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + digest


def build(settings: Settings, **kwargs: Any) -> BuildReport:
    """Kept for callers of the old place: the build lives in :func:`graph.build.build`."""
    from .build import build as run_build
    return run_build(settings, **kwargs)


def ensure_built(settings: Settings, progress: Callable[[str, int, int], None] | None = None) -> BuildReport | None:
    """Kept for callers of the old place: see :func:`graph.build.ensure_built`."""
    from .build import ensure_built as run
    return run(settings, progress=progress)


def is_up_to_date(settings: Settings) -> bool:
    """Kept for callers of the old place: see :func:`graph.build.is_up_to_date`."""
    from .build import is_up_to_date as run
    return run(settings)


def rebase(iri: str, base_iri: str) -> str:
    """*iri* with the published base replaced by a deployment's own."""
    return base_iri + iri[len(WCID_DEFAULT):] if iri.startswith(WCID_DEFAULT) else iri


METRICS_GRAPH = WCID_DEFAULT + "graph/metrics"


class _OpenStore:
    """The query side of the backend API over a store this process has open (the build's
    new store, before it is swapped in). Only the build's own fixed queries run here."""

    backend = "open"

    def __init__(self, store: ox.Store):
        self.store = store

    def query(self, text: str, **_) -> QueryResult:
        kind, payload, _truncated = _run_on_store(self.store, text, None, None, None, None)
        return QueryResult(kind, payload)

    def select(self, text: str, params=None) -> list[dict]:
        """Rows as plain strings (a language-tagged literal keeps its ``.language``): the
        build's own queries need no rdflib terms, which cost 10 s per million values."""
        solutions = self.store.query(text, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: _plain(sol[n]) for n in names if sol[n] is not None} for sol in solutions]


class LangString(str):
    """A string with the language tag of the literal it came from."""

    language: str | None = None


def _plain(term) -> str:
    if isinstance(term, ox.Literal) and term.language:
        out = LangString(term.value)
        out.language = term.language
        return out
    return term.value


def _info_from_manifest(manifest: dict, layout: StoreLayout) -> BuildInfo:
    return BuildInfo(build_id=manifest["build_id"], built_at=manifest["built_at"],
                     triples=int(manifest.get("triples", 0)), graphs=dict(manifest.get("graphs", {})),
                     files=dict(manifest.get("files", {})), backend="embedded", location=str(layout.root))



# ======================================================================================
# Running queries (shared by both backends)
# ======================================================================================

def _run_on_store(store: ox.Store, text: str, params: Mapping[str, Any] | None,
                  default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None,
                  limit: int | None, max_bytes: int | None = None) -> tuple[str, bytes, bool | str]:
    """Execute on an open pyoxigraph store; returns (kind, payload, truncated) where
    truncated is False, "rows" (*limit* cut the result) or "bytes" (the answer would have
    grown past *max_bytes*; whole rows only). An answer whose first row alone is larger
    than *max_bytes* raises :class:`AnswerTooLarge`. Runs in a worker."""
    kwargs: dict[str, Any] = {}
    if default_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    elif named_graphs or query_dataset(text) is None:
        # the union default graph applies only when the query names no dataset of its own
        # (FROM / FROM NAMED): SPARQL 1.1, section 13.2 (graph.sparqltext)
        kwargs["use_default_graph_as_union"] = True
    if named_graphs:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    if params:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in params.items()}
    result = store.query(text, **kwargs)
    if isinstance(result, ox.QueryBoolean):
        return "ask", ask_json(bool(result)), False
    budget = max_bytes if max_bytes else None
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[dict] = []
        truncated: bool | str = False
        size = 0
        for i, sol in enumerate(result):
            if limit is not None and i >= limit:
                truncated = "rows"
                break
            row = {v: ox_term_json(sol[v]) for v in variables if sol[v] is not None}
            if budget is not None:
                size += _json_size(row)
                if size > budget:
                    if not rows:
                        raise AnswerTooLarge(size)
                    truncated = "bytes"
                    break
            rows.append(row)
        return "select", select_json(variables, rows), truncated
    # CONSTRUCT / DESCRIBE: Oxigraph can repeat triples; de-duplicate, keep the engine's order
    seen, out, truncated, size = set(), [], False, 0
    for t in result:
        line = f"{t.subject} {t.predicate} {t.object} .\n"
        if line in seen:
            continue
        if limit is not None and len(seen) >= limit:
            truncated = "rows"
            break
        if budget is not None:
            size += len(line.encode())
            if size > budget:
                if not out:
                    raise AnswerTooLarge(size)
                truncated = "bytes"
                break
        seen.add(line)
        out.append(line)
    return "graph", "".join(out).encode(), truncated


class AnswerTooLarge(Exception):
    """Raised in a worker: the first row or triple alone is over the byte budget."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(size)


def _json_size(row: dict) -> int:
    return len(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()) + 1


_WORKER_STORE: ox.Store | None = None
_WORKER_DB: str | None = None
#: Why this worker refuses to run queries (the sandbox could not be installed), or None.
_WORKER_REFUSAL: str | None = None
#: Why this worker has no store (it could not be opened), or None.
_WORKER_STORE_ERROR: str | None = None
#: Where this worker holds the store: "memory" or "disk" (graph.residency), and how the copy was made.
_WORKER_MODE: str = "disk"
_WORKER_COPY: str | None = None


def _worker_init(db_path: str, in_memory: bool = False, memory_mb: int | None = None,
                 sandbox_required: bool = False) -> None:
    """Start of a query worker: die with the parent, cap memory, forbid network sockets
    (:mod:`graph.sandbox`), then open the store. A worker that cannot be sandboxed when the
    sandbox is required stays up but refuses every query (no restart loop, no query unguarded)."""
    global _WORKER_STORE, _WORKER_DB, _WORKER_REFUSAL
    import signal

    from . import sandbox
    sandbox.die_with_parent()
    # the worker ignores SIGINT: the parent decides when it stops
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        sandbox.install_network_filter()
    except sandbox.SandboxUnavailable as e:
        if sandbox_required:
            _WORKER_REFUSAL = str(e)
    sandbox.limit_memory(memory_mb)
    _WORKER_DB = db_path
    try:
        on_disk = ox.Store.read_only(db_path)
    except (OSError, RuntimeError, ValueError) as e:
        # a missing or corrupted store: stay up and say so for every query (a worker that
        # exited here would be restarted by the pool at once, again and again)
        global _WORKER_STORE_ERROR
        _WORKER_STORE_ERROR = f"the store at {db_path} cannot be opened: {e}"
        return
    _WORKER_STORE = on_disk
    if in_memory:
        # scans answer 2-10x faster from memory (BENCHMARKS.md); the parent chose memory only
        # when the copy fits this worker's cap and the budget (graph.residency.plan). The
        # copy is made here, under the sandbox: it only reads files (and writes the build's
        # memory image once).
        global _WORKER_MODE, _WORKER_COPY
        from . import residency
        try:
            _WORKER_STORE, _WORKER_COPY = residency.load_copy(on_disk, Path(db_path).parent)
            _WORKER_MODE = "memory"
            del on_disk
        except (MemoryError, OSError, ValueError, SyntaxError) as e:
            _WORKER_COPY = f"failed, serving from disk: {e}"[:300]


def _worker_query(text, params, default_graphs, named_graphs, limit, max_bytes=None):
    """One query in a worker: the lexical check (under the query's time limit, like the
    rest), then the engine. Errors travel back as (kind, message, False) tuples."""
    if _WORKER_REFUSAL is not None:
        return "sandbox-error", _WORKER_REFUSAL.encode(), False
    if _WORKER_STORE is None:
        return "store-error", (_WORKER_STORE_ERROR or "the worker has no store").encode(), False
    return answer_on(_WORKER_STORE, text, params, default_graphs, named_graphs, limit, max_bytes)


def answer_on(store: ox.Store, text: str, params, default_graphs, named_graphs, limit,
              max_bytes=None) -> tuple[str, bytes, bool | str]:
    """One query on an open pyoxigraph store, checked first (:mod:`graph.safety`); errors
    come back as (kind, message, False) for :func:`_to_result` (a worker's answer, or an
    in-process store's: :class:`graph.memory.MemoryStore`)."""
    from .errors import ForbiddenQuery, QueryTooComplex
    try:
        check_query(text)
    except ForbiddenQuery as e:
        return "forbidden", e.message.encode(), False
    except QueryTooComplex as e:
        return "too-complex", e.message.encode(), False
    try:
        return _run_on_store(store, text, params, default_graphs, named_graphs, limit, max_bytes)
    except AnswerTooLarge as e:
        return "too-large", str(e.size).encode(), False
    except MemoryError:
        return "memory", b"", False
    except SyntaxError as e:
        return "syntax-error", str(e).encode(), False
    except PermissionError as e:
        # the sandbox refused a socket: the query tried to reach the network
        return "network", str(e).encode(), False
    except OSError as e:
        return "store-error", str(e).encode(), False
    except (ValueError, TypeError, RuntimeError) as e:  # e.g. a substitution of a variable not projected
        return "query-error", str(e).encode(), False


#: The health worker reopens the store's files at most this often (seconds); between two
#: reopenings a probe costs a query on the open store (the parent also reads CURRENT each time).
HEALTH_REOPEN_SECONDS = 5.0
_LAST_REOPEN: dict[str, Any] = {"at": None, "result": None}


def _worker_health(deadline_ok: bool = True) -> dict:
    """What the health probe asks a worker: it answers, its store answers, and the store's
    files open afresh (a corrupted or missing file fails here even when the open copy
    still answers from its caches; reopened every :data:`HEALTH_REOPEN_SECONDS` at most,
    a failure is never remembered)."""
    out: dict[str, Any] = {"worker": True, "pid": os.getpid(), "sandboxed": _WORKER_REFUSAL is None}
    if _WORKER_STORE is None or _WORKER_DB is None:
        return {**out, "store": False, "has_data": False, "store_error": _WORKER_STORE_ERROR or "no store"}
    t0 = time.perf_counter()
    out["has_data"] = bool(_WORKER_STORE.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
    last = _LAST_REOPEN["at"]
    if last is not None and time.monotonic() - last < HEALTH_REOPEN_SECONDS and _LAST_REOPEN["result"]:
        out.update(_LAST_REOPEN["result"])
    else:
        try:
            fresh = ox.Store.read_only(_WORKER_DB)
            graphs = [g.value for g in fresh.named_graphs()]
            for g in graphs[:3] + graphs[-3:]:
                fresh.query(f"ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
            del fresh
            found = {"store": True, "graphs": len(graphs)}
            _LAST_REOPEN.update(at=time.monotonic(), result=found)
            out.update(found)
        except (OSError, ValueError, RuntimeError, SyntaxError) as e:
            _LAST_REOPEN.update(at=None, result=None)
            out["store"] = False
            out["store_error"] = str(e)[:300]
    out["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def _worker_describe() -> dict:
    """What a query worker holds: ``mode`` (memory or disk), how its copy was made, its pid."""
    return {"pid": os.getpid(), "mode": _WORKER_MODE, "copy": _WORKER_COPY, "store": _WORKER_STORE is not None,
            "sandboxed": _WORKER_REFUSAL is None}


def _check_params(params: Params | None) -> None:
    for name, value in (params or {}).items():
        try:
            to_oxigraph(value)
        except (ValueError, TypeError) as e:
            raise ParameterError(name, f"{value!r} is not a valid RDF term: {e}") from None


def query_hash(text: str) -> str:
    """A short hash of a query's text, for logs (the text itself may be huge or hostile)."""
    import hashlib
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _to_result(kind: str, payload: bytes, truncated, limit, max_bytes, t0: float) -> QueryResult:
    from .errors import ForbiddenQuery, QueryResourceLimit, QueryTooComplex
    if kind == "syntax-error":
        raise QuerySyntaxError(payload.decode(), hint="fix the query at that position")
    if kind == "query-error":
        raise QueryError(f"the engine refused the query: {payload.decode()}")
    if kind == "store-error":
        raise StoreError(f"the store failed while answering: {payload.decode()}")
    if kind == "forbidden":
        raise ForbiddenQuery(payload.decode(), hint="query the remote endpoint directly, or load its data into wckg")
    if kind == "network":
        raise ForbiddenQuery("the query tried to open a network connection, and query workers have no network "
                             "access: SERVICE is not allowed, this endpoint never calls other servers",
                             hint="query the remote endpoint directly, or load its data into wckg")
    if kind == "too-complex":
        raise QueryTooComplex(payload.decode(), hint="flatten or split the query")
    if kind == "too-large":
        raise QueryResourceLimit(f"the answer is larger than the limit of {max_bytes} bytes "
                                 f"(its first row alone is {int(payload or 0)} bytes)", limit="answer-bytes",
                                 hint="select fewer or shorter values (e.g. SUBSTR, no GROUP_CONCAT over everything)")
    if kind == "memory":
        raise QueryResourceLimit("the query needed more memory than a query worker may use and was stopped",
                                 limit="memory", hint="narrow the query (more specific patterns, a LIMIT)")
    if kind == "sandbox-error":
        raise StoreError(f"the query worker refuses to run queries: {payload.decode()}",
                         hint="see the README's security section (WCKG_ALLOW_UNSANDBOXED_QUERIES)")
    return QueryResult(kind, payload, truncated=bool(truncated), limit=limit, elapsed=time.perf_counter() - t0,
                       truncated_by=truncated if isinstance(truncated, str) else ("rows" if truncated else None))


class _Backend:
    """What both backends share: parameter conversion, the mapping of a worker's answer
    to results and errors, shortcuts."""

    settings: Settings
    #: what the backend offers beyond the contract (graph.backend: IMMUTABLE_BUILDS, ...)
    capabilities: frozenset[str] = frozenset()

    def local_store(self) -> ox.Store | None:
        """A read-only pyoxigraph handle in this process on what the backend holds (for the
        library's own fixed queries); None when the data lives elsewhere."""
        return None

    def query(self, text: str, *, params: Params | None = None, timeout: float | None = None,
              limit: int | None = None, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, max_bytes: int | None = None,
              lane: str = "site", cancel: Any = None) -> QueryResult:
        """Run one query. *limit* caps rows, *max_bytes* the size of the answer (whole rows;
        ``truncated_by`` says which cut it), *timeout* its time. *lane* picks the worker pool
        of the embedded store: ``"public"`` for what visitors send (/sparql, named queries),
        ``"site"`` for the site's own pages, so that a flood on one never starves the other.
        SERVICE, LOAD and updates are refused (:mod:`graph.safety`; the embedded store's
        workers also cannot open sockets, :mod:`graph.sandbox`). *cancel*, a
        ``threading.Event``, stops the query when set (the embedded store kills its worker:
        a client that left costs nothing more); other backends ignore it."""
        _check_params(params)
        t0 = time.perf_counter()
        kind, payload, truncated = self._execute(text, dict(params or {}), timeout, limit,
                                                 list(default_graphs or []), list(named_graphs or []),
                                                 max_bytes, lane)
        return _to_result(kind, payload, truncated, limit, max_bytes, t0)

    def select(self, text: str, params: Params | None = None, *, timeout: float | None = None) -> list[dict]:
        """Rows of a SELECT as dicts of rdflib terms; no row cap (library use)."""
        res = self.query(text, params=params, timeout=timeout)
        if res.kind != "select":
            raise QueryError("select() needs a SELECT query")
        return res.rows

    def construct(self, text: str, params: Params | None = None, *, timeout: float | None = None):
        res = self.query(text, params=params, timeout=timeout)
        if res.kind != "graph":
            raise QueryError("construct() needs a CONSTRUCT or DESCRIBE query")
        return res.graph

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs,
                 max_bytes=None, lane="site"):  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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
        manifest = self.layout.manifest()
        if not manifest:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first")
        return _info_from_manifest(manifest, self.layout)

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
        if lane == "health":
            return 1
        return self.workers if lane == "public" else self.settings.site_workers

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
                                             self.settings.worker_memory_mb, sandboxed),
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
            # server gets them) are planned from: 1-3 ms. Both together answer exactly what
            # substitution alone answers (tests/test_query_shapes.py).
            from .queries import bind_as_values
            text = bind_as_values(text, params)
        pool = self._current_pool(lane)
        future = pool.schedule(_worker_query, args=(text, ox_params, default_graphs, named_graphs, limit, max_bytes),
                               timeout=timeout)
        cancel = getattr(_CANCEL, "event", None)
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
            manifest = self.layout.manifest()
            out["build_id"] = (manifest or {}).get("build_id")
            if not manifest:
                return {**out, "ok": False, "failing": "store", "error": "no current build"}
            problem = _store_files_problem(self.layout.db(self.layout.current_build()))
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


def _forkserver():
    """The forkserver context of the query workers, with this module imported in the
    forkserver before it forks: a new worker (at start, or replacing one that died) then
    costs a fork and a store open, not a Python start with pyoxigraph and rdflib imports."""
    import multiprocessing
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["graph.store"])  # no effect once the forkserver runs
    return ctx


def _store_files_problem(db: Path) -> str | None:
    """What is visibly wrong with a RocksDB directory, read without opening it (opening a
    damaged store is left to the workers: a crash there must not take the server down)."""
    try:
        current = (db / "CURRENT").read_bytes()
    except OSError as e:
        return f"the store's CURRENT file is unreadable: {e.strerror}"
    name = current.decode("ascii", "replace").strip()
    if not current.endswith(b"\n") or not name.startswith("MANIFEST-"):
        return "the store's CURRENT file is damaged"
    try:
        if (db / name).stat().st_size == 0:
            return f"the store's {name} is empty"
    except OSError:
        return f"the store's {name} is missing"
    return None


def _expired(e, text: str, lane: str, memory_mb: int | None) -> WckgError:
    """The error for a query whose worker died (pebble replaces the worker)."""
    from .errors import QueryCrashed, QueryResourceLimit
    code = getattr(e, "exitcode", None)
    h = query_hash(text)
    if code in (-6, -9) and memory_mb:
        log.warning("query %s: its worker died (exit %s) past the memory limit of %s MB (%s lane)", h, code,
                    memory_mb, lane)
        return QueryResourceLimit(f"the query needed more than the {memory_mb} MB a query worker may use "
                                  f"and was stopped", limit="memory",
                                  hint="narrow the query (more specific patterns, a LIMIT)")
    log.warning("query %s crashed its worker (exit %s, %s lane); the worker was replaced", h, code, lane)
    return QueryCrashed("the query crashed the query engine and was stopped "
                        f"(its worker died with {'signal ' + str(-code) if code and code < 0 else 'exit ' + str(code)})",
                        hint="simplify the query (less nesting, shorter chains of operators)")


# ======================================================================================
# A remote SPARQL 1.1 server (Protocol + Graph Store HTTP Protocol)
# ======================================================================================

class RemoteStore(_Backend):
    """Any server speaking the SPARQL 1.1 Protocol (query, update) and the Graph Store
    HTTP Protocol: Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune, QLever.

    The default graph must be the union of the named graphs on the server (see README).
    Parameters are sent as a ``VALUES`` block of N-Triples terms serialised by pyoxigraph,
    placed just inside the outermost ``WHERE {`` (see :func:`graph.queries.bind_as_values`):
    the values a user typed never become query text.
    """

    backend = "remote"
    capabilities = frozenset({"query-timeout"})

    def __init__(self, settings: Settings):
        self.settings = settings
        if not settings.remote_query_url:
            raise ConfigError("WCKG_REMOTE_QUERY_URL is not set",
                              hint="set it to the server's SPARQL query endpoint, e.g. http://localhost:7878/query")
        auth = None
        if settings.remote_user:
            pw = settings.remote_password.get_secret_value() if settings.remote_password else ""
            auth = httpx.BasicAuth(settings.remote_user, pw)
        self._client = httpx.Client(auth=auth, timeout=settings.remote_timeout, follow_redirects=False)
        self.layout = StoreLayout(settings.store)

    @property
    def search_index_path(self) -> Path:
        return self.layout.root / "remote-search.sqlite"

    def _request(self, method: str, url: str, **kw) -> httpx.Response:
        try:
            r = self._client.request(method, url, **kw)
        except httpx.TimeoutException:
            raise QueryTimeout(f"{url} did not answer within the time limit") from None
        except httpx.HTTPError as e:
            raise RemoteStoreError(f"cannot reach the SPARQL server at {url}: {e}",
                                   hint="check WCKG_REMOTE_QUERY_URL and that the server is running") from None
        if r.status_code == 400:
            raise QuerySyntaxError(f"the server at {url} rejected the query: {r.text[:500]}")
        if r.status_code >= 400:
            raise RemoteStoreError(f"{method} {url} failed with HTTP {r.status_code}: {r.text[:300]}",
                                   hint="check the URL, credentials and the server's log")
        return r

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs, max_bytes=None, lane="site"):
        # a remote server cannot be sandboxed from here: the lexical check is the guard
        # (configure the server itself to refuse SERVICE, see README)
        check_query(text)
        if params:
            # a VALUES block inside the outermost WHERE, so the query's FILTERs see the
            # values as they do with pyoxigraph's substitutions (a trailing VALUES would not)
            from .queries import bind_as_values
            text = bind_as_values(text, params)
        if not default_graphs and not named_graphs:
            # the server's union default graph would replace the query's FROM / FROM NAMED:
            # send them as the Protocol's dataset parameters, which it honours
            ds = query_dataset(text)
            if ds is not None:
                default_graphs, named_graphs = ds.default, ds.named
        form_params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs]
        form_params += [("named-graph-uri", g) for g in named_graphs]
        headers = {"Content-Type": "application/sparql-query",
                   "Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
        r = self._request("POST", self.settings.remote_query_url, content=text.encode(), headers=headers,
                          params=form_params, timeout=timeout or self.settings.remote_timeout)
        if max_bytes and len(r.content) > max_bytes * 2:
            return "too-large", str(len(r.content)).encode(), False
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        if ctype in ("application/sparql-results+json", "application/json"):
            data = r.json()
            if "boolean" in data:
                return "ask", ask_json(data["boolean"]), False
            rows = data["results"]["bindings"]
            truncated = limit is not None and len(rows) > limit
            return "select", select_json(data["head"].get("vars", []), rows[:limit] if truncated else rows), truncated
        if ctype in ("application/n-triples", "text/plain"):
            lines = list(dict.fromkeys(line for line in r.text.splitlines(keepends=True) if line.strip()))
            truncated = limit is not None and len(lines) > limit
            return "graph", "".join(lines[:limit] if truncated else lines).encode(), truncated
        raise RemoteStoreError(f"{self.settings.remote_query_url} answered with unexpected type {ctype!r}")

    def health(self, timeout: float) -> dict:
        """Ask the server directly (never a cache) within *timeout* seconds."""
        out: dict[str, Any] = {"backend": "remote"}
        t0 = time.perf_counter()
        try:
            r = self._client.post(self.settings.remote_query_url, content=b"ASK { GRAPH ?g { ?s ?p ?o } }",
                                  headers={"Content-Type": "application/sparql-query",
                                           "Accept": "application/sparql-results+json"}, timeout=timeout)
            r.raise_for_status()
            has_data = bool(r.json().get("boolean"))
        except (httpx.HTTPError, ValueError) as e:
            return {**out, "ok": False, "failing": "store", "error": type(e).__name__,
                    "ms": round((time.perf_counter() - t0) * 1000, 1)}
        return {**out, "ok": has_data, "store": True, "has_data": has_data,
                "ms": round((time.perf_counter() - t0) * 1000, 1), **({} if has_data else {"failing": "store"})}

    def ready(self) -> dict:
        return {"ok": True, "store": True}

    def info(self) -> BuildInfo:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        graphs = {str(r["g"]): int(r["n"]) for r in rows}
        manifest = self._local_manifest()
        return BuildInfo(build_id=manifest.get("build_id", "remote"), built_at=manifest.get("built_at", ""),
                         triples=sum(graphs.values()), graphs=graphs, files=manifest.get("files", {}),
                         backend="remote", location=self.settings.remote_query_url)

    def _manifest_path(self) -> Path:
        import hashlib
        key = hashlib.sha256((self.settings.remote_gsp_url or self.settings.remote_query_url).encode()).hexdigest()[:12]
        return self.layout.root / f"remote-{key}.json"

    def _local_manifest(self) -> dict:
        p = self._manifest_path()
        return json.loads(p.read_text()) if p.is_file() else {}

    def build(self, *, force: bool = False, validate: str = "changed",
              progress: Callable[[str, int, int], None] | None = None,
              files: Sequence[DataFile] | None = None) -> BuildReport:
        """Validate locally, then PUT each changed named graph over the Graph Store Protocol.
        Each PUT replaces one graph atomically on the server; nothing is sent when the
        validation fails."""
        if not self.settings.remote_gsp_url:
            raise ConfigError("WCKG_REMOTE_GSP_URL is not set",
                              hint="set it to the server's Graph Store Protocol endpoint, e.g. http://localhost:7878/store")
        files = list(files) if files is not None else discover(self.settings)
        new_manifest = file_manifest(files, self.settings)
        old = self._local_manifest()
        changed, removed = changed_graphs(old.get("files", {}), new_manifest)
        if force or not old:
            changed = {f.graph for f in files}
        t0 = time.perf_counter()
        report = None
        if validate != "none" and (changed or removed):
            from .validate import validate as run_validation
            scope = None if (validate == "full" or force or not old or
                             changed & {str(GRAPH_ONTOLOGY), str(GRAPH_REFERENCE)}) else set(changed)
            report = run_validation(self.settings, files, graphs=scope)
            if not report.conforms:
                raise ValidationFailed(report)
        validate_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i, g in enumerate(sorted(changed), 1):
            quads = [q for f in files if f.graph == g for q in iter_quads(f, base_iri=self.settings.base_iri)]
            body = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                                format=ox.RdfFormat.N_TRIPLES)
            self._request("PUT", self.settings.remote_gsp_url, params={"graph": rebase(g, self.settings.base_iri)},
                          content=body,
                          headers={"Content-Type": "application/n-triples"})
            if progress:
                progress(f"PUT {g}", i, len(changed))
        for g in sorted(removed):
            self._request("DELETE", self.settings.remote_gsp_url, params={"graph": rebase(g, self.settings.base_iri)})
        if changed or removed:
            self._put_derived(files)
        load_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        from . import search
        self.layout.root.mkdir(parents=True, exist_ok=True)
        search.build_index_from_backend(self, self.search_index_path, base=self.settings.base_iri)
        index_seconds = time.perf_counter() - t0
        build_id = _new_build_id(new_manifest)
        info_graphs = self.info().graphs
        manifest = {"build_id": build_id, "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "files": new_manifest, "graphs": info_graphs, "triples": sum(info_graphs.values())}
        tmp = self._manifest_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True))
        os.replace(tmp, self._manifest_path())
        return BuildReport(build_id, sorted(changed), sorted(set(info_graphs) - changed), sorted(removed),
                           manifest["triples"], load_seconds, validate_seconds, index_seconds, validation=report,
                           up_to_date=not changed and not removed)

    def _put_derived(self, files: Sequence[DataFile]) -> None:
        """The derived graph (graph.derived) of the files, computed here on an in-memory
        copy and PUT like any other graph (replacing the one of the previous build)."""
        from . import derived
        mem = ox.Store()
        mem.bulk_extend(q for f in files for q in iter_quads(f, base_iri=self.settings.base_iri))
        derived.derive(mem, self.settings.base_iri)
        g = derived.graph_name(self.settings.base_iri)
        body = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in mem.quads_for_pattern(None, None, None, g)),
                            format=ox.RdfFormat.N_TRIPLES)
        self._request("PUT", self.settings.remote_gsp_url, params={"graph": g.value}, content=body,
                      headers={"Content-Type": "application/n-triples"})

    def close(self) -> None:
        self._client.close()


# ======================================================================================

def open_backend(settings: Settings) -> EmbeddedStore | RemoteStore:
    """The backend the settings choose (``WCKG_BACKEND``: embedded or remote)."""
    if settings.backend == "remote":
        return RemoteStore(settings)
    return EmbeddedStore(settings)
