"""What the linked-data pages show, gathered by SPARQL through a store backend.

No web framework here: the functions take a backend (``backend.select(text, params=...)``,
graph/store.py) and return plain dataclasses that a template, a JSON view or a test can
read. Every value that comes from a caller is bound by the engine as a query parameter,
never pasted into query text.

* :func:`describe` — one resource: types, labels in every language, its properties and
  inverse properties grouped and labelled (labels from the ontology's ``rdfs:label``),
  the linked resources with their labels, the evidence (per source article: title, date,
  publisher, the verbatim ``wc:evidence`` sentences, the named graph), Wikidata links and
  coordinates.
* :func:`describe_rdf` — the same resource as an rdflib graph for content negotiation: a
  symmetric concise bounded description (its triples in every graph, blank nodes
  followed, the triples that point at it) plus the labels of every linked resource.
* :func:`list_classes`, :func:`describe_class` — classes of the ontology and their instances.
* :func:`describe_source` — a source article: metadata, the verbatim text with contact
  details redacted and the resources its graph mentions linked, and what it states.
* :func:`timeline`, :func:`timeline_facets` — dated events and agreements, filterable.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .errors import InputError, ParameterError
from .namespaces import (DCTERMS, FOAF, GEO, ORG, OWL, PROV, RDF, RDFS, SKOS, WC, WCID_DEFAULT, WD,
                         bind_prefixes, sparql_prologue)

PROLOGUE = sparql_prologue()

#: How many values of one inverse property a page lists before it says "and N more".
INVERSE_CAP = 100
#: How many source articles the evidence section shows (most recent first).
SOURCES_CAP = 40
#: Rows of evidence read at most (newest sources first): bounds a much-cited resource's page.
EVIDENCE_ROWS = 800
#: How many resources pointing at a resource :func:`describe_rdf` includes.
RDF_INVERSE_CAP = 2000

#: Shown in the page header or their own section, not in the property table.
HEADER_PROPERTIES = {RDF.type, SKOS.prefLabel, SKOS.altLabel, WC.evidence, PROV.wasDerivedFrom,
                     OWL.sameAs, GEO.lat, GEO.long, SKOS.definition, RDFS.comment}

#: Order of the property table; anything else follows, by label.
PROPERTY_ORDER = [WC.date, WC.status, WC.location, WC.organiser, WC.chair, WC.participant, WC.supporter,
                  WC.partOf, WC.discusses, WC.party, WC.recipient, WC.signedAt, WC.purpose, WC.funder,
                  WC.implementer, WC.partner, WC.startDate, WC.endDate, WC.topic, WC.country,
                  ORG.subOrganizationOf, ORG.member,
                  ORG.organization, ORG.role,
                  WC.postTitle, WC.asOf, SKOS.note]

#: Labels of common properties the ontology does not label itself (reused vocabularies).
FALLBACK_LABELS: dict[str, str] = {
    str(RDF.type): "type", str(SKOS.prefLabel): "preferred label", str(SKOS.altLabel): "also known as",
    str(SKOS.definition): "definition", str(SKOS.note): "note", str(SKOS.inScheme): "in scheme",
    str(SKOS.broader): "broader", str(SKOS.narrower): "narrower", str(SKOS.topConceptOf): "top concept of",
    str(SKOS.hasTopConcept): "top concept", str(RDFS.label): "label", str(RDFS.comment): "comment",
    str(RDFS.subClassOf): "subclass of", str(RDFS.seeAlso): "see also", str(OWL.sameAs): "same as",
    str(PROV.wasDerivedFrom): "derived from", str(DCTERMS.title): "title", str(DCTERMS.issued): "published",
    str(DCTERMS.publisher): "publisher", str(DCTERMS.language): "language", str(DCTERMS.source): "source",
    str(FOAF.givenName): "given name", str(FOAF.familyName): "family name", str(FOAF.name): "name",
    str(GEO.lat): "latitude", str(GEO.long): "longitude",
    str(ORG.subOrganizationOf): "part of organisation", str(ORG.member): "member",
    str(ORG.organization): "organisation", str(ORG.role): "role",
}

#: How an inverse relation reads from the other end ("UNDP — participant in — meeting").
INVERSE_LABELS: dict[str, str] = {
    str(WC.organiser): "organiser of", str(WC.participant): "participant in", str(WC.chair): "chaired",
    str(WC.supporter): "supported", str(WC.party): "party to", str(WC.location): "location of",
    str(WC.partOf): "includes", str(WC.discusses): "discussed at", str(WC.signedAt): "signing of",
    str(WC.funder): "funded", str(WC.implementer): "implements", str(WC.partner): "partner in",
    str(WC.recipient): "recipient of", str(WC.topic): "topic of", str(WC.country): "country of",
    str(WC.status): "status of", str(PROV.wasDerivedFrom): "source of",
    str(ORG.subOrganizationOf): "has sub-organisation", str(ORG.member): "posts held",
    str(ORG.organization): "posts in", str(ORG.role): "role in",
    str(DCTERMS.publisher): "publisher of", str(SKOS.inScheme): "concepts", str(SKOS.broader): "narrower",
    str(SKOS.topConceptOf): "top concepts",
}

# --- small helpers --------------------------------------------------------------------


def pick_label(labels: Iterable[Literal], lang: str = "en") -> str | None:
    """The label to show: one in *lang*, else an untagged one, else the first (sorted, so
    the choice is stable)."""
    labels = [lab for lab in labels if lab is not None]
    if not labels:
        return None

    def rank(lab) -> tuple:
        lg = (getattr(lab, "language", None) or "").lower()
        return (0 if lg == lang or lg.startswith(lang + "-") else 1 if not lg else 2, str(lab))
    return str(sorted(labels, key=rank)[0])


def local_name(iri: str) -> str:
    """``…#subOrganizationOf`` → ``sub organization of`` (a last resort label)."""
    name = re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ").lower()


def format_date(term: Any) -> str:
    """A date as a person reads it: ``2020-11-20`` → ``20 November 2020``; ``xsd:gYearMonth``
    → ``November 2020``; anything else as written."""
    s = str(term)
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[Z+-].*)?", s)
    if m:
        try:
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return f"{d.day} {d:%B} {d.year}"
        except ValueError:
            return s
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:[Z+-].*)?", s)
    if m and 1 <= int(m[2]) <= 12:
        return f"{date(2000, int(m[2]), 1):%B} {m[1]}"
    return s


def year_of(term: Any) -> str | None:
    m = re.match(r"(\d{4})", str(term))
    return m[1] if m else None


_DATE_TYPES = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth), str(XSD.dateTime)}


class _TTLCache:
    """Small per-backend cache for facts that change only with a rebuild (class labels,
    the class hierarchy). Entries expire after *ttl* seconds so a rebuild shows up."""

    def __init__(self, ttl: float = 30.0):
        self.ttl = ttl
        self._data: dict[tuple, tuple[float, Any]] = {}

    def get(self, backend, key: str, compute):
        k = (id(backend), key)
        hit = self._data.get(k)
        now = time.monotonic()
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        value = compute()
        self._data[k] = (now, value)
        return value


_cache = _TTLCache()


# --- data classes ---------------------------------------------------------------------

@dataclass
class Link:
    """A resource as something to link to: its IRI and label (None when it has none)."""

    iri: str
    label: str | None = None
    is_blank: bool = False

    @property
    def text(self) -> str:
        return self.label or self.iri

    def to_json(self) -> dict:
        return {"iri": self.iri, "label": self.label}


