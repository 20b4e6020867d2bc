"""The networks built from the filtered incidences: partnership (organisations linked by
shared activities, each link with its evidence), bipartite, activity, ego. See the package
docstring for the whole picture."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import networkx as nx

from ..errors import ParameterError
from .data import Activity, Agent, GraphData
from .ego import EGO_MAX_NODES, ego_nodes, link_activities, restricted, units_of
from .filters import NetworkFilters, filtered_incidences, group_incidences
from .sentences import _SentenceFinder
from .vocab import NETWORK_KINDS, ORG_KINDS, TIE_KINDS, UnknownFocus, tie_kind


# ======================================================================================
# builders
# ======================================================================================

def _agent_attrs(g: Agent) -> dict[str, Any]:
    return {"label": g.label, "node_type": "person" if g.is_person else "organisation",
            "kind": g.kind, "kind_label": ORG_KINDS[g.kind]["label"],
            "country": g.country or "", "country_label": g.country_label or ""}


def _activity_attrs(a: Activity) -> dict[str, Any]:
    return {"label": a.label, "node_type": "activity", "kind": a.family, "kind_label": a.family.title(),
            "type": a.type, "date": a.date or "", "source": a.source or ""}


# long: one pass over the activities makes nodes, links and evidence together (the hot loop of every network page)
def partnership_network(data: GraphData, filters: NetworkFilters = NetworkFilters(), *,  # noqa: C901 (one pass over the activities, the hot loop of every network page)
                        keep: Iterable[str] = (), evidence: bool = True) -> nx.Graph:
    """Organisations (and people, when ``filters.people``) linked by shared activities.

    Every shared activity makes a *tie* of a kind (:data:`TIE_KINDS`, from the family and
    the two roles); only strong ties unless ``filters.weak``. Each link carries
    ``weight`` (the sum over its activities of 1/(n−1), :data:`WEIGHTING`), ``count``
    (shared activities), ``strength`` (strong when any of its ties is), ``ties`` (the
    kinds), ``kinds`` (the families), ``first_year``/``last_year``, and ``evidence``: one
    entry per activity, oldest first, with the tie, the roles, the activity's weight and
    ``sentence``: a sentence that names both ends (a statement's quote, else a sentence
    about the activity), or None when no sentence of the graph names both; then
    ``quotes``, when both ends' statements have evidence: the quote of each end's
    statement (each names its end). With ``evidence=False`` no sentence is looked for (every
    ``sentence`` None, no ``quotes``): the nodes, links, weights and counts are the same, for
    what reads only those (the per-year table: most of its cost was the sentences)."""
    inc = group_incidences(data, filters, keep=keep)
    by_act = inc.members
    edges: dict[tuple[str, str], list] = {}
    nodes: set[str] = set()
    acts = data.activities
    finder = _SentenceFinder(data)
    # oldest first (undated last), then by IRI: every evidence list comes out sorted, and
    # the insertion order (hence every metric) depends on the data only
    order = sorted(by_act, key=lambda x: (acts[x].date is None, acts[x].date or "", x))
    for act in order:
        members = by_act[act]
        a = acts[act]
        agents = sorted(members)
        if len(agents) == 1:
            nodes.update(agents)
            continue
        share = 1.0 / max(1, inc.size[act] - 1)
        role = {g: "+".join(sorted(set(rs))) for g, rs in members.items()}
        roleset = {g: frozenset(rs) for g, rs in members.items()}
        shared: dict[tuple, dict[str, Any]] = {}
        bit = _FAMILY_BITS[a.family]
        y0, y1 = a.year_from, a.year_to
        for i, u in enumerate(agents):
            ru = role[u]
            for v in agents[i + 1:]:
                tie = tie_kind(a.family, roleset[u], roleset[v])
                if not filters.weak and TIE_KINDS[tie]["strength"] == "weak":
                    continue
                rv = role[v]
                sentence = finder.sentence(act, inc.originals[act][u], inc.originals[act][v]) if evidence else None
                quotes = None
                if sentence is None and evidence:
                    # no one sentence names both: the quote of each end's own statement
                    qu = finder.statement_quote(act, inc.originals[act][u], roleset[u])
                    qv = finder.statement_quote(act, inc.originals[act][v], roleset[v])
                    if qu and qv:
                        quotes = (qu, qv)
                key = (ru, rv, tie, sentence, quotes)
                entry = shared.get(key)
                if entry is None:
                    entry = shared[key] = {
                        "kind": a.family, "type": a.type, "resource": act, "label": a.label,
                        "date": a.date, "year_from": y0, "year_to": y1, "source": a.source,
                        "roles": [ru, rv], "tie": tie, "strength": TIE_KINDS[tie]["strength"],
                        "weight": round(share, 6), "sentence": sentence}
                    if quotes:
                        entry["quotes"] = list(quotes)
                nodes.add(u)
                nodes.add(v)
                rec = edges.get((u, v))
                if rec is None:
                    edges[(u, v)] = [[entry], bit, y0, y1, share, {tie}]
                else:
                    rec[0].append(entry)
                    rec[1] |= bit
                    rec[4] += share
                    rec[5].add(tie)
                    if y0 is not None:
                        if rec[2] is None or y0 < rec[2]:
                            rec[2] = y0
                        if rec[3] is None or y1 > rec[3]:
                            rec[3] = y1
    G: nx.Graph = nx.Graph(network="partnership", filters=json.dumps(filters.describe(), sort_keys=True),
                 weighting="newman-1/(n-1)")
    up_units: dict[str, set[str]] = defaultdict(set)
    for origs in inc.originals.values():
        for node, agents_ in origs.items():
            up_units[node].update(x for x in agents_ if x != node)
    for n in sorted(nodes):
        attrs = _agent_attrs(data.agents[n])
        if up_units.get(n):
            attrs["units"] = sorted(up_units[n])
        G.add_node(n, **attrs)
    G.add_edges_from((u, v, {"weight": round(rec[4], 6), "count": len(rec[0]), "evidence": rec[0],
                             "kinds": _KINDS_OF_BITS[rec[1]], "ties": ",".join(sorted(rec[5])),
                             "strength": "strong" if any(TIE_KINDS[t]["strength"] == "strong" for t in rec[5])
                                         else "weak",
                             "first_year": rec[2], "last_year": rec[3]})
                     for (u, v), rec in edges.items())
    return G


_FAMILY_BITS = {"agreement": 1, "event": 2, "programme": 4, "membership": 8}
_KINDS_OF_BITS = {bits: ",".join(f for f, b in sorted(_FAMILY_BITS.items()) if bits & b) for bits in range(16)}


def bipartite_network(data: GraphData, filters: NetworkFilters = NetworkFilters()) -> nx.Graph:
    """Agents (``bipartite`` = 0) and activities (``bipartite`` = 1); each edge the
    agent's ``role`` (several joined with ``+``)."""
    by_act = filtered_incidences(data, filters)
    G: nx.Graph = nx.Graph(network="bipartite", filters=json.dumps(filters.describe(), sort_keys=True))
    agents = sorted({g for m in by_act.values() for g in m})
    for n in agents:
        G.add_node(n, bipartite=0, **_agent_attrs(data.agents[n]))
    for act in sorted(by_act):
        G.add_node(act, bipartite=1, **_activity_attrs(data.activities[act]))
    for act in sorted(by_act):
        a = data.activities[act]
        for agent in sorted(by_act[act]):
            G.add_edge(agent, act, role="+".join(sorted(set(by_act[act][agent]))), weight=1,
                       kind=a.family, date=a.date or "", source=a.source or "")
    return G


