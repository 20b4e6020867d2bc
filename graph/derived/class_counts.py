"""The derivation ``class-counts``: ``?class wc:directInstanceCount ?n``, the number of
resources a graph states to be of the class (``GRAPH ?g { ?x a ?class }`` outside the
entailed graph), as ``/classes`` and the class pages counted them over the whole graph on
their first view (2.1 s at 1 M triples on disk).

The derived graph states one such resource itself (``wcid:graph/derived a wc:DerivedData``,
added by :func:`.run.derive` after the derivations ran): it is counted here as every build
adds it. Incremental per class: a changed ``rdf:type`` statement affects its class, whose count is
the previous build's plus what the change made of each resource it typed (a recount of the
class was 3 s for wc:StatementEvidence at 1 M triples, read through Python).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from .registry import RDF_TYPE, WC, XSD_INTEGER, derivation, graph_name
from .scans import is_source, pairs, subjects
from .state import STATE

COUNT = ox.NamedNode(WC + "directInstanceCount")
#: the class of the derived graph, which types itself (graph.derived.run)
DERIVED_DATA = ox.NamedNode(WC + "DerivedData")


def _triples(counts: Counter) -> Iterator[ox.Triple]:
    counts = counts.copy()
    counts[DERIVED_DATA] += 1
    for k, n in counts.items():
        if n and isinstance(k, ox.NamedNode):
            yield ox.Triple(k, COUNT, ox.Literal(str(n), datatype=XSD_INTEGER))


def _stated(quads: Sequence[ox.Quad]) -> set[ox.Quad]:
    return {q for q in quads if q.predicate == RDF_TYPE and is_source(q.graph_name)}


def _affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set:
    return {q.object for q in _stated(quads)}


def _for(store: ox.Store, base_iri: str, classes: set) -> Iterator[ox.Triple]:
    change = STATE.get("change")
    if change is None:  # (no change recorded: counted again)
        counts = Counter({k: len(subjects(store, RDF_TYPE, k)) for k in classes})
    else:
        removed, added = _stated(change[0]), _stated(change[1])
        g = graph_name(base_iri)
        counts = Counter()
        for k in classes:
            old = [int(q.object.value) for q in store.quads_for_pattern(k, COUNT, None, g) if isinstance(q.object, ox.Literal)]
            counts[k] = (old[0] if old else 0) - (k == DERIVED_DATA and bool(old))
        # each resource the change typed: was it of the class before (its stated quads now,
        # less those added, plus those removed), and is it now
        for x, k in {(q.subject, q.object) for q in removed | added}:
            if k not in classes:
                continue
            now = {q for q in store.quads_for_pattern(x, RDF_TYPE, k, None) if is_source(q.graph_name)}
            was = (now - added) | {q for q in removed if q.subject == x and q.object == k}
            counts[k] += bool(now) - bool(was)
    return (t for t in _triples(counts) if t.subject in classes)


@derivation("class-counts", "wc:directInstanceCount: the resources stated to be of each class (what /classes "
            "counted over the whole graph)", predicates=[COUNT.value], affected=_affected, compute_for=_for)
def _class_counts(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    return _triples(Counter(t for _, t in pairs(store, RDF_TYPE)))
