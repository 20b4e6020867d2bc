"""The derivations ``timeline-counts`` and ``timeline-countries`` (at the end: per dated item,
``wc:timelineCountry``, what the country filter matches it by).

``timeline-counts``: for every choice of the timeline's filters, how many
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
of the items it touches, read before and after the change. A rebuild does not count them
again: the previous count plus what the touched items add now less what they added before
(:func:`_for`).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from .registry import RDF_TYPE, SUBCLASS, WC, XSD_INTEGER, derivation, graph_name
from .scans import is_source, link_triples, pairs
from .state import STATE
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
        self._dated: set | None = None

    def is_kind(self, k) -> bool:
        return any(r == k or r in self.f.up.get(k, ()) for r in KIND_ROOTS)

    def kinds_of(self, t) -> set:
        """The kinds a stated type *t* counts for: itself and its superclasses, those at or below a root."""
        return {k for k in ({t} | self.f.up.get(t, set())) if self.is_kind(k)}

    # -- per item -----------------------------------------------------------------------
    def dated(self, item) -> bool:
        if self._dated is None:  # one scan of the dates: a lookup per item was most of an update's time
            self._dated = set(self._map(DATE))
        return item in self._dated

    def choices(self, item) -> set:
        """Every choice *item* counts for (whether dated or not), unfiltered by type."""
        f = self.f
        places, agents, countries = _ties(f, item)
        out = places | agents | countries | f.objects(item, TOPICS[0]) | f.objects(item, TOPICS[1])
        for t in f.objects(item, RDF_TYPE):
            out |= self.kinds_of(t)
        return out

    def memberships(self, f: Facts, item) -> Counter:
        """(count predicate, choice) -> how much *item* adds to that count, as *f* sees the
        graph (an item of two stated kinds adds two to a kind above both)."""
        out: Counter = Counter()
        if not f.objects(item, DATE):
            return out
        _, agents, countries = _ties(f, item)
        out.update((COUNTRY_COUNT, c) for c in countries if COUNTRY_CLASS in f.types(c))
        out.update((ORGANISATION_COUNT, a) for a in agents)
        out.update((TOPIC_COUNT, t) for t in f.objects(item, TOPICS[0]) | f.objects(item, TOPICS[1])
                   if CONCEPT in f.types(t))
        for t in f.objects(item, RDF_TYPE):
            out.update((KIND_COUNT, k) for k in self.kinds_of(t))
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
        self.dated(None)
        dated = self._dated or set()
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


class _Before(Facts):
    """:class:`Facts` as they were before a change: the store less the *added* quads, with
    the *removed* ones (the class and property hierarchy is the same: a change to it makes
    the update recompute everything)."""

    def __init__(self, store: ox.Store, removed: Sequence[ox.Quad], added: Sequence[ox.Quad]):
        super().__init__(store)
        self.added = {q for q in added if is_source(q.graph_name)}
        self.by_sp: dict = defaultdict(set)
        self.by_po: dict = defaultdict(set)
        for q in removed:
            if is_source(q.graph_name):
                self.by_sp[q.subject, q.predicate].add(q.object)
                self.by_po[q.predicate, q.object].add(q.subject)

    def objects(self, s, p: ox.NamedNode) -> set:
        out: set = set()
        for q in self._props(p):
            out |= {x.object for x in self.store.quads_for_pattern(s, q, None, None)
                    if is_source(x.graph_name) and x not in self.added} | self.by_sp.get((s, q), set())
        return out

    def subjects(self, p: ox.NamedNode, o) -> set:
        out: set = set()
        for q in self._props(p):
            out |= {x.subject for x in self.store.quads_for_pattern(None, q, o, None)
                    if is_source(x.graph_name) and x not in self.added} | self.by_po.get((q, o), set())
        return out


def _for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    """The counts of *subjects* after a change: the previous build's, plus what the items the
    change touched add now less what they added before (:meth:`_Ties.memberships` under
    both views). Recounted: without a recorded change, and a choice whose type as a country
    or a topic changed (every item of it changes membership). A recount of a country walks
    every role of every agent in it: 2-4 s of a one-article rebuild at 1 M triples."""
    ties = _Ties(store)
    change = STATE.get("change")
    if change is None:
        for x in subjects:
            yield from ties.counts_of(x)
        return
    removed, added = change
    now, before = ties.f, _Before(store, removed, added)
    recount = {x for x in subjects
               if any((cls in now.types(x)) != (cls in before.types(x)) for cls in (COUNTRY_CLASS, CONCEPT))}
    changed = [q for q in (*removed, *added) if is_source(q.graph_name)]
    items = {q.subject for q in changed}
    for q in changed:
        if q.predicate in now._props(COUNTRY):  # the items at a place, or of an agent, whose country changed
            for f in (now, before):
                items |= f.subjects(LOCATION, q.subject).union(*(f.subjects(r, q.subject) for r in AGENT_ROLES))
    delta: Counter = Counter()
    for item in items:
        delta.update(ties.memberships(now, item))
        delta.subtract(ties.memberships(before, item))
    g = graph_name(base_iri)
    for x in subjects:
        if x in recount:
            yield from ties.counts_of(x)
            continue
        for p in PREDICATES:
            old = [int(q.object.value) for q in store.quads_for_pattern(x, p, None, g) if isinstance(q.object, ox.Literal)]
            yield from _count(x, p, (old[0] if old else 0) + delta[p, x])


@derivation("timeline-counts",
            "wc:timelineCountryCount, wc:timelineOrganisationCount, wc:timelineTopicCount and wc:timelineKindCount: "
            "the dated events and agreements of every choice of the timeline's filters (what its first view "
            "counted over the whole graph)", predicates=[p.value for p in PREDICATES], affected=_affected,
            compute_for=_for)
def _timeline_counts(store: ox.Store, base_iri: str) -> Iterable[ox.Triple]:
    return _Ties(store).scan()


# --------------------------------------------------------------------------------------
# timeline-countries: what the timeline's country filter matches each dated item by
# --------------------------------------------------------------------------------------

TIMELINE_COUNTRY = ox.NamedNode(WC + "timelineCountry")


def _ties(f: Facts, item) -> tuple[set, set, set]:
    """*item*'s places (wc:location), agents (in :data:`.summaries.AGENT_ROLES`) and what the
    country filter matches it by: its places, their wc:country and its agents' wc:country."""
    places = f.objects(item, LOCATION)
    agents = set().union(*(f.objects(item, r) for r in AGENT_ROLES))
    return places, agents, places.union(*(f.objects(x, COUNTRY) for x in places | agents))


