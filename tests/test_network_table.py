"""Ego networks from the incidence index (graph/network/ego.py) against the whole-network path
they replace (``nx.ego_graph`` of the whole partnership network), on the curated graph and on a
synthetic graph of ~100 thousand triples (bench/generate.py): same nodes, links and attributes
for every filter the pages offer; and the network table of a build (graph/network/table.py)."""
from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import network as N

ROOT = Path(__file__).resolve().parent.parent


def whole_path_ego(data: N.GraphData, focus: str, depth: int, filters: N.NetworkFilters,
                   whole: nx.Graph | None = None) -> nx.Graph:
    """The ego network as it was computed before the index: the whole partnership network,
    then ``nx.ego_graph``."""
    if data.agents[focus].is_person and not filters.people:
        filters = replace(filters, people=True)
    G = whole if whole is not None else N.partnership_network(data, filters, keep=(focus,))
    if focus not in G:
        H = nx.Graph(**G.graph)
        H.add_node(focus, **N.build._agent_attrs(data.agents[focus]))
    else:
        H = nx.ego_graph(G, focus, radius=depth).copy()
    H.graph.update(network="ego", focus=focus, depth=depth)
    for n in H:
        H.nodes[n]["focus"] = n == focus
    return H


def assert_same(a: nx.Graph, b: nx.Graph, what: str) -> None:
    assert a.graph == b.graph, what
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True)), what
    ea = {frozenset((u, v)): d for u, v, d in a.edges(data=True)}
    eb = {frozenset((u, v)): d for u, v, d in b.edges(data=True)}
    assert ea.keys() == eb.keys(), what
    for k in ea:
        assert ea[k] == eb[k], (what, sorted(k))


def filter_sets(data: N.GraphData) -> list[tuple[str, N.NetworkFilters]]:
    country = sorted(data.countries)[0] if data.countries else None
    out = [("default", N.NetworkFilters()), ("weak", N.NetworkFilters(weak=True)),
           ("rollup", N.NetworkFilters(rollup=True)), ("people", N.NetworkFilters(people=True)),
           ("events", N.make_filters(data, relations=["event"], weak=True)),
           ("agreement parties", N.make_filters(data, relations=["agreement:party"])),
           ("years", N.make_filters(data, year_from="2019", year_to="2022")),
           ("rollup+weak+years", N.make_filters(data, year_from="2015", year_to="2024", rollup=True, weak=True))]
    if country:
        out.append(("country", N.make_filters(data, countries=[country], weak=True)))
    return out


def compare(data: N.GraphData, foci: list[str], depths=(1, 2), shallow: frozenset[str] = frozenset(),
            rollup_foci: int | None = None) -> int:
    """Both paths for every filter set, focus and depth (*shallow* foci: depth 1 only; the
    roll-up, which needs a whole network per focus, for the first *rollup_foci* foci)."""
    compared = 0
    for name, f in filter_sets(data):
        wholes: dict[bool, nx.Graph] = {}
        for focus in foci[:rollup_foci] if f.rollup else foci:
            person = data.agents[focus].is_person
            ff = replace(f, people=True) if person else f
            whole = None
            if not f.rollup:   # keep= matters only to the roll-up: one whole network per filter
                whole = wholes.get(ff.people)
                if whole is None:
                    whole = wholes[ff.people] = N.partnership_network(data, ff)
            for depth in depths[:1] if focus in shallow else depths:
                expected = whole_path_ego(data, focus, depth, ff, whole)
                got = N.ego_network(data, focus, depth, f, max_nodes=None)
                assert_same(got, expected, f"{name} {focus} depth {depth}")
                compared += 1
    return compared


@pytest.fixture(scope="module")
def curated(backend) -> N.GraphData:
    return N.fetch_graph_data(backend)


def test_index_ego_is_the_whole_network_ego_on_the_curated_graph(curated):
    foci = sorted(curated.agents)
    assert compare(curated, foci, depths=(1, 2, 3)) > 100


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> N.GraphData:
    out = tmp_path_factory.mktemp("net100k") / "100k"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", "100k", "--out", str(out),
                    "--quiet"], check=True)
    store = ox.Store()
    store.bulk_load(path=str(out / "all.nq"), format=ox.RdfFormat.N_QUADS)

    class Local:
        def select(self, text, params=None):
            from graph.terms import to_rdflib
            res = store.query(text, use_default_graph_as_union=True)
            names = [v.value for v in res.variables]
            return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in res]

    return N.fetch_graph_data(Local())


