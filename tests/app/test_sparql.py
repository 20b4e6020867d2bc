"""The SPARQL 1.1 Protocol endpoint /sparql: formats, methods, errors, limits, CORS."""
from __future__ import annotations

import csv
import io
import json
import re
import time
import warnings

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, VOID

from graph.namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, PREFIXES, SD

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SELECT = ("PREFIX wc: <https://w3id.org/wckg/ontology#>\n"
          "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
          "SELECT DISTINCT ?org ?label WHERE { ?org a/rdfs:subClassOf* wc:Organisation ; skos:prefLabel ?label . "
          "FILTER(LANG(?label) = 'en') } ORDER BY ?org")
CONSTRUCT = ("PREFIX wc: <https://w3id.org/wckg/ontology#>\n"
             "CONSTRUCT { ?e ?p ?o } WHERE { ?e a wc:Meeting ; ?p ?o }")
ASK = "PREFIX wc: <https://w3id.org/wckg/ontology#>\nASK { ?x a wc:Meeting }"

RESULT_TYPES = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
GRAPH_TYPES = {
    "turtle": ("text/turtle", "turtle"),
    "ntriples": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdfxml": ("application/rdf+xml", "xml"),
    "trig": ("application/trig", "trig"),
    "nquads": ("application/n-quads", "nquads"),
}


def solutions(body: bytes, fmt: ox.QueryResultsFormat) -> list[dict[str, str]]:
    """Rows of a results document as {var: lexical value}: comparable across formats
    (CSV carries no datatypes, so lexical values are what all formats share)."""
    if fmt == ox.QueryResultsFormat.CSV:  # pyoxigraph does not parse CSV (lossy): read it as CSV
        reader = csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))
        return [{k: v for k, v in row.items() if v != ""} for row in reader]
    res = ox.parse_query_results(body, format=fmt)
    variables = [v.value for v in res.variables]
    return [{v: sol[v].value for v in variables if sol[v] is not None} for sol in res]


def parse_graph(body: bytes, rdflib_fmt: str) -> Graph:
    if rdflib_fmt in ("trig", "nquads"):
        ds = Dataset()
        ds.parse(data=body, format=rdflib_fmt)
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    return Graph().parse(data=body, format=rdflib_fmt)


@pytest.fixture(scope="module")
def expected_rows(backend) -> list[dict[str, str]]:
    rows = backend.select(SELECT)
    assert rows, "the curated data has organisations with English labels"
    return [{k: str(v) for k, v in r.items()} for r in rows]


@pytest.fixture(scope="module")
def expected_graph(backend) -> Graph:
    g = backend.construct(CONSTRUCT)
    assert len(g) > 0, "the curated data has meetings"
    return g


# --- result formats ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
def test_select_every_format_by_accept(client, expected_rows, fmt):
    media, oxfmt = RESULT_TYPES[fmt]
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert solutions(r.content, oxfmt) == expected_rows


