"""The embedded store: atomic and incremental builds, the worker pool, time limits, safety;
and the remote backend against a real ``oxigraph serve`` on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from graph.config import PROJECT_ROOT
from graph.errors import (ForbiddenQuery, ParameterError, QueryError, QuerySyntaxError, QueryTimeout, RdfSyntaxError,
                          RemoteStoreError, StoreError)
from graph.build import build, is_up_to_date
from graph.store import RemoteStore, StoreLayout, open_backend
from tests.conftest import free_port, make_settings, remote_settings, running_oxigraph

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LABEL = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"


def count(backend) -> int:
    return int(backend.select(COUNT)[0]["n"])


def first_article(data: Path) -> Path:
    return sorted((data / "articles").glob("*.ttl"))[0]


# --- building ----------------------------------------------------------------------------

def test_build_creates_one_named_graph_per_source_and_swaps_atomically(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    report = build(s, validate="none")
    layout = StoreLayout(s.store)
    assert layout.current.is_symlink()
    assert layout.current_build().name == report.build_id
    articles = {f"https://w3id.org/wckg/id/graph/{p.stem}" for p in (data_copy / "articles").glob("*.ttl")}
    with open_backend(s) as b:
        graphs = set(b.info().graphs)
        assert articles <= graphs
        assert {"https://w3id.org/wckg/id/graph/ontology", "https://w3id.org/wckg/id/graph/reference"} <= graphs
        assert count(b) == report.triples > 0
    assert is_up_to_date(s)


def test_rebuild_after_changing_one_article_reloads_only_that_graph(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    first = build(s, validate="none")
    again = build(s, validate="none")
    assert again.up_to_date and again.build_id == first.build_id

    article = first_article(data_copy)
    article.write_text(article.read_text() + "\n<https://w3id.org/wckg/id/place/astana> "
                       "<http://www.w3.org/2004/02/skos/core#note> \"changed\" .\n")
    assert not is_up_to_date(s)
    third = build(s, validate="none")
    graph = f"https://w3id.org/wckg/id/graph/{article.stem}"
    assert third.changed_graphs == [graph]
    assert graph not in third.reused_graphs and len(third.reused_graphs) >= 2
    assert third.triples == first.triples + 1
    with open_backend(s) as b:
        assert b.query("ASK { GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/core#note> \"changed\" } }").boolean
    # the previous build is kept for readers still on it; older ones are cleaned
    assert len(list(StoreLayout(s.store).builds.iterdir())) == 2


def test_a_broken_article_is_reported_with_file_and_line_and_the_store_is_untouched(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    first = build(s, validate="none")
    article = first_article(data_copy)
    article.write_text(article.read_text() + "\n<https://w3id.org/wckg/id/x> undeclared:p \"o\" .\n")
    with pytest.raises(RdfSyntaxError) as e:
        build(s, validate="none")
    assert str(article) in str(e.value) and "undeclared" in str(e.value)
    assert e.value.location.line == len(article.read_text().splitlines())
    assert StoreLayout(s.store).current_build().name == first.build_id
    assert not [d for d in StoreLayout(s.store).builds.iterdir() if d.name.startswith("tmp-")]


def _big_article(path: Path, n: int) -> None:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(f"<https://w3id.org/wckg/id/event/bulk-{i}> <http://www.w3.org/2004/02/skos/core#note> "
                     f"\"filler {i} to make the load take a while\" .\n")


def test_a_killed_rebuild_leaves_the_previous_store_serving(tmp_path, data_copy):
    """Guards the atomic swap: SIGKILL in the middle of a load must not harm the live store."""
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    first = build(s, validate="none")
    with open_backend(s) as b:
        before = count(b)
    _big_article(data_copy / "articles" / "bulk.nt.ttl", 400_000)
    env = {**os.environ, "WCKG_STORE": str(s.store), "WCKG_DATA_DIR": str(data_copy)}
    proc = subprocess.Popen([sys.executable, "-m", "graph.cli", "build", "--validate", "none"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
    layout = StoreLayout(s.store)
    deadline = time.time() + 60
    while time.time() < deadline and not any(d.name.startswith("tmp-") for d in layout.builds.iterdir()):
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the rebuild finished before it could be killed; make the article bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert layout.current_build().name == first.build_id
    with open_backend(s) as b:
        assert count(b) == before
    # the next build cleans the orphan and lands whole
    (data_copy / "articles" / "bulk.nt.ttl").unlink()
    report = build(s, validate="none", force=True)
    assert not [d for d in layout.builds.iterdir() if d.name.startswith("tmp-")]
    assert report.triples == before


def test_missing_store_says_how_to_build_it(tmp_path):
    with pytest.raises(StoreError, match="wckg build"):
        open_backend(make_settings(tmp_path / "nothing-here"))


# --- querying ----------------------------------------------------------------------------

def test_parameters_are_bound_by_the_engine(backend):
    astana = URIRef("https://w3id.org/wckg/id/place/astana")
    rows = backend.select(LABEL, {"s": astana})
    assert [str(r["l"]) for r in rows] == ["Astana"]
    # a value that tries to break out of an IRI is refused, naming the parameter
    with pytest.raises(ParameterError, match="'s'"):
        backend.select(LABEL, {"s": URIRef("https://example.org/x> } ; DROP ALL ; <x")})
    # a literal that looks like SPARQL stays a literal
    assert backend.select(LABEL, {"l": Literal('x" } ; DROP ALL ; #')}) == []


def test_limit_truncates_and_says_so(backend):
    res = backend.query("SELECT ?s WHERE { ?s ?p ?o }", limit=3)
    assert len(res) == 3 and res.truncated
    assert not backend.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", limit=3).truncated


def test_a_query_past_its_time_limit_is_stopped_and_the_pool_recovers(backend):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    t0 = time.perf_counter()
    with pytest.raises(QueryTimeout, match="time limit of 1 s"):
        backend.query(heavy, timeout=1)
    assert time.perf_counter() - t0 < 5
    assert backend.query("ASK { ?s ?p ?o }").boolean is True


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?q ?r } } }",
])
def test_service_never_reaches_an_engine(backend, text):
    with pytest.raises(ForbiddenQuery, match="SERVICE"):
        backend.query(text)


@pytest.mark.parametrize("text", ["LOAD <http://127.0.0.1:9/data.ttl>", "DROP ALL",
                                  "INSERT DATA { <a:s> <a:p> <a:o> }", "CLEAR GRAPH <a:g>"])
def test_updates_are_refused(backend, text):
    with pytest.raises(ForbiddenQuery):
        backend.query(text)


def test_a_syntax_error_has_line_and_column(backend):
    with pytest.raises(QuerySyntaxError, match=r"2:\d+"):
        backend.query("SELECT * WHERE {\n  ?s ?p }")


def test_a_parameter_the_query_does_not_project_is_a_query_error(backend):
    with pytest.raises(QueryError, match="projection"):
        backend.query("SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
                      params={"s": URIRef("https://w3id.org/wckg/id/place/astana")})


def test_result_formats(backend):
    sel = backend.query(LABEL + " ORDER BY ?s LIMIT 2")
    assert sel.serialize("csv").startswith(b"s,l\r\n")
    assert sel.serialize("tsv").startswith(b"?s\t?l\n")
    assert b"<sparql" in sel.serialize("xml")
    graph = backend.query("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 5")
    assert graph.graph is not None and len(graph.graph) == 5
    for fmt in ("turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads"):
        assert graph.serialize(fmt)
    with pytest.raises(QueryError, match="CONSTRUCT"):
        sel.serialize("turtle")


# --- the remote backend: a real oxigraph server ---------------------------------------------

@pytest.fixture
def oxigraph_server(tmp_path):
    with running_oxigraph(tmp_path / "server") as url:
        yield url


@pytest.mark.remote
def test_remote_store_loads_per_named_graph_and_answers_like_the_embedded_one(tmp_path, oxigraph_server, backend):
    s = remote_settings(oxigraph_server, tmp_path / "local")
    report = build(s, validate="none")
    with open_backend(s) as remote:
        assert isinstance(remote, RemoteStore)
        assert count(remote) == count(backend) == report.triples
        assert remote.info().graphs == backend.info().graphs
        astana = URIRef("https://w3id.org/wckg/id/place/astana")
        assert remote.select(LABEL, {"s": astana}) == backend.select(LABEL, {"s": astana})
        assert remote.query("SELECT ?s WHERE { ?s ?p ?o }", limit=4).truncated
        with pytest.raises(ForbiddenQuery):
            remote.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        with pytest.raises(QuerySyntaxError):
            remote.query("SELECT * WHERE {")
    # nothing changed: nothing is sent again
    assert build(s, validate="none").up_to_date


@pytest.mark.remote
def test_unreachable_remote_store_names_the_url(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    s = make_settings(tmp_path / "local", backend="remote", remote_query_url=url)
    with open_backend(s) as remote, pytest.raises(RemoteStoreError, match=url.replace("/", "/")):
        remote.query("ASK {}")


def test_a_deployment_base_iri_rewrites_every_curated_iri(tmp_path):
    s = make_settings(tmp_path / "store", base_iri="https://water.example.org/id/")
    build(s, validate="none")
    with open_backend(s) as b:
        assert b.query("ASK { <https://water.example.org/id/place/astana> ?p ?o }").boolean
        assert not b.query("ASK { <https://w3id.org/wckg/id/place/astana> ?p ?o }").boolean
        assert "https://water.example.org/id/graph/reference" in b.info().graphs


def test_an_index_from_an_older_version_is_rebuilt_even_when_the_data_did_not_change(tmp_path):
    """Guards upgrades: a store built by an older wckg must not keep an index this one cannot read."""
    import sqlite3

    from graph.search import index_is_current
    s = make_settings(tmp_path / "store")
    build(s, validate="none")
    index = StoreLayout(s.store).current_build() / "search.sqlite"
    con = sqlite3.connect(index)
    con.execute("PRAGMA user_version=0")
    con.commit()
    con.close()
    assert not index_is_current(index) and not is_up_to_date(s)
    report = build(s, validate="none")
    assert report.up_to_date and index_is_current(index)


def test_network_metrics_become_a_named_graph_and_are_dropped_when_not_asked_for(tmp_path):
    s = make_settings(tmp_path / "store")
    report = build(s, validate="none", metrics=True)
    assert report.metrics_triples > 0
    degree = ("SELECT ?d WHERE { GRAPH <https://w3id.org/wckg/id/graph/metrics> { "
              "<https://w3id.org/wckg/id/organisation/eurasian-development-bank> "
              "<https://w3id.org/wckg/ontology#degree> ?d } }")
    with open_backend(s) as b:
        assert int(b.select(degree)[0]["d"]) >= 1
    # a later build without --metrics must not keep metrics of data that may have changed
    again = build(s, validate="none")
    assert not again.up_to_date and again.metrics_triples == 0
    with open_backend(s) as b:
        assert b.select(degree) == []


def test_answers_are_kept_per_build_and_a_new_build_misses(tmp_path, data_copy):
    """A build never changes, so its answers can be kept; after a rebuild the same query
    must be answered from the new build (a stale answer after `wckg build` would be a bug)."""
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    build(s, validate="none")
    with open_backend(s) as b:
        first = b.query(COUNT)
        assert b.query(COUNT) is first
        article = first_article(data_copy)
        article.write_text(article.read_text() + "\n<https://w3id.org/wckg/id/place/astana> "
                           "<http://www.w3.org/2004/02/skos/core#note> \"new\" .\n")
        build(s, validate="none")
        after = b.query(COUNT)
        assert after is not first and int(after.rows[0]["n"]) == int(first.rows[0]["n"]) + 1


def _worker(backend, lane: str = "site") -> dict:
    """What one query worker of *lane* holds (graph.store._worker_describe)."""
    from graph.store import _worker_describe
    return backend._current_pool(lane).schedule(_worker_describe).result(timeout=120)


def _answer(res):
    """A query's answer in a form that compares: rows as a multiset, a graph by isomorphism."""
    from collections import Counter

    from rdflib.compare import to_isomorphic
    if res.kind == "ask":
        return res.boolean
    if res.kind == "graph":
        return to_isomorphic(res.graph)

    def term(v):  # GROUP_CONCAT's order is the engine's (SPARQL leaves it open): compare the parts
        return "; ".join(sorted(str(v).split("; "))) if isinstance(v, Literal) and "; " in str(v) else v.n3()
    return res.variables, Counter(tuple(sorted((k, term(v)) for k, v in row.items())) for row in res.rows)


