"""Metrics of a network: degree, weighted degree, betweenness, eigenvector centrality,
Louvain communities, components, brokerage; per-year slices."""
from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from ..errors import ParameterError
from .build import build_network, organisation_count
from .data import GraphData, _now
from .ego import EGO_MAX_NODES, restricted
from .filters import NetworkFilters
from .vocab import EXACT_BETWEENNESS_MAX, METRICS, SEED, betweenness_sample_size

# ======================================================================================
# metrics
# ======================================================================================

@dataclass
class Metrics:
    """Per-node metrics and how they were computed."""

    nodes: dict[str, dict[str, float | int]]
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def table(self, G: nx.Graph, sort_by: str = "degree", descending: bool = True) -> list[dict[str, Any]]:
        """Rows ``{iri, label, kind, country, <metrics>}`` sorted by *sort_by* (ties by label)."""
        if sort_by not in METRICS:
            raise ParameterError("metric", f"unknown metric {sort_by!r}", hint="use one of " + ", ".join(METRICS))
        rows = []
        for n, m in self.nodes.items():
            d = G.nodes[n] if n in G else {}
            rows.append({"iri": n, "label": d.get("label", n), "kind": d.get("kind", ""),
                         "country": d.get("country_label", ""), **m})
        sign = -1 if descending else 1
        rows.sort(key=lambda r: (sign * float(r[sort_by]), r["label"].lower(), r["iri"]))
        return rows


