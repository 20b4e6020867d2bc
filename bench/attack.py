"""The service under attack: latency of health and an entity page, errors, connections
made and worker memory while attackers flood the public endpoint (issue 17).

    python bench/attack.py --clients 8 32 64 --seconds 15 --out bench/out/attack.json

One real ``uvicorn`` server (``app.main:create_app``) on 127.0.0.1 over a store built from
``--data`` (default: the curated data) into a temporary directory. Every client has a
loopback address of its own (127.0.1.x for visitors, 127.0.2.x for attackers), so the
per-client limits see them as the different clients they stand for. For each number of
visitors, two phases of ``--seconds`` each:

* baseline: the visitors alone;
* attack: the same visitors while ``--attackers`` (8) clients loop, without pause, over
  runaway queries (a three-way cross product, DISTINCT and ORDER BY: memory; a COUNT of it:
  time), a GROUP_CONCAT of every literal, a 60,000-term expression, 5,000 nested
  parentheses, a 600 KiB body, and the SSRF corpus of ``tests/security`` aimed at a TCP
  listener on 127.0.0.1 that counts the connections it receives.

Clients are made with ``verify=False`` (plain HTTP to 127.0.0.1): an httpx client that
loads the CA bundle costs ~150 ms of CPU, which at 64 clients measured the load generator
instead of the server.

A visitor loops over ``GET /-/health``, an entity page (HTML) and a small ``/sparql`` query,
with ``--think`` seconds (1) between requests, like a person would; one monitor (a load
balancer, an uptime check) asks ``/-/health`` and the entity page four times a second.
Reported per phase: requests, p50/p95/max latency of health and of the entity page, the
small query's p95, status codes (visitors and attackers), 5xx other than the intended 503s,
connections the listener received, the peak RSS of the query workers, and whether the
store's build and triple count were the same after the run. Request loops are bounded in
count and time and stop by themselves; every address is on this machine.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

RUNAWAY_MEMORY = "SELECT DISTINCT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
RUNAWAY_TIME = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CONCAT = ("SELECT (GROUP_CONCAT(?v) AS ?x) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(isLiteral(?c)) "
          "BIND(STR(?c) AS ?v) }")
HUGE_SUM = "SELECT * WHERE { BIND(" + "+".join(["1"] * 60000) + " AS ?x) }"
DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
SMALL = "SELECT ?s WHERE { ?s a ?t } LIMIT 5"


class Listener:
    """Counts TCP connections to 127.0.0.1:port (where SSRF attempts are aimed)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def ssrf_queries(port: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "tests" / "security"))
    from conftest import ssrf_corpus  # the corpus the tests use
    return list(ssrf_corpus(port).values())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(data: Path, store: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(store), WCKG_DATA_DIR=str(data))
    subprocess.run([sys.executable, "-m", "graph.cli", "build", "--validate", "none", "--no-release"],
                   cwd=ROOT, env=env, check=True, capture_output=True)


