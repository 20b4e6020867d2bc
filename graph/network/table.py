"""The network table of a build: what every network page starts from, computed once per
build and kept beside the store, so that no request fetches and builds the whole graph.

``builds/{id}/network/table.pickle``  the :class:`GraphData` of the build with its ego index
                                      (which agent takes which role in which activity, and
                                      where each agent's activities are: the bipartite
                                      adjacency ego networks walk, :mod:`.ego`), and the
                                      default partnership network (strong ties, no people, no
                                      roll-up: its links with tie kinds, weights, years and
                                      evidence) with every metric
``builds/{id}/network/catalogue.pickle``  the small part the web process needs to check a
                                      request (agents and their labels, countries, topics, the
                                      years): no incidence, no network

Both are written atomically (a temporary file renamed) and carry the build id and
:data:`FORMAT`; a file of another build or format counts as missing. ``wckg build`` writes
them on a full build; after an incremental rebuild (one changed article) the network
worker (:mod:`.pool`) computes them once, in the background of the web process, on the
first network request — so a rebuild stays cheap. A pickle is trusted input here: it is
written by the build and read by the same installation, never taken from a request.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from .build import partnership_network
from .data import GraphData, fetch_graph_data
from .ego import index_of
from .metrics import Metrics, compute_metrics, yearly_summaries
from .vocab import YEARS_ON_PAGE_MAX

#: Bump when what the table holds changes shape: older files are then computed again.
FORMAT = 1
DIRNAME = "network"
TABLE = "table.pickle"
CATALOGUE = "catalogue.pickle"


@dataclass
class NetworkTable:
    build_id: str
    data: GraphData
    #: the default partnership network and its metrics
    network: nx.Graph
    metrics: Metrics
    #: its per-year summaries (the page's table), when it has at most YEARS_ON_PAGE_MAX nodes
    years: list[dict] | None = None
    format: int = FORMAT
    timings: dict[str, float] = field(default_factory=dict)


class _Store:
    """The ``local_store()`` of an open pyoxigraph store, for :func:`fetch_graph_data`."""

    capabilities = frozenset({"local-store"})

    def __init__(self, store: Any):
        self._store = store

    def local_store(self) -> Any:
        return self._store


def compute(store: Any, build_id: str) -> NetworkTable:
    """The table of the build whose (open) pyoxigraph *store* is given."""
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    data = fetch_graph_data(_Store(store))
    t["fetch"] = time.perf_counter() - t0
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
    return NetworkTable(build_id, data, G, metrics, years, timings=t)


def catalogue(data: GraphData) -> GraphData:
    """What a request is checked against (filters, focus, the page's lists), without the
    incidences: agents, countries, topics and the years."""
    return GraphData(agents=data.agents, activities={}, incidences=[], topics=data.topics,
                     countries=data.countries, parents=data.parents, serial=data.serial,
                     span=data.years())


def _write(path: Path, obj: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name + ".")
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write(build_dir: Path, table: NetworkTable) -> None:
    """Write the table and its catalogue into *build_dir* (each file atomically)."""
    d = build_dir / DIRNAME
    d.mkdir(exist_ok=True)
    _write(d / CATALOGUE, (FORMAT, table.build_id, catalogue(table.data)))
    _write(d / TABLE, table)


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
        table = compute(ox.Store.read_only(str(db)), build_id)
        write(build_dir, table)
        return table


def with_serial(table: NetworkTable, serial: int) -> NetworkTable:
    """The table with its data's serial set (a cache key unique per load in a process)."""
    return replace(table, data=replace(table.data, serial=serial))
