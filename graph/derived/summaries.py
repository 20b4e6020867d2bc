"""More derived data (issue 13): per-resource summaries that named queries read instead of
recomputing them per request over the whole graph. Registered with the registry of
:mod:`graph.derived` (:func:`.registry.derivation`), stored in ``wcid:graph/derived``, terms in ``ontology/derived.ttl``.

Every derivation here is incremental per subject (``predicates``, ``affected``,
``compute_for``) and reads the source graphs only, as the named queries read the union
with the RDFS entailments: types by the ``rdfs:subClassOf`` closure, properties with
every ``rdfs:subPropertyOf`` below them (:class:`Facts`).

- ``cooperation-intensity``: per event, agreement or programme, the Basins at Risk code,
  year and number of reports exactly as ``queries/cooperation-intensity-by-year.rq``
  computed them per item (over 30 s per query at 1 M triples): ``wc:intensityCode``,
  ``wc:intensityYear``, ``wc:reportCount``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..entail import closure
from ..namespaces import WCID_DEFAULT
from .registry import derivation
from .scans import is_source

WC = "https://w3id.org/wckg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
SUBPROPERTY = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subPropertyOf")
DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
XSD_INTEGER = ox.NamedNode(XSD + "integer")


def _wc(name: str) -> ox.NamedNode:
    return ox.NamedNode(WC + name)


@dataclass(frozen=True)
class Spec:
    """What :func:`graph.derived.derivation` registers."""
    name: str
    description: str
    compute: Callable[[ox.Store, str], Iterable[ox.Triple]]
    predicates: tuple[str, ...]
    affected: Callable[[ox.Store, str, Sequence[ox.Quad]], set | None]
    compute_for: Callable[[ox.Store, str, set], Iterable[ox.Triple]]


class Facts:
    """Objects and subjects of a property in the source graphs, as a query over the union
    with the entailments sees them: a property with every property below it, a resource's
    types with their superclasses; by pattern lookups (at 1 M triples one scan of
    prov:wasDerivedFrom costs more than looking up every item's)."""

    def __init__(self, store: ox.Store):
        self.store = store
        up = closure(self._edges(SUBCLASS))
        self.up = up
        below: dict = defaultdict(set)
        for p, supers in closure(self._edges(SUBPROPERTY)).items():
            for s in supers:
                below[s].add(p)
        self.below = below

    def _edges(self, p: ox.NamedNode) -> set[tuple]:
        return {(q.subject, q.object) for q in self.store.quads_for_pattern(None, p, None, None) if is_source(q.graph_name)}

    def _props(self, p: ox.NamedNode) -> set:
        return {p} | self.below.get(p, set())

    def objects(self, s, p: ox.NamedNode) -> set:
        out: set = set()
        for q in self._props(p):
            out |= {x.object for x in self.store.quads_for_pattern(s, q, None, None) if is_source(x.graph_name)}
        return out

    def subjects(self, p: ox.NamedNode, o) -> set:
        out: set = set()
        for q in self._props(p):
            out |= {x.subject for x in self.store.quads_for_pattern(None, q, o, None) if is_source(x.graph_name)}
        return out

    def types(self, s) -> set:
        """The stated types of *s* and all their superclasses (``?s a ?k`` with the entailments)."""
        stated = self.objects(s, RDF_TYPE)
        return stated.union(*(self.up.get(t, set()) for t in stated))

    def instances(self, classes: Iterable[ox.NamedNode]) -> set:
        """Every resource of one of *classes* or of a subclass (``?x a ?k`` with the entailments)."""
        wanted = set(classes)
        below = wanted | {c for c, supers in self.up.items() if supers & wanted}
        return set().union(*(self.subjects(RDF_TYPE, c) for c in below))


# --------------------------------------------------------------------------------------
# cooperation-intensity: the rules of queries/cooperation-intensity-by-year.rq, per item
# --------------------------------------------------------------------------------------

_FAMILIES = ((_wc("Event"), "event"), (_wc("Agreement"), "agreement"), (_wc("Programme"), "programme"))
_FINANCING = {_wc(k) for k in ("GrantAgreement", "LoanAgreement", "FinancingAgreement")}
_STATEMENTS = {_wc(k) for k in ("StatementOfIntent", "JointStatement", "Communique")}
_STATES = {_wc("GovernmentBody"), _wc("State")}
_TRAINING = {_wc("Training"), _wc("Workshop")}
_VISITS = {_wc("OfficialVisit"), _wc("Adoption")}
_PLANNED = ox.NamedNode(WCID_DEFAULT + "topic/status-planned")
_HELD = ox.NamedNode(WCID_DEFAULT + "topic/status-held")
SIGNED_AT, PARTY, STATUS = _wc("signedAt"), _wc("party"), _wc("status")
_DATES = (_wc("date"), _wc("startDate"), _wc("endDate"))
_CODE, _YEAR, _REPORTS = _wc("intensityCode"), _wc("intensityYear"), _wc("reportCount")
_AGENT_COUNTRY = _wc("agentCountry")
#: the roles of an agent in an item, as the query's ?country and ?organisation filters read them
AGENT_ROLES = tuple(_wc(r) for r in ("party", "funder", "recipient", "organiser", "participant", "supporter",
                                     "implementer", "partner"))
_INT = re.compile(r"[+-]?[0-9]+")
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                    "unsignedShort", "unsignedByte", "string")}


