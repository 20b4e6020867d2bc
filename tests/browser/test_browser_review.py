"""A real review in Chromium against a real uvicorn server on 127.0.0.1: log in with the
admin token, read a fact's sentence in the article, reject a fact, relink a new
organisation to one the graph holds by picking it from the search suggestions, accept the
rest and land — then open the landed article's page. No request leaves the machine, no
script error, no CSP violation (the ``page`` fixture checks)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT
from graph.namespaces import WC, WCID
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

FIX = PROJECT_ROOT / "tests" / "fixtures" / "review"
SLUG = "workshop-basin-planning-astana-2021"
TOKEN = "browser-review-token-93b1"
MINISTRY = "https://w3id.org/wckg/id/organisation/ministry-of-ecology-geology-and-natural-resources"


@pytest.fixture
def review_server(tmp_path, browser):
    """A server over a private copy of the data with the fixture draft queued."""
    from graph.review.queue import ReviewQueue, SourceMeta
    from graph.build import build
    from tests.browser.conftest import _app_helpers
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("drafts"))
    s = make_settings(tmp_path / "store", data_dir=tmp_path / "data", drafts_dir=tmp_path / "drafts")
    build(s, validate="none")
    ReviewQueue(s).add((FIX / "draft.trig").read_bytes(), (FIX / "article.txt").read_text(encoding="utf-8"),
                       SourceMeta(title="CAREC and UNDP hold a workshop on basin planning in Astana", published="2021-03-03"))
    helpers = _app_helpers()
    proc, url = helpers.start_server(s, tmp_path, WCKG_ADMIN_TOKEN=TOKEN, WCKG_DRAFTS_DIR=str(tmp_path / "drafts"))
    try:
        yield url, s
    finally:
        helpers.stop_server(proc)


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"review-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.shots.append(path)


def test_a_whole_review_in_the_browser(page, review_server, tmp_path):
    url, s = review_server
    from graph.review.queue import ReviewQueue
    draft = ReviewQueue(s).get(SLUG).draft()
    undp_fact = next(f.id for f in draft.facts.values() if f.object == WCID["organisation/undp"])

    # not logged in: the login form
    page.goto(url + "/review")
    assert page.locator("input[name=token]").count() == 1
    page.fill("input[name=token]", TOKEN)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(url + "/review")
    page.click(f"a[href='/review/{SLUG}']")
    page.wait_for_url(f"{url}/review/{SLUG}")
    assert page.locator("#article-text a.mention").count() == 4
    shot(page, tmp_path, "draft")

    # a fact's quote marks its sentence in the article text
    quote = page.locator(f"#fact-{undp_fact} blockquote.quote").first
    quote.click()
    shown = page.evaluate("document.getElementById('article-text').dataset.shown")
    b, e = (int(x) for x in shown.split("-"))
    text = (FIX / "article.txt").read_text(encoding="utf-8")
    assert text[b:e].startswith("Astana, 3 March 2021") and "United Nations Development Programme" in text[b:e]
    assert page.evaluate("!!(window.CSS && CSS.highlights && CSS.highlights.has('review-evidence'))")

    # reject the UNDP organiser
    page.locator(f"#fact-{undp_fact} button.reject").click()
    page.wait_for_url(f"**/review/{SLUG}#fact-{undp_fact}")
    assert "fact-reject" in page.locator(f"#fact-{undp_fact}").get_attribute("class")

    # relink the new body to the ministry, picked from the suggestions with the keyboard
    item = page.locator(".mention-item", has_text="Ili-Balkhash Basin Inspectorate")
    box = item.locator("input[type=text][name=target]")
    box.click()
    box.type("Ministry of Ecology", delay=30)
    page.wait_for_selector(".ac-list:not([hidden]) .ac-item")
    box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == MINISTRY
    item.locator("button", has_text="Relink").first.click()
    page.wait_for_url(f"**/review/{SLUG}#mentions")
    assert page.locator("#article-text a.mention-relinked").count() == 1

    # accept the rest and land
    page.fill("#threshold", "0")
    page.locator("form[action$='/accept-above'] button").click()
    page.wait_for_load_state()
    assert "0 pending" in page.locator(".counts").inner_text()
    page.locator("form.land-form button").click()
    page.wait_for_selector("text=Landed")
    shot(page, tmp_path, "landed")
    page.click(f"a[href='/id/source/{SLUG}']")
    page.wait_for_url(f"**/id/source/{SLUG}")
    assert page.locator("h1").inner_text().strip() == "CAREC and UNDP hold a workshop on basin planning in Astana"

    from rdflib import Graph, URIRef
    g = Graph().parse(s.data_dir / "articles" / f"{SLUG}.ttl")
    assert (URIRef(WCID["event/2021-03-02-workshop-basin-planning-astana"]), WC.organiser, WCID["organisation/undp"]) not in g
    assert (None, None, URIRef(MINISTRY)) in g
