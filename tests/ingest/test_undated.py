"""Events stated without a date, schedules, counted agreements, and parties named after "with"."""
from __future__ import annotations

from graph.ingest.frame_vocab import UNDATED_NOTE
from graph.namespaces import WCID_DEFAULT


def events(d):
    return [r for r in d.resources.values() if r.kind == "event"]


def agreements(d):
    return [r for r in d.resources.values() if r.kind == "agreement"]


def date(r):
    return next((x.value for x in r.literals if x.pred == "wc:date"), None)


def test_an_event_without_a_date_is_drafted_undated_and_marked(draft_of):
    d = draft_of("# published: 2022-05-20\n\nThe Water Council of Freedonia held a meeting in Bishkek. "
                 "The meeting was chaired by Mr. Askar Temirov.\n", name="undated.txt")
    evs = events(d)
    assert len(evs) == 1
    ev = evs[0]
    assert ev.types[0] == "wc:Meeting" and date(ev) is None
    assert any(x.pred == "skos:note" and x.value == UNDATED_NOTE for x in ev.literals)
    # no date in the identifier (docs/model.md §4), and the article in it so two articles do not merge
    slug = ev.iri[len(WCID_DEFAULT + "event/"):]
    assert not slug[:4].isdigit()
    assert ev.confidence < 0.6
    links = {(lk.pred, lk.obj.rsplit("/", 1)[-1]) for lk in ev.links}
    assert ("wc:location", "bishkek") in links
    assert ("wc:status", "status-held") in links
    assert any(p == "wc:chair" for p, _ in links)


def test_the_undated_marker_reaches_the_trig(draft_of):
    from rdflib import Dataset, Literal
    from rdflib.namespace import SKOS
    d = draft_of("The Water Council of Freedonia held a meeting in Bishkek.\n", name="undated2.txt")
    ds = Dataset()
    ds.parse(data=d.trig(), format="trig")
    assert (None, SKOS.note, Literal(UNDATED_NOTE, lang="en")) in ds.graph(WCID_DEFAULT + "graph/undated2")


def test_generic_and_plural_event_nouns_are_no_event(draft_of):
    d = draft_of("# published: 2022-05-20\n\nRegular meetings of the basin councils are held to share data. "
                 "National consultations will be held in all five countries. Experts often meet to discuss water.\n",
                 name="generic.txt")
    assert events(d) == []


def test_a_second_mention_of_an_undated_event_is_the_same_event(draft_of):
    d = draft_of("A training on water accounting was held in Taraz. Specialists of the Ministry of Water "
                 "Management of Freedonia attended the training, which was organized by CAREC.\n", name="twice.txt")
    evs = events(d)
    assert len(evs) == 1 and evs[0].types[0] == "wc:Training"
    assert any(lk.pred == "wc:organiser" and lk.obj.endswith("/carec") for lk in evs[0].links)


def test_a_stated_signing_ceremony_without_a_date(draft_of):
    d = draft_of("# published: 2025-04-10\n\nThe meeting also featured a signing ceremony for five cooperation "
                 "agreements between the Ministry of Water Management of Freedonia and several partners.\n",
                 name="ceremony.txt")
    kinds = sorted(e.types[0] for e in events(d))
    assert kinds == ["wc:Meeting", "wc:SigningCeremony"]
    assert all(date(e) is None for e in events(d))
    assert agreements(d) == []   # five agreements: a count, not one agreement


def test_counted_agreements_are_not_one_agreement(draft_of):
    d = draft_of("# published: 2025-04-10\n\nThe Ministry of Water Management of Freedonia has signed three "
                 "agreements and sixteen memorandums with international partners.\n", name="counted.txt")
    assert agreements(d) == []
    claims = [r for r in d.resources.values() if r.kind == "claim"]
    assert claims and claims[0].literals[0].value == 3


def test_a_party_named_after_with_and_a_country_qualifying_a_company(draft_of):
    d = draft_of("# published: 2025-04-10\n\nThe Ministry of Water Management of Freedonia signed a communiqué "
                 "with the Spanish company Xcalibur Smart Mapping to map groundwater.\n"
                 "Kazvodkhoz and China’s PowerChina International signed a communiqué on cooperation.\n",
                 name="with.txt")
    agrs = agreements(d)
    assert len(agrs) == 2
    parties = [sorted(lk.obj.rsplit("/", 1)[-1] for lk in a.links if lk.pred == "wc:party") for a in agrs]
    assert any("xcalibur-smart-mapping" in p and len(p) == 2 for p in parties)
    assert any("powerchina-international" in p and not any(x.startswith("state-") for x in p) for p in parties)


def test_a_schedule_of_events(draft_of):
    d = draft_of("# published: 2017-06-14\n\nDates of the consultations in other countries:\n\n"
                 "June 23, 2017 - Tashkent, Republic of Uzbekistan\nJuly 05, 2017 - Bishkek, Kyrgyz Republic\n",
                 name="schedule.txt")
    got = sorted((date(e), next(lk.obj.rsplit("/", 1)[-1] for lk in e.links if lk.pred == "wc:location"))
                 for e in events(d))
    assert got == [("2017-06-23", "tashkent"), ("2017-07-05", "bishkek")]
    assert all(e.types[0] == "wc:Consultation" for e in events(d))


def test_relative_years_and_months(draft_of):
    d = draft_of("# published: 2023-03-20\n\nA forum on water diplomacy was held in Almaty last year. "
                 "A workshop on irrigation was held in Osh earlier this month.\n", name="rel.txt")
    assert sorted(date(e) for e in events(d)) == ["2022", "2023-03"]


def test_the_review_shows_an_undated_event(draft_of):
    from graph.review.draft import Draft
    from graph.review.view import fact_view
    d = draft_of("# published: 2022-05-20\n\nThe Water Council of Freedonia held a meeting in Bishkek on 3 May. "
                 "A training on water accounting was held in Taraz.\n", name="review-undated.txt")
    rd = Draft.parse(d.trig())
    warned = {str(f.subject).rsplit("/", 1)[-1]: f.warnings for f in rd.facts.values() if f.kind == "resource"}
    undated = [k for k, w in warned.items() if w]
    assert len(undated) == 1 and "training" in undated[0]
    assert "undated" in warned[undated[0]][0]
    dated = next(k for k in warned if k.startswith("2022-05-03"))
    assert warned[dated] == []
    f = next(f for f in rd.facts.values() if f.warnings)
    assert fact_view(rd, f, None).warnings == f.warnings
