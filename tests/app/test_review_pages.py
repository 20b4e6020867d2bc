"""The web review (/review): admin token as bearer or login cookie, CSRF on every form,
escaping of what drafts contain, and a review from decisions to landing."""
from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from graph.config import PROJECT_ROOT
from graph.namespaces import WC, WCID
from tests.conftest import make_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "review"
SLUG = "workshop-basin-planning-astana-2021"
TOKEN = "test-admin-token-7f3a"
EVENT = WCID["event/2021-03-02-workshop-basin-planning-astana"]
UNDP = WCID["organisation/undp"]
NEW_ORG = WCID["organisation/ili-balkhash-basin-inspectorate"]
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    from graph.build import build
    root = tmp_path_factory.mktemp("review-web")
    shutil.copytree(PROJECT_ROOT / "data", root / "data", ignore=shutil.ignore_patterns("drafts"))
    build(make_settings(root / "store", data_dir=root / "data"), validate="none")
    return root


def _workspace(pristine: Path, tmp: Path, **overrides):
    shutil.copytree(pristine / "data", tmp / "data")
    shutil.copytree(pristine / "store", tmp / "store", symlinks=True)
    return make_settings(tmp / "store", data_dir=tmp / "data", drafts_dir=tmp / "drafts", query_workers=1,
                         **overrides)


def _queue_draft(settings, draft: bytes | None = None):
    from graph.review.queue import ReviewQueue, SourceMeta
    return ReviewQueue(settings).add(draft or (FIX / "draft.trig").read_bytes(),
                                     (FIX / "article.txt").read_text(encoding="utf-8"),
                                     SourceMeta(title="A workshop <script>alert(1)</script>", published="2021-03-03"))


@pytest.fixture
def web(pristine, tmp_path):
    """(client, settings) over a private workspace with the fixture draft queued."""
    from app.main import create_app
    from graph.store import open_backend
    s = _workspace(pristine, tmp_path, admin_token=TOKEN)
    _queue_draft(s)
    backend = open_backend(s)
    with TestClient(create_app(s, backend=backend), raise_server_exceptions=False, base_url="https://testserver") as c:
        yield c, s
    backend.close()


def login(client) -> str:
    """Log in through the form; returns the page's CSRF token."""
    r = client.post("/review/login", data={"token": TOKEN}, follow_redirects=False)
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" in cookie
    assert TOKEN not in cookie
    page = client.get("/review", headers=HTML)
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


# --- who may see and do what ------------------------------------------------------------------

def test_without_a_configured_token_the_review_is_forbidden(pristine, tmp_path):
    from app.main import create_app
    from graph.store import open_backend
    s = _workspace(pristine, tmp_path)   # admin_token=None
    backend = open_backend(s)
    try:
        with TestClient(create_app(s, backend=backend), raise_server_exceptions=False) as c:
            for method, path in [("get", "/review"), ("get", f"/review/{SLUG}"), ("get", "/review/login")]:
                assert getattr(c, method)(path).status_code == 403
            r = c.post(f"/review/{SLUG}/decide", data={"action": "accept", "fact": "x"},
                       headers={"Authorization": "Bearer anything"})
            assert r.status_code == 403 and "WCKG_ADMIN_TOKEN" in r.text
            assert c.post("/review/login", data={"token": ""}).status_code == 403
    finally:
        backend.close()


def test_no_credentials_is_401_and_browsers_get_the_login_form(web):
    c, _ = web
    r = c.get("/review", headers={"Accept": "application/json"})
    assert r.status_code == 401 and "www-authenticate" in r.headers
    r = c.get(f"/review/{SLUG}", headers=HTML)
    assert r.status_code == 401 and 'name="token"' in r.text and "Workshop" not in r.text
    r = c.post(f"/review/{SLUG}/decide", data={"action": "accept", "fact": "x"})
    assert r.status_code == 401