def test_in_memory_workers_answer_like_the_disk_store(settings, built_store):
    """WCKG_IN_MEMORY unset: the curated store fits the default budget, so the site and
    public workers hold it in memory; every named query (its example) and SELECT, ASK and
    CONSTRUCT forms answer exactly as the workers that read it on disk."""
    from graph.queries import load_library
    auto = settings.model_copy(update={"in_memory": None, "memory_budget_mb": 4096})
    disk = settings.model_copy(update={"in_memory": False})
    texts = [(COUNT, None), (LABEL, None), ("ASK { ?s a <https://w3id.org/wckg/ontology#Organisation> }", None),
             ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/wckg/id/graph/reference> { ?s ?p ?o } }", None)]
    texts += [(q.text, q.bind(q.example_params())) for q in load_library(settings.queries_dir).values()]
    with open_backend(auto) as mem, open_backend(disk) as ondisk:
        assert mem.residency().mode == "memory" and "WCKG_MEMORY_BUDGET_MB" in mem.residency().reason
        assert ondisk.residency().mode == "disk" and ondisk.residency().reason == "WCKG_IN_MEMORY=false"
        for lane in ("site", "public"):
            held = _worker(mem, lane)
            assert held["mode"] == "memory" and held["store"] and held["sandboxed"], held
        assert _worker(mem, "health")["mode"] == "disk"  # the health worker checks the files
        assert _worker(ondisk)["mode"] == "disk"
        assert len(texts) > 20
        for text, params in texts:
            got = mem.query(text, params=params, timeout=30, lane="public")
            want = ondisk.query(text, params=params, timeout=30, lane="public")
            assert got.kind == want.kind and _answer(got) == _answer(want), text[:200]
        health = mem.health(30)
        assert health["ok"] and health["mode"] == "memory" and health["residency"]["copies"] == 5  # 2 site + 2 public + 1 spare
    # the build's memory image was written once, by the first worker, and is a whole one
    assert (StoreLayout(settings.store).current_build() / "memory.nq.gz").is_file()
    assert not list(StoreLayout(settings.store).current_build().glob("memory.nq.gz.tmp-*"))


