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
derivation (the build prints them).

**Incremental updates.** A rebuild after one changed article should not recompute the
whole graph (about 40 s at a million triples). A derivation that can be updated per
subject declares it: ``predicates`` (every predicate it emits, each triple's subject being
the entity it describes), ``affected(store, base_iri, quads)`` (the subjects whose triples
may change when *quads* are added to or removed from the source graphs, looked up in
*store*; None: all of them) and ``compute_for(store, base_iri, subjects)`` (the triples
of those subjects only). :class:`Update` asks ``affected`` on the store before the
changed graphs are removed (with the removed quads) and after the new files are loaded
(with the added quads), then replaces the triples of the affected subjects. A registered
derivation without them makes every build recompute the whole derived graph, as before. Python over pattern scans is used where SPARQL would
join every participant of every activity with every other (organisations-by-partner-count
took over 30 s as one query at 1 M triples; the same counts here take about a second).
"""
from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .entail import closure as _closure
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


Affected = Callable[[ox.Store, str, Sequence[ox.Quad]], "set | None"]
ComputeFor = Callable[[ox.Store, str, set], Iterable[ox.Triple]]


@dataclass(frozen=True)
class Derivation:
    name: str
    description: str
    compute: Callable[[ox.Store, str], Iterable[ox.Triple]]
    predicates: tuple[ox.NamedNode, ...] = ()
    affected: Affected | None = None
    compute_for: ComputeFor | None = None

    @property
    def incremental(self) -> bool:
        return bool(self.predicates) and self.affected is not None and self.compute_for is not None


#: Every derivation, by name, in the order they run.
REGISTRY: dict[str, Derivation] = {}


def derivation(name: str, description: str, *, predicates: Iterable[str] = (),
               affected: Affected | None = None, compute_for: ComputeFor | None = None):
    """Register a derivation (a decorator); a second one of the same name is a mistake.
    *predicates*, *affected* and *compute_for* make it incremental (module docstring)."""
    def register(fn: Callable[[ox.Store, str], Iterable[ox.Triple]]):
        if name in REGISTRY:
            raise ValueError(f"a derivation named {name!r} is already registered")
        REGISTRY[name] = Derivation(name, description, fn, tuple(ox.NamedNode(p) for p in predicates),
                                    affected, compute_for)
        return fn
    return register


def incremental() -> bool:
    """Whether every registered derivation can be updated per subject (:class:`Update`)."""
    return all(d.incremental for d in REGISTRY.values())


#: Raise when a derivation changes what it computes: a store built with another version is rebuilt.
VERSION = 2


def signature() -> str:
    """What the derived graph of a build was made by (kept in the build's manifest)."""
    return f"{VERSION}:" + ",".join([*REGISTRY, "rdfs-entailment"])  # + graph.entail


def graph_name(base_iri: str = WCID_DEFAULT) -> ox.NamedNode:
    return ox.NamedNode(base_iri + DERIVED_GRAPH[len(WCID_DEFAULT):])


def _drop_entailed(store: ox.Store, base_iri: str) -> None:
    """Derivations read what sources state, never the RDFS entailments (a chair is also an
    entailed participant: counted twice); graph.entail computes them after the derivations."""
    from . import entail
    with contextlib.suppress(Exception):
        store.remove_graph(entail.graph_name(base_iri))


def derive(store: ox.Store, base_iri: str = WCID_DEFAULT, *, only: Iterable[str] | None = None,
           progress: Callable[[str, int, int], None] | None = None, state_dir: Path | None = None) -> dict[str, dict]:
    """Drop the derived graph of *store* and compute it again; per derivation, its triples
    and seconds. The triples are added in one bulk load per derivation."""
    g = graph_name(base_iri)
    with contextlib.suppress(Exception):
        store.remove_graph(g)
    _drop_entailed(store, base_iri)
    names = list(only) if only is not None else list(REGISTRY)
    unknown = [n for n in names if n not in REGISTRY]
    if unknown:
        raise KeyError(f"no derivation named {', '.join(unknown)} (known: {', '.join(REGISTRY)})")
    report: dict[str, dict] = {}
    _SCANS.clear()
    _STATE.update(previous=None, out=state_dir)
    try:
        for i, name in enumerate(names, 1):
            if progress:
                progress(f"deriving {name}", i - 1, len(names))
            t0 = time.perf_counter()
            triples = list(REGISTRY[name].compute(store, base_iri))
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
            report[name] = {"triples": len(triples), "seconds": round(time.perf_counter() - t0, 3)}
    finally:
        _SCANS.clear()
        _STATE.update(previous=None, out=None, tables=None)
    # the graph describes itself, as wcid:graph/metrics does
    store.add(ox.Quad(g, RDF_TYPE, ox.NamedNode(WC + "DerivedData"), g))
    from . import entail
    entail.entail(store, base_iri)  # the RDFS entailments: a graph of their own
    return report


class Update:
    """The derived graph of *store* brought up to date after some source graphs changed,
    touching only the subjects the change affects (see the module docstring)::

        up = Update(store, base_iri)
        up.before(removed_quads)   # the store as it was, before the graphs are removed
        ...                        # remove the changed graphs, load the new files
        up.after(added_quads)      # the store as it is now
        report = up.apply()

    ``changed_iris`` then holds the IRIs of every derived triple removed or added (the
    label index counts derived links). Raises ValueError when a registered derivation is
    not incremental (the caller runs :func:`derive` instead)."""

    def __init__(self, store: ox.Store, base_iri: str = WCID_DEFAULT, *, previous_state: Path | None = None,
                 state_dir: Path | None = None):
        self.previous_state, self.state_dir = previous_state, state_dir
        self.tables: dict[str, Any] = {}  # the previous build's tables as this update changes them
        if not incremental():
            raise ValueError("not every derivation can be updated per subject: "
                             + ", ".join(n for n, d in REGISTRY.items() if not d.incremental))
        self.store, self.base_iri = store, base_iri
        # derivations read what sources state: the previous build's entailments go first
        # (apply() computes them again at its end)
        _drop_entailed(store, base_iri)
        self.graph = graph_name(base_iri)
        self.subjects: dict[str, set | None] = {name: set() for name in REGISTRY}
        self.changed_iris: set[str] = set()

    def _collect(self, quads: Sequence[ox.Quad]) -> None:
        quads = [q for q in quads if q.graph_name != self.graph]
        if not quads:
            return
        _SCANS.clear()  # a scan of the store before the change must not answer after it
        _STATE.update(previous=self.previous_state, out=self.state_dir, tables=self.tables)
        for name, d in REGISTRY.items():
            if self.subjects[name] is None:
                continue
            assert d.affected is not None
            found = d.affected(self.store, self.base_iri, quads)
            if found is None:
                self.subjects[name] = None
            else:
                self.subjects[name] |= found  # type: ignore[operator]
        _SCANS.clear()
        _STATE.update(previous=None, out=None, tables=None)

    def before(self, removed: Sequence[ox.Quad]) -> None:
        self._collect(removed)

    def after(self, added: Sequence[ox.Quad]) -> None:
        self._collect(added)

    def apply(self, progress: Callable[[str, int, int], None] | None = None) -> dict[str, dict]:
        """Replace the triples of the affected subjects, derivation by derivation (a
        derivation whose ``affected`` said "all" is recomputed whole); per derivation, the
        subjects updated, triples removed and added, and seconds."""
        report: dict[str, dict] = {}
        _SCANS.clear()
        _STATE.update(previous=self.previous_state, out=self.state_dir, tables=self.tables)
        try:
            for i, (name, d) in enumerate(REGISTRY.items(), 1):
                if progress:
                    progress(f"updating derived {name}", i - 1, len(REGISTRY))
                t0 = time.perf_counter()
                subjects = self.subjects[name]
                old = self._old_triples(d, subjects)
                if subjects is None:
                    new = set(d.compute(self.store, self.base_iri))
                else:
                    assert d.compute_for is not None
                    new = set(d.compute_for(self.store, self.base_iri, subjects)) if subjects else set()
                gone, fresh = old - new, new - old
                for t in gone:
                    self.store.remove(ox.Quad(t.subject, t.predicate, t.object, self.graph))
                if fresh:
                    self.store.extend(ox.Quad(t.subject, t.predicate, t.object, self.graph) for t in fresh)
                for t in gone | fresh:
                    for term in (t.subject, t.object):
                        if isinstance(term, ox.NamedNode):
                            self.changed_iris.add(term.value)
                report[name] = {"subjects": "all" if subjects is None else len(subjects), "removed": len(gone),
                                "added": len(fresh), "seconds": round(time.perf_counter() - t0, 3)}
            _carry_state(self.previous_state, self.state_dir)
        finally:
            _SCANS.clear()
            _STATE.update(previous=None, out=None, tables=None)
        self.store.add(ox.Quad(self.graph, RDF_TYPE, ox.NamedNode(WC + "DerivedData"), self.graph))
        from . import entail
        entail.entail(self.store, self.base_iri)  # the RDFS entailments: a graph of their own
        return report

    def _old_triples(self, d: Derivation, subjects: set | None) -> set[ox.Triple]:
        out: set[ox.Triple] = set()
        for p in d.predicates:
            if subjects is None:
                out |= {q.triple for q in self.store.quads_for_pattern(None, p, None, self.graph)}
            else:
                for s in subjects:
                    out |= {q.triple for q in self.store.quads_for_pattern(s, p, None, self.graph)}
        return out


# --------------------------------------------------------------------------------------
# state kept between builds (beside the store, in the build directory)
# --------------------------------------------------------------------------------------

#: While :func:`derive` or an :class:`Update` runs: the previous build's state folder (what
#: an incremental derivation may read: its tables as the previous build left them) and this
#: build's (where it writes them). A state file this build does not rewrite is carried over.
_STATE: dict[str, Any] = {"previous": None, "out": None, "tables": None}


def _carry_state(previous: Path | None, out: Path | None) -> None:
    if previous is None or out is None or not previous.is_dir():
        return
    out.mkdir(parents=True, exist_ok=True)
    for f in previous.iterdir():
        if f.is_file() and not (out / f.name).exists():
            try:
                os.link(f, out / f.name)  # (never written in place: _save_state renames a new file over)
            except OSError:
                shutil.copyfile(f, out / f.name)


def _load_state(name: str) -> Any:
    """The table *name* of the previous build (None when there is none, or it is unreadable)."""
    folder = _STATE["previous"]
    if folder is None:
        return None
    try:
        with open(folder / name, "rb") as fh:
            return pickle.load(fh)  # our own file, written by _save_state into the build directory
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None


def _save_state(name: str, value: Any) -> None:
    folder = _STATE["out"]
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, folder / name)


