"""The derivation ``partner-counts``: wc:partnerCount and wc:sharedActivityCount of every
organisation with a partner, and :func:`participation` (who takes part in what)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from ..entail import closure
from .registry import ORG_MEMBER, ORG_ORGANIZATION, ORG_SUB, RDF_TYPE, SUBCLASS, WC, XSD_INTEGER, derivation
from .scans import objects, pairs, reachable, subclasses_of, subjects
from .state import STATE, load_state, save_state

#: The roles by which an organisation (or a person holding a post at one) takes part in an
#: event, agreement or programme: as in cq7-partners-of-organisation and
#: organisations-by-partner-count.
PARTICIPATION_ROLES = ("organiser", "participant", "supporter", "chair", "party", "funder", "implementer", "partner",
                       "recipient")


def participation(store: ox.Store, *, organisations_only: bool = True) -> dict:
    """link -> the organisations taking part in it, in any of :data:`PARTICIPATION_ROLES`,
    directly or through a person (any actor) holding a post there (``(^org:member/
    org:organization)?``); only resources typed as a wc:Organisation (or a subclass), unless
    *organisations_only* is false: then everyone the path reaches, whatever its type (a
    person, a state: the derivation ``involvement``)."""
    is_org: set | None = None
    if organisations_only:
        org_classes = subclasses_of(store, ox.NamedNode(WC + "Organisation"))
        is_org = {s for s, t in pairs(store, RDF_TYPE) if t in org_classes}
    posts: dict = defaultdict(set)  # actor -> organisations of the memberships it is member of
    organisation_of: dict = defaultdict(set)
    for m, o in pairs(store, ORG_ORGANIZATION):
        organisation_of[m].add(o)
    for m, actor in pairs(store, ORG_MEMBER):
        posts[actor] |= organisation_of.get(m, set())
    links: dict = defaultdict(set)
    for role in PARTICIPATION_ROLES:
        for link, actor in pairs(store, ox.NamedNode(WC + role)):
            for o in ({actor} | posts.get(actor, set())):
                if is_org is None or o in is_org:
                    links[link].add(o)
    return links


class _Participation:
    """:func:`participation` for a few links or organisations, by pattern lookups (what an
    incremental update needs), with the answers kept while it lives."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.roles = [ox.NamedNode(WC + r) for r in PARTICIPATION_ROLES]
        self.org_classes = subclasses_of(store, ox.NamedNode(WC + "Organisation"))
        self._is_org: dict = {}
        self._posts: dict = {}
        self._links: dict = {}
        self._involved: dict = {}

    def is_org(self, x) -> bool:
        if x not in self._is_org:
            self._is_org[x] = bool(objects(self.store, x, RDF_TYPE) & self.org_classes)
        return self._is_org[x]

    def posts(self, actor) -> set:
        """The organisations of the memberships *actor* is a member of."""
        if actor not in self._posts:
            self._posts[actor] = {o for m in subjects(self.store, ORG_MEMBER, actor)
                                  for o in objects(self.store, m, ORG_ORGANIZATION)}
        return self._posts[actor]

    def involved(self, link) -> set:
        """Everyone taking part in *link*, whatever their type (``participation(store,
        organisations_only=False)``): each actor in a role and the organisations of its posts."""
        if link not in self._involved:
            out = set()
            for role in self.roles:
                for actor in objects(self.store, link, role):
                    out |= {actor} | self.posts(actor)
            self._involved[link] = out
        return self._involved[link]

    def of_link(self, link) -> set:
        """The organisations taking part in *link* (as :func:`participation` counts them)."""
        if link not in self._links:
            self._links[link] = {o for o in self.involved(link) if self.is_org(o)}
        return self._links[link]

    def links_changed_by(self, quads: Sequence[ox.Quad]) -> set:
        """The links whose participants (:meth:`involved`, whatever their type) may change
        with *quads*: a changed role, and the links of an actor whose posts changed."""
        roles = set(self.roles)
        links: set = set()
        actors: set = set()
        for q in quads:
            if q.predicate in roles:
                links.add(q.subject)
            elif q.predicate == ORG_MEMBER:
                actors.add(q.object)
            elif q.predicate == ORG_ORGANIZATION:
                actors |= objects(self.store, q.subject, ORG_MEMBER)
        for a in actors:
            links |= self.links_of_actor(a)
        return links

    def links_of_actor(self, actor) -> set:
        return {link for role in self.roles for link in subjects(self.store, role, actor)}

    def links_of_org(self, org) -> set:
        """Every link *org* takes part in: directly, or through whoever holds a post there."""
        actors = {org} | {a for m in subjects(self.store, ORG_ORGANIZATION, org)
                          for a in objects(self.store, m, ORG_MEMBER)}
        return {link for a in actors for link in self.links_of_actor(a)}


