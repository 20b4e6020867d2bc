"""What real clients send: SPARQL datasets named in the query (FROM / FROM NAMED) and
SPARQLWrapper's format= parameters and Accept headers, against the embedded store and a
live server."""
from __future__ import annotations

import json

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE

JSON_RESULTS = {"Accept": "application/sparql-results+json"}
COUNT = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"


def _count(client, query: str, **params) -> int:
    r = client.get("/sparql", params={"query": query, **params}, headers=JSON_RESULTS)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# --- FROM / FROM NAMED -------------------------------------------------------------------

def test_from_restricts_the_default_graph(client):
    union = _count(client, COUNT.format(**{"from": ""}))
    ontology = _count(client, COUNT.format(**{"from": f"FROM <{GRAPH_ONTOLOGY}>"}))
    by_param = _count(client, COUNT.format(**{"from": ""}), **{"default-graph-uri": str(GRAPH_ONTOLOGY)})
    assert 0 < ontology == by_param < union
    two = _count(client, COUNT.format(**{"from": f"FROM <{GRAPH_ONTOLOGY}> FROM <{GRAPH_REFERENCE}>"}))
    assert ontology < two < union


def test_from_an_unknown_graph_is_empty(client):
    assert _count(client, COUNT.format(**{"from": "FROM <http://example.org/none>"})) == 0


def test_from_with_a_prefixed_name(client):
    q = ("PREFIX wg: <https://w3id.org/wckg/id/graph/>\n"
         "SELECT (COUNT(*) AS ?n) FROM wg:ontology WHERE { ?s ?p ?o }")
    assert _count(client, q) == _count(client, COUNT.format(**{"from": f"FROM <{GRAPH_ONTOLOGY}>"}))


def test_from_named_restricts_the_named_graphs(client):
    q = f"SELECT DISTINCT ?g FROM NAMED <{GRAPH_REFERENCE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": q}, headers=JSON_RESULTS)
    assert r.status_code == 200, r.text
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [str(GRAPH_REFERENCE)]


def test_protocol_parameters_override_from(client):
    q = COUNT.format(**{"from": "FROM <http://example.org/none>"})
    n = _count(client, q, **{"default-graph-uri": str(GRAPH_ONTOLOGY)})
    assert n == _count(client, COUNT.format(**{"from": f"FROM <{GRAPH_ONTOLOGY}>"})) > 0


def test_post_form_with_dataset_in_the_url(client):
    q = COUNT.format(**{"from": ""})
    r = client.post(f"/sparql?default-graph-uri={GRAPH_ONTOLOGY}", data={"query": q}, headers=JSON_RESULTS)
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == \
        _count(client, COUNT.format(**{"from": f"FROM <{GRAPH_ONTOLOGY}>"}))


def test_a_word_from_inside_the_pattern_keeps_the_union(client):
    union = _count(client, COUNT.format(**{"from": ""}))
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?p != <http://ex.org/FROM>) } # FROM <x>"
    assert _count(client, q) == union


# --- format= as clients send it ----------------------------------------------------------

CONSTRUCT = "PREFIX wc: <https://w3id.org/wckg/ontology#> CONSTRUCT { ?e ?p ?o } WHERE { ?e a wc:Meeting ; ?p ?o }"
SELECT = "PREFIX wc: <https://w3id.org/wckg/ontology#> SELECT ?e WHERE { ?e a wc:Meeting } ORDER BY ?e"


