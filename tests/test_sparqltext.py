"""graph.sparqltext: which queries name their own dataset (FROM / FROM NAMED)."""
from __future__ import annotations

import pytest

from graph.sparqltext import query_dataset

G = "https://w3id.org/wckg/id/graph/ontology"


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?from WHERE { ?from ?p ?o }",
    "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:from ?o }",
    "SELECT * WHERE { ?s ?p 'FROM <x>' } # FROM <http://g>",
    "SELECT * WHERE { ?s ?p \"\"\"a\nFROM <http://g>\"\"\" }",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s <http://ex/FROM> ?o }",
])
def test_no_dataset_clause(text):
    assert query_dataset(text) is None


def test_from_and_from_named_with_iris_prefixes_and_base():
    ds = query_dataset(f"BASE <https://w3id.org/wckg/id/> PREFIX wg: <https://w3id.org/wckg/id/graph/>\n"
                       f"select (count(*) as ?n) from <{G}> From wg:reference FROM NAMED <graph/x>\n"
                       f"FROM named wg:y WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert ds is not None
    assert ds.default == [G, "https://w3id.org/wckg/id/graph/reference"]
    assert ds.named == ["https://w3id.org/wckg/id/graph/x", "https://w3id.org/wckg/id/graph/y"]


def test_construct_template_before_from():
    ds = query_dataset(f"CONSTRUCT {{ ?s ?p ?o }} FROM <{G}> WHERE {{ ?s ?p ?o }}")
    assert ds is not None and ds.default == [G] and ds.named == []


def test_from_with_unknown_prefix_still_counts_as_a_dataset():
    ds = query_dataset("SELECT * FROM nope:g WHERE { ?s ?p ?o }")
    assert ds is not None and ds.default == []