def activity_network(data: GraphData, filters: NetworkFilters = NetworkFilters()) -> nx.Graph:
    """The projection on activities: linked when they share an agent; ``weight`` = shared
    agents, ``evidence`` = those agents."""
    by_act = filtered_incidences(data, filters)
    by_agent: dict[str, list[str]] = defaultdict(list)
    for act in sorted(by_act):
        for agent in by_act[act]:
            by_agent[agent].append(act)
    edges: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for agent in sorted(by_agent):
        acts = by_agent[agent]
        g = data.agents[agent]
        for i, u in enumerate(acts):
            for v in acts[i + 1:]:
                edges[(u, v)].append({"kind": "agent", "type": g.kind, "resource": agent,
                                      "label": g.label, "date": None, "source": None,
                                      "roles": ["+".join(sorted(set(by_act[u][agent]))),
                                                "+".join(sorted(set(by_act[v][agent])))]})
    G: nx.Graph = nx.Graph(network="activity", filters=json.dumps(filters.describe(), sort_keys=True))
    for act in sorted(by_act):
        G.add_node(act, **_activity_attrs(data.activities[act]))
    for (u, v) in sorted(edges):
        G.add_edge(u, v, weight=len(edges[(u, v)]), evidence=edges[(u, v)], kinds="agent")
    return G


