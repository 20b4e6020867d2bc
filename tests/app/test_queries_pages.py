"""/queries and /queries/{name}: the library as pages, forms, tables, and JSON/CSV twins."""
from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.queries import load_library

UNDP = "https://w3id.org/wckg/id/organisation/undp"


@pytest.fixture(scope="module")
def library(settings):
    return load_library(settings.queries_dir)


def html(client, url, **params):
    return client.get(url, params=params, headers={"Accept": "text/html"})


def test_list_shows_every_query(client, library):
    r = html(client, "/queries")
    assert r.status_code == 200
    for q in library.values():
        assert f'href="/queries/{q.name}"' in r.text
        assert unescape(r.text).count(q.title) >= 1
    assert '</queries.json>; rel="alternate"; type="application/json"' == r.headers["link"]


def test_list_json_by_suffix_and_accept(client, library):
    for r in (client.get("/queries.json"), client.get("/queries", headers={"Accept": "application/json"})):
        assert r.status_code == 200
        items = {q["name"]: q for q in r.json()["queries"]}
        assert set(items) == set(library)
        for name, q in library.items():
            assert items[name]["title"] == q.title
            assert [p["name"] for p in items[name]["params"]] == q.param_names
            assert items[name]["url"] == f"/queries/{name}"


def test_tag_filter(client, library):
    tag = next(t for q in library.values() for t in q.tags)
    r = html(client, "/queries", tag=tag)
    for q in library.values():
        assert (f'href="/queries/{q.name}"' in r.text) == (tag in q.tags)


def test_every_query_runs_with_its_examples_in_every_form(client, library):
    """Each page answers HTML, JSON and CSV (or Turtle) for its example parameters, with the
    same number of rows in each."""
    for q in library.values():
        params = q.example_params()
        page = html(client, f"/queries/{q.name}", **params)
        assert page.status_code == 200, (q.name, page.text[:2000])
        assert "Results" in page.text
        data = client.get(f"/queries/{q.name}.json", params=params)
        assert data.status_code == 200, (q.name, data.text)
        body = data.json()
        assert body["query"] == q.name and body["truncated"] is False
        if q.form == "select":
            table = client.get(f"/queries/{q.name}.csv", params=params)
            assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(table.text, newline="")))
            assert len(rows) == len(body["rows"]), q.name
            assert list(rows[0]) == body["columns"] if rows else True
            shown = re.search(r"([\d,]+) rows?", page.text)
            assert shown and int(shown.group(1).replace(",", "")) == len(rows), q.name
        elif q.form == "construct":
            ttl = client.get(f"/queries/{q.name}.ttl", params=params)
            assert ttl.status_code == 200
            g = Graph().parse(data=ttl.text, format="turtle")
            assert len(g) == len(body["rows"])
        elif q.form == "ask":
            assert isinstance(body["boolean"], bool)


def test_json_and_csv_by_accept_on_the_same_url(client):
    url = "/queries/cq7-partners-of-organisation"
    j = client.get(url, params={"org": UNDP}, headers={"Accept": "application/json"})
    c = client.get(url, params={"org": UNDP}, headers={"Accept": "text/csv"})
    assert j.headers["content-type"].startswith("application/json")
    assert c.headers["content-type"].startswith("text/csv")
    assert len(list(csv.DictReader(io.StringIO(c.text)))) == len(j.json()["rows"]) > 0


def test_link_alternate_headers(client):
    r = html(client, "/queries/cq7-partners-of-organisation", org=UNDP)
    link = r.headers["link"]
    assert '</queries/cq7-partners-of-organisation.json?org=https%3A%2F%2Fw3id.org%2Fwckg%2Fid%2Forganisation%2Fundp>; rel="alternate"; type="application/json"' in link
    assert 'type="text/csv"' in link and 'type="text/html"' not in link
    j = client.get("/queries/cq7-partners-of-organisation.json", params={"org": UNDP})
    assert 'type="text/html"' in j.headers["link"]


def test_results_link_entity_pages_with_labels(client):
    r = html(client, "/queries/cq7-partners-of-organisation", org=UNDP)
    assert re.search(r'<a href="/id/organisation/undp" title="https://w3id.org/wckg/id/organisation/undp">'
                     r'United Nations Development Programme</a>', r.text)
    # terms of the vocabulary open the ontology page
    assert re.search(r'<a href="/ontology#Meeting" title="https://w3id.org/wckg/ontology#Meeting">Meeting</a>', r.text)
    # a label column beside its IRI column becomes the link text, not a column of its own
    assert '<th scope="col">partnerLabel</th>' not in r.text
    assert '<th scope="col">partner</th>' in r.text


