"""What the store backends share: build metadata (:class:`BuildInfo`, :class:`BuildReport`,
file manifests), the embedded store's directory layout (:class:`StoreLayout`), and the query
plumbing every backend inherits (:class:`_Backend`). ``graph.store`` re-exports every name."""
from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .config import Settings
from .errors import QueryError, StoreError
from .load import DataFile
from .namespaces import WCID_DEFAULT
from .results import QueryResult
from .workers import Params, _check_params, _run_on_store, _to_result

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
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
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
