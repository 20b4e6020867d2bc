"""The timeline: dated events and agreements, filterable by country, organisation, kind
and topic (:func:`timeline`, :func:`timeline_count`), and the filters' choices
(:func:`timeline_facets`)."""
from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from .common import (PROLOGUE, Link, check_iri, class_ancestors, format_date, local_name, most_specific,
                     term_labels, year_of)

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
    # the build's ties (graph.derived.timeline): its place, that place's country, its agents'
    # countries; joined here per request it took 90-100 s for one country at 1 M on disk
    "country": "  ?item wc:timelineCountry ?country .\n",
    "organisation": """
  { ?item ?orgRel2 ?org . VALUES ?orgRel2 { %s } }
  UNION { ?item ?orgRel3 ?sub . VALUES ?orgRel3 { %s } ?sub org:subOrganizationOf+ ?org }
""" % (_ORG_VALUES, _ORG_VALUES),
    "kind": "  ?item a/rdfs:subClassOf* ?kind .\n",
    "topic": "  { ?item wc:topic ?topic } UNION { ?item wc:discusses ?topic }\n",
}
# One row per item (aggregated: the conversion of result cells costs more than the query).
_TL_DETAILS = """
  OPTIONAL { GRAPH ?tg { ?item a ?type } FILTER(!STRENDS(STR(?tg), "/graph/entailed")) }  # stated (graph.entail)
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
            params[var] = URIRef(check_iri(name, value))
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
# The counts are the build's (graph.derived.timeline: about 10 s over the whole graph at 1 M
# triples on disk, on every first view, when they were counted here).
_FACET = PROLOGUE + """
SELECT ?x ?label ?n WHERE { ?x wc:%s ?n . OPTIONAL { ?x skos:prefLabel ?label . %s } }"""
#: Organisations offered by the timeline filter: the most active ones (a select of every
#: organisation of a large graph would be thousands of options).
FACET_ORGS = 150
# Every organisation whose count is at least the FACET_ORGS-th largest, cut to FACET_ORGS by
# (count, IRI) in Python: ordering by an IRI in the engine reads each IRI's text from the
# store (over the 23 k organisations of the 1 M graph on disk, ORDER BY DESC(?n) ?x took 1 s,
# by the count alone 16 ms).
_FACET_ORGS = PROLOGUE + """
SELECT ?x ?label ?n WHERE {
  { SELECT ?x ?n WHERE {
      { SELECT (MIN(?top) AS ?least) WHERE {
          { SELECT ?top WHERE { ?y wc:timelineOrganisationCount ?top } ORDER BY DESC(?top) LIMIT %%d } } }
      ?x wc:timelineOrganisationCount ?n FILTER(?n >= ?least) } }
  # the labels of those only (beside the FILTER, they were read for every organisation first)
  OPTIONAL { ?x skos:prefLabel ?label . %s }
}""" % _EN


def timeline_facets(backend, lang: str = "en") -> dict[str, list[Facet]]:
    """The choices of the timeline filters, each with how many dated items it has:
    countries, the most active organisations, kinds (event and agreement classes, with
    their subclasses' items), topics; counted by the build (graph.derived.timeline)."""
    def facets(text: str) -> list[Facet]:
        seen: dict[str, Facet] = {}
        for r in backend.select(text):
            n = int(r["n"]) if r.get("n") is not None else 0
            iri = str(r["x"])
            if n and iri not in seen:
                seen[iri] = Facet(iri, str(r["label"]) if r.get("label") is not None else local_name(iri), n)
        return sorted(seen.values(), key=lambda f: f.label.casefold())

    labels = term_labels(backend, lang)
    kind_facets = sorted((Facet(f.iri, labels.get(f.iri) or local_name(f.iri), f.count)
                          for f in facets(_FACET % ("timelineKindCount", _EN))), key=lambda f: f.label.casefold())
    orgs = sorted(facets(_FACET_ORGS % FACET_ORGS), key=lambda f: (-f.count, f.iri))[:FACET_ORGS]
    return {"country": facets(_FACET % ("timelineCountryCount", _EN)),
            "organisation": sorted(orgs, key=lambda f: f.label.casefold()),
            "kind": kind_facets, "topic": facets(_FACET % ("timelineTopicCount", _EN))}
