"""Benchmark of the partnership network on a synthetic graph (a benchmark, not a test).

    python bench/bench_network.py --scale 1m                # generate, build, measure
    python bench/bench_network.py --data /tmp/wckg-bench/1m --browser

Steps and what is timed:

1. ``bench/generate.py`` writes the synthetic data (skipped when ``--data`` has it);
2. ``wckg build`` into a store of its own (``--store``; skipped when it is up to date);
3. through the project's backend (``open_backend``, worker processes and all):
   fetch (the network's SPARQL SELECTs), partnership network, every metric
   (betweenness sampled over ``--betweenness-sample`` sources past
   ``EXACT_BETWEENNESS_MAX`` nodes), per-year slices, exports (GEXF, GraphML, JSON, CSV,
   metrics RDF), the view data and the standalone HTML page;
4. with ``--browser``: the standalone page in Chromium (Debian's ``/usr/bin/chromium``),
   from navigation to "interactive" (the view script's ``data-ready``, set after the
   first drawing), for the aggregated default view and for a view of every node.

Figures go to ``bench/out/network-{scale}.json`` and are printed.

Before and after the network table (issue 13), in one run, on a store already built::

    python bench/bench_network.py --data /work/bench-data/1m --store /tmp/net-1m/store --compare /work/main

runs each phase in a fresh process, the "before" ones on the code of the checkout given
(main as it is), the "after" ones on this one: the partnership network with all metrics
(before: fetch + build + metrics; after: the build's network table, the same plus the
index, and its write and load), the ego network (with metrics) of the biggest hub and of
a leaf, then a real ``uvicorn`` server per side and the first view of ``/network``, of the
hub's and the leaf's ego page, with the slowest answer of ``/-/version`` asked every 0.25 s
meanwhile (how long the web process was blocked). Figures go to
``bench/out/network-compare-{name}.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(figures: dict, key: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    figures[key] = round(time.perf_counter() - t0, 3)
    print(f"  {key:<32} {figures[key]:8.3f} s", flush=True)
    return result


def browser_time(html_path: Path, timeout_s: float = 120.0) -> dict:
    """Seconds from navigation to the view's data-ready, and to a hover tooltip."""
    from playwright.sync_api import sync_playwright
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=args, headless=True)
        page = b.new_page(viewport={"width": 1280, "height": 900})
        t0 = time.perf_counter()
        page.goto(html_path.as_uri(), timeout=timeout_s * 1000)
        page.wait_for_selector("[data-network-source][data-ready='1']", timeout=timeout_s * 1000)
        ready = time.perf_counter() - t0
        # interactive: a zoom step is redrawn and answered
        t1 = time.perf_counter()
        page.evaluate("() => { const n = window.wckgNetwork.network; n.moveTo({scale: n.getScale() * 1.5}); n.redraw(); }")
        redraw = time.perf_counter() - t1
        nodes = page.evaluate("window.wckgNetwork.data.nodes.length")
        edges = page.evaluate("window.wckgNetwork.data.edges.length")
        b.close()
    return {"ready_s": round(ready, 3), "zoom_redraw_s": round(redraw, 3), "nodes": nodes, "edges": edges}


