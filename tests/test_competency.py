"""The competency questions (../shared/spec/competency-questions.md), each answered by its
named query on the REAL curated graph, checked against the answer the articles give."""
from __future__ import annotations

from collections import defaultdict

import pytest
from rdflib import URIRef

from graph.config import PROJECT_ROOT
from graph.namespaces import WC, WCID
from graph.queries import load_library

LIBRARY = load_library(PROJECT_ROOT / "queries")


def ev(slug): return WCID[f"event/{slug}"]
def org(slug): return WCID[f"organisation/{slug}"]
def status(slug): return WCID[f"topic/status-{slug}"]


@pytest.fixture(scope="module")
def run(backend):
    def _run(name: str, **raw):
        q = LIBRARY[name]
        return backend.query(q.text, params=q.bind(raw), timeout=10).rows
    return _run


# --- CQ1 -----------------------------------------------------------------------------------

def test_cq1_timeline(run):
    rows = run("cq1-timeline")
    by_event = {r["event"]: r for r in rows}
    assert len(by_event) == len(rows), "one row per event: the status of the latest source only"
    dates = [str(r["date"]) for r in rows]
    assert dates == sorted(dates), "oldest first"

    expected = [  # event, date, kind, place, status
        ("2017-06-15-nexus-national-consultation-astana", "2017-06-15", WC.Consultation, "astana", "held"),
        ("2017-06-23-nexus-national-consultation-tashkent", "2017-06-23", WC.Consultation, "tashkent", "planned"),
        ("2017-07-05-nexus-national-consultation-bishkek", "2017-07-05", WC.Consultation, "bishkek", "planned"),
        ("2017-08-14-nexus-national-consultation-dushanbe", "2017-08-14", WC.Consultation, "dushanbe", "planned"),
        ("2017-11-15-nexus-national-consultation-ashgabat", "2017-11-15", WC.Consultation, "ashgabat", "planned"),
        ("2020-11-16-moegnr-undp-meeting", "2020-11-16", WC.Meeting, "astana", "held"),
        ("2020-11-20-nwpd-interministerial-council-6", "2020-11-20", WC.Meeting, "astana", "held"),
        ("2025-04-water-sector-coordination-council-meeting", "2025-04", WC.Meeting, None, "held"),
        ("2025-04-water-sector-coordination-council-signing-ceremony", "2025-04", WC.SigningCeremony, None, "held"),
    ]
    for slug, date, kind, place, state in expected:
        r = by_event.get(ev(slug))
        assert r is not None, f"{slug} missing from the timeline"
        assert str(r["date"]) == date and r["kind"] == kind, slug
        assert r.get("place") == (WCID[f"place/{place}"] if place else None), slug
        assert r["status"] == status(state), slug
        assert r["eventLabel"] and r["kindLabel"] and r["statusLabel"], "labels beside IRIs"
    order = [r["event"] for r in rows]
    positions = [order.index(ev(e[0])) for e in expected]
    assert positions == sorted(positions)


def test_cq1_status_comes_from_the_latest_source(run):
    """The 15 June 2017 consultation is announced as planned (article of 14 June) and
    reported as held (article of 16 June): the timeline reports the later one."""
    astana = [r for r in run("cq1-timeline") if r["event"] == ev("2017-06-15-nexus-national-consultation-astana")]
    assert len(astana) == 1
    assert astana[0]["status"] == status("held")
    assert astana[0]["statusSource"] == WCID["source/carec-astana-consultation-outcomes-2017-06"]
    assert str(astana[0]["statusIssued"]) == "2017-06-16"
    conflicts = run("status-conflicts")
    states = {(str(r["issued"]), r["status"], r["current"].toPython()) for r in conflicts
              if r["resource"] == ev("2017-06-15-nexus-national-consultation-astana")}
    assert states == {("2017-06-14", status("planned"), False), ("2017-06-16", status("held"), True)}


# --- CQ2 -----------------------------------------------------------------------------------