@dataclass
class Value:
    """One value of a property: a resource (``link``) or a literal (``text``, ``lang``,
    ``datatype``, ``display`` for people)."""

    link: Link | None = None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    display: str | None = None
    graphs: list[str] = field(default_factory=list)

    @property
    def sort_key(self) -> str:
        return (self.link.text if self.link else self.text or "").casefold()

    def to_json(self) -> dict:
        if self.link:
            return {"iri": self.link.iri, "label": self.link.label, "graphs": self.graphs}
        d: dict[str, Any] = {"value": self.text, "graphs": self.graphs}
        if self.lang:
            d["lang"] = self.lang
        if self.datatype:
            d["datatype"] = self.datatype
        return d


@dataclass
class PropertyGroup:
    """The values of one property (or one inverse property) of a resource."""

    iri: str
    label: str
    values: list[Value]
    inverse: bool = False
    total: int = 0   # how many there are (more than ``values`` when the list was capped)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.values)

    def to_json(self) -> dict:
        return {"property": self.iri, "label": self.label, "inverse": self.inverse, "total": self.total,
                "values": [v.to_json() for v in self.values]}


@dataclass
class Statement:
    """A resource stated in an article, with the sentences that state it."""

    subject: Link
    via: str | None          # the property label linking it to the described resource (None: itself)
    sentences: list[str]


@dataclass
class Evidence:
    """One source article behind a resource."""

    source: Link
    title: str | None
    issued: str | None
    issued_display: str | None
    inferred_date: bool
    publisher: Link | None
    graph: str | None
    statements: list[Statement] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        out: list[str] = []
        for st in self.statements:
            out += [s for s in st.sentences if s not in out]
        return out

    def to_json(self) -> dict:
        return {"source": self.source.iri, "title": self.title, "issued": self.issued,
                "issued_inferred": self.inferred_date,
                "publisher": self.publisher.to_json() if self.publisher else None, "graph": self.graph,
                "statements": [{"resource": s.subject.iri, "label": s.subject.label, "via": s.via,
                                "sentences": s.sentences} for s in self.statements]}


@dataclass
class EntityDescription:
    iri: str
    label: str
    types: list[Link]
    pref_labels: list[tuple[str, str | None]]
    alt_labels: list[tuple[str, str | None]]
    definitions: list[tuple[str, str | None]]
    properties: list[PropertyGroup]
    inverse: list[PropertyGroup]
    evidence: list[Evidence]
    evidence_total: int
    same_as: list[str]
    coordinates: tuple[str, str] | None
    graphs: list[str]
    evidence_truncated: bool = False   # a much-cited resource: only the newest sources were read

    @property
    def wikidata(self) -> list[tuple[str, str]]:
        """(Q-id, page URL) for every ``owl:sameAs`` into Wikidata."""
        out = []
        for iri in self.same_as:
            if iri.startswith(str(WD)) or iri.startswith("https://www.wikidata.org/entity/"):
                qid = iri.rsplit("/", 1)[-1]
                if re.fullmatch(r"[QPL]\d+", qid):
                    out.append((qid, f"https://www.wikidata.org/wiki/{qid}"))
        return out

    @property
    def other_same_as(self) -> list[str]:
        wd = {f"{str(WD)}{q}" for q, _ in self.wikidata} | {f"https://www.wikidata.org/entity/{q}" for q, _ in self.wikidata}
        return [i for i in self.same_as if i not in wd]

    def to_json(self) -> dict:
        return {
            "iri": self.iri, "label": self.label, "types": [t.to_json() for t in self.types],
            "prefLabels": [{"value": v, "lang": lg} for v, lg in self.pref_labels],
            "altLabels": [{"value": v, "lang": lg} for v, lg in self.alt_labels],
            "definitions": [{"value": v, "lang": lg} for v, lg in self.definitions],
            "properties": [g.to_json() for g in self.properties],
            "inverse": [g.to_json() for g in self.inverse],
            "evidence": [e.to_json() for e in self.evidence],
            "sameAs": self.same_as,
            "coordinates": {"lat": self.coordinates[0], "long": self.coordinates[1]} if self.coordinates else None,
            "graphs": self.graphs, "evidenceTotal": self.evidence_total, "evidenceTruncated": self.evidence_truncated,
        }


# --- term and property labels ---------------------------------------------------------

_TERM_LABELS = PROLOGUE + """
SELECT ?t ?label WHERE {
  ?t rdfs:label ?label .
  ?t a ?kind .
  VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property owl:Class rdfs:Class }
}
"""


def term_labels(backend, lang: str = "en") -> dict[str, str]:
    """``rdfs:label`` of every class and property the ontology labels (cached ~30 s)."""
    def compute() -> dict[str, str]:
        by_term: dict[str, list] = defaultdict(list)
        for r in backend.select(_TERM_LABELS):
            by_term[str(r["t"])].append(r["label"])
        return {t: pick_label(labels, lang) or local_name(t) for t, labels in by_term.items()}
    return _cache.get(backend, f"term_labels:{lang}", compute)


def property_label(iri: str, labels: Mapping[str, str]) -> str:
    return labels.get(iri) or FALLBACK_LABELS.get(iri) or local_name(iri)


def inverse_label(iri: str, labels: Mapping[str, str]) -> str:
    if iri in INVERSE_LABELS:
        return INVERSE_LABELS[iri]
    return f"{property_label(iri, labels)} of"


_HIERARCHY = PROLOGUE + "SELECT ?c ?sup WHERE { ?c rdfs:subClassOf+ ?sup . FILTER(isIRI(?c) && isIRI(?sup)) }"


def class_ancestors(backend) -> dict[str, set[str]]:
    """Every class → all its superclasses (transitive; cached ~30 s)."""
    def compute():
        out: dict[str, set[str]] = defaultdict(set)
        for r in backend.select(_HIERARCHY):
            out[str(r["c"])].add(str(r["sup"]))
        return dict(out)
    return _cache.get(backend, "class_ancestors", compute)


def most_specific(classes: Iterable[str], ancestors: Mapping[str, set[str]]) -> list[str]:
    """The classes of *classes* that are no superclass of another one of them."""
    cs = list(dict.fromkeys(classes))
    supers = set().union(*(ancestors.get(c, set()) for c in cs)) if cs else set()
    return [c for c in cs if c not in supers]


# --- describe one resource ------------------------------------------------------------
#
# Query shapes. A value bound by pyoxigraph `substitutions` is unknown to Oxigraph's
# optimiser, so a plain join such as `?x ?p ?s . ?x prov:wasDerivedFrom ?src` is planned
# as a hash join over every prov:wasDerivedFrom triple of the store (120 ms for UNDP at
# 100 k triples, and growing with the store), where an OPTIONAL is evaluated per row
# already found, by index lookups (4 ms, growing only with the resource's own links). So
# every lookup that depends on the described resource hangs off its anchor pattern as an
# OPTIONAL, with each OPTIONAL's own lookups nested inside it (a group-level
# FILTER(BOUND(...)) would let a later OPTIONAL bind the variable from any triple).
# Labels use one OPTIONAL per label property rather than a VALUES list (3x faster).

#: How linked resources are named on a page. Every resource of the data model has a
#: skos:prefLabel (memberships and source documents included); ontology terms have
#: rdfs:label. Each label property costs one index lookup per row, so only these two.
LINK_LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)
_LABEL_SUFFIXES = ("l1", "l2")


def _label_opts(var: str) -> str:
    """OPTIONALs fetching ``?{var}``'s names, one column per label property."""
    return " ".join(f"OPTIONAL {{ ?{var} <{p}> ?{var}_{n} }}" for p, n in zip(LINK_LABEL_PROPERTIES, _LABEL_SUFFIXES))


