"""The page of one resource: :func:`describe` (types, labels in every language, its
properties and inverse properties grouped and labelled, the evidence per source article,
Wikidata links and coordinates) and :func:`describe_rdf` (the same resource as RDF for
content negotiation)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..namespaces import (DCTERMS, FOAF, GEO, ORG, OWL, PROV, RDF, RDFS, SKOS, WC, WCID_DEFAULT, WD,
                          bind_prefixes)
from .common import (DATE_TYPES, LABEL_SUFFIXES, LINK_LABEL_PROPERTIES, PROLOGUE, Link, class_ancestors,
                     format_date, inverse_label, label_cols, label_opts, labels_of, local_name, most_specific,
                     pick_label, property_label, term_labels)

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


# --- data classes ---------------------------------------------------------------------

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


# --- describe one resource (query shapes: see common.py) -----------------------------

_OUT = PROLOGUE + f"""
SELECT ?s ?p ?o ?g {label_cols("o")} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  # what the sources state: not the summaries every build derives (graph.derived) nor the RDFS entailments (graph.entail)
  FILTER(!STRENDS(STR(?g), "/graph/derived") && !STRENDS(STR(?g), "/graph/entailed"))
  {label_opts("o")}
}}
"""

_EXISTS = PROLOGUE + "ASK { { ?s ?p ?o } UNION { ?x ?q ?s } }"

#: Links that are not shown as inverse links: types, and the reification of a statement's
#: evidence (a wc:StatementEvidence node is about the statement, not a related resource).
_NOT_INVERSE = "?p != rdf:type && ?p != rdf:subject && ?p != rdf:object"
#: what the sources state, in the pages and the RDF description alike, from both ends of a
#: link: not the RDFS entailments of the build (graph.entail: a wc:chair is not listed again
#: as a wc:participant and schema:attendee) nor the summaries every build derives
#: (graph.derived: a country is not "country of an agent of" thousands of events)
_STATED = '!STRENDS(STR(?g), "/graph/derived") && !STRENDS(STR(?g), "/graph/entailed")'

_IN_COUNTS = PROLOGUE + f"""
SELECT ?s ?p (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x ?p ?s }} FILTER({_NOT_INVERSE} && {_STATED}) }}
GROUP BY ?s ?p
"""

#: Rows fetched in one go for the inverse links; past it, per-property capped queries.
_IN_ROWS = INVERSE_CAP * 8
_IN_ALL = PROLOGUE + f"""
SELECT ?s ?x ?p ?g {label_cols("x")} WHERE {{
  GRAPH ?g {{ ?x ?p ?s }}
  FILTER({_NOT_INVERSE} && {_STATED})
  {label_opts("x")}
}} LIMIT {_IN_ROWS + 1}
"""

_IN_ONE = PROLOGUE + f"""
SELECT ?s ?p ?x ?g {label_cols("x")} WHERE {{
  GRAPH ?g {{ ?x ?p ?s }} FILTER({_STATED})
  {label_opts("x")}
}} ORDER BY ?x LIMIT {INVERSE_CAP * 8}
"""

# The sources of a resource: those it is derived from, and those of the resources that
# point at it from an article graph (an organisation is evidenced by the meetings it took
# part in), each with its metadata and the verbatim sentences; the graph that states a
# sentence is the source's article graph. One query: each round trip to the store's
# workers costs more than the query itself.
_SOURCE_META = """OPTIONAL { ?src dcterms:title ?title } OPTIONAL { ?src dcterms:issued ?issued }
      OPTIONAL { ?src wc:inferred ?inferred }
      OPTIONAL { ?src dcterms:publisher ?pub . %s }""" % label_opts("pub")
_EVIDENCE_TEXT = PROLOGUE + """
SELECT ?s ?g ?src ?title ?issued ?inferred ?pub %(pub)s ?x ?p ?ev ?quote %(x)s WHERE {
  {
    %(values)s
    ?s prov:wasDerivedFrom ?src .
    %(meta)s
    OPTIONAL { GRAPH ?g { ?s prov:wasDerivedFrom ?src . ?s wc:evidence ?ev } }
  }
  UNION
  {
    %(graphs)s
    GRAPH ?g { ?x ?p ?s } FILTER(?p != prov:wasDerivedFrom && %(not_inverse)s)
    OPTIONAL {
      GRAPH ?g { ?x prov:wasDerivedFrom ?src }
      %(meta)s
      OPTIONAL { GRAPH ?g { ?x wc:evidence ?ev } }
    }
    # the sentence that supports this very statement (vocabulary 0.2), preferred to ?x's own.
    # The engine evaluates this OPTIONAL once, apart from the rows above, and hash-joins it:
    # it must start from the described resource (?s, written in as an IRI by
    # graph.queries.bind_params), not from ?x (every statement's evidence in the store:
    # 5-8 s a page at 1 M triples)
    OPTIONAL { %(graphs)s GRAPH ?g { ?se rdf:object ?s ; rdf:subject ?x ; rdf:predicate ?p ; wc:quote ?quote } }
    FILTER(BOUND(?src))
    %(x_labels)s
  }
} ORDER BY DESC(?issued) ?src LIMIT %(limit)d
"""


def _evidence_query(sources: Iterable[str] = (), graphs: Iterable[str] = ()) -> str:
    """The evidence of a resource: from every source, or (*sources* given) from those
    sources as the resource's own and from its links in *graphs* (IRIs, serialised by
    pyoxigraph)."""
    values = graph_values = ""
    if sources:
        values = "VALUES ?src { " + " ".join(str(ox.NamedNode(x)) for x in sources) + " }"
        graph_values = "VALUES ?g { " + " ".join(str(ox.NamedNode(x)) for x in graphs) + " }"
    return _EVIDENCE_TEXT % {"pub": label_cols("pub"), "x": label_cols("x"), "values": values, "graphs": graph_values,
                             "meta": _SOURCE_META, "not_inverse": _NOT_INVERSE, "x_labels": label_opts("x"),
                             "limit": EVIDENCE_ROWS}


_EVIDENCE = _evidence_query()

#: Every source of a resource with its date, nothing else. A much-cited resource (a hub
#: with thousands of sources) reads these first, then the evidence of its newest
#: :data:`SOURCES_CAP` sources only, not every source's evidence, labels and quotes
#: (1.8 s for the biggest hub at 1 M triples, on disk and warm).
_SOURCES = PROLOGUE + f"""
SELECT ?s ?g ?src ?issued WHERE {{
  {{ ?s prov:wasDerivedFrom ?src OPTIONAL {{ ?src dcterms:issued ?issued }} }}
  UNION
  {{
    GRAPH ?g {{ ?x ?p ?s }} FILTER(?p != prov:wasDerivedFrom && {_NOT_INVERSE})
    OPTIONAL {{ GRAPH ?g {{ ?x prov:wasDerivedFrom ?src }} OPTIONAL {{ ?src dcterms:issued ?issued }} }}
    FILTER(BOUND(?src))
  }}
}}
"""


def _literal_value(term: Literal, graphs: list[str]) -> Value:
    dt = str(term.datatype) if term.datatype else None
    display = format_date(term) if dt in DATE_TYPES else None
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
    obj_labels = labels_of(out_rows, "o")

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

    groups = _property_groups(values, labels, obj_labels)

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


def _property_groups(values: Mapping[str, dict[Any, list[str]]], labels: Mapping[str, str],
                     obj_labels: Mapping[str, str]) -> list[PropertyGroup]:
    """The property table: one group per property not shown in the header, in
    :data:`PROPERTY_ORDER`, each group's values by label."""
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
    return groups


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
        xl = labels_of(rows, "x")
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


