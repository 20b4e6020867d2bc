"""Home page, health and version probes, API docs, front-end assets."""
from __future__ import annotations

import re
import warnings
from importlib.metadata import version

import pytest

from graph.errors import StoreError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_home_shows_counts_from_the_store(client, backend):
    r = client.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 200
    shown = {label: int(n.replace(",", "")) for n, label in
             re.findall(r'<span class="count-number">([\d,]+)</span> <span class="count-label">([^<]+)</span>', r.text)}
    wc = "PREFIX wc: <https://w3id.org/wckg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "

    def count(cls: str, sub: bool = True) -> int:
        path = "a/rdfs:subClassOf*" if sub else "a"
        return int(backend.select(wc + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x {path} wc:{cls} }}")[0]["n"])

    assert shown["organisations"] == count("Organisation") > 0
    assert shown["events"] == count("Event") > 0
    assert shown["agreements"] == count("Agreement") > 0
    assert shown["people"] == count("Person", sub=False) > 0
    assert shown["source articles"] == count("SourceDocument", sub=False) > 0
    info = backend.info()
    assert shown[f"triples in {len(info.graphs)} named graphs"] == info.triples


def test_home_has_search_entry_points_licence_and_build(client, backend):
    r = client.get("/", headers={"Accept": "text/html"})
    assert '<form class="hero-search" action="/search" method="get"' in r.text
    for href in ("/queries", "/sparql", "/network", "/timeline", "/downloads", "/ontology"):
        assert f'href="{href}"' in r.text
    assert 'rel="license">CC BY 4.0</a>' in r.text
    info = backend.info()
    assert info.build_id in r.text and f'datetime="{info.built_at}"' in r.text


def test_nav_on_every_page(client):
    for path in ("/", "/queries", "/sparql", "/queries/cq1-timeline", "/no-such-page"):
        r = client.get(path, headers={"Accept": "text/html"})
        nav = re.search(r'<nav class="site-nav".*?</nav>', r.text, re.S).group(0)
        for label in ("Home", "SPARQL", "Queries", "Timeline", "Network", "Downloads", "Ontology"):
            assert f">{label}</a>" in nav, (path, label)
        assert 'action="/search"' in r.text


def test_home_json_twin(client, backend):
    page = client.get("/", headers={"Accept": "text/html"})
    assert '</index.json>; rel="alternate"; type="application/json"' == page.headers["link"]
    for r in (client.get("/index.json"), client.get("/", headers={"Accept": "application/json"})):
        assert r.status_code == 200
        body = r.json()
        assert body["counts"]["triples"] == backend.info().triples
        assert body["counts"]["organisations"] > 0 and body["build"]["id"] == backend.info().build_id
        assert body["links"]["sparql"] == "/sparql"


def test_health(client):
    r = client.get("/-/health")
    assert r.status_code == 200
    assert r.json()["ok"] is True and r.json()["store"]["reachable"] is True
    assert r.json()["store"]["has_data"] is True


def test_version(client, backend):
    r = client.get("/-/version")
    body = r.json()
    assert body["version"] == version("wckg")
    assert body["store"]["build_id"] == backend.info().build_id
    assert body["store"]["built_at"] == backend.info().built_at


class _UnreachableStore:
    """A backend whose server is down (what RemoteStore raises when it cannot connect)."""

    def query(self, *a, **kw):
        raise StoreError("connection refused by http://127.0.0.1:9/sparql")

    def info(self):
        raise StoreError("connection refused by http://127.0.0.1:9/sparql")


def test_health_is_503_when_the_store_is_unreachable(settings):
    from app.main import create_app
    with TestClient(create_app(settings, backend=_UnreachableStore()), raise_server_exceptions=False) as c:
        r = c.get("/-/health")
        assert r.status_code == 503 and r.json()["ok"] is False
        assert r.json()["store"]["reachable"] is False
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 503 and "Store unavailable" in page.text
        assert "127.0.0.1:9" not in page.text  # no internals
        assert c.get("/-/version").json()["store"] is None


def test_openapi_and_local_docs(client):
    schema = client.get("/openapi.json").json()
    assert "/sparql" in schema["paths"] and "/queries/{name}" in schema["paths"]
    r = client.get("/docs")
    assert r.status_code == 200
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>' in r.text
    assert not re.search(r'(src|href)="(https?:)?//', r.text.replace('href="http://creativecommons.org', ""))
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs.js").status_code == 200


def test_missing_node_modules_is_a_clear_503(settings, backend, tmp_path, monkeypatch):
    import app.main as main
    monkeypatch.setattr(main, "NODE_MODULES", tmp_path / "node_modules")
    with TestClient(main.create_app(settings, backend=backend)) as c:
        r = c.get("/static/vendor/yasgui/yasgui.min.js")
        assert r.status_code == 503 and "npm ci" in r.text
        page = c.get("/sparql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "npm ci" in page.text


@pytest.mark.parametrize("path", ["/static/site.css", "/static/sparql.js"])
def test_own_static_files(client, path):
    assert client.get(path).status_code == 200
