"""The web app over the remote backend: a real ``oxigraph serve`` on 127.0.0.1 holding the
curated data answers /sparql, the named-query pages and the probes like the embedded store."""
from __future__ import annotations

import warnings

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.namespaces import GRAPH_ONTOLOGY
from tests.conftest import built_remote

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.remote

SELECT = ("PREFIX wc: <https://w3id.org/wckg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* wc:Organisation } ORDER BY ?x")
CONSTRUCT = "PREFIX wc: <https://w3id.org/wckg/ontology#> CONSTRUCT { ?e ?p ?o } WHERE { ?e a wc:Meeting ; ?p ?o }"
UNDP = "https://w3id.org/wckg/id/organisation/undp"


@pytest.fixture(scope="module")
def remote_settings(settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote-app")
    with built_remote(settings, tmp) as s:
        yield s


@pytest.fixture(scope="module")
def remote_client(remote_settings):
    from app.main import create_app
    with TestClient(create_app(remote_settings), raise_server_exceptions=False) as c:  # the lifespan opens it
        yield c


def test_select_and_construct_like_the_embedded_store(remote_client, client):
    for q, accept in ((SELECT, "application/sparql-results+json"), (CONSTRUCT, "text/turtle")):
        remote = remote_client.get("/sparql", params={"query": q}, headers={"Accept": accept})
        local = client.get("/sparql", params={"query": q}, headers={"Accept": accept})
        assert remote.status_code == local.status_code == 200, remote.text
        if accept == "text/turtle":
            assert isomorphic(Graph().parse(data=remote.text, format="turtle"),
                              Graph().parse(data=local.text, format="turtle"))
        else:
            assert remote.json()["results"] == local.json()["results"]


def test_default_graph_uri_reaches_the_server(remote_client, client):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    params = {"query": q, "default-graph-uri": str(GRAPH_ONTOLOGY), "format": "json"}
    remote = remote_client.get("/sparql", params=params).json()
    local = client.get("/sparql", params=params).json()
    assert remote["results"] == local["results"]


def test_named_query_page_and_probes(remote_client, client):
    url = "/queries/cq7-partners-of-organisation.json"
    remote = remote_client.get(url, params={"org": UNDP}).json()
    local = client.get(url, params={"org": UNDP}).json()
    key = lambda r: sorted(map(str, r.items()))  # noqa: E731 (row order of equal sort keys may differ)
    assert sorted(remote["rows"], key=key) == sorted(local["rows"], key=key)
    health = remote_client.get("/-/health").json()
    assert health["ok"] is True and health["store"]["backend"] == "remote"
    page = remote_client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200


def test_errors_through_the_remote_server(remote_client, remote_settings):
    r = remote_client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"},
                          headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert remote_settings.remote_query_url not in r.text and "127.0.0.1" not in r.text
    r = remote_client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert r.status_code == 403


def test_from_restricts_the_default_graph_on_the_server(remote_client, client):
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    q = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ONTOLOGY}> WHERE {{ ?s ?p ?o }}"

    def n(c, query):
        r = c.get("/sparql", params={"query": query, "format": "json"})
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    assert 0 < n(remote_client, q) == n(client, q) < n(remote_client, union)
    none = "SELECT (COUNT(*) AS ?n) FROM <http://example.org/none> WHERE { ?s ?p ?o }"
    assert n(remote_client, none) == 0


def test_graph_resources_and_graph_store_on_the_server(remote_client, client):
    for path in ("/id/graph/ontology.ttl", f"/data?graph={GRAPH_ONTOLOGY}"):
        remote = remote_client.get(path, headers={"Accept": "text/turtle"})
        local = client.get(path, headers={"Accept": "text/turtle"})
        assert remote.status_code == local.status_code == 200, remote.text
        assert isomorphic(Graph().parse(data=remote.text, format="turtle"),
                          Graph().parse(data=local.text, format="turtle"))
    page = remote_client.get("/id/graph/ontology.json")
    assert page.status_code == 200 and page.json()["triples"] > 0
