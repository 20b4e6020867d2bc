"""The named queries of vocabulary 0.2 (issue 12 item 5) answer their questions: on the
re-curated seeds where the seeds state the facts, on the validation fixture (which states an
amount, a signature, a basin and a dated membership) where they do not."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from graph.config import PROJECT_ROOT
from graph.queries import load_library

from tests.conftest import make_settings

LIBRARY = load_library(PROJECT_ROOT / "queries")
ID = "https://w3id.org/wckg/id/"
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"


def run(backend, name: str, **params) -> list[dict]:
    q = LIBRARY[name]
    return backend.query(q.text, params=q.bind(params), timeout=10).rows


@pytest.fixture(scope="module")
def fixture_backend(tmp_path_factory):
    """The validation fixture (good-article) built into its own store."""
    from graph.build import build
    from graph.store import open_backend
    root = tmp_path_factory.mktemp("fixture-project")
    (root / "ontology" / "shapes").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "ontology" / "wckg.ttl", root / "ontology" / "wckg.ttl")
    for f in (PROJECT_ROOT / "ontology" / "shapes").glob("*.ttl"):
        shutil.copy(f, root / "ontology" / "shapes" / f.name)
    shutil.copytree(FIXTURES / "vocab", root / "ontology" / "vocab")
    shutil.copytree(FIXTURES / "data", root / "data")
    settings = make_settings(root / "store", data_dir=root / "data", ontology_dir=root / "ontology")
    build(settings, validate="none")
    b = open_backend(settings)
    yield b
    b.close()


# --- on the seeds ---------------------------------------------------------------------

def test_meetings_of_the_nwpd_council_in_order(backend):
    rows = run(backend, "meetings-of-a-body", body=URIRef(ID + "organisation/nwpd-interministerial-coordination-council"))
    assert [(str(r["event"]), int(r["ordinal"]), str(r["date"])) for r in rows] == [
        (ID + "event/2020-11-20-nwpd-interministerial-council-6", 6, "2020-11-20")]
    assert "Sixth Meeting of Inter-ministerial Coordination Council" in str(rows[0]["quote"])


def test_meetings_of_the_water_sector_council(backend):
    rows = run(backend, "meetings-of-a-body", body=URIRef(ID + "organisation/coordination-council-water-sector"))
    assert {str(r["event"]) for r in rows} == {ID + "event/2025-04-water-sector-coordination-council-meeting"}
    assert rows[0].get("ordinal") is None


def test_who_held_a_post_on_a_date(backend):
    rows = run(backend, "posts-on-date", date=Literal("2020-11-20", datatype=XSD.date))
    people = {str(r["memberLabel"]): str(r["organisationLabel"]) for r in rows}
    assert people["Yerlan Nysanbayev"] == "Ministry of Ecology, Geology and Natural Resources"
    nysanbayev = next(r for r in rows if str(r["memberLabel"]) == "Yerlan Nysanbayev")
    assert "chaired by Mr. Yerlan Nysanbayev" in str(nysanbayev["quote"])
    # a day on which no source shows anyone in a post
    assert run(backend, "posts-on-date", date=Literal("1999-01-01", datatype=XSD.date)) == []


def test_parties_of_an_agreement_with_the_sentence_that_names_each(backend):
    agr = URIRef(ID + "agreement/2025-04-kazvodkhoz-powerchina-communique")
    rows = run(backend, "signatories-and-parties", agreement=agr)
    assert len(rows) == 2
    for r in rows:
        assert r["quote"] is not None
        # the quote is the sentence that names this party, not a sentence about the meeting
        assert "signed a communiqué" in str(r["quote"])
    assert all(str(r["agreement"]) == str(agr) for r in rows)


def test_members_of_the_water_sector_council_as_a_counted_claim(backend):
    rows = run(backend, "platform-members", platform=URIRef(ID + "organisation/coordination-council-water-sector"))
    claims = [r for r in rows if r.get("count") is not None]
    assert [int(r["count"]) for r in claims] == [35]
    assert "includes 35 partner organizations" in str(claims[0]["quote"])


def test_no_amount_or_basin_in_the_seeds_is_invented(backend):
    """The five seeds state no amount of money and name no basin: the queries say so."""
    assert run(backend, "amounts-by-currency") == []
    assert run(backend, "basin-activities") == []


# --- on the fixture, which states what the seeds do not --------------------------------

def test_amounts_are_reported_per_currency_unconverted(fixture_backend):
    rows = run(fixture_backend, "amounts-by-currency")
    assert [(str(r["currency"]), int(r["value"]), str(r["asWritten"]), str(r["qualifierLabel"])) for r in rows] == [
        ("USD", 1500000, "about US$1.5 million", "About")]
    assert str(rows[0]["thing"]) == ID + "agreement/undp-moe-grant"
    assert run(fixture_backend, "amounts-by-currency", currency="EUR") == []


def test_signatory_for_each_party(fixture_backend):
    rows = run(fixture_backend, "signatories-and-parties", agreement=URIRef(ID + "agreement/undp-moe-grant"))
    by_party = {str(r["party"]): r for r in rows}
    assert set(by_party) == {ID + "organisation/undp", ID + "organisation/state-kazakhstan"}
    kz = by_party[ID + "organisation/state-kazakhstan"]
    assert str(kz["signatory"]) == ID + "person/aigerim-test"
    assert str(kz["postTitle"]) == "Minister of Ecology"
    assert by_party[ID + "organisation/undp"].get("signatory") is None


def test_activities_by_basin(fixture_backend):
    rows = run(fixture_backend, "basin-activities", basin=URIRef(ID + "place/ural"))
    assert [(str(r["thing"]), str(r["via"])) for r in rows] == [
        (ID + "agreement/undp-moe-grant", "https://w3id.org/wckg/ontology#basin")]
    assert "Ural basin" in str(rows[0]["quote"])


def test_dated_membership_of_a_platform(fixture_backend):
    rows = run(fixture_backend, "platform-members", platform=URIRef(ID + "organisation/water-council"))
    members = [r for r in rows if r.get("member") is not None]
    assert [str(r["member"]) for r in members] == [ID + "organisation/undp"]
    assert str(members[0]["start"]) == "2020"
    assert [int(r["count"]) for r in rows if r.get("count") is not None] == [12]
    # the membership with a start date holds on later days too
    held = run(fixture_backend, "posts-on-date", date=Literal("2023-05-01", datatype=XSD.date))
    assert [str(r["member"]) for r in held] == [ID + "organisation/undp"]


def test_the_undated_conference_that_approved_green_bridge(backend):
    rows = backend.select("""
        PREFIX wc: <https://w3id.org/wckg/ontology#>
        SELECT ?e WHERE { ?e a wc:Conference , wc:Adoption ;
                             wc:discusses <https://w3id.org/wckg/id/programme/green-bridge-partnership-programme> .
                          FILTER NOT EXISTS { ?e wc:date ?d } }""")
    assert [str(r["e"]) for r in rows] == [ID + "event/un-conference-sustainable-development-green-bridge"]


def test_the_training_of_30_specialists_for_two_weeks(backend):
    rows = backend.select("""
        PREFIX wc: <https://w3id.org/wckg/ontology#>
        SELECT ?n ?d WHERE { ?c wc:claimSubject ?e ; wc:countedProperty wc:participant ; wc:count ?n .
                             ?e wc:duration ?d }""")
    assert [(int(r["n"]), str(r["d"])) for r in rows] == [(30, "P14D")]