def test_query_without_parameters_runs_at_once(client, library):
    name = next(n for n, q in library.items() if not q.params and q.form == "select")
    r = html(client, f"/queries/{name}")
    assert r.status_code == 200 and "results-table" in r.text or "No results." in r.text


def test_required_parameter_waits_for_the_form(client):
    r = html(client, "/queries/cq7-partners-of-organisation")
    assert r.status_code == 200
    assert 'name="org"' in r.text and f'value="{UNDP}"' in r.text  # the example, ready to run
    assert 'aria-label="Results"' not in r.text
    # the API says what is missing
    j = client.get("/queries/cq7-partners-of-organisation.json")
    assert j.status_code == 422 and j.json()["parameter"] == "org"


@pytest.mark.parametrize("value", ["not an iri", "javascript:alert(1)"])
def test_bad_parameter_is_422_naming_it(client, value):
    r = html(client, "/queries/cq7-partners-of-organisation", org=value)
    assert r.status_code == 422
    assert "param-error" in r.text and "parameter &#39;org&#39;" in r.text
    j = client.get("/queries/cq7-partners-of-organisation.json", params={"org": value})
    assert j.status_code == 422
    assert j.json()["parameter"] == "org" and "org" in j.json()["detail"]


def test_unknown_parameter_is_422(client):
    j = client.get("/queries/cq7-partners-of-organisation.json", params={"org": UNDP, "orgg": UNDP})
    assert j.status_code == 422 and j.json()["parameter"] == "orgg"
    assert "did you mean" in j.json()["hint"]


def test_parameter_value_is_escaped_in_the_page(client):
    evil = '"><script>alert(1)</script>'
    r = html(client, "/queries/label-lookup", q=evil)
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_unknown_query_is_404_with_close_matches(client):
    j = client.get("/queries/cq7-partners.json")
    assert j.status_code == 404
    assert "cq7-partners-of-organisation" in j.json()["close_matches"]
    h = html(client, "/queries/cq7-partners")
    assert h.status_code == 404 and 'href="/queries/cq7-partners-of-organisation"' in h.text


def test_wrong_suffix_for_the_query_form_is_400(client):
    r = client.get("/queries/entity-description.csv", params={"entity": UNDP})
    assert r.status_code == 400 and ".ttl" in r.json()["hint"]
    r = client.get("/queries/cq1-timeline.ttl")
    assert r.status_code == 400 and ".csv" in r.json()["hint"]


def test_construct_page_and_turtle(client, backend, library):
    q = library["entity-description"]
    r = client.get("/queries/entity-description.ttl", params={"entity": UNDP})
    expected = backend.construct(q.text, params=q.bind({"entity": UNDP}))
    assert isomorphic(Graph().parse(data=r.text, format="turtle"), expected)
    page = html(client, "/queries/entity-description", entity=UNDP)
    assert page.status_code == 200 and '<th scope="col">predicate</th>' in page.text


def test_editor_link_binds_parameters(client):
    r = html(client, "/queries/cq7-partners-of-organisation", org=UNDP)
    m = re.search(r'href="(/sparql#query=[^"]+)"', r.text)
    from urllib.parse import unquote
    text = unquote(unescape(m.group(1)).split("#query=", 1)[1])
    # bound inside the WHERE clause, where the query's FILTERs see it
    assert f"VALUES (?org) {{ (<{UNDP}>) }}" in text.split("WHERE", 1)[1]
    ok = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert ok.status_code == 200 and ok.json()["results"]["bindings"]


def test_a_broken_query_file_is_a_logged_500_not_a_400(settings, backend, tmp_path, caplog):
    """The site's own broken .rq file is not the visitor's fault (no 400), and its path and
    parser message stay in the log."""
    import shutil
    import warnings

    from app.main import create_app
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    broken = tmp_path / "queries"
    shutil.copytree(settings.queries_dir, broken)
    (broken / "zz-broken.rq").write_text("#+ title: Broken\n#+ description: x\nSELECT * WHERE { ?s ?p }\n")
    app = create_app(settings.model_copy(update={"queries_dir": broken}), backend=backend)
    with TestClient(app, raise_server_exceptions=False) as c:
        for accept in ("application/json", "text/html"):
            r = c.get("/queries", headers={"Accept": accept})
            assert r.status_code == 500
            assert "zz-broken" not in r.text and str(tmp_path) not in r.text
    assert "zz-broken" in caplog.text