PARTICIPATION_STATE = "participation.pickle"


def _participation_table() -> dict | None:
    """The previous build's participation table (link IRI → organisation IRIs), as this
    update has changed it so far; None when there is none."""
    work = STATE.get("tables")
    if not isinstance(work, dict):
        return None
    if "participation" not in work:
        loaded = load_state(PARTICIPATION_STATE)
        if not isinstance(loaded, dict):
            return None
        work["participation"], work["links"] = loaded, set()
    return work["participation"]


def _partners_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    """The organisations whose partner counts may change with *quads*: everyone taking part
    (before or after) in a link whose participants may change, and both sides of a changed
    unit relation. The links' participants before come from the previous build's table."""
    part = _Participation(store)
    roles = set(part.roles)
    relevant = roles | {SUBCLASS, ORG_MEMBER, ORG_ORGANIZATION, ORG_SUB}
    if not any(q.predicate in relevant or (q.predicate == RDF_TYPE and q.object in part.org_classes) for q in quads):
        return set()  # (without reading the table: most of an article's quads are evidence)
    table = _participation_table()
    if table is None:
        return None
    if any(q.predicate == SUBCLASS for q in quads):
        return None
    links = part.links_changed_by(quads)  # a changed role, or an actor's changed posts
    orgs: set = set()
    for q in quads:
        p = q.predicate
        if p == ORG_ORGANIZATION:
            orgs.add(q.object)
        elif p == RDF_TYPE and q.object in part.org_classes:
            orgs.add(q.subject)
            links |= part.links_of_org(q.subject)
        elif p == ORG_SUB:
            for x in (q.subject, q.object):
                orgs |= {x} | reachable(store, x, ORG_SUB, forward=True) | reachable(store, x, ORG_SUB, forward=False)
    work = STATE["tables"]
    assert isinstance(work, dict)
    for link in links:
        if not isinstance(link, ox.NamedNode):
            return None
        now = part.of_link(link)
        if any(not isinstance(o, ox.NamedNode) for o in now):
            return None
        orgs |= {ox.NamedNode(o) for o in table.get(link.value, ())} | now
        _set_participants(table, link.value, now)
        work["links"].add(link)
    return orgs


def _set_participants(table: dict, link: str, orgs: set) -> None:
    if orgs:
        table[link] = frozenset(o.value for o in orgs)
    else:
        table.pop(link, None)


def _partners_for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    table = _participation_table()
    if table is None:  # (affected said "all" then, and compute() ran instead)
        return
    part = _Participation(store)
    work = STATE["tables"]
    assert isinstance(work, dict)
    for link in work["links"]:  # as the store has them now (a link met only before the change too)
        _set_participants(table, link.value, part.of_link(link))
    save_state(PARTICIPATION_STATE, table)
    links_of: dict[str, list[str]] = defaultdict(list)
    wanted = {o.value for o in subjects if isinstance(o, ox.NamedNode)}
    for link, orgs in table.items():
        for o in orgs:
            if o in wanted:
                links_of[o].append(link)
    pc, sc = ox.NamedNode(WC + "partnerCount"), ox.NamedNode(WC + "sharedActivityCount")
    for o, its_links in links_of.items():
        node = ox.NamedNode(o)
        excluded = {o} | {x.value for x in reachable(store, node, ORG_SUB, forward=True)
                          | reachable(store, node, ORG_SUB, forward=False)}
        partners: set = set()
        shared = 0
        for link in its_links:
            orgs = table[link]
            if len(orgs) < 2:
                continue
            others = orgs - excluded
            if others:
                partners |= others
                shared += 1
        if partners:
            yield ox.Triple(node, pc, ox.Literal(str(len(partners)), datatype=XSD_INTEGER))
            yield ox.Triple(node, sc, ox.Literal(str(shared), datatype=XSD_INTEGER))


@derivation("partner-counts",
            "wc:partnerCount and wc:sharedActivityCount of every organisation with a partner "
            "(the numbers of organisations-by-partner-count)",
            predicates=[WC + "partnerCount", WC + "sharedActivityCount"],
            affected=_partners_affected, compute_for=_partners_for)
def _partner_counts(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    links = participation(store)
    if all(isinstance(x, ox.NamedNode) for link, orgs in links.items() for x in (link, *orgs)):
        save_state(PARTICIPATION_STATE, {link.value: frozenset(o.value for o in orgs) for link, orgs in links.items()})
    else:
        save_state(PARTICIPATION_STATE, None)  # (blank nodes: the next build derives this whole)
    unit_of = closure(pairs(store, ORG_SUB))  # x -> every organisation x is a unit of (subOrganizationOf+)
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
