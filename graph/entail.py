"""RDFS entailments of the data, materialised by every build into the named graph
``wcid:graph/entailed`` (described in ``ontology/derived.ttl`` as a ``wc:EntailedData``).

Every organisation is typed with a subclass (``wc:GovernmentBody``, ``wc:Company`` …), so
without entailment ``?x a wc:Organisation`` (or ``org:Organization``) finds nothing. This
derivation adds, for every resource (an IRI: blank nodes stay local to their graph):

* ``?x a ?super`` for every ``?super`` above a stated type of ``?x`` (rule rdfs9 over the
  ``rdfs:subClassOf`` closure, rdfs11), and
* ``?s ?super ?o`` for every ``?super`` above a stated property (rdfs7 over the
  ``rdfs:subPropertyOf`` closure, rdfs5): a ``wc:chair`` is also a ``wc:participant`` and a
  ``schema:attendee``, a ``wc:phaseOf`` also a ``wc:parentProgramme``,

where the ontology declares those axioms (any graph of the store; superclasses and
super-properties that are IRIs). Other RDFS rules (domain, range, the axiomatic triples)
are not applied: they would type resources by the properties used on them, which the data
does not say. A triple already stated in some graph is never added again, so a count over
the union default graph counts it once (the union keeps a triple once per graph that
holds it).

:func:`entail` runs at the end of a whole derivation (:func:`graph.derived.derive`): it
drops the graph and computes it again from the other graphs (a full pass over the types
and the sub-properties' triples). A rebuild (:meth:`graph.derived.Update.apply`) calls
:func:`update` with the subjects of the quads that went and came: an entailed triple
depends only on its subject's own triples and the axioms, so only those subjects' entailed
triples are replaced (a changed axiom makes it a full pass);
the graph describes itself (``wcid:graph/entailed a wc:EntailedData``). It is in the
union default graph, the dumps and VoID like every other graph. Queries that should see
only what sources state (entity pages) leave it out as they leave out the derived graph.
"""
from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from .namespaces import WCID_DEFAULT

WC = "https://w3id.org/wckg/ontology#"
ENTAILED_GRAPH = WCID_DEFAULT + "graph/entailed"

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SUBPROPERTY = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")


def closure(edges: Iterable[tuple]) -> dict:
    """x -> every y reachable from x by one or more edges (transitive, not reflexive)."""
    succ: dict = defaultdict(set)
    for a, b in edges:
        succ[a].add(b)
    out: dict = {}
    for start in list(succ):
        seen, todo = set(), list(succ[start])
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(succ.get(n, ()))
        out[start] = seen
    return out


def graph_name(base_iri: str = WCID_DEFAULT) -> ox.NamedNode:
    return ox.NamedNode(base_iri + ENTAILED_GRAPH[len(WCID_DEFAULT):])


def _axioms(store: ox.Store, predicate: ox.NamedNode) -> dict:
    """x -> every IRI above x by *predicate*, transitively (not x itself)."""
    edges = {(q.subject, q.object) for q in store.quads_for_pattern(None, predicate, None, None)
             if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)}
    return {x: {y for y in above if y != x} for x, above in closure(edges).items()}


def _types(store: ox.Store, superclasses: dict) -> Iterator[ox.Triple]:
    stated: dict = defaultdict(set)
    for q in store.quads_for_pattern(None, RDF_TYPE, None, None):
        if isinstance(q.subject, ox.NamedNode) and q.object in superclasses:
            stated[q.subject].add(q.object)
    for s, classes in stated.items():
        # every type of s (not only those with superclasses) counts as stated
        if any(len(superclasses.get(c, ())) for c in classes):
            have = {q.object for q in store.quads_for_pattern(s, RDF_TYPE, None, None)}
            for sup in sorted({u for c in classes for u in superclasses[c]} - have, key=str):
                yield ox.Triple(s, RDF_TYPE, sup)


