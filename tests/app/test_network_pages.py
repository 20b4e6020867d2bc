"""/network and /network/{kind}/{slug}: HTML, the machine formats by suffix and Accept,
filters, 404 with suggestions, 422 naming the parameter, the empty view, escaping."""
from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pytest
from rdflib import Graph, URIRef

ID = "https://w3id.org/wckg/id/"
EDB = ID + "organisation/eurasian-development-bank"
IAC = ID + "organisation/information-and-analytical-center-for-water-resources"
HTML = {"accept": "text/html,application/xhtml+xml"}


def view_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', html, re.S)
    assert m, "no network data block"
    return json.loads(m.group(1))


def test_network_page_has_form_legend_canvas_table_and_downloads(client):
    r = client.get("/network", headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    for needle in ('name="relation"', 'name="from"', 'name="to"', 'name="country"', 'name="org_kind"',
                   'name="topic"', 'name="people"', 'name="metric"', 'type="range"',
                   'class="network-legend"', 'id="network-canvas"', 'id="metrics-table"',
                   'href="/network.gexf"', 'href="/network.graphml"', 'href="/network.json"',
                   'href="/network.nodes.csv"', 'src="/static/vendor/vis-network/vis-network.min.js"'):
        assert needle in html, needle
    data = view_data(html)
    ids = {n["id"] for n in data["nodes"]}
    assert EDB in ids and IAC in ids
    assert "Financial institution" in {x["label"] for x in data["legend"]}
    # no inline script (the CSP forbids them): only src= scripts and the JSON data block
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert 'rel="alternate"' in r.headers["link"]


def test_json_by_suffix_and_by_accept_are_the_same_node_link(client):
    a = client.get("/network.json")
    b = client.get("/network", headers={"accept": "application/json"})
    assert a.status_code == b.status_code == 200
    assert a.json()["nodes"] == b.json()["nodes"]
    G = nx.node_link_graph(a.json(), edges="edges")
    ev = G.edges[EDB, IAC]["evidence"]
    assert any(e["type"] == "GrantAgreement" and e["source"] for e in ev)


@pytest.mark.parametrize("suffix, accept, reader", [
    ("gexf", "application/gexf+xml", nx.read_gexf),
    ("graphml", "application/graphml+xml", nx.read_graphml),
])
def test_gexf_and_graphml_download(client, tmp_path, suffix, accept, reader):
    r = client.get(f"/network.{suffix}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert "attachment" in r.headers["content-disposition"]
    path = tmp_path / f"n.{suffix}"
    path.write_bytes(r.content)
    G = reader(path)
    assert G.has_edge(EDB, IAC) and "GrantAgreement" in G.edges[EDB, IAC]["evidence_summary"]
    by_accept = client.get("/network", headers={"accept": accept})
    assert by_accept.status_code == 200 and by_accept.content == r.content


def test_csv_edges_nodes_and_metrics_rdf(client):
    edges = list(csv.DictReader(io.StringIO(client.get("/network.csv").text)))
    assert any({e["source"], e["target"]} == {EDB, IAC} for e in edges)
    nodes = list(csv.DictReader(io.StringIO(client.get("/network.nodes.csv?metric=betweenness").text)))
    values = [float(n["betweenness"]) for n in nodes]
    assert values == sorted(values, reverse=True)
    r = client.get("/network.ttl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(EDB), URIRef("https://w3id.org/wckg/ontology#betweenness"), None) in g


def test_filters_change_the_network(client):
    whole = client.get("/network.json").json()
    agreements = client.get("/network.json?relation=agreement").json()
    assert 0 < len(agreements["edges"]) < len(whole["edges"])
    assert all(e["kind"] == "agreement" for link in agreements["edges"] for e in link["evidence"])
    y2017 = client.get("/network.json?from=2017&to=2017").json()
    ids = {n["id"] for n in y2017["nodes"]}
    assert EDB not in ids and ID + "organisation/carec" in ids
    kz = client.get("/network.json?country=kazakhstan").json()
    assert all(n["country"] == ID + "place/kazakhstan" for n in kz["nodes"])


def test_empty_result_is_an_explicit_message_not_an_empty_canvas(client):
    r = client.get("/network?from=2090&to=2095", headers=HTML)
    assert r.status_code == 200
    assert "No organisations match these filters" in r.text
    assert 'id="network-canvas"' not in r.text


@pytest.mark.parametrize("query, name", [
    ("from=20x5", "from"), ("to=1", "to"), ("relation=friendship", "relation"),
    ("org_kind=ministry", "org_kind"), ("country=Atlantis", "country"), ("metric=pagerank", "metric"),
    ("topic=astrology", "topic"), ("kind=tripartite", "kind"),
])
def test_bad_parameter_is_422_naming_it(client, query, name):
    r = client.get(f"/network?{query}", headers={"accept": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["parameter"] == name


def test_bad_depth_is_422(client):
    r = client.get("/network/organisation/undp?depth=7", headers={"accept": "application/json"})
    assert r.status_code == 422 and "depth" in r.text


def test_ego_page_and_formats(client):
    r = client.get("/network/organisation/eurasian-development-bank", headers=HTML)
    assert r.status_code == 200
    assert "Network of" in r.text and "Eurasian Development Bank" in r.text
    data = view_data(r.text)
    focus = [n for n in data["nodes"] if n["focus"]]
    assert [n["id"] for n in focus] == [EDB]
    assert focus[0]["url"] == "/id/organisation/eurasian-development-bank"
    one = client.get("/network/organisation/eurasian-development-bank.json").json()
    two = client.get("/network/organisation/eurasian-development-bank.json?depth=2").json()
    assert len(two["nodes"]) >= len(one["nodes"])
    assert one["graph"]["focus"] == EDB
    view = client.get("/network/organisation/eurasian-development-bank.view.json").json()
    assert EDB in {n["id"] for n in view["nodes"]}
    gexf = client.get("/network/organisation/eurasian-development-bank.gexf")
    assert gexf.status_code == 200 and b"<gexf" in gexf.content


def test_unknown_entity_is_404_with_suggestions(client):
    r = client.get("/network/organisation/eurasian-devlopment-bank", headers={"accept": "application/json"})
    assert r.status_code == 404
    iris = [s["iri"] for s in r.json()["suggestions"]]
    assert iris[0] == EDB
    assert r.json()["suggestions"][0]["url"] == "/network/organisation/eurasian-development-bank"
    page = client.get("/network/organisation/eurasian-devlopment-bank", headers=HTML)
    assert page.status_code == 404
    assert 'href="/network/organisation/eurasian-development-bank"' in page.text
    assert client.get("/network/place/astana", headers=HTML).status_code == 404


def test_vis_network_is_served_locally(client):
    r = client.get("/static/vendor/vis-network/vis-network.min.js")
    assert r.status_code == 200 and len(r.content) > 100_000
    assert client.get("/static/vendor/vis-network/vis-network.css").status_code == 200
    assert client.get("/static/vendor/vis-network/../../../etc/passwd").status_code == 404
    js = client.get("/network/assets/network-view.js")
    assert js.status_code == 200 and "textContent" in js.text and "innerHTML" not in js.text
    assert client.get("/static/network.js").status_code == 200


def test_ego_partial_renders_for_an_organisation_only():
    from app.templating import env

    class Req:
        class app:
            class state:
                settings = None

    tpl = env.get_template("_ego_network.html")
    html = tpl.render(iri=EDB, request=Req())
    assert 'data-network-url="/network/organisation/eurasian-development-bank.view.json"' in html
    assert "<script>" not in html            # external scripts only (CSP)
    assert tpl.render(iri=ID + "place/astana", request=Req()).strip() == ""


def test_change_over_time_table_and_years_csv(client):
    r = client.get("/network", headers=HTML)
    assert 'id="years-table"' in r.text
    assert 'href="?from=2025&amp;to=2025"' in r.text
    rows = list(csv.DictReader(io.StringIO(client.get("/network.years.csv").text)))
    years = {int(row["year"]) for row in rows}
    assert {2017, 2020, 2025} <= years
    assert any(row["iri"] == EDB and row["year"] == "2025" for row in rows)
    assert not any(row["iri"] == EDB and row["year"] == "2017" for row in rows)


def test_an_ego_network_without_a_focus_is_a_4xx_naming_it(client):
    """The network worker raises it: the error crosses the process boundary whole (it was a
    500, BrokenProcessPool, when ParameterError could not be unpickled)."""
    r = client.get("/network?kind=ego", headers={"accept": "application/json"})
    assert 400 <= r.status_code < 500 and "focus" in r.text
    assert client.get("/network", headers=HTML).status_code == 200  # the worker pool still serves
