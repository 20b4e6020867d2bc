"""The network view in a real Chromium: /network on a real uvicorn server — apply a filter
and the year range, click a node, land on its page — and the standalone view of a graph
whose label is full of HTML, to prove that tooltips show it as text.

Screenshots go under tmp_path and are copied to test-results/screenshots/.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

ID = "https://w3id.org/wckg/id/"
EDB = ID + "organisation/eurasian-development-bank"


def shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"network-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    page.shots.append(path)


def wait_ready(page) -> None:
    page.wait_for_selector("#network-canvas[data-ready='1'], [data-network-source][data-ready='1']", timeout=30_000)


def node_point(page, node_id: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    return page.evaluate("""(id) => {
        const net = window.wckgNetwork.network;
        const pos = net.getPositions([id])[id];
        const dom = net.canvasToDOM(pos);
        const box = document.querySelector('[data-network-source] canvas').getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y];
    }""", node_id)


def test_filter_year_range_and_click_a_node(server, page, tmp_path):
    page.goto(f"{server}/network")
    wait_ready(page)
    assert page.locator(".network-legend li").count() >= 3
    shot(page, tmp_path, "1-whole")

    # a filter (agreements only) and the year range (the slider drives the year field)
    page.check("input[name=relation][value=agreement]")
    page.locator("#net-from-range").fill("2025")
    assert page.input_value("#net-from") == "2025"
    page.fill("#net-to", "2025")
    with page.expect_navigation():
        page.click("#network-apply")
    assert "relation=agreement" in page.url and "from=2025" in page.url and "to=2025" in page.url
    wait_ready(page)
    shot(page, tmp_path, "2-filtered")
    ids = page.evaluate("window.wckgNetwork.data.nodes.map(n => n.id)")
    assert EDB in ids
    assert ID + "organisation/carec" not in ids          # 2017 only: out of the range

    # hover shows the tooltip as text; a click opens the entity page
    x, y = node_point(page, EDB)
    page.mouse.move(x, y)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    assert "Eurasian Development Bank" in page.inner_text("div.vis-tooltip")
    shot(page, tmp_path, "3-tooltip")
    with page.expect_navigation() as nav:
        page.mouse.click(x, y)
    assert page.url == f"{server}/id/organisation/eurasian-development-bank"
    assert nav.value.status == 200
    assert "Eurasian Development Bank" in page.inner_text("h1")
    shot(page, tmp_path, "4-entity-page")


def test_ego_view_and_no_match_view(server, page, tmp_path):
    page.goto(f"{server}/network/organisation/eurasian-development-bank?depth=2")
    wait_ready(page)
    focus = page.evaluate("window.wckgNetwork.data.nodes.filter(n => n.focus).map(n => n.id)")
    assert focus == [EDB]
    shot(page, tmp_path, "5-ego")
    page.goto(f"{server}/network?from=2090&to=2095")
    assert page.is_visible("#network-empty")
    assert page.locator("#network-canvas").count() == 0
    shot(page, tmp_path, "6-empty")


def test_tooltips_show_html_in_labels_as_text(page, tmp_path):
    """vis-network renders a string title as HTML: the view builds tooltips from text."""
    from graph import netview
    from graph import network as N
    spec = importlib.util.spec_from_file_location("_net_tests", PROJECT_ROOT / "tests" / "test_network.py")
    tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tests)
    data = N.fetch_graph_data(tests.OxBackend(tests.FIXTURE))
    G = N.partnership_network(data)
    html = netview.render_standalone(G, N.compute_metrics(G))
    path = tmp_path / "hostile.html"
    path.write_text(html)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    wait_ready(page)
    evil = ID + "organisation/evil"
    x, y = node_point(page, evil)
    page.mouse.move(x, y)
    tip = page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    shot(page, tmp_path, "7-hostile-tooltip")
    assert tests.HOSTILE in tip.inner_text()
    assert tip.query_selector("b") is None and tip.query_selector("script") is None
    assert dialogs == []
