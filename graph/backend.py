"""The backend contract: what the library and the site ask of a store.

Three stores implement it: :class:`graph.store.EmbeddedStore` (the pyoxigraph store on
disk, queried through worker processes), :class:`graph.store.RemoteStore` (any SPARQL 1.1
server) and :class:`graph.memory.MemoryStore` (a pyoxigraph store in this process, filled
from the project's files or from quads). Code that takes a store types it
:class:`Backend` and asks :attr:`Backend.capabilities` what it may rely on beyond the
contract, never which class or ``backend`` name it has.

Capabilities:

``immutable-builds`` (:data:`IMMUTABLE_BUILDS`)
    the data changes only with ``info().build_id``: an answer may be cached under the
    build id (embedded and in-memory stores; not a remote server, which others can write to).
``local-store`` (:data:`LOCAL_STORE`)
    :meth:`Backend.local_store` gives a read-only pyoxigraph handle in this process, for
    the library's own fixed queries where JSON between processes costs more than the query.
``query-timeout`` (:data:`QUERY_TIMEOUT`)
    a query past its ``timeout`` is stopped (a worker killed, a server's time limit), not
    only abandoned.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # types only: the stores import nothing from here at run time
    import pyoxigraph as ox
    from rdflib import Graph

    from .results import QueryResult
    from .store import BuildInfo

IMMUTABLE_BUILDS = "immutable-builds"
LOCAL_STORE = "local-store"
QUERY_TIMEOUT = "query-timeout"
#: Every capability a backend may declare.
CAPABILITIES = frozenset({IMMUTABLE_BUILDS, LOCAL_STORE, QUERY_TIMEOUT})


@runtime_checkable
class Backend(Protocol):
    """A store the library can query. Queries pass :func:`graph.safety.check_query`
    first; parameters (``params``: variable name → rdflib term) are bound by the engine."""

    #: "embedded", "remote" or "memory": for messages and /-/version, not for decisions
    backend: str
    #: what this backend offers beyond the contract (see the module docstring)
    capabilities: frozenset[str]

    def query(self, text: str, *, params: Mapping[str, Any] | None = None, timeout: float | None = None,
              limit: int | None = None, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None, max_bytes: int | None = None,
              lane: str = "site", cancel: Any = None) -> QueryResult:
        """One query: a :class:`graph.results.QueryResult` (rows, boolean or graph, and
        every standard serialisation); *limit* caps rows, *max_bytes* the answer's size;
        *cancel* (a ``threading.Event``) stops it when set, where the backend can."""
        ...

    def select(self, text: str, params: Mapping[str, Any] | None = None, *,
               timeout: float | None = None) -> list[dict]:
        """Rows of a SELECT as dicts of rdflib terms, no row cap (library use)."""
        ...

    def construct(self, text: str, params: Mapping[str, Any] | None = None, *,
                  timeout: float | None = None) -> Graph:
        """The graph of a CONSTRUCT or DESCRIBE."""
        ...

    def info(self) -> BuildInfo:
        """What the store holds now: build id and time, triples, named graphs and their sizes."""
        ...

    @property
    def search_index_path(self) -> Path:
        """The label index of the data (:mod:`graph.search`)."""
        ...

    def local_store(self) -> ox.Store | None:
        """A read-only pyoxigraph handle in this process (``local-store``), else None."""
        ...

    def health(self, timeout: float) -> dict:
        """A check of the store within *timeout* seconds: ``{"ok": bool, ...}``; raises nothing."""
        ...

    def ready(self) -> dict:
        """Cheap readiness (no query): ``{"ok": bool, ...}``."""
        ...

    def close(self) -> None:
        """Release workers, connections and files."""
        ...


__all__ = ["Backend", "CAPABILITIES", "IMMUTABLE_BUILDS", "LOCAL_STORE", "QUERY_TIMEOUT"]
