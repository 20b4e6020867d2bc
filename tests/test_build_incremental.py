"""A rebuild after changed articles updates the derived graph and the label index for what
changed (graph.derived.Update, graph.search_update) and ends where a full build of the same
files ends; a rebuild that fails leaves the previous build serving."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph import derived
from graph.build import build
from graph.search import SearchIndex
from graph.store import StoreLayout
from graph.terms import to_rdflib
from tests.conftest import make_settings

ORG = "https://w3id.org/wckg/id/organisation/"
NEW_ARTICLE = """
@prefix wc: <https://w3id.org/wckg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org_: <https://w3id.org/wckg/id/organisation/> .
@prefix ev: <https://w3id.org/wckg/id/event/> .

org_:zebra-basin-water-trust a wc:Organisation ; skos:prefLabel "Zebra Basin Water Trust"@en ;
    skos:altLabel "ZBWT" ; skos:definition "A trust invented by the incremental build test."@en .
ev:zebra-test-meeting a wc:Meeting ; skos:prefLabel "Zebra test meeting"@en ;
    wc:organiser org_:zebra-basin-water-trust ; wc:participant org_:undp .
"""


def _manifest(settings) -> dict:
    return json.loads((StoreLayout(settings.store).current_build() / "manifest.json").read_text())


def _dataset(settings) -> dict[str, Graph]:
    """Every named graph of the current build, by name."""
    layout = StoreLayout(settings.store)
    store = ox.Store.read_only(str(layout.db(layout.current_build())))
    graphs: dict[str, Graph] = {}
    for q in store:
        graphs.setdefault(q.graph_name.value, Graph()).add(
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graphs


def _same(a: dict[str, Graph], b: dict[str, Graph]) -> bool:
    return a.keys() == b.keys() and all(isomorphic(a[g], b[g]) for g in a)


def _index(settings) -> dict[str, set]:
    """The index's content by what it says, not by row ids (those differ between builds)."""
    path = StoreLayout(settings.store).current_build() / "search.sqlite"
    con = sqlite3.connect(path)
    try:
        q = {
            "resources": "SELECT iri, label, kind, class_iri, links FROM resource",
            "labels": "SELECT r.iri, l.text, l.norm, l.is_pref, l.lang, l.links, l.skel, l.compact "
                      "FROM label l JOIN resource r ON r.id = l.resource",
            "notes": "SELECT r.iri, n.text, n.norm FROM note n JOIN resource r ON r.id = n.resource",
            "short_prefix": "SELECT sp.prefix, sp.rank, r.iri, l.text, l.lang FROM short_prefix sp "
                            "JOIN label l ON l.id = sp.label JOIN resource r ON r.id = l.resource",
            "label_fts": "SELECT r.iri, l.text FROM label_fts JOIN label l ON l.id = label_fts.rowid "
                         "JOIN resource r ON r.id = l.resource WHERE label_fts MATCH 'zebra OR undp OR basin'",
            "meta": "SELECT key, value FROM meta",
        }
        return {k: set(con.execute(sql).fetchall()) for k, sql in q.items()}
    finally:
        con.close()


def _change(data: Path) -> None:
    articles = sorted((data / "articles").glob("*.ttl"))
    # change one (a new label on an organisation it mentions), remove one, add one
    text = articles[0].read_text()
    articles[0].write_text(text + '\norg_:undp <http://www.w3.org/2004/02/skos/core#altLabel> "Zebra Programme" .\n')
    articles[1].unlink()
    (data / "articles" / "zebra-test-article.ttl").write_text(NEW_ARTICLE)


def test_a_rebuild_updates_the_derived_graph_and_the_index_like_a_full_build(tmp_path, data_copy):
    inc = make_settings(tmp_path / "inc", data_dir=data_copy)
    build(inc, validate="none")
    _change(data_copy)
    report = build(inc, validate="none", allow_removal=True)
    manifest = _manifest(inc)
    assert manifest["derived_mode"] == "incremental" and manifest["index_mode"] == "incremental"
    assert len(report.changed_graphs) == 2 and len(report.removed_graphs) == 1
    # the new meeting's inherited types came, the removed article's went: per subject, not a full pass
    assert manifest["entailed"]["added"] > 0 and manifest["entailed"]["removed"] > 0

    full = make_settings(tmp_path / "full", data_dir=data_copy)
    build(full, validate="none")
    assert _manifest(full)["index_mode"] == "full"
    assert _same(_dataset(inc), _dataset(full))
    assert manifest["graphs"] == _manifest(full)["graphs"]
    a, b = _index(inc), _index(full)
    for table in a:
        assert a[table] == b[table], table
    hits = SearchIndex(StoreLayout(inc.store).current_build() / "search.sqlite").search("zebra basin")
    assert hits and hits[0].iri == ORG + "zebra-basin-water-trust"