# --------------------------------------------------------------------------------------
# helpers over pattern scans (the default graph is the union: de-duplicate across graphs)
# --------------------------------------------------------------------------------------

_SCANS: dict[tuple[int, str], set[tuple]] = {}


def _pairs(store: ox.Store, predicate: ox.NamedNode) -> set[tuple]:
    """Distinct (subject, object) of *predicate* in every graph (kept while :func:`derive` runs)."""
    key = (id(store), predicate.value)
    if key not in _SCANS:
        _SCANS[key] = {(q.subject, q.object) for q in store.quads_for_pattern(None, predicate, None, None)
                       if not _is_derived(q.graph_name)}
    return _SCANS[key]


_DERIVED_SUFFIX = DERIVED_GRAPH[len(WCID_DEFAULT):]


def _is_derived(g) -> bool:
    """Whether *g* is the derived graph (under any base IRI): derivations read the other graphs."""
    return isinstance(g, ox.NamedNode) and g.value.endswith(_DERIVED_SUFFIX)


def _objects(store: ox.Store, s, p) -> set:
    """Distinct objects of (*s*, *p*, ?) in the source graphs."""
    return {q.object for q in store.quads_for_pattern(s, p, None, None) if not _is_derived(q.graph_name)}


def _subjects(store: ox.Store, p, o) -> set:
    """Distinct subjects of (?, *p*, *o*) in the source graphs."""
    return {q.subject for q in store.quads_for_pattern(None, p, o, None) if not _is_derived(q.graph_name)}


