"""The query workers of the embedded store, and what passes between them and the parent.

A worker (a process of a pebble pool, forked by a forkserver that preloaded
:mod:`graph.store`) is set up by :func:`_worker_init`: it dies with its parent, installs the
network sandbox (:mod:`graph.sandbox`), caps its memory, then opens the build read-only, or
copies it into memory when the parent chose memory (:mod:`graph.residency`). It runs
queries with :func:`_worker_query` (the lexical check of :mod:`graph.safety`, then the engine)
and answers the health probe with :func:`_worker_health`. An answer travels back as a
``(kind, payload, truncated)`` tuple that :func:`_to_result` turns into a
:class:`~graph.results.QueryResult` or the matching error in the parent. ``graph.store``
re-exports these names (``from graph.store import answer_on`` keeps working).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import pyoxigraph as ox

from .errors import ParameterError, QueryError, QuerySyntaxError, StoreError, WckgError
from .results import QueryResult, ask_json, select_json
from .safety import refusal
from .sparqltext import query_dataset
from .terms import ox_term_json, to_oxigraph

Params = Mapping[str, Any]  # variable name → rdflib term
ResultKind = Literal["select", "ask", "graph"]  # what is left once every error kind raised

log = logging.getLogger("wckg.store")


def _run_on_store(store: ox.Store, text: str, params: Mapping[str, Any] | None,
                  default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None,
                  limit: int | None, max_bytes: int | None = None) -> tuple[ResultKind, bytes, bool | str]:
    """Execute on an open pyoxigraph store; the answer as :func:`collect_answer` makes it.
    Runs in a worker."""
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
    return collect_answer(store.query(text, **kwargs), limit, max_bytes)


# long: the engine's three answer kinds, each with its row and byte caps, in one pass
def collect_answer(result: Any, limit: int | None, max_bytes: int | None = None,  # noqa: C901 (three answer kinds, row and byte caps)
                   deadline: Callable[[], None] | None = None) -> tuple[ResultKind, bytes, bool | str]:
    """An engine's answer (a pyoxigraph ``QueryBoolean``, ``QuerySolutions``, or triples or
    quads: an embedded store's or one parsed from a remote server's stream) as (kind,
    payload, truncated), where truncated is False, "rows" (*limit* cut the result) or
    "bytes" (the answer would have grown past *max_bytes*; whole rows only, each counted
    as it is serialised here). An answer whose first row alone is larger than *max_bytes*
    raises :class:`AnswerTooLarge`. *deadline*, called before each row, may raise to stop.
    A source that raises :class:`AnswerCut` while it is read (a remote answer past the
    bytes it may send) ends the answer at the rows before, as the byte cap would."""
    if isinstance(result, ox.QueryBoolean):
        return "ask", ask_json(bool(result)), False
    budget = max_bytes if max_bytes else None
    cut: list[int] = []
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[dict] = []
        truncated: bool | str = False
        size = 0
        for i, sol in enumerate(_until_cut(result, cut)):
            if deadline is not None:
                deadline()
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
        if cut:
            if not rows:
                raise AnswerTooLarge(cut[0])
            truncated = "bytes"
        return "select", select_json(variables, rows), truncated
    # CONSTRUCT / DESCRIBE: Oxigraph can repeat triples; de-duplicate, keep the engine's order
    seen: set[str] = set()
    out: list[str] = []
    truncated, size = False, 0
    for t in _until_cut(result, cut):
        if deadline is not None:
            deadline()
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
    if cut:
        if not out:
            raise AnswerTooLarge(cut[0])
        truncated = "bytes"
    return "graph", "".join(out).encode(), truncated


class AnswerCut(Exception):
    """Raised by the source of an answer while it is read: no more bytes may be read (the
    rows read so far stand, cut as by the byte cap)."""

    def __init__(self, size: int):
        self.size = size
        super().__init__(size)


def _until_cut(items: Any, cut: list[int]) -> Iterator[Any]:
    """*items* until their source raises :class:`AnswerCut` (its size then appended to *cut*)."""
    try:
        yield from items
    except AnswerCut as e:
        cut.append(e.size)


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
                 sandbox_required: bool = False, nice: int = 0) -> None:
    """Start of a query worker: die with the parent, cap memory, forbid network sockets
    (:mod:`graph.sandbox`), lower its CPU priority by *nice* (the public lane's workers:
    a visitor's runaway query must not take the CPU from the web process, the site's pages
    and the health probe), then open the store. A worker that cannot be sandboxed when the
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
    if nice > 0:
        # only ever raised (an unprivileged process cannot lower it again): a query cannot undo it
        os.nice(nice)
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
    refused = refusal(text)
    if refused is not None:
        return refused
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


def _worker_health() -> dict:
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
    return QueryResult(cast(ResultKind, kind), payload, truncated=bool(truncated), limit=limit, elapsed=time.perf_counter() - t0,
                       truncated_by=truncated if isinstance(truncated, str) else ("rows" if truncated else None))


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
