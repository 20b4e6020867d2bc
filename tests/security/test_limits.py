"""Every request is bounded and nothing is global (issue 17): hosts and redirects, the body
limit (chunked too), per-client rate and concurrency (429 + Retry-After), the bounded
queue (503), answer bytes, worker memory, crashes, truthful health, lanes."""
from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from app.limits import QueryGate, TooManyQueries
from graph import errors

from tests.conftest import make_settings
from tests.security.conftest import RUNAWAY, client_for, some_entity_path

JSON = {"Accept": "application/sparql-results+json"}


# --- hosts -------------------------------------------------------------------------------

def test_redirects_come_from_the_public_url_not_the_host_header(settings, backend):
    s = settings.model_copy(update={"public_url": "https://wckg.example.org"})
    with client_for(s, backend) as c:
        r = c.get("/sparql/", headers={"Host": "evil.example"}, follow_redirects=False)
        assert r.status_code in (301, 307, 308), r.status_code
        assert "evil.example" not in r.headers["location"]
        assert r.headers["location"].startswith("https://wckg.example.org/")
        sd = c.get("/sparql", headers={"Host": "evil.example", "Accept": "text/turtle"})
        assert "evil.example" not in sd.text and "https://wckg.example.org/sparql" in sd.text


def test_untrusted_hosts_are_refused(settings, backend):
    s = settings.model_copy(update={"public_url": "https://wckg.example.org", "trusted_hosts": "wckg.example.org"})
    with client_for(s, backend) as c:
        assert c.get("/-/ready", headers={"Host": "evil.example"}).status_code == 400
        assert c.get("/-/ready", headers={"Host": "wckg.example.org"}).status_code == 200


# --- request bodies ------------------------------------------------------------------------

