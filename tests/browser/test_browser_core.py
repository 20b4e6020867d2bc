"""The core pages in a real Chromium against a real uvicorn server on 127.0.0.1: the home
page, the YASGUI editor running a query and showing rows, an example tab, a syntax error
with its position, a named-query form, and the local API docs — with no request leaving
the machine, no CSP violation and no script error.

Screenshots go under tmp_path and are copied to test-results/screenshots/ for humans.
"""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

UNDP = "https://w3id.org/wckg/id/organisation/undp"


def shot(page, tmp_path: Path, name: str, full_page: bool = False) -> None:
    path = tmp_path / f"core-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    page.shots.append(path)


def test_home_page(page, server, tmp_path):
    page.goto(server + "/")
    assert page.title().startswith("Water Cooperation Knowledge Graph")
    counts = page.locator(".count-list li")
    assert counts.count() >= 6
    assert int(page.locator(".count-number").first.inner_text().replace(",", "")) > 0
    assert page.locator("nav.site-nav a").all_inner_texts() == [
        "Home", "SPARQL", "Queries", "Timeline", "Network", "Map", "Indicators", "Downloads", "Ontology"]
    shot(page, tmp_path, "home", full_page=True)
    page.locator("#home-search-q").fill("UNDP")
    page.locator(".hero-search button").click()
    page.wait_for_url("**/search?q=UNDP")


def run_in_yasgui(page, query: str) -> None:
    page.evaluate("q => window.wckgYasgui.getTab().getYasqe().setValue(q)", query)
    page.locator(".yasqe_queryButton:visible").click()


def test_yasgui_runs_a_query_and_shows_rows(page, server, tmp_path):
    page.goto(server + "/sparql")
    page.wait_for_selector(".yasgui .CodeMirror", timeout=30_000)
    # the core prefixes are in the editor, the endpoint is this site's
    text = page.evaluate("window.wckgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX wc: <https://w3id.org/wckg/ontology#>" in text
    assert page.evaluate("window.wckgYasgui.getTab().getEndpoint()") == server + "/sparql"
    run_in_yasgui(page, "PREFIX wc: <https://w3id.org/wckg/ontology#>\n"
                        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                        "SELECT ?org ?name WHERE {\n  ?org a/rdfs:subClassOf* wc:Organisation ;\n"
                        "       skos:prefLabel ?name .\n  FILTER(LANG(?name) = 'en')\n} ORDER BY ?name")
    rows = page.locator(".yasr:visible table tbody tr")
    rows.first.wait_for(timeout=30_000)
    assert rows.count() > 5
    assert page.locator(".yasr").get_by_text("United Nations Development Programme").count() >= 1
    shot(page, tmp_path, "sparql-results", full_page=True)
    # a result IRI of the dataset opens its page on this site
    page.locator(".yasr:visible a[href='https://w3id.org/wckg/id/organisation/undp']").first.click()
    page.wait_for_url("**/id/organisation/undp")


def test_yasgui_shows_the_syntax_error_position(page, server, tmp_path):
    page.goto(server + "/sparql")
    page.wait_for_selector(".yasgui .CodeMirror", timeout=30_000)
    # YASQE's own checker would block an obviously broken query: this one passes it but not
    # the engine (an undeclared prefix), so the server's message, with its position, is shown
    run_in_yasgui(page, "SELECT * WHERE { ?s nope:p ?o }")
    err = page.locator(".yasr .errorResult, .yasr .error")
    err.first.wait_for(timeout=30_000)
    message = err.first.inner_text()
    assert "Malformed query" in message and "error at 1:" in message, message
    shot(page, tmp_path, "sparql-error", full_page=True)


def test_example_opens_in_a_new_tab_and_runs(page, server, tmp_path):
    page.goto(server + "/sparql")
    page.wait_for_selector(".yasgui .CodeMirror", timeout=30_000)
    before = page.locator(".yasgui .tabsList .tab").count()
    page.locator("details.examples summary").click()
    page.get_by_role("button", name="Partners of an organisation (CQ7)").click()
    page.wait_for_function(f"document.querySelectorAll('.yasgui .tabsList .tab').length > {before}")
    text = page.evaluate("window.wckgYasgui.getTab().getYasqe().getValue()")
    assert f"VALUES (?org ?units) {{ (<{UNDP}>" in text
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr:visible table tbody tr").first.wait_for(timeout=30_000)
    assert page.locator(".yasr:visible table tbody tr").count() > 0
    # a wide result scrolls inside the editor: the page keeps the width of the window
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    shot(page, tmp_path, "sparql-example", full_page=True)


def test_named_query_form_and_link_to_entity(page, server, tmp_path):
    page.goto(server + "/queries")
    shot(page, tmp_path, "queries-list")
    page.get_by_role("link", name="Partners of an organisation (CQ7)").click()
    page.wait_for_url("**/queries/cq7-partners-of-organisation")
    assert page.locator("#param-org").input_value() == UNDP
    page.get_by_role("button", name="Run query").click()
    page.wait_for_selector(".results-table tbody tr")
    assert page.locator(".results-table tbody tr").count() > 0
    shot(page, tmp_path, "named-query")
    page.locator(".results-table a[href='/id/organisation/undp']").first.click()
    page.wait_for_url("**/id/organisation/undp")


def test_named_query_bad_parameter_is_shown_at_the_field(page, server, tmp_path):
    page.goto(server + "/queries/cq7-partners-of-organisation")
    page.locator("#param-org").fill("not an iri")
    page.get_by_role("button", name="Run query").click()
    msg = page.locator(".param-error .param-message")
    msg.wait_for()
    assert "not an absolute IRI" in msg.inner_text()
    shot(page, tmp_path, "named-query-error")


def test_api_docs_render_from_local_assets(page, server, tmp_path):
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() >= 5
    shot(page, tmp_path, "api-docs")


def test_shared_link_opens_and_runs_the_query(page, server, tmp_path):
    """A link to /sparql?query=... (what the share button and named-query pages produce)
    opens the editor with that query in a tab and runs it."""
    from urllib.parse import quote
    query = ("PREFIX wc: <https://w3id.org/wckg/ontology#>\n"
             "SELECT ?meeting WHERE { ?meeting a wc:Meeting } ORDER BY ?meeting")
    page.goto(f"{server}/sparql#query={quote(query, safe='')}")
    page.wait_for_selector(".yasgui .CodeMirror", timeout=30_000)
    assert page.evaluate("window.wckgYasgui.getTab().getYasqe().getValue()") == query
    rows = page.locator(".yasr:visible table tbody tr")
    rows.first.wait_for(timeout=30_000)
    assert rows.count() >= 1
    shot(page, tmp_path, "sparql-shared-link")


def test_editor_says_when_the_row_cap_cut_a_result(browser, start_app, keep_shot, tmp_path):
    """The cap is announced by a response header; the page shows it above the editor."""
    url = start_app(WCKG_MAX_ROWS="5")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(url + "/sparql")
        page.wait_for_selector(".yasgui .CodeMirror", timeout=30_000)
        notice = page.locator("#sparql-notice")
        assert notice.is_hidden()
        run_in_yasgui(page, "SELECT * WHERE { ?s ?p ?o }")
        notice.wait_for(state="visible", timeout=30_000)
        assert "cut at 5 rows" in notice.inner_text()
        assert page.locator(".yasr:visible table tbody tr").count() == 5
        path = tmp_path / "core-sparql-row-cap.png"
        page.screenshot(path=str(path))
        keep_shot(path)
        run_in_yasgui(page, "ASK { ?s ?p ?o }")
        notice.wait_for(state="hidden", timeout=30_000)
    finally:
        context.close()
