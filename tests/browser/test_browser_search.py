"""The header search on every page type: its suggestions are styled (a floating list,
not a bullet list) and its button keeps its size; the home page's big box suggests too."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/sparql", "/queries", "/network", "/downloads", "/ontology", "/catalog", "/classes", "/search?q=undp"]


@pytest.mark.parametrize("path", PAGES)
def test_header_search_suggestions_are_styled_on_every_page(page, server, path):
    page.goto(server + path)
    page.wait_for_selector("#site-search-q[data-ac-attached]", state="attached")
    box = page.locator("#site-search-q")
    button = page.locator(".site-search button")
    width = button.bounding_box()["width"]
    assert width < 120, f"the Search button is {width:.0f}px wide on {path}"
    box.fill("undp")
    page.wait_for_selector(".site-search .ac-list:not([hidden]) .ac-item")
    assert page.eval_on_selector(".site-search .ac-list", "el => getComputedStyle(el).position") == "absolute"
    assert page.eval_on_selector(".site-search .ac-list", "el => getComputedStyle(el).listStyleType") == "none"
    assert button.bounding_box()["width"] < 120


def test_home_search_box_suggests(page, server):
    page.goto(server + "/")
    page.wait_for_selector("#home-search-q[data-ac-attached]", state="attached")
    page.locator("#home-search-q").fill("Tokaev")
    page.wait_for_selector(".hero-search .ac-list:not([hidden]) .ac-item")
    assert "Tokayev" in page.locator(".hero-search .ac-list").inner_text()
