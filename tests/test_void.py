"""VoID computed from the data: every figure is checked against a SPARQL count of its own,
and the Wikidata linkset against the owl:sameAs links of the curated places and bodies."""
from __future__ import annotations


import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, VOID

from graph import dcat, publish as pub, void
from graph.namespaces import WC

WD = "http://www.wikidata.org/entity/"
BASE = "https://files.example.org/wckg"


@pytest.fixture(scope="module")
def vg(settings, backend) -> Graph:
    return void.build_void(backend, settings, download_base=BASE, dumps=["wckg.nq.gz", "wckg.ttl.gz"])


def count(backend, text: str) -> int:
    return int(backend.select(text)[0]["n"])


def one(g, s, p):
    vals = list(g.objects(s, p))
    assert len(vals) == 1, (s, p, vals)
    return vals[0]


def test_dataset_figures_match_the_store(vg, settings, backend):
    ds = URIRef(dcat.dataset_iri(settings))
    assert (ds, RDF.type, VOID.Dataset) in vg
    triples = count(backend, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
    assert int(one(vg, ds, VOID.triples)) == triples > 1000
    subjects = count(backend, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(one(vg, ds, VOID.distinctSubjects)) == subjects
    objects = count(backend, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert int(one(vg, ds, VOID.distinctObjects)) == objects
    entities = count(backend, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                              f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{settings.base_iri}")) }}')
    assert int(one(vg, ds, VOID.entities)) == entities > 50
    assert str(one(vg, ds, VOID.uriSpace)) == settings.base_iri
    assert one(vg, ds, VOID.sparqlEndpoint) == URIRef(settings.public_url.rstrip("/") + "/sparql")
    assert set(vg.objects(ds, VOID.dataDump)) == {URIRef(f"{BASE}/wckg.nq.gz"), URIRef(f"{BASE}/wckg.ttl.gz")}


def test_class_and_property_partitions(vg, settings, backend):
    ds = URIRef(dcat.dataset_iri(settings))
    parts = {one(vg, p, VOID["class"]): int(one(vg, p, VOID.entities)) for p in vg.objects(ds, VOID.classPartition)}
    events = count(backend, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a <%s> } }" % WC.Country)
    assert parts[WC.Country] == events > 3
    props = {one(vg, p, VOID.property): int(one(vg, p, VOID.triples)) for p in vg.objects(ds, VOID.propertyPartition)}
    labels = count(backend, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { "
                            "?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?o } } }")
    assert props[URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")] == labels
    assert sum(props.values()) == int(one(vg, ds, VOID.triples))


def test_one_subset_per_named_graph_with_its_own_figures(vg, settings, backend):
    ds = URIRef(dcat.dataset_iri(settings))
    per_graph = {str(r["g"]): int(r["n"]) for r in backend.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    subsets = {}
    for sub in vg.objects(ds, VOID.subset):
        name = vg.value(sub, URIRef("http://www.w3.org/ns/sparql-service-description#name"))
        if name is not None:
            subsets[str(name)] = sub
    assert set(subsets) == set(per_graph)
    for graph, sub in subsets.items():
        assert int(one(vg, sub, VOID.triples)) == per_graph[graph], graph
        assert list(vg.objects(sub, VOID.classPartition)) or graph.endswith("/ontology"), graph
        assert list(vg.objects(sub, VOID.propertyPartition)), graph


def test_wikidata_linkset_is_counted(vg, settings, backend):
    links = count(backend, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { "
                           f"?s <{OWL.sameAs}> ?o }} FILTER(STRSTARTS(STR(?o), \"{WD}\")) }} }}")
    linksets = list(vg.subjects(RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    ls = linksets[0]
    assert one(vg, ls, VOID.linkPredicate) == OWL.sameAs
    assert int(one(vg, ls, VOID.triples)) == links > 10
    assert one(vg, ls, VOID.subjectsTarget) == URIRef(dcat.dataset_iri(settings))
    assert str(one(vg, one(vg, ls, VOID.objectsTarget), VOID.uriSpace)) == WD


def test_vocabularies_and_example_resources(vg, settings):
    ds = URIRef(dcat.dataset_iri(settings))
    vocabs = {str(v) for v in vg.objects(ds, VOID.vocabulary)}
    assert {str(WC), "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/prov#"} <= vocabs
    examples = set(vg.objects(ds, VOID.exampleResource))
    assert len(examples) >= 3
    assert all(str(e).startswith(settings.base_iri) for e in examples)


def test_every_country_and_city_has_a_wikidata_link(backend):
    """Issue 6, item 5: places are linked (verified Q-ids, data/README.md); the test names
    any that lose their link."""
    rows = backend.select(
        "PREFIX wc: <https://w3id.org/wckg/ontology#> SELECT ?x WHERE { "
        "{ ?x a wc:Country } UNION { ?x a wc:Place FILTER NOT EXISTS { ?x a wc:Country } } "
        f"FILTER NOT EXISTS {{ ?x <{OWL.sameAs}> ?w FILTER(STRSTARTS(STR(?w), \"{WD}\")) }} }}")
    assert [str(r["x"]) for r in rows] == []


def test_void_file_in_the_bundle(settings, backend, tmp_path):
    pub.publish(settings, tmp_path / "r", backend=backend, validate=False)
    g = Graph().parse(tmp_path / "r" / "void.ttl", format="turtle")
    ds = URIRef(dcat.dataset_iri(settings))
    dumps = {str(d).rsplit("/", 1)[1] for d in g.objects(ds, VOID.dataDump)}
    assert dumps == {"wckg.nq.gz", "wckg.trig.gz", "wckg.ttl.gz", "wckg.jsonld.gz"}
    assert len(set(g.objects(ds, VOID.feature))) == 4
