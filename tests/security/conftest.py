"""Fixtures of the adversarial suite: a TCP listener on 127.0.0.1 that counts the
connections it receives (a query that reaches the network shows up here), the web app
over the session's store, and the SSRF corpus aimed at the listener."""
from __future__ import annotations

import socket
import threading
import warnings
from collections.abc import Iterator

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


class Listener:
    """Accepts and counts connections on 127.0.0.1 (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: 2\r\n\r\n{}")
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def ssrf_corpus(port: int) -> dict[str, str]:
    """The queries of issue 17 and variations: each would call http://127.0.0.1:{port}/
    through SERVICE under some reading of the text."""
    u = f"http://127.0.0.1:{port}"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{u}/p> {{ ?s ?p ?o }} }}",
        "dq-escape": f'SELECT * WHERE {{ BIND("\\u0022" AS ?x) SERVICE <{u}/a> {{ ?s ?p ?o }} BIND("\\u0022" AS ?y) }}',
        "sq-escape": f"SELECT * WHERE {{ BIND('\\u0027' AS ?x) SERVICE <{u}/b> {{ ?s ?p ?o }} BIND('\\u0027' AS ?y) }}",
        "ask-not-exists": (f'ASK {{ FILTER NOT EXISTS {{ BIND("\\u0022" AS ?x) SERVICE <{u}/c> {{ ?s ?p ?o }} '
                           f'BIND("\\u0022" AS ?y) }} }}'),
        "pname-escaped-hash": (f"PREFIX e: <http://e/> SELECT * WHERE {{ BIND(e:a\\# AS ?z) SERVICE <{u}/d> "
                               f"{{ ?s ?p ?o }}\n}}"),
        "glued-prefixed": f"PREFIX x: <{u}/> SELECT * {{ SERVICEx:e {{ ?s ?p ?o }} }}",
        "glued-iri": f"SELECT * {{ SERVICE<{u}/f>{{ ?s ?p ?o }} }}",
        "silent": f"SELECT * {{ SERVICE SILENT <{u}/g> {{ ?s ?p ?o }} }}",
        "iri-escape": f"SELECT * {{ SERVICE <http://127.0.0.1:{port}\\u002Fh> {{ ?s ?p ?o }} }}",
        "comment-cr": f"SELECT * {{ # note\rSERVICE <{u}/i> {{ ?s ?p ?o }} }}",
        "comment-escaped-newline": f"SELECT * {{ # note\\u000ASERVICE <{u}/j> {{ ?s ?p ?o }} }}",
        "escaped-keyword": f"SELECT * {{ \\u0053ERVICE <{u}/k> {{ ?s ?p ?o }} }}",
        "lowercase": f"select * {{ service <{u}/l> {{ ?s ?p ?o }} }}",
        "triple-quoted": f"SELECT * {{ BIND('''\\u0027''' AS ?x) SERVICE <{u}/m> {{ ?s ?p ?o }} }}",
        "after-number": f"SELECT * {{ VALUES ?o {{ 1 }} ?s ?p 1SERVICE <{u}/n> {{ ?a ?b ?c }} }}",
        "after-langtag": f'SELECT * {{ BIND("a"@en AS ?x) SERVICE <{u}/o> {{ ?s ?p ?o }} }}',
        "nested-groups": f"SELECT * {{ {{ {{ OPTIONAL {{ SERVICE <{u}/q> {{ ?s ?p ?o }} }} }} }} }}",
        "in-exists": f"SELECT * {{ BIND(1 AS ?one) FILTER EXISTS {{ SERVICE <{u}/r> {{ ?s ?p ?o }} }} }}",
        "bom": f"\ufeffSELECT * {{ SERVICE <{u}/s> {{ ?s ?p ?o }} }}",
        "empty-prefix": f"PREFIX : <{u}/> SELECT * {{ SERVICE:t {{ ?s ?p ?o }} }}",
    }


def client_for(settings, backend=None):
    """A TestClient over create_app(settings) (its own store handle unless *backend*)."""
    from app.main import create_app
    return TestClient(create_app(settings, backend=backend), raise_server_exceptions=False)


def some_entity_path(backend) -> str:
    rows = backend.select("SELECT ?s WHERE { ?s a ?t FILTER(STRSTARTS(STR(?s), \"https://w3id.org/wckg/id/organisation/\")) } LIMIT 1")
    iri = str(rows[0]["s"])
    return "/" + iri.split("/", 3)[3].split("/", 1)[1] if iri.startswith("https://w3id.org/wckg/id/") else iri


RUNAWAY = "SELECT DISTINCT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


@pytest.fixture(scope="module")
def client(settings, backend):
    with client_for(settings, backend) as c:
        yield c


@pytest.fixture(scope="module")
def live_server(settings, built_store, tmp_path_factory):
    """A real uvicorn server on 127.0.0.1 over the session's store."""
    from tests.app.conftest import start_server, stop_server
    proc, url = start_server(settings, tmp_path_factory.mktemp("live-security"))
    try:
        yield url
    finally:
        stop_server(proc)
