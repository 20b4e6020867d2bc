"""The map and the network's year slider in a real Chromium (Debian's), against a real
uvicorn server: the map draws Natural Earth boundaries and markers with no request leaving
the machine, its filters redraw without reloading, a marker opens a popup that links to its
page; the network's year slider redraws the chosen span. Screenshots go to
test-results/screenshots/."""
from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    page.shots.append(path)


def test_map_draws_offline_and_filters_without_reloading(server, page, tmp_path):
    page.goto(f"{server}/map")
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    assert page.get_attribute("#map", "data-boundaries-error") is None
    # the boundaries are drawn (an SVG or canvas path per country) and markers exist
    total = int(page.get_attribute("#map", "data-markers"))
    assert total >= 5
    shot(page, tmp_path, "map-1-all")
    page.evaluate("window.__stay = 1")
    # events only, 2017: redrawn in place (the page was not reloaded)
    page.uncheck("input[name=kind][value=organisations]")
    page.uncheck("input[name=kind][value=agreement]")
    page.uncheck("input[name=kind][value=basin]")
    page.fill("#map-from", "2017")
    page.fill("#map-to", "2017")
    page.dispatch_event("#map-to", "change")
    events_2017 = int(page.get_attribute("#map", "data-markers"))
    assert 0 < events_2017 < total
    assert page.evaluate("window.__stay") == 1
    assert "from=2017" in page.url and "kind=event" in page.url
    assert page.text_content("#map-status").startswith(f"{events_2017} of ")
    shot(page, tmp_path, "map-2-events-2017")
    # open the consultations at Tashkent: zoom on it and click its marker
    page.locator("#map").scroll_into_view_if_needed()
    page.evaluate("() => { window.wckgMap.map.setView([41.2995, 69.2401], 9, {animate: false}); }")
    page.wait_for_timeout(300)
    x, y = page.evaluate("""() => {
        const m = window.wckgMap.map, r = m.getContainer().getBoundingClientRect();
        const p = m.latLngToContainerPoint([41.2995, 69.2401]);
        return [r.left + p.x, r.top + p.y];
    }""")
    page.mouse.click(x, y)
    page.wait_for_selector(".map-popup a", timeout=10_000)
    href = page.get_attribute(".map-popup a", "href")
    assert href.startswith("/id/event/")
    shot(page, tmp_path, "map-3-popup")
    with page.expect_navigation():
        page.click(".map-popup a")
    assert "/id/event/" in page.url


def test_network_year_slider_redraws_the_span(server, page, tmp_path):
    page.goto(f"{server}/network?weak=true")
    page.wait_for_selector("#network-canvas[data-ready='1']", timeout=30_000)
    page.wait_for_selector("#year-slider:not([hidden])")
    lo = int(page.get_attribute("#year-slider", "data-min"))
    hi = int(page.get_attribute("#year-slider", "data-max"))
    assert lo <= 2017 and hi >= 2025
    page.evaluate("window.__stay = 1")
    visible = "window.wckgNetwork.edges.get({filter: e => !e.hidden}).length"
    all_edges = page.evaluate(visible)
    page.locator("#span-from").fill("2025")
    page.locator("#span-to").fill("2025")
    assert page.get_attribute("#year-slider", "data-span") == "2025:2025"
    in_2025 = page.evaluate(visible)
    assert 0 < in_2025 < all_edges
    assert page.evaluate("window.__stay") == 1
    assert "2025" in page.text_content("#span-status")
    assert "from=2025" in page.get_attribute("#span-timeline", "href")
    shot(page, tmp_path, "network-slider-2025")
    page.locator("#span-from").fill("2017")
    page.locator("#span-to").fill("2017")
    in_2017 = page.evaluate(visible)
    hidden_nodes = page.evaluate("window.wckgNetwork.nodes.get({filter: n => n.hidden}).length")
    assert in_2017 >= 0 and hidden_nodes > 0
    shot(page, tmp_path, "network-slider-2017")
    # the timeline of the same span
    with page.expect_navigation():
        page.click("#span-timeline")
    assert "from=2017" in page.url and "to=2017" in page.url


def test_indicator_pages_show_the_plot_and_the_evidence(server, page, tmp_path):
    page.goto(f"{server}/indicators")
    assert page.locator("#bar-codes tbody tr").count() >= 10
    page.select_option("#i-kind", "country")
    page.fill("#i-value", "kazakhstan")
    with page.expect_navigation():
        page.click("#intensity-form button[type=submit]")
    assert "/indicators/intensity?kind=country&value=kazakhstan" in page.url
    plot = page.locator("#intensity-plot")
    assert plot.is_visible() and page.locator("#intensity-plot rect.bar").count() >= 4
    box = plot.bounding_box()
    assert box["width"] > 300 and box["height"] > 80
    shot(page, tmp_path, "indicators-intensity-kazakhstan")
    page.goto(f"{server}/indicators/arrangements?kind=pair&value=kazakhstan,china")
    assert page.get_attribute("#criterion-joint-plans", "data-held") == "yes"
    assert "PowerChina" in page.text_content("#criterion-joint-plans blockquote")
    shot(page, tmp_path, "indicators-arrangements-kazakhstan-china")