def _label_cols(var: str) -> str:
    return " ".join(f"?{var}_{n}" for n in _LABEL_SUFFIXES)


def _labels_of(rows: Iterable[Mapping], key: str) -> dict[str, str]:
    """The best name per resource from rows with :func:`_label_opts` columns: by the order
    of :data:`LINK_LABEL_PROPERTIES`, then by language."""
    cands: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        k = r.get(key)
        if k is None:
            continue
        for i, n in enumerate(_LABEL_SUFFIXES):
            lit = r.get(f"{key}_{n}")
            if lit is not None and lit not in cands[str(k)][i]:
                cands[str(k)][i].append(lit)
    return {k: pick_label(by[min(by)]) for k, by in cands.items() if by}


_OUT = PROLOGUE + f"""
SELECT ?s ?p ?o ?g {_label_cols("o")} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  # what the sources state: not the summaries every build derives (graph.derived)
  FILTER(!STRENDS(STR(?g), "/graph/derived"))
  {_label_opts("o")}
}}
"""

_EXISTS = PROLOGUE + "ASK { { ?s ?p ?o } UNION { ?x ?q ?s } }"

#: Links that are not shown as inverse links: types, and the reification of a statement's
#: evidence (a wc:StatementEvidence node is about the statement, not a related resource).
_NOT_INVERSE = "?p != rdf:type && ?p != rdf:subject && ?p != rdf:object"

_IN_COUNTS = PROLOGUE + f"""
SELECT ?s ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x ?p ?s . FILTER({_NOT_INVERSE}) }} GROUP BY ?s ?p
"""

#: Rows fetched in one go for the inverse links; past it, per-property capped queries.
_IN_ROWS = INVERSE_CAP * 8
_IN_ALL = PROLOGUE + f"""
SELECT ?s ?x ?p ?g {_label_cols("x")} WHERE {{
  GRAPH ?g {{ ?x ?p ?s }}
  FILTER({_NOT_INVERSE})
  {_label_opts("x")}
}} LIMIT {_IN_ROWS + 1}
"""

_IN_ONE = PROLOGUE + f"""
SELECT ?s ?p ?x ?g {_label_cols("x")} WHERE {{
  GRAPH ?g {{ ?x ?p ?s }}
  {_label_opts("x")}
}} ORDER BY ?x LIMIT {INVERSE_CAP * 8}
"""

# The sources of a resource: those it is derived from, and those of the resources that
# point at it from an article graph (an organisation is evidenced by the meetings it took
# part in), each with its metadata and the verbatim sentences; the graph that states a
# sentence is the source's article graph. One query: each round trip to the store's
# workers costs more than the query itself.
_SOURCE_META = """OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src dcterms:issued ?issued }
      OPTIONAL { ?src wc:inferred ?inferred }
      OPTIONAL { ?src dcterms:publisher ?pub . %s }""" % _label_opts("pub")
_EVIDENCE = PROLOGUE + f"""
SELECT ?s ?g ?src ?title ?issued ?inferred ?pub {_label_cols("pub")} ?x ?p ?ev ?quote {_label_cols("x")} WHERE {{
  {{
    ?s prov:wasDerivedFrom ?src .
    {_SOURCE_META}
    OPTIONAL {{ GRAPH ?g {{ ?s prov:wasDerivedFrom ?src . ?s wc:evidence ?ev }} }}
  }}
  UNION
  {{
    GRAPH ?g {{ ?x ?p ?s }} FILTER(?p != prov:wasDerivedFrom && {_NOT_INVERSE})
    OPTIONAL {{
      GRAPH ?g {{ ?x prov:wasDerivedFrom ?src }}
      {_SOURCE_META}
      OPTIONAL {{ GRAPH ?g {{ ?x wc:evidence ?ev }} }}
    }}
    # the sentence that supports this very statement (vocabulary 0.2), preferred to ?x's own
    OPTIONAL {{ GRAPH ?g {{ ?se rdf:subject ?x ; rdf:predicate ?p ; rdf:object ?s ; wc:quote ?quote }} }}
    FILTER(BOUND(?src))
    {_label_opts("x")}
  }}
}} ORDER BY DESC(?issued) ?src LIMIT {EVIDENCE_ROWS}
"""


def _literal_value(term: Literal, graphs: list[str]) -> Value:
    dt = str(term.datatype) if term.datatype else None
    display = format_date(term) if dt in _DATE_TYPES else None
    if dt == str(XSD.boolean):
        display = "yes" if str(term).lower() in ("true", "1") else "no"
    return Value(text=str(term), lang=term.language, datatype=dt, display=display, graphs=graphs)


def resource_exists(backend, iri: str) -> bool:
    rows = backend.query(_EXISTS, params={"s": URIRef(iri)})
    return bool(rows.boolean)


def describe(backend, iri: str, *, base: str = WCID_DEFAULT, lang: str = "en") -> EntityDescription | None:
    """Everything the page of *iri* shows; None when no triple mentions *iri*."""
    s = URIRef(iri)
    out_rows = backend.select(_OUT, params={"s": s})
    if not out_rows and not resource_exists(backend, iri):
        return None
    labels = term_labels(backend, lang)
    obj_labels = _labels_of(out_rows, "o")

    # outgoing -------------------------------------------------------------------------
    values: dict[str, dict[Any, list[str]]] = defaultdict(dict)   # p → term → graphs
    for r in out_rows:
        p, o, g = str(r["p"]), r["o"], str(r["g"])
        graphs = values[p].setdefault(o, [])
        if g not in graphs:
            graphs.append(g)

    def literals(p) -> list[tuple[str, str | None]]:
        return sorted(((str(o), getattr(o, "language", None)) for o in values.get(str(p), {})
                       if isinstance(o, Literal)), key=lambda t: (t[1] != lang, t[1] or "", t[0]))

    pref = literals(SKOS.prefLabel)
    alt = literals(SKOS.altLabel)
    definitions = literals(SKOS.definition) + literals(RDFS.comment)
    title = pick_label([o for o in values.get(str(SKOS.prefLabel), {}) if isinstance(o, Literal)], lang) \
        or pick_label([o for o in values.get(str(RDFS.label), {}) if isinstance(o, Literal)], lang) \
        or pick_label([o for o in values.get(str(DCTERMS.title), {}) if isinstance(o, Literal)], lang) \
        or pick_label([o for o in values.get(str(FOAF.name), {}) if isinstance(o, Literal)], lang) \
        or local_name(iri)

    ancestors = class_ancestors(backend)
    type_iris = [str(o) for o in values.get(str(RDF.type), {}) if isinstance(o, URIRef)]
    specific = most_specific(type_iris, ancestors)
    type_iris = specific + [t for t in type_iris if t not in specific]
    types = [Link(t, labels.get(t) or obj_labels.get(t)) for t in type_iris]

    groups: list[PropertyGroup] = []
    for p, terms in values.items():
        if URIRef(p) in HEADER_PROPERTIES:
            continue
        vals = []
        for o, graphs in terms.items():
            if isinstance(o, Literal):
                vals.append(_literal_value(o, graphs))
            else:
                vals.append(Value(link=Link(str(o), obj_labels.get(str(o)), isinstance(o, BNode)), graphs=graphs))
        vals.sort(key=lambda v: v.sort_key)
        groups.append(PropertyGroup(p, property_label(p, labels), vals, total=len(vals)))
    groups.sort(key=_group_order)

    same_as = sorted(str(o) for o in values.get(str(OWL.sameAs), {}) if isinstance(o, URIRef))
    lat = next(iter(values.get(str(GEO.lat), {})), None)
    long = next(iter(values.get(str(GEO.long), {})), None)
    coordinates = (str(lat), str(long)) if lat is not None and long is not None else None
    graphs = sorted({g for terms in values.values() for gs in terms.values() for g in gs})

    inverse = _inverse_groups(backend, s, labels)
    evidence, evidence_total, evidence_truncated = _evidence(backend, s, base, labels, lang)
    return EntityDescription(iri=iri, label=title, types=types, pref_labels=pref, alt_labels=alt,
                             definitions=definitions, properties=groups, inverse=inverse, evidence=evidence,
                             evidence_total=evidence_total, same_as=same_as, coordinates=coordinates,
                             graphs=graphs, evidence_truncated=evidence_truncated)