def _integer(term) -> int | None:
    """``xsd:integer(term)`` as the engine casts it (None: an error)."""
    if not isinstance(term, ox.Literal):
        return None
    dt, text = term.datatype.value, term.value
    if term.language:
        return None
    if dt in _INTEGER_TYPES:
        return int(text) if _INT.fullmatch(text) else None
    if dt == XSD + "decimal":
        try:
            return int(Decimal(text))
        except InvalidOperation:
            return None
    if dt == XSD + "boolean":
        return {"true": 1, "1": 1, "false": 0, "0": 0}.get(text)
    return None


def _year(term) -> int | None:
    """``xsd:integer(SUBSTR(STR(term), 1, 4))``."""
    text = term.value if isinstance(term, (ox.Literal, ox.NamedNode)) else None
    if text is None:
        return None
    head = text[:4]
    return int(head) if _INT.fullmatch(head) else None


def _between_states(f: Facts, item) -> bool:
    """Two parties, each a government body or state, of two different countries."""
    countries: set = set()
    for p in f.objects(item, PARTY):
        if f.types(p) & _STATES:
            countries |= f.objects(p, _wc("country"))
    return len(countries) >= 2


def _agreement_code(f: Facts, item, types: set) -> int:
    if types & _FINANCING:
        return 5
    if types & _STATEMENTS:
        return 2
    return 6 if _between_states(f, item) else 4


def _rule_codes(f: Facts, item, types: set, families: list[str]) -> list[int | None]:
    """The rule's code of every row the query makes for *item* (family × signed item)."""
    signed_codes: list[int | None] = [_agreement_code(f, s, f.types(s)) for s in f.subjects(SIGNED_AT, item)]
    status = f.objects(item, STATUS)
    planned = _PLANNED in status and _HELD not in status
    out: list[int | None] = []
    for family in families:
        if family == "event" and planned:
            out.append(0)
        elif family == "agreement":
            out.append(_agreement_code(f, item, types))
        elif family == "programme":
            funded = bool(f.objects(item, _wc("funder"))) and bool(
                f.objects(item, _wc("implementer")) | f.objects(item, _wc("partner")) | f.objects(item, _wc("recipient")))
            agents = set().union(*(f.objects(item, _wc(r)) for r in ("funder", "implementer", "partner", "supporter")))
            out.append(5 if funded else 4 if len(agents) >= 2 else None)
        elif _wc("SigningCeremony") in types:
            out.extend(signed_codes or [2])
        elif types & _TRAINING:
            out.append(3)
        elif types & _VISITS:
            out.append(2)
        else:
            out.append(1)
    return out


def _intensity_of(f: Facts, item) -> tuple[int, int, int] | None:
    """(code, year, reports) of *item* as the query's inner sub-selects give them, or None
    when the query leaves it out (no family, no code, no year)."""
    types = f.types(item)
    families = [name for cls, name in _FAMILIES if cls in types]
    if not families:
        return None
    curated = [_integer(c) for c in f.objects(item, _wc("cooperationIntensity"))] or [None]
    rules = _rule_codes(f, item, types, families)
    codes = [c for c in (cur if cur is not None else rule for cur in curated for rule in rules) if c is not None]
    if not codes:
        return None
    dates = set().union(*(f.objects(item, p) for p in _DATES))
    if not dates:
        dates = {d for e in f.objects(item, SIGNED_AT) for d in f.objects(e, _wc("date"))}
    years = [y for y in map(_year, dates) if y is not None]
    if not years:
        return None
    return max(codes), min(years), len(f.objects(item, DERIVED_FROM))