def start_server(store: Path, data: Path, port: int, log: Path, extra: dict[str, str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(store), WCKG_DATA_DIR=str(data), WCKG_PUBLIC_URL=f"http://127.0.0.1:{port}", **extra)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "error", "--no-access-log"],
                            cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/health", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become healthy")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = defaultdict(list)
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(p.name))
    out, stack = [], [pid]
    while stack:
        for c in children.get(stack.pop(), []):
            out.append(c)
            stack.append(c)
    return out


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MemorySampler:
    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.peak_worker = 0.0
        self.peak_server = 0.0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_server = max(self.peak_server, rss_mb(self.server_pid))
            for pid in descendants(self.server_pid):
                self.peak_worker = max(self.peak_worker, rss_mb(pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000, 1)


async def monitor(base: str, page: str, until: float, out: dict) -> None:
    """What a load balancer and an uptime check see: /-/health, the entity page and /-/ready in turn."""
    transport = httpx.AsyncHTTPTransport(local_address="127.0.4.1", verify=False)
    async with httpx.AsyncClient(transport=transport, timeout=30) as c:
        k = 0
        while time.monotonic() < until and k < 100_000:
            kind = ("health", "page", "ready")[k % 3]
            k += 1
            t0 = time.perf_counter()
            try:
                if kind == "health":
                    r = await c.get(f"{base}/-/health")
                elif kind == "ready":
                    r = await c.get(f"{base}/-/ready")
                else:
                    r = await c.get(f"{base}{page}", headers={"Accept": "text/html"})
                status = r.status_code
            except httpx.HTTPError as e:
                status = type(e).__name__
            out["lat"][f"monitor {kind}"].append(time.perf_counter() - t0)
            out["status"][f"monitor {kind} {status}"] += 1
            await asyncio.sleep(0.25)


async def visitor(i: int, base: str, page: str, until: float, think: float, out: dict) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.1.{1 + i % 250}", verify=False)
    async with httpx.AsyncClient(transport=transport, timeout=30) as c:
        # visitors arrive spread over one think time, each on a connection of its own made
        # before measuring (a burst of 64 new connections at one instant is another test)
        await asyncio.sleep(random.Random(i).uniform(0, think))
        try:
            await c.get(f"{base}/-/ready")
        except httpx.HTTPError:
            pass
        k = i
        while time.monotonic() < until and k < i + 100_000:
            kind = ("health", "page", "query")[k % 3]
            k += 1
            t0 = time.perf_counter()
            try:
                if kind == "health":
                    r = await c.get(f"{base}/-/health")
                elif kind == "page":
                    r = await c.get(f"{base}{page}", headers={"Accept": "text/html"})
                else:
                    r = await c.get(f"{base}/sparql", params={"query": SMALL},
                                    headers={"Accept": "application/sparql-results+json"})
                status = r.status_code
            except httpx.HTTPError as e:
                status = type(e).__name__
            out["lat"][kind].append(time.perf_counter() - t0)
            out["status"][f"{kind} {status}"] += 1
            await asyncio.sleep(think)


async def attacker(i: int, base: str, until: float, ssrf: list[str], out: dict) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.2.{1 + i % 250}", verify=False)
    ammo = [("GET", RUNAWAY_MEMORY), ("GET", RUNAWAY_TIME), ("GET", CONCAT), ("POST", HUGE_SUM),
            ("POST", DEEP), ("BIG", None)] + [("GET", q) for q in ssrf]
    async with httpx.AsyncClient(transport=transport, timeout=60) as c:
        k = 0
        while time.monotonic() < until and k < 100_000:
            how, q = ammo[(k + i) % len(ammo)]
            k += 1
            try:
                if how == "GET":
                    r = await c.get(f"{base}/sparql", params={"query": q}, headers={"Accept": "application/json"})
                elif how == "POST":
                    r = await c.post(f"{base}/sparql", content=q.encode(),
                                     headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
                else:
                    r = await c.post(f"{base}/sparql", content=b"#" * (600 * 1024),
                                     headers={"Content-Type": "application/sparql-query"})
                status = r.status_code
                if status == 429:
                    await asyncio.sleep(min(5.0, float(r.headers.get("retry-after", "1"))))
            except httpx.HTTPError as e:
                status = type(e).__name__
            out["status"][f"attack {status}"] += 1


def phase(base: str, page: str, visitors: int, attackers: int, seconds: float, think: float,
          ssrf: list[str], server_pid: int) -> dict:
    out = {"lat": defaultdict(list), "status": Counter()}
    until = time.monotonic() + seconds

    async def main():
        tasks = [visitor(i, base, page, until, think, out) for i in range(visitors)]
        tasks += [attacker(i, base, until, ssrf, out) for i in range(attackers)]
        tasks.append(monitor(base, page, until, out))
        await asyncio.gather(*tasks)

    load_before = os.getloadavg()[0]
    with MemorySampler(server_pid) as mem:
        asyncio.run(main())
    status = out["status"]
    visitor_5xx = sum(n for k, n in status.items() if not k.startswith("attack") and k.split()[-1].startswith("5")
                      and k != "query 503")
    visitor_fail = sum(n for k, n in status.items() if not k.startswith("attack") and not k.split()[-1].isdigit())
    unintended_5xx = sum(n for k, n in status.items() if k.split()[-1].startswith("5") and k.split()[-1] != "503")
    return {
        "visitors": visitors, "attackers": attackers, "seconds": seconds,
        "requests": sum(status.values()),
        "health_p50_ms": pct(out["lat"]["health"], 50), "health_p95_ms": pct(out["lat"]["health"], 95),
        "health_max_ms": pct(out["lat"]["health"], 100),
        "page_p50_ms": pct(out["lat"]["page"], 50), "page_p95_ms": pct(out["lat"]["page"], 95),
        "query_p95_ms": pct(out["lat"]["query"], 95),
        "monitor_health_p95_ms": pct(out["lat"]["monitor health"], 95),
        "monitor_page_p95_ms": pct(out["lat"]["monitor page"], 95),
        "monitor_ready_p95_ms": pct(out["lat"]["monitor ready"], 95),
        "visitor_5xx": visitor_5xx, "visitor_query_503": status.get("query 503", 0), "visitor_failures": visitor_fail, "unintended_5xx": unintended_5xx,
        "status": dict(sorted(status.items())),
        "peak_worker_rss_mb": round(mem.peak_worker, 1), "peak_server_rss_mb": round(mem.peak_server, 1),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def store_state(base: str) -> tuple[str, int]:
    transport = httpx.HTTPTransport(local_address="127.0.3.1", verify=False)
    with httpx.Client(transport=transport, timeout=60) as c:
        build = c.get(f"{base}/-/version").json()["store"]["build_id"]
        n = c.get(f"{base}/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                  headers={"Accept": "application/sparql-results+json"}).json()
        return build, int(n["results"]["bindings"][0]["n"]["value"])


def entity_page(base: str) -> str:
    transport = httpx.HTTPTransport(local_address="127.0.3.2", verify=False)
    with httpx.Client(transport=transport, timeout=60) as c:
        r = c.get(f"{base}/sparql", params={"query": "SELECT ?s WHERE { ?s a ?t FILTER(STRSTARTS(STR(?s), "
                                                     "\"https://w3id.org/wckg/id/organisation/\")) } LIMIT 1"},
                  headers={"Accept": "application/sparql-results+json"})
        iri = r.json()["results"]["bindings"][0]["s"]["value"]
    return "/" + iri.split("/", 3)[3].split("/", 1)[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, nargs="+", default=[8, 32, 64], help="visitor counts, one run each")
    ap.add_argument("--attackers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    ap.add_argument("--think", type=float, default=1.0, help="pause of a visitor between requests")
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "attack.json")
    ap.add_argument("--env", action="append", default=[], metavar="WCKG_X=V", help="extra server settings")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wckg-attack-"))
    listener = Listener()
    extra = dict(e.split("=", 1) for e in a.env)
    results: dict = {"settings": {"query_workers": extra.get("WCKG_QUERY_WORKERS", "2"),
                                  "site_workers": extra.get("WCKG_SITE_WORKERS", "2"), **extra},
                     "data": str(a.data), "think_seconds": a.think, "runs": []}
    proc = None
    try:
        print(f"building the store from {a.data} ...", file=sys.stderr)
        build_store(a.data, tmp / "store")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = start_server(tmp / "store", a.data, port, tmp / "server.log", extra)
        page = entity_page(base)
        before = store_state(base)
        results["store"] = {"build_id": before[0], "triples": before[1]}
        ssrf = ssrf_queries(listener.port)
        for n in a.clients:
            for attackers in (0, a.attackers):
                label = f"{n} visitors, {attackers} attackers"
                print(f"{label} for {a.seconds:g} s ...", file=sys.stderr)
                r = phase(base, page, n, attackers, a.seconds, a.think, ssrf, proc.pid)
                r["connections_made"] = listener.connections
                results["runs"].append(r)
                print(f"  health p95 {r['health_p95_ms']} ms, page p95 {r['page_p95_ms']} ms, "
                      f"visitor 5xx {r['visitor_5xx']}, unintended 5xx {r['unintended_5xx']}, "
                      f"connections {listener.connections}, worker peak {r['peak_worker_rss_mb']} MB",
                      file=sys.stderr)
                time.sleep(3)  # let runaway queries of the phase reach their limits
        after = store_state(base)
        results["data_unchanged"] = after == before
        results["connections_made"] = listener.connections
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2))
    print(markdown(results))


def markdown(results: dict) -> str:
    lines = ["| visitors | attackers | requests | monitor: health / page / ready p95 (ms) | visitors: health p50 / p95 (ms) | "
             "visitors: page p50 / p95 (ms) | visitors: small query p95 (ms) | visitor 5xx (besides /sparql 503 busy) | "
             "/sparql 503 busy | unintended 5xx | connections | worker peak RSS (MB) | machine load |",
             "| ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results["runs"]:
        lines.append(f"| {r['visitors']} | {r['attackers']} | {r['requests']} | {r.get('monitor_health_p95_ms')} / "
                     f"{r.get('monitor_page_p95_ms')} / {r.get('monitor_ready_p95_ms')} | {r['health_p50_ms']} / {r['health_p95_ms']} | "
                     f"{r['page_p50_ms']} / {r['page_p95_ms']} | {r['query_p95_ms']} | {r['visitor_5xx']} | "
                     f"{r.get('visitor_query_503', 0)} | {r['unintended_5xx']} | {r['connections_made']} | "
                     f"{r['peak_worker_rss_mb']} | {r.get('load_average', ['?'])[0]} |")
    lines.append(f"\nstore unchanged after the runs: {results.get('data_unchanged')}; "
                 f"connections made in all: {results.get('connections_made')}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
