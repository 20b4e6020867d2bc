"""/indicators pages: the rules and every code, a series with its plot, CSV and JSON, the
6.5.2 evidence; 422 naming the parameter."""
from __future__ import annotations

import csv
import io

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

HTML = {"accept": "text/html,application/xhtml+xml"}
ID = "https://w3id.org/wckg/id/"


def test_overview_lists_rules_and_codes(client):
    r = client.get("/indicators", headers=HTML)
    assert r.status_code == 200
    for needle in ('id="bar-rules"', 'id="bar-codes"', "financing-agreement", "(inferred)", 'id="pairs"',
                   "/indicators/arrangements?kind=pair&amp;value=china,kazakhstan", "/queries/cooperation-intensity-by-year"):
        assert needle in r.text, needle


def test_series_page_plot_csv_and_json_agree(client):
    q = "?kind=country&value=kazakhstan"
    page = client.get("/indicators/intensity" + q, headers=HTML)
    assert page.status_code == 200 and 'id="intensity-plot"' in page.text
    rows = list(csv.DictReader(io.StringIO(client.get("/indicators/intensity.csv" + q).text)))
    data = client.get("/indicators/intensity.json" + q).json()
    assert [int(r["events"]) for r in rows] == [y["events"] for y in data["years"]]
    assert page.text.count('class="bar"') == len(data["years"])
    assert data["about"][0]["iri"] == ID + "place/kazakhstan"


def test_arrangements_page_and_json(client):
    r = client.get("/indicators/arrangements?kind=pair&value=kazakhstan,china", headers=HTML)
    assert r.status_code == 200
    assert 'id="criterion-joint-plans" data-held="yes"' in r.text and "<blockquote>" in r.text
    j = client.get("/indicators/arrangements.json?kind=pair&value=kazakhstan,china").json()
    assert j["criteria"]["joint-plans"]["held"] is True


def test_codes_as_rdf(client):
    g = Graph().parse(data=client.get("/indicators/codes.ttl").text, format="turtle")
    grant = URIRef(ID + "agreement/2025-04-iac-edb-grant-agreement")
    wc = "https://w3id.org/wckg/ontology#"
    assert (grant, URIRef(wc + "barCode"), Literal(5, datatype=XSD.integer)) in g
    assert (grant, URIRef(wc + "intensityRule"), Literal("financing-agreement")) in g


@pytest.mark.parametrize("url, name", [
    ("/indicators/intensity?kind=planet&value=x", "kind"),
    ("/indicators/intensity.json?kind=country&value=atlantis", "value"),
    ("/indicators/intensity.csv?kind=pair&value=kazakhstan", "value"),
    ("/indicators/arrangements?kind=organisation&value=undp", "kind"),
    ("/indicators/arrangements.json?kind=basin&value=nile", "value"),
    ("/indicators/codes.xml", "format"),
])
def test_bad_parameters_are_422(client, url, name):
    r = client.get(url)
    assert r.status_code == 422 and r.json()["parameter"] == name


def test_the_site_search_box_stays_empty(client):
    """The pages' own query string must not leak into the site's search field (``q``)."""
    for url in ("/indicators/intensity?kind=country&value=kazakhstan",
                "/indicators/arrangements?kind=pair&value=kazakhstan,china"):
        html = client.get(url, headers=HTML).text
        field = html.split('id="site-search-q"', 1)[1].split(">", 1)[0]
        assert 'value=""' in field, field


def test_the_web_process_never_computes_the_codes(client, monkeypatch):
    """On the embedded store the codes come with the build's network table and are read by
    the network worker; the web process only renders what it answers (at 1 M triples the
    codes took 58 s on the first view when the web process fetched the whole graph)."""
    from graph import indicators as I

    def refuse(*_a, **_k):
        raise AssertionError("the web process computed the indicators")
    monkeypatch.setattr(I, "cached", refuse)
    monkeypatch.setattr(I, "compute", refuse)
    for url in ("/indicators", "/indicators/codes.csv", "/indicators/intensity.json?kind=country&value=kazakhstan",
                "/indicators/arrangements.json?kind=pair&value=kazakhstan,china"):
        r = client.get(url, headers=HTML)
        assert r.status_code == 200, url
    assert client.get("/indicators/intensity.json?kind=country&value=atlantis").status_code == 422
