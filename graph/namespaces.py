"""Every namespace the project uses, and the prefix map: one source for Python, SPARQL and the app.

The ``wcid:`` base is a setting (``WCKG_BASE_IRI``); :data:`WCID_DEFAULT` is the
published one and the one the curated files are written in.
"""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

WC = Namespace("https://w3id.org/wckg/ontology#")
WCID_DEFAULT = "https://w3id.org/wckg/id/"
WCID = Namespace(WCID_DEFAULT)
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
VANN = Namespace("http://purl.org/vocab/vann/")
WD = Namespace("http://www.wikidata.org/entity/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

#: The identifier kinds: ``wcid:{kind}/{slug}`` (the core model's, and those vocabulary 0.2 adds).
KINDS = (
    "organisation", "person", "membership", "event", "agreement", "programme",
    "policy", "place", "topic", "source", "graph",
    # vocabulary 0.2 (docs/model.md)
    "claim", "participation",
)

#: Named graphs of the dataset (the article graphs are ``graph/{source-slug}``).
GRAPH_ONTOLOGY = WCID["graph/ontology"]
GRAPH_REFERENCE = WCID["graph/reference"]


def graph_iri(slug: str) -> str:
    """The named graph of one source document."""
    return f"{WCID_DEFAULT}graph/{slug}"


#: Prefix map used in SPARQL prologues, Turtle output, the query editor and JSON-LD contexts.
PREFIXES: dict[str, str] = {
    "wc": str(WC),
    "wcid": WCID_DEFAULT,
    "org": str(ORG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "geo": str(GEO),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "dcat": str(DCAT),
    "void": str(VOID),
    "vann": str(VANN),
    "wd": str(WD),
}


#: Prefixes for Turtle/TriG output: ``wcid:`` IRIs have a ``/`` in the local part, which
#: serialisers must escape (``wcid:place\/astana``), so each identifier kind gets its own
#: prefix (``place:astana``) instead.
OUTPUT_PREFIXES: dict[str, str] = {
    **{p: iri for p, iri in PREFIXES.items() if p != "wcid"},
    **{kind: f"{WCID_DEFAULT}{kind}/" for kind in KINDS},
}


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """``PREFIX`` lines for every prefix of the map."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or PREFIXES).items())


def bind_prefixes(g) -> None:
    """Bind the project's prefixes on an rdflib graph or dataset (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, override=True, replace=True)


def kind_of(iri: str, base: str = WCID_DEFAULT) -> str | None:
    """The identifier kind of a ``wcid:`` IRI, or None when the IRI is not under *base*."""
    if not iri.startswith(base):
        return None
    kind = iri[len(base):].split("/", 1)[0]
    return kind if kind in KINDS else None


__all__ = [
    "WC", "WCID", "WCID_DEFAULT", "ORG", "SCHEMA", "GEO", "VANN", "WD", "SD",
    "DCAT", "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "VOID", "XSD",
    "KINDS", "GRAPH_ONTOLOGY", "GRAPH_REFERENCE", "graph_iri", "PREFIXES", "OUTPUT_PREFIXES",
    "sparql_prologue", "bind_prefixes", "kind_of",
]