def _group_order(g: PropertyGroup) -> tuple:
    try:
        return (PROPERTY_ORDER.index(URIRef(g.iri)), "")
    except ValueError:
        return (len(PROPERTY_ORDER), g.label.casefold())


def _inverse_groups(backend, s: URIRef, labels: Mapping[str, str]) -> list[PropertyGroup]:
    rows_by_p: dict[str, list] = defaultdict(list)
    rows = backend.select(_IN_ALL, params={"s": s})
    if len(rows) <= _IN_ROWS:   # everything came back: count here, one round trip in all
        for r in rows:
            rows_by_p[str(r["p"])].append(r)
        counts = {p: len({str(r["x"]) for r in rs}) for p, rs in rows_by_p.items()}
    else:                       # a much-linked resource: counts, then a capped list per property
        counts = {str(r["p"]): int(r["n"]) for r in backend.select(_IN_COUNTS, params={"s": s})}
        for p in counts:
            rows = backend.select(_IN_ONE, params={"s": s, "p": URIRef(p)})
            # rows are ordered by ?x; keep whole resources only (the row LIMIT may cut the last one)
            xs = list(dict.fromkeys(str(r["x"]) for r in rows))
            if len(rows) >= INVERSE_CAP * 8 and len(xs) > 1:
                xs = xs[:-1]
            keep = set(xs[:INVERSE_CAP])
            rows_by_p[p] = [r for r in rows if str(r["x"]) in keep]
    groups = []
    for p, rows in rows_by_p.items():
        xl = _labels_of(rows, "x")
        by_x: dict[Any, list[str]] = {}
        for r in rows:
            gs = by_x.setdefault(r["x"], [])
            if str(r["g"]) not in gs:
                gs.append(str(r["g"]))
        vals = [Value(link=Link(str(x), xl.get(str(x)), isinstance(x, BNode)), graphs=gs) for x, gs in by_x.items()]
        vals.sort(key=lambda v: v.sort_key)
        groups.append(PropertyGroup(p, inverse_label(p, labels), vals, inverse=True, total=counts.get(p, len(vals))))
    groups.sort(key=_group_order)
    return groups


def _evidence(backend, s: URIRef, base: str, labels: Mapping[str, str],
              lang: str) -> tuple[list[Evidence], int, bool]:
    rows = backend.select(_EVIDENCE, params={"s": s})
    pub_labels = _labels_of(rows, "pub")
    meta: dict[str, dict] = {}
    for r in rows:
        if r.get("src") is None:
            continue
        m = meta.setdefault(str(r["src"]), {"titles": [], "issued": None, "inferred": False, "pub": None,
                                            "graph": None})
        if r.get("title") is not None and r["title"] not in m["titles"]:
            m["titles"].append(r["title"])
        if r.get("issued") is not None:
            m["issued"] = r["issued"]
        if r.get("inferred") is not None and str(r["inferred"]).lower() in ("true", "1"):
            m["inferred"] = True
        if r.get("pub") is not None:
            m["pub"] = r["pub"]

    truncated = len(rows) >= EVIDENCE_ROWS
    if truncated and rows:   # the last source may have been cut short: leave it out
        meta.pop(str(rows[-1].get("src")), None)
    total = len(meta)
    ordered = sorted(meta.items(), key=lambda kv: (str(kv[1]["issued"] or ""), kv[0]), reverse=True)[:SOURCES_CAP]
    keep = {k for k, _ in ordered}

    xl = _labels_of(rows, "x")
    stmts: dict[str, dict[tuple, list[str]]] = defaultdict(dict)
    # statements with their own evidence (wc:StatementEvidence) show its quotes, not every
    # sentence of the resource that makes them
    quoted: dict[str, dict[tuple, list[str]]] = defaultdict(dict)
    for r in rows:
        if r.get("src") is None or str(r["src"]) not in keep:
            continue
        x = r.get("x")
        key = (str(x) if x is not None else None, str(r["p"]) if r.get("p") is not None else None)
        if r.get("quote") is not None:
            qs = quoted[str(r["src"])].setdefault(key, [])
            if str(r["quote"]) not in qs:
                qs.append(str(r["quote"]))
    for r in rows:
        if (r.get("ev") is None and r.get("quote") is None) or r.get("src") is None:
            continue
        src = str(r["src"])
        if src not in keep:
            continue
        x = r.get("x")
        key = (str(x) if x is not None else None, str(r["p"]) if r.get("p") is not None else None)
        sents = stmts[src].setdefault(key, [])
        for ev in (quoted[src].get(key) or ([str(r["ev"])] if r.get("ev") is not None else [])):
            if ev not in sents:
                sents.append(ev)
        # the graph that states a sentence from this source is the source's article graph
        if r.get("g") is not None and meta[src]["graph"] is None:
            meta[src]["graph"] = str(r["g"])
    out = []
    for src, m in ordered:
        statements = []
        shown: set[str] = set()   # a sentence that states several links is quoted once, at the first
        for (x, p), sents in sorted(stmts.get(src, {}).items(), key=lambda kv: (kv[0][0] is not None, kv[0])):
            subject = Link(x, xl.get(x)) if x else Link(str(s))
            fresh = [t for t in sorted(sents) if t not in shown]
            shown.update(fresh)
            statements.append(Statement(subject, inverse_label(p, labels) if p else None, fresh))
        pub = m["pub"]
        out.append(Evidence(
            source=Link(src, pick_label(m["titles"], lang)), title=pick_label(m["titles"], lang),
            issued=str(m["issued"]) if m["issued"] is not None else None,
            issued_display=format_date(m["issued"]) if m["issued"] is not None else None,
            inferred_date=m["inferred"],
            publisher=(Link(str(pub), pub_labels.get(str(pub))) if isinstance(pub, URIRef)
                       else Link("", str(pub)) if pub is not None else None),
            graph=m["graph"], statements=statements))
    return out, total, truncated


# --- RDF description for content negotiation ----------------------------------------

_RDF_OUT = PROLOGUE + f"""
SELECT DISTINCT ?s ?p ?o {_label_cols("o")} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(!STRENDS(STR(?g), "/graph/derived"))  # stated, not derived (graph.derived)
  {_label_opts("o")}
}}
"""
_RDF_BLANK = PROLOGUE + """
SELECT DISTINCT ?s ?b ?p ?o WHERE { ?s ?q ?b . FILTER(isBlank(?b)) OPTIONAL { ?b ?p ?o } FILTER(BOUND(?p)) }
"""
_RDF_IN = PROLOGUE + f"""
SELECT DISTINCT ?s ?x ?p {_label_cols("x")} WHERE {{
  ?x ?p ?s . FILTER(isIRI(?x) && ?x != ?s)
  {_label_opts("x")}
}} LIMIT {RDF_INVERSE_CAP}
"""