def ego_network(data: GraphData, focus: str, depth: int = 1,
                filters: NetworkFilters = NetworkFilters(), *, max_nodes: int | None = EGO_MAX_NODES,
                evidence: bool = True) -> nx.Graph:
    """The partnership network within *depth* (1–3) steps of *focus* (an IRI of
    ``data.agents``). People are included when the focus is a person. The focus is
    always a node, even when the filters leave it no partner.

    Built from the activities of the nodes reached only (:mod:`.ego`), not from the whole
    network, with the same nodes, links and attributes. Past *max_nodes* nodes the walk
    stops (the nearest, most tied first) and the graph says so: ``cut`` (True),
    ``nodes_reached`` (at least that many were within reach), ``depth_complete``."""
    if not isinstance(depth, int) or not 1 <= depth <= 3:
        raise ParameterError("depth", f"{depth!r} is not a depth between 1 and 3", hint="give 1, 2 or 3")
    if focus not in data.agents:
        raise UnknownFocus(focus, [])
    if data.agents[focus].is_person and not filters.people:
        filters = replace(filters, people=True)
    reach = ego_nodes(data, focus, depth, filters, max_nodes)
    G = partnership_network(restricted(data, link_activities(data, reach)), filters, keep=(focus,), evidence=evidence)
    if focus not in G:
        H: nx.Graph = nx.Graph(**G.graph)
        H.add_node(focus, **_agent_attrs(data.agents[focus]))
    else:
        H = G.subgraph(reach.nodes).copy()
        if filters.rollup:
            units = units_of(data, reach, filters, focus)
            for n in H:
                H.nodes[n].pop("units", None)
                if units.get(n):
                    H.nodes[n]["units"] = units[n]
    H.graph.update(network="ego", focus=focus, depth=depth)
    if reach.cut:
        H.graph.update(cut=True, nodes_reached=reach.reached, depth_complete=reach.depth_complete,
                       max_nodes=max_nodes)
    for n in H:
        H.nodes[n]["focus"] = n == focus
    return H


def build_network(data: GraphData, kind: str = "partnership", filters: NetworkFilters = NetworkFilters(),
                  *, focus: str | None = None, depth: int = 1, max_nodes: int | None = EGO_MAX_NODES,
                  evidence: bool = True) -> nx.Graph:
    """The network of *kind*; ``evidence=False``: partnership and ego networks without the
    sentences of their links (:func:`partnership_network`)."""
    if kind == "partnership":
        return partnership_network(data, filters, evidence=evidence)
    if kind == "bipartite":
        return bipartite_network(data, filters)
    if kind == "activity":
        return activity_network(data, filters)
    if kind == "ego":
        if not focus:
            raise ParameterError("focus", "an ego network needs a focus organisation or person",
                                 hint="give --focus IRI_OR_LABEL")
        return ego_network(data, focus, depth, filters, max_nodes=max_nodes, evidence=evidence)
    raise ParameterError("kind", f"unknown network kind {kind!r}", hint="use one of " + ", ".join(NETWORK_KINDS))


def organisation_count(G: nx.Graph) -> int:
    return sum(1 for _, d in G.nodes(data=True) if d.get("node_type") == "organisation")
