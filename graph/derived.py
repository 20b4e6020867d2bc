"""Derived data: what a named query or a page would otherwise recompute over the whole graph
on every request, computed once per build and stored as the named graph
``wcid:graph/derived`` (terms in ``ontology/derived.ttl``).

Every build drops the graph and computes it again from the data just loaded
(:func:`derive`, called by :func:`graph.store.build`), so it is never stale; it is queryable
with SPARQL like any other graph (the default graph is the union). Derivations read the
other graphs only: the derived graph is removed before any of them runs.

A derivation is a function from an open pyoxigraph store (and the deployment's base IRI)
to triples, registered under a name with :func:`derivation`::

    @derivation("events-per-year", "number of dated events per year")
    def _events_per_year(store, base_iri):
        for row in store.query("SELECT ...", use_default_graph_as_union=True):
            yield ox.Triple(...)

Derivations run in registration order; :func:`derive` reports triples and seconds per
derivation (the build prints them). Python over pattern scans is used where SPARQL would
join every participant of every activity with every other (organisations-by-partner-count
took over 30 s as one query at 1 M triples; the same counts here take about a second).
"""
from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import WCID_DEFAULT

DERIVED_GRAPH = WCID_DEFAULT + "graph/derived"

WC = "https://w3id.org/wckg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
ORG_MEMBER = ox.NamedNode("http://www.w3.org/ns/org#member")
ORG_ORGANIZATION = ox.NamedNode("http://www.w3.org/ns/org#organization")
ORG_SUB = ox.NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

#: The roles by which an organisation (or a person holding a post at one) takes part in an
#: event, agreement or programme: as in cq7-partners-of-organisation and
#: organisations-by-partner-count.
PARTICIPATION_ROLES = ("organiser", "participant", "supporter", "chair", "party", "funder", "implementer", "partner",
                       "recipient")


@dataclass(frozen=True)
class Derivation:
    name: str
    description: str
    compute: Callable[[ox.Store, str], Iterable[ox.Triple]]
    #: the named graph it fills (rebased on the deployment's base IRI): the derived graph,
    #: or one of its own (graph.entail: wcid:graph/entailed)
    graph: str = DERIVED_GRAPH


#: Every derivation, by name, in the order they run.
REGISTRY: dict[str, Derivation] = {}


def derivation(name: str, description: str, graph: str = DERIVED_GRAPH):
    """Register a derivation (a decorator); a second one of the same name is a mistake."""
    def register(fn: Callable[[ox.Store, str], Iterable[ox.Triple]]):
        if name in REGISTRY:
            raise ValueError(f"a derivation named {name!r} is already registered")
        REGISTRY[name] = Derivation(name, description, fn, graph)
        return fn
    return register


#: Raise when a derivation changes what it computes: a store built with another version is rebuilt.
VERSION = 2


def signature() -> str:
    """What the derived graph of a build was made by (kept in the build's manifest)."""
    return f"{VERSION}:" + ",".join(REGISTRY)


def graph_name(base_iri: str = WCID_DEFAULT, graph: str = DERIVED_GRAPH) -> ox.NamedNode:
    return ox.NamedNode(base_iri + graph[len(WCID_DEFAULT):])


def graphs() -> list[str]:
    """Every graph the derivations fill (under the default base IRI): dropped and computed
    again by every build."""
    return list(dict.fromkeys([DERIVED_GRAPH, *(d.graph for d in REGISTRY.values())]))


def derive(store: ox.Store, base_iri: str = WCID_DEFAULT, *, only: Iterable[str] | None = None,
           progress: Callable[[str, int, int], None] | None = None) -> dict[str, dict]:
    """Drop the derived graph of *store* and compute it again; per derivation, its triples
    and seconds. The triples are added in one bulk load per derivation."""
    g = graph_name(base_iri)
    for other in graphs():
        with contextlib.suppress(Exception):
            store.remove_graph(graph_name(base_iri, other))
    names = list(only) if only is not None else list(REGISTRY)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise KeyError(f"no derivation named {', '.join(unknown)} (known: {', '.join(REGISTRY)})")
    report: dict[str, dict] = {}
    _SCANS.clear()
    try:
        for i, name in enumerate(names, 1):
            if progress:
                progress(f"deriving {name}", i - 1, len(names))
            t0 = time.perf_counter()
            triples = list(REGISTRY[name].compute(store, base_iri))
            into = graph_name(base_iri, REGISTRY[name].graph)
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, into) for t in triples)
            report[name] = {"triples": len(triples), "seconds": round(time.perf_counter() - t0, 3)}
    finally:
        _SCANS.clear()
    # the graph describes itself, as wcid:graph/metrics does
    store.add(ox.Quad(g, RDF_TYPE, ox.NamedNode(WC + "DerivedData"), g))
    return report


# --------------------------------------------------------------------------------------
# helpers over pattern scans (the default graph is the union: de-duplicate across graphs)
# --------------------------------------------------------------------------------------

