"""After a rebuild the network table is made from the previous build's rows patched for what
changed (graph/network/patch.py), not from a whole fetch: the rows are carried by the build
(graph.network.table.carry) and the result is the data and network a whole fetch of the new
store gives."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from graph.build import build
from graph.network import table as T
from graph.network.data import GraphData, assemble, fetch_rows
from graph.store import StoreLayout
from tests.conftest import make_settings
from tests.test_build_incremental import _change
from tests.test_network_table import assert_same


ORG = "https://w3id.org/wckg/id/organisation/"
PLACE = "https://w3id.org/wckg/id/place/"
TOPIC = "https://w3id.org/wckg/id/topic/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def _current(settings) -> tuple[Path, Path]:
    layout = StoreLayout(settings.store)
    build_dir = layout.current_build()
    assert build_dir is not None
    return build_dir, layout.db(build_dir)


def _whole(db: Path) -> GraphData:
    return assemble(fetch_rows(T._Store(ox.Store.read_only(str(db)))))


def _same_data(a: GraphData, b: GraphData) -> None:
    a, b = replace(a, serial=0), replace(b, serial=0)
    for f in ("agents", "activities", "incidences", "topics", "countries", "sentences", "statement_quotes",
              "mentions", "parents"):
        assert getattr(a, f) == getattr(b, f), f


def _table_of_current(settings) -> T.NetworkTable:
    build_dir, db = _current(settings)
    return T.ensure(build_dir, build_dir.name, db)


def _manifest(settings) -> dict:
    return json.loads((_current(settings)[0] / "manifest.json").read_text())


def test_a_rebuild_carries_the_rows_and_the_patched_table_is_a_whole_fetchs(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    build(s, validate="none")
    first, _ = _current(s)
    assert (first / T.DIRNAME / T.ROWS).is_file() and _manifest(s)["network_table"] is True
    _change(data_copy)   # one article changed, one removed, one added
    build(s, validate="none", allow_removal=True)
    build_dir, db = _current(s)
    assert _manifest(s)["network_table"] == "pending"
    pending = json.loads((build_dir / T.DIRNAME / T.PENDING).read_text())
    assert pending["base"] == first.name and pending["change"]["blanks"] and not pending["change"]["whole"]
    assert (build_dir / T.DIRNAME / T.ROWS).stat().st_ino == (first / T.DIRNAME / T.ROWS).stat().st_ino

    table = _table_of_current(s)
    assert "patch" in table.timings and "fetch" not in table.timings
    assert "https://w3id.org/wckg/id/event/zebra-test-meeting" in table.data.activities
    _same_data(table.data, _whole(db))
    whole, _ = T.compute(ox.Store.read_only(str(db)), build_dir.name)
    assert_same(table.network, whole.network, "default partnership network")
    # the table is written with this build's own rows; the pending patch is done
    assert not (build_dir / T.DIRNAME / T.PENDING).exists()
    assert T.load(build_dir, build_dir.name) is not None


def test_rebuilds_in_a_row_patch_from_the_last_computed_rows(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    build(s, validate="none")
    articles = sorted((data_copy / "articles").glob("*.ttl"))
    text = articles[2].read_text()
    # a label of UNDP; a country's and a topic's label, which rows about other resources read
    articles[2].write_text(text + '\norg_:undp <http://www.w3.org/2004/02/skos/core#prefLabel> "A Zebra"@en .\n'
                           + f'<{PLACE}kazakhstan> <{SKOS}prefLabel> "A Zebraland"@en .\n'
                           + f'<{TOPIC}nexus> <{SKOS}prefLabel> "A zebra topic"@en .\n')
    build(s, validate="none")
    table = _table_of_current(s)
    assert "patch" in table.timings
    _same_data(table.data, _whole(_current(s)[1]))
    assert table.data.countries[PLACE + "kazakhstan"] == "A Zebraland"
    assert table.data.topics[TOPIC + "nexus"] == "A zebra topic"
    assert table.data.agents[ORG + "undp"].label == "A Zebra"
    patched, _ = _current(s)
    # two rebuilds in a row, the table not computed between: both changes patch the rows
    # of the last computed table
    articles[2].write_text(text)
    build(s, validate="none")
    _change(data_copy)
    build(s, validate="none", allow_removal=True)
    build_dir, db = _current(s)
    pending = json.loads((build_dir / T.DIRNAME / T.PENDING).read_text())
    assert pending["base"] == patched.name
    assert ORG + "undp" in pending["change"]["iris"]
    table = _table_of_current(s)
    assert "patch" in table.timings
    _same_data(table.data, _whole(db))
    assert table.data.agents[ORG + "undp"].label != "A Zebra"
    assert table.data.countries[PLACE + "kazakhstan"] != "A Zebraland"


def test_a_changed_class_hierarchy_fetches_the_whole_graph(tmp_path, data_copy, ontology_copy):
    onto = ontology_copy
    s = make_settings(tmp_path / "store", data_dir=data_copy, ontology_dir=onto)
    build(s, validate="none")
    core = onto / "wckg.ttl"
    core.write_text(core.read_text() + "\nwc:ZebraMeeting rdfs:subClassOf wc:Meeting .\n")
    build(s, validate="none")
    build_dir, db = _current(s)
    assert _manifest(s)["network_table"] is False
    assert not (build_dir / T.DIRNAME / T.PENDING).exists()
    table = _table_of_current(s)
    assert "fetch" in table.timings
    _same_data(table.data, _whole(db))


def test_rows_of_another_build_are_not_patched(tmp_path, data_copy):
    s = make_settings(tmp_path / "store", data_dir=data_copy)
    build(s, validate="none")
    _change(data_copy)
    build(s, validate="none", allow_removal=True)
    build_dir, db = _current(s)
    pending_file = build_dir / T.DIRNAME / T.PENDING
    pending = json.loads(pending_file.read_text())
    pending_file.write_text(json.dumps({**pending, "base": "some-other-build"}))
    table = _table_of_current(s)
    assert "fetch" in table.timings
    _same_data(table.data, _whole(db))
