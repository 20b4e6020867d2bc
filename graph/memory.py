"""The in-memory store: :class:`graph.backend.Backend` over a pyoxigraph store in this
process, filled from the project's files (:meth:`MemoryStore.from_files`, no build needed)
or from quads. For tests, scripts and one-off checks; queries run in this thread, so a
``timeout`` is not enforced (no ``query-timeout`` capability)."""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from .backend import IMMUTABLE_BUILDS, LOCAL_STORE
from .config import Settings
from .load import discover, iter_quads
from .store import BuildInfo, _Backend, answer_on


class MemoryStore(_Backend):
    """A pyoxigraph ``Store()`` in memory; its build id is a hash of its quads."""

    backend = "memory"
    capabilities = frozenset({IMMUTABLE_BUILDS, LOCAL_STORE})

    def __init__(self, quads: Iterable[ox.Quad] = (), *, settings: Settings | None = None,
                 derive: bool = False, keep_quads: bool = False, store: ox.Store | None = None):
        """*quads* in a new in-memory store, or added to the open *store* given (served as it
        is, not copied: the build publishes its new store so). *derive*: with the derived
        graph a build computes. *keep_quads*: keep the quads as given in :attr:`quads`."""
        self.settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
        if keep_quads:
            quads = list(quads)
        #: the quads as given (None unless *keep_quads*): Oxigraph stores numbers by value
        #: ("48.0"^^xsd:decimal comes back as "48"), and a dump of the files should keep the
        #: files' lexical forms (graph.publish reads these rather than the store)
        self.quads: list[ox.Quad] | None = quads if keep_quads else None  # type: ignore[assignment]
        self.store = store if store is not None else ox.Store()
        self.store.bulk_extend(quads)
        if derive:
            # the derived graph a build computes (graph.derived), so the memory store
            # answers what a built store answers
            from . import derived
            derived.derive(self.store, self.settings.base_iri)
        self._info: BuildInfo | None = None   # (on first use: hashing every quad takes a while)
        self._index_dir: tempfile.TemporaryDirectory | None = None

    @classmethod
    def from_files(cls, settings: Settings) -> MemoryStore:
        """The project's files (:func:`graph.load.discover`) as a build loads them, with the
        build's derived graph."""
        return cls((q for f in discover(settings) for q in iter_quads(f, base_iri=settings.base_iri)),
                   settings=settings, derive=True)

    def _graph_counts(self) -> dict[str, int]:
        rows = self.store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        assert isinstance(rows, ox.QuerySolutions)
        return {r["g"].value: int(r["n"].value) for r in rows}

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs, max_bytes=None, lane="site"):
        from .terms import to_oxigraph
        ox_params = {k: to_oxigraph(v) for k, v in params.items()}
        return answer_on(self.store, text, ox_params, default_graphs, named_graphs, limit, max_bytes)

    def info(self) -> BuildInfo:
        if self._info is None:
            lines = sorted(str(q) for q in self.store)
            digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:10]
            self._info = BuildInfo(build_id=f"memory-{digest}",
                                   built_at=datetime.now(UTC).isoformat(timespec="seconds"), triples=len(lines),
                                   graphs=self._graph_counts(), backend="memory", location="memory")
        return self._info

    def local_store(self) -> ox.Store:
        return self.store

    @property
    def search_index_path(self) -> Path:
        """A label index of the data, written on first use into a temporary directory."""
        if self._index_dir is None:
            from . import search
            self._index_dir = tempfile.TemporaryDirectory(prefix="wckg-memory-index-")
            search.build_index_from_backend(self, Path(self._index_dir.name) / "search.sqlite",
                                            base=self.settings.base_iri)
        return Path(self._index_dir.name) / "search.sqlite"

    def health(self, timeout: float) -> dict:
        has_data = len(self.store) > 0
        return {"backend": "memory", "ok": has_data, "store": True, "has_data": has_data,
                **({} if has_data else {"failing": "store"})}

    def ready(self) -> dict:
        return {"ok": True, "store": True}

    def close(self) -> None:
        if self._index_dir is not None:
            self._index_dir.cleanup()
            self._index_dir = None


__all__ = ["MemoryStore"]
