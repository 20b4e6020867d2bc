"""Security headers, escaping, safe links, no leaked internals, and no 500 under fuzzing."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hsettings

from app.templating import curie, env, local_href, local_path, safe_href

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


@pytest.mark.parametrize("path,accept", [
    ("/", "text/html"), ("/sparql", "text/html"), ("/sparql?query=ASK%7B%7D", "application/json"),
    ("/queries.json", "application/json"), ("/static/site.css", "*/*"), ("/no-such-page", "text/html"),
    ("/sparql?query=SELECT", "application/json"), ("/-/health", "application/json"),
])
def test_security_headers_everywhere(client, path, accept):
    r = client.get(path, headers={"Accept": accept})
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert not re.search(r"https?:|\*", csp), "no remote hosts in the CSP"
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_in_any_template():
    """CSP forbids inline scripts: every <script> loads a file or is a JSON data block."""
    for path in TEMPLATES.rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            assert "src=" in tag or 'type="application/json"' in tag, (path.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", path.read_text()), f"inline event handler in {path.name}"


def test_no_remote_assets_in_templates():
    for path in TEMPLATES.rglob("*.html"):
        for url in re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', path.read_text()):
            assert url.startswith("/") or url.startswith("{{"), (path.name, url)


@pytest.mark.parametrize("url,expected", [
    ("https://example.org/a?b=c", "https://example.org/a?b=c"),
    ("http://example.org", "http://example.org"),
    ("/id/organisation/undp", "/id/organisation/undp"),
    ("?page=2", "?page=2"),
    ("javascript:alert(1)", "#"),
    ("JavaScript:alert(1)", "#"),
    ("  javascript:alert(1)", "#"),
    ("java\tscript:alert(1)", "#"),
    ("data:text/html,<script>alert(1)</script>", "#"),
    ("vbscript:msgbox", "#"),
    ("//evil.example/x", "#"),
    ("/\\evil.example/x", "#"),
    ("https:evil", "#"),
    ("mailto:a@example.org", "#"),
    ("", "#"),
    (None, "#"),
])
def test_safe_href(url, expected):
    assert safe_href(url) == expected


def test_local_links():
    assert local_href("https://w3id.org/wckg/id/organisation/undp") == "/id/organisation/undp"
    assert local_path("https://w3id.org/wckg/id/event/2020-11-20-x") == "/id/event/2020-11-20-x"
    assert local_path("https://w3id.org/wckg/id/nokind/x") is None
    assert local_href("https://w3id.org/wckg/id/nokind/x") == "https://w3id.org/wckg/id/nokind/x"
    assert local_href("http://www.wikidata.org/entity/Q1") == "http://www.wikidata.org/entity/Q1"
    assert local_href("javascript:alert(1)") == "#"
    assert local_path("https://example.org/id/place/astana", base="https://example.org/id/") == "/id/place/astana"
    assert curie("https://w3id.org/wckg/ontology#Agreement") == "wc:Agreement"
    assert curie("https://w3id.org/wckg/id/organisation/undp") == "wcid:organisation/undp"
    assert curie("https://example.org/x") == "https://example.org/x"


def test_every_template_autoescapes_whatever_its_name():
    assert env.autoescape("page.html") and env.autoescape("feed.xml") and env.autoescape("notes.txt")
    assert env.from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"


def test_paths_and_messages_are_escaped(client):
    r = client.get("/queries/%3Cscript%3Ealert(1)%3C%2Fscript%3E", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "<script>alert(1)" not in r.text
    r = client.get("/no-such-<b>page</b>", headers={"Accept": "text/html"})
    assert "<b>page</b>" not in r.text and "&lt;b&gt;page&lt;/b&gt;" in r.text


def test_unexpected_errors_are_a_generic_500(settings, backend):
    from app.main import create_app
    app = create_app(settings, backend=backend)

    @app.get("/-/boom")
    def boom():
        raise RuntimeError("secret internals at /srv/wckg/private.py")

    with TestClient(app, raise_server_exceptions=False) as c:
        for accept in ("text/html", "application/json"):
            r = c.get("/-/boom", headers={"Accept": accept})
            assert r.status_code == 500
            assert "secret internals" not in r.text and "private.py" not in r.text
            assert "Traceback" not in r.text
            assert r.headers["x-content-type-options"] == "nosniff"
            assert "default-src 'self'" in r.headers["content-security-policy"]


def test_sparql_errors_carry_no_python_internals(client):
    for q in ("SELECT * WHERE { ?s ?p ?o } LIMIT -1", "SELECT (1/0 AS ?x) {}", "DESCRIBE",
              "SELECT * WHERE { ?s <http://a> ?o } GROUP BY ?nope", "\x00"):
        r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/json"})
        assert r.status_code < 500, (q, r.text)
        assert "Traceback" not in r.text and ".py" not in r.text


# --- schemathesis: no request the schema allows makes the app fail ------------------------------

@pytest.fixture(scope="module")
def api_schema(web_app):
    return schemathesis.openapi.from_asgi("/openapi.json", web_app)


def test_no_server_errors(api_schema):
    """Every operation of the OpenAPI schema, with generated parameters (a bounded number of
    examples each): no answer is a 5xx."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {"/sparql", "/queries/{name}", "/-/health"} <= {op.path for op in operations}
    for op in operations:
        @given(case=op.as_strategy())
        @hsettings(max_examples=20, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call()
            assert response.status_code < 500, (
                f"{response.status_code} from {case.as_curl_command()}: {response.text[:500]}")

        run()


@pytest.mark.parametrize("path", ["/", "/sparql", "/queries", "/queries/cq1-timeline.json", "/-/health",
                                  "/static/site.css", "/id/organisation/undp"])
def test_head_answers_like_get_without_a_body(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["x-content-type-options"] == "nosniff"


def test_remote_server_address_is_not_shown(settings):
    """A remote server's syntax message reaches the visitor; its internal address does not."""
    from app.main import create_app
    from graph.errors import QuerySyntaxError

    internal = "http://10.0.0.7:7878/query"

    class Remote:
        def query(self, *a, **kw):
            raise QuerySyntaxError(f"the server at {internal} rejected the query: Parse error line 1, column 9")

    app = create_app(settings.model_copy(update={"backend": "remote", "remote_query_url": internal}),
                     backend=Remote())
    with TestClient(app) as c:
        r = c.get("/sparql", params={"query": "SELECT x"}, headers={"Accept": "application/json"})
        assert r.status_code == 400
        assert "line 1, column 9" in r.json()["detail"]
        assert "10.0.0.7" not in r.text
