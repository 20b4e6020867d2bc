"""Benchmark of the issue-14 views in headless Chromium (a benchmark, not a test).

    python bench/bench_views.py                     # network 5,000 / 20,000 and map 10,000
    python bench/bench_views.py --orgs 5000 --links 20000 --markers 10000 --repeat 3
    python bench/bench_views.py --indicators-scale 100k   # also the indicator pages on bench/generate.py data

What is timed:

1. **network** — a synthetic partnership network of ``--orgs`` organisations and
   ``--links`` links (seeded; each link with one evidence entry, dated 2010–2025, as the
   builder makes them): metrics and server-side positions (``view_data``), then the
   standalone page (vis-network, every node: ``max_nodes`` = orgs) in Debian's Chromium,
   from navigation to the view's ``data-ready`` (first drawing done, physics off), and a
   year-slider step (the span 2020–2021) in the page.
2. **map** — ``--markers`` synthetic events over Central Asia rendered with the real /map
   template, ``map.js``, Leaflet, the marker-cluster plugin and the world-atlas
   boundaries, served by a local HTTP server (127.0.0.1): navigation to ``data-ready``
   (boundaries drawn and markers clustered), then a filter change.
3. **indicators** (``--indicators-scale``) — the /indicators pages through the web app on
   a store of bench/generate.py data: first request (codes computed, once per build) and
   the next ones (served from the per-build cache).

Figures are printed and written to ``bench/out/views.json``.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def synthetic_network(orgs: int, links: int, seed: int = 7):
    import networkx as nx

    from graph.network import ORG_KINDS
    rnd = random.Random(seed)
    kinds = [k for k in ORG_KINDS if k not in ("person", "state")]
    G = nx.Graph(network="partnership")
    ids = [f"https://w3id.org/wckg/id/organisation/org-{i:05d}" for i in range(orgs)]
    for i, n in enumerate(ids):
        G.add_node(n, label=f"Organisation {i}", node_type="organisation", kind=rnd.choice(kinds),
                   kind_label="", country=f"https://w3id.org/wckg/id/place/c{i % 40}", country_label=f"Country {i % 40}")
    # preferential attachment-like endpoints, so that there are hubs and communities
    while G.number_of_edges() < links:
        u = ids[int(orgs * rnd.random() ** 2)]
        v = ids[rnd.randrange(orgs)]
        if u == v or G.has_edge(u, v):
            continue
        y = rnd.randint(2010, 2025)
        tie = rnd.choice(["co-signed", "funded", "co-implemented", "co-attended"])
        w = rnd.choice([1.0, 0.5, 0.125])
        G.add_edge(u, v, weight=w, count=1, ties=tie, strength="weak" if tie == "co-attended" else "strong",
                   kinds="agreement", first_year=y, last_year=y,
                   evidence=[{"kind": "agreement", "type": "MemorandumOfUnderstanding", "resource": f"urn:a:{u[-5:]}-{v[-5:]}",
                              "label": "A memorandum", "date": str(y), "year_from": y, "year_to": y, "source": None,
                              "roles": ["party", "party"], "tie": tie, "strength": "strong", "weight": w,
                              "sentence": "Organisation A and Organisation B signed a memorandum."}])
    return G


def time_network(orgs: int, links: int, repeat: int, out_dir: Path) -> dict:
    from graph import netview
    from graph import network as N
    G = synthetic_network(orgs, links)
    t0 = time.perf_counter()
    m = N.compute_metrics(G)
    metrics_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = netview.render_standalone(G, m, title="bench")
    render_s = time.perf_counter() - t0
    # every node in the view (the default view caps at MAX_NODES = 1500)
    html_all = netview.render_standalone(G, m, title="bench-all", max_nodes=orgs, max_edges=links)
    for name, text in (("network-default.html", html), ("network-all.html", html_all)):
        (out_dir / name).write_text(text, encoding="utf-8")
    res = {"orgs": orgs, "links": links, "metrics_s": round(metrics_s, 3), "render_s": round(render_s, 3)}
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for name in ("network-default.html", "network-all.html"):
            times = []
            for _ in range(repeat):
                page = b.new_page(viewport={"width": 1280, "height": 900})
                t0 = time.perf_counter()
                page.goto((out_dir / name).as_uri())
                page.wait_for_selector("[data-network-source][data-ready='1']", timeout=120_000)
                times.append(time.perf_counter() - t0)
                shown = page.evaluate("[window.wckgNetwork.data.nodes.length, window.wckgNetwork.data.edges.length]")
                page.close()
            res[name.removesuffix(".html") + "_ready_s"] = [round(t, 3) for t in times]
            res[name.removesuffix(".html") + "_shown"] = shown
        b.close()
    return res


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args, **kwargs):
            pass
    handler = functools.partial(Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def time_map(markers: int, repeat: int, out_dir: Path) -> dict:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from graph import mapdata as M
    from graph.network.view import json_for_script
    rnd = random.Random(11)
    feats = []
    for i in range(markers):
        y = rnd.randint(2000, 2025)
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(rnd.uniform(50, 88), 4), round(rnd.uniform(35, 55), 4)]},
                      "properties": {"iri": f"https://w3id.org/wckg/id/event/e{i}", "url": f"/id/event/e{i}", "label": f"Event {i}",
                                     "layer": rnd.choice(["event", "event", "agreement"]), "type": "Meeting", "date": str(y),
                                     "year_from": y, "year_to": y, "place": "", "place_label": "Somewhere", "topics": [],
                                     "sources": [], "evidence": "A sentence."}})
    data = {"type": "FeatureCollection", "features": feats, "layers": M.LAYERS, "topics": {}, "years": [2000, 2025]}
    site = out_dir / "site"
    if site.exists():
        shutil.rmtree(site)
    (site / "static" / "vendor").mkdir(parents=True)
    for prefix, folder in (("leaflet", "leaflet/dist"), ("leaflet.markercluster", "leaflet.markercluster/dist"),
                           ("topojson-client", "topojson-client/dist"), ("world-atlas", "world-atlas")):
        (site / "static" / "vendor" / prefix).symlink_to(ROOT / "node_modules" / folder)
    for f in ("map.js", "map.css"):
        (site / "static" / f).symlink_to(ROOT / "app" / "static" / f)
    # the page's own block of the real template (the site chrome is left out)
    env = Environment(loader=FileSystemLoader(str(ROOT / "app" / "templates")), autoescape=select_autoescape(default=True))
    src = (ROOT / "app" / "templates" / "map.html").read_text()
    head = src.split("{% block head %}")[1].split("{% endblock %}")[0]
    body = src.split("{% block content %}")[1].split("{% endblock %}")[0]
    scripts = src.split("{% block scripts %}")[1].split("{% endblock %}")[0]
    tpl = env.from_string("<!doctype html><html><head><meta charset='utf-8'>" + head + "</head><body>" + body + scripts + "</body></html>")
    html = tpl.render(data_json=json_for_script(data), layers=M.LAYERS, topics={}, years=(2000, 2025),
                      filters=M.MapFilters(), count=markers, shown=markers, vendor_missing=[])
    (site / "index.html").write_text(html, encoding="utf-8")
    httpd, url = serve(site)
    res = {"markers": markers, "page_bytes": len(html.encode())}
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            times, filt, phases = [], [], []
            for _ in range(repeat):
                page = b.new_page(viewport={"width": 1280, "height": 900})
                t0 = time.perf_counter()
                page.goto(url + "/index.html")
                page.wait_for_selector("#map[data-ready='1']", timeout=120_000)
                times.append(time.perf_counter() - t0)
                phases.append(page.evaluate("""() => { const t = performance.getEntriesByType('navigation')[0];
                    return {response_end: Math.round(t.responseEnd), dom_content_loaded: Math.round(t.domContentLoadedEventEnd),
                            ready: Math.round(performance.now()),
                            marks: Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)]))}; }"""))
                assert page.get_attribute("#map", "data-boundaries-error") is None
                t1 = time.perf_counter()
                page.uncheck("input[name=kind][value=agreement]")
                page.wait_for_function(f"document.getElementById('map').getAttribute('data-markers') !== '{markers}'")
                filt.append(time.perf_counter() - t1)
                page.close()
            b.close()
        res["ready_s"] = [round(t, 3) for t in times]
        res["filter_redraw_s"] = [round(t, 3) for t in filt]
        res["phases_ms"] = phases
    finally:
        httpd.shutdown()
    return res


def time_indicators(scale: str, repeat: int) -> dict:
    import subprocess

    from fastapi.testclient import TestClient

    from app.main import create_app
    from graph.config import Settings
    from graph.build import build, is_up_to_date
    base = Path(tempfile.gettempdir()) / "wckg-views-bench"
    data_dir, store = base / scale, base / f"store-{scale}"
    if not (data_dir / "manifest.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", scale, "--out", str(data_dir),
                        "--quiet"], check=True)
    settings = Settings(_env_file=None, data_dir=data_dir, store=store, backend="embedded",
                        ontology_dir=ROOT / "ontology", queries_dir=ROOT / "queries", query_workers=2,
                        query_timeout=600)
    if not is_up_to_date(settings):
        build(settings, validate="none")
    res: dict = {"scale": scale}
    with TestClient(create_app(settings)) as c:
        res["triples"] = c.app.state.backend.info().triples if hasattr(c.app.state, "backend") else None
        from graph import indicators as I
        data = I.cached(c.app.state.backend) if hasattr(c.app.state, "backend") else None
        country = next(iter(data.countries)).rsplit("/", 1)[-1] if data and data.countries else "kazakhstan"
        urls = ["/indicators", f"/indicators/intensity?kind=country&value={country}",
                f"/indicators/intensity.csv?kind=country&value={country}"]
        for u in urls:
            ts = []
            for _ in range(repeat + 1):
                t0 = time.perf_counter()
                r = c.get(u, headers={"accept": "text/html"})
                ts.append(round(time.perf_counter() - t0, 3))
                assert r.status_code == 200, (u, r.status_code, r.text[:300])
            res[u] = {"first_s": ts[0], "next_s": ts[1:]}
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orgs", type=int, default=5000)
    ap.add_argument("--links", type=int, default=20000)
    ap.add_argument("--markers", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--indicators-scale", default=None, help="bench/generate.py scale for the indicator pages (e.g. 100k, 1m)")
    ap.add_argument("--skip-network", action="store_true")
    ap.add_argument("--skip-map", action="store_true")
    a = ap.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="wckg-views-"))
    figures: dict = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "python": platform.python_version(),
                     "cpus": os.cpu_count(), "loadavg_start": os.getloadavg()}
    if not a.skip_network:
        figures["network"] = time_network(a.orgs, a.links, a.repeat, out)
        print(json.dumps(figures["network"], indent=1), flush=True)
    if not a.skip_map:
        figures["map"] = time_map(a.markers, a.repeat, out)
        print(json.dumps(figures["map"], indent=1), flush=True)
    if a.indicators_scale:
        figures["indicators"] = time_indicators(a.indicators_scale, a.repeat)
        print(json.dumps(figures["indicators"], indent=1), flush=True)
    figures["loadavg_end"] = os.getloadavg()
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "views.json").write_text(json.dumps(figures, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