def test_cq2_signatories_of_the_10_april_2025_article(run):
    rows = run("cq2-signatories")  # the default is that article's date
    assert rows == run("cq2-signatories", issued="2025-04-10")
    parties = defaultdict(set)
    kinds, purposes = {}, {}
    for r in rows:
        parties[r["agreement"]].add(r["party"])
        kinds[r["agreement"]] = r["kind"]
        purposes[r["agreement"]] = str(r.get("purpose", ""))
        assert r["partyLabel"] and r["agreementLabel"] and r["kindLabel"]
    agr = lambda s: WCID[f"agreement/{s}"]  # noqa: E731
    assert dict(parties) == {
        agr("2025-04-mwri-xcalibur-groundwater-communique"):
            {org("ministry-of-water-resources-and-irrigation"), org("xcalibur-smart-mapping")},
        agr("2025-04-mwri-isdb-undp-statement-of-intent"):
            {org("ministry-of-water-resources-and-irrigation"), org("islamic-development-bank"), org("undp")},
        agr("2025-04-iac-edb-grant-agreement"):
            {org("information-and-analytical-center-for-water-resources"), org("eurasian-development-bank")},
        agr("2025-04-kazvodkhoz-powerchina-communique"): {org("kazvodkhoz"), org("powerchina-international")},
        agr("2025-04-kazvodkhoz-primus-capital-memorandum"): {org("kazvodkhoz"), org("primus-capital-almaty")},
    }
    assert kinds[agr("2025-04-mwri-xcalibur-groundwater-communique")] == WC.Communique
    assert kinds[agr("2025-04-mwri-isdb-undp-statement-of-intent")] == WC.StatementOfIntent
    assert kinds[agr("2025-04-iac-edb-grant-agreement")] == WC.GrantAgreement
    assert kinds[agr("2025-04-kazvodkhoz-primus-capital-memorandum")] == WC.MemorandumOfUnderstanding
    assert all(len(p) > 20 for p in purposes.values()), "every agreement has its purpose"
    assert "groundwater" in purposes[agr("2025-04-mwri-xcalibur-groundwater-communique")].lower() or \
        "underground water" in purposes[agr("2025-04-mwri-xcalibur-groundwater-communique")].lower()


def test_cq2_another_date_gives_that_articles_agreements_only(run):
    assert run("cq2-signatories", issued="2020-11-20") == []


# --- CQ3 -----------------------------------------------------------------------------------

def test_cq3_programmes_funded_or_supported_by_the_eu(run):
    rows = run("cq3-funded-programmes")
    prg = lambda s: WCID[f"programme/{s}"]  # noqa: E731
    programmes = {r["programme"] for r in rows}
    assert programmes == {prg("wecoop"), prg("central-asia-nexus-dialogue"), prg("nwpd-kazakhstan")}
    others = defaultdict(set)
    for r in rows:
        assert r["funder"] == org("european-union") and r["funderLabel"] and r["programmeLabel"]
        if "organisation" in r:
            others[r["programme"]].add((r["organisation"], r["role"]))
    assert others[prg("central-asia-nexus-dialogue")] == {(org("carec"), WC.implementer), (org("iucn"), WC.partner)}
    assert {o for o, _ in others[prg("nwpd-kazakhstan")]} == {org("unece"), org("oecd")}
    nwpd = [r for r in rows if r["programme"] == prg("nwpd-kazakhstan")]
    assert {str(r["startDate"]) for r in nwpd} == {"2012"}


# --- CQ4 -----------------------------------------------------------------------------------

def test_cq4_chair_of_the_sixth_council_meeting_and_his_post(run):
    rows = run("cq4-event-chair", event=str(ev("2020-11-20-nwpd-interministerial-council-6")))
    assert rows
    first = rows[0]
    assert first["chair"] == WCID["person/yerlan-nysanbayev"]
    assert str(first["chairLabel"]) == "Yerlan Nysanbayev"
    assert "vice-minister of ecology, geology, and natural resources" in str(first["postTitle"]).lower()
    assert first["organisation"] == org("ministry-of-ecology-geology-and-natural-resources")
    assert first["role"] == WCID["topic/post-vice-minister"]
    assert first["sameSource"].toPython() is True