def _reachable(store: ox.Store, start, p, *, forward: bool) -> set:
    """Every node reachable from *start* by one or more *p* edges (forward: start p x)."""
    seen: set = set()
    todo = [start]
    while todo:
        n = todo.pop()
        for m in (_objects(store, n, p) if forward else _subjects(store, p, n)):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    seen.discard(start)
    return seen




def _subclasses_of(store: ox.Store, cls: ox.NamedNode) -> set:
    """*cls* and every class below it (rdfs:subClassOf*)."""
    up = _closure(_pairs(store, SUBCLASS))
    return {cls} | {c for c, supers in up.items() if cls in supers}


# --------------------------------------------------------------------------------------
# the derivations
# --------------------------------------------------------------------------------------

def _mst_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    if any(q.predicate == SUBCLASS for q in quads):
        return None  # the class hierarchy changed: every resource's answer may change
    return {q.subject for q in quads if q.predicate == RDF_TYPE and isinstance(q.subject, ox.NamedNode)}


def _mst_for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    up = _closure(_pairs(store, SUBCLASS))
    p = ox.NamedNode(WC + "mostSpecificType")
    for s in subjects:
        if not isinstance(s, ox.NamedNode):
            continue
        ts = _objects(store, s, RDF_TYPE)
        for t in ts:
            if not any(n != t and t in up.get(n, ()) for n in ts):
                yield ox.Triple(s, p, t)


@derivation("most-specific-type",
            "wc:mostSpecificType: each type of a resource that no other of its types is narrower than "
            "(what `?x a ?kind . FILTER NOT EXISTS { ?x a ?n . ?n rdfs:subClassOf+ ?kind . FILTER(?n != ?kind) }` "
            "computes per row)",
            predicates=[WC + "mostSpecificType"], affected=_mst_affected, compute_for=_mst_for)
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


