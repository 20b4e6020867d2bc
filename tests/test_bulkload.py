"""The scratch build's loader (graph.bulkload: files parsed in worker processes, N-Quads
batches through RocksDB's bulk loader) stores what the quad-by-quad loader stored: the same
quads in the same graphs, blank nodes compared by their place in the data (canonical
colours), on the curated data and on a 100-thousand-triple synthetic graph; a blank node
label is scoped to its file; a syntax error names its file and line."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import bulkload
from graph.config import PROJECT_ROOT
from graph.errors import RdfSyntaxError
from graph.load import DataFile, discover, iter_quads

from tests.conftest import make_settings


def _canonical(quads) -> Counter:
    """The quads as a multiset, every blank node replaced by a colour computed from the
    quads around it (four rounds of refinement): two isomorphic datasets give equal
    multisets."""
    quads = list(quads)
    touching: dict[str, list[tuple[int, ox.Quad]]] = {}
    for q in quads:
        for pos, t in ((0, q.subject), (2, q.object)):
            if isinstance(t, ox.BlankNode):
                touching.setdefault(t.value, []).append((pos, q))
    colour = dict.fromkeys(touching, "b")

    def term(t) -> str:
        return "_:" + colour[t.value] if isinstance(t, ox.BlankNode) else str(t)

    for _ in range(4):
        colour = {b: hashlib.sha1(repr(sorted(
            (pos, str(q.predicate), term(q.object if pos == 0 else q.subject), str(q.graph_name))
            for pos, q in around)).encode()).hexdigest() for b, around in touching.items()}
    return Counter((term(q.subject), str(q.predicate), term(q.object), str(q.graph_name)) for q in quads)


def _before(files, base_iri: str = "https://w3id.org/wckg/id/") -> ox.Store:
    """The store as the scratch build loaded it before graph.bulkload (quad by quad)."""
    store = ox.Store()
    store.bulk_extend(q for f in files for q in iter_quads(f, base_iri=base_iri))
    return store


def _now(files, tmp_path: Path, base_iri: str = "https://w3id.org/wckg/id/") -> ox.Store:
    store = ox.Store(str(tmp_path / "db"))
    bulkload.load_files(store, files, base_iri, tmp_path / "scratch")
    store.flush()
    assert not (tmp_path / "scratch").exists()  # the N-Quads batches are gone
    return store


@pytest.fixture
def small_batches(monkeypatch):
    """Many batches, so that the worker processes run (the curated data is one batch)."""
    monkeypatch.setattr(bulkload, "BATCH_BYTES", 20_000)


def test_the_curated_data_loads_as_before_in_worker_processes(tmp_path, small_batches):
    files = discover(make_settings(tmp_path / "store"))
    assert len(bulkload._batches(files)) > 3
    now, before = _now(files, tmp_path), _before(files)
    assert len(now) == len(before) > 2000
    assert _canonical(now) == _canonical(before)


def test_the_curated_data_loads_as_before_in_one_batch_and_rebased(tmp_path):
    files = discover(make_settings(tmp_path / "store"))
    base = "https://example.org/kg/"
    now, before = _now(files, tmp_path, base), _before(files, base)
    assert _canonical(now) == _canonical(before)
    assert not any(str(q.graph_name).startswith("<https://w3id.org/wckg/id/") for q in now)


def test_a_100k_synthetic_graph_loads_as_before(tmp_path):
    out = tmp_path / "100k"
    subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / "generate.py"), "--scale", "100k", "--out", str(out),
                    "--quiet"], check=True, capture_output=True)
    files = discover(make_settings(tmp_path / "store", data_dir=out))
    now, before = _now(files, tmp_path), _before(files)
    assert len(now) == len(before) > 250_000
    assert _canonical(now) == _canonical(before)


def _article(tmp_path: Path, name: str, text: str) -> DataFile:
    path = tmp_path / f"{name}.ttl"
    path.write_text("@prefix ex: <https://example.org/> .\n" + text)
    return DataFile(path, f"https://w3id.org/wckg/id/graph/{name}", "article")


def test_a_blank_node_label_belongs_to_its_file(tmp_path, small_batches):
    files = [_article(tmp_path, f"a{i}", "_:x ex:p ex:o . _:x ex:q [ ex:r ex:s ] .\n" + "# pad\n" * 4000)
             for i in range(4)]
    assert len(bulkload._batches(files)) > 1
    store = _now(files, tmp_path)
    subjects = {q.subject for q in store.quads_for_pattern(None, ox.NamedNode("https://example.org/p"), None)}
    assert len(subjects) == 4 and all(isinstance(s, ox.BlankNode) for s in subjects)
    assert len(store) == 12
    for f in files:  # each in its own graph
        assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(f.graph)))) == 3


@pytest.mark.parametrize("many", [False, True])
def test_a_syntax_error_names_the_file_and_line(tmp_path, monkeypatch, many):
    if many:
        monkeypatch.setattr(bulkload, "BATCH_BYTES", 10)
    good = _article(tmp_path, "good", "ex:a ex:p ex:o .\n")
    bad = _article(tmp_path, "bad", "ex:a ex:p ex:o .\nex:b ex:p nope:o .\n")
    with pytest.raises(RdfSyntaxError) as e:
        _now([good, bad, good], tmp_path)
    assert e.value.location is not None and e.value.location.file == bad.path and e.value.location.line == 3