def test_cq4_event_without_chair_gives_nothing(run):
    assert run("cq4-event-chair", event=str(ev("2020-11-16-moegnr-undp-meeting"))) == []


# --- CQ5 -----------------------------------------------------------------------------------

def test_cq5_three_events_one_place_whatever_name_the_article_used(run):
    rows = run("cq5-events-at-place")  # default: Astana
    assert {r["place"] for r in rows} == {WCID["place/astana"]}
    assert {r["event"] for r in rows} == {
        ev("2017-06-15-nexus-national-consultation-astana"),
        ev("2020-11-16-moegnr-undp-meeting"),
        ev("2020-11-20-nwpd-interministerial-council-6"),
    }
    assert len(rows) == 3
    names = str(rows[0]["names"])
    assert "Astana" in names and "Nur-Sultan" in names


# --- CQ6 -----------------------------------------------------------------------------------

@pytest.mark.parametrize("resource, source_slug, issued", [
    ("agreement/2025-04-iac-edb-grant-agreement", "water-sector-coordination-council-2025-04", "2025-04-10"),
    ("event/2020-11-20-nwpd-interministerial-council-6", "nwpd-kazakhstan-sixth-iccc-2020", "2020-11-20"),
    ("event/2017-06-15-nexus-national-consultation-astana", None, None),
])
def test_cq6_evidence_is_a_verbatim_sentence_of_a_dated_titled_source(run, resource, source_slug, issued):
    rows = run("cq6-evidence", resource=str(WCID[resource]))
    assert rows
    for r in rows:
        slug = str(r["source"]).rsplit("/", 1)[-1]
        text = (PROJECT_ROOT / "data" / "sources" / f"{slug}.txt").read_text(encoding="utf-8")
        assert str(r["evidence"]) in text, f"evidence not verbatim in {slug}.txt"
        assert str(r["title"]) and r["issued"] is not None
        assert r["graph"] == WCID[f"graph/{slug}"], "the evidence comes from the article's own graph"
    if source_slug:
        assert {str(r["source"]) for r in rows} == {str(WCID[f"source/{source_slug}"])}
        assert {str(r["issued"]) for r in rows} == {issued}
    else:  # the Astana consultation is stated by two articles, each with its own sentence
        assert {str(r["source"]).rsplit("/", 1)[-1] for r in rows} == {
            "carec-astana-consultation-outcomes-2017-06", "carec-nexus-national-consultations-2017-06"}


def test_cq6_grant_sentence(run):
    rows = run("cq6-evidence", resource=str(WCID["agreement/2025-04-iac-edb-grant-agreement"]))
    assert any("Eurasian Development Bank signed an agreement to provide a grant" in str(r["evidence"]) for r in rows)


# --- CQ7 -----------------------------------------------------------------------------------

def test_cq7_partners_of_undp_with_what_links_them(run):
    rows = run("cq7-partners-of-organisation", org=str(org("undp")))
    links = defaultdict(set)
    for r in rows:
        assert r["org"] == org("undp") and r["partnerLabel"] and r["linkLabel"]
        links[r["partner"]].add(r["link"])
    # the Statement of Intent (parties), the 2020 meeting and the Country Programme (through
    # the country office, a unit of UNDP), the April 2025 Council meeting and ceremony
    assert WCID["agreement/2025-04-mwri-isdb-undp-statement-of-intent"] in links[org("islamic-development-bank")]
    assert WCID["agreement/2025-04-mwri-isdb-undp-statement-of-intent"] in links[org("ministry-of-water-resources-and-irrigation")]
    assert ev("2020-11-16-moegnr-undp-meeting") in links[org("ministry-of-ecology-geology-and-natural-resources")]
    assert WCID["programme/undp-country-programme-kazakhstan-2021-2025"] in \
        links[org("ministry-of-ecology-geology-and-natural-resources")]
    assert {org("eurasian-development-bank"), org("kazvodkhoz"), org("xcalibur-smart-mapping")} <= set(links)
    # an organisation is not its own partner, nor is its unit or parent
    assert not {org("undp"), org("undp-kazakhstan"), org("united-nations")} & set(links)


