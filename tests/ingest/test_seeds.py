"""The extractor on the five seed articles finds what the curated graph holds (recall per class)."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.config import PROJECT_ROOT
from graph.ingest import read_article

SOURCES = sorted((PROJECT_ROOT / "data" / "sources").glob("*.txt"))
Q = """PREFIX wc: <https://w3id.org/wckg/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?core WHERE {
  GRAPH ?g { { ?s ?p ?x } UNION { ?x ?p ?o } }
  ?x a ?c . ?c rdfs:subClassOf* ?core .
  VALUES ?core { wc:Organisation wc:Person wc:Event wc:Agreement }
}"""
#: what a draft must find of what the curated article graph holds (measured: BENCHMARKS.md)
MIN_RECALL = {"Organisation": 0.8, "Person": 0.9, "Event": 0.85, "Agreement": 0.8}


@pytest.fixture(scope="module")
def curated(file_settings):
    from graph.load import discover, iter_quads
    store = ox.Store()
    store.bulk_extend(q for f in discover(file_settings) for q in iter_quads(f))
    return store


def held(store, slug):
    res = store.query(Q.replace("GRAPH ?g", f"GRAPH <https://w3id.org/wckg/id/graph/{slug}>"),
                      use_default_graph_as_union=True)
    out = {}
    for row in res:
        out.setdefault(row["core"].value.rsplit("#", 1)[1], set()).add(row["x"].value)
    return out


def date_of(store, iri):
    for row in store.query(f"SELECT ?d WHERE {{ <{iri}> <https://w3id.org/wckg/ontology#date> ?d }}",
                           use_default_graph_as_union=True):
        return row["d"].value
    return None


def parties_of(store, iri):
    return {row["p"].value for row in store.query(
        f"SELECT ?p WHERE {{ <{iri}> <https://w3id.org/wckg/ontology#party> ?p }}", use_default_graph_as_union=True)}


def _compatible(a, b):
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def test_recall_on_the_seed_articles(extractor, curated):
    assert len(SOURCES) == 5
    found_total, held_total = {}, {}
    for path in SOURCES:
        article = read_article(path)
        draft = extractor.extract(article)
        mine = {r.iri for r in draft.resources.values()} | {e.iri for e in draft.entities}
        my_dates = {str(x.value) for r in draft.resources.values() if r.kind == "event" for x in r.literals if x.pred == "wc:date"}
        my_parties = {lk.obj for r in draft.resources.values() if r.kind == "agreement" for lk in r.links if lk.pred == "wc:party"}
        for cls, iris in held(curated, article.slug).items():
            held_total[cls] = held_total.get(cls, 0) + len(iris)
            if cls == "Event":   # the same event: same IRI, or an event of the same date
                hit = {x for x in iris if x in mine or any(_compatible(d, date_of(curated, x)) for d in my_dates)}
            elif cls == "Agreement":   # the same agreement: same IRI, or one with a party in common
                hit = {x for x in iris if x in mine or parties_of(curated, x) & my_parties}
            else:
                hit = iris & mine
            found_total[cls] = found_total.get(cls, 0) + len(hit)
    for cls, minimum in MIN_RECALL.items():
        recall = found_total.get(cls, 0) / held_total[cls]
        assert recall >= minimum, f"{cls}: recall {recall:.2f} ({found_total.get(cls, 0)}/{held_total[cls]}) below {minimum}"