def test_a_memory_budget_too_small_serves_from_disk_and_says_so(settings, built_store):
    s = settings.model_copy(update={"in_memory": None, "memory_budget_mb": 1})
    with open_backend(s) as b:
        place = b.residency()
        assert place.mode == "disk"
        assert "over the budget of 1 MiB (WCKG_MEMORY_BUDGET_MB)" in place.reason
        assert _worker(b)["mode"] == "disk" and _worker(b, "public")["mode"] == "disk"
        assert count(b) == built_store.triples
        health = b.health(30)
        assert health["ok"] and health["mode"] == "disk" and health["residency"]["budget_mb"] == 1
        assert b.ready()["mode"] == "disk"


def test_a_copy_over_the_worker_cap_stays_on_disk_even_when_forced(settings):
    """A copy larger than WCKG_WORKER_MEMORY_MB would kill its worker as it is made (and
    the pool would restart it forever): the plan refuses it whatever WCKG_IN_MEMORY says."""
    from graph.residency import estimate_mb, plan
    one_m = 1_000_000
    forced = settings.model_copy(update={"in_memory": True, "worker_memory_mb": 256})
    p = plan(forced, one_m, 4)
    assert p.mode == "disk" and "WCKG_WORKER_MEMORY_MB" in p.reason and p.estimate_mb == estimate_mb(one_m) > 256
    # auto: a copy over half the cap leaves queries too little, even within the budget
    auto = settings.model_copy(update={"in_memory": None, "worker_memory_mb": 2 * estimate_mb(one_m) - 2,
                                       "memory_budget_mb": 100_000})
    assert plan(auto, one_m, 4).mode == "disk"
    assert plan(auto.model_copy(update={"worker_memory_mb": 0}), one_m, 4).mode == "memory"  # no cap
    # forced true within the cap: memory even over the budget; forced false: disk
    big_cap = settings.model_copy(update={"in_memory": True, "worker_memory_mb": 4096, "memory_budget_mb": 1})
    assert plan(big_cap, one_m, 4).mode == "memory"
    assert plan(settings.model_copy(update={"in_memory": False}), 10, 4).mode == "disk"


