"""Short articles written for the tests (tests/ingest/fixtures/*.txt) in the style of Central Asian
water-cooperation news: what a curator expects the extractor to draft from each."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from graph.ingest import read_article

FIX = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def drafts(extractor):
    return {p.stem: extractor.extract(read_article(p)) for p in sorted(FIX.glob("*.txt"))}


def labels(d, kind):
    return {e.label for e in d.entities if e.kind == kind}


def of_kind(d, kind):
    return [r for r in d.resources.values() if r.kind == kind]


def date(r):
    return next((x.value for x in r.literals if x.pred == "wc:date"), None)


def linked(r, pred):
    return {lk.obj.rsplit("/", 1)[-1] for lk in r.links if lk.pred == pred}


def test_a_ministry_and_a_un_agency_sign_a_memorandum(drafts):
    d = drafts["ministry-unicef-memorandum"]
    orgs = labels(d, "organisation")
    assert "United Nations Children's Fund" in orgs          # a possessive inside a name
    assert not any(" and the " in o for o in orgs)            # "A and the B" is two names
    (agr,) = of_kind(d, "agreement")
    assert agr.types[0] == "wc:MemorandumOfUnderstanding" and date(agr) == "2023-02-16"   # the dateline's day
    assert len(linked(agr, "wc:party")) == 2 and "unicef" in linked(agr, "wc:party")
    (ev,) = of_kind(d, "event")
    assert ev.types[0] == "wc:SigningCeremony" and date(ev) == "2023-02-16"
    assert "Arthur van Diesen" in labels(d, "person")        # a post, its complement, a name with a particle
    assert {"yerlan-nysanbayev", "arthur-van-diesen"} <= linked(agr, "wc:signatory")


def test_a_commission_meeting_with_co_chairs_and_the_next_one(drafts):
    d = drafts["chu-talas-commission-meeting"]
    evs = sorted(of_kind(d, "event"), key=lambda e: date(e) or "")
    assert [date(e) for e in evs] == ["2021-11-24", "2022"]   # a range of days → its first; "the next meeting … in 2022"
    held, nxt = evs
    assert {"nurlan-aldamzharov", "almazbek-dzhumabaev"} <= linked(held, "wc:coChair")
    assert {"osce", "unece"} <= linked(held, "wc:supporter")
    assert "bishkek" in linked(held, "wc:location")
    assert "status-planned" in linked(nxt, "wc:status") and "taraz" in linked(nxt, "wc:location")
    posts = {r.label for r in of_kind(d, "membership")}
    assert any(p.startswith("Nurlan Aldamzharov, Chairman") for p in posts)


def test_a_grant_from_a_development_bank(drafts):
    d = drafts["adb-grant-irrigation"]
    (agr,) = of_kind(d, "agreement")
    assert agr.types[0] == "wc:GrantAgreement"
    assert {"adb", "government-of-kazakhstan"} <= linked(agr, "wc:party")
    (amount,) = [n for n in agr.nodes if n["type"] == "wc:MonetaryAmount"]
    assert amount["schema:currency"] == "EUR" and amount["schema:value"] == Decimal("2500000")
    assert {"Nariman Dzhunusov", "Giovanni Capannelli"} <= labels(d, "person")
    # "The agreement was signed in Almaty on 6 September 2022": the agreement's date, its ceremony
    assert date(agr) == "2022-09-06" and agr.iri.rsplit("/", 1)[-1].startswith("2022-09-06-")
    (ev,) = of_kind(d, "event")
    assert ev.types[0] == "wc:SigningCeremony" and date(ev) == "2022-09-06" and "almaty" in linked(ev, "wc:location")
    assert {"nariman-dzhunusov", "giovanni-capannelli"} <= linked(agr, "wc:signatory")
    # each participant's evidence is the sentence that names it
    for lk in ev.links:
        if lk.pred == "wc:participant" and lk.mention:
            assert lk.mention in d.sentences[lk.sent].text


def test_a_training_with_organiser_and_supporter(drafts):
    d = drafts["kazhydromet-training"]
    (ev,) = of_kind(d, "event")
    assert ev.types[0] == "wc:Training" and date(ev) == "2024-04-29"
    assert linked(ev, "wc:organiser") == {"wmo"} and linked(ev, "wc:supporter") == {"sdc"}
    assert "saule-zhakupova" in linked(ev, "wc:openedBy")     # "X, Deputy Director General of Y, opened the training"
    assert linked(ev, "wc:openedBy") == {"saule-zhakupova"}    # not the body named in her post
    assert "Kazhydromet" in labels(d, "organisation")         # a compound name of a body, one word


def test_a_visit_dated_only_relatively(drafts):
    d = drafts["uzbek-delegation-visit"]
    by_kind = {e.types[0]: e for e in of_kind(d, "event")}
    visit = by_kind["wc:OfficialVisit"]
    assert date(visit) == "2023-10-10"                        # "Last Tuesday" in an article of Friday 13 October 2023
    assert "shavkat-khamraev" in linked(visit, "wc:participant")   # "led by Minister X"
    assert date(by_kind["wc:Meeting"]) == "2023-11"            # "in November", planned
    assert "status-planned" in linked(by_kind["wc:Meeting"], "wc:status")
    assert "Darkhan Satybaldy" in labels(d, "person")         # "akim of the region Darkhan Satybaldy"


def test_a_basin_council_meeting_without_a_date(drafts):
    d = drafts["basin-council-almaty"]
    (ev,) = of_kind(d, "event")
    assert date(ev) is None and ev.types[0] == "wc:Meeting"    # "a regular meeting … took place": no date stated
    assert linked(ev, "wc:meetingOf") == {"balkhash-alakol-basin-council"}
    assert linked(ev, "wc:location") == {"taldykorgan"}        # a regional centre of 150,000 people (GeoNames)
    assert "serik-akhmetov" in linked(ev, "wc:chair")
    assert "giz" in linked(ev, "wc:participant")
    assert "european-union" not in linked(ev, "wc:supporter")  # it funds the project, not the meeting
    (prog,) = [r for r in of_kind(d, "programme") if r.label == "Smart Water Management in Central Asia"]
    assert linked(prog, "wc:funder") == {"european-union"}     # a quoted name after "project"


def test_a_round_table_with_many_partners(drafts):
    d = drafts["ministry-roundtable-partners"]
    orgs = labels(d, "organisation")
    # close names of different banks stay apart; a legal form with a quoted name; people before "of" dropped;
    # German connectors inside a name
    assert {"Asian Development Bank", "Eurasian Development Bank", 'JSC "Kazakhstan Temir Zholy"',
            "Food and Agriculture Organization of the United Nations",
            "Deutsche Gesellschaft für Internationale Zusammenarbeit GmbH"} <= orgs
    assert not any(o.startswith("Representatives") for o in orgs)
    (ev,) = of_kind(d, "event")
    assert date(ev) == "2024-03-12"
    assert "USAID" in orgs                                    # a well-known body by its acronym alone
    assert {"adb", "eurasian-development-bank", "fao", "giz", "usaid"} <= linked(ev, "wc:participant")
    assert linked(ev, "wc:organiser") == {"ministry-of-water-resources-and-irrigation"}
    assert "aliya-shalabekova" in linked(ev, "wc:moderator")
