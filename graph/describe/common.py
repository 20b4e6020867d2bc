"""What every kind of page shares: the SPARQL prologue, labels of terms and linked
resources, dates as people read them, the class hierarchy, and a small cache of the facts
that change only with a rebuild."""
from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from ..errors import ParameterError
from ..namespaces import (DCTERMS, FOAF, GEO, ORG, OWL, PROV, RDF, RDFS, SKOS, WC, WCID_DEFAULT,
                          sparql_prologue)

PROLOGUE = sparql_prologue()


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


DATE_TYPES = {str(XSD.date), str(XSD.gYear), str(XSD.gYearMonth), str(XSD.dateTime)}


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


cache = _TTLCache()


# --- links ----------------------------------------------------------------------------

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
    return cache.get(backend, f"term_labels:{lang}", compute)


def property_label(iri: str, labels: Mapping[str, str]) -> str:
    return labels.get(iri) or FALLBACK_LABELS.get(iri) or local_name(iri)


def inverse_label(iri: str, labels: Mapping[str, str]) -> str:
    if iri in INVERSE_LABELS:
        return INVERSE_LABELS[iri]
    return f"{property_label(iri, labels)} of"


_HIERARCHY = PROLOGUE + "SELECT ?c ?sup WHERE { ?c rdfs:subClassOf+ ?sup . FILTER(isIRI(?c) && isIRI(?sup)) }"


def class_ancestors(backend) -> dict[str, set[str]]:
    """Every class → all its superclasses (transitive; cached ~30 s)."""
    def compute() -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for r in backend.select(_HIERARCHY):
            out[str(r["c"])].add(str(r["sup"]))
        return dict(out)
    return cache.get(backend, "class_ancestors", compute)


def most_specific(classes: Iterable[str], ancestors: Mapping[str, set[str]]) -> list[str]:
    """The classes of *classes* that are no superclass of another one of them."""
    cs = list(dict.fromkeys(classes))
    supers = set().union(*(ancestors.get(c, set()) for c in cs)) if cs else set()
    return [c for c in cs if c not in supers]


# --- labels of linked resources -------------------------------------------------------
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
# Since then the backends also write a parameter's IRI into the patterns of nested groups
# (graph.queries.bind_params), which is what makes an OPTIONAL that looks the resource up
# from the other end (?se rdf:object ?s) an index lookup.

#: How linked resources are named on a page. Every resource of the data model has a
#: skos:prefLabel (memberships and source documents included); ontology terms have
#: rdfs:label. Each label property costs one index lookup per row, so only these two.
LINK_LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label)
LABEL_SUFFIXES = ("l1", "l2")


def label_opts(var: str) -> str:
    """OPTIONALs fetching ``?{var}``'s names, one column per label property."""
    return " ".join(f"OPTIONAL {{ ?{var} <{p}> ?{var}_{n} }}" for p, n in zip(LINK_LABEL_PROPERTIES, LABEL_SUFFIXES))


def label_cols(var: str) -> str:
    return " ".join(f"?{var}_{n}" for n in LABEL_SUFFIXES)


def labels_of(rows: Iterable[Mapping], key: str) -> dict[str, str]:
    """The best name per resource from rows with :func:`label_opts` columns: by the order
    of :data:`LINK_LABEL_PROPERTIES`, then by language."""
    cands: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        k = r.get(key)
        if k is None:
            continue
        for i, n in enumerate(LABEL_SUFFIXES):
            lit = r.get(f"{key}_{n}")
            if lit is not None and lit not in cands[str(k)][i]:
                cands[str(k)][i].append(lit)
    return {k: lab for k, by in cands.items() if by and (lab := pick_label(by[min(by)])) is not None}


_LABEL_OF = PROLOGUE + "SELECT ?s ?l WHERE { ?s skos:prefLabel|rdfs:label ?l }"


def resource_label(backend, iri: str, lang: str = "en") -> str | None:
    """The name of one resource (None when it has none)."""
    return pick_label([r["l"] for r in backend.select(_LABEL_OF, params={"s": URIRef(iri)})], lang)


def check_iri(name: str, value: str) -> str:
    v = value.strip()
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", v):
        raise ParameterError(name, f"{value!r} is not an http(s) IRI",
                             hint="choose a value from the list, or give a full IRI such as "
                                  f"{WCID_DEFAULT}organisation/undp")
    return v