@pytest.mark.parametrize("fmt", list(RESULT_TYPES))
def test_select_every_format_by_format_parameter(client, expected_rows, fmt):
    media, oxfmt = RESULT_TYPES[fmt]
    # format= wins over a conflicting Accept header
    r = client.get("/sparql", params={"query": SELECT, "format": fmt}, headers={"Accept": "application/rdf+xml"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert solutions(r.content, oxfmt) == expected_rows


@pytest.mark.parametrize("fmt", list(GRAPH_TYPES))
def test_construct_every_format_by_accept(client, expected_graph, fmt):
    media, rdflib_fmt = GRAPH_TYPES[fmt]
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert isomorphic(parse_graph(r.content, rdflib_fmt), expected_graph)


@pytest.mark.parametrize("fmt", list(GRAPH_TYPES))
def test_construct_every_format_by_format_parameter(client, expected_graph, fmt):
    media, rdflib_fmt = GRAPH_TYPES[fmt]
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media
    assert isomorphic(parse_graph(r.content, rdflib_fmt), expected_graph)


def test_format_accepts_media_types_and_extensions(client, expected_graph, expected_rows):
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "ttl"})
    assert r.headers["content-type"].startswith("text/turtle")
    r = client.get("/sparql", params={"query": SELECT, "format": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert solutions(r.content, ox.QueryResultsFormat.CSV) == expected_rows


def test_json_and_xml_of_a_graph_are_jsonld_and_rdfxml(client, expected_graph):
    for fmt, media, rdflib_fmt in (("json", "application/ld+json", "json-ld"), ("xml", "application/rdf+xml", "xml")):
        r = client.get("/sparql", params={"query": CONSTRUCT, "format": fmt})
        assert r.status_code == 200 and r.headers["content-type"].startswith(media)
        assert isomorphic(parse_graph(r.content, rdflib_fmt), expected_graph)


def test_ask_json_and_xml(client):
    r = client.get("/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = client.get("/sparql", params={"query": ASK.replace("Meeting", "NoSuchClass")},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200
    assert ox.parse_query_results(r.content, format=ox.QueryResultsFormat.XML).__bool__() is False


@pytest.mark.parametrize("accept", ["*/*", None, "application/json", "text/*;q=0.5, */*;q=0.1",
                                    "application/sparql-results+json;q=0.9, text/csv;q=1.0"])
def test_curl_style_accept_headers(client, expected_rows, accept):
    headers = {"Accept": accept} if accept is not None else {}
    r = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert r.status_code == 200, r.text
    ctype = r.headers["content-type"].split(";")[0]
    expected_type = {"text/*;q=0.5, */*;q=0.1": "text/csv",
                     "application/sparql-results+json;q=0.9, text/csv;q=1.0": "text/csv"}.get(
        accept or "", "application/sparql-results+json")
    assert ctype == expected_type
    oxfmt = ox.QueryResultsFormat.CSV if ctype == "text/csv" else ox.QueryResultsFormat.JSON
    assert solutions(r.content, oxfmt) == expected_rows


def test_unacceptable_accept_is_406_naming_the_formats(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    body = r.json()
    assert "csv" in body["formats"] and "format=" in body["hint"]


def test_format_of_the_wrong_family_is_400(client):
    r = client.get("/sparql", params={"query": SELECT, "format": "turtle"})
    assert r.status_code == 400
    assert "CONSTRUCT/DESCRIBE" in r.json()["detail"] and "csv" in r.json()["hint"]
    r = client.get("/sparql", params={"query": SELECT, "format": "yaml"})
    assert r.status_code == 400 and "yaml" in r.json()["detail"]


# --- methods ---------------------------------------------------------------------------------

def test_post_form_and_post_sparql_query_equal_get(client, expected_rows):
    accept = {"Accept": "application/sparql-results+json"}
    r1 = client.post("/sparql", data={"query": SELECT}, headers=accept)
    r2 = client.post("/sparql", content=SELECT.encode(), headers={**accept, "Content-Type": "application/sparql-query"})
    for r in (r1, r2):
        assert r.status_code == 200, r.text
        assert solutions(r.content, ox.QueryResultsFormat.JSON) == expected_rows


def test_post_with_another_content_type_is_415(client):
    r = client.post("/sparql", content=SELECT.encode(), headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.json()["detail"]


def test_post_body_not_utf8_is_400(client):
    r = client.post("/sparql", content=b"SELECT * WHERE { ?s ?p \xff }",
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]


def test_default_graph_uri_restricts_the_default_graph(client):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    fmt = {"Accept": "application/sparql-results+json"}

    def count(**params):
        r = client.get("/sparql", params={"query": q, **params}, headers=fmt)
        assert r.status_code == 200, r.text
        return int(r.json()["results"]["bindings"][0]["n"]["value"])

    everything = count()
    ontology = count(**{"default-graph-uri": str(GRAPH_ONTOLOGY)})
    both = client.get("/sparql", params=[("query", q), ("default-graph-uri", str(GRAPH_ONTOLOGY)),
                                         ("default-graph-uri", str(GRAPH_REFERENCE))], headers=fmt)
    both_n = int(both.json()["results"]["bindings"][0]["n"]["value"])
    assert 0 < ontology < both_n < everything


def test_named_graph_uri_restricts_the_named_graphs(client):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = client.post("/sparql", data={"query": q, "named-graph-uri": str(GRAPH_REFERENCE)},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    graphs = [b["g"]["value"] for b in r.json()["results"]["bindings"]]
    assert graphs == [str(GRAPH_REFERENCE)]


def test_bad_graph_iri_is_400(client):
    r = client.get("/sparql", params={"query": SELECT, "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "default-graph-uri" in r.json()["detail"]


# --- errors ----------------------------------------------------------------------------------

def test_malformed_query_is_400_with_the_parser_position(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n"},
                   headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert re.search(r"\b\d+:\d+\b", r.json()["detail"]), r.json()
    # browsers get the same message on a page
    r = client.get("/sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }", "format": "json"},
                   headers={"Accept": "text/html"})
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert re.search(r"\b1:\d+\b", r.text)


def test_empty_query_is_400(client):
    r = client.get("/sparql", params={"query": "  "}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and "empty" in r.json()["detail"]


@pytest.mark.parametrize("how", ["get-update", "form-update", "sparql-update", "insert-as-query", "load-as-query"])
def test_updates_are_refused_with_403(client, how):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    if how == "get-update":
        r = client.get("/sparql", params={"update": update})
    elif how == "form-update":
        r = client.post("/sparql", data={"update": update})
    elif how == "sparql-update":
        r = client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"})
    elif how == "insert-as-query":
        r = client.post("/sparql", data={"query": update})
    else:
        r = client.get("/sparql", params={"query": "LOAD <http://example.org/data.ttl>"})
    assert r.status_code == 403, r.text
    assert "read-only" in r.json()["detail"]
    ask = client.get("/sparql", params={"query": "ASK { <http://example.org/a> ?p ?o }", "format": "json"})
    assert ask.json()["boolean"] is False


def test_service_is_refused_with_403_and_the_reason(client):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 403
    assert "SERVICE" in r.json()["detail"]


def test_row_cap_is_reported(settings, backend):
    from app.main import create_app
    app = create_app(settings.model_copy(update={"max_rows": 3}), backend=backend)
    with TestClient(app) as c:
        r = c.get("/sparql", params={"query": SELECT, "format": "json"})
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 3
        assert r.headers["X-WCKG-Truncated"] == "true" and r.headers["X-WCKG-Row-Limit"] == "3"
        r = c.get("/sparql", params={"query": ASK, "format": "json"})
        assert r.headers["X-WCKG-Truncated"] == "false"


def test_timeout_answers_503_naming_the_limit(settings, backend):
    from app.main import create_app
    app = create_app(settings.model_copy(update={"query_timeout": 1.0}), backend=backend)
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with TestClient(app) as c:
        t0 = time.perf_counter()
        r = c.get("/sparql", params={"query": cross}, headers={"Accept": "application/json"})
        elapsed = time.perf_counter() - t0
        assert r.status_code == 503, r.text
        assert "1 s" in r.json()["detail"] and r.json()["time_limit_seconds"] == 1.0
        assert r.headers["X-WCKG-Time-Limit"] == "1"
        assert elapsed < 15
        # the endpoint still answers afterwards
        ok = c.get("/sparql", params={"query": ASK, "format": "json"})
        assert ok.status_code == 200 and ok.json()["boolean"] is True


# --- CORS --------------------------------------------------------------------------------------

def test_cors_star_without_credentials(client):
    r = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
    assert "X-WCKG-Truncated" in r.headers["access-control-expose-headers"]
    # also on errors, so that a browser client can read the message
    r = client.get("/sparql", params={"query": "SELECT"}, headers={"Origin": "https://example.org"})
    assert r.status_code == 400 and r.headers["access-control-allow-origin"] == "*"


def test_cors_preflight(client):
    r = client.options("/sparql", headers={"Origin": "https://example.org",
                                           "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in r.headers


def test_no_cors_elsewhere(client):
    r = client.get("/queries", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in r.headers


# --- service description and editor page --------------------------------------------------------

@pytest.mark.parametrize("accept,rdflib_fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                               ("*/*", "turtle"), ("application/rdf+xml", "xml")])
def test_service_description(client, backend, accept, rdflib_fmt):
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    g = Graph().parse(data=r.content, format=rdflib_fmt)
    services = list(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    svc = services[0]
    assert str(svc).endswith("/sparql")
    assert (svc, SD.endpoint, svc) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = {str(f) for f in g.objects(svc, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    ds = g.value(svc, SD.defaultDataset)
    info = backend.info()
    assert g.value(ds, VOID.triples).toPython() == info.triples
    named = {str(g.value(ng, SD.name)): g.value(g.value(ng, SD.graph), VOID.triples).toPython()
             for ng in g.objects(ds, SD.namedGraph)}
    assert named == info.graphs


def test_browser_gets_the_editor_with_prefixes_and_examples(client, settings):
    from graph.queries import load_library
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'id="yasgui"' in r.text
    assert '<script src="/static/vendor/yasgui/yasgui.min.js"></script>' in r.text
    m = re.search(r'<script type="application/json" id="sparql-config">(.*?)</script>', r.text, re.S)
    config = json.loads(m.group(1))
    assert config["prefixes"] == PREFIXES
    assert config["endpoint"].endswith("/sparql")
    names = {e["name"] for e in config["examples"]}
    assert names == set(load_library(settings.queries_dir))
    vendor = client.get("/static/vendor/yasgui/yasgui.min.js")
    assert vendor.status_code == 200 and len(vendor.content) > 100_000


def test_named_query_examples_run_as_they_are(client):
    """Every example of the editor (parameters bound by VALUES) is a valid query that runs."""
    r = client.get("/sparql", headers={"Accept": "text/html"})
    config = json.loads(re.search(r'id="sparql-config">(.*?)</script>', r.text, re.S).group(1))
    for ex in config["examples"]:
        res = client.post("/sparql", data={"query": ex["query"]},
                          headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"})
        assert res.status_code == 200, (ex["name"], res.text)


def test_shared_link_opens_the_editor_in_a_browser(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and 'id="yasgui"' in r.text


# --- a real client against a real server -----------------------------------------------------------

def test_sparqlwrapper_against_a_live_server(live_server, expected_rows, expected_graph):
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

    endpoint = f"{live_server}/sparql"
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    data = sw.query().convert()
    assert [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]] == expected_rows

    sw.setReturnFormat(XML)
    doc = sw.query().convert()  # a DOM document
    assert len(doc.getElementsByTagName("result")) == len(expected_rows)

    sw.setReturnFormat(CSV)
    body = sw.query().convert()
    assert solutions(body, ox.QueryResultsFormat.CSV) == expected_rows

    sw.setMethod(POST)
    sw.setReturnFormat(JSON)
    sw.setQuery(ASK)
    assert sw.query().convert()["boolean"] is True

    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    g = Graph().parse(data=sw.query().convert(), format="turtle")
    assert isomorphic(g, expected_graph)


def test_sparqlwrapper_sees_errors_as_exceptions(live_server):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sw = SPARQLWrapper(f"{live_server}/sparql")
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    sw.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed) as e:
        sw.query()
    assert re.search(r"\d+:\d+", str(e.value))


def test_row_cap_is_said_in_the_json_results_too(settings, backend):
    """Issue 16 item 10: the cap is in SPARQL JSON (``limits``, ``head.link``), not only in
    headers, and the JSON still parses with SPARQL JSON clients (Oxigraph, rdflib)."""
    import io

    from rdflib.query import Result

    from app.main import create_app
    app = create_app(settings.model_copy(update={"max_rows": 3}), backend=backend)
    with TestClient(app) as c:
        r = c.get("/sparql", params={"query": SELECT, "format": "json"})
        doc = r.json()
        assert doc["limits"] == {"rowLimit": 3, "answerLimitBytes": settings.max_answer_bytes,
                                 "truncated": True, "truncatedBy": "rows"}
        assert any(link.endswith("/sparql#limits") for link in doc["head"]["link"])
        assert len(solutions(r.content, ox.QueryResultsFormat.JSON)) == 3
        assert len(list(Result.parse(io.BytesIO(r.content), format="json"))) == 3
        r = c.get("/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"})
        assert r.json()["limits"]["truncated"] is False and r.json()["boolean"] is True
        assert bool(ox.parse_query_results(r.content, format=ox.QueryResultsFormat.JSON))
        assert Result.parse(io.BytesIO(r.content), format="json").askAnswer is True
        page = c.get("/sparql", headers={"Accept": "text/html"}).text
        assert 'id="limits"' in page and '"truncated": true' in page.replace("&#34;", '"').replace("&quot;", '"')