def _ties_of(f: Facts, item) -> set:
    """What the country filter matches a dated item by (any resource: the filter takes any IRI)."""
    return _ties(f, item)[2] if f.objects(item, DATE) else set()


def _tie_triples(pairs_: Iterable[tuple]) -> Iterator[ox.Triple]:
    return link_triples(pairs_, TIMELINE_COUNTRY)


def _ties_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    """The subjects of the change, and the items at a place or of an agent whose country changed."""
    if any(q.predicate in (SUBCLASS, SUBPROPERTY) for q in quads):
        return None
    f = Facts(store)
    out = {q.subject for q in quads}
    for q in quads:
        if q.predicate in f._props(COUNTRY):
            out |= f.subjects(LOCATION, q.subject).union(*(f.subjects(r, q.subject) for r in AGENT_ROLES))
    return out


def _ties_for(store: ox.Store, base_iri: str, items: set) -> Iterator[ox.Triple]:
    f = Facts(store)
    return _tie_triples((item, _ties_of(f, item)) for item in items)


@derivation("timeline-countries",
            "wc:timelineCountry: per dated event or agreement, its place, that place's country and its agents' "
            "countries (what the timeline's country filter joined per request)",
            predicates=[TIMELINE_COUNTRY.value], affected=_ties_affected, compute_for=_ties_for)
def _timeline_countries(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    ties = _Ties(store)
    dated = set(ties._map(DATE))
    located, country = ties._of_dated(LOCATION, dated), ties._map(COUNTRY)
    agents: dict = defaultdict(set)
    for r in AGENT_ROLES:
        for s, os in ties._of_dated(r, dated).items():
            agents[s] |= os

    def of(item) -> set:
        places, who = located.get(item, set()), agents.get(item, set())
        return places.union(*(country.get(x, set()) for x in places | who))
    return _tie_triples((item, of(item)) for item in dated)
