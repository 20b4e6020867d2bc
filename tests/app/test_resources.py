"""Linked-data pages (app/routers/resources.py): content negotiation by Accept and by suffix,
Link headers, 404 with suggestions, bad slugs, class pages, source pages, and that hostile
labels and IRIs are shown as text, never run and never linked."""
from __future__ import annotations

import json
import re
import warnings

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from graph import describe as D
from graph.config import PROJECT_ROOT
from tests.conftest import make_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "pages"
ID = "https://w3id.org/wckg/id/"
ACME = ID + "organisation/acme"
EVIL = ID + "organisation/evil"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

RDF_FORMATS = [  # (Accept, suffix, expected media type, rdflib parser)
    ("text/turtle", "ttl", "text/turtle", "turtle"),
    ("application/ld+json", "jsonld", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "rdf", "application/rdf+xml", "xml"),
    ("application/n-triples", "nt", "application/n-triples", "nt"),
]


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    from graph.build import build
    from graph.store import open_backend
    s = make_settings(tmp_path_factory.mktemp("pages-app") / "store", data_dir=FIXTURE)
    build(s, validate="none")
    b = open_backend(s)
    yield s, b
    b.close()


@pytest.fixture(scope="module")
def c(mini):
    from app.main import create_app
    s, b = mini
    with TestClient(create_app(s, backend=b), raise_server_exceptions=False) as client:
        yield client


# --- content negotiation ------------------------------------------------------------------

