"""Network pages before and after the build's network table (issue 13), in one run: see
``bench/bench_network.py`` (``--compare CHECKOUT``). Each phase runs in a fresh process
(``--phase NAME --code DIR``) so that nothing is warm."""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _timed(out: dict, key: str, fn, *a, **kw):
    t0 = time.perf_counter()
    r = fn(*a, **kw)
    out[key] = round(time.perf_counter() - t0, 3)
    print(f"  {key:<40} {out[key]:9.3f} s", flush=True)
    return r


def _settings(store: Path, data: Path):
    from graph.config import Settings
    return Settings(_env_file=None, data_dir=data, store=store, backend="embedded", query_timeout=3600)


def _hub_and_leaf(G) -> tuple[str, str]:
    """The organisation with most partners in the default network, and the first (by IRI)
    with one partner."""
    hub = max(G, key=lambda n: (G.degree(n), n))
    leaf = min((n for n in G if G.degree(n) == 1), default=min(G, key=lambda n: (G.degree(n), n)))
    return hub, leaf


def phase_lib_before(a) -> dict:
    """Main's path: fetch, whole network, all metrics; an ego network (main's
    ``ego_network``: the whole network with the focus kept, ``nx.ego_graph``), its metrics."""
    from graph import network as N
    from graph.store import open_backend
    out: dict = {}
    with open_backend(_settings(a.store, a.data)) as backend:
        t0 = time.perf_counter()
        data = _timed(out, "fetch_s", N.fetch_graph_data, backend)
    G = _timed(out, "partnership_s", N.partnership_network, data)
    _timed(out, "metrics_s", N.compute_metrics, G)
    out["partnership_with_metrics_s"] = round(time.perf_counter() - t0, 3)
    out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
    hub, leaf = _hub_and_leaf(G)
    out["hub"], out["leaf"] = hub, leaf
    del G
    for name, focus in (("hub", hub), ("leaf", leaf)):
        t0 = time.perf_counter()
        H = N.ego_network(data, focus, 1)
        N.compute_metrics(H)
        out[f"ego_{name}_s"] = round(time.perf_counter() - t0, 3)
        out[f"ego_{name}_nodes"] = H.number_of_nodes()
        print(f"  ego {name} {out[f'ego_{name}_s']} s, {H.number_of_nodes()} nodes", flush=True)
    out["peak_rss_mb"] = _rss_mb()
    return out


def phase_lib_after(a) -> dict:
    """This checkout: the build's network table (computed, written, loaded), then ego
    networks from it."""
    import pyoxigraph as ox
    from graph import network as N
    from graph.network import table as T
    from graph.store import StoreLayout
    out: dict = {}
    layout = StoreLayout(a.store)
    build = layout.current_build()
    assert build is not None
    store = ox.Store.read_only(str(layout.db(build)))
    table, rows = _timed(out, "table_compute_s", T.compute, store, build.name)
    out["table_timings_s"] = {k: round(v, 3) for k, v in table.timings.items()}
    out["partnership_with_metrics_s"] = out["table_compute_s"]
    out["nodes"], out["edges"] = table.network.number_of_nodes(), table.network.number_of_edges()
    _timed(out, "table_write_s", T.write, build, table, rows)
    out["table_mib"] = round((build / T.DIRNAME / T.TABLE).stat().st_size / 2**20, 1)
    out["catalogue_mib"] = round((build / T.DIRNAME / T.CATALOGUE).stat().st_size / 2**20, 1)
    del table, rows, store
    table = _timed(out, "table_load_s", T.load, build, build.name)
    _timed(out, "catalogue_load_s", T.load_catalogue, build, build.name)
    hub, leaf = _hub_and_leaf(table.network)
    out["hub"], out["leaf"] = hub, leaf
    for name, focus in (("hub", hub), ("leaf", leaf)):
        t0 = time.perf_counter()
        H = N.ego_network(table.data, focus, 1)
        N.compute_metrics(H)
        out[f"ego_{name}_s"] = round(time.perf_counter() - t0, 3)
        out[f"ego_{name}_nodes"] = H.number_of_nodes()
        out[f"ego_{name}_cut"] = bool(H.graph.get("cut"))
        print(f"  ego {name} {out[f'ego_{name}_s']} s, {H.number_of_nodes()} nodes, cut {out[f'ego_{name}_cut']}",
              flush=True)
    out["peak_rss_mb"] = _rss_mb()
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_mb(pid: int) -> float:
    try:
        import psutil
        root = psutil.Process(pid)
        return round(sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20, 1)
    except Exception:
        return 0.0