def describe_rdf(backend, iri: str) -> Graph:
    """The resource as RDF: its triples in every graph (blank nodes followed one level,
    which is as deep as the curated data nests them), the triples of resources that point
    at it (up to :data:`RDF_INVERSE_CAP`), and the labels of every linked resource, so a
    client can show the links without fetching each one. Empty when the store has no
    triple about *iri*."""
    s = URIRef(iri)
    g = Graph()
    bind_prefixes(g)

    def add_labels(node, r, var: str) -> None:
        for prop, n in zip(LINK_LABEL_PROPERTIES, _LABEL_SUFFIXES):
            if r.get(f"{var}_{n}") is not None:
                g.add((node, prop, r[f"{var}_{n}"]))

    for r in backend.select(_RDF_OUT, params={"s": s}):
        g.add((s, r["p"], r["o"]))
        if isinstance(r["o"], URIRef) and r["o"] != s:
            add_labels(r["o"], r, "o")
    for r in backend.select(_RDF_BLANK, params={"s": s}):
        g.add((r["b"], r["p"], r["o"]))
    for r in backend.select(_RDF_IN, params={"s": s}):
        g.add((r["x"], r["p"], s))
        add_labels(r["x"], r, "x")
    return g


# --- classes --------------------------------------------------------------------------

@dataclass
class ClassSummary:
    iri: str
    label: str
    count: int                      # direct instances
    comment: str | None = None
    parents: list[Link] = field(default_factory=list)
    in_subclasses: int = 0          # instances of its subclasses (one with two types counts twice)


@dataclass
class ClassDescription:
    iri: str
    label: str
    comment: str | None
    superclasses: list[Link]
    subclasses: list[ClassSummary]
    instances: list[tuple[Link, str | None]]   # (instance, its most specific class label)
    total: int
    limit: int
    offset: int

    def to_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "comment": self.comment,
                "superclasses": [c.to_json() for c in self.superclasses],
                "subclasses": [{"iri": c.iri, "label": c.label, "count": c.count} for c in self.subclasses],
                "total": self.total, "limit": self.limit, "offset": self.offset,
                "instances": [{"iri": i.iri, "label": i.label, "class": k} for i, k in self.instances]}


_CLASSES = PROLOGUE + """
SELECT ?c ?label ?comment WHERE {
  ?c a owl:Class ; rdfs:label ?label .
  FILTER(isIRI(?c))
  OPTIONAL { ?c rdfs:comment ?comment }
}
"""
# Direct instance counts of every class: 4 ms at 100 k triples, where counting through
# `rdfs:subClassOf*` took 250 ms (the path enumerates every node of the store).
_DIRECT_COUNTS = PROLOGUE + "SELECT ?k (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?k } GROUP BY ?k"


def direct_counts(backend) -> dict[str, int]:
    """Class → number of resources typed with it directly (cached ~30 s)."""
    return _cache.get(backend, "direct_counts",
                      lambda: {str(r["k"]): int(r["n"]) for r in backend.select(_DIRECT_COUNTS)})


def subclasses_of(backend, class_iri: str) -> list[str]:
    """Every subclass of *class_iri* (transitively), from the cached hierarchy."""
    return sorted(c for c, sups in class_ancestors(backend).items() if class_iri in sups)


def list_classes(backend, *, lang: str = "en") -> list[ClassSummary]:
    """Every labelled class of the ontology with its number of direct instances and of
    instances of its subclasses, in hierarchy order (each class after its parent)."""
    rows = backend.select(_CLASSES)
    counts = direct_counts(backend)
    info: dict[str, dict] = {}
    for r in rows:
        d = info.setdefault(str(r["c"]), {"labels": [], "comments": []})
        d["labels"].append(r["label"])
        if r.get("comment") is not None:
            d["comments"].append(r["comment"])
    ancestors = class_ancestors(backend)
    out = []
    for c, d in info.items():
        parents = [Link(p, pick_label(info[p]["labels"], lang)) for p in most_specific(
            [a for a in ancestors.get(c, ()) if a in info], ancestors)]
        out.append(ClassSummary(c, pick_label(d["labels"], lang) or local_name(c), counts.get(c, 0),
                                pick_label(d["comments"], lang), parents,
                                sum(counts.get(k, 0) for k, sups in ancestors.items() if c in sups)))
    # order: a depth-first walk of the labelled hierarchy, so subclasses follow their parent
    children: dict[str | None, list[ClassSummary]] = defaultdict(list)
    for cs in out:
        children[cs.parents[0].iri if cs.parents else None].append(cs)
    ordered: list[ClassSummary] = []

    def walk(parent: str | None, depth: int) -> None:
        for cs in sorted(children.get(parent, []), key=lambda c: c.label.casefold()):
            cs.depth = depth  # type: ignore[attr-defined]
            ordered.append(cs)
            walk(cs.iri, depth + 1)
    walk(None, 0)
    seen = {c.iri for c in ordered}
    ordered += [c for c in out if c.iri not in seen]  # cycles, if the ontology had any
    return ordered


_CLASS_META = PROLOGUE + """
SELECT ?c ?p ?o WHERE { ?c ?p ?o . VALUES ?p { rdfs:label rdfs:comment skos:definition rdf:type } }
"""


def _class_union(n: int) -> tuple[str, str]:
    """``{ ?x a ?k0 } UNION { ?x a ?k1 } ...`` for a class and its subclasses, each bound by
    the engine as a parameter (a list cannot be one parameter), and the variables to
    project (pyoxigraph substitutes projected variables only)."""
    names = [f"?k{i}" for i in range(n)]
    return " UNION ".join(f"{{ ?x a {k} }}" for k in names), " ".join(names)


def _class_count_query(n: int) -> str:
    union, ks = _class_union(n)
    return PROLOGUE + f"SELECT {ks} (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {union} }} GROUP BY {ks}"


def _class_page_query(n: int, limit: int, offset: int) -> str:
    """One page of the instances of a class and its *n* - 1 subclasses, by label, with
    their types. LIMIT and OFFSET take no variables in SPARQL: they are formatted in as
    the ints describe_class checked."""
    union, ks = _class_union(n)
    return PROLOGUE + f"""
SELECT {ks} ?x (MIN(?l0) AS ?label) (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types) WHERE {{
  {union}
  OPTIONAL {{ ?x a ?type }}
  OPTIONAL {{ ?x skos:prefLabel|rdfs:label|dcterms:title ?l0 . FILTER(LANG(?l0) = "" || LANGMATCHES(LANG(?l0), "en")) }}
}} GROUP BY {ks} ?x ORDER BY (!BOUND(?label)) LCASE(STR(?label)) ?x LIMIT {int(limit):d} OFFSET {int(offset):d}
"""


