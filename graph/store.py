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
import fcntl
import gc
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from .config import Settings
from .errors import (ConfigError, ParameterError, QueryError, QuerySyntaxError, QueryTimeout, RemoteStoreError, StoreError,
                     ValidationFailed)
from .load import DataFile, discover, iter_quads
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, WCID_DEFAULT
from .results import QueryResult, ask_json, select_json
from .safety import check_query
from .sparqltext import query_dataset
from .terms import ox_term_json, to_ntriples, to_oxigraph, to_rdflib

Params = Mapping[str, Any]  # variable name → rdflib term

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
                  limit: int | None) -> tuple[str, bytes, bool]:
    """Execute on an open pyoxigraph store; returns (kind, payload, truncated). Runs in a worker."""
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
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows, truncated = [], False
        for i, sol in enumerate(result):
            if limit is not None and i >= limit:
                truncated = True
                break
            rows.append({v: ox_term_json(sol[v]) for v in variables if sol[v] is not None})
        return "select", select_json(variables, rows), truncated
    # CONSTRUCT / DESCRIBE: Oxigraph can repeat triples; de-duplicate, keep the engine's order
    seen, out, truncated = set(), [], False
    for t in result:
        line = f"{t.subject} {t.predicate} {t.object} .\n"
        if line in seen:
            continue
        if limit is not None and len(seen) >= limit:
            truncated = True
            break
        seen.add(line)
        out.append(line)
    return "graph", "".join(out).encode(), truncated


_WORKER_STORE: ox.Store | None = None


def _worker_init(db_path: str, in_memory: bool = False) -> None:
    global _WORKER_STORE
    # the worker ignores SIGINT: the parent decides when it stops
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    on_disk = ox.Store.read_only(db_path)
    if in_memory:
        # scans answer 3-6x faster from memory (BENCHMARKS.md); costs ~1.7 GB per worker at 5M triples
        _WORKER_STORE = ox.Store()
        _WORKER_STORE.bulk_extend(on_disk.quads_for_pattern(None, None, None, None))
        del on_disk
    else:
        _WORKER_STORE = on_disk


def _worker_query(text, params, default_graphs, named_graphs, limit):
    assert _WORKER_STORE is not None
    try:
        return _run_on_store(_WORKER_STORE, text, params, default_graphs, named_graphs, limit)
    except SyntaxError as e:
        return "syntax-error", str(e).encode(), False
    except OSError as e:
        return "store-error", str(e).encode(), False
    except (ValueError, TypeError, RuntimeError) as e:  # e.g. a substitution of a variable not projected
        return "query-error", str(e).encode(), False


def _check_params(params: Params | None) -> None:
    for name, value in (params or {}).items():
        try:
            to_oxigraph(value)
        except (ValueError, TypeError) as e:
            raise ParameterError(name, f"{value!r} is not a valid RDF term: {e}") from None


class _Backend:
    """What both backends share: the safety check, parameter conversion, shortcuts."""

    settings: Settings

    def query(self, text: str, *, params: Params | None = None, timeout: float | None = None,
              limit: int | None = None, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        check_query(text)
        _check_params(params)
        t0 = time.perf_counter()
        kind, payload, truncated = self._execute(text, dict(params or {}), timeout, limit,
                                                 list(default_graphs or []), list(named_graphs or []))
        if kind == "syntax-error":
            raise QuerySyntaxError(payload.decode(), hint="fix the query at that position")
        if kind == "query-error":
            raise QueryError(f"the engine refused the query: {payload.decode()}")
        if kind == "store-error":
            raise StoreError(f"the store failed while answering: {payload.decode()}")
        return QueryResult(kind, payload, truncated=truncated, limit=limit, elapsed=time.perf_counter() - t0)

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

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs):  # pragma: no cover
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

    def __init__(self, settings: Settings, *, workers: int | None = None):
        self.settings = settings
        self.layout = StoreLayout(settings.store)
        self.workers = workers or settings.query_workers
        self._pool = None
        self._pool_build: Path | None = None
        import threading
        from collections import OrderedDict
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple, QueryResult] = OrderedDict()
        if self.layout.current_build() is None:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first (or set WCKG_STORE)")

    @property
    def search_index_path(self) -> Path:
        build = self.layout.current_build()
        if build is None:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first")
        return build / "search.sqlite"

    def info(self) -> BuildInfo:
        manifest = self.layout.manifest()
        if not manifest:
            raise StoreError(f"no store at {self.layout.root}", hint="run `wckg build` first")
        return _info_from_manifest(manifest, self.layout)

    def _current_pool(self):
        """The worker pool for the current build; replaced when a rebuild swapped the store."""
        from pebble import ProcessPool
        build = self.layout.current_build()
        if build is None:
            raise StoreError(f"the store at {self.layout.root} has no current build", hint="run `wckg build`")
        with self._lock:
            if self._pool is None or build != self._pool_build:
                old = self._pool
                import multiprocessing
                self._pool = ProcessPool(max_workers=self.workers, initializer=_worker_init,
                                         initargs=(str(self.layout.db(build)), self.settings.in_memory),
                                         context=multiprocessing.get_context("forkserver"))
                self._pool_build = build
                if old is not None:
                    old.close()  # lets running queries on the previous build finish
            return self._pool

    def query(self, text: str, *, params: Params | None = None, timeout: float | None = None,
              limit: int | None = None, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None) -> QueryResult:
        """As :meth:`_Backend.query`, with answers kept per build: a build never changes
        once made, so an answer stays right until the next build swaps in (which misses
        the cache, since the build id is part of the key)."""
        _check_params(params)
        build = self.layout.current_build()
        key = (build.name if build else None, text,
               tuple(sorted((k, to_ntriples(v)) for k, v in (params or {}).items())),
               limit, tuple(default_graphs or ()), tuple(named_graphs or ()))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        res = super().query(text, params=params, timeout=timeout, limit=limit,
                            default_graphs=default_graphs, named_graphs=named_graphs)
        if build is not None and len(res.payload) <= CACHE_MAX_BYTES:
            with self._lock:
                self._cache[key] = res
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return res

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs):
        ox_params = {k: to_oxigraph(v) for k, v in params.items()}
        pool = self._current_pool()
        future = pool.schedule(_worker_query, args=(text, ox_params, default_graphs, named_graphs, limit),
                               timeout=timeout)
        try:
            return future.result()
        except FutureTimeout:
            raise QueryTimeout(f"the query ran past its time limit of {timeout:g} s and was stopped",
                               hint="narrow the query (filters, LIMIT) or raise --timeout") from None
        except Exception as e:  # the worker died (pebble.ProcessExpired) or could not open the store
            raise StoreError(f"the query worker failed: {e}", hint="try again; if it repeats, rebuild the store") from None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join(timeout=5)
                self._pool = None


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

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs):
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

    def close(self) -> None:
        self._client.close()


# ======================================================================================

def open_backend(settings: Settings) -> EmbeddedStore | RemoteStore:
    """The backend the settings choose (``WCKG_BACKEND``: embedded or remote)."""
    if settings.backend == "remote":
        return RemoteStore(settings)
    return EmbeddedStore(settings)
