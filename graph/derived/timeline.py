"""The derivation ``timeline-counts``: for every choice of the timeline's filters, how many
dated events and agreements it finds, as :func:`graph.describe.timeline.timeline_facets`
counted them over the whole graph on the first view of ``/timeline`` (about 10 s at 1 M
triples on disk). Per choice, a subject of its own:

- ``wc:timelineCountryCount``: a wc:Country: the dated items located in it, at a place in it,
  or with an agent of that country in one of :data:`.summaries.AGENT_ROLES`;
- ``wc:timelineOrganisationCount``: anything an item names in one of those roles;
- ``wc:timelineTopicCount``: a skos:Concept: the items whose wc:topic or wc:discusses it is;
- ``wc:timelineKindCount``: a class at or below wc:Event or wc:Agreement: per stated type
  of an item at or below it, that type's dated items, summed (an item of two such types
  counts for both, as the page always counted it).

A dated item has a ``wc:date``. Everything is read as a query over the union with the RDFS
entailments reads it (:class:`.summaries.Facts`: sub-properties, the type closure).

Incremental per subject: a changed quad affects its subject and object (a choice itself:
an organisation, a place's country, a topic, a class and its superclasses) and every choice
of the items it touches, read before and after the change.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from .registry import RDF_TYPE, SUBCLASS, WC, XSD_INTEGER, derivation
from .scans import pairs
from .summaries import AGENT_ROLES, SUBPROPERTY, Facts

DATE, LOCATION, COUNTRY = (ox.NamedNode(WC + n) for n in ("date", "location", "country"))
TOPICS = (ox.NamedNode(WC + "topic"), ox.NamedNode(WC + "discusses"))
COUNTRY_CLASS = ox.NamedNode(WC + "Country")
CONCEPT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#Concept")
KIND_ROOTS = (ox.NamedNode(WC + "Event"), ox.NamedNode(WC + "Agreement"))
COUNTRY_COUNT, ORGANISATION_COUNT, TOPIC_COUNT, KIND_COUNT = (
    ox.NamedNode(WC + n) for n in ("timelineCountryCount", "timelineOrganisationCount", "timelineTopicCount",
                                   "timelineKindCount"))
PREDICATES = (COUNTRY_COUNT, ORGANISATION_COUNT, TOPIC_COUNT, KIND_COUNT)


class _Ties:
    """What ties items to the filters' choices, by pattern lookups (*item*-wise) or from
    whole scans (:meth:`scan`, the full derivation)."""

    def __init__(self, store: ox.Store):
        self.f = Facts(store)
        self.store = store

    def is_kind(self, k) -> bool:
        return any(r == k or r in self.f.up.get(k, ()) for r in KIND_ROOTS)

    def kinds_of(self, t) -> set:
        """The kinds a stated type *t* counts for: itself and its superclasses, those at or below a root."""
        return {k for k in ({t} | self.f.up.get(t, set())) if self.is_kind(k)}

    # -- per item -----------------------------------------------------------------------
    def dated(self, item) -> bool:
        return bool(self.f.objects(item, DATE))

    def choices(self, item) -> set:
        """Every choice *item* counts for (whether dated or not), unfiltered by type."""
        f = self.f
        places = f.objects(item, LOCATION)
        agents = set().union(*(f.objects(item, r) for r in AGENT_ROLES))
        out = places | agents | f.objects(item, TOPICS[0]) | f.objects(item, TOPICS[1])
        out |= set().union(*(f.objects(x, COUNTRY) for x in places | agents))
        for t in f.objects(item, RDF_TYPE):
            out |= self.kinds_of(t)
        return out

    # -- per choice -----------------------------------------------------------------------
    def counts_of(self, x) -> Iterator[ox.Triple]:
        f = self.f
        if not isinstance(x, ox.NamedNode):
            return
        dated = self.dated
        types = f.types(x)
        if COUNTRY_CLASS in types:
            inside = f.subjects(COUNTRY, x)
            items = f.subjects(LOCATION, x).union(*(f.subjects(LOCATION, p) for p in inside))
            for a in inside:
                items |= set().union(*(f.subjects(r, a) for r in AGENT_ROLES))
            yield from _count(x, COUNTRY_COUNT, sum(1 for i in items if dated(i)))
        yield from _count(x, ORGANISATION_COUNT,
                          sum(1 for i in set().union(*(f.subjects(r, x) for r in AGENT_ROLES)) if dated(i)))
        if CONCEPT in types:
            items = f.subjects(TOPICS[0], x) | f.subjects(TOPICS[1], x)
            yield from _count(x, TOPIC_COUNT, sum(1 for i in items if dated(i)))
        if self.is_kind(x):
            below = {x} | {c for c, supers in f.up.items() if x in supers}
            yield from _count(x, KIND_COUNT, sum(1 for t in below for i in f.subjects(RDF_TYPE, t) if dated(i)))

    # -- whole ----------------------------------------------------------------------------
    def _map(self, p: ox.NamedNode) -> dict:
        out: dict = defaultdict(set)
        for q in self.f._props(p):
            for s, o in pairs(self.store, q):
                out[s].add(o)
        return out

    def _of_dated(self, p: ox.NamedNode, dated: set) -> dict:
        """:meth:`_map` of *p* for the dated items only."""
        return {s: os for s, os in self._map(p).items() if s in dated}

    def _is(self, cls: ox.NamedNode) -> Callable[[Any], bool]:
        """Whether a resource is of *cls* (with the type closure), remembered per resource."""
        known: dict = {}

        def test(x) -> bool:
            if x not in known:
                known[x] = cls in self.f.types(x)
            return known[x]
        return test

    def scan(self) -> Iterator[ox.Triple]:
        dated = set(self._map(DATE))
        located, country = self._of_dated(LOCATION, dated), self._map(COUNTRY)
        agents: dict = defaultdict(set)
        for r in AGENT_ROLES:
            for s, os in self._of_dated(r, dated).items():
                agents[s] |= os
        topics: dict = defaultdict(set)
        for p in TOPICS:
            for s, os in self._of_dated(p, dated).items():
                topics[s] |= os
        by: dict[ox.NamedNode, Counter] = {p: Counter() for p in PREDICATES}
        is_country, is_concept = self._is(COUNTRY_CLASS), self._is(CONCEPT)
        for item in dated:
            places, who = located.get(item, set()), agents.get(item, set())
            cs = places.union(*(country.get(x, set()) for x in places | who))
            by[COUNTRY_COUNT].update(c for c in cs if is_country(c))
            by[ORGANISATION_COUNT].update(who)
            by[TOPIC_COUNT].update(t for t in topics.get(item, ()) if is_concept(t))
        kinds_of: dict = {}
        for ts in self._of_dated(RDF_TYPE, dated).values():
            for t in ts:
                if t not in kinds_of:
                    kinds_of[t] = self.kinds_of(t)
                by[KIND_COUNT].update(kinds_of[t])
        for p, counter in by.items():
            for x, n in counter.items():
                yield from _count(x, p, n)


def _count(x, p: ox.NamedNode, n: int) -> Iterator[ox.Triple]:
    if n and isinstance(x, ox.NamedNode):
        yield ox.Triple(x, p, ox.Literal(str(n), datatype=XSD_INTEGER))


def _affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    if any(q.predicate in (SUBCLASS, SUBPROPERTY) for q in quads):
        return None
    ties = _Ties(store)
    out: set = set()
    for q in quads:
        out |= {q.subject, q.object}
        if q.predicate == RDF_TYPE:
            out |= ties.kinds_of(q.object)
    for s in {q.subject for q in quads}:
        out |= ties.choices(s)
    return {x for x in out if isinstance(x, ox.NamedNode)}


def _for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    ties = _Ties(store)
    for x in subjects:
        yield from ties.counts_of(x)


@derivation("timeline-counts",
            "wc:timelineCountryCount, wc:timelineOrganisationCount, wc:timelineTopicCount and wc:timelineKindCount: "
            "the dated events and agreements of every choice of the timeline's filters (what its first view "
            "counted over the whole graph)", predicates=[p.value for p in PREDICATES], affected=_affected,
            compute_for=_for)
def _timeline_counts(store: ox.Store, base_iri: str) -> Iterable[ox.Triple]:
    return _Ties(store).scan()
