"""`wckg publish`: the release bundle (files, round trips, determinism, atomic replacement,
the validation gate and the settings it cannot do without)."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from graph import publish as pub
from graph.config import PROJECT_ROOT
from graph.errors import ConfigError, InputError, ValidationFailed
from tests.conftest import make_settings

DUMPS = ("wckg.nq.gz", "wckg.trig.gz", "wckg.ttl.gz", "wckg.jsonld.gz")


@pytest.fixture(scope="module")
def bundle(settings, backend, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("publish") / "release"
    pub.publish(settings, out, backend=backend)
    return out


@pytest.fixture(scope="module")
def store_graphs(backend) -> dict[str, Graph]:
    """The store's dataset, one rdflib Graph per named graph."""
    graphs: dict[str, Graph] = {}
    for r in backend.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
        graphs.setdefault(str(r["g"]), Graph()).add((r["s"], r["p"], r["o"]))
    return graphs


def _union(graphs) -> Graph:
    u = Graph()
    for g in graphs:
        for t in g:
            u.add(t)
    return u


def _jsonld_graph(data: bytes, bundle: Path) -> Graph:
    """Parse a bundle JSON-LD file: its @context is the bundle's context, inline."""
    doc = json.loads(data)
    assert doc["@context"] == json.loads((bundle / "context.jsonld").read_text())["@context"]
    return Graph().parse(data=json.dumps(doc), format="json-ld")


