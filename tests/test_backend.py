"""The backend contract (graph/backend.py): the embedded, remote and in-memory stores all
implement it and answer the same queries alike."""
from __future__ import annotations

import pytest
from rdflib import URIRef
from rdflib.compare import isomorphic

from graph.backend import CAPABILITIES, IMMUTABLE_BUILDS, LOCAL_STORE, Backend
from graph.errors import ForbiddenQuery, QuerySyntaxError
from graph.memory import MemoryStore
from tests.conftest import built_remote

ORGS = ("PREFIX wc: <https://w3id.org/wckg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* wc:Organisation } ORDER BY ?x")
LABEL = "SELECT ?x ?l WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
MEETINGS = "PREFIX wc: <https://w3id.org/wckg/ontology#> CONSTRUCT { ?e ?p ?o } WHERE { ?e a wc:Meeting ; ?p ?o }"
UNDP = URIRef("https://w3id.org/wckg/id/organisation/undp")


@pytest.fixture(scope="module")
def memory(settings):
    m = MemoryStore.from_files(settings)
    yield m
    m.close()


@pytest.fixture(scope="module")
def remote(settings, tmp_path_factory):
    from graph.store import RemoteStore
    tmp = tmp_path_factory.mktemp("remote-backend")
    with built_remote(settings, tmp) as s:
        r = RemoteStore(s)
        yield r
        r.close()


@pytest.fixture(params=["embedded", "memory", "remote"])
def store(request, backend, memory) -> Backend:
    if request.param == "remote":
        return request.getfixturevalue("remote")
    return {"embedded": backend, "memory": memory}[request.param]


def test_every_store_implements_the_contract(store):
    assert isinstance(store, Backend)
    assert store.capabilities <= CAPABILITIES
    assert store.backend in ("embedded", "remote", "memory")


def test_the_stores_answer_alike(store, backend):
    assert [r["x"] for r in store.select(ORGS)] == [r["x"] for r in backend.select(ORGS)]
    assert UNDP in {r["x"] for r in store.select(ORGS)}
    bound = store.select(LABEL, params={"x": UNDP})
    assert bound and all(r["x"] == UNDP for r in bound)
    assert store.query("ASK { ?s ?p ?o }").boolean is True
    assert isomorphic(store.construct(MEETINGS), backend.construct(MEETINGS))
    assert store.query(ORGS, limit=2).truncated
    info, reference = store.info(), backend.info()
    assert info.triples == reference.triples and set(info.graphs) == set(reference.graphs)
    assert info.build_id
    assert store.health(10.0)["ok"] is True


def test_the_stores_refuse_alike(store):
    with pytest.raises(ForbiddenQuery):
        store.query("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT ?x WHERE { ?x ")


def test_capabilities_say_what_a_store_offers(store):
    handle = store.local_store()
    if LOCAL_STORE in store.capabilities:
        assert handle is not None and len(list(handle.quads_for_pattern(None, None, None, None))) > 1000
    else:
        assert handle is None
    if IMMUTABLE_BUILDS in store.capabilities:
        assert store.info().build_id == store.info().build_id


def test_the_memory_store_has_a_label_index(memory):
    from graph.search import SearchIndex
    hits = SearchIndex(memory.search_index_path).search("undp")
    assert any(str(h.iri) == str(UNDP) for h in hits)