class _Participation:
    """:func:`participation` for a few links or organisations, by pattern lookups (what an
    incremental update needs), with the answers kept while it lives."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.roles = [ox.NamedNode(WC + r) for r in PARTICIPATION_ROLES]
        self.org_classes = _subclasses_of(store, ox.NamedNode(WC + "Organisation"))
        self._is_org: dict = {}
        self._posts: dict = {}
        self._links: dict = {}

    def is_org(self, x) -> bool:
        if x not in self._is_org:
            self._is_org[x] = bool(_objects(self.store, x, RDF_TYPE) & self.org_classes)
        return self._is_org[x]

    def posts(self, actor) -> set:
        """The organisations of the memberships *actor* is a member of."""
        if actor not in self._posts:
            self._posts[actor] = {o for m in _subjects(self.store, ORG_MEMBER, actor)
                                  for o in _objects(self.store, m, ORG_ORGANIZATION)}
        return self._posts[actor]

    def of_link(self, link) -> set:
        """The organisations taking part in *link* (as :func:`participation` counts them)."""
        if link not in self._links:
            out = set()
            for role in self.roles:
                for actor in _objects(self.store, link, role):
                    out |= {o for o in {actor} | self.posts(actor) if self.is_org(o)}
            self._links[link] = out
        return self._links[link]

    def links_of_actor(self, actor) -> set:
        return {link for role in self.roles for link in _subjects(self.store, role, actor)}

    def links_of_org(self, org) -> set:
        """Every link *org* takes part in: directly, or through whoever holds a post there."""
        actors = {org} | {a for m in _subjects(self.store, ORG_ORGANIZATION, org)
                          for a in _objects(self.store, m, ORG_MEMBER)}
        return {link for a in actors for link in self.links_of_actor(a)}


PARTICIPATION_STATE = "participation.pickle"


def _participation_table() -> dict | None:
    """The previous build's participation table (link IRI → organisation IRIs), as this
    update has changed it so far; None when there is none."""
    work = _STATE.get("tables")
    if not isinstance(work, dict):
        return None
    if "participation" not in work:
        loaded = _load_state(PARTICIPATION_STATE)
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
    links: set = set()
    actors: set = set()
    orgs: set = set()
    for q in quads:
        p = q.predicate
        if p == SUBCLASS:
            return None
        if p in roles:
            links.add(q.subject)
        elif p == ORG_MEMBER:
            actors.add(q.object)
        elif p == ORG_ORGANIZATION:
            actors |= _objects(store, q.subject, ORG_MEMBER)
            orgs.add(q.object)
        elif p == RDF_TYPE and q.object in part.org_classes:
            orgs.add(q.subject)
            links |= part.links_of_org(q.subject)
        elif p == ORG_SUB:
            for x in (q.subject, q.object):
                orgs |= {x} | _reachable(store, x, ORG_SUB, forward=True) | _reachable(store, x, ORG_SUB, forward=False)
    for a in actors:
        links |= part.links_of_actor(a)
    work = _STATE["tables"]
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
    work = _STATE["tables"]
    assert isinstance(work, dict)
    for link in work["links"]:  # as the store has them now (a link met only before the change too)
        _set_participants(table, link.value, part.of_link(link))
    _save_state(PARTICIPATION_STATE, table)
    links_of: dict[str, list[str]] = defaultdict(list)
    wanted = {o.value for o in subjects if isinstance(o, ox.NamedNode)}
    for link, orgs in table.items():
        for o in orgs:
            if o in wanted:
                links_of[o].append(link)
    pc, sc = ox.NamedNode(WC + "partnerCount"), ox.NamedNode(WC + "sharedActivityCount")
    for o, its_links in links_of.items():
        node = ox.NamedNode(o)
        excluded = {o} | {x.value for x in _reachable(store, node, ORG_SUB, forward=True)
                          | _reachable(store, node, ORG_SUB, forward=False)}
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
        _save_state(PARTICIPATION_STATE, {link.value: frozenset(o.value for o in orgs) for link, orgs in links.items()})
    else:
        _save_state(PARTICIPATION_STATE, None)  # (blank nodes: the next build derives this whole)
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


# more derivations (per-resource summaries for the named queries), registered after these
from .derived_summaries import DERIVATIONS as _MORE  # noqa: E402 (they run after the ones above)

for _d in _MORE:
    derivation(_d.name, _d.description, predicates=_d.predicates, affected=_d.affected,
               compute_for=_d.compute_for)(_d.compute)