def describe_class(backend, class_iri: str, *, limit: int = 100, offset: int = 0,
                   lang: str = "en") -> ClassDescription | None:
    """A class: label, comment, super- and subclasses (with instance counts) and one page
    of its instances (direct or of a subclass), ordered by label. None when the store
    says nothing about the class and it has no instances."""
    if limit < 1 or limit > 1000:
        raise ParameterError("limit", f"must be between 1 and 1000, not {limit}")
    if offset < 0:
        raise ParameterError("offset", f"must be 0 or more, not {offset}")
    c = URIRef(class_iri)
    meta = backend.select(_CLASS_META, params={"c": c})
    subs = subclasses_of(backend, class_iri)
    classes = [class_iri, *subs]
    kparams = {f"k{i}": URIRef(k) for i, k in enumerate(classes)}
    count_rows = backend.select(_class_count_query(len(classes)), params=kparams)
    total = int(count_rows[0]["n"]) if count_rows else 0
    if not meta and total == 0:
        return None
    labels = term_labels(backend, lang)
    lab = pick_label([r["o"] for r in meta if r["p"] == RDFS.label], lang) or labels.get(class_iri) \
        or local_name(class_iri)
    comment = pick_label([r["o"] for r in meta if r["p"] in (RDFS.comment, SKOS.definition)], lang)
    ancestors = class_ancestors(backend)
    supers = [Link(a, labels.get(a)) for a in sorted(ancestors.get(class_iri, ()))]
    counts = direct_counts(backend)
    sub_summaries = [ClassSummary(k, labels.get(k) or local_name(k), counts.get(k, 0)) for k in subs]
    page = backend.select(_class_page_query(len(classes), limit, offset), params=kparams)
    instances = []
    for r in page:
        types = str(r.get("types") or "").split()
        spec = most_specific(types, ancestors)
        kind = (labels.get(spec[0]) or local_name(spec[0])) if spec else None
        instances.append((Link(str(r["x"]), str(r["label"]) if r.get("label") is not None else None), kind))
    return ClassDescription(class_iri, lab, comment, supers,
                            sorted(sub_summaries, key=lambda c: c.label.casefold()),
                            instances, total, limit, offset)


# --- source documents -----------------------------------------------------------------

#: E-mail addresses.
EMAIL_RE = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
#: Telephone numbers: international (+7 …, 00 7 …), with an area code in brackets,
#: after a "tel/phone/fax" cue, or a Kazakh national number (8 7172 …); an "(ext. 187)"
#: that follows goes with it. Year ranges ("2020-2030") and dates do not match: each
#: form needs a + / 00 prefix, brackets, a cue, or the 10-digit national shape.
PHONE_RE = re.compile(
    r"(?:"
    r"(?:\+|\b00)\d{1,3}[\s.-]*(?:\(\s*\d{1,5}\s*\)[\s.-]*)?\d{1,4}(?:[\s.-]*\d{2,4}){1,4}"
    r"|\(\s*\d{3,5}\s*\)[\s.-]*\d{2,4}(?:[\s.-]+\d{2,4}){1,3}"
    r"|(?i:\b(?:tel|phone|telephone|fax|mob|mobile|тел|факс)\b\.?:?\s*)[\d(+][\d\s().-]{5,}\d"
    r"|\b8[\s-]?\(?7\d{2,3}\)?[\s-]?\d{2,3}[\s-]?\d{2}[\s-]?\d{2}\b"
    r")"
    r"(?:\s*\(?\s*(?i:ext|ext\.|доб)\.?\s*\d{1,5}\s*\)?)?"
)

EMAIL_PLACEHOLDER = "[e-mail removed]"
PHONE_PLACEHOLDER = "[phone number removed]"


def redact(text: str) -> str:
    """*text* with every e-mail address and telephone number replaced by a placeholder:
    the published graph holds no contact details, and the site shows none either."""
    text = EMAIL_RE.sub(EMAIL_PLACEHOLDER, text)
    return PHONE_RE.sub(PHONE_PLACEHOLDER, text)


@dataclass
class Segment:
    """A run of text; ``iri`` set when it names a resource (link it), ``placeholder`` when
    it stands for redacted contact details."""

    text: str
    iri: str | None = None
    label: str | None = None
    placeholder: bool = False


def highlight(text: str, names: Mapping[str, tuple[str, str]]) -> list[Segment]:
    """Split *text* into segments, marking every occurrence of a name of *names*
    (name → (iri, display label)). Longest names win; a name must stand as whole words;
    all-capital names (acronyms) match only in capitals, others in any case. Redaction
    placeholders come out as their own segments."""
    usable = sorted((n for n in names if len(n.strip()) >= 2), key=len, reverse=True)
    alternatives = []
    for n in usable:
        pat = re.escape(n.strip()).replace(r"\ ", r"\s+")
        alternatives.append(pat if _is_acronym(n) else f"(?i:{pat})")
    alternatives += [re.escape(EMAIL_PLACEHOLDER), re.escape(PHONE_PLACEHOLDER)]
    rx = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    folded = {_fold_space(n).casefold(): n for n in usable}
    exact = {_fold_space(n): n for n in usable}
    out: list[Segment] = []
    pos = 0
    for m in rx.finditer(text):
        if m.start() > pos:
            out.append(Segment(text[pos:m.start()]))
        found = m.group(0)
        if found in (EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER):
            out.append(Segment(found, placeholder=True))
        else:
            key = exact.get(_fold_space(found)) or folded.get(_fold_space(found).casefold())
            iri, label = names[key] if key else (None, None)
            out.append(Segment(found, iri=iri, label=label))
        pos = m.end()
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(name) <= 12


def _fold_space(s: str) -> str:
    return " ".join(s.split())


@dataclass
class SourceDescription:
    slug: str
    entity: EntityDescription
    title: str
    issued: str | None
    issued_display: str | None
    inferred_date: bool
    publisher: Link | None
    notes: list[str]
    graph: str | None
    paragraphs: list[list[Segment]] | None        # None: the text file is not available
    text_error: str | None
    mentioned: list[Link]
    statements: list[tuple[Link, str | None]]     # resources the article states (with class label)


# The article's graph is the named graph that says it is derived from the source.
_SOURCE_GRAPHS = PROLOGUE + """
SELECT DISTINCT ?src ?g WHERE { ?g prov:wasDerivedFrom ?src . FILTER EXISTS { GRAPH ?g { ?a ?b ?c } } }
"""
# Reference resources (organisations, people, places) list the articles that name them.
# (Label lookups as OPTIONALs per row: see "Query shapes" above.)
_NAMES = "OPTIONAL { ?e skos:prefLabel ?pref } OPTIONAL { ?e skos:altLabel ?alt }"
_NAMED_BY = PROLOGUE + f"""
SELECT ?src ?part ?e ?pref ?alt ?type WHERE {{
  ?e prov:wasDerivedFrom ?src . FILTER(isIRI(?e)) {_NAMES} BIND("named" AS ?part)
}}
"""
# With the article graph known, one query for the rest: "named" as above, "mention" every
# resource the graph mentions (objects of rdf:type, wc:status and org:role are kinds, not
# things the text names), "stated" the resources it states, with their types. Each branch
# starts from a pattern with a bound parameter: a branch that has to find the graph first
# made Oxigraph scan every quad of the store (2.3 s at 100 k triples against 45 ms).
_SOURCE_PAGE = PROLOGUE + f"""
SELECT ?src ?g ?part ?e ?pref ?alt ?type WHERE {{
  {{ ?e prov:wasDerivedFrom ?src . FILTER(isIRI(?e)) {_NAMES} BIND("named" AS ?part) }}
  UNION
  {{ GRAPH ?g {{ ?e ?p ?o }} FILTER(isIRI(?e)) {_NAMES} BIND("mention" AS ?part) }}
  UNION
  {{ GRAPH ?g {{ ?x ?q ?e }} FILTER(isIRI(?e) && ?q NOT IN (rdf:type, wc:status, org:role)) {_NAMES}
     BIND("mention" AS ?part) }}
  UNION
  {{ GRAPH ?g {{ ?e prov:wasDerivedFrom ?src }} OPTIONAL {{ ?e a ?type }} OPTIONAL {{ ?e skos:prefLabel ?pref }}
     BIND("stated" AS ?part) }}
}}
"""


