"""/search, /search.json and /timeline(.json) on the fixture dataset of the page tests."""
from __future__ import annotations

import re
import warnings

import pytest

from graph.config import PROJECT_ROOT
from tests.conftest import make_settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "pages"
ID = "https://w3id.org/wckg/id/"
WC = "https://w3id.org/wckg/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def c(tmp_path_factory):
    from app.main import create_app
    from graph.build import build
    from graph.store import open_backend
    s = make_settings(tmp_path_factory.mktemp("pages-search") / "store", data_dir=FIXTURE)
    build(s, validate="none")
    b = open_backend(s)
    with TestClient(create_app(s, backend=b), raise_server_exceptions=False) as client:
        yield client
    b.close()


# --- search -----------------------------------------------------------------------------------

def test_search_json_acronym(c):
    r = c.get("/search.json", params={"q": "AWA"})
    assert r.status_code == 200
    first = r.json()["results"][0]
    assert first["iri"] == ID + "organisation/acme" and first["href"] == "/id/organisation/acme"
    assert first["label"] == "Acme Water Agency" and first["matched"] == "AWA" and first["kind"] == "organisation"


def test_search_by_accept_gives_json(c):
    r = c.get("/search", params={"q": "testl"}, headers={"Accept": "application/json"})
    assert r.headers["content-type"] == "application/json"
    assert r.json()["results"][0]["href"] == "/id/place/testland"


def test_search_page_lists_results_with_kind(c):
    html = c.get("/search", params={"q": "acme"}, headers={"Accept": BROWSER}).text
    assert 'href="/id/organisation/acme">Acme Water Agency</a>' in html
    assert "Organisation" in html
    assert 'value="acme"' in html


