"""graph.indicators on the curated graph: every event and agreement coded on the BAR scale
by a named rule, flagged inferred; a curator's code wins; series count events, not
reports; the 6.5.2 evidence; the named query gives the same series as the Python."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph import indicators as I
from graph.errors import ParameterError
from graph.queries import load_library

ID = "https://w3id.org/wckg/id/"


@pytest.fixture(scope="module")
def data(backend):
    return I.compute(backend)


def test_every_event_and_agreement_is_coded_by_a_named_rule(data):
    g = data.graph
    activities = [a for a in g.activities.values() if a.family in ("event", "agreement")]
    assert activities and all(a.iri in data.coded for a in activities)
    rules = {name for name, _, _ in I.RULES}
    for c in data.coded.values():
        assert -7 <= c.code <= 7 and c.rule in rules and c.inferred is True and c.note


def test_rules_on_the_curated_graph(data):
    code = {k.rsplit("/", 1)[-1]: (v.code, v.rule) for k, v in data.coded.items()}
    assert code["2025-04-iac-edb-grant-agreement"] == (5, "financing-agreement")
    assert code["2025-04-kazvodkhoz-primus-capital-memorandum"] == (4, "cooperation-agreement")
    assert code["2025-04-mwri-isdb-undp-statement-of-intent"] == (2, "statement")
    assert code["2025-powerchina-training-china-first-group"] == (3, "training-or-workshop")
    assert code["2020-11-20-nwpd-interministerial-council-6"] == (1, "meeting-or-talks")
    # the ceremony takes the highest code of the five agreements signed at it (the grant)
    assert code["2025-04-water-sector-coordination-council-signing-ceremony"] == (5, "signing")
    # reported only as planned: nothing happened yet
    assert code["2017-06-23-nexus-national-consultation-tashkent"] == (0, "not-held")
    # reported as planned by one article and as held by another: it happened
    assert code["2017-06-15-nexus-national-consultation-astana"] == (1, "meeting-or-talks")


def test_a_series_counts_events_not_reports(data):
    s = I.series(data, "country", "kazakhstan")
    by_year = {y["year"]: y for y in s["years"]}
    assert by_year[2025]["events"] == 7 and by_year[2025]["max"] == 5
    astana = next(i for i in I.series(data, "organisation", "carec")["items"]
                  if i["iri"].endswith("nexus-national-consultation-astana"))
    assert len(astana["sources"]) == 2            # two articles, one event
    y2017 = next(y for y in I.series(data, "organisation", "carec")["years"] if y["year"] == 2017)
    assert y2017["events"] == 5 and y2017["reports"] == 6
    assert I.series_csv(s).splitlines()[0] == "year,events,sum,mean,max,reports"


@pytest.mark.parametrize("kind, value", [("planet", "x"), ("country", "atlantis"), ("pair", "kazakhstan"),
                                         ("pair", "kazakhstan,kazakhstan"), ("basin", "nile"), ("country", "")])
def test_bad_series_requests_name_the_parameter(data, kind, value):
    with pytest.raises(ParameterError) as e:
        I.series(data, kind, value)
    assert e.value.name in ("kind", "value")


def test_a_curated_code_overrides_the_rules(data):
    store = ox.Store()
    store.load(b"""@prefix wc: <https://w3id.org/wckg/ontology#> . @prefix id: <https://w3id.org/wckg/id/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        wc:CooperationAgreement rdfs:subClassOf wc:Agreement . wc:Meeting rdfs:subClassOf wc:Event .
        wc:GovernmentBody rdfs:subClassOf wc:Organisation .
        id:organisation\\/a a wc:GovernmentBody ; wc:country id:place\\/x . id:organisation\\/b a wc:GovernmentBody ; wc:country id:place\\/y .
        id:place\\/x skos:prefLabel "X"@en . id:place\\/y skos:prefLabel "Y"@en .
        id:agreement\\/t a wc:CooperationAgreement ; wc:party id:organisation\\/a , id:organisation\\/b ; wc:date "2001-02-03" .
        id:event\\/q a wc:Meeting ; wc:participant id:organisation\\/a , id:organisation\\/b ; wc:date "2002" ;
            wc:cooperationIntensity -2 ; wc:intensityNote "the talks broke down in acrimony" .""",
               format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ID + "graph/test"))  # as articles are
    from graph import entail
    entail.entail(store)  # as every build does: queries read entailed types (graph.entail)

    class B:
        def select(self, text, params=None):
            res = store.query(text, use_default_graph_as_union=True)
            names = [v.value for v in res.variables]
            return [{n: s[n].value for n in names if s[n] is not None} for s in res]
    d = I.compute(B())
    t, q = d.coded[ID + "agreement/t"], d.coded[ID + "event/q"]
    assert (t.code, t.rule, t.inferred) == (6, "treaty-between-states", True)
    assert (q.code, q.rule, q.inferred, q.note) == (-2, "curated", False, "the talks broke down in acrimony")
    pair = I.series(d, "pair", "x,y")
    assert [(y["year"], y["events"], y["sum"]) for y in pair["years"]] == [(2001, 1, 6), (2002, 1, -2)]


def test_arrangements_show_each_criterion_with_sentences(data):
    a = I.arrangements(data, "pair", "kazakhstan,china")
    assert set(a["criteria"]) == set(I.CRITERIA)
    plans = a["criteria"]["joint-plans"]
    assert plans["held"] and plans["years"] == [2025]
    assert all(e["sentence"] and "PowerChina" in e["sentence"] for e in plans["evidence"])
    assert a["criteria"]["joint-body"]["held"] is False and a["operational"] is False
    with pytest.raises(ParameterError):
        I.arrangements(data, "country", "kazakhstan")


def test_named_query_gives_the_python_series(backend, data):
    from graph.config import PROJECT_ROOT
    lib = load_library(PROJECT_ROOT / "queries")
    q = lib["cooperation-intensity-by-year"]
    for param, kind, value in (("country", "country", "kazakhstan"), ("organisation", "organisation", "undp")):
        iri = ID + ("place/kazakhstan" if param == "country" else "organisation/undp")
        res = backend.query(q.text, params=q.bind({param: iri}), timeout=30)
        got = [(int(r["year"]), int(r["events"]), int(r["sum"]), int(r["max"])) for r in res.rows]
        want = [(y["year"], y["events"], y["sum"], y["max"]) for y in I.series(data, kind, value)["years"]
                if y["events"]]
        assert got == want, (param, got, want)
