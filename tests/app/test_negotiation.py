"""One negotiation path (app/negotiation.py): the same ``Accept`` header gets the same
choice on every page, and a page's JSON answer is its JSON twin's."""
from __future__ import annotations

import pytest
from starlette.requests import Request

from app.negotiation import PAGE_OFFERS, choose, negotiate

ORG = "eurasian-development-bank"

#: page → its JSON twin (the JSON-LD document for the RDF pages, whose JSON is JSON-LD)
PAGES: dict[str, str] = {
    "/": "/index.json",
    "/search?q=water&limit=10": "/search.json?q=water&limit=10",
    f"/id/organisation/{ORG}": f"/id/organisation/{ORG}.json",
    "/classes": "/classes?format=json",
    "/classes/wc:Organisation": "/classes/wc:Organisation?format=json",
    "/queries": "/queries.json",
    "/queries/cq1-timeline": "/queries/cq1-timeline.json",
    "/timeline": "/timeline.json",
    "/network": "/network.json",
    f"/network/organisation/{ORG}": f"/network/organisation/{ORG}.json",
    "/downloads": "/downloads/manifest.json",
    "/ontology": "/ontology.jsonld",
    "/catalog": "/catalog.jsonld",
}

#: Accept headers that prefer JSON …
PREFER_JSON = [
    "application/json",
    "text/html;q=0.1, application/json",          # the header of issue 15
    "application/json, text/html;q=0.9",
    "text/html;q=0.5, application/json;q=0.6",
    "text/*;q=0.2, application/json",
]
#: … and headers that prefer HTML (or state nothing, or anything: HTML is every page's default)
PREFER_HTML = [
    None,
    "*/*",
    "text/html",
    "text/html, application/json",                # equal q: our order, HTML first
    "application/json, text/html",                # the order in the header carries no meaning
    "text/html, application/json;q=0.9",
    "application/json;q=0.1, text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",   # a browser
    "application/xhtml+xml",
    "TEXT/HTML",
]


def _stable(body):
    """The body without what differs between two runs of the same query (its time)."""
    if isinstance(body, dict):
        body.pop("elapsed_ms", None)
    return body


def _get(client, path: str, accept: str | None):
    headers = {"accept": accept} if accept is not None else {}
    r = client.get(path, headers=headers)
    assert r.status_code == 200, (path, accept, r.status_code, r.text[:300])
    return r


@pytest.fixture(scope="module")
def twins(client) -> dict[str, object]:
    out = {}
    for page, twin in PAGES.items():
        r = _get(client, twin, None)
        assert "json" in r.headers["content-type"], (twin, r.headers["content-type"])
        out[page] = _stable(r.json())
    return out


@pytest.mark.parametrize("accept", PREFER_JSON)
def test_every_page_answers_json_like_its_twin(client, twins, accept):
    disagree = []
    for page in PAGES:
        r = _get(client, page, accept)
        media = r.headers["content-type"].split(";")[0]
        if media not in ("application/json", "application/ld+json") or _stable(r.json()) != twins[page]:
            disagree.append((page, media))
    assert not disagree, f"Accept: {accept!r} → not the JSON twin on {disagree}"


@pytest.mark.parametrize("accept", PREFER_HTML)
def test_every_page_answers_html(client, accept):
    disagree = []
    for page in PAGES:
        r = _get(client, page, accept)
        if not r.headers["content-type"].startswith("text/html"):
            disagree.append((page, r.headers["content-type"]))
    assert not disagree, f"Accept: {accept!r} → not HTML on {disagree}"


def test_every_negotiated_page_varies_on_accept(client):
    missing = [page for page in PAGES if "accept" not in _get(client, page, None).headers.get("vary", "").lower()]
    assert not missing, f"no Vary: Accept on {missing}"


# --- the function itself ------------------------------------------------------------------

def _request(accept: str | None) -> Request:
    headers = [(b"accept", accept.encode())] if accept is not None else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""})


@pytest.mark.parametrize("accept, expected", [
    (None, "html"), ("", "html"), ("*/*", "html"), ("application/*", "json"),
    ("text/html;q=0.1, application/json", "json"),
    ("text/html;q=0, */*", "json"),                 # an explicit q=0 refuses despite */*
    ("text/*;q=0.1, text/html;q=0, application/json;q=0.05", "json"),
    ("image/png", None),                            # nothing offered is acceptable
    ("garbage, ;;;, text", "html"),                 # nothing readable: as if no header
    ("text/html;level=1;q=0.3, application/json;q=0.2", "html"),
])
def test_choose(accept, expected):
    assert choose(_request(accept), PAGE_OFFERS) == expected


def test_suffix_wins_over_accept():
    assert choose(_request("text/html"), PAGE_OFFERS, suffix="json") == "json"


def test_negotiate_returns_the_offered_media_type():
    offers = [("text/turtle", "ttl"), ("application/ld+json", "jsonld")]
    assert negotiate("application/*", offers) == ("application/ld+json", "jsonld")
    assert negotiate(None, offers) == ("text/turtle", "ttl")
    assert negotiate("text/html", offers) is None