def _intensity_triples(f: Facts, items: Iterable) -> Iterator[ox.Triple]:
    for item in items:
        if not isinstance(item, ox.NamedNode):
            continue
        found = _intensity_of(f, item)
        if found is None:
            continue
        for p, n in zip((_CODE, _YEAR, _REPORTS), found):
            yield ox.Triple(item, p, ox.Literal(str(n), datatype=XSD_INTEGER))
        agents = set().union(*(f.objects(item, r) for r in AGENT_ROLES))
        for country in set().union(*(f.objects(a, _wc("country")) for a in agents)):
            yield ox.Triple(item, _AGENT_COUNTRY, country)


def _intensity_all(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    f = Facts(store)
    return _intensity_triples(f, f.instances(cls for cls, _ in _FAMILIES))


def _intensity_for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    return _intensity_triples(Facts(store), subjects)


def _intensity_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    """The items whose code, year or reports may change with *quads*: their subjects; what
    is signed at a changed item, and where (a ceremony's code, an agreement's year); and,
    when a resource's type or country changed, the items it is an agent or a party of (an
    item reads nothing else of its agents: a new label of a hub changes none of its items)."""
    if any(q.predicate in (SUBCLASS, SUBPROPERTY) for q in quads):
        return None
    f = Facts(store)
    changed = {q.subject for q in quads} | {q.object for q in quads if q.predicate == SIGNED_AT}
    agents = {q.subject for q in quads if q.predicate in (RDF_TYPE, _wc("country"))}
    out = set(changed)
    for s in changed:
        if isinstance(s, ox.NamedNode):
            out |= f.subjects(SIGNED_AT, s) | f.objects(s, SIGNED_AT)
    for s in agents:
        if not isinstance(s, ox.NamedNode):
            continue
        party_of = f.subjects(PARTY, s)
        out |= set().union(*(f.subjects(r, s) for r in AGENT_ROLES))  # (an agent's country)
        out |= party_of
        for item in party_of:
            out |= f.objects(item, SIGNED_AT)
    return out


# --------------------------------------------------------------------------------------
# event-countries: the countries an event is located in
# --------------------------------------------------------------------------------------

LOCATION, COUNTRY = _wc("location"), _wc("country")
_IN_COUNTRY = _wc("locatedInCountry")


def _countries_triples(f: Facts, events: Iterable) -> Iterator[ox.Triple]:
    """``?event wc:location ?place . ?place wc:country? ?c . ?c a wc:Country``, per event."""
    country = _wc("Country")
    for event in events:
        if not isinstance(event, ox.NamedNode) or _wc("Event") not in f.types(event):
            continue
        places = f.objects(event, LOCATION)
        candidates = places.union(*(f.objects(p, COUNTRY) for p in places))
        for c in candidates:
            if country in f.types(c):
                yield ox.Triple(event, _IN_COUNTRY, c)


def _countries_all(store: ox.Store, base_iri: str) -> Iterator[ox.Triple]:
    f = Facts(store)
    return _countries_triples(f, f.instances([_wc("Event")]))


def _countries_for(store: ox.Store, base_iri: str, subjects: set) -> Iterator[ox.Triple]:
    return _countries_triples(Facts(store), subjects)


def _countries_affected(store: ox.Store, base_iri: str, quads: Sequence[ox.Quad]) -> set | None:
    """The events at a changed resource (a place's country or type), at a place in it (a
    country's type), and the changed resources themselves."""
    if any(q.predicate in (SUBCLASS, SUBPROPERTY) for q in quads):
        return None
    f = Facts(store)
    changed = {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}
    out = set(changed)
    for s in changed:
        out |= f.subjects(LOCATION, s)
        for place in f.subjects(COUNTRY, s):
            out |= f.subjects(LOCATION, place)
    return out


DERIVATIONS = (
    Spec("cooperation-intensity",
         "wc:intensityCode, wc:intensityYear, wc:reportCount and wc:agentCountry of every event, agreement and "
         "programme with a code and a year (what cooperation-intensity-by-year computed per item on every request)",
         _intensity_all, (WC + "intensityCode", WC + "intensityYear", WC + "reportCount", WC + "agentCountry"),
         _intensity_affected, _intensity_for),
    Spec("event-countries",
         "wc:locatedInCountry: every country an event's place is in, or is (what events-by-country-and-period "
         "tested per event)", _countries_all, (WC + "locatedInCountry",), _countries_affected, _countries_for),
)

for _spec in DERIVATIONS:
    derivation(_spec.name, _spec.description, predicates=_spec.predicates, affected=_spec.affected,
               compute_for=_spec.compute_for)(_spec.compute)