def describe_source(backend, settings, slug: str, *, lang: str = "en") -> SourceDescription | None:
    """The page of source article *slug*: its metadata, its verbatim text (contact details
    redacted; every resource the article's graph mentions linked where its name appears),
    and the resources it states. None when the store has no such source."""
    base = settings.base_iri
    iri = f"{base}source/{slug}"
    entity = describe(backend, iri, base=base, lang=lang)
    if entity is None:
        return None
    src = URIRef(iri)
    labels = term_labels(backend, lang)
    props = {g.iri: g for g in entity.properties}

    def first_text(p) -> str | None:
        g = props.get(str(p))
        return g.values[0].text if g and g.values and g.values[0].text is not None else None

    titles = props.get(str(DCTERMS.title))
    title = (pick_label([Literal(v.text, lang=v.lang) for v in titles.values if v.text], lang)
             if titles else None) or entity.label
    issued = first_text(DCTERMS.issued)
    inferred = (first_text(WC.inferred) or "").lower() in ("true", "1")
    pub_group = props.get(str(DCTERMS.publisher))
    publisher = None
    if pub_group and pub_group.values:
        v = pub_group.values[0]
        publisher = v.link if v.link else Link("", v.text)
    notes = [v.text for v in props[str(SKOS.note)].values if v.text] if str(SKOS.note) in props else []

    graphs = sorted(str(r["g"]) for r in backend.select(_SOURCE_GRAPHS, params={"src": src}))
    graph = next((g for g in graphs if g.startswith(base + "graph/")), graphs[0] if graphs else None)

    if graph:
        rows = backend.select(_SOURCE_PAGE, params={"src": src, "g": URIRef(graph)})
    else:
        rows = backend.select(_NAMED_BY, params={"src": src})

    names: dict[str, tuple[str, str]] = {}
    mentioned: dict[str, str] = {}
    prefs: dict[str, list] = defaultdict(list)
    for r in rows:
        if r.get("pref") is not None and r["pref"] not in prefs[str(r["e"])]:
            prefs[str(r["e"])].append(r["pref"])
    display = {e: pick_label(ls, lang) for e, ls in prefs.items()}
    types: dict[str, list[str]] = {}
    for r in rows:
        e = str(r["e"])
        if e == iri:
            continue
        if str(r["part"]) == "stated":
            ts = types.setdefault(e, [])
            if r.get("type") is not None and str(r["type"]) not in ts:
                ts.append(str(r["type"]))
            continue
        for name in (r.get("pref"), r.get("alt")):
            if name is None:
                continue
            label = display.get(e) or str(name)
            mentioned[e] = label
            names.setdefault(str(name), (e, label))
    ancestors = class_ancestors(backend)
    stated: list[tuple[Link, str | None]] = []
    for x, ts in types.items():
        spec = most_specific(ts, ancestors)
        stated.append((Link(x, display.get(x)), (labels.get(spec[0]) or local_name(spec[0])) if spec else None))
    stated.sort(key=lambda t: (t[1] or "", t[0].text.casefold()))

    paragraphs, text_error = None, None
    try:
        from .load import source_text
        text = redact(source_text(settings, slug))
        paragraphs = [highlight(p.strip(), names) for p in re.split(r"\n\s*\n", text) if p.strip()]
    except InputError as e:
        text_error = e.message
    return SourceDescription(
        slug=slug, entity=entity, title=title, issued=issued,
        issued_display=format_date(issued) if issued else None, inferred_date=inferred,
        publisher=publisher, notes=notes, graph=graph, paragraphs=paragraphs, text_error=text_error,
        mentioned=sorted((Link(e, lab) for e, lab in mentioned.items()), key=lambda lk: lk.text.casefold()),
        statements=stated)


# --- timeline -------------------------------------------------------------------------

@dataclass
class TimelineItem:
    iri: str
    label: str
    date: str
    date_display: str
    year: str
    kind: str | None
    kind_iri: str | None
    status: str | None
    place: Link | None

    def to_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "date": self.date, "year": self.year,
                "kind": self.kind, "kindIri": self.kind_iri, "status": self.status,
                "place": self.place.to_json() if self.place else None}


@dataclass
class Facet:
    iri: str
    label: str
    count: int

    def to_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "count": self.count}


#: Properties that tie an organisation to an event or agreement for the timeline filter.
TIMELINE_ORG_PROPERTIES = ("wc:organiser", "wc:participant", "wc:supporter", "wc:party", "wc:funder",
                           "wc:recipient", "wc:implementer", "wc:partner")
_ORG_VALUES = " ".join(TIMELINE_ORG_PROPERTIES)

# The query is assembled from these fixed fragments only: which fragments depends on which
# filters are set, their values are always bound by the engine (?country, ?org, ?kind, ?topic).
# wc:date is the date of an event or an agreement (its domain in the ontology): no type test
# is needed to find them, and a `a/rdfs:subClassOf*` path per item doubled the cost.
_TL_WHERE = """
  ?item wc:date ?date0 .
"""
_TL_FILTERS = {
    "country": """
  { ?item wc:location ?country }
  UNION { ?item wc:location/wc:country ?country }
  UNION { ?item ?orgRel ?cOrg . VALUES ?orgRel { %s } ?cOrg wc:country ?country }
""" % _ORG_VALUES,
    "organisation": """
  { ?item ?orgRel2 ?org . VALUES ?orgRel2 { %s } }
  UNION { ?item ?orgRel3 ?sub . VALUES ?orgRel3 { %s } ?sub org:subOrganizationOf+ ?org }
""" % (_ORG_VALUES, _ORG_VALUES),
    "kind": "  ?item a/rdfs:subClassOf* ?kind .\n",
    "topic": "  { ?item wc:topic ?topic } UNION { ?item wc:discusses ?topic }\n",
}
# One row per item (aggregated: the conversion of result cells costs more than the query).
_TL_DETAILS = """
  OPTIONAL { ?item a ?type }
  OPTIONAL { ?item skos:prefLabel ?l . FILTER(LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }
  OPTIONAL { ?item wc:status ?status . OPTIONAL { ?status skos:prefLabel ?sl . FILTER(LANGMATCHES(LANG(?sl), "en") || LANG(?sl) = "") } }
  OPTIONAL { ?item wc:location ?place0 . OPTIONAL { ?place0 skos:prefLabel ?pl . FILTER(LANGMATCHES(LANG(?pl), "en") || LANG(?pl) = "") } }
"""
_TL_SELECT = """SELECT ?item (MIN(?date0) AS ?date) (GROUP_CONCAT(DISTINCT STR(?type); separator=" ") AS ?types)
  (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT ?sl; separator=" / ") AS ?statusLabel)
  (SAMPLE(?place0) AS ?place) (SAMPLE(?pl) AS ?placeLabel)"""

#: Items a timeline page lists at most (newest or oldest first); the filters narrow it.
TIMELINE_LIMIT = 500


def _timeline_where(country, organisation, kind, topic) -> tuple[str, dict[str, URIRef]]:
    params: dict[str, URIRef] = {}
    where = _TL_WHERE
    for name, var, value in (("country", "country", country), ("organisation", "org", organisation),
                             ("kind", "kind", kind), ("topic", "topic", topic)):
        if value:
            params[var] = URIRef(_check_iri(name, value))
            where += _TL_FILTERS[name]
    return where, params


