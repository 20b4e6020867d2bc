"""RDFS entailments of the build (graph.entail) in wcid:graph/entailed (issue 16 item 8)."""
from __future__ import annotations

import sys

import pyoxigraph as ox
import pytest

from graph import derived, entail
from graph.config import PROJECT_ROOT

WC = "https://w3id.org/wckg/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture()
def store() -> ox.Store:
    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    import query_shapes
    return query_shapes.memory_store_from_checkout()


def _select(store, text):
    return [r for r in store.query(text, use_default_graph_as_union=True)]


def _organisations(store) -> list[str]:
    """Every resource typed with wc:Organisation or a subclass of it, by the stated types."""
    g = entail.graph_name()
    return sorted(r["x"].value for r in _select(store, f"""
        SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ ?x a ?t }} FILTER(?g != <{g.value}> && isIRI(?x))
          ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{WC}Organisation> }}"""))


@pytest.mark.parametrize("cls", [WC + "Organisation", ORG + "Organization"])
def test_a_class_query_lists_every_organisation_once(store, cls):
    orgs = _organisations(store)
    assert len(orgs) > 10
    got = [r["x"].value for r in _select(store, f"SELECT ?x WHERE {{ ?x a <{cls}> }}")]
    assert set(orgs) <= set(got)
    assert len(got) == len(set(got)), "an entailed type repeats a stated one"


def test_no_entailed_triple_is_stated_elsewhere_and_no_blank_node(store):
    g = entail.graph_name()
    quads = list(store.quads_for_pattern(None, None, None, g))
    assert quads
    for q in quads:
        assert not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        others = [x for x in store.quads_for_pattern(q.subject, q.predicate, q.object, None) if x.graph_name != g]
        assert not others, q


def test_sub_properties_are_entailed_and_the_graph_describes_itself():
    s = ox.Store()
    src = ox.NamedNode("https://w3id.org/wckg/id/graph/x")
    onto = ox.NamedNode("https://w3id.org/wckg/id/graph/ontology")
    n = ox.NamedNode
    s.add(ox.Quad(n(WC + "chair"), n("http://www.w3.org/2000/01/rdf-schema#subPropertyOf"), n(WC + "participant"), onto))
    s.add(ox.Quad(n("https://e/ev"), n(WC + "chair"), n("https://e/p"), src))
    s.add(ox.Quad(n("https://e/ev"), n(WC + "chair"), ox.BlankNode(), src))
    s.add(ox.Quad(n(WC + "GovernmentBody"), n("http://www.w3.org/2000/01/rdf-schema#subClassOf"), n(WC + "Organisation"),
                  onto))
    s.add(ox.Quad(n("https://e/a"), n(RDF_TYPE), n(WC + "GovernmentBody"), src))
    s.add(ox.Quad(n("https://e/a"), n(RDF_TYPE), n(WC + "Organisation"), src))  # stated: not entailed again
    s.add(ox.Quad(n("https://e/b"), n(RDF_TYPE), n(WC + "GovernmentBody"), src))
    report = entail.entail(s)
    assert report["triples"] == 3
    assert ox.Quad(n("https://e/b"), n(RDF_TYPE), n(WC + "Organisation"), entail.graph_name()) in s
    g = entail.graph_name()
    assert ox.Quad(n("https://e/ev"), n(WC + "participant"), n("https://e/p"), g) in s
    assert ox.Quad(g, n(RDF_TYPE), n(WC + "EntailedData"), g) in s
    # dropped and computed again: the same graph, not twice as much
    s.add(ox.Quad(n("https://e/stale"), n(RDF_TYPE), n(WC + "Organisation"), g))
    entail.entail(s)
    assert len(list(s.quads_for_pattern(None, None, None, g))) == 3


def test_derive_computes_the_entailed_graph_and_counts_stay_the_same(store):
    """Counting organisations over the union gives the stated number, with or without
    the entailed graph; derive() recomputes it."""
    def count(st):
        return int(_select(st, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?t . "
                               f"?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{WC}Organisation> }}")[0]["n"].value)
    n = count(store)
    store.remove_graph(entail.graph_name())
    assert count(store) == n
    derived.derive(store)
    assert len(list(store.quads_for_pattern(None, None, None, entail.graph_name()))) > 0
    assert count(store) == n


def test_the_ontology_describes_the_entailed_graph():
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS
    onto = Graph().parse(PROJECT_ROOT / "ontology" / "derived.ttl")
    assert onto.value(URIRef(WC + "EntailedData"), RDFS.comment) is not None
