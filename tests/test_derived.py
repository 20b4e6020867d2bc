"""Derived data (graph.derived): computed by every build into wcid:graph/derived, never stale."""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from graph import derived
from graph.config import PROJECT_ROOT
from graph.queries import load_library

WC = "https://w3id.org/wckg/ontology#"
WCID = "https://w3id.org/wckg/id/"


@pytest.fixture()
def store() -> ox.Store:
    import sys
    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    import query_shapes
    return query_shapes.memory_store_from_checkout()


def _derived(store, p):
    return {(q.subject.value, q.object.value) for q in
            store.quads_for_pattern(None, ox.NamedNode(WC + p), None, derived.graph_name())}


def test_most_specific_type_is_the_narrowest_stated_class(store):
    types = _derived(store, "mostSpecificType")
    assert types
    by_subject: dict[str, set[str]] = {}
    for s, t in types:
        by_subject.setdefault(s, set()).add(t)
    # an event typed wc:Meeting (a subclass of wc:Event) and perhaps wc:Event too: only wc:Meeting
    meetings = [s for s, ts in by_subject.items() if WC + "Meeting" in ts]
    assert meetings and all(WC + "Event" not in by_subject[s] for s in meetings)


def test_partner_counts_match_the_query_that_pairs_every_participant(store):
    old = load_library(PROJECT_ROOT / "tests" / "fixtures" / "queries-before")["organisations-by-partner-count"]
    expected = {r["org"].value: (int(r["partners"].value), int(r["links"].value))
                for r in store.query(old.text, use_default_graph_as_union=True)}
    counts = dict(_derived(store, "partnerCount"))
    shared = dict(_derived(store, "sharedActivityCount"))
    assert expected and {o: (int(counts[o]), int(shared[o])) for o in counts} == expected


def test_derive_drops_what_an_earlier_build_derived(store):
    stale = ox.Quad(ox.NamedNode(WCID + "organisation/gone"), ox.NamedNode(WC + "partnerCount"),
                    ox.Literal("7", datatype=derived.XSD_INTEGER), derived.graph_name())
    store.add(stale)
    report = derived.derive(store)
    assert stale not in store
    assert set(report) == set(derived.REGISTRY)
    assert all(r["triples"] > 0 for r in report.values())
    # deriving twice gives the same graph, not twice the triples
    n = len(list(store.quads_for_pattern(None, None, None, derived.graph_name())))
    derived.derive(store)
    assert len(list(store.quads_for_pattern(None, None, None, derived.graph_name()))) == n


def test_registry_refuses_a_second_derivation_of_the_same_name_and_unknown_names(store):
    with pytest.raises(ValueError, match="already registered"):
        derived.derivation("partner-counts", "again")(lambda s, b: [])
    with pytest.raises(KeyError, match="no derivation named nope"):
        derived.derive(store, only=["nope"])


def test_the_build_adds_the_derived_graph_and_records_it(settings, built_store, backend):
    from graph.store import StoreLayout
    manifest = json.loads((StoreLayout(settings.store).current_build() / "manifest.json").read_text())
    assert manifest["derived_version"] == derived.signature()
    assert set(manifest["derived"]) == set(derived.REGISTRY)
    assert manifest["graphs"].get(derived.DERIVED_GRAPH, 0) > 0
    q = load_library(PROJECT_ROOT / "queries")["organisations-by-partner-count"]
    rows = backend.query(q.text, params=q.bind({}), timeout=10).rows
    assert rows and all(int(r["partners"]) >= 1 for r in rows)


def test_the_ontology_describes_every_derived_term():
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS
    onto = Graph().parse(PROJECT_ROOT / "ontology" / "derived.ttl")
    for p in ("mostSpecificType", "partnerCount", "sharedActivityCount", "intensityCode", "intensityYear", "reportCount",
              "agentCountry", "locatedInCountry", "involves"):
        assert onto.value(URIRef(WC + p), RDFS.comment) is not None, p


def test_the_derived_graph_names_resources_only(store):
    """Blank nodes (OWL restrictions, SHACL shapes) stay out: they are local to their graph,
    and thousands of alike ones make the release's canonical dump take minutes."""
    quads = list(store.quads_for_pattern(None, None, None, derived.graph_name()))
    assert quads and all(isinstance(q.subject, ox.NamedNode) for q in quads)
