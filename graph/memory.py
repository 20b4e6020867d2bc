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
                 derive: bool = False):
        self.settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
        self.store = ox.Store()
        self.store.bulk_extend(quads)
        if derive:
            # the derived graph a build computes (graph.derived), so the memory store
            # answers what a built store answers
            from . import derived
            derived.derive(self.store, self.settings.base_iri)
        lines = sorted(str(q) for q in self.store)
        digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:10]
        self._info = BuildInfo(build_id=f"memory-{digest}", built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                               triples=len(lines), graphs=self._graph_counts(), backend="memory", location="memory")
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
