"""Named graphs as resources (/graphs, /id/graph/{slug}) and the Graph Store Protocol's
read side (/data?graph=, /data?default)."""
from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from graph.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE

ARTICLE = "nwpd-kazakhstan-sixth-iccc-2020"
FORMATS = {  # suffix: (media type, rdflib parser)
    "ttl": ("text/turtle", "turtle"), "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"), "rdf": ("application/rdf+xml", "xml"),
    "trig": ("application/trig", "trig"), "nq": ("application/n-quads", "nquads"),
}


def expected_graph(backend, iri: str) -> Graph:
    g = Graph()
    for r in backend.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}"):
        g.add((r["s"], r["p"], r["o"]))
    return g


def parse(body: bytes, fmt: str, name: str | None = None) -> Graph:
    if fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=body, format=fmt)
        names = {str(c.identifier) for c in ds.graphs() if len(c)}
        if name:
            assert names == {name}
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    return Graph().parse(data=body, format=fmt)


@pytest.mark.parametrize("slug", ["reference", "ontology", ARTICLE])
def test_every_named_graph_has_a_page(client, slug):
    r = client.get(f"/id/graph/{slug}", headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text
    assert f"https://w3id.org/wckg/id/graph/{slug}" in r.text
    assert 'rel="alternate"; type="text/turtle"' in r.headers["link"]


def test_an_article_graph_page_names_its_source(client):
    r = client.get(f"/id/graph/{ARTICLE}.json")
    assert r.status_code == 200
    data = r.json()
    assert [s["href"] for s in data["sources"]] == [f"/id/source/{ARTICLE}"]
    assert data["triples"] > 0 and data["classes"]
    assert any(f.endswith(f"{ARTICLE}.ttl") for f in data["files"])


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_graph_triples_by_suffix(client, backend, suffix):
    media, fmt = FORMATS[suffix]
    r = client.get(f"/id/graph/reference.{suffix}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert isomorphic(parse(r.content, fmt, str(GRAPH_REFERENCE)), expected_graph(backend, str(GRAPH_REFERENCE)))


@pytest.mark.parametrize("suffix", ["ttl", "trig"])
def test_graph_triples_by_accept(client, backend, suffix):
    media, fmt = FORMATS[suffix]
    r = client.get(f"/id/graph/{ARTICLE}", headers={"Accept": media})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    iri = f"https://w3id.org/wckg/id/graph/{ARTICLE}"
    assert isomorphic(parse(r.content, fmt, iri), expected_graph(backend, iri))


def test_unknown_graph_and_suffix_are_404(client):
    assert client.get("/id/graph/nope").status_code == 404
    assert client.get("/id/graph/reference.xyz").status_code == 404


def test_graph_list(client, backend):
    r = client.get("/graphs", headers={"Accept": "application/json"})
    assert r.status_code == 200
    rows = r.json()["graphs"]
    assert {row["iri"] for row in rows} == set(backend.info().graphs)
    html = client.get("/graphs").text
    for row in rows:
        assert row["href"] in html


def test_gsp_named_graph(client, backend):
    r = client.get("/data", params={"graph": str(GRAPH_ONTOLOGY)}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert isomorphic(parse(r.content, "turtle"), expected_graph(backend, str(GRAPH_ONTOLOGY)))


def test_gsp_default_graph_is_the_union(client, backend):
    r = client.get("/data?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    union = Graph()
    for r_ in backend.select("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"):
        union.add((r_["s"], r_["p"], r_["o"]))
    assert isomorphic(parse(r.content, "nt"), union)


@pytest.mark.parametrize("params", [{}, {"graph": str(GRAPH_ONTOLOGY), "default": ""}])
def test_gsp_needs_exactly_one_graph(client, params):
    r = client.get("/data", params=params)
    assert r.status_code == 400 and "graph" in r.json()["detail"]


def test_gsp_unknown_graph_is_404_and_writes_are_405(client):
    assert client.get("/data", params={"graph": "http://example.org/none"}).status_code == 404
    for method in ("PUT", "POST", "DELETE"):
        r = client.request(method, "/data", params={"graph": str(GRAPH_ONTOLOGY)}, content=b"")
        assert r.status_code == 405 and "GET" in r.headers["allow"]


def test_gsp_with_httpx_against_a_live_server(live_server, backend):
    import httpx
    r = httpx.get(f"{live_server}/data", params={"graph": str(GRAPH_REFERENCE)},
                  headers={"Accept": "application/ld+json"}, timeout=30)
    assert r.status_code == 200
    assert isomorphic(parse(r.content, "json-ld"), expected_graph(backend, str(GRAPH_REFERENCE)))