from bench_network_compare import compare_main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--compare" in argv or "--phase" in argv:
        return compare_main(argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="1m", help="10k, 100k, 1m, 5m or a number (for bench/generate.py)")
    ap.add_argument("--data", type=Path, help="generated data directory (default /tmp/wckg-net-bench/{scale})")
    ap.add_argument("--store", type=Path, help="store directory (default /tmp/wckg-net-bench/store-{scale})")
    ap.add_argument("--betweenness-sample", type=int, default=None, help="k for sampled betweenness")
    ap.add_argument("--per-year", action="store_true", help="also time the per-year slices with metrics")
    ap.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    ap.add_argument("--skip-exports", action="store_true", help="do not time the file exports")
    ap.add_argument("--workers", type=int, default=2, help="query worker processes (WCKG_QUERY_WORKERS)")
    a = ap.parse_args(argv)

    base = Path(tempfile.gettempdir()) / "wckg-net-bench"
    data_dir = a.data or base / a.scale
    store = a.store or base / f"store-{a.scale}"
    figures: dict = {"scale": a.scale, "data": str(data_dir), "store": str(store),
                     "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "python": platform.python_version(), "cpus": os.cpu_count(),
                     "loadavg_start": os.getloadavg()}

    if not (data_dir / "manifest.json").is_file():
        print(f"generating {a.scale} into {data_dir}", flush=True)
        timed(figures, "generate_s", subprocess.run,
              [sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", a.scale, "--out", str(data_dir), "--quiet"],
              check=True)
    figures["manifest"] = json.loads((data_dir / "manifest.json").read_text())

    from graph import netview
    from graph import network as N
    from graph.config import Settings
    from graph.build import build, is_up_to_date
    from graph.store import open_backend

    settings = Settings(_env_file=None, data_dir=data_dir, store=store, backend="embedded",
                        ontology_dir=ROOT / "ontology", query_workers=a.workers, query_timeout=600)
    if not is_up_to_date(settings):
        report = timed(figures, "store_build_s", build, settings, validate="none")
        figures["triples"] = report.triples
    with open_backend(settings) as backend:
        figures["triples"] = backend.info().triples
        print(f"store: {figures['triples']} triples", flush=True)
        t_total = time.perf_counter()
        data = timed(figures, "fetch_s", N.fetch_graph_data, backend)
    figures["agents"] = len(data.agents)
    figures["organisations_known"] = sum(1 for g in data.agents.values() if not g.is_person)
    figures["activities"] = len(data.activities)
    figures["incidences"] = len(data.incidences)
    G = timed(figures, "partnership_build_s", N.partnership_network, data)
    figures["nodes"], figures["edges"] = G.number_of_nodes(), G.number_of_edges()
    metrics = timed(figures, "metrics_s", N.compute_metrics, G, betweenness_sample=a.betweenness_sample)
    figures["fetch_build_metrics_s"] = round(time.perf_counter() - t_total, 3)
    figures["metrics_timings_s"] = {k: round(v, 3) for k, v in metrics.timings.items()}
    figures["metrics_params"] = metrics.params
    print(f"  partnership network: {figures['nodes']} nodes, {figures['edges']} edges; "
          f"fetch + build + all metrics {figures['fetch_build_metrics_s']} s "
          f"(betweenness {'exact' if metrics.params['betweenness']['exact'] else 'k=' + str(metrics.params['betweenness']['sample_size'])})",
          flush=True)

    out = base / f"exports-{a.scale}"
    out.mkdir(parents=True, exist_ok=True)
    for suffix in () if a.skip_exports else (".gexf", ".graphml", ".json", ".csv", ".ttl"):
        timed(figures, f"export{suffix}_s", N.write_network, G, out / f"network{suffix}", metrics=metrics)
    if not a.skip_exports:
        figures["export_sizes_mib"] = {p.name: round(p.stat().st_size / 2**20, 1) for p in out.iterdir()}

    view = timed(figures, "view_data_s", netview.view_data, G, metrics)
    figures["view"] = {"nodes": len(view["nodes"]), "edges": len(view["edges"]), "physics": view["physics"],
                       "aggregated": view["aggregated"]}
    html = timed(figures, "standalone_html_s", netview.render_standalone, G, metrics)
    page = out / "network.html"
    page.write_text(html)
    figures["html_mib"] = round(len(html.encode()) / 2**20, 1)

    if a.per_year:
        slices = timed(figures, "per_year_slices_s", N.yearly_slices, data, betweenness_sample=a.betweenness_sample)
        figures["years"] = len(slices)

    if a.browser:
        print("chromium: aggregated view", flush=True)
        figures["browser_aggregated"] = browser_time(page)
        print(f"  {figures['browser_aggregated']}", flush=True)
        full = out / "network-all-nodes.html"
        t0 = time.perf_counter()
        full_data = netview.view_data(G, metrics, max_nodes=10**9, max_edges=10_000)
        figures["view_data_all_nodes_s"] = round(time.perf_counter() - t0, 3)
        from jinja2 import Environment, FileSystemLoader, select_autoescape
        from markupsafe import Markup
        env = Environment(loader=FileSystemLoader(netview.TEMPLATE_DIR), autoescape=select_autoescape(default=True))
        lib = netview.vis_network_dir()
        full.write_text(env.get_template("network.html").render(
            title="all nodes", data_json=Markup(netview.json_for_script(full_data)), data=full_data, table=[],
            metric_labels=N.METRIC_LABELS, vis_js=Markup((lib / "vis-network.min.js").read_text()),
            vis_css=Markup((lib / "vis-network.css").read_text()), view_js=Markup(netview.VIEW_JS.read_text())))
        print(f"chromium: every node ({len(full_data['nodes'])} nodes, {len(full_data['edges'])} edges)", flush=True)
        figures["browser_all_nodes"] = browser_time(full)
        print(f"  {figures['browser_all_nodes']}", flush=True)

    figures["loadavg_end"] = os.getloadavg()
    dest = ROOT / "bench" / "out" / f"network-{a.scale}{'-no-exports' if a.skip_exports else ''}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(figures, indent=2, default=str))
    print(f"wrote {dest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