@pytest.mark.parametrize("values, media", [
    (["json-ld", "application/ld+json,application/x-json+ld"], "application/ld+json"),
    (["n3", "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"],
     "text/turtle"),
    (["rdf+xml", "application/rdf+xml"], "application/rdf+xml"),
    (["application/x-json+ld"], "application/ld+json"),
    (["text/n3; charset=utf-8"], "text/turtle"),
])
def test_graph_formats_as_sparqlwrapper_sends_them(client, values, media):
    params = [("query", CONSTRUCT)] + [(p, v) for p in ("format", "output", "results") for v in values]
    r = client.get("/sparql", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize("values, media", [
    (["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    (["json"], "application/sparql-results+json"),
    (["application/sparql-results+json,application/json,text/javascript"], "application/sparql-results+json"),
])
def test_result_formats_as_clients_send_them(client, values, media):
    params = [("query", SELECT)] + [("format", v) for v in values]
    r = client.get("/sparql", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media


def test_output_parameter_is_read_like_format(client):
    r = client.get("/sparql", params={"query": SELECT, "output": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")


def test_unknown_format_falls_back_to_a_specific_accept(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "html"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    r = client.get("/sparql", params={"query": SELECT, "format": "yaml"}, headers={"Accept": "*/*"})
    assert r.status_code == 400 and "yaml" in r.json()["detail"]


# --- SPARQLWrapper, every return format of every query form --------------------------------

def _sw(live_server, query, fmt, method="GET"):
    from SPARQLWrapper import SPARQLWrapper
    sw = SPARQLWrapper(f"{live_server}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    return sw.query()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparqlwrapper_select_and_ask_every_format(live_server, backend, fmt, method):
    rows = backend.select(SELECT)
    res = _sw(live_server, SELECT, fmt, method)
    body = res.response.read()
    assert res.response.status == 200
    if fmt == "json":
        assert len(json.loads(body)["results"]["bindings"]) == len(rows)
    elif fmt == "xml":
        assert body.count(b"<result>") == len(rows)
    else:
        assert len(body.decode().strip().splitlines()) == len(rows) + 1
    ask = _sw(live_server, "ASK { ?s ?p ?o }", fmt, method).response.read().decode()
    assert "true" in ask.lower()


@pytest.mark.parametrize("form", ["construct", "describe"])
@pytest.mark.parametrize("fmt", ["turtle", "n3", "xml", "rdf+xml", "json-ld"])
def test_sparqlwrapper_construct_and_describe_every_format(live_server, backend, fmt, form):
    query = CONSTRUCT if form == "construct" else \
        "DESCRIBE <https://w3id.org/wckg/id/organisation/undp>"
    expected = backend.construct(query)
    assert len(expected) > 0
    res = _sw(live_server, query, fmt)
    assert res.response.status == 200
    body = res.response.read()
    rdflib_fmt = {"turtle": "turtle", "n3": "turtle", "xml": "xml", "rdf+xml": "xml", "json-ld": "json-ld"}[fmt]
    assert isomorphic(Graph().parse(data=body, format=rdflib_fmt), expected)


# --- search that forgives, on the curated data ------------------------------------------------

@pytest.mark.parametrize("q, expected", [
    ("Tokaev", "Tokayev"), ("kazvodhoz", "Kazvodkhoz"), ("nursultan", "Astana"), ("Казахстан", "Kazakhstan"),
    ("Spanish", "Xcalibur"), ("Tokayv", "Tokayev"),
])
def test_search_forgives_on_the_curated_data(client, q, expected):
    r = client.get("/search.json", params={"q": q})
    assert r.status_code == 200
    labels = [h["label"] for h in r.json()["results"]]
    assert labels and expected in labels[0], labels


def test_every_example_of_the_home_page_finds_something(client):
    import re
    html = client.get("/").text
    placeholder = re.search(r'id="home-search-q"[^>]*placeholder="e\.g\. ([^"]+)"', html).group(1)
    examples = [e.strip() for e in placeholder.split(",")]
    assert len(examples) >= 3
    for e in examples:
        assert client.get("/search.json", params={"q": e}).json()["results"], e


# --- JSON-LD with its context inline -------------------------------------------------------------

def test_site_ontology_jsonld_parses_without_fetching_a_context(client, monkeypatch):
    # rdflib fetches a remote @context by context.source_to_json (the parser reads the
    # document itself by its own binding of the same function: patch the context's only,
    # whichever of them was imported first)
    import rdflib.plugins.parsers.jsonld  # noqa: F401
    import rdflib.plugins.shared.jsonld.context as context

    def refuse(*a, **kw):
        raise AssertionError(f"a context was fetched: {a}")
    monkeypatch.setattr(context, "source_to_json", refuse)
    r = client.get("/ontology.jsonld")
    assert r.status_code == 200
    assert isinstance(r.json()["@context"], dict)
    assert len(Graph().parse(data=r.text, format="json-ld")) > 100


# --- CORS and conditional GET on the linked data and the dumps ----------------------------------

@pytest.mark.parametrize("path", ["/id/organisation/undp", "/id/organisation/undp.ttl", "/id/graph/reference.ttl",
                                  "/data?graph=https://w3id.org/wckg/id/graph/ontology", "/graphs.json",
                                  "/downloads/wckg.nq.gz"])
def test_linked_data_has_cors_etag_and_answers_304(client, path):
    r = client.get(path, headers={"Origin": "https://example.org", "Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    etag = r.headers["etag"]
    assert r.headers.get("last-modified")
    again = client.get(path, headers={"If-None-Match": etag, "Accept": "text/turtle"})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = client.get(path, headers={"If-Modified-Since": r.headers["last-modified"], "Accept": "text/turtle"})
    assert since.status_code == 304
    other = client.get(path, headers={"If-None-Match": '"something-else"', "Accept": "text/turtle"})
    assert other.status_code == 200 and other.content == r.content


def test_each_format_has_its_own_etag(client):
    a = client.get("/id/organisation/undp.ttl").headers["etag"]
    b = client.get("/id/organisation/undp.jsonld").headers["etag"]
    assert a != b


def test_review_pages_get_no_cors(client):
    r = client.get("/review", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in r.headers


# --- machine twins ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/downloads.json", "/classes.json", "/ontology.json", "/catalog.json",
                                  "/graphs.json", "/queries.json", "/timeline.json", "/search.json?q=undp"])
def test_json_twins_exist(client, path):
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:200])
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()


@pytest.mark.parametrize("path", ["/search.csv?q=water", "/timeline.csv"])
def test_csv_twins(client, path):
    import csv
    import io
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert rows and all(row.get("iri") for row in rows)


@pytest.mark.parametrize("suffix, media, parse", [
    ("tsv", "text/tab-separated-values", "tsv"), ("srx", "application/sparql-results+xml", "xml"),
    ("xml", "application/sparql-results+xml", "xml"), ("srj", "application/sparql-results+json", "json"),
])
def test_named_query_results_in_every_sparql_results_format(client, backend, suffix, media, parse):
    import pyoxigraph as ox
    url = f"/queries/cq7-partners-of-organisation.{suffix}"
    r = client.get(url, params={"org": "https://w3id.org/wckg/id/organisation/undp"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    fmt = {"tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML,
           "json": ox.QueryResultsFormat.JSON}[parse]
    sols = list(ox.parse_query_results(r.content, format=fmt))
    assert sols, "rows with their term types"
    j = client.get("/queries/cq7-partners-of-organisation.json",
                   params={"org": "https://w3id.org/wckg/id/organisation/undp"}).json()
    assert len(sols) == len(j["rows"])


def test_named_query_sparql_json_by_accept_keeps_term_types(client):
    r = client.get("/queries/cq7-partners-of-organisation", params={"org": "https://w3id.org/wckg/id/organisation/undp"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    b = r.json()["results"]["bindings"][0]
    assert {v["type"] for v in b.values()} <= {"uri", "literal", "bnode"}


@pytest.mark.parametrize("suffix, fmt", [("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml"), ("ttl", "turtle")])
def test_named_graph_query_in_every_rdf_format(client, suffix, fmt):
    r = client.get(f"/queries/entity-description.{suffix}", params={"entity": "https://w3id.org/wckg/id/organisation/undp"})
    assert r.status_code == 200, r.text
    assert len(Graph().parse(data=r.content, format=fmt)) > 0


# --- newcomer traps -------------------------------------------------------------------------------

def test_the_editors_default_query_starts_from_the_data(client, web_app):
    import re
    html = client.get("/sparql", headers={"Accept": "text/html"}).text
    m = re.search(r'"defaultQuery":\s*"((?:[^"\\]|\\.)*)"', html)
    assert m, "the editor's configuration carries its default query"
    query = json.loads(f'"{m.group(1)}"')
    assert "owl:Class" not in query and "NodeShape" not in query
    r = client.get("/sparql", params={"query": query}, headers=JSON_RESULTS)
    rows = r.json()["results"]["bindings"]
    assert rows and all("/id/organisation/" in b["org"]["value"] for b in rows)


def test_the_docs_need_nothing_outside_the_checkout():
    from graph.config import PROJECT_ROOT
    for doc in ["README.md", "DEVELOPERS.md", "data/README.md", "queries/README.md"]:
        text = (PROJECT_ROOT / doc).read_text()
        assert "../shared" not in text, doc
    assert (PROJECT_ROOT / "docs" / "model.md").is_file()
    assert (PROJECT_ROOT / "docs" / "competency-questions.md").is_file()


@pytest.mark.parametrize("page, twin", [("/classes", "/classes.json"), ("/downloads", "/downloads.json"),
                                        ("/graphs", "/graphs.json")])
def test_pages_list_their_json_twin_in_link(client, page, twin):
    r = client.get(page, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert f'<{twin}>; rel="alternate"; type="application/json"' in r.headers["link"]