_SCANS: dict[tuple[int, str], set[tuple]] = {}


def _pairs(store: ox.Store, predicate: ox.NamedNode) -> set[tuple]:
    """Distinct (subject, object) of *predicate* in every graph (kept while :func:`derive` runs)."""
    key = (id(store), predicate.value)
    if key not in _SCANS:
        _SCANS[key] = {(q.subject, q.object) for q in store.quads_for_pattern(None, predicate, None, None)}
    return _SCANS[key]


def _closure(edges: Iterable[tuple]) -> dict:
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


def _subclasses_of(store: ox.Store, cls: ox.NamedNode) -> set:
    """*cls* and every class below it (rdfs:subClassOf*)."""
    up = _closure(_pairs(store, SUBCLASS))
    return {cls} | {c for c, supers in up.items() if cls in supers}


# --------------------------------------------------------------------------------------
# the derivations
# --------------------------------------------------------------------------------------

@derivation("most-specific-type",
            "wc:mostSpecificType: each type of a resource that no other of its types is narrower than "
            "(what `?x a ?kind . FILTER NOT EXISTS { ?x a ?n . ?n rdfs:subClassOf+ ?kind . FILTER(?n != ?kind) }` "
            "computes per row)")
def _most_specific_type(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    up = _closure(_pairs(store, SUBCLASS))
    types: dict = defaultdict(set)
    for s, t in _pairs(store, RDF_TYPE):
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


def participation(store: ox.Store) -> dict:
    """link -> the organisations taking part in it, in any of :data:`PARTICIPATION_ROLES`,
    directly or through a person (any actor) holding a post there (``(^org:member/
    org:organization)?``); only resources typed as a wc:Organisation (or a subclass)."""
    org_classes = _subclasses_of(store, ox.NamedNode(WC + "Organisation"))
    is_org = {s for s, t in _pairs(store, RDF_TYPE) if t in org_classes}
    posts: dict = defaultdict(set)  # actor -> organisations of the memberships it is member of
    organisation_of: dict = defaultdict(set)
    for m, o in _pairs(store, ORG_ORGANIZATION):
        organisation_of[m].add(o)
    for m, actor in _pairs(store, ORG_MEMBER):
        posts[actor] |= organisation_of.get(m, set())
    links: dict = defaultdict(set)
    for role in PARTICIPATION_ROLES:
        for link, actor in _pairs(store, ox.NamedNode(WC + role)):
            for o in ({actor} | posts.get(actor, set())):
                if o in is_org:
                    links[link].add(o)
    return links


@derivation("partner-counts",
            "wc:partnerCount and wc:sharedActivityCount of every organisation with a partner "
            "(the numbers of organisations-by-partner-count)")
def _partner_counts(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    links = participation(store)
    unit_of = _closure(_pairs(store, ORG_SUB))  # x -> every organisation x is a unit of (subOrganizationOf+)
    # Sets of organisations as bit masks over numbered organisations: a hub person holding
    # hundreds of posts puts hundreds of organisations on every link they attend, and
    # pairing them one by one took minutes at 1 M triples; OR-ing masks takes a second.
    ids: dict = {}
    for orgs in links.values():
        for o in orgs:
            ids.setdefault(o, len(ids))
    # an organisation is never its own partner, nor one of its units' (either way round):
    # excluded per pair, whatever the link
    excluded: dict[int, int] = defaultdict(int)
    for unit, above in unit_of.items():
        for a in above:
            if unit in ids and a in ids:
                excluded[ids[unit]] |= 1 << ids[a]
                excluded[ids[a]] |= 1 << ids[unit]
    seen: dict[int, int] = defaultdict(int)
    shared: dict[int, int] = defaultdict(int)
    for orgs in links.values():
        if len(orgs) < 2:
            continue
        numbers = [ids[o] for o in orgs]
        mask = 0
        for i in numbers:
            mask |= 1 << i
        for i in numbers:
            if mask & ~(1 << i) & ~excluded.get(i, 0):  # some other organisation of this link is a partner
                seen[i] |= mask
                shared[i] += 1
    organisations = {i: o for o, i in ids.items()}
    partners = {organisations[i]: (m & ~(1 << i) & ~excluded.get(i, 0)).bit_count() for i, m in seen.items()}
    shared_by_org = {organisations[i]: n for i, n in shared.items()}
    pc, sc = ox.NamedNode(WC + "partnerCount"), ox.NamedNode(WC + "sharedActivityCount")
    for o, n in partners.items():
        if not n or not isinstance(o, ox.NamedNode):
            continue
        yield ox.Triple(o, pc, ox.Literal(str(n), datatype=XSD_INTEGER))
        yield ox.Triple(o, sc, ox.Literal(str(shared_by_org[o]), datatype=XSD_INTEGER))


# derivations of other modules, registered after these (they run last)
from . import entail  # noqa: E402,F401
