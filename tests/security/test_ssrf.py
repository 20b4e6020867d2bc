"""No query reaches the network (issue 17): the SSRF corpus through every way in, against
a listener on 127.0.0.1 that counts connections. The lexical check refuses each one
(403); the sandbox of the query workers is tested apart, with the check out of the way,
so that each guard is shown to hold on its own."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from graph.config import PROJECT_ROOT
from graph.errors import ForbiddenQuery
from graph.safety import check_query

from tests.security.conftest import ssrf_corpus

CORPUS = list(ssrf_corpus(9).items())


@pytest.mark.parametrize("name,query", CORPUS, ids=[n for n, _ in CORPUS])
def test_the_lexical_check_refuses_every_spelling(name, query):
    with pytest.raises(ForbiddenQuery):
        check_query(query)


@pytest.mark.parametrize("query", [
    'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" }  # SERVICE in a comment',
    'PREFIX ex: <http://example.org/service/> SELECT ?service WHERE { ?service ex:load ?o }',
    "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'delete')) } LIMIT 1",
    'SELECT * WHERE { ?s ?p "a"@en }',
])
def test_the_check_leaves_ordinary_queries_alone(query):
    check_query(query)


@pytest.fixture(scope="module")
def web(settings, built_store):
    """A TestClient over an app with its own store handle (its own workers)."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from app.main import create_app
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def test_sparql_get_post_and_form_make_no_connection(web, listener):
    for name, q in ssrf_corpus(listener.port).items():
        answers = [
            web.get("/sparql", params={"query": q}, headers={"Accept": "application/json"}),
            web.post("/sparql", data={"query": q}, headers={"Accept": "application/json"}),
            web.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query",
                                                             "Accept": "application/json"}),
        ]
        for r in answers:
            assert r.status_code == 403, (name, r.status_code, r.text[:200])
    assert listener.connections == 0


def test_a_worker_called_directly_is_refused_network_by_the_sandbox(settings, built_store, listener, monkeypatch):
    """The lexical check switched off inside the worker: the seccomp filter alone must
    keep the query off the network (the check never sees it: the worker function is the
    one the pool runs, with `refusal` replaced by a no-op)."""
    import multiprocessing

    from graph import workers as store_mod
    from graph.store import StoreLayout

    db = str(StoreLayout(settings.store).db(StoreLayout(settings.store).current_build()))
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(1, initializer=store_mod._worker_init, initargs=(db, False, 1024, True)) as pool:
        results = pool.map(_unchecked_query, [q for _, q in ssrf_corpus(listener.port).items()])
    kinds = {r[0] for r in results}
    assert listener.connections == 0
    # the engine got to SERVICE in some of them and was refused a socket
    assert "network" in kinds, results


def _unchecked_query(text: str):
    from graph import workers as store_mod
    store_mod.refusal = lambda _t: None  # the pre-check out of the way: only the sandbox is left
    return store_mod._worker_query(text, {}, [], [], 10)


def test_without_the_sandbox_the_same_worker_would_connect(settings, built_store, listener):
    """The control for the test above: the same call without the filter does reach the listener."""
    import multiprocessing

    from graph import workers as store_mod
    from graph.store import StoreLayout

    db = str(StoreLayout(settings.store).db(StoreLayout(settings.store).current_build()))
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(1, initializer=_init_unsandboxed, initargs=(db,)) as pool:
        pool.map(_unchecked_query, [ssrf_corpus(listener.port)["dq-escape"]])
    assert listener.connections >= 1


def _init_unsandboxed(db: str) -> None:
    from graph import sandbox
    from graph import workers as store_mod
    sandbox.install_network_filter = lambda: None
    store_mod._worker_init(db, False, None, False)


def test_wckg_query_makes_no_connection(settings, built_store, listener, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(settings.store), WCKG_DATA_DIR=str(settings.data_dir),
               WCKG_ONTOLOGY_DIR=str(settings.ontology_dir), WCKG_QUERIES_DIR=str(settings.queries_dir))
    for name in ("dq-escape", "pname-escaped-hash", "glued-prefixed"):
        q = ssrf_corpus(listener.port)[name]
        r = subprocess.run([sys.executable, "-m", "graph.cli", "query", "-"], input=q, capture_output=True,
                           text=True, env=env, cwd=PROJECT_ROOT, timeout=120)
        assert r.returncode != 0 and "SERVICE is not allowed" in r.stderr, (name, r.stderr[-300:])
        assert "Traceback" not in r.stderr
    assert listener.connections == 0


def test_a_named_query_file_with_service_is_refused_before_the_engine(listener):
    from graph.queries import parse_named_query
    q = ssrf_corpus(listener.port)["ask-not-exists"]
    with pytest.raises(ForbiddenQuery):
        parse_named_query(q, name="x", require_header=False)
    assert listener.connections == 0


def test_named_queries_make_no_connection_whatever_their_parameters(settings, backend, listener):
    """/queries/…: every named query, each parameter given hostile values in turn (an IRI of
    the listener, text that closes a string and opens a SERVICE, a whole corpus query).
    Values are bound by the engine, never pasted: no value becomes a SERVICE, and nothing
    reaches the listener; bad values are a 4xx, never a 5xx other than a busy 503."""
    from graph.queries import cached_library

    from tests.security.conftest import client_for
    u = f"http://127.0.0.1:{listener.port}"
    hostile = [f"{u}/iri", f'x" }} SERVICE <{u}/str> {{ ?s ?p ?o }} #', f"x> . }} SERVICE <{u}/iri2> {{ ?s ?p ?o }} #",
               ssrf_corpus(listener.port)["dq-escape"]]
    s = settings.model_copy(update={"query_rate": "100000/minute", "query_timeout": 20.0})
    library = cached_library(settings.queries_dir)
    queries = list(library.values()) if isinstance(library, dict) else list(library)
    statuses: dict[int, int] = {}
    with client_for(s, backend) as c:
        for q in queries:
            for p in q.params:
                for value in hostile:
                    params = {**q.example_params(), p.name: value}
                    r = c.get(f"/queries/{q.name}.json", params=params)
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    assert r.status_code < 500 or r.status_code == 503, (q.name, p.name, value, r.text[:300])
    assert listener.connections == 0
    assert statuses.get(200, 0) > 0 and sum(statuses.values()) >= 40, statuses
