"""/catalog, /.well-known/void, /downloads and /ontology: content negotiation, the files
served from the published bundle, and the generated ontology documentation."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, OWL, RDF, VOID

from graph import dcat
from graph import publish as pub
from graph.store import StoreLayout


def _parse(body: bytes, fmt: str, context: dict | None = None) -> Graph:
    if fmt == "json-ld":
        doc = json.loads(body)
        if isinstance(doc.get("@context"), str):
            doc["@context"] = context
        return Graph().parse(data=json.dumps(doc), format="json-ld")
    return Graph().parse(data=body.decode("utf-8"), format=fmt)


@pytest.fixture(scope="module")
def context(client) -> dict:
    r = client.get("/ontology/context.jsonld")
    assert r.status_code == 200
    return r.json()["@context"]


@pytest.fixture(scope="module")
def catalog_ttl(client) -> Graph:
    r = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.text, format="turtle")


ACCEPTS = [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
           ("application/rdf+xml", "xml"), ("application/n-triples", "nt")]


@pytest.mark.parametrize("accept, fmt", ACCEPTS)
def test_catalog_by_content_negotiation(client, catalog_ttl, context, accept, fmt):
    r = client.get("/catalog", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    assert "Accept" in r.headers.get("vary", "")
    g = _parse(r.content, fmt, context)
    assert isomorphic(g, catalog_ttl)
    assert len(list(g.subjects(RDF.type, DCAT.Distribution))) >= 13


@pytest.mark.parametrize("suffix, fmt", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")])
def test_catalog_by_suffix(client, catalog_ttl, context, suffix, fmt):
    r = client.get(f"/catalog.{suffix}")
    assert r.status_code == 200
    assert isomorphic(_parse(r.content, fmt, context), catalog_ttl)


def test_catalog_for_a_browser_is_a_summary_page(client, settings):
    r = client.get("/catalog", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Water Cooperation Knowledge Graph" in r.text
    assert 'href="/catalog.ttl"' in r.text
    assert settings.publisher_name in r.text


def test_catalog_refuses_what_it_cannot_give(client):
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/catalog.exe").status_code == 404


def test_catalog_download_urls_point_at_this_site(catalog_ttl, settings, client):
    urls = {str(u) for u in catalog_ttl.objects(None, DCAT.downloadURL)}
    assert f"{settings.public_url.rstrip('/')}/downloads/wckg.nq.gz" in urls
    for u in urls:
        name = u.rsplit("/", 1)[1]
        assert client.get(f"/downloads/{name}").status_code == 200, name


def test_well_known_void(client, settings):
    r = client.get("/.well-known/void")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    ds = URIRef(dcat.dataset_iri(settings))
    assert (ds, RDF.type, VOID.Dataset) in g
    assert int(g.value(ds, VOID.triples)) > 1000
    assert list(g.subjects(RDF.type, VOID.Linkset))
    r2 = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r2.status_code == 200 and r2.headers["content-type"].startswith("application/ld+json")


def test_downloads_lists_every_file_with_size_and_checksum(client):
    r = client.get("/downloads", headers={"Accept": "text/html"})
    assert r.status_code == 200
    manifest = client.get("/downloads", headers={"Accept": "application/json"}).json()
    names = {f["name"] for f in manifest["files"]}
    assert {"wckg.nq.gz", "wckg.trig.gz", "wckg.ttl.gz", "wckg.jsonld.gz", "catalog.ttl", "void.ttl"} <= names
    for f in manifest["files"]:
        assert f["name"] in r.text
        assert f["sha256"] in r.text
        assert str(f["size"]) in r.text
        body = client.get(f"/downloads/{f['name']}").content
        assert len(body) == f["size"] and hashlib.sha256(body).hexdigest() == f["sha256"], f["name"]


def test_a_downloaded_dump_parses(client):
    r = client.get("/downloads/wckg.nq.gz")
    assert r.headers["content-type"] == "application/gzip"
    text = gzip.decompress(r.content).decode("utf-8")
    assert text.count("\n") > 1000


@pytest.mark.parametrize("name", ["../config.py", "..%2Fmanifest.json", ".lock", "../manifest.json",
                                  "%2Fetc%2Fpasswd", "wckg.nq.gz.bak", "builds"])
def test_downloads_serves_only_bundle_files(client, name):
    r = client.get(f"/downloads/{name}")
    assert r.status_code == 404


def test_downloads_serve_the_builds_bundle_as_it_is(client, settings, release):
    """The page reads the bundle the build wrote (never publishes): what is in the build's
    release folder is what is served."""
    assert release.parent == StoreLayout(settings.store).current_build()
    assert client.get("/downloads/README.md").content == (release / "README.md").read_bytes()
    assert client.get("/downloads", headers={"Accept": "application/json"}).json() == \
        json.loads((release / "manifest.json").read_text())


def test_a_build_without_a_bundle_answers_503_and_publishes_nothing(client, settings, release, tmp_path):
    moved = tmp_path / "release"
    release.rename(moved)
    try:
        for path in ("/downloads", "/downloads/README.md", "/catalog", "/.well-known/void"):
            r = client.get(path, headers={"Accept": "application/json"})
            assert r.status_code == 503, path
            assert "wckg build" in r.json()["detail"]
        assert not release.exists()   # nothing was published by the requests
    finally:
        moved.rename(release)
    assert client.get("/downloads/README.md").status_code == 200


# --- ontology ---------------------------------------------------------------------------------

class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k == "id" and v:
                self.ids.add(v)


@pytest.fixture(scope="module")
def ontology_file_graph(settings) -> Graph:
    from graph.load import discover, parse_graph
    g = Graph()
    for f in discover(settings):
        if f.role == "ontology":
            g += parse_graph(f)
    return g


def test_ontology_page_documents_every_class_and_property(client, ontology_file_graph):
    r = client.get("/ontology", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    p = _Ids()
    p.feed(r.text)
    ns = "https://w3id.org/wckg/ontology#"
    terms = {str(s)[len(ns):] for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in ontology_file_graph.subjects(RDF.type, k) if str(s).startswith(ns)}
    assert {"Event", "Organisation", "country", "evidence"} <= terms
    assert terms <= p.ids, terms - p.ids
    # labels, definitions and domains/ranges come from the ontology
    assert "Something that happened, or is announced, on a date" in r.text
    event = r.text[r.text.index('id="Event"'):]
    event = event[: event.index("</article>")]
    assert 'href="#Meeting"' in event           # a sub-class
    assert "Instances" in event and "/id/event/" in event   # instances from the data, linked locally


def test_ontology_page_escapes_text(client):
    r = client.get("/ontology")
    assert "<script" not in r.text.split("</main>")[0].split('<main id="content">')[1]


@pytest.mark.parametrize("accept, fmt", ACCEPTS)
def test_ontology_by_content_negotiation(client, ontology_file_graph, context, accept, fmt):
    r = client.get("/ontology", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    assert isomorphic(_parse(r.content, fmt, context), ontology_file_graph)


@pytest.mark.parametrize("suffix, fmt", [("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"), ("nt", "nt")])
def test_ontology_by_suffix(client, ontology_file_graph, context, suffix, fmt):
    r = client.get(f"/ontology.{suffix}")
    assert r.status_code == 200
    assert isomorphic(_parse(r.content, fmt, context), ontology_file_graph)


def test_ontology_accept_preferences_and_errors(client):
    r = client.get("/ontology", headers={"Accept": "text/html;q=0.5, text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/ontology.docx").status_code == 404


def test_context_document(client):
    r = client.get("/ontology/context.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.headers["access-control-allow-origin"] == "*"
    ctx = r.json()["@context"]
    assert ctx["Event"] == "wc:Event"
    assert ctx["country"] == {"@id": "wc:country", "@type": "@id"}


# --- the w3id.org rules ------------------------------------------------------------------------

SITE = "https://wckg.example.org"


def _apply_htaccess(text: str, path: str, accept: str) -> tuple[str, int]:
    """Apply mod_rewrite rules (RewriteCond on HTTP_ACCEPT + RewriteRule [R=...,L]) to *path*."""
    conds: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("RewriteCond %{HTTP_ACCEPT} "):
            conds.append(line.split(" ", 2)[2])
        elif line.startswith("RewriteRule "):
            _, pattern, target, flags = line.split(" ")
            m = re.search(pattern, path)
            ok = m and all(re.search(c, accept) for c in conds)
            conds = []
            if ok:
                for i, g in enumerate(m.groups(), 1):
                    target = target.replace(f"${i}", g)
                return target, int(re.search(r"R=(\d+)", flags).group(1))
    raise AssertionError(f"no rule for {path}")


def test_committed_w3id_rules_are_the_generated_ones():
    from graph.config import PROJECT_ROOT
    committed = (PROJECT_ROOT / "w3id" / ".htaccess").read_text()
    body = lambda t: [l for l in t.splitlines() if not l.startswith("#")]  # noqa: E731
    assert body(committed) == body(pub.w3id_htaccess(SITE))


@pytest.mark.parametrize("path, accept, expected_type", [
    ("ontology", "text/html", "text/html"),
    ("ontology", "text/turtle", "text/turtle"),
    ("ontology", "application/ld+json", "application/ld+json"),
    ("ontology", "application/rdf+xml", "application/rdf+xml"),
    ("ontology/context.jsonld", "*/*", "application/ld+json"),
    ("id/place/astana", "text/html", "text/html"),
    ("id/place/astana", "text/turtle", "text/turtle"),
    ("id/organisation/undp", "application/ld+json", "application/ld+json"),
    ("catalog", "application/rdf+xml", "application/rdf+xml"),
    ("void", "text/turtle", "text/turtle"),
])
def test_w3id_rules_lead_to_pages_the_app_serves(client, path, accept, expected_type):
    target, status = _apply_htaccess(pub.w3id_htaccess(SITE), path, accept)
    assert status in (302, 303) and target.startswith(SITE + "/")
    r = client.get(target[len(SITE):], headers={"Accept": accept})
    assert r.status_code == 200, target
    assert r.headers["content-type"].startswith(expected_type), target


def test_data_that_does_not_conform_gets_no_bundle(settings, built_store, tmp_path):
    """The publishing gate is the build's: a build of data that does not conform fails
    and writes nothing; a release made for an existing build validates first."""
    import shutil

    from graph.build import build, make_release
    from graph.config import PROJECT_ROOT
    from graph.errors import ValidationFailed
    from tests.conftest import make_settings
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    (data / "articles" / "zz-broken.ttl").write_text(
        "<https://w3id.org/wckg/id/event/zz-broken> a <https://w3id.org/wckg/ontology#Event> .\n")
    bad = make_settings(tmp_path / "store", data_dir=data)
    with pytest.raises(ValidationFailed):
        build(bad, release=True)
    assert StoreLayout(bad.store).current_build() is None
    # the session's store, with the broken data beside it: the gate refuses the release
    current = StoreLayout(settings.store).current_build()
    before = sorted(p.name for p in current.iterdir())
    with pytest.raises(ValidationFailed):
        make_release(settings.model_copy(update={"data_dir": data}), validate=True)
    assert sorted(p.name for p in current.iterdir()) == before