def timeline(backend, *, country: str | None = None, organisation: str | None = None, kind: str | None = None,
             topic: str | None = None, lang: str = "en", descending: bool = False,
             limit: int | None = None) -> list[TimelineItem]:
    """Dated events and agreements, in date order, optionally only those tied to a country
    (their place, or an organisation of that country), an organisation (or one of its
    sub-organisations), a kind (a class, subclasses included) or a topic; at most *limit*
    (the first in the chosen order). Filter values are IRIs, bound by the engine: the
    query text is assembled from fixed fragments only."""
    where, params = _timeline_where(country, organisation, kind, topic)
    # pyoxigraph substitutes only projected variables: project (and group by) the filters too
    fvars = " ".join("?" + v for v in params)
    order = "DESC(?date)" if descending else "?date"
    if limit and not params:
        # The whole timeline: pick the page of items first, then look up their details
        # (4x faster at 100 k triples). Only without parameters: a remote backend binds
        # them by a trailing VALUES, too late for a LIMIT inside a subquery.
        inner_order = "DESC(?d)" if descending else "?d"
        where = (f"{{ SELECT ?item (MIN(?d0) AS ?d) WHERE {{ ?item wc:date ?d0 }} GROUP BY ?item "
                 f"ORDER BY {inner_order} ?item LIMIT {int(limit):d} }} ?item wc:date ?date0 .")
    text = (PROLOGUE + f"{_TL_SELECT} {fvars} WHERE {{ {where} {_TL_DETAILS} }} GROUP BY ?item {fvars} "
            f"ORDER BY {order} ?label ?item" + (f" LIMIT {int(limit):d}" if limit else ""))
    rows = backend.select(text, params=params)
    labels = term_labels(backend, lang)
    ancestors = class_ancestors(backend)
    out = []
    for r in rows:
        iri = str(r["item"])
        spec = most_specific(str(r.get("types") or "").split(), ancestors)
        kind_iri = spec[0] if spec else None
        date = r.get("date")
        place = r.get("place")
        out.append(TimelineItem(
            iri=iri, label=str(r["label"]) if r.get("label") is not None else local_name(iri),
            date=str(date), date_display=format_date(date), year=year_of(date) or "undated",
            kind=labels.get(kind_iri) if kind_iri else None, kind_iri=kind_iri,
            status=str(r["statusLabel"]) if r.get("statusLabel") else None,
            place=Link(str(place), str(r["placeLabel"]) if r.get("placeLabel") is not None else None)
            if place is not None else None))
    # the engine orders by date; ties and mixed precisions ("2021-03" vs "2021-03-01") by text here
    out.sort(key=lambda i: (i.date, i.label.casefold()), reverse=descending)
    return out


def timeline_count(backend, *, country: str | None = None, organisation: str | None = None,
                   kind: str | None = None, topic: str | None = None) -> int:
    """How many items :func:`timeline` would list without a limit."""
    where, params = _timeline_where(country, organisation, kind, topic)
    fvars = " ".join("?" + v for v in params)
    text = PROLOGUE + f"SELECT (COUNT(DISTINCT ?item) AS ?n) {fvars} WHERE {{ {where} }}" + \
        (f" GROUP BY {fvars}" if fvars else "")
    rows = backend.select(text, params=params)
    return int(rows[0]["n"]) if rows else 0


def group_by_year(items: list[TimelineItem]) -> list[tuple[str, list[TimelineItem]]]:
    groups: dict[str, list[TimelineItem]] = {}
    for it in items:
        groups.setdefault(it.year, []).append(it)
    return list(groups.items())


_EN = 'FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "")'
_FACET_COUNTRIES = PROLOGUE + """
SELECT ?c ?label ?n WHERE {
  { SELECT ?c (COUNT(DISTINCT ?item) AS ?n) WHERE {
      ?item wc:date ?d .
      { ?item wc:location ?c } UNION { ?item wc:location/wc:country ?c }
      UNION { ?item ?rel ?o . VALUES ?rel { %s } ?o wc:country ?c }
    } GROUP BY ?c }
  ?c a wc:Country .
  OPTIONAL { ?c skos:prefLabel ?label . %s }
}
""" % (_ORG_VALUES, _EN)
#: Organisations offered by the timeline filter: the most active ones (a select of every
#: organisation of a large graph would be thousands of options).
FACET_ORGS = 150
_FACET_ORGS = PROLOGUE + """
SELECT ?o ?label ?n WHERE {
  { SELECT ?o (COUNT(DISTINCT ?item) AS ?n) WHERE { ?item wc:date ?d ; ?rel ?o . VALUES ?rel { %s } }
    GROUP BY ?o ORDER BY DESC(?n) ?o LIMIT %d }
  OPTIONAL { ?o skos:prefLabel ?label . %s }
}
""" % (_ORG_VALUES, FACET_ORGS, _EN)
# Kinds: counted per asserted type, summed up the hierarchy in Python (a
# `rdfs:subClassOf*` path here enumerated every node of the store).
_FACET_TYPES = PROLOGUE + "SELECT ?t (COUNT(DISTINCT ?item) AS ?n) WHERE { ?item wc:date ?d ; a ?t } GROUP BY ?t"
_FACET_TOPICS = PROLOGUE + """
SELECT ?t ?label ?n WHERE {
  { SELECT ?t (COUNT(DISTINCT ?item) AS ?n) WHERE { ?item wc:date ?d . { ?item wc:topic ?t } UNION { ?item wc:discusses ?t } }
    GROUP BY ?t }
  ?t a skos:Concept .
  OPTIONAL { ?t skos:prefLabel ?label . %s }
}
""" % _EN


def timeline_facets(backend, lang: str = "en") -> dict[str, list[Facet]]:
    """The choices of the timeline filters, each with how many dated items it has:
    countries, the most active organisations, kinds (event and agreement classes, with
    their subclasses' items), topics."""
    def facets(text: str, var: str) -> list[Facet]:
        seen: dict[str, Facet] = {}
        for r in backend.select(text):
            n = int(r["n"]) if r.get("n") is not None else 0
            iri = str(r[var])
            if n and iri not in seen:
                seen[iri] = Facet(iri, str(r["label"]) if r.get("label") is not None else local_name(iri), n)
        return sorted(seen.values(), key=lambda f: f.label.casefold())

    ancestors = class_ancestors(backend)
    labels = term_labels(backend, lang)
    kinds: dict[str, int] = defaultdict(int)
    for r in backend.select(_FACET_TYPES):
        t, n = str(r["t"]), int(r["n"])
        for k in (t, *ancestors.get(t, ())):
            if k in (str(WC.Event), str(WC.Agreement)) or {str(WC.Event), str(WC.Agreement)} & ancestors.get(k, set()):
                kinds[k] += n
    kind_facets = sorted((Facet(k, labels.get(k) or local_name(k), n) for k, n in kinds.items()),
                         key=lambda f: f.label.casefold())
    return {"country": facets(_FACET_COUNTRIES, "c"), "organisation": facets(_FACET_ORGS, "o"),
            "kind": kind_facets, "topic": facets(_FACET_TOPICS, "t")}


_LABEL_OF = PROLOGUE + "SELECT ?s ?l WHERE { ?s skos:prefLabel|rdfs:label ?l }"


def resource_label(backend, iri: str, lang: str = "en") -> str | None:
    """The name of one resource (None when it has none)."""
    return pick_label([r["l"] for r in backend.select(_LABEL_OF, params={"s": URIRef(iri)})], lang)


def _check_iri(name: str, value: str) -> str:
    v = value.strip()
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", v):
        raise ParameterError(name, f"{value!r} is not an http(s) IRI",
                             hint="choose a value from the list, or give a full IRI such as "
                                  f"{WCID_DEFAULT}organisation/undp")
    return v


__all__ = [
    "describe", "describe_rdf", "describe_class", "list_classes", "describe_source", "timeline", "timeline_count",
    "timeline_facets", "group_by_year", "redact", "highlight", "pick_label", "format_date",
    "EntityDescription", "PropertyGroup", "Value", "Link", "Evidence", "Statement", "ClassDescription",
    "ClassSummary", "SourceDescription", "Segment", "TimelineItem", "Facet", "term_labels",
    "resource_exists",
]
