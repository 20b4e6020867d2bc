"""The derivation ``most-specific-type``: wc:mostSpecificType of every resource."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from ..entail import closure
from .registry import RDF_TYPE, SUBCLASS, WC, derivation
from .scans import objects, pairs


def _mst_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    if any(q.predicate == SUBCLASS for q in quads):
        return None  # the class hierarchy changed: every resource's answer may change
    return {q.subject for q in quads if q.predicate == RDF_TYPE and isinstance(q.subject, ox.NamedNode)}


def _mst_for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    up = closure(pairs(store, SUBCLASS))
    p = ox.NamedNode(WC + "mostSpecificType")
    for s in subjects:
        if not isinstance(s, ox.NamedNode):
            continue
        ts = objects(store, s, RDF_TYPE)
        for t in ts:
            if not any(n != t and t in up.get(n, ()) for n in ts):
                yield ox.Triple(s, p, t)


@derivation("most-specific-type",
            "wc:mostSpecificType: each type of a resource that no other of its types is narrower than "
            "(what `?x a ?kind . FILTER NOT EXISTS { ?x a ?n . ?n rdfs:subClassOf+ ?kind . FILTER(?n != ?kind) }` "
            "computes per row)",
            predicates=[WC + "mostSpecificType"], affected=_mst_affected, compute_for=_mst_for)
def _most_specific_type(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    up = closure(pairs(store, SUBCLASS))
    types: dict = defaultdict(set)
    for s, t in pairs(store, RDF_TYPE):
        # resources only: a blank node (an OWL restriction, a SHACL shape) is local to its
        # graph, and thousands of alike blank nodes make a graph that canonical dumps choke on
        if isinstance(s, ox.NamedNode):
            types[s].add(t)
    p = ox.NamedNode(WC + "mostSpecificType")
    for s, ts in types.items():
        for t in ts:
            # t is most specific unless another type n of s has t among its strict superclasses
            if not any(n != t and t in up.get(n, ()) for n in ts):
                yield ox.Triple(s, p, t)
