"""The network table of a build: what every network page starts from, computed once per
build and kept beside the store, so that no request fetches and builds the whole graph.

``builds/{id}/network/table.pickle``  the :class:`GraphData` of the build with its ego index
                                      (which agent takes which role in which activity, and
                                      where each agent's activities are: the bipartite
                                      adjacency ego networks walk, :mod:`.ego`), and the
                                      default partnership network (strong ties, no people, no
                                      roll-up: its links with tie kinds, weights, years and
                                      evidence) with every metric, and the BAR codes of the
                                      indicators (:func:`graph.indicators.compute`)
``builds/{id}/network/catalogue.pickle``  the small part the web process needs to check a
                                      request (agents and their labels, countries, topics, the
                                      years): no incidence, no network

``builds/{id}/network/rows.pickle``   the rows of the fetch the table was made from
                                      (:func:`.data.fetch_rows`), for the next rebuild's patch
``builds/{id}/network/pending.json``  after a rebuild: whose rows ``rows.pickle`` holds (a
                                      link to an earlier build's file) and what changed since
                                      (:class:`.patch.Change`)

All are written atomically (a temporary file renamed) and carry the build id and
:data:`FORMAT`; a file of another build or format counts as missing. ``wckg build`` writes
them on a full build. An incremental rebuild (one changed article) only links the rows of
the build before and records what changed (:func:`carry`), so it stays cheap; the network
worker (:mod:`.pool`) then computes the table once, on the first network request, from
those rows patched for the change (:mod:`.patch`: the changed resources fetched again,
not the whole graph). A pickle is trusted input here: it is written by the build and read
by the same installation, never taken from a request.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from ..atomic import atomic_open, atomic_write
from .build import partnership_network
from .data import GraphData, Rows, assemble, fetch_rows
from .ego import index_of
from .metrics import Metrics, compute_metrics, yearly_summaries
from .vocab import YEARS_ON_PAGE_MAX

#: Bump when what the table holds changes shape: older files are then computed again.
FORMAT = 2
DIRNAME = "network"
TABLE = "table.pickle"
CATALOGUE = "catalogue.pickle"
ROWS = "rows.pickle"
PENDING = "pending.json"


@dataclass
class NetworkTable:
    build_id: str
    data: GraphData
    #: the default partnership network and its metrics
    network: nx.Graph
    metrics: Metrics
    #: its per-year summaries (the page's table), when it has at most YEARS_ON_PAGE_MAX nodes
    years: list[dict] | None = None
    #: the indicators' codes of every event and agreement (graph.indicators.IndicatorData)
    indicators: Any = None
    format: int = FORMAT
    timings: dict[str, float] = field(default_factory=dict)


class _Store:
    """The ``local_store()`` of an open pyoxigraph store, for :func:`fetch_graph_data`."""

    capabilities = frozenset({"local-store"})

    def __init__(self, store: Any):
        self._store = store

    def local_store(self) -> Any:
        return self._store


def compute(store: Any, build_id: str, *, patch: tuple[Rows, Any] | None = None) -> tuple[NetworkTable, Rows]:
    """The table of the build whose (open) pyoxigraph *store* is given, and the rows it was
    made from; *patch*: the rows of an earlier build and the :class:`.patch.Change` since
    (fetched again for what changed only)."""
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    if patch is not None:
        from .patch import patch_rows
        rows = patch_rows(_Store(store), *patch)
        t["patch"] = time.perf_counter() - t0
    else:
        rows = fetch_rows(_Store(store))
        t["fetch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = assemble(rows)
    t["assemble"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    index_of(data)
    t["index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    G = partnership_network(data)
    t["partnership"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    metrics = compute_metrics(G)
    t["metrics"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    years = yearly_summaries(data) if G.number_of_nodes() <= YEARS_ON_PAGE_MAX else None
    t["years"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from .. import indicators   # it reads this package's data: imported here, not at the top
    codes = indicators.compute(_Store(store), data)
    indicators.index(codes)
    t["indicators"] = time.perf_counter() - t0
    return NetworkTable(build_id, data, G, metrics, years, indicators=codes, timings=t), rows


def catalogue(data: GraphData) -> GraphData:
    """What a request is checked against (filters, focus, the page's lists), without the
    incidences: agents, countries, topics and the years."""
    return GraphData(agents=data.agents, activities={}, incidences=[], topics=data.topics,
                     countries=data.countries, parents=data.parents, serial=data.serial,
                     span=data.years())


def _write(path: Path, obj: Any) -> None:
    with atomic_open(path) as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def write(build_dir: Path, table: NetworkTable, rows: Rows) -> None:
    """Write the rows, the table and its catalogue into *build_dir* (each file atomically)."""
    d = build_dir / DIRNAME
    d.mkdir(exist_ok=True)
    _write(d / ROWS, (FORMAT, table.build_id, rows))
    _write(d / CATALOGUE, (FORMAT, table.build_id, catalogue(table.data)))
    _write(d / TABLE, table)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(d / PENDING)


def carry(previous_dir: Path, build_dir: Path, change: Any) -> bool:
    """After a rebuild: link the rows of the build in *previous_dir* (or of the build its
    own pending patch starts from) into *build_dir* and record *change* (a
    :class:`.patch.Change`, merged with what the previous build had pending), so that the
    network worker patches them instead of fetching the whole graph. False (and nothing
    written) when there are no rows to start from or an axiom changed."""
    prev = previous_dir / DIRNAME
    if change.whole or not (prev / ROWS).is_file():
        return False
    if (prev / TABLE).is_file() and not (prev / PENDING).is_file():
        base, since = previous_dir.name, change
    else:
        pending = _pending(prev)
        if pending is None:
            return False
        from .patch import Change
        base, since = pending[0], Change.from_json(pending[1]).merged(change)
    if since.whole:
        return False
    d = build_dir / DIRNAME
    d.mkdir(exist_ok=True)
    try:
        os.link(prev / ROWS, d / ROWS)
    except OSError:  # (no hard links here: the worker fetches whole, as before)
        return False
    atomic_write(d / PENDING, json.dumps({"format": FORMAT, "base": base, "change": since.to_json()}, sort_keys=True))
    return True


def _pending(d: Path) -> tuple[str, dict] | None:
    try:
        p = json.loads((d / PENDING).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(p, dict) or p.get("format") != FORMAT or not isinstance(p.get("change"), dict):
        return None
    return str(p["base"]), p["change"]


def _patch_of(build_dir: Path) -> tuple[Rows, Any] | None:
    """The rows to patch and the change, when a rebuild left them (:func:`carry`)."""
    d = build_dir / DIRNAME
    pending = _pending(d)
    if pending is None:
        return None
    found = _read(d / ROWS)
    if not (isinstance(found, tuple) and len(found) == 3 and found[0] == FORMAT and found[1] == pending[0]):
        return None
    from .patch import Change
    return found[2], Change.from_json(pending[1])


def _read(path: Path) -> Any:
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def load(build_dir: Path, build_id: str) -> NetworkTable | None:
    """The table of *build_dir*, or None when it is missing or of another build or format."""
    t = _read(build_dir / DIRNAME / TABLE)
    if isinstance(t, NetworkTable) and t.format == FORMAT and t.build_id == build_id:
        return t
    return None


def load_catalogue(build_dir: Path, build_id: str) -> GraphData | None:
    c = _read(build_dir / DIRNAME / CATALOGUE)
    if isinstance(c, tuple) and len(c) == 3 and c[0] == FORMAT and c[1] == build_id:
        return c[2]
    return None


def ensure(build_dir: Path, build_id: str, db: Path) -> NetworkTable:
    """The table of the build, computed from its store *db* (read-only) and written when
    it is missing: under a lock, so that several processes compute it once."""
    found = load(build_dir, build_id)
    if found is not None:
        return found
    (build_dir / DIRNAME).mkdir(exist_ok=True)
    with open(build_dir / DIRNAME / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = load(build_dir, build_id)
        if found is not None:
            return found
        import pyoxigraph as ox
        table, rows = compute(ox.Store.read_only(str(db)), build_id, patch=_patch_of(build_dir))
        write(build_dir, table, rows)
        return table


def with_serial(table: NetworkTable, serial: int) -> NetworkTable:
    """The table with its data's serial set (a cache key unique per load in a process)."""
    return replace(table, data=replace(table.data, serial=serial))
