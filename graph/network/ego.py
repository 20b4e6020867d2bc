"""Ego networks without the whole network: the incidence index of :class:`GraphData`
(:class:`EgoIndex`, computed once per build and kept in the network table,
:mod:`graph.network.table`), the organisations within *depth* steps of a focus found by a
breadth-first walk over the activities of each step only (:func:`ego_nodes`), and the
part of the data that holds every link among them (:func:`restricted`).

Why the answer is the one the whole network gives: a link between two organisations comes
from the activities both take part in, so the activities of the nodes reached at step *d*
hold every link to step *d+1*; the links among the nodes reached are those of the activities
with at least two of them, and an activity's weight counts its whole membership, which
:func:`restricted` keeps (it drops activities, never incidences of an activity it keeps).
``tests/test_network_table.py`` compares both paths on the curated and a synthetic graph."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .data import GraphData
from .filters import NetworkFilters, group_incidences, rollup_map
from .vocab import TIE_KINDS, tie_kind

#: Ego networks stop growing at this many nodes (the nearest first); the page says what was cut.
EGO_MAX_NODES = 1500


@dataclass
class EgoIndex:
    """Where each activity's incidences sit in ``GraphData.incidences`` (sorted by
    activity), the activities of each agent, and the statement quotes of each subject."""

    slices: dict[str, tuple[int, int]]
    acts: dict[str, tuple[str, ...]]
    quotes: dict[str, tuple[tuple[str, str], ...]]


def make_index(data: GraphData) -> EgoIndex:
    slices: dict[str, tuple[int, int]] = {}
    acts: dict[str, list[str]] = defaultdict(list)
    start, current = 0, None
    for i, (act, _role, agent) in enumerate(data.incidences):
        if act != current:
            if current is not None:
                slices[current] = (start, i)
            start, current = i, act
        if not acts[agent] or acts[agent][-1] != act:
            acts[agent].append(act)
    if current is not None:
        slices[current] = (start, len(data.incidences))
    quotes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in data.statement_quotes:
        quotes[key[0]].append(key)
    return EgoIndex(slices, {a: tuple(v) for a, v in acts.items()},
                    {s: tuple(sorted(v)) for s, v in quotes.items()})


def index_of(data: GraphData) -> EgoIndex:
    """The data's index, made on first use and kept with it."""
    if data.ego_index is None:
        data.ego_index = make_index(data)
    return data.ego_index


def restricted(data: GraphData, acts: Iterable[str]) -> GraphData:
    """*data* with the incidences (and statement quotes) of *acts* only; every other table
    shared. What a network built from it holds about those activities is what the whole
    data gives."""
    idx = index_of(data)
    incidences: list[tuple[str, str, str]] = []
    quotes: dict[tuple[str, str], tuple[str, ...]] = {}
    for act in sorted(set(acts)):
        s = idx.slices.get(act)
        if s is not None:
            incidences.extend(data.incidences[s[0]:s[1]])
        for key in idx.quotes.get(act, ()):
            quotes[key] = data.statement_quotes[key]
    return replace(data, incidences=incidences, statement_quotes=quotes, ego_index=None)


@dataclass
class EgoNodes:
    """The nodes within reach of a focus: ``nodes`` (node → steps), whether the walk was
    ``cut`` at the node cap, how many nodes the cut step ``reached`` and ``depth_complete``,
    the last step kept whole."""

    nodes: dict[str, int]
    members: dict[str, list[str]]           # node → the agents it stands for (roll-up)
    cut: bool = False
    reached: int = 0
    depth_complete: int = 0


def _members(data: GraphData, up: dict[str, str]) -> dict[str, list[str]]:
    """node → the agents that count as it (itself and, rolled up, its units)."""
    out: dict[str, list[str]] = defaultdict(list)
    for unit, top in up.items():
        out[top].append(unit)
    return out


# long: one breadth-first walk, each step over the activities of its frontier with the filters and the cap
def ego_nodes(data: GraphData, focus: str, depth: int, filters: NetworkFilters,  # noqa: C901 (the walk, the tie check and the cap)
              max_nodes: int | None = EGO_MAX_NODES) -> EgoNodes:
    """The nodes of the partnership network (under *filters*, units rolled up but the
    focus kept) within *depth* steps of *focus*, found step by step over the activities of
    each frontier. Past *max_nodes* the last step keeps the nodes most tied to those
    already kept (summed 1/(n−1) shares, then IRI)."""
    idx = index_of(data)
    up = rollup_map(data, (focus,)) if filters.rollup else {}
    units = _members(data, up)
    result = EgoNodes({focus: 0}, {})
    frontier = [focus]
    for step in range(1, depth + 1):
        # every activity of the frontier, those of earlier steps too: a tie too weak from
        # an earlier node can be a strong one from a new one
        acts = {a for n in frontier for x in [n, *units.get(n, ())] for a in idx.acts.get(x, ())}
        inc = group_incidences(restricted(data, acts), filters, keep=(focus,))
        front = set(frontier)
        score: dict[str, float] = defaultdict(float)
        for act, members in inc.members.items():
            ends = [u for u in members if u in front]
            if not ends:
                continue
            family = data.activities[act].family
            share = 1.0 / max(1, inc.size[act] - 1)
            roles = {g: frozenset(rs) for g, rs in members.items()}
            for u in ends:
                for v in members:
                    if v == u or v in result.nodes:
                        continue
                    if not filters.weak and TIE_KINDS[tie_kind(family, roles[u], roles[v])]["strength"] == "weak":
                        continue
                    score[v] += share
        new = sorted(score, key=lambda v: (-score[v], v))
        if max_nodes is not None and len(result.nodes) + len(new) > max_nodes:
            result.cut, result.reached = True, len(result.nodes) + len(new)
            new = new[:max(0, max_nodes - len(result.nodes))]
        for v in new:
            result.nodes[v] = step
        if result.cut:
            break
        result.depth_complete = step
        frontier = new
        if not frontier:
            result.depth_complete = depth
            break
    result.members = {n: [n, *units.get(n, ())] for n in result.nodes}
    return result


def link_activities(data: GraphData, reach: EgoNodes) -> set[str]:
    """The activities that can link two nodes of *reach* (two of them among their agents),
    and the focus's own (which make it a node even when it has no link)."""
    idx = index_of(data)
    count: dict[str, set[str]] = defaultdict(set)
    for n, xs in reach.members.items():
        for x in xs:
            for a in idx.acts.get(x, ()):
                count[a].add(n)
    focus = next(iter(reach.nodes))
    own = {a for x in reach.members[focus] for a in idx.acts.get(x, ())}
    return {a for a, ns in count.items() if len(ns) > 1} | own


def units_of(data: GraphData, reach: EgoNodes, filters: NetworkFilters, focus: str) -> dict[str, list[str]]:
    """The ``units`` attribute of each node (roll-up): its units that take part in an
    activity passing the filters, as the whole network lists them."""
    inc = group_incidences(restricted(data, {a for xs in reach.members.values() if len(xs) > 1
                                             for x in xs for a in index_of(data).acts.get(x, ())}),
                           filters, keep=(focus,))
    out: dict[str, set[str]] = defaultdict(set)
    for origs in inc.originals.values():
        for node, agents in origs.items():
            if node in reach.nodes:
                out[node].update(x for x in agents if x != node)
    return {n: sorted(v) for n, v in out.items() if v}