def test_cq7_units_false_keeps_only_undps_own_links(run):
    rows = run("cq7-partners-of-organisation", org=str(org("undp")), units="false")
    assert rows
    assert {r["link"] for r in rows} <= {WCID["agreement/2025-04-mwri-isdb-undp-statement-of-intent"],
                                         ev("2025-04-water-sector-coordination-council-signing-ceremony")}
    assert ev("2020-11-16-moegnr-undp-meeting") not in {r["link"] for r in rows}


def test_partner_count_agrees_with_cq7(run):
    partners = {r["partner"] for r in run("cq7-partners-of-organisation", org=str(org("undp")), units="false")}
    counts = {r["org"]: int(r["partners"]) for r in run("organisations-by-partner-count")}
    assert counts[org("undp")] == len(partners)
    ranked = [int(r["partners"]) for r in run("organisations-by-partner-count")]
    assert ranked == sorted(ranked, reverse=True)
    assert all(int(r["partners"]) >= 5 for r in run("organisations-by-partner-count", min="5"))


def test_link_evidence_between_undp_and_the_islamic_development_bank(run):
    rows = run("link-evidence", a=str(org("undp")), b=str(org("islamic-development-bank")))
    soi = [r for r in rows if r["link"] == WCID["agreement/2025-04-mwri-isdb-undp-statement-of-intent"]]
    assert soi and all(r["statesLink"].toPython() for r in soi)
    assert any("Islamic Development Bank, and UNDP signed a Statement of Intent" in str(r["evidence"]) for r in soi)
    # the sentences of the two party statements, not every sentence about the agreement
    assert all(r["perStatement"].toPython() for r in soi)
    assert {str(r["evidence"]) for r in soi} == {
        "The Ministry, Islamic Development Bank, and UNDP signed a Statement of Intent to jointly strengthen the "
        "technical capacity of Kazakhstan’s water sector, advance digitalization, improve flood forecasting systems "
        "and climate resilience, and develop water policy."}
    assert {str(r["issued"]) for r in soi} == {"2025-04-10"}
    assert all(str(r["title"]) for r in soi)


def test_are_partners(backend):
    q = LIBRARY["are-partners"]
    yes = backend.query(q.text, params=q.bind({"a": "wcid:organisation/carec", "b": "wcid:organisation/iucn"}))
    no = backend.query(q.text, params=q.bind({"a": "wcid:organisation/iucn", "b": "wcid:organisation/kazvodkhoz"}))
    assert yes.boolean is True and no.boolean is False


def test_funding_flows_include_the_grant(run):
    rows = run("funding-flows", funder=str(org("eurasian-development-bank")))
    vias = {(r["via"], r.get("implementer")) for r in rows}
    assert (WCID["agreement/2025-04-iac-edb-grant-agreement"],
            org("information-and-analytical-center-for-water-resources")) in vias
    assert all(r["funder"] == org("eurasian-development-bank") for r in rows)


def test_label_lookup_finds_the_capital_by_its_former_name(run):
    rows = run("label-lookup", q="nur-sultan")
    assert rows[0]["entity"] == WCID["place/astana"] and str(rows[0]["entityLabel"]) == "Astana"
    orgs = run("label-lookup", q="undp", kind=str(WC.Organisation))
    assert {r["entity"] for r in orgs} >= {org("undp"), org("undp-kazakhstan")}
    assert all(isinstance(r["entity"], URIRef) and "/organisation/" in str(r["entity"]) for r in orgs)
