"""Load test: 1, 8, 32 and 64 concurrent clients on a realistic mix of requests (issue 13).

    python bench/load.py                                                  # the curated data
    python bench/generate.py --scale 340k --out /tmp/wckg-load/1m         # ~1 M triples
    python bench/load.py --data /tmp/wckg-load/1m --modes disk memory --seconds 60

One real ``uvicorn`` server (``app.main:create_app``) on 127.0.0.1, started and stopped
here, per store mode (``--modes``: ``disk`` = ``WCKG_IN_MEMORY=false``, ``memory`` =
``WCKG_IN_MEMORY=true``, ``auto`` = unset: what ``/-/health`` then reports is recorded),
serving a store built from ``--data`` (or ``--store``, an existing one). Every other setting
is the server's default (2 public and 2 site query workers), except the per-client rate
limit (``WCKG_QUERY_RATE``, raised: a client here sends requests back to back, which is
load, not abuse; every client also has a loopback address of its own, so the per-client
bounds see separate clients) and what ``--env`` adds.

Each client is a closed loop: it sends a request, waits for the answer (or ``--timeout``),
thinks ``--think`` seconds (default 0) and sends the next, for ``--seconds`` per phase or
until the phase has sent ``--max-requests``. The mix (weights in :data:`MIX`):

* entity pages (HTML) of hubs (the organisations with the most partners) and of leaves
  (random organisations, people, events, agreements, programmes, places);
* named queries (JSON) with random parameters: an IRI parameter gets a random resource of
  the kind of its example, an optional one is left out one time in three;
* ``/sparql`` SELECTs: one entity's triples, events of an organisation, a type's instances
  with a random OFFSET, labels of a random word's resources;
* search keystrokes: a random label typed one character at a time (``/search.json``);
* network pages: the ego network of a random organisation (HTML); the whole partnership
  network (HTML) now and then.

Before the phases, a warm-up asks ``/network`` and the biggest hub's page once (per-build
caches a live server has filled) and records how long those first answers took.

Reported per phase: requests, throughput (answers per second), p50/p95/p99 and max latency
overall and per kind, error rate (an answer other than 2xx, or no answer), status counts,
the server's processes (uvicorn + query workers) and their resident memory (peak and at the
end; psutil when installed, else /proc), and the load average of the machine before and
after (the machine may be shared). Every address is 127.0.0.1 / 127.0.x.y.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

BASE_IRI = "https://w3id.org/wckg/id/"
WC = "https://w3id.org/wckg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

#: kind of request → weight (out of 100)
MIX = {"hub page": 5, "leaf page": 25, "named query": 20, "sparql": 15, "search": 6, "ego network": 8,
       "network": 2}

SPARQL_TEMPLATES = [
    "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 200",
    "PREFIX wc: <" + WC + "> SELECT ?event ?date WHERE {{ ?event wc:participant <{org}> . "
    "OPTIONAL {{ ?event wc:startDate ?date }} }} LIMIT 100",
    "PREFIX wc: <" + WC + "> SELECT ?s WHERE {{ ?s a wc:{cls} }} LIMIT 20 OFFSET {offset}",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?s ?l WHERE {{ ?s skos:prefLabel ?l . "
    "FILTER(STRSTARTS(LCASE(STR(?l)), \"{word}\")) }} LIMIT 20",
]
SPARQL_CLASSES = ["Event", "Meeting", "Agreement", "Programme", "Organisation", "Person"]


# --------------------------------------------------------------------------------------
# What to ask: samples from the store
# --------------------------------------------------------------------------------------

def sample_store(db: Path, seed: int) -> dict:
    """Resources to ask about, read from the built store (read-only) before the server starts."""
    import pyoxigraph as ox
    rng = random.Random(seed)
    store = ox.Store.read_only(str(db))
    by_kind: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, None):
        s = q.subject
        if isinstance(s, ox.NamedNode) and s.value.startswith(BASE_IRI) and s.value not in seen:
            seen.add(s.value)
            kind = s.value[len(BASE_IRI):].split("/", 1)[0]
            by_kind[kind].append(s.value)
    for v in by_kind.values():
        v.sort()
    hubs = [r["o"].value for r in store.query(
        f"SELECT ?o ?n WHERE {{ ?o <{WC}partnerCount> ?n }} ORDER BY DESC(?n) LIMIT 10",
        use_default_graph_as_union=True)]
    if not hubs:  # a store without derived counts: the organisations with most statements
        hubs = by_kind.get("organisation", [])[:10]
    labels = []
    for q in store.quads_for_pattern(None, ox.NamedNode(PREF_LABEL), None, None):
        if isinstance(q.object, ox.Literal) and 3 <= len(q.object.value) <= 60:
            labels.append(q.object.value)
    labels = sorted(set(labels))
    rng.shuffle(labels)
    leaf_kinds = [k for k in ("organisation", "person", "event", "agreement", "programme", "place", "policy")
                  if by_kind.get(k)]
    return {"by_kind": {k: v for k, v in by_kind.items()}, "hubs": hubs, "labels": labels[:5000],
            "leaf_kinds": leaf_kinds, "triples": len(store)}


def page_path(iri: str) -> str:
    return "/id/" + iri[len(BASE_IRI):]


class Mix:
    """Draws the next request of a client (deterministic per client and seed)."""

    def __init__(self, samples: dict, library: dict, seed: int):
        self.s = samples
        self.lib = library
        self.rng = random.Random(seed)
        self.kinds = [k for k in MIX if MIX[k] > 0]
        self.weights = [MIX[k] for k in self.kinds]
        self.typing: list[str] = []  # keystrokes still to send

    def _any(self, kind: str) -> str:
        pool = self.s["by_kind"].get(kind) or self.s["by_kind"]["organisation"]
        return self.rng.choice(pool)

    def next(self) -> tuple[str, str, dict[str, str], dict[str, str]]:
        """(kind, path, query parameters, headers)."""
        if self.typing:
            return "search", "/search.json", {"q": self.typing.pop(0)}, {"Accept": "application/json"}
        kind = self.rng.choices(self.kinds, self.weights)[0]
        html = {"Accept": "text/html"}
        if kind == "hub page":
            return kind, page_path(self.rng.choice(self.s["hubs"])), {}, html
        if kind == "leaf page":
            return kind, page_path(self._any(self.rng.choice(self.s["leaf_kinds"]))), {}, html
        if kind == "named query":
            return self._named_query()
        if kind == "sparql":
            return kind, "/sparql", {"query": self._sparql()}, {"Accept": "application/sparql-results+json"}
        if kind == "search":
            label = self.rng.choice(self.s["labels"]).lower()
            word = label[: self.rng.randint(3, min(len(label), 14))]
            self.typing = [word[:i] for i in range(2, len(word) + 1)]
            return "search", "/search.json", {"q": self.typing.pop(0)}, {"Accept": "application/json"}
        if kind == "ego network":
            org = self.rng.choice(self.s["hubs"]) if self.rng.random() < 0.2 else self._any("organisation")
            return kind, "/network/organisation/" + org.rsplit("/", 1)[1], {}, html
        return "network", "/network", {}, html

    def _named_query(self):
        q = self.lib[self.rng.choice(sorted(self.lib))]
        params: dict[str, str] = {}
        for p in q.params:
            if not p.required and self.rng.random() < 1 / 3:
                continue
            value = p.example if p.example is not None else p.default
            if p.type == "iri" and value and value.startswith(BASE_IRI):
                value = self._any(value[len(BASE_IRI):].split("/", 1)[0])
            if value is not None:
                params[p.name] = value
        return "named query", f"/queries/{q.name}.json", params, {"Accept": "application/json"}

    def _sparql(self) -> str:
        t = self.rng.randrange(len(SPARQL_TEMPLATES))
        word = re.sub(r"[^a-z ]", "", self.rng.choice(self.s["labels"]).lower())[:4] or "wat"
        return SPARQL_TEMPLATES[t].format(
            iri=self._any(self.rng.choice(self.s["leaf_kinds"])), org=self._any("organisation"),
            cls=self.rng.choice(SPARQL_CLASSES), offset=self.rng.randrange(0, 2000), word=word)


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}


def build_store(data: Path, store: Path) -> float:
    env = clean_env()
    env.update(WCKG_STORE=str(store), WCKG_DATA_DIR=str(data), WCKG_ONTOLOGY_DIR=str(ROOT / "ontology"))
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graph.cli", "build", "--validate", "none", "--no-release"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def start_server(store: Path, data: Path, port: int, log: Path, extra: dict[str, str]) -> tuple[subprocess.Popen, float]:
    env = clean_env()
    env.update(WCKG_STORE=str(store), WCKG_DATA_DIR=str(data), WCKG_ONTOLOGY_DIR=str(ROOT / "ontology"),
               WCKG_PUBLIC_URL=f"http://127.0.0.1:{port}", WCKG_QUERY_RATE="1000000/minute", **extra)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                            cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/ready", timeout=5).status_code == 200:
                return proc, time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(proc)
    raise SystemExit("the server did not become ready within 600 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def processes(pid: int) -> list[dict]:
    """The server and every process under it: pid, name, resident MiB."""
    try:
        import psutil
    except ImportError:
        psutil = None
    out = []
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                try:
                    cmd = " ".join(p.cmdline())[-80:]
                    out.append({"pid": p.pid, "cmd": cmd, "rss_mb": p.memory_info().rss / 2**20})
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        return out
    children: dict[int, list[int]] = defaultdict(list)
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(d.name))
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            rss = next(int(line.split()[1]) / 1024 for line in Path(f"/proc/{p}/status").read_text().splitlines()
                       if line.startswith("VmRSS:"))
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[-80:]
            out.append({"pid": p, "cmd": cmd, "rss_mb": rss})
        except (OSError, StopIteration):
            pass
        stack.extend(children.get(p, []))
    return out


class MemorySampler:
    """Peak of the summed resident memory of the server and its processes, twice a second."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_total = 0.0
        self.peak_procs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            procs = processes(self.pid)
            self.peak_total = max(self.peak_total, sum(p["rss_mb"] for p in procs))
            self.peak_procs = max(self.peak_procs, len(procs))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------------------