def test_bundle_holds_every_file_with_its_size_and_checksum(bundle):
    assert sorted(p.name for p in bundle.iterdir()) == sorted(pub.BUNDLE_NAMES)
    manifest = json.loads((bundle / "manifest.json").read_text())
    listed = {f["name"]: f for f in manifest["files"]}
    assert set(listed) == set(pub.FILES) | {"catalog.ttl"}
    for name, f in listed.items():
        data = (bundle / name).read_bytes()
        assert f["size"] == len(data), name
        assert f["sha256"] == hashlib.sha256(data).hexdigest(), name
    sums = dict(line.split("  ")[::-1] for line in (bundle / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == set(pub.BUNDLE_NAMES) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((bundle / name).read_bytes()).hexdigest() == digest, name
    readme = (bundle / "README.md").read_text()
    for name in listed:
        assert name in readme


def test_dumps_are_gzip_without_name_or_time(bundle):
    for name in DUMPS:
        head = (bundle / name).read_bytes()[:10]
        assert head[:2] == b"\x1f\x8b", name
        assert head[3] & 0x08 == 0, f"{name}: gzip header stores a file name"
        assert head[4:8] == b"\0\0\0\0", f"{name}: gzip header stores a modification time"


def test_quad_dumps_parse_back_isomorphic_to_the_store(bundle, store_graphs):
    for name, fmt in (("wckg.nq.gz", "nquads"), ("wckg.trig.gz", "trig")):
        ds = Dataset()
        ds.parse(data=gzip.decompress((bundle / name).read_bytes()).decode("utf-8"), format=fmt)
        dumped = {str(g.identifier): g for g in ds.graphs() if len(g)}
        assert set(dumped) == set(store_graphs), name
        for iri, g in store_graphs.items():
            assert isomorphic(g, dumped[iri]), f"{name}: graph {iri} differs from the store"


def test_default_graph_dumps_parse_back_isomorphic_to_the_union(bundle, store_graphs):
    union = _union(store_graphs.values())
    ttl = Graph().parse(data=gzip.decompress((bundle / "wckg.ttl.gz").read_bytes()).decode(), format="turtle")
    assert isomorphic(union, ttl)
    jl = _jsonld_graph(gzip.decompress((bundle / "wckg.jsonld.gz").read_bytes()), bundle)
    assert isomorphic(union, jl)


def test_nquads_lines_are_sorted(bundle):
    lines = gzip.decompress((bundle / "wckg.nq.gz").read_bytes()).decode().splitlines()
    assert len(lines) == len(set(lines)) > 100
    # graph, then subject: each graph is one block, each subject one run within it
    keys = [(l.rsplit(" ", 2)[1], l.split(" ", 1)[0]) for l in lines]
    assert keys == sorted(keys)


def test_jsonld_uses_the_short_keys_of_the_context(bundle):
    doc = json.loads(gzip.decompress((bundle / "wckg.jsonld.gz").read_bytes()))
    keys = {k for node in doc["@graph"] for k in node}
    for key in ("prefLabel", "wasDerivedFrom", "evidence", "sameAs"):
        assert key in keys
    types = {t for node in doc["@graph"] for t in ([node["@type"]] if isinstance(node.get("@type"), str)
                                                     else node.get("@type", []))}
    assert {"Organisation", "Event", "Country"} <= types or {"InternationalOrganisation", "Country"} <= types


def test_ontology_and_shapes_in_three_syntaxes_match_their_files(bundle, settings):
    from graph.load import discover, parse_graph
    for role in ("ontology", "shapes"):
        expected = _union(parse_graph(f) for f in discover(settings) if f.role == role)
        assert len(expected) > 50
        assert isomorphic(expected, Graph().parse(bundle / f"{role}.ttl", format="turtle")), role
        assert isomorphic(expected, Graph().parse(bundle / f"{role}.rdf", format="xml")), role
        assert isomorphic(expected, _jsonld_graph((bundle / f"{role}.jsonld").read_bytes(), bundle)), role


def test_second_run_gives_identical_bytes(bundle, settings, backend, tmp_path):
    again = tmp_path / "again"
    pub.publish(settings, again, backend=backend)
    for name in pub.BUNDLE_NAMES:
        assert (again / name).read_bytes() == (bundle / name).read_bytes(), name


def test_publishing_from_the_files_is_identical_in_another_process(settings, tmp_path):
    """Hash-seed or set order must not leak into the files: a second interpreter with
    another PYTHONHASHSEED writes the same bytes."""
    first = tmp_path / "first"
    pub.publish(settings, first, validate=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env["PYTHONHASHSEED"] = "12345"
    code = ("import sys; from tests.conftest import make_settings; from graph.publish import publish; "
            "from pathlib import Path; "
            f"publish(make_settings(Path({str(settings.store)!r})), Path({str(tmp_path / 'second')!r}), validate=False)")
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, check=True, timeout=240)
    for name in pub.BUNDLE_NAMES:
        assert (tmp_path / "second" / name).read_bytes() == (first / name).read_bytes(), name


def test_blank_node_labels_do_not_depend_on_input_order(settings):
    triples = pub.ontology_triples(settings, "ontology")
    assert any(t.subject.__class__.__name__ == "BlankNode" for t in triples)
    from graph.load import to_rdflib
    rd = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples]
    a = pub.serialize_ntriples(pub.canonical_triples(rd, "x"))
    b = pub.serialize_ntriples(pub.canonical_triples(list(reversed(rd)), "x"))
    assert a == b


def test_an_older_bundle_is_replaced_whole(settings, tmp_path):
    out = tmp_path / "release"
    pub.publish(settings, out, validate=False, base_url="https://old.example.org/files")
    (out / "stale-file-from-an-old-release.txt").write_text("old")
    result = pub.publish(settings, out, validate=False, base_url="https://new.example.org/files")
    assert result.replaced
    assert not (out / "stale-file-from-an-old-release.txt").exists()
    assert "https://new.example.org/files/wckg.nq.gz" in (out / "catalog.ttl").read_text()
    assert "old.example.org" not in (out / "catalog.ttl").read_text()
    # no temporary or old directories are left beside the bundle
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


def test_a_directory_of_other_files_is_not_replaced(settings, tmp_path):
    out = tmp_path / "home"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(InputError, match="not a wckg bundle"):
        pub.publish(settings, out, validate=False)
    assert (out / "thesis.tex").read_text() == "precious"


def _broken_project(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    (data / "articles" / "zz-broken.ttl").write_text(
        "@prefix wc: <https://w3id.org/wckg/ontology#> .\n"
        "<https://w3id.org/wckg/id/event/zz-broken> a wc:Event .\n", encoding="utf-8")
    return data


def test_a_graph_that_does_not_conform_is_not_published(settings, tmp_path):
    bad = make_settings(settings.store, data_dir=_broken_project(tmp_path))
    out = tmp_path / "out" / "release"
    with pytest.raises(ValidationFailed) as e:
        pub.publish(bad, out)
    assert not e.value.report.conforms
    assert "zz-broken" in e.value.report.to_text()
    assert not out.exists()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_failed_publish_keeps_the_older_bundle(settings, tmp_path):
    out = tmp_path / "release"
    pub.publish(settings, out, validate=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = make_settings(settings.store, data_dir=_broken_project(tmp_path))
    with pytest.raises(ValidationFailed):
        pub.publish(bad, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("setting, name", [("licence", "WCKG_LICENCE"), ("publisher_name", "WCKG_PUBLISHER_NAME")])
def test_a_missing_licence_or_publisher_names_the_setting(settings, tmp_path, setting, name):
    incomplete = make_settings(settings.store, **{setting: None})
    out = tmp_path / "release"
    with pytest.raises(ConfigError, match=name):
        pub.publish(incomplete, out)
    assert not out.exists()


def test_cli_publish_and_its_errors(settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update({"WCKG_DATA_DIR": str(settings.data_dir), "WCKG_ONTOLOGY_DIR": str(settings.ontology_dir),
                "WCKG_STORE": str(settings.store)})
    cli = [sys.executable, "-m", "graph.cli", "publish"]
    ok = subprocess.run([*cli, str(tmp_path / "rel"), "--base-url", "https://files.example.org/wckg",
                         "--release-date", "2025-05-01"],
                        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert ok.returncode == 0, ok.stderr
    assert "wckg.nq.gz" in ok.stdout
    catalog = (tmp_path / "rel" / "catalog.ttl").read_text()
    assert "https://files.example.org/wckg/wckg.trig.gz" in catalog
    assert '"2025-05-01"^^xsd:date' in catalog

    no_licence = subprocess.run([*cli, str(tmp_path / "rel2")], cwd=PROJECT_ROOT,
                                env={**env, "WCKG_LICENCE": ""}, capture_output=True, text=True, timeout=120)
    assert no_licence.returncode == 2
    assert "WCKG_LICENCE" in no_licence.stderr
    assert "Traceback" not in no_licence.stderr
    assert not (tmp_path / "rel2").exists()

    bad_date = subprocess.run([*cli, str(tmp_path / "rel3"), "--release-date", "last tuesday"], cwd=PROJECT_ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
    assert bad_date.returncode == 2 and "WCKG_RELEASE_DATE" in bad_date.stderr
    assert "Traceback" not in bad_date.stderr


def test_cli_says_why_a_graph_is_not_published(settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update({"WCKG_DATA_DIR": str(_broken_project(tmp_path)), "WCKG_ONTOLOGY_DIR": str(settings.ontology_dir),
                "WCKG_STORE": str(settings.store)})
    res = subprocess.run([sys.executable, "-m", "graph.cli", "publish", str(tmp_path / "rel")], cwd=PROJECT_ROOT,
                         env=env, capture_output=True, text=True, timeout=240)
    assert res.returncode == 1
    assert "not published" in res.stderr
    assert "zz-broken" in res.stderr and "Violation" in res.stderr
    assert "wc:date" in res.stderr          # the report's text, not rich's emoji for ":date"
    assert "Traceback" not in res.stderr
    assert not (tmp_path / "rel").exists()


def test_a_deployment_base_iri_is_published(settings, tmp_path):
    """WCKG_BASE_IRI is a setting: the files are rewritten to it as the store does, and the
    catalog's IRIs follow it."""
    own = make_settings(settings.store, base_iri="https://data.example.org/kg/id/",
                        public_url="https://data.example.org")
    pub.publish(own, tmp_path / "r", validate=False)
    nq = gzip.decompress((tmp_path / "r" / "wckg.nq.gz").read_bytes()).decode()
    assert "https://w3id.org/wckg/id/" not in nq
    assert "<https://data.example.org/kg/id/graph/reference>" in nq
    catalog = Graph().parse(tmp_path / "r" / "catalog.ttl")
    assert (URIRef("https://data.example.org/kg/catalog#dataset"), None, None) in catalog
    assert (None, None, URIRef("https://data.example.org/downloads/wckg.nq.gz")) in catalog
