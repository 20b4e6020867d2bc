"""Page and endpoint times of the web app on the curated graph, through a real uvicorn.

    python bench/bench_pages.py [--n 30] [--store DIR] [--out bench/out/pages.json]

Builds the curated data into a temporary store (unless --store names a built one), starts
``uvicorn app.main:create_app --factory`` on a free port of 127.0.0.1, warms every URL
once (reported as "first": named-query results and labels are cached per build after it),
then requests each one --n times in sequence and reports the median, 95th percentile and
maximum wall time per request as seen by an HTTP client (httpx), and the response size. Results go to stdout as a Markdown table and to --out as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.config import Settings  # noqa: E402

UNDP = "https://w3id.org/wckg/id/organisation/undp"
SELECT = ("PREFIX wc: <https://w3id.org/wckg/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
          "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?org ?label WHERE { ?org a/rdfs:subClassOf* wc:Organisation ; skos:prefLabel ?label }")
CONSTRUCT = "PREFIX wc: <https://w3id.org/wckg/ontology#> CONSTRUCT { ?e ?p ?o } WHERE { ?e a wc:Meeting ; ?p ?o }"

#: (label, method, path, params, headers)
CASES = [
    ("home page", "GET", "/", None, {"Accept": "text/html"}),
    ("health", "GET", "/-/health", None, {}),
    ("SPARQL editor page", "GET", "/sparql", None, {"Accept": "text/html"}),
    ("service description (Turtle)", "GET", "/sparql", None, {"Accept": "text/turtle"}),
    ("SELECT organisations (JSON)", "GET", "/sparql", {"query": SELECT},
     {"Accept": "application/sparql-results+json"}),
    ("SELECT organisations (CSV)", "GET", "/sparql", {"query": SELECT}, {"Accept": "text/csv"}),
    ("CONSTRUCT meetings (Turtle)", "GET", "/sparql", {"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    ("named queries list", "GET", "/queries", None, {"Accept": "text/html"}),
    ("CQ7 partners of UNDP (HTML)", "GET", "/queries/cq7-partners-of-organisation", {"org": UNDP},
     {"Accept": "text/html"}),
    ("CQ7 partners of UNDP (JSON)", "GET", "/queries/cq7-partners-of-organisation.json", {"org": UNDP}, {}),
    ("CQ1 timeline (HTML)", "GET", "/queries/cq1-timeline", None, {"Accept": "text/html"}),
    ("API docs page", "GET", "/docs", None, {"Accept": "text/html"}),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(store: Path) -> None:
    from graph.build import build
    settings = Settings(_env_file=None, store=store, backend="embedded")
    report = build(settings, validate="none")
    print(f"built {report.triples} triples into {store}", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=30, help="requests per URL (after one warm-up)")
    ap.add_argument("--store", type=Path, help="an already built store (default: build one in a temp dir)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "pages.json")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="wckg-bench-pages-")
    store = args.store or Path(tmp.name) / "store"
    if args.store is None:
        build_store(store)

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update({"WCKG_STORE": str(store), "WCKG_BACKEND": "embedded"})
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/-/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.2)
            for label, method, path, params, headers in CASES:
                t0 = time.perf_counter()
                first = client.request(method, path, params=params, headers=headers)
                first_ms = (time.perf_counter() - t0) * 1000
                if first.status_code != 200:
                    raise SystemExit(f"{label}: {first.status_code} {first.text[:300]}")
                times = []
                for _ in range(args.n):
                    t0 = time.perf_counter()
                    r = client.request(method, path, params=params, headers=headers)
                    times.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                times.sort()
                results.append({
                    "case": label, "path": path, "n": args.n, "first_ms": round(first_ms, 1),
                    "median_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                    "max_ms": round(times[-1], 1),
                    "bytes": len(r.content),
                })
            info = client.get("/-/version").json()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()

    meta = {"triples": info["store"]["triples"], "python": platform.python_version(),
            "machine": f"{os.cpu_count()} cores", "requests_per_url": args.n,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")

    print(f"Curated graph: {meta['triples']} triples; {args.n} sequential requests per URL over HTTP "
          f"(uvicorn, 1 process, 2 query workers); Python {meta['python']}, {meta['machine']}.\n")
    print("First request of each URL (named-query results and labels are then cached per build),")
    print("then the median, 95th percentile and maximum of the following ones.\n")
    print("| page | first ms | median ms | p95 ms | max ms | bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['case']} | {r['first_ms']} | {r['median_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['bytes']:,} |")


if __name__ == "__main__":
    main()