def test_in_memory_setting_reads_auto_true_and_false(tmp_path, monkeypatch):
    from graph.config import Settings
    for raw, want in (("auto", None), ("", None), ("true", True), ("0", False)):
        monkeypatch.setenv("WCKG_IN_MEMORY", raw)
        assert Settings(_env_file=None).in_memory is want
    monkeypatch.setenv("WCKG_IN_MEMORY", "sometimes")
    with pytest.raises(ValueError, match="in_memory"):
        Settings(_env_file=None)


def test_a_memory_copy_holds_the_same_quads_blank_node_labels_included(tmp_path, built_store, settings):
    """Every worker's copy must name blank nodes as the store does: a blank node of one
    answer, passed to the next query (which another worker may run), must still match."""
    import pyoxigraph as ox

    from graph.residency import IMAGE_NAME, load_copy
    layout = StoreLayout(settings.store)
    disk = ox.Store.read_only(str(layout.db(layout.current_build())))
    want = set(disk.quads_for_pattern(None, None, None, None))
    assert any(isinstance(q.subject, ox.BlankNode) for q in want)
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    first, how = load_copy(disk, build_dir)
    assert how == "made the image and loaded it" and (build_dir / IMAGE_NAME).is_file()
    second, how = load_copy(disk, build_dir)
    assert how == "loaded the image"
    assert set(first.quads_for_pattern(None, None, None, None)) == want
    assert set(second.quads_for_pattern(None, None, None, None)) == want
    # no directory for the image (OSError): copied quad by quad
    third, how = load_copy(disk, tmp_path / "missing" / "build")
    assert how == "copied from the store" and set(third.quads_for_pattern(None, None, None, None)) == want


