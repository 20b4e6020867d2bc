"""The network view in a real Chromium: /network on a real uvicorn server — apply a filter
and the year range, click a node, land on its page — and the standalone view of a graph
whose label is full of HTML, to prove that tooltips show it as text.

Screenshots go under tmp_path and are copied to test-results/screenshots/.
"""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = PROJECT_ROOT / "test-results" / "screenshots"
ID = "https://w3id.org/wckg/id/"
EDB = ID + "organisation/eurasian-development-bank"


def _app_conftest():
    """start_server/stop_server of tests/app/conftest.py (this folder cannot see its fixtures)."""
    spec = importlib.util.spec_from_file_location("_wckg_app_conftest", PROJECT_ROOT / "tests" / "app" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def server(settings, built_store, tmp_path_factory):
    helpers = _app_conftest()
    proc, url = helpers.start_server(settings, tmp_path_factory.mktemp("network-server"))
    try:
        yield url
    finally:
        helpers.stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.shots = []                      # type: ignore[attr-defined]
    external = []
    pg.on("request", lambda r: external.append(r.url)
          if not r.url.startswith(("http://127.0.0.1", "file://", "data:")) else None)
    yield pg
    context.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in pg.shots:              # type: ignore[attr-defined]
        shutil.copy(shot, SHOTS / shot.name)
    assert external == [], f"requests left the machine: {external}"


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
