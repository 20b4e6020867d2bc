"""Helpers over pattern scans (the default graph is the union: de-duplicate across graphs);
derivations read the source graphs, never the derived or the entailed one."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from ..entail import ENTAILED_GRAPH, closure
from ..namespaces import WCID_DEFAULT
from .registry import DERIVED_GRAPH, SUBCLASS

_BUILT = (DERIVED_GRAPH[len(WCID_DEFAULT):], ENTAILED_GRAPH[len(WCID_DEFAULT):])

SCANS: dict[tuple[int, str], set[tuple]] = {}


def pairs(store: ox.Store, predicate: ox.NamedNode) -> set[tuple]:
    """Distinct (subject, object) of *predicate* in every graph (kept while :func:`derive` runs)."""
    key = (id(store), predicate.value)
    if key not in SCANS:
        SCANS[key] = {(q.subject, q.object) for q in store.quads_for_pattern(None, predicate, None, None)
                       if is_source(q.graph_name)}
    return SCANS[key]


def is_source(g) -> bool:
    """Whether *g* is a source graph: not the derived or the entailed graph that the build
    makes (under any base IRI). Derivations read the source graphs only (a chair is also an
    entailed participant: counted twice), so a rebuild keeps the entailed graph while they run."""
    return not (isinstance(g, ox.NamedNode) and g.value.endswith(_BUILT))


def objects(store: ox.Store, s, p) -> set:
    """Distinct objects of (*s*, *p*, ?) in the source graphs."""
    return {q.object for q in store.quads_for_pattern(s, p, None, None) if is_source(q.graph_name)}


def subjects(store: ox.Store, p, o) -> set:
    """Distinct subjects of (?, *p*, *o*) in the source graphs."""
    return {q.subject for q in store.quads_for_pattern(None, p, o, None) if is_source(q.graph_name)}


def reachable(store: ox.Store, start, p, *, forward: bool) -> set:
    """Every node reachable from *start* by one or more *p* edges (forward: start p x)."""
    seen: set = set()
    todo = [start]
    while todo:
        n = todo.pop()
        for m in (objects(store, n, p) if forward else subjects(store, p, n)):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    seen.discard(start)
    return seen


def subclasses_of(store: ox.Store, cls: ox.NamedNode) -> set:
    """*cls* and every class below it (rdfs:subClassOf*)."""
    up = closure(pairs(store, SUBCLASS))
    return {cls} | {c for c, supers in up.items() if cls in supers}


def link_triples(links: Iterable[tuple], predicate: ox.NamedNode) -> Iterator[ox.Triple]:
    """(subject, objects) pairs as *predicate* triples; resources only (a blank node is local
    to its graph)."""
    for s, objects_ in links:
        if isinstance(s, ox.NamedNode):
            for o in objects_:
                if isinstance(o, ox.NamedNode):
                    yield ox.Triple(s, predicate, o)