def test_browser_gets_html(c):
    r = c.get("/id/organisation/acme", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Acme Water Agency</h1>" in r.text
    assert "Accept" in r.headers["vary"]


def test_no_accept_header_gets_html(c):
    r = c.get("/id/organisation/acme", headers={"Accept": ""})
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("accept,suffix,media,parser", RDF_FORMATS)
def test_rdf_by_accept_and_by_suffix_is_the_description(c, mini, accept, suffix, media, parser):
    _, backend = mini
    expected = D.describe_rdf(backend, ACME)
    for r in (c.get("/id/organisation/acme", headers={"Accept": accept}),
              c.get(f"/id/organisation/acme.{suffix}", headers={"Accept": BROWSER})):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == media
        got = Graph().parse(data=r.content, format=parser)
        assert isomorphic(got, expected)
        assert (URIRef(ACME), URIRef("http://www.w3.org/2004/02/skos/core#altLabel"), None) in got


def test_suffix_sets_content_location(c):
    r = c.get("/id/organisation/acme.ttl")
    assert r.headers["content-location"] == "/id/organisation/acme.ttl"


def test_json_page_data_by_suffix_and_accept(c):
    for r in (c.get("/id/organisation/acme.json"), c.get("/id/organisation/acme", headers={"Accept": "application/json"})):
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        data = r.json()
        assert data["iri"] == ACME and data["label"] == "Acme Water Agency"
        assert {"value": "AWA", "lang": "en"} in data["altLabels"]
        assert data["evidence"][0]["source"] == ID + "source/acme-news"


@pytest.mark.parametrize("accept,media", [
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("application/rdf+xml;q=0.9, text/turtle;q=0.95", "text/turtle"),
    ("application/n-triples, text/html;q=0.1", "application/n-triples"),
    ("image/png, */*;q=0.1", "text/html"),
    ("application/x-turtle", "text/turtle"),
])
def test_q_values(c, accept, media):
    r = c.get("/id/organisation/acme", headers={"Accept": accept})
    assert r.headers["content-type"].split(";")[0] == media


def test_not_acceptable(c):
    r = c.get("/id/organisation/acme", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["available"]


def test_link_headers_name_every_format(c):
    r = c.get("/id/organisation/acme")
    link = r.headers["link"]
    for suffix, media in [("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
                          ("nt", "application/n-triples"), ("json", "application/json")]:
        assert f'</id/organisation/acme.{suffix}>; rel="alternate"; type="{media}"' in link
    assert f'<{ACME}>; rel="canonical"' in link
    # the HTML names them too
    assert '<link rel="alternate" type="text/turtle" href="/id/organisation/acme.ttl"' in r.text


def test_head(c):
    r = c.head("/id/organisation/acme.ttl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


# --- what the entity page shows -------------------------------------------------------------

def test_entity_page_shows_properties_inverse_evidence_wikidata(c):
    html = c.get("/id/event/2021-03-01-acme-signing", headers={"Accept": BROWSER}).text
    assert 'href="/classes/wc:SigningCeremony"' in html
    assert "1 March 2021" in html and 'href="/id/place/testville">Testville</a>' in html
    assert 'id="evidence"' in html
    assert 'href="/id/source/acme-news">Acme Water Agency signs a memorandum in Testville</a>' in html
    assert "4 March 2021" in html and "signed a memorandum of understanding in Testville." in html
    acme = c.get("/id/organisation/acme", headers={"Accept": BROWSER}).text
    assert 'href="https://www.wikidata.org/wiki/Q42"' in acme
    assert "participant in" in acme and 'href="/id/event/2021-03-01-acme-signing"' in acme
    assert "<mark>AWA</mark>" in acme   # the entity's own names are marked in the quoted sentence


def test_place_has_a_coordinates_line(c):
    html = c.get("/id/place/testland", headers={"Accept": BROWSER}).text
    assert "Coordinates:" in html and "43.25° N" in html and "76.95° E" in html


# --- hostile data ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/id/organisation/evil", "/id/organisation/acme", "/id/event/2021-03-01-acme-signing",
                                  "/id/source/acme-news", "/id/place/testland", "/classes/wc:Organisation",
                                  "/classes/wc:Company"])
def test_script_label_is_text_and_javascript_iri_is_no_link(c, path):
    html = c.get(path, headers={"Accept": BROWSER}).text
    assert "<script>alert(1)</script>" not in html
    assert not re.search(r"""href\s*=\s*["']?\s*javascript:""", html, re.I)
    if path in ("/id/organisation/evil", "/id/organisation/acme", "/classes/wc:Company"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # every script the page loads is the site's own file (a site path, never another host)
    for src in re.findall(r"<script[^>]*src=\"([^\"]+)\"", html):
        assert src.startswith("/") and not src.startswith("//"), src
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"


def test_javascript_iri_is_shown_as_text(c):
    html = c.get("/id/organisation/evil", headers={"Accept": BROWSER}).text
    assert '<span class="iri-text">javascript:alert(1)</span>' in html


def test_source_page_links_mentions_and_hides_contacts(c):
    r = c.get("/id/source/acme-news", headers={"Accept": BROWSER})
    assert r.status_code == 200
    html = r.text
    assert '<a class="mention" href="/id/organisation/acme"' in html
    assert ">AWA</a>" in html
    assert "jane.roe@example.org" not in html and "265 43 33" not in html and "55 66 77" not in html
    assert "[e-mail removed]" in html and "[phone number removed]" in html
    assert "4 March 2021" in html and 'href="/id/organisation/acme">Acme Water Agency</a>' in html
    assert "What this article states" in html
    # its RDF twin is the resource description
    assert c.get("/id/source/acme-news.ttl").status_code == 200


# --- not found ------------------------------------------------------------------------------

def test_unknown_iri_html_404_with_suggestions(c):
    r = c.get("/id/organisation/acme-water", headers={"Accept": BROWSER})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Did you mean" in r.text and 'href="/id/organisation/acme"' in r.text


def test_unknown_iri_json_404_with_suggestions(c):
    for r in (c.get("/id/organisation/acme-water", headers={"Accept": "application/json"}),
              c.get("/id/organisation/acme-water.ttl"),
              c.get("/id/organisation/acme-water", headers={"Accept": "text/turtle"})):
        assert r.status_code == 404
        body = r.json()
        assert body["status"] == 404 and ACME in [s["iri"] for s in body["suggestions"]]


@pytest.mark.parametrize("path", ["/id/organisation/Acme", "/id/organisation/acme_water", "/id/organisation/acme--x",
                                  "/id/organisation/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/id/organisation/acm%C3%A9",
                                  "/id/organisation/-acme", "/id/organisation/acme.exe", "/id/organisation/acme.ttl.ttl",
                                  "/id/unicorn/acme", "/id/organisation/..%2f..%2fetc", "/classes/javascript:alert(1)",
                                  "/classes/nope:Thing", "/classes/wc:NoSuchClass", "/classes/wc", "/id/organisation/a%00b"])
def test_bad_or_unknown_paths_are_404_not_500(c, path):
    for accept in (BROWSER, "application/json"):
        r = c.get(path, headers={"Accept": accept})
        assert r.status_code == 404, (path, r.status_code, r.text[:300])
        if accept == BROWSER:
            assert "<script>alert(1)</script>" not in r.text
        else:
            assert r.json()["detail"]


def test_very_long_unknown_slug_is_a_quick_404(c):
    import time
    t0 = time.perf_counter()
    r = c.get("/id/organisation/" + "x-" * 5000 + "q", headers={"Accept": "application/json"})
    assert r.status_code == 404 and isinstance(r.json()["suggestions"], list)
    assert time.perf_counter() - t0 < 5


def test_bad_slug_says_why(c):
    r = c.get("/id/organisation/Acme_Water", headers={"Accept": "application/json"})
    assert "lower-case letters a-z, digits and single hyphens" in r.json()["detail"]
    r = c.get("/id/unicorn/acme", headers={"Accept": "application/json"})
    assert "organisation" in r.json()["detail"]


# --- classes ----------------------------------------------------------------------------------

def test_classes_index(c):
    html = c.get("/classes", headers={"Accept": BROWSER}).text
    assert 'href="/classes/wc:Organisation"' in html and 'href="/classes/wc:Company"' in html
    data = c.get("/classes", headers={"Accept": "application/json"}).json()
    org = [x for x in data["classes"] if x["curie"] == "wc:Organisation"][0]
    assert (org["count"], org["inSubclasses"]) == (0, 3)


def test_class_page_lists_instances(c):
    html = c.get("/classes/wc:Organisation", headers={"Accept": BROWSER}).text
    assert "3 instances" in html
    assert 'href="/id/organisation/acme">Acme Water Agency</a>' in html
    data = c.get("/classes/wc:Organisation?format=json").json()
    assert {i["iri"] for i in data["instances"]} == {ACME, EVIL, ID + "organisation/acme-testland"}
    assert c.get("/classes/wc:Organisation?page=0").status_code == 422


def test_openapi_still_builds(c):
    assert c.get("/openapi.json").status_code == 200
    assert "/id/{kind}/{slug}" in json.loads(c.get("/openapi.json").text)["paths"]