def test_after_a_rebuild_memory_workers_load_the_new_build(tmp_path, data_copy):
    """Build-id swaps with memory workers: the next query after a rebuild is answered by a
    fresh copy of the new build (its own memory image), not by the old copy."""
    s = make_settings(tmp_path / "store", data_dir=data_copy, in_memory=True)
    build(s, validate="none")
    with open_backend(s) as b:
        before = count(b)
        first_build = StoreLayout(s.store).current_build()
        assert _worker(b)["mode"] == "memory"
        article = first_article(data_copy)
        article.write_text(article.read_text() + "\n<https://w3id.org/wckg/id/place/astana> "
                           "<http://www.w3.org/2004/02/skos/core#note> \"new\" .\n")
        build(s, validate="none")
        assert count(b) == before + 1
        second_build = StoreLayout(s.store).current_build()
        assert second_build != first_build and (second_build / "memory.nq.gz").is_file()
        assert _worker(b)["mode"] == "memory"
        assert b.residency().triples == before + 1


def test_build_info_reads_the_manifest_once_per_build(tmp_path, data_copy, monkeypatch):
    """Pages ask for the build's info on every request; the manifest lists every data file
    (29 MB at 5 M triples, ~350 ms to parse), so it is read once per build, and a new build
    is seen at once."""
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    first = build(s, validate="none")
    reads = []
    real = StoreLayout.manifest
    monkeypatch.setattr(StoreLayout, "manifest", lambda self: reads.append(1) or real(self))
    with open_backend(s) as b:
        assert [b.info().build_id for _ in range(5)] == [first.build_id] * 5
        assert len(reads) <= 1
        article = first_article(data_copy)
        article.write_text(article.read_text() + "\n<https://w3id.org/wckg/id/place/astana> "
                           "<http://www.w3.org/2004/02/skos/core#note> \"changed\" .\n")
        second = build(s, validate="none")
        assert second.build_id != first.build_id
        assert b.info().build_id == second.build_id
