"""The remote backend under the same bounds as the embedded store (issue 17): the query is
checked as it is sent, the time limit holds for the whole answer (a server that trickles
bytes too), and the byte cap counts rows exactly as the embedded store does, with never
more than a bounded number of bytes read from the server. What cannot be enforced from
here (the server's own network access) is the operator's: README, Security."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from graph import errors
from graph.remote import RAW_CAP_SLACK, RemoteStore, raw_cap

from tests.conftest import built_remote
from tests.security.conftest import ssrf_corpus

ORDERED = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o) && STRSTARTS(STR(?s), \"https://w3id.org/wckg/id/organisation/\")) } "
           "ORDER BY ?s ?p ?o")
CONCAT = "SELECT (GROUP_CONCAT(STR(?o)) AS ?x) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"


@pytest.fixture(scope="module")
def remote(settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote-bounds")
    with built_remote(settings, tmp) as s:
        r = RemoteStore(s)
        yield r
        r.close()


@pytest.mark.remote
def test_the_ssrf_corpus_is_refused_before_anything_is_sent(remote, listener):
    for q in ssrf_corpus(listener.port).values():
        with pytest.raises(errors.ForbiddenQuery):
            remote.query(q, lane="public")
    assert listener.connections == 0


@pytest.mark.remote
@pytest.mark.parametrize("max_bytes", [3000, 20000])
def test_the_byte_cap_cuts_where_the_embedded_store_cuts(remote, backend, max_bytes):
    here = backend.query(ORDERED, max_bytes=max_bytes, lane="public")
    there = remote.query(ORDERED, max_bytes=max_bytes, lane="public")
    assert there.truncated_by == here.truncated_by == "bytes"
    assert len(there.rows) == len(here.rows) > 0
    assert there.payload == here.payload


@pytest.mark.remote
def test_one_row_over_the_cap_is_refused_like_the_embedded_store(remote, backend):
    for store in (backend, remote):
        with pytest.raises(errors.QueryResourceLimit) as e:
            store.query(CONCAT, max_bytes=2000, lane="public")
        assert e.value.limit == "answer-bytes"


@pytest.mark.remote
def test_rows_are_capped_too(remote):
    res = remote.query(ORDERED, limit=7, lane="public")
    assert len(res.rows) == 7 and res.truncated_by == "rows"


class Trickle:
    """A fake SPARQL server on 127.0.0.1: a JSON results head, then *body* forever, a
    little at a time (every *pause* seconds)."""

    def __init__(self, body: bytes, pause: float):
        self.body = body
        self.pause = pause
        self.sent = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/query"
        self.stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Connection: close\r\n\r\n"
                         b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"')
            deadline = time.monotonic() + 60
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    conn.sendall(self.body)
                except OSError:
                    return
                self.sent += len(self.body)
                time.sleep(self.pause)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def _remote_at(settings, url: str, tmp_path) -> RemoteStore:
    return RemoteStore(settings.model_copy(update={"backend": "remote", "remote_query_url": url,
                                                   "store": tmp_path / "local", "remote_timeout": 30.0}))


def test_the_time_limit_holds_for_a_server_that_trickles(settings, tmp_path):
    server = Trickle(b"a", 0.05)   # a byte every 50 ms: no single read ever times out
    store = _remote_at(settings, server.url, tmp_path)
    try:
        t0 = time.monotonic()
        with pytest.raises(errors.QueryTimeout):
            store.query("SELECT ?x WHERE { ?s ?p ?x }", timeout=1.0, lane="public")
        assert time.monotonic() - t0 < 5
    finally:
        store.close()
        server.close()


def test_no_more_than_the_raw_cap_is_read_from_the_server(settings, tmp_path):
    server = Trickle(b"a" * 65536, 0.0)   # one endless literal
    store = _remote_at(settings, server.url, tmp_path)
    try:
        with pytest.raises(errors.QueryResourceLimit) as e:
            store.query("SELECT ?x WHERE { ?s ?p ?x }", timeout=20.0, max_bytes=100_000, lane="public")
        assert e.value.limit == "answer-bytes"
    finally:
        store.close()
        server.close()
    cap = raw_cap(100_000)
    assert cap is not None and server.sent < cap + RAW_CAP_SLACK + 2 * 65536 + 4 * 1024 * 1024  # socket buffers
