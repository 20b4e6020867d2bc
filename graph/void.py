"""VoID description of the dataset, computed with SPARQL over a backend (anything with the
store API's ``select``): triples, entities, distinct subjects and objects, class and
property partitions for the whole dataset and for every named graph, the linkset to
Wikidata with its size, the SPARQL endpoint, the dump URLs, the vocabularies used and
example resources.

Every count is taken over explicit ``GRAPH ?g`` patterns with ``DISTINCT`` so that it does
not depend on whether the server's default graph is the union (and counts a triple held
by two graphs once for the dataset).

IRIs: the description is the document ``{root}void`` (served at ``/.well-known/void``);
the dataset is the catalog's ``{root}catalog#dataset``, so that VoID and DCAT describe one
resource; subsets and partitions are fragments of the VoID document.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, VOID, XSD

from .config import Settings
from .dcat import dataset_iri, project_root, sparql_endpoint
from .namespaces import PREFIXES as PROJECT_PREFIXES

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

PREFIXES = {"void": str(VOID), "dcterms": str(DCTERMS), "foaf": str(FOAF), "sd": str(SD),
            "formats": str(FORMATS), "owl": str(OWL), "xsd": str(XSD)}

#: Which format each dump is in (void:feature).
DUMP_FEATURES = {".nq": "N-Quads", ".trig": "TriG", ".ttl": "Turtle", ".jsonld": "JSON-LD", ".nt": "N-Triples"}

#: Classes whose first instance (by IRI) is an example resource.
EXAMPLE_CLASSES = ("Organisation", "InternationalOrganisation", "Event", "Agreement", "Programme",
                   "PolicyDocument", "Country", "Person", "SourceDocument")


def void_iri(settings: Settings) -> str:
    return project_root(settings) + "void"


def _n(rows: list[dict], var: str = "n") -> int:
    return int(rows[0][var]) if rows and var in rows[0] else 0


def _slug(iri: str) -> str:
    """A readable, unique fragment for a class or property IRI (``wc-Event``)."""
    for p, ns in sorted(PROJECT_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_.-]+", iri[len(ns):] or "-"):
            return f"{p}-{iri[len(ns):]}"
    return hashlib.sha256(iri.encode()).hexdigest()[:12]


def graph_slug(settings: Settings, graph: str) -> str:
    prefix = settings.base_iri + "graph/"
    if graph.startswith(prefix) and re.fullmatch(r"[A-Za-z0-9_.-]+", graph[len(prefix):]):
        return graph[len(prefix):]
    return hashlib.sha256(graph.encode()).hexdigest()[:12]


def vocabulary_of(iri: str) -> str:
    """The namespace of a term: the known prefix it lies in, else up to its last # or /."""
    for ns in sorted(PROJECT_PREFIXES.values(), key=len, reverse=True):
        if iri.startswith(ns) and len(iri) > len(ns):
            return ns
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


