"""The linked-data pages in a real Chromium against a real uvicorn server on 127.0.0.1, on
the curated data: follow a timeline link to an event and read its evidence, pick the
Eurasian Development Bank from the header search's suggestions for "EDB" with the
keyboard, filter the timeline — with no request leaving the machine, no CSP violation
and no script error.

Screenshots go under tmp_path and are copied to test-results/screenshots/ for humans.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def shot(page, tmp_path: Path, name: str, full_page: bool = False) -> None:
    path = tmp_path / f"pages-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    page.shots.append(path)


def test_follow_a_timeline_link_to_an_event_and_read_its_evidence(page, server, tmp_path):
    page.goto(server + "/timeline")
    link = page.locator(".timeline-item a[href^='/id/event/']").first
    label = link.inner_text().strip()
    link.click()
    page.wait_for_url("**/id/event/**")
    assert page.locator("h1").inner_text().strip() == label
    evidence = page.locator("#evidence")
    evidence.scroll_into_view_if_needed()
    sentences = evidence.locator("blockquote.evidence-sentence")
    assert sentences.count() >= 1 and len(sentences.first.inner_text().strip()) > 20
    # the source article is a link to its page, with its date
    source = evidence.locator(".evidence-source h3 a").first
    assert source.get_attribute("href").startswith("/id/source/")
    assert evidence.locator(".evidence-source time").count() >= 1
    shot(page, tmp_path, "event-evidence", full_page=True)
    source.click()
    page.wait_for_url("**/id/source/**")
    assert page.locator(".source-text a.mention").count() >= 3
    assert "@" not in page.locator(".source-text").inner_text()
    shot(page, tmp_path, "source-text", full_page=True)


def test_header_search_autocomplete_picks_the_eurasian_development_bank(page, server, tmp_path):
    page.goto(server + "/timeline")
    box = page.locator("#site-search-q")
    box.click()
    page.keyboard.type("EDB", delay=60)
    first = page.locator(".site-search .ac-list .ac-item").first
    # the list shows the answers for "E" and "ED" while typing: wait for those of "EDB"
    expect(first).to_contain_text("Eurasian Development Bank", timeout=10_000)
    assert box.get_attribute("aria-expanded") == "true"
    shot(page, tmp_path, "autocomplete-edb")
    page.keyboard.press("ArrowDown")
    assert first.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    page.wait_for_url("**/id/organisation/**")
    assert page.locator("h1").inner_text().strip() == "Eurasian Development Bank"
    assert "EDB" in page.locator(".labels").inner_text()
    shot(page, tmp_path, "edb-page", full_page=True)
    # Escape closes the list; Enter without a choice submits the search form
    box = page.locator("#site-search-q")
    box.fill("")
    box.click()
    page.keyboard.type("undp", delay=40)
    page.locator(".site-search .ac-list .ac-item").first.wait_for(state="visible", timeout=5000)
    page.keyboard.press("Escape")
    assert page.locator(".site-search .ac-list").is_hidden()
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=undp")
    assert page.locator(".search-results li").count() >= 1


def test_timeline_filter_by_kind(page, server, tmp_path):
    page.goto(server + "/timeline")
    total = page.locator(".timeline-item").count()
    assert total >= 2
    options = page.locator("#f-kind option").all_inner_texts()
    consultation = next(o for o in options if o.startswith("Consultation"))
    page.select_option("#f-kind", label=consultation)
    page.locator("#timeline-filters button[type=submit]").click()
    page.wait_for_url("**/timeline?**kind=**")
    items = page.locator(".timeline-item")
    n = items.count()
    assert 0 < n < total
    assert n == int(consultation.rsplit("(", 1)[1].rstrip(")"))
    assert set(items.locator(".kind").all_inner_texts()) == {"CONSULTATION"} or \
        {k.lower() for k in items.locator(".kind").all_inner_texts()} == {"consultation"}
    # the choice stays selected, and "clear" brings everything back
    assert page.locator("#f-kind option:checked").inner_text() == consultation
    shot(page, tmp_path, "timeline-filtered", full_page=True)
    page.locator("#timeline-filters a", has_text="clear").click()
    page.wait_for_url("**/timeline")
    assert page.locator(".timeline-item").count() == total


def test_timeline_chart_from_the_vendored_library_opens_an_item(page, server, tmp_path):
    page.goto(server + "/timeline")
    page.wait_for_selector("#timeline-vis[data-ready]", timeout=15_000)
    items = page.locator("#timeline-vis .vis-item.vis-point")
    items.first.wait_for(state="visible", timeout=15_000)
    # every listed item is on the chart (the library draws only those in view: count the data)
    assert int(page.locator("#timeline-vis").get_attribute("data-items")) == page.locator(".timeline-item").count()
    # the library came from this site (the page fixture also fails on any outside request)
    assert page.evaluate("typeof window.vis.Timeline") == "function"
    shot(page, tmp_path, "timeline-chart")
    items.locator(".vis-item-content").first.click()
    page.wait_for_url("**/id/**")
    assert page.locator("h1").count() == 1