def test_a_declared_body_over_the_limit_is_refused_unread(client):
    r = client.post("/sparql", content=b"x" * (600 * 1024),
                    headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert r.status_code == 413 and "KiB" in r.text


def test_a_chunked_body_over_the_limit_is_refused(client):
    def chunks():
        for _ in range(64):
            yield b"#" * (32 * 1024)
    r = client.post("/sparql", content=chunks(),
                    headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert r.status_code == 413, r.text


def test_a_huge_chunked_upload_is_cut_off_early_by_a_real_server(live_server):
    """300 MiB offered in chunks: the server answers 413 and stops reading long before."""
    host, port = live_server.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n" % (64 * 1024) + b"#" * (64 * 1024) + b"\r\n"
        s.settimeout(0.0)
        reply = b""
        try:
            while sent < 300 * 1024 * 1024 and b"\r\n\r\n" not in reply:
                try:
                    s.sendall(chunk)
                    sent += 64 * 1024
                except BlockingIOError:
                    time.sleep(0.01)
                try:
                    reply += s.recv(4096)
                except BlockingIOError:
                    pass
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(10)
        try:
            while b"\r\n\r\n" not in reply:
                data = s.recv(4096)
                if not data:
                    break
                reply += data
        except (ConnectionResetError, TimeoutError):
            pass
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert sent < 64 * 1024 * 1024, f"the client could push {sent >> 20} MiB before the refusal"


# --- per-client rate and concurrency ---------------------------------------------------------

def test_the_rate_limit_answers_429_with_retry_after(settings, backend):
    s = settings.model_copy(update={"query_rate": "3/minute"})
    with client_for(s, backend) as c:
        codes = [c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1 and r.json()["retry_after_seconds"] >= 1
        assert c.get("/queries/cq1-timeline.json").status_code == 429  # named queries share the budget
        assert c.get("/-/health").status_code == 200  # the site is not limited


def test_costly_queries_cost_their_sender_more(settings, backend):
    s = settings.model_copy(update={"query_rate": "15/minute"})
    deep = "SELECT * WHERE { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }"
    with client_for(s, backend) as c:
        assert c.get("/sparql", params={"query": deep}, headers={"Accept": "application/json"}).status_code == 400
        # 1 + 10 used: one more is allowed (and costs 11 again), then the client is out
        assert c.get("/sparql", params={"query": deep}, headers={"Accept": "application/json"}).status_code == 400
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
        assert r.status_code == 429, "two refused queries (1 + 10 each) must use up a rate of 15"


def test_ssrf_probes_cost_their_sender_more_too(settings, backend):
    s = settings.model_copy(update={"query_rate": "15/minute"})
    probe = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with client_for(s, backend) as c:
        for _ in range(2):
            assert c.get("/sparql", params={"query": probe}, headers={"Accept": "application/json"}).status_code == 403
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/json"})
        assert r.status_code == 429, "two SERVICE probes (1 + 10 each) must use up a rate of 15"


def test_the_gate_bounds_each_client_and_the_queue():
    gate = QueryGate(rate="1000/minute", client_queries=2, workers=1, queue=1)

    async def scenario():
        async with gate.slot("a"), gate.slot("a"):
            with pytest.raises(TooManyQueries) as e:
                async with gate.slot("a"):
                    pass
            assert e.value.status == 429 and e.value.retry_after >= 1
            with pytest.raises(TooManyQueries) as e:  # 1 worker + 1 waiting are taken
                async with gate.slot("b"):
                    pass
            assert e.value.status == 503
        async with gate.slot("b"):  # freed again
            pass
        assert gate.in_flight == 0 and not gate.per_client
    asyncio.run(scenario())


def test_a_bad_rate_setting_is_a_config_error():
    with pytest.raises(errors.ConfigError, match="WCKG_QUERY_RATE"):
        QueryGate(rate="lots", client_queries=1, workers=1, queue=1)


# --- answers and workers ---------------------------------------------------------------------

def test_the_answer_is_cut_at_the_byte_limit_and_says_so(settings, backend):
    s = settings.model_copy(update={"max_answer_bytes": 4000})
    with client_for(s, backend) as c:
        r = c.get("/sparql", params={"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 500"}, headers=JSON)
        assert r.status_code == 200
        assert r.headers["x-wckg-truncated"] == "true" and r.headers["x-wckg-truncated-by"] == "bytes"
        assert 0 < len(r.content) <= 4200 and len(r.json()["results"]["bindings"]) > 0


def test_one_row_over_the_byte_limit_is_413(settings, backend):
    s = settings.model_copy(update={"max_answer_bytes": 4000})
    q = "SELECT (GROUP_CONCAT(STR(?o)) AS ?x) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"
    with client_for(s, backend) as c:
        r = c.get("/sparql", params={"query": q}, headers={"Accept": "application/json"})
        assert r.status_code == 413 and r.json()["limit"] == "answer-bytes"


def test_a_query_over_the_memory_cap_is_stopped_not_the_server(settings, built_store):
    s = settings.model_copy(update={"worker_memory_mb": 400, "query_timeout": 60.0})
    with client_for(s) as c:
        t0 = time.monotonic()
        r = c.get("/sparql", params={"query": RUNAWAY}, headers={"Accept": "application/json"})
        assert r.status_code == 503 and r.json()["limit"] == "memory", r.text
        assert time.monotonic() - t0 < 55, "stopped by the memory cap, not the time limit"
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON).json()["boolean"] is True


def test_a_dead_worker_is_named_as_such():
    from graph.store import _expired

    class Expired(Exception):
        def __init__(self, code):
            self.exitcode = code
    assert isinstance(_expired(Expired(-11), "q", "public", 2048), errors.QueryCrashed)
    assert isinstance(_expired(Expired(-6), "q", "public", 2048), errors.QueryResourceLimit)
    assert isinstance(_expired(Expired(-6), "q", "public", 0), errors.QueryCrashed)


def test_site_pages_answer_while_the_public_lane_is_saturated(settings, built_store, backend):
    s = settings.model_copy(update={"query_workers": 1, "query_timeout": 20.0, "site_workers": 1})
    page = some_entity_path(backend)
    with client_for(s) as c:
        runaway = threading.Thread(target=lambda: c.get("/sparql", params={"query": RUNAWAY}, headers=JSON))
        runaway.start()
        time.sleep(1.0)
        try:
            assert c.get(page, headers={"Accept": "text/html"}).status_code == 200
            assert c.get("/-/health").status_code == 200
        finally:
            runaway.join(60)


# --- health -------------------------------------------------------------------------------

def test_health_asks_the_store_not_a_cache(tmp_path, settings, built_store):
    copy = tmp_path / "store"
    shutil.copytree(settings.store, copy, symlinks=True)
    s = make_settings(copy)
    with client_for(s) as c:
        assert c.get("/-/health").status_code == 200
        assert c.get("/-/ready").status_code == 200
        db = next(p for p in (copy / "builds").iterdir() if (p / "oxigraph").is_dir()) / "oxigraph"
        for f in db.iterdir():
            if f.name.startswith(("CURRENT", "MANIFEST")) or f.suffix == ".sst":
                f.write_bytes(b"garbage")
        r = c.get("/-/health")
        assert r.status_code == 503, r.text
        assert r.json()["failing"] == "store" and r.json()["store"]["reachable"] is False


def test_health_answers_while_both_query_lanes_are_saturated_and_names_a_stuck_worker(settings, built_store):
    s = settings.model_copy(update={"site_workers": 1, "query_workers": 1, "health_timeout": 3.0})
    from graph.store import EmbeddedStore
    store = EmbeddedStore(s)
    try:
        assert store.health(30)["ok"] is True  # starts the health lane
        busy = [threading.Thread(target=lambda lane=lane: _swallow(lambda: store.query(RUNAWAY, timeout=8, lane=lane)))
                for lane in ("site", "public")]
        for t in busy:
            t.start()
        time.sleep(1.0)
        assert store.health(3.0)["ok"] is True
        store._current_pool("health").schedule(time.sleep, args=(6,))  # the probe's own worker stuck
        time.sleep(0.5)
        found = store.health(1.0)
        assert found["ok"] is False and found["failing"] == "worker"
        for t in busy:
            t.join(30)
    finally:
        store.close()


def _swallow(fn):
    try:
        fn()
    except errors.WckgError:
        pass


def test_workers_die_with_the_server(settings, built_store, tmp_path):
    """kill -9 of the process that owns the pool while its workers are busy with queries
    that would run for hours: the workers must not outlive it."""
    import os
    import signal
    import subprocess
    import sys
    script = tmp_path / "owner.py"
    script.write_text(
        "import os, sys, time\n"
        "from graph.config import Settings\n"
        "from graph.store import EmbeddedStore\n"
        "if __name__ == '__main__':\n"
        f"    s = Settings(_env_file=None, store={str(settings.store)!r})\n"
        "    st = EmbeddedStore(s)\n"
        "    st.query('ASK { ?s ?p ?o }')\n"
        "    pool = st._current_pool('site')\n"
        "    pids = {pool.schedule(os.getpid).result() for _ in range(8)}\n"
        "    from graph.store import _worker_query\n"
        "    q = 'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }'\n"
        "    busy = [pool.schedule(_worker_query, args=(q, {}, [], [], None)) for _ in pids]\n"
        "    time.sleep(1)\n"
        "    print(' '.join(map(str, pids)), flush=True)\n"
        "    time.sleep(600)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert pids and all(Path(f"/proc/{p}").exists() for p in pids)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.2)
    assert not any(_alive(p) for p in pids), "a query worker outlived its server"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- queries the engine cannot survive are refused before it sees them ----------------------

HUGE_SUM = "SELECT * WHERE { BIND(" + "+".join(["1"] * 60000) + " AS ?x) }"   # ~120 KB
DEEP = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"


@pytest.mark.parametrize("query", [HUGE_SUM, DEEP], ids=["60000-terms", "5000-parentheses"])
def test_queries_that_would_crash_the_engine_are_400(client, query):
    r = client.post("/sparql", content=query.encode(),
                    headers={"Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "Query too complex", r.text[:300]
    ok = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_service_to_a_file_behind_an_escape_is_refused(client):
    q = 'SELECT * WHERE { BIND("\\u0022" AS ?x) SERVICE <file:///etc/passwd> { ?s ?p ?o } BIND("\\u0022" AS ?y) }'
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/json"})
    assert r.status_code == 403


def test_wckg_query_refuses_a_huge_query_with_a_message(settings, built_store):
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(settings.store), WCKG_QUERIES_DIR=str(settings.queries_dir))
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "graph.cli", "query", "--timeout", "2", "-"], input=HUGE_SUM,
                       capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert r.returncode != 0 and "operators" in r.stderr and "Traceback" not in r.stderr, r.stderr[-500:]
    # the check is under the limit (the issue: 18.9 s with --timeout 2); the rest is the CLI's start
    assert time.monotonic() - t0 < 15


def test_a_query_whose_client_left_is_stopped(settings, built_store):
    """The cancel event (set by the endpoint when the client disconnects) stops a runaway
    query and frees its worker, instead of letting it run to its time limit."""
    from graph.store import EmbeddedStore
    s = settings.model_copy(update={"query_workers": 1})
    store = EmbeddedStore(s)
    try:
        cancel = threading.Event()
        caught: list = []

        def run():
            try:
                store.query(RUNAWAY.replace("DISTINCT ?a ?d ?g", "(COUNT(*) AS ?n)").replace(" ORDER BY ?c ?f ?i", ""),
                            timeout=120, lane="public", cancel=cancel)
            except errors.WckgError as e:
                caught.append(e)
        t = threading.Thread(target=run)
        t.start()
        time.sleep(1.0)
        cancel.set()
        t.join(60)
        assert not t.is_alive() and caught and isinstance(caught[0], errors.QueryCancelled), caught
        assert store.query("ASK { ?s ?p ?o }", lane="public", timeout=60).boolean is True
    finally:
        store.close()


def test_the_endpoint_stops_the_query_of_a_client_that_left(live_server):
    """A raw client sends a runaway query and hangs up; the server's log says it stopped it."""
    import urllib.parse
    host, port = live_server.removeprefix("http://").split(":")
    q = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"GET /sparql?query={q} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode())
        time.sleep(1.5)
    ok = httpx_get(f"{live_server}/sparql", {"query": "ASK { ?s ?p 12345 }"})  # not in the answer cache
    assert ok.status_code == 200  # the one public worker (WCKG_QUERY_WORKERS=1) is free again


def httpx_get(url, params):
    import httpx
    return httpx.get(url, params=params, headers={"Accept": "application/sparql-results+json"}, timeout=25)