def test_search_escapes_labels_and_the_query(c):
    html = c.get("/search", params={"q": "evil"}, headers={"Accept": BROWSER}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    html = c.get("/search", params={"q": '"><script>alert(2)</script>'}, headers={"Accept": BROWSER}).text
    assert "<script>alert(2)" not in html


@pytest.mark.parametrize("q", ['"*(', "NEAR", "AND OR NOT", "*", "'; DROP TABLE label; --", "", "   ", "x" * 5000])
def test_hostile_queries_answer(c, q):
    r = c.get("/search.json", params={"q": q})
    assert r.status_code == 200 and isinstance(r.json()["results"], list)
    assert c.get("/search", params={"q": q}, headers={"Accept": BROWSER}).status_code == 200


def test_search_kind_filter(c):
    assert c.get("/search.json", params={"q": "testland", "kind": "organisation"}).json()["results"][0]["iri"] == \
        ID + "organisation/acme-testland"
    assert [x["iri"] for x in c.get("/search.json", params={"q": "testland", "kind": "place"}).json()["results"]] == \
        [ID + "place/testland"]
    r = c.get("/search.json", params={"q": "acme", "kind": "unicorn"})
    assert r.status_code == 422 and "kind" in r.text


def test_search_limit_is_checked(c):
    assert c.get("/search.json", params={"q": "a", "limit": 0}).status_code == 422
    assert c.get("/search.json", params={"q": "a", "limit": 1000}).status_code == 422


def test_class_hits_link_to_class_pages(c):
    hits = c.get("/search.json", params={"q": "memorandum of understanding", "kind": "class"}).json()["results"]
    assert hits[0]["href"] == "/classes/wc:MemorandumOfUnderstanding"


# --- timeline ---------------------------------------------------------------------------------

def test_timeline_page_groups_by_year_and_links(c):
    html = c.get("/timeline", headers={"Accept": BROWSER}).text
    assert html.index('id="year-2021"') < html.index('id="year-2019"')   # newest first by default
    asc = c.get("/timeline", params={"order": "asc"}, headers={"Accept": BROWSER}).text
    assert asc.index('id="year-2019"') < asc.index('id="year-2021"')
    assert 'href="/id/event/2021-03-01-acme-signing">Signing ceremony in Testville</a>' in html
    assert "1 March 2021" in html and "Signing ceremony" in html and ">Held<" in html
    assert 'href="/id/place/testville">Testville</a>' in html
    assert "3 items" in html


def test_timeline_chart_uses_the_vendored_library_only(c):
    html = c.get("/timeline", headers={"Accept": BROWSER}).text
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert all(src.startswith("/static/") for src in scripts)
    if "/static/vendor/vis-timeline/vis-timeline-graph2d.min.js" in scripts:
        assert "/static/timeline-view.js" in scripts and 'id="timeline-chart"' in html


def test_timeline_filter_selects_are_filled_from_the_data(c):
    html = c.get("/timeline", headers={"Accept": BROWSER}).text
    assert re.search(r'<option value="https://w3id.org/wckg/id/place/testland"\s*>Testland \(3\)</option>', html)
    assert f'<option value="{WC}MemorandumOfUnderstanding"' in html
    assert f'<option value="{ID}organisation/acme"' in html


def test_timeline_filters_and_selected_state(c):
    html = c.get("/timeline", params={"organisation": ID + "organisation/evil", "kind": WC + "Event"},
                 headers={"Accept": BROWSER}).text
    assert "1 item match the filters" in html
    assert f'<option value="{ID}organisation/evil" selected>' in html
    assert "Signing ceremony in Testville" in html and "Memorandum between" not in html


def test_a_filter_value_outside_the_offered_list_stays_selected(c):
    place = ID + "place/testville"   # not a country: not among the country choices
    html = c.get("/timeline", params={"country": place}, headers={"Accept": BROWSER}).text
    assert f'<option value="{place}" selected>Testville</option>' in html


def test_timeline_json_twin(c):
    data = c.get("/timeline.json", params={"country": ID + "place/testland", "order": "desc"}).json()
    assert data["count"] == 3 and data["total"] == 3
    assert [y["year"] for y in data["years"]] == ["2021", "2019"]
    assert data["years"][0]["items"][0]["iri"] == ID + "event/2021-03-01-acme-signing"
    assert data["years"][0]["items"][0]["href"] == "/id/event/2021-03-01-acme-signing"
    assert {f["label"] for f in data["facets"]["country"]} == {"Testland"}
    assert data["filters"]["country"] == ID + "place/testland"


@pytest.mark.parametrize("params", [{"country": "Testland"}, {"organisation": "javascript:alert(1)"},
                                    {"kind": "<x> } ; DROP ALL"}, {"order": "sideways"}, {"topic": "x" * 600}])
def test_bad_timeline_filters_are_422(c, params):
    for path in ("/timeline", "/timeline.json"):
        r = c.get(path, params=params, headers={"Accept": "application/json"})
        assert r.status_code == 422, (path, params, r.status_code)


def test_timeline_says_when_it_shows_only_the_newest(c, monkeypatch):
    from graph import describe as D
    monkeypatch.setattr(D, "TIMELINE_LIMIT", 2)
    html = c.get("/timeline", headers={"Accept": BROWSER}).text
    assert "The 2 newest of 3 items" in html
    assert c.get("/timeline.json").json()["total"] == 3


def test_empty_filter_values_mean_any(c):
    assert c.get("/timeline.json", params={"country": "", "kind": ""}).json()["count"] == 3


def test_timeline_links_each_year_and_its_range_to_the_network(c):
    html = c.get("/timeline", headers={"Accept": BROWSER}).text
    assert 'href="/network?from=2021&amp;to=2021"' in html
    assert 'class="network-link" href="/network"' in html
    ranged = c.get("/timeline", params={"from": 2019, "to": 2021}, headers={"Accept": BROWSER}).text
    assert 'class="network-link" href="/network?from=2019&amp;to=2021"' in ranged
    # and the network answers the link
    assert c.get("/network", params={"from": 2019, "to": 2021}, headers={"Accept": BROWSER}).status_code == 200