# long: the VoID description, statistic by statistic
def build_void(backend, settings: Settings, *, download_base: str, dumps: Sequence[str]) -> Graph:
    """The VoID graph of what *backend* holds; *dumps* are the bundle's dump file names."""
    g = Graph()
    for p, ns in PREFIXES.items():
        g.bind(p, ns)
    doc = void_iri(settings)
    ds = URIRef(dataset_iri(settings))
    base = settings.base_iri

    g.add((URIRef(doc), RDF.type, VOID.DatasetDescription))
    g.add((URIRef(doc), DCTERMS.title, Literal("VoID description of the Water Cooperation Knowledge Graph", lang="en")))
    g.add((URIRef(doc), FOAF.primaryTopic, ds))

    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("Water Cooperation Knowledge Graph (wckg)", lang="en")))
    if settings.licence:
        g.add((ds, DCTERMS.license, URIRef(settings.licence.strip())))
    if settings.publisher_iri:
        g.add((ds, DCTERMS.publisher, URIRef(settings.publisher_iri)))
    g.add((ds, FOAF.homepage, URIRef(settings.public_url.rstrip("/") + "/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(sparql_endpoint(settings))))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.rootResource, URIRef(settings.ontology_iri)))
    for name in sorted(dumps):
        g.add((ds, VOID.dataDump, URIRef(f"{download_base}/{name}")))
        stem = name[:-3] if name.endswith(".gz") else name
        for ext, fmt in DUMP_FEATURES.items():
            if stem.endswith(ext):
                g.add((ds, VOID.feature, FORMATS[fmt]))

    entity_filter = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{_escape(base)}"))'
    stats_dataset = backend.select(
        "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_) "
        "(COUNT(DISTINCT ?p) AS ?p_) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    _add_stats(g, ds, stats_dataset[0] if stats_dataset else {})
    g.add((ds, VOID.entities, Literal(_n(backend.select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {entity_filter} }}")))))
    g.add((ds, VOID.classes, Literal(_n(backend.select(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?s a ?c } }")))))

    # dataset-wide partitions
    classes = backend.select("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c")
    props = backend.select("SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } } "
                           "GROUP BY ?p")
    _partitions(g, ds, doc, "", classes, props)

    # one subset per named graph, with its own statistics and partitions
    per_graph = backend.select(
        "SELECT ?g (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s_) (COUNT(DISTINCT ?o) AS ?o_) "
        "(COUNT(DISTINCT ?p) AS ?p_) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    ents = {str(r["g"]): int(r["n"]) for r in backend.select(
        f"SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {entity_filter} }} GROUP BY ?g")}
    g_classes: dict[str, list] = {}
    for r in backend.select("SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c"):
        g_classes.setdefault(str(r["g"]), []).append(r)
    g_props: dict[str, list] = {}
    for r in backend.select("SELECT ?g ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?p"):
        g_props.setdefault(str(r["g"]), []).append(r)
    for row in per_graph:
        graph = str(row["g"])
        slug = graph_slug(settings, graph)
        sub = URIRef(f"{doc}#graph-{slug}")
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, URIRef(graph)))
        g.add((sub, VOID.inDataset, ds))
        g.add((sub, VOID.sparqlEndpoint, URIRef(sparql_endpoint(settings))))
        _add_stats(g, sub, row)
        g.add((sub, VOID.entities, Literal(ents.get(graph, 0))))
        g.add((sub, VOID.classes, Literal(len(g_classes.get(graph, [])))))
        _partitions(g, sub, doc, f"graph-{slug}-", g_classes.get(graph, []), g_props.get(graph, []))

    # the linkset to Wikidata (owl:sameAs), counted
    wikidata = URIRef(f"{doc}#wikidata")
    g.add((wikidata, RDF.type, VOID.Dataset))
    g.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    g.add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    g.add((wikidata, VOID.uriSpace, Literal(WIKIDATA_ENTITY)))
    g.add((wikidata, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")))
    links = _n(backend.select(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o } "
        f'FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{WIKIDATA_ENTITY}")) }} }}'))
    linkset = URIRef(f"{doc}#links-wikidata")
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, DCTERMS.title, Literal("owl:sameAs links to Wikidata", lang="en")))
    g.add((linkset, VOID.subjectsTarget, ds))
    g.add((linkset, VOID.objectsTarget, wikidata))
    g.add((linkset, VOID.target, ds))
    g.add((linkset, VOID.target, wikidata))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.triples, Literal(links)))
    g.add((ds, VOID.subset, linkset))

    # vocabularies used (namespaces of the predicates and classes)
    terms = [str(r["p"]) for r in props] + [str(r["c"]) for r in classes]
    for ns in sorted({vocabulary_of(t) for t in terms}):
        g.add((ds, VOID.vocabulary, URIRef(ns)))

    # example resources: the first instance (by IRI) of the main classes
    wc = PROJECT_PREFIXES["wc"]
    for cls in EXAMPLE_CLASSES:
        rows = backend.select(
            f"SELECT (MIN(STR(?s)) AS ?x) WHERE {{ GRAPH ?g {{ ?s a <{wc}{cls}> }} {entity_filter} }}")
        if rows and rows[0].get("x"):
            g.add((ds, VOID.exampleResource, URIRef(str(rows[0]["x"]))))
    return g


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _add_stats(g: Graph, node: URIRef, row: dict) -> None:
    for var, prop in (("t", VOID.triples), ("s_", VOID.distinctSubjects), ("o_", VOID.distinctObjects),
                      ("p_", VOID.properties)):
        g.add((node, prop, Literal(int(row.get(var, 0)))))


def _partitions(g: Graph, node: URIRef, doc: str, prefix: str, classes: list, props: list) -> None:
    for r in classes:
        c = str(r["c"])
        part = URIRef(f"{doc}#{prefix}class-{_slug(c)}")
        g.add((node, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(c)))
        g.add((part, VOID.entities, Literal(int(r["n"]))))
    for r in props:
        p = str(r["p"])
        part = URIRef(f"{doc}#{prefix}property-{_slug(p)}")
        g.add((node, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(p)))
        g.add((part, VOID.triples, Literal(int(r["n"]))))