# The clients
# --------------------------------------------------------------------------------------

def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))] * 1000, 1)


async def client(i: int, base: str, mix: Mix, until: float, budget: list[int], think: float, timeout: float,
                 out: dict) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.{1 + i // 250}.{1 + i % 250}", verify=False)
    async with httpx.AsyncClient(transport=transport, timeout=timeout) as c:
        while time.monotonic() < until and budget[0] > 0:
            budget[0] -= 1
            kind, path, params, headers = mix.next()
            t0 = time.perf_counter()
            try:
                r = await c.get(base + path, params=params, headers=headers)
                status: int | str = r.status_code
                why = r.text[:160].replace("\n", " ") if r.status_code >= 400 else ""
            except httpx.HTTPError as e:
                status, why = type(e).__name__, ""
            dt = time.perf_counter() - t0
            out["lat"][kind].append(dt)
            out["all"].append(dt)
            out["status"][f"{kind} {status}"] += 1
            if not (isinstance(status, int) and 200 <= status < 400):
                out["errors"][kind] += 1
                if len(out["error_samples"]) < 12:
                    query = "&".join(f"{k}={quote(v)[:60]}" for k, v in params.items())
                    out["error_samples"].append(f"{status} {path}?{query}"[:300] + (f" → {why}" if why else ""))
            if think:
                await asyncio.sleep(think)


def phase(base: str, samples: dict, library: dict, clients: int, seconds: float, max_requests: int,
          think: float, timeout: float, seed: int, server_pid: int) -> dict:
    out: dict = {"lat": defaultdict(list), "all": [], "status": Counter(), "errors": Counter(), "error_samples": []}
    budget = [max_requests]
    load_before = os.getloadavg()

    async def main() -> float:
        until = time.monotonic() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(*(client(i, base, Mix(samples, library, seed * 1000 + i), until, budget, think,
                                      timeout, out) for i in range(clients)))
        return time.perf_counter() - t0

    with MemorySampler(server_pid) as mem:
        wall = asyncio.run(main())
    procs = processes(server_pid)
    n = len(out["all"])
    errors = sum(out["errors"].values())
    return {
        "clients": clients, "seconds": round(wall, 1), "requests": n,
        "throughput_rps": round(n / wall, 2) if wall else None,
        "p50_ms": pct(out["all"], 50), "p95_ms": pct(out["all"], 95), "p99_ms": pct(out["all"], 99),
        "max_ms": pct(out["all"], 100),
        "errors": errors, "error_rate": round(errors / n, 4) if n else None,
        "by_kind": {k: {"n": len(v), "p50_ms": pct(v, 50), "p95_ms": pct(v, 95), "p99_ms": pct(v, 99),
                        "max_ms": pct(v, 100), "errors": out["errors"].get(k, 0)}
                    for k, v in sorted(out["lat"].items())},
        "status": dict(sorted(out["status"].items())), "error_samples": out["error_samples"],
        "server_rss_peak_mb": round(mem.peak_total, 1),
        "server_rss_end_mb": round(sum(p["rss_mb"] for p in procs), 1),
        "server_processes": [{"cmd": p["cmd"], "rss_mb": round(p["rss_mb"], 1)} for p in procs],
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }


def warm_up(base: str, samples: dict, timeout: float) -> dict:
    transport = httpx.HTTPTransport(local_address="127.0.3.1", verify=False)
    found = {}
    with httpx.Client(transport=transport, timeout=timeout) as c:
        asks = [("network", "/network")] if MIX["network"] or MIX["ego network"] else []
        asks += [("biggest hub page", page_path(samples["hubs"][0])), ("search", "/search.json?q=wat")]
        for name, path in asks:
            t0 = time.perf_counter()
            try:
                status: int | str = c.get(base + path, headers={"Accept": "text/html"}).status_code
            except httpx.HTTPError as e:
                status = type(e).__name__
            found[name] = {"path": path, "status": status, "ms": round((time.perf_counter() - t0) * 1000, 1)}
        health = c.get(base + "/-/health").json()
    found["health_store"] = health.get("store")
    return found


def run_mode(mode: str, store: Path, data: Path, samples: dict, library: dict, a: argparse.Namespace,
             tmp: Path) -> dict:
    extra = dict(e.split("=", 1) for e in a.env)
    if mode == "disk":
        extra.setdefault("WCKG_IN_MEMORY", "false")
    elif mode == "memory":
        extra.setdefault("WCKG_IN_MEMORY", "true")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    print(f"[{mode}] starting the server ...", file=sys.stderr)
    proc, ready_s = start_server(store, data, port, tmp / f"server-{mode}.log", extra)
    res: dict = {"mode": mode, "settings": extra, "ready_s": round(ready_s, 1), "phases": []}
    try:
        res["warm_up"] = warm_up(base, samples, a.timeout * 4)
        res["residency"] = (res["warm_up"].get("health_store") or {}).get("residency")
        res["rss_after_warm_up_mb"] = round(sum(p["rss_mb"] for p in processes(proc.pid)), 1)
        print(f"[{mode}] ready in {ready_s:.1f} s, warm-up {json.dumps({k: v for k, v in res['warm_up'].items() if k != 'health_store'})}",
              file=sys.stderr)
        for n in a.clients:
            print(f"[{mode}] {n} clients for {a.seconds:g} s (at most {a.max_requests} requests) ...", file=sys.stderr)
            r = phase(base, samples, library, n, a.seconds, a.max_requests, a.think, a.timeout, a.seed, proc.pid)
            res["phases"].append(r)
            print(f"[{mode}]   {r['requests']} requests, {r['throughput_rps']}/s, p50 {r['p50_ms']} p95 {r['p95_ms']} "
                  f"p99 {r['p99_ms']} ms, errors {r['errors']}, server RSS peak {r['server_rss_peak_mb']} MiB, "
                  f"load {r['load_average_before'][0]}", file=sys.stderr)
            time.sleep(a.pause)
    finally:
        stop_server(proc)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="data directory (default: the curated data)")
    ap.add_argument("--store", type=Path, help="an existing store built from --data (default: build one in a temporary directory)")
    ap.add_argument("--modes", nargs="+", default=["disk", "memory"], choices=["disk", "memory", "auto"])
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32, 64])
    ap.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    ap.add_argument("--max-requests", type=int, default=20000, help="requests per phase at most")
    ap.add_argument("--think", type=float, default=0.0, help="pause of a client between requests")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds a client waits for an answer")
    ap.add_argument("--pause", type=float, default=5.0, help="seconds between phases")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load.json")
    ap.add_argument("--env", action="append", default=[], metavar="WCKG_X=V", help="extra server settings")
    ap.add_argument("--mix", default="", metavar="KIND=W,...",
                    help="change weights of the mix, e.g. 'ego network=0,network=0' (kinds: " + ", ".join(MIX) + ")")
    a = ap.parse_args()
    for item in filter(None, a.mix.split(",")):
        kind, _, weight = item.partition("=")
        if kind.strip() not in MIX or not weight.strip().isdigit():
            ap.error(f"--mix: {item!r} is not KIND=WEIGHT with KIND one of {', '.join(MIX)}")
        MIX[kind.strip()] = int(weight)
    if not any(MIX.values()):
        ap.error("--mix: every weight is 0")
    if max(a.clients) > 60000 or a.seconds > 3600:
        ap.error("at most 60000 clients and 3600 s a phase")
    from graph.queries import load_library
    tmp = Path(tempfile.mkdtemp(prefix="wckg-load-"))
    results: dict = {"data": str(a.data), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "mix": dict(MIX), "think_s": a.think, "seconds_per_phase": a.seconds, "max_requests": a.max_requests,
                     "cpus": os.cpu_count(), "git_head": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                                                        capture_output=True, text=True).stdout.strip(),
                     "runs": []}
    try:
        store = a.store
        if store is None:
            store = tmp / "store"
            print(f"building the store from {a.data} ...", file=sys.stderr)
            results["build_s"] = round(build_store(a.data, store), 1)
        from graph.store import StoreLayout
        build = StoreLayout(store).current_build()
        if build is None:
            raise SystemExit(f"no store at {store}: build it first (wckg build) or leave out --store")
        samples = sample_store(StoreLayout(store).db(build), a.seed)
        results["triples"] = samples["triples"]
        results["hubs"] = samples["hubs"][:3]
        library = load_library(ROOT / "queries")
        print(f"store {build.name}: {samples['triples']:,} triples; {len(library)} named queries", file=sys.stderr)
        for mode in a.modes:
            results["runs"].append(run_mode(mode, store, a.data, samples, library, a, tmp))
            a.out.parent.mkdir(parents=True, exist_ok=True)
            a.out.write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2))
    print(markdown(results))