def test_reverting_the_change_restores_the_first_build(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    build(s, validate="none")
    first_index, first_data = _index(s), _dataset(s)
    saved = tmp_path / "saved"
    shutil.copytree(data_copy, saved)
    _change(data_copy)
    build(s, validate="none", allow_removal=True)
    shutil.rmtree(data_copy)
    shutil.copytree(saved, data_copy)
    build(s, validate="none", allow_removal=True)
    assert _manifest(s)["index_mode"] == "incremental"
    assert _same(_dataset(s), first_data)
    assert _index(s) == first_index


def test_a_changed_ontology_rebuilds_the_index_whole(tmp_path, data_copy, ontology_copy):
    onto = ontology_copy
    s = make_settings(tmp_path / "store", data_dir=data_copy, ontology_dir=onto)
    build(s, validate="none")
    wckg = onto / "wckg.ttl"
    wckg.write_text(wckg.read_text() + "\n<https://w3id.org/wckg/ontology#TestClass> a "
                    "<http://www.w3.org/2002/07/owl#Class> ; <http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                    "<https://w3id.org/wckg/ontology#Organisation> .\n")
    build(s, validate="none")
    manifest = _manifest(s)
    assert manifest["index_mode"] == "full"
    assert manifest["derived"]["most-specific-type"]["subjects"] == "all"


def test_a_rebuild_that_fails_late_leaves_the_previous_build_serving(tmp_path, data_copy, monkeypatch):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    first = build(s, validate="none")
    layout = StoreLayout(s.store)
    _change(data_copy)
    from graph import search_update

    def broken(*a, **k):
        raise RuntimeError("disk full while writing the index")
    monkeypatch.setattr(search_update, "update_index", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build(s, validate="none", allow_removal=True)
    assert layout.current_build().name == first.build_id
    assert not [d for d in layout.builds.iterdir() if d.name.startswith("tmp-")]
    monkeypatch.undo()
    build(s, validate="none", allow_removal=True)
    assert layout.current_build().name != first.build_id
    assert _manifest(s)["graphs"].get(derived.DERIVED_GRAPH, 0) > 0


def test_the_file_manifest_reuses_hashes_only_of_files_that_did_not_change(tmp_path, data_copy):
    from graph.build import _file_manifest
    from graph.load import discover
    from graph.store import file_manifest
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    files = discover(s)
    first = _file_manifest(files, s, {})
    assert {k: {x: v[x] for x in ("sha256", "graph", "role")} for k, v in first.items()} == file_manifest(files, s)
    # a recorded hash that no longer matches the bytes is kept only while the file is untouched
    key = next(k for k in first if k.startswith("data/articles/"))
    forged = {k: dict(v) for k, v in first.items()}
    forged[key]["sha256"] = "forged"
    assert _file_manifest(files, s, forged)[key]["sha256"] == "forged"
    path = next(f.path for f in files if str(f.path).endswith(key))
    path.write_text(path.read_text() + "\n")
    assert _file_manifest(files, s, forged)[key]["sha256"] not in ("forged", first[key]["sha256"])


def test_successive_rebuilds_keep_what_each_one_derived(tmp_path, data_copy):
    """Each rebuild starts from a copy of the one before: what its derived update wrote must
    be in that copy (it once sat in RocksDB's log, and the copy left it out)."""
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    build(s, validate="none")
    new = data_copy / "articles" / "zebra-test-article.ttl"
    new.write_text(NEW_ARTICLE)
    build(s, validate="none")  # zebra trust and UNDP become partners
    article = sorted((data_copy / "articles").glob("*.ttl"))[0]
    article.write_text(article.read_text() + '\norg_:undp <http://www.w3.org/2004/02/skos/core#note> "again" .\n')
    build(s, validate="none")  # an unrelated change: the partner counts are copied
    assert _manifest(s)["derived_mode"] == "incremental"
    full = make_settings(tmp_path / "full", data_dir=data_copy)
    build(full, validate="none")
    ours, theirs = _dataset(s), _dataset(full)
    assert isomorphic(ours[derived.DERIVED_GRAPH], theirs[derived.DERIVED_GRAPH])
    assert _same(ours, theirs)