# long: each metric family timed in turn while Louvain runs in a second process; the timings are the benchmark's
def compute_metrics(G: nx.Graph, *, betweenness_sample: int | None = None,  # noqa: C901 (metrics by family, Louvain in a second process)
                    exact_max: int = EXACT_BETWEENNESS_MAX, seed: int = SEED,
                    set_attributes: bool = True) -> Metrics:
    """Every metric of :data:`METRICS` for every node of *G* (deterministic for a fixed
    *seed*). Betweenness is exact up to *exact_max* nodes and sampled over
    ``k = betweenness_sample`` sources above (default: :func:`betweenness_sample_size`); it
    counts hops (weights are strengths, not distances). Eigenvector centrality is
    weighted; on a graph of several components it concentrates on the dominant one."""
    t: dict[str, float] = {}
    n, m = G.number_of_nodes(), G.number_of_edges()
    nodes = sorted(G)
    res: dict[str, dict[str, float | int]] = {v: {} for v in nodes}

    # Louvain runs on the graph relabelled to integers (sorted node order), so nothing
    # depends on string hashes (which change between processes), and the same job can run
    # in a second process: on large graphs it does, while this one computes the rest.
    t0 = time.perf_counter()
    index = {v: i for i, v in enumerate(nodes)}
    # communities come from the strong ties alone (a weak layer, when shown, does not
    # merge groups that only met at the same events)
    wedges = [(index[u], index[v], d.get("weight", 1)) for u, v, d in G.edges(data=True)
              if d.get("strength", "strong") == "strong"]
    louvain_job, louvain_pool = None, None
    if m >= PARALLEL_LOUVAIN_MIN_EDGES and (os.cpu_count() or 1) > 1:
        try:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            louvain_pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
            louvain_job = louvain_pool.submit(_louvain_job, n, wedges, seed)
        except Exception:  # no second process here: run it in this one below
            louvain_job = None
    t["louvain_start"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for v in nodes:
        res[v]["degree"] = G.degree(v)
        res[v]["weighted_degree"] = round(float(G.degree(v, weight="weight")), 4)
    t["degree"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if n <= exact_max:
        k = None
        bc = nx.betweenness_centrality(G, normalized=True) if n else {}
    else:
        k = min(n, betweenness_sample or betweenness_sample_size(n, m))
        bc = nx.betweenness_centrality(G, k=k, normalized=True, seed=seed)
    for v in nodes:
        res[v]["betweenness"] = round(float(bc.get(v, 0.0)), 8)
    t["betweenness"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    converged = True
    if m == 0:
        ec = {v: 0.0 for v in nodes}
    else:
        ec, converged = {}, True
        # per connected component: on a disconnected graph the global eigenvector sits on
        # the dominant component and every other group gets ~1e-8, which says nothing
        for comp in nx.connected_components(G):
            if len(comp) < 2:
                continue
            sub = G.subgraph(comp) if len(comp) < n else G
            part, ok = eigenvector_centrality(sub, tol=1e-8 if len(comp) < 5000 else 1e-6)
            ec.update(part)
            converged = converged and ok
    for v in nodes:
        res[v]["eigenvector"] = round(float(ec.get(v, 0.0)), 8)
    t["eigenvector"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    parallel = False
    comms_idx = None
    if louvain_job is not None:
        try:
            comms_idx = louvain_job.result()
            parallel = True
        except Exception:  # the helper process failed: compute here
            comms_idx = None
        finally:
            if louvain_pool is not None:
                louvain_pool.shutdown(wait=False)
    if comms_idx is None:
        comms_idx = _louvain_job(n, wedges, seed) if n else []
    # number communities by size (largest = 1), ties by their first member: stable ids
    comms = sorted((sorted(nodes[i] for i in c) for c in comms_idx), key=lambda c: (-len(c), c[0]))
    community = {v: i + 1 for i, c in enumerate(comms) for v in c}
    t["louvain_wait" if parallel else "louvain"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    component = {v: i + 1 for i, c in enumerate(comps) for v in c}
    for v in nodes:
        res[v]["community"] = community.get(v, 0)
        res[v]["component"] = component.get(v, 0)
        own_country = G.nodes[v].get("country") or None
        cs, ks = set(), set()
        for u in G.adj[v]:
            if community.get(u) != community.get(v):
                cs.add(community.get(u))
            c = G.nodes[u].get("country") or None
            if c and c != own_country:
                ks.add(c)
        res[v]["brokerage"] = len(cs)
        res[v]["country_brokerage"] = len(ks)
    t["components_brokerage"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    strong: nx.Graph = nx.Graph()
    strong.add_nodes_from(range(n))
    strong.add_weighted_edges_from(wedges)
    modularity = (round(nx.community.modularity(strong, [{index[v] for v in c} for c in comms], weight="weight"), 4)
                  if wedges else 0.0)
    notes = metric_notes(G, res, comms, comps, modularity)
    t["notes"] = time.perf_counter() - t0

    if set_attributes:
        for v in nodes:
            G.nodes[v].update(res[v])
    params = {
        "computed_at": _now(), "nodes": n, "edges": m, "seed": seed,
        "betweenness": {"exact": k is None, "sample_size": k, "normalized": True, "weighted": False},
        "eigenvector": {"weighted": True, "converged": converged},
        "louvain": {"seed": seed, "resolution": 1.0, "weighted": True, "communities": len(comms),
                    "separate_process": parallel, "modularity": modularity, "strong_ties_only": True},
        "components": len(comps),
        "notes": notes,
    }
    return Metrics(nodes=res, params=params, timings=t)


#: What each metric means, for the page and the exports.
METRIC_EXPLANATIONS: dict[str, str] = {
    "degree": "How many partners an organisation has in this network.",
    "weighted_degree": "The sum of its link weights: with the 1/(n−1) weighting, the number of "
                       "shared activities it took part in (a bilateral agreement counts 1, a "
                       "nine-party ceremony counts 1 too, spread over eight partners).",
    "betweenness": "The share of shortest paths between two other organisations that pass "
                   "through it (hops, not weights): a broker between groups scores high; in a "
                   "fully linked group nobody does.",
    "eigenvector": "Weighted eigenvector centrality within its connected component: high when "
                   "its partners are themselves central. Compare values within a component "
                   "only.",
    "community": "Louvain community (seed 42) of the weighted strong ties: groups more linked "
                 "inside than outside. Modularity Q says how clear that structure is (below "
                 "about 0.3 it is weak).",
    "component": "Connected component: organisations reachable from each other through links.",
    "brokerage": "How many other communities its partners belong to.",
    "country_brokerage": "How many countries other than its own its partners are based in.",
}


def metric_notes(G: nx.Graph, res: dict[str, dict[str, Any]], comms: list[list[str]],
                 comps: list[list[str]], modularity: float) -> dict[str, str]:
    """Metric → why it carries no information on *G*, for the metrics that carry none
    (rather than letting zeros or equal values pass for findings)."""
    notes: dict[str, str] = {}
    n = G.number_of_nodes()
    if n == 0:
        return notes
    groups = [c for c in comps if len(c) > 1]
    complete = bool(groups) and all(
        G.subgraph(c).number_of_edges() == len(c) * (len(c) - 1) // 2 for c in groups)
    if n >= 3 and all(r["betweenness"] == 0 for r in res.values()):
        notes["betweenness"] = ("0 everywhere: no organisation lies on a shortest path between two "
                                "others" + (" — every group is fully linked, and a complete graph has no brokers."
                                            if complete else "."))
    if complete:
        notes["degree"] = "Every group is fully linked: degree only repeats the size of the group."
        if all(max(res[v]["eigenvector"] for v in c) - min(res[v]["eigenvector"] for v in c) < 1e-6
               for c in groups):
            notes["eigenvector"] = ("Every group is fully linked with equal weights: all members of a "
                                    "group have the same eigenvector centrality, so it ranks no one.")
    nontrivial = [c for c in comms if len(c) > 1]
    if n >= 3 and (len(nontrivial) <= len(groups) or modularity < 0.1):
        notes["community"] = (f"No community structure beyond the connected components (modularity "
                              f"Q = {modularity:.2f}): the communities are just the groups that are linked at all.")
    if n >= 3 and all(r["brokerage"] == 0 for r in res.values()):
        notes["brokerage"] = "0 everywhere: no organisation has partners in another community."
    if n >= 2 and all(r["country_brokerage"] == 0 for r in res.values()):
        notes["country_brokerage"] = ("0 everywhere: no link crosses a border (or the partners' "
                                      "countries are not recorded).")
    return notes


#: Louvain runs in a second process, alongside the other metrics, from this many edges.
PARALLEL_LOUVAIN_MIN_EDGES = 100_000


def _louvain_job(n: int, edges: list[tuple[int, int, float]], seed: int) -> list[list[int]]:
    """Louvain communities of the graph of nodes 0..n-1 and weighted *edges* (top level:
    it runs in a helper process too)."""
    H: nx.Graph = nx.Graph()
    H.add_nodes_from(range(n))
    H.add_weighted_edges_from(edges)
    return [sorted(c) for c in nx.community.louvain_communities(H, weight="weight", seed=seed)]


def eigenvector_centrality(G: nx.Graph, *, weight: str = "weight", max_iter: int = 1000,
                           tol: float = 1e-6) -> tuple[dict[str, float], bool]:
    """Weighted eigenvector centrality by power iteration on (A + I), as
    ``nx.eigenvector_centrality`` computes it (same start vector, normalisation and stopping
    rule), over integer adjacency lists: two to three times faster on large graphs.
    Returns the values and whether the iteration converged (all zero when it did not)."""
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}, True
    index = {v: i for i, v in enumerate(nodes)}
    adj = [[(index[u], float(d.get(weight, 1))) for u, d in G.adj[v].items()] for v in nodes]
    x = [1.0 / n] * n
    for _ in range(max_iter):
        xlast = x
        x = list(xlast)
        for i, row in enumerate(adj):
            xi = xlast[i]
            if xi:
                for j, w in row:
                    x[j] += xi * w
        norm = math.sqrt(sum(v * v for v in x)) or 1.0
        x = [v / norm for v in x]
        if sum(abs(a - b) for a, b in zip(x, xlast)) < n * tol:
            return {v: x[i] for i, v in enumerate(nodes)}, True
    return {v: 0.0 for v in nodes}, False


@dataclass
class YearSlice:
    year: int
    graph: nx.Graph
    metrics: Metrics

    def summary(self) -> dict[str, Any]:
        G = self.graph
        return {"year": self.year, "organisations": organisation_count(G), "nodes": G.number_of_nodes(),
                "edges": G.number_of_edges(), "components": self.metrics.params["components"],
                "communities": self.metrics.params["louvain"]["communities"],
                "density": round(nx.density(G), 6) if G.number_of_nodes() > 1 else 0.0}


def yearly_slices(data: GraphData, filters: NetworkFilters = NetworkFilters(), *,
                  kind: str = "partnership", focus: str | None = None, depth: int = 1,
                  betweenness_sample: int | None = None, max_nodes: int | None = EGO_MAX_NODES) -> list[YearSlice]:
    """One network and its metrics per year of the period (the filters' period, else every
    year the data has), so that change shows. Undated activities belong to no slice."""
    span = data.years()
    if span is None:
        return []
    lo = filters.year_from if filters.year_from is not None else span[0]
    hi = filters.year_to if filters.year_to is not None else span[1]
    out = []
    for y, data_y in year_data(data, lo, hi):
        G = build_network(data_y, kind, replace(filters, year_from=y, year_to=y), focus=focus, depth=depth,
                          max_nodes=max_nodes)
        out.append(YearSlice(y, G, compute_metrics(G, betweenness_sample=betweenness_sample)))
    return out


def year_summary(year: int, G: nx.Graph, seed: int = SEED) -> dict[str, Any]:
    """:meth:`YearSlice.summary` without the metrics it does not show (betweenness,
    eigenvector: most of the cost): the same components, Louvain communities (same
    relabelling, weights and seed as :func:`compute_metrics`) and density."""
    nodes = sorted(G)
    index = {v: i for i, v in enumerate(nodes)}
    wedges = [(index[u], index[v], d.get("weight", 1)) for u, v, d in G.edges(data=True)
              if d.get("strength", "strong") == "strong"]
    communities = len(_louvain_job(len(nodes), wedges, seed)) if nodes else 0
    return {"year": year, "organisations": organisation_count(G), "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(), "components": nx.number_connected_components(G) if nodes else 0,
            "communities": communities,
            "density": round(nx.density(G), 6) if G.number_of_nodes() > 1 else 0.0}


def yearly_summaries(data: GraphData, filters: NetworkFilters = NetworkFilters(), *,
                     kind: str = "partnership", focus: str | None = None, depth: int = 1,
                     max_nodes: int | None = EGO_MAX_NODES) -> list[dict[str, Any]]:
    """The per-year table of the page: :func:`yearly_slices`' summaries, computed lightly."""
    span = data.years()
    if span is None:
        return []
    lo = filters.year_from if filters.year_from is not None else span[0]
    hi = filters.year_to if filters.year_to is not None else span[1]
    return [year_summary(y, build_network(data_y, kind, replace(filters, year_from=y, year_to=y), focus=focus,
                                          depth=depth, max_nodes=max_nodes, evidence=False))
            for y, data_y in year_data(data, lo, hi)]


def year_data(data: GraphData, lo: int, hi: int) -> Iterator[tuple[int, GraphData]]:
    """(year, *data* restricted to the activities dated in or overlapping that year) for
    every year from *lo* to *hi*: a year's network (filters with that one year) holds no
    other activity, so it is built from its own incidences rather than by filtering every
    incidence of the graph (or of a hub's activities) once a year. Undated activities
    belong to no year, as the period filter says (:func:`.filters._activity_ok`)."""
    buckets: dict[int, list[str]] = defaultdict(list)
    for iri, a in data.activities.items():
        if a.year_from is None:
            continue
        last = a.year_to if a.year_to is not None else a.year_from
        for y in range(max(lo, a.year_from), min(hi, last) + 1):
            buckets[y].append(iri)
    for y in range(lo, hi + 1):
        yield y, restricted(data, buckets.get(y, ()))


def yearly_rows(slices: list[YearSlice]) -> list[dict[str, Any]]:
    """One row per (year, node) of the slices, for CSV."""
    rows = []
    for s in slices:
        for r in s.metrics.table(s.graph, "weighted_degree"):
            rows.append({"year": s.year, **r})
    return rows