def test_a_wrong_token_is_401(web):
    c, _ = web
    assert c.get("/review", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert c.get("/review", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    r = c.post("/review/login", data={"token": "wrong"}, follow_redirects=False)
    assert r.status_code == 401 and "set-cookie" not in r.headers
    c.cookies.set("wckg_admin", "0" * 64, domain="testserver", path="/review")
    assert c.get("/review", headers={"Accept": "application/json"}).status_code == 401


def test_a_bearer_token_works_without_csrf(web):
    c, s = web
    auth = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    listed = c.get("/review", headers=auth).json()["drafts"]
    assert [d["slug"] for d in listed] == [SLUG]
    facts = c.get(f"/review/{SLUG}", headers=auth).json()["facts"]
    fid = facts[0]["id"]
    r = c.post(f"/review/{SLUG}/decide", data={"action": "reject", "fact": fid}, headers=auth)
    assert r.status_code == 200 and r.json()["ok"]
    from graph.review.queue import ReviewQueue
    assert ReviewQueue(s).get(SLUG).decisions().facts[fid].action == "reject"


def test_cookie_writes_need_the_csrf_token(web):
    c, s = web
    csrf = login(c)
    from graph.review.queue import ReviewQueue
    fid = next(iter(ReviewQueue(s).get(SLUG).draft().facts))
    for bad in ({}, {"csrf": ""}, {"csrf": "0" * 64}):
        r = c.post(f"/review/{SLUG}/decide", data={"action": "accept", "fact": fid, **bad}, headers=HTML)
        assert r.status_code == 403, bad
    assert ReviewQueue(s).get(SLUG).decisions().facts == {}
    r = c.post(f"/review/{SLUG}/decide", data={"action": "accept", "fact": fid, "csrf": csrf},
               headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/review/{SLUG}#fact-{fid}"
    assert ReviewQueue(s).get(SLUG).decisions().facts[fid].action == "accept"


def test_login_redirect_stays_on_the_site(web):
    c, _ = web
    r = c.post("/review/login", data={"token": TOKEN, "next": "//evil.example/review"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/review"


# --- what the page shows ----------------------------------------------------------------------------

def test_the_draft_page_shows_text_mentions_facts_and_candidates_escaped(web, pristine, tmp_path):
    c, s = web
    login(c)
    r = c.get(f"/review/{SLUG}", headers=HTML)
    assert r.status_code == 200
    html = r.text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # mentions in the article text, linked to their entry; the new one marked as new
    assert re.search(r'<a class="mention mention-existing" href="#mention-\d+"[^>]*>Regional Environmental Centre for Central Asia</a>', html)
    assert re.search(r'<a class="mention mention-new"[^>]*>Ili-Balkhash Basin Inspectorate</a>', html)
    # each fact with its quoted sentence, the object's name marked in it
    assert "<mark>United Nations Development Programme</mark>" in html
    assert 'data-autocomplete="fill"' in html and '/static/review.js' in html
    # candidates with scores and a one-click relink
    assert "organisation:undp-kazakhstan" in html or "undp-kazakhstan" in html
    assert "0.70" in html


def test_hostile_draft_text_is_escaped(pristine, tmp_path):
    from app.main import create_app
    from graph.store import open_backend
    s = _workspace(pristine, tmp_path, admin_token=TOKEN)
    hostile = (FIX / "draft.trig").read_text(encoding="utf-8").replace(
        '"Workshop on basin planning in Astana"@en', '"<img src=x onerror=alert(1)>"@en')
    _queue_draft(s, hostile.encode())
    backend = open_backend(s)
    try:
        with TestClient(create_app(s, backend=backend), raise_server_exceptions=False) as c:
            html = c.get(f"/review/{SLUG}", headers={**HTML, "Authorization": f"Bearer {TOKEN}"}).text
            assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    finally:
        backend.close()


def test_unknown_draft_fact_and_relink_target_are_4xx(web):
    c, _ = web
    auth = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
    assert c.get("/review/no-such-draft", headers=auth).status_code == 404
    r = c.post(f"/review/{SLUG}/decide", data={"action": "accept", "fact": "nope"}, headers=auth)
    assert r.status_code == 422 and "no fact" in r.json()["detail"]
    r = c.post(f"/review/{SLUG}/decide", data={"action": "maybe", "fact": "nope"}, headers=auth)
    assert r.status_code == 422
    r = c.post(f"/review/{SLUG}/link", data={"mentioned": str(NEW_ORG), "target": "https://w3id.org/wckg/id/organisation/nobody"},
               headers=auth)
    assert r.status_code == 422 and "not in the graph" in r.json()["detail"]
    r = c.post(f"/review/{SLUG}/land", headers=auth)
    assert r.status_code == 409 and "not reviewed yet" in r.json()["detail"]


# --- a whole review --------------------------------------------------------------------------------

def test_review_and_land_through_the_web(web):
    c, s = web
    csrf = login(c)
    auth_json = {"Accept": "application/json", "Authorization": f"Bearer {TOKEN}"}
    facts = c.get(f"/review/{SLUG}", headers=auth_json).json()["facts"]
    undp = next(f["id"] for f in facts if f["object"] == str(UNDP))
    r = c.post(f"/review/{SLUG}/decide", data={"action": "reject", "fact": undp, "csrf": csrf}, headers=HTML)
    assert r.status_code == 200   # followed the redirect back to the page
    r = c.post(f"/review/{SLUG}/link", data={"mentioned": str(NEW_ORG), "csrf": csrf,
                                             "target": str(WCID["organisation/ministry-of-ecology-geology-and-natural-resources"])},
               headers=HTML)
    assert r.status_code == 200 and "mention-relinked" in r.text
    r = c.post(f"/review/{SLUG}/accept-above", data={"threshold": "0", "csrf": csrf}, headers=HTML)
    assert r.status_code == 200 and "0 pending" in r.text
    r = c.post(f"/review/{SLUG}/land", data={"csrf": csrf}, headers=HTML)
    assert r.status_code == 200, r.text
    assert "Landed" in r.text and f"/id/source/{SLUG}" in r.text
    g = Graph().parse(s.data_dir / "articles" / f"{SLUG}.ttl")
    assert (EVENT, WC.organiser, UNDP) not in g and (EVENT, RDF.type, WC.Meeting) in g
    # the new article's page is served from the rebuilt store
    assert c.get(f"/id/event/2021-03-02-workshop-basin-planning-astana", headers=HTML).status_code == 200


def test_a_failed_landing_shows_why_and_writes_nothing(pristine, tmp_path):
    from app.main import create_app
    from graph.store import open_backend
    s = _workspace(pristine, tmp_path, admin_token=TOKEN)
    bad = (FIX / "draft.trig").read_text(encoding="utf-8").replace(
        'wc:evidence "Astana, 3 March 2021', 'wc:evidence "Almaty, 3 March 2021', 1)
    _queue_draft(s, bad.encode())
    before = sorted(p.name for p in (s.data_dir / "articles").iterdir())
    backend = open_backend(s)
    try:
        with TestClient(create_app(s, backend=backend), raise_server_exceptions=False) as c:
            auth = {**HTML, "Authorization": f"Bearer {TOKEN}"}
            c.post(f"/review/{SLUG}/accept-above", data={"threshold": "0"}, headers=auth)
            r = c.post(f"/review/{SLUG}/land", headers=auth)
            assert r.status_code == 422
            assert "Nothing landed" in r.text and "Almaty" in r.text
    finally:
        backend.close()
    assert sorted(p.name for p in (s.data_dir / "articles").iterdir()) == before
    assert not (s.data_dir / "sources" / f"{SLUG}.txt").exists()