def test_index_ego_is_the_whole_network_ego_on_a_synthetic_graph(synthetic):
    data = synthetic
    assert len(data.incidences) > 10_000
    degree: dict[str, int] = {}
    for _act, _role, agent in data.incidences:
        degree[agent] = degree.get(agent, 0) + 1
    ranked = sorted(degree, key=lambda a: (-degree[a], a))
    rng = random.Random(13)
    sample = rng.sample(ranked[1:], 5)
    foci = ranked[:1] + sample + [a for a in data.agents if a not in degree][:1]
    foci += [p for p in ranked if data.agents[p].is_person][:1]
    deep = sorted(sample, key=lambda a: degree[a])[:2]      # depth 2 from two of the least linked
    assert compare(data, foci, depths=(1, 2), shallow=frozenset(foci) - set(deep), rollup_foci=3) > 60


def test_a_big_ego_network_is_cut_and_says_so(synthetic):
    data = synthetic
    degree: dict[str, int] = {}
    for _act, _role, agent in data.incidences:
        degree[agent] = degree.get(agent, 0) + 1
    hub = max(degree, key=lambda a: (degree[a], a))
    full = N.ego_network(data, hub, 2, max_nodes=None)
    cut = N.ego_network(data, hub, 2, max_nodes=50)
    assert full.number_of_nodes() > 50 and "cut" not in full.graph
    assert cut.number_of_nodes() == 50
    assert cut.graph["cut"] is True and cut.graph["nodes_reached"] > 50 and cut.graph["max_nodes"] == 50
    assert set(cut) <= set(full)
    # the nearest first: every partner of the focus is kept before any partner of a partner
    near = set(full.adj[hub])
    assert near <= set(cut) or set(cut) <= near | {hub}


def test_light_year_summaries_are_the_slices_summaries(curated):
    focus = "https://w3id.org/wckg/id/organisation/undp"
    for kw in ({}, {"kind": "ego", "focus": focus, "depth": 2}):
        slow = [s.summary() for s in N.yearly_slices(curated, N.NetworkFilters(weak=True), **kw)]
        assert slow and N.yearly_summaries(curated, N.NetworkFilters(weak=True), **kw) == slow


def test_a_network_without_evidence_has_the_same_nodes_links_and_weights(synthetic):
    """evidence=False (the per-year table) skips the sentences only."""
    def bare(G):
        return ({n: dict(d) for n, d in G.nodes(data=True)},
                {(u, v): {k: x for k, x in d.items() if k != "evidence"} for u, v, d in G.edges(data=True)})
    with_, without = N.partnership_network(synthetic), N.partnership_network(synthetic, evidence=False)
    assert with_.number_of_edges() > 1000 and bare(without) == bare(with_)
    assert any(e["sentence"] for _, _, d in with_.edges(data=True) for e in d["evidence"])
    assert not any(e["sentence"] or "quotes" in e for _, _, d in without.edges(data=True) for e in d["evidence"])
    degree: dict[str, int] = {}
    for _act, _role, agent in synthetic.incidences:
        degree[agent] = degree.get(agent, 0) + 1
    hub = max(degree, key=lambda a: (degree[a], a))
    slow = [s.summary() for s in N.yearly_slices(synthetic, kind="ego", focus=hub, depth=1)]
    assert slow and N.yearly_summaries(synthetic, kind="ego", focus=hub, depth=1) == slow


def _unbucketed_summaries(data: N.GraphData, filters: N.NetworkFilters, **kw) -> list[dict]:
    """The per-year table as it was computed before the year buckets: every year's network
    from the whole data with that year as the period filter."""
    span = data.years()
    assert span is not None
    return [N.year_summary(y, N.build_network(data, kw.get("kind", "partnership"),
                                              replace(filters, year_from=y, year_to=y),
                                              focus=kw.get("focus"), depth=kw.get("depth", 1), evidence=False))
            for y in range(span[0], span[1] + 1)]


def test_year_buckets_give_every_years_network_as_the_whole_data_does(curated, synthetic):
    """graph.network.metrics.year_data: each year's network from that year's activities only."""
    focus = "https://w3id.org/wckg/id/organisation/undp"
    degree: dict[str, int] = {}
    for _act, _role, agent in synthetic.incidences:
        degree[agent] = degree.get(agent, 0) + 1
    hub = max(degree, key=lambda a: (degree[a], a))
    cases = [(curated, N.NetworkFilters(weak=True), {}),
             (curated, N.NetworkFilters(weak=True), {"kind": "ego", "focus": focus, "depth": 2}),
             (synthetic, N.NetworkFilters(), {}),
             (synthetic, N.NetworkFilters(rollup=True, people=True), {}),
             (synthetic, N.NetworkFilters(), {"kind": "ego", "focus": hub, "depth": 1})]
    for data, filters, kw in cases:
        got = N.yearly_summaries(data, filters, **kw)
        assert got == _unbucketed_summaries(data, filters, **kw), kw
        assert sum(r["edges"] for r in got) > 0