def markdown(results: dict) -> str:
    lines = [f"data: {results['data']} ({results.get('triples', 0):,} triples); {results['seconds_per_phase']:g} s "
             f"a phase, think {results['think_s']:g} s; commit {results['git_head']}; mix {results['mix']}", "",
             "| mode | clients | requests | answers/s | p50 ms | p95 ms | p99 ms | max ms | errors (rate) | "
             "server RSS peak / end MiB (processes) | load average before → after |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |"]
    for run in results["runs"]:
        for r in run["phases"]:
            lines.append(f"| {run['mode']} | {r['clients']} | {r['requests']} | {r['throughput_rps']} | {r['p50_ms']} | "
                         f"{r['p95_ms']} | {r['p99_ms']} | {r['max_ms']} | {r['errors']} ({r['error_rate']:.1%}) | "
                         f"{r['server_rss_peak_mb']:.0f} / {r['server_rss_end_mb']:.0f} ({len(r['server_processes'])}) | "
                         f"{r['load_average_before'][0]} → {r['load_average_after'][0]} |")
    lines += ["", "| mode | clients | kind | n | p50 ms | p95 ms | p99 ms | max ms | errors |",
              "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for run in results["runs"]:
        for r in run["phases"]:
            for k, v in r["by_kind"].items():
                lines.append(f"| {run['mode']} | {r['clients']} | {k} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | "
                             f"{v['p99_ms']} | {v['max_ms']} | {v['errors']} |")
    for run in results["runs"]:
        res = run.get("residency") or {}
        lines.append(f"\n{run['mode']}: ready in {run['ready_s']} s; held {res.get('mode')} ({res.get('reason')}); "
                     f"RSS after warm-up {run.get('rss_after_warm_up_mb')} MiB; warm-up "
                     + ", ".join(f"{k} {v['ms']} ms ({v['status']})" for k, v in run["warm_up"].items() if k != "health_store"))
    return "\n".join(lines)


if __name__ == "__main__":
    main()