def _newest_sources(backend, s: URIRef) -> tuple[list[str], list[str], int] | None:
    """When *s* has more than :data:`SOURCES_CAP` sources (all IRIs): the newest of them,
    the graphs that state its links to them, and how many sources it has; else None (read
    every source with its evidence)."""
    dates: dict[str, Any] = {}
    graphs: dict[str, set[str]] = defaultdict(set)
    for r in backend.select(_SOURCES, params={"s": s}):
        src, g = r.get("src"), r.get("g")
        if not isinstance(src, URIRef) or (g is not None and not isinstance(g, URIRef)):
            return None
        if r.get("issued") is not None or str(src) not in dates:
            dates[str(src)] = r.get("issued")
        if g is not None:
            graphs[str(src)].add(str(g))
    if len(dates) <= SOURCES_CAP:
        return None
    newest = sorted(dates, key=lambda x: (str(dates[x] or ""), x), reverse=True)[:SOURCES_CAP]
    return newest, sorted(set().union(*(graphs[x] for x in newest))), len(dates)


def _evidence(backend, s: URIRef, base: str, labels: Mapping[str, str],
              lang: str) -> tuple[list[Evidence], int, bool]:
    newest = _newest_sources(backend, s)
    if newest is None:
        rows = backend.select(_EVIDENCE, params={"s": s})
    else:   # a graph of a newest source may state others' evidence too: keep the newest only
        keep = set(newest[0])
        rows = backend.select(_evidence_query(newest[0], newest[1]), params={"s": s})
    truncated = len(rows) >= EVIDENCE_ROWS
    last = str(rows[-1].get("src")) if truncated and rows else None
    if newest is not None:
        rows = [r for r in rows if str(r.get("src")) in keep]
    meta = _source_meta(rows)
    if last is not None:   # the last source may have been cut short: leave it out
        meta.pop(last, None)
    total = len(meta) if newest is None else newest[2]
    ordered = sorted(meta.items(), key=lambda kv: (str(kv[1]["issued"] or ""), kv[0]), reverse=True)[:SOURCES_CAP]
    stmts = _sentences_by_source(rows, {k for k, _ in ordered}, meta)
    pub_labels = labels_of(rows, "pub")
    xl = labels_of(rows, "x")
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


def _source_meta(rows: list) -> dict[str, dict]:
    """Per source of the evidence rows: its titles, date (and whether inferred), publisher."""
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
    return meta


def _sentences_by_source(rows: list, keep: set[str], meta: dict[str, dict]) -> dict[str, dict[tuple, list[str]]]:
    """source → (resource, property) → the sentences that state it, for the sources of
    *keep*; sets each source's ``graph`` (the graph that states a sentence from it)."""
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
    return stmts


# --- RDF description for content negotiation ----------------------------------------

_RDF_OUT = PROLOGUE + f"""
SELECT DISTINCT ?s ?p ?o {label_cols("o")} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER({_STATED})
  {label_opts("o")}
}}
"""
_RDF_BLANK = PROLOGUE + """
SELECT DISTINCT ?s ?b ?p ?o WHERE { ?s ?q ?b . FILTER(isBlank(?b)) OPTIONAL { ?b ?p ?o } FILTER(BOUND(?p)) }
"""
_RDF_IN = PROLOGUE + f"""
SELECT DISTINCT ?s ?x ?p {label_cols("x")} WHERE {{
  GRAPH ?g {{ ?x ?p ?s }} FILTER(isIRI(?x) && ?x != ?s && {_STATED})
  {label_opts("x")}
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
        for prop, n in zip(LINK_LABEL_PROPERTIES, LABEL_SUFFIXES):
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
