"""Export round-trips, and the build/export/stats commands as a user meets them."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from graph.cli import app
from graph.derived import DERIVED_GRAPH
from graph.entail import ENTAILED_GRAPH
from graph.export import export
from graph.load import discover, load_dataset

runner = CliRunner()


XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def _canonical(term):
    """Oxigraph stores xsd:decimal in its canonical form ("48.0" is kept as "48"); the files
    may be written either way, so compare values in canonical form."""
    if isinstance(term, Literal) and term.datatype == XSD_DECIMAL:
        text = format(Decimal(str(term)).normalize(), "f")
        return Literal(text, datatype=XSD_DECIMAL)
    return term


def _graphs(ds: Dataset) -> dict[str, Graph]:
    out = {}
    for g in ds.graphs():
        if len(g):
            c = Graph()
            c += ((s, p, _canonical(o)) for s, p, o in g)
            out[str(g.identifier)] = c
    return out


@pytest.mark.parametrize("fmt,rdflib_format", [("trig", "trig"), ("nquads", "nquads")])
def test_dataset_export_parses_back_isomorphic_to_the_loaded_files(backend, settings, fmt, rdflib_format):
    exported = Dataset()
    exported.parse(data=export(backend, fmt), format=rdflib_format)
    loaded = load_dataset(discover(settings))
    got, want = _graphs(exported), _graphs(loaded)
    # the build adds the derived graph (graph/derived/): computed, not loaded from a file
    derived = got.pop(DERIVED_GRAPH)
    assert len(derived) > 0
    # and the RDFS entailments (graph/entail.py), published with the dumps too
    entailed = got.pop(ENTAILED_GRAPH)
    assert len(entailed) > 0
    assert set(got) == set(want)
    for name in want:
        assert isomorphic(got[name], want[name]), f"graph {name} differs after the round trip"


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"),
                                               ("jsonld", "json-ld"), ("rdfxml", "xml")])
def test_default_graph_exports_hold_the_union(backend, settings, fmt, rdflib_format):
    g = Graph().parse(data=export(backend, fmt), format=rdflib_format)
    union = Graph()
    for ctx in _graphs(load_dataset(discover(settings))).values():
        union += ctx
    full = Dataset()
    full.parse(data=export(backend, "trig"), format="trig")
    union += _graphs(full)[DERIVED_GRAPH]  # the build's derived graph is in the union too
    union += _graphs(full)[ENTAILED_GRAPH]  # and its RDFS entailments
    assert isomorphic(g, union)


def test_export_is_deterministic(backend):
    assert export(backend, "nquads") == export(backend, "nquads")
    assert export(backend, "turtle") == export(backend, "turtle")


def test_cli_export_to_a_file_and_stats(settings, built_store, tmp_path, monkeypatch):
    monkeypatch.setenv("WCKG_STORE", str(settings.store))
    from graph.config import get_settings
    get_settings.cache_clear()
    out = tmp_path / "all.trig"
    r = runner.invoke(app, ["export", "--format", "trig", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert Dataset().parse(out, format="trig")
    r = runner.invoke(app, ["stats", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["classes"]["https://w3id.org/wckg/ontology#Country"] >= 6
    assert data["build"]["triples"] == built_store.triples
    get_settings.cache_clear()


def test_cli_export_with_an_unknown_format_names_the_option(settings, monkeypatch):
    monkeypatch.setenv("WCKG_STORE", str(settings.store))
    r = runner.invoke(app, ["export", "--format", "yaml"])
    assert r.exit_code == 2
    assert "--format" in r.output and "turtle" in r.output


def test_cli_build_with_a_wrong_validate_value(tmp_path):
    r = runner.invoke(app, ["build", "--store", str(tmp_path / "s"), "--validate", "sometimes"])
    assert r.exit_code == 2 and "changed, full or none" in r.output