def _properties(store: ox.Store, superproperties: dict) -> Iterator[ox.Triple]:
    implied: dict = defaultdict(set)  # super-property -> (s, o) pairs it gets from its sub-properties
    for p, supers in superproperties.items():
        if not supers:
            continue
        for q in store.quads_for_pattern(None, p, None, None):
            if isinstance(q.subject, ox.NamedNode) and not isinstance(q.object, ox.BlankNode):
                for sup in supers:
                    implied[sup].add((q.subject, q.object))
    for sup, pairs in implied.items():
        stated = {(q.subject, q.object) for q in store.quads_for_pattern(None, sup, None, None)}
        for s, o in pairs - stated:
            yield ox.Triple(s, sup, o)


def entailments(store: ox.Store, base_iri: str = WCID_DEFAULT) -> Iterator[ox.Triple]:
    """The entailed triples of *store* (read without the entailed graph itself)."""
    yield from _types(store, _axioms(store, SUBCLASS))
    yield from _properties(store, _axioms(store, SUBPROPERTY))
    # the graph describes itself, as wcid:graph/derived does
    yield ox.Triple(graph_name(base_iri), RDF_TYPE, ox.NamedNode(WC + "EntailedData"))


def _entailed_for(store: ox.Store, g: ox.NamedNode, s: ox.NamedNode, superclasses: dict,
                  superproperties: dict) -> set[ox.Triple]:
    """What :func:`entailments` holds with subject *s* (read without the entailed graph *g*)."""
    quads = [q for q in store.quads_for_pattern(s, None, None, None) if q.graph_name != g]
    stated = {(q.predicate, q.object) for q in quads}
    types = {q.object for q in quads if q.predicate == RDF_TYPE}
    out = {ox.Triple(s, RDF_TYPE, sup) for c in types for sup in superclasses.get(c, ()) if sup not in types}
    for q in quads:
        if not isinstance(q.object, ox.BlankNode):
            out |= {ox.Triple(s, sup, q.object) for sup in superproperties.get(q.predicate, ())
                    if (sup, q.object) not in stated}
    return out


def update(store: ox.Store, base_iri: str, subjects: set | None) -> dict:
    """Bring the entailed graph up to date after the triples of *subjects* changed (None:
    the axioms changed, so :func:`entail` computes it again whole); its triples removed and
    added, and seconds. The result is what :func:`entail` would make of the store."""
    if subjects is None:
        return entail(store, base_iri)
    t0 = time.perf_counter()
    g = graph_name(base_iri)
    superclasses, superproperties = _axioms(store, SUBCLASS), _axioms(store, SUBPROPERTY)
    gone: set[ox.Triple] = set()
    fresh: set[ox.Triple] = set()
    for s in subjects:
        if not isinstance(s, ox.NamedNode) or s == g:
            continue
        old = {q.triple for q in store.quads_for_pattern(s, None, None, g)}
        new = _entailed_for(store, g, s, superclasses, superproperties)
        gone |= old - new
        fresh |= new - old
    for t in gone:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, g))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in fresh)
    store.add(ox.Quad(g, RDF_TYPE, ox.NamedNode(WC + "EntailedData"), g))
    return {"removed": len(gone), "added": len(fresh), "seconds": round(time.perf_counter() - t0, 3)}


def affected(quads: Iterable[ox.Quad]) -> set | None:
    """The subjects whose entailments *quads* (that went or came) may change; None when an
    axiom is among them (every resource's may)."""
    out = set()
    for q in quads:
        if q.predicate in (SUBCLASS, SUBPROPERTY):
            return None
        out.add(q.subject)
    return out


def entail(store: ox.Store, base_iri: str = WCID_DEFAULT) -> dict:
    """Drop the entailed graph of *store* and compute it again (called at the end of
    :func:`graph.derived.derive`, and by :func:`update` when an axiom changed, so every
    build has it); its triples and seconds."""
    t0 = time.perf_counter()
    g = graph_name(base_iri)
    with contextlib.suppress(Exception):
        store.remove_graph(g)
    triples = list(entailments(store, base_iri))
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
    return {"triples": len(triples), "seconds": round(time.perf_counter() - t0, 3)}