# long: one server's life: start, first views with a prober thread, memory, stop
def phase_pages(a) -> dict:
    """A uvicorn server on the code of ``a.code``: first views of the network pages, and
    the slowest /-/version answer while each was computed."""
    import httpx
    out: dict = {}
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(a.store), WCKG_DATA_DIR=str(a.data), WCKG_ONTOLOGY_DIR=str(a.code / "ontology"),
               WCKG_PUBLIC_URL=f"http://127.0.0.1:{port}", WCKG_NETWORK_WAIT="3600", WCKG_NETWORK_TIME_LIMIT="3600",
               WCKG_QUERY_TIMEOUT="3600", PYTHONPATH=str(a.code))
    log = open(Path("/tmp") / f"net-bench-server-{port}.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            cwd=a.code, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(base + "/-/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        slug = lambda iri: iri.split("/id/", 1)[1]  # noqa: E731
        pages = [("network", "/network"), ("ego_hub", "/network/" + slug(a.hub)),
                 ("ego_leaf", "/network/" + slug(a.leaf)), ("network_again", "/network"),
                 ("ego_hub_json", "/network/" + slug(a.hub) + ".json")]
        for name, path in pages:
            stop = threading.Event()
            probes: list[float] = []

            def probe(stop: threading.Event = stop, probes: list[float] = probes) -> None:
                while not stop.is_set():
                    t = time.perf_counter()
                    try:
                        httpx.get(base + "/-/version", timeout=600)
                    except httpx.HTTPError:
                        pass
                    probes.append(time.perf_counter() - t)
                    stop.wait(0.25)
            th = threading.Thread(target=probe, daemon=True)
            th.start()
            t0 = time.perf_counter()
            r = httpx.get(base + path, timeout=3600)
            out[f"{name}_s"] = round(time.perf_counter() - t0, 3)
            stop.set()
            th.join()
            out[f"{name}_status"] = r.status_code
            out[f"{name}_bytes"] = len(r.content)
            out[f"{name}_probe_max_s"] = round(max(probes), 3) if probes else None
            out[f"{name}_probes"] = len(probes)
            print(f"  {name:<16} {out[f'{name}_s']:9.3f} s  status {r.status_code}  "
                  f"/-/version slowest {out[f'{name}_probe_max_s']} s over {len(probes)} probes", flush=True)
        out["server_rss_mb"] = _tree_rss_mb(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    return out


PHASES = {"lib-before": phase_lib_before, "lib-after": phase_lib_after, "pages": phase_pages}


def _run_phase(name: str, code: Path, a, extra: list[str] = ()) -> dict:
    print(f"[{name} on {code}] load {os.getloadavg()}", flush=True)
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_network.py"), "--phase", name,
                          "--code", str(code), "--data", str(a.data), "--store", str(a.store), *extra],
                         check=True, stdout=subprocess.PIPE, text=True)
    lines = res.stdout.splitlines()
    for line in lines[:-1]:
        print(line, flush=True)
    return json.loads(lines[-1]) | {"loadavg_after": os.getloadavg()}


def compare_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", type=Path, help="checkout of the code before (e.g. /work/main)")
    ap.add_argument("--phase", choices=sorted(PHASES))
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--hub")
    ap.add_argument("--leaf")
    ap.add_argument("--name", default=None)
    ap.add_argument("--skip", default="", help="comma-separated phases to skip: lib-before, pages-before, …")
    a = ap.parse_args(argv)
    if a.phase:
        sys.path.insert(0, str(a.code))
        out = PHASES[a.phase](a)
        print(json.dumps(out, default=str))
        return 0
    skip = set(filter(None, a.skip.split(",")))
    figures: dict = {"data": str(a.data), "store": str(a.store), "before_code": str(a.compare),
                     "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "loadavg_start": os.getloadavg()}
    before_commit = subprocess.run(["git", "-C", str(a.compare), "rev-parse", "--short", "HEAD"],
                                   capture_output=True, text=True).stdout.strip()
    after_commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                  capture_output=True, text=True).stdout.strip()
    figures["commits"] = {"before": before_commit, "after": after_commit}
    if "lib-after" not in skip:
        figures["lib_after"] = _run_phase("lib-after", ROOT, a)
    if "lib-before" not in skip:
        figures["lib_before"] = _run_phase("lib-before", a.compare, a)
    ref = figures.get("lib_after") or figures.get("lib_before") or {}
    hub, leaf = a.hub or ref.get("hub"), a.leaf or ref.get("leaf")
    if "pages-after" not in skip:
        figures["pages_after"] = _run_phase("pages", ROOT, a, ["--hub", hub, "--leaf", leaf])
    if "pages-before" not in skip:
        figures["pages_before"] = _run_phase("pages", a.compare, a, ["--hub", hub, "--leaf", leaf])
    figures["loadavg_end"] = os.getloadavg()
    dest = ROOT / "bench" / "out" / f"network-compare-{a.name or a.data.name}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(figures, indent=2, default=str))
    print(f"wrote {dest}")
    return 0
