"""graph/describe/: what the linked-data pages show, on a small fixture dataset (known
answers) and on the curated data (evidence is verbatim text of its source)."""
from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from graph import describe as D
from graph.describe import entity as DE
from graph.config import PROJECT_ROOT
from graph.errors import ParameterError
from tests.conftest import make_settings

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "pages"
ID = "https://w3id.org/wckg/id/"
WC = "https://w3id.org/wckg/ontology#"
ACME = ID + "organisation/acme"
EVIL = ID + "organisation/evil"
SIGNING = ID + "event/2021-03-01-acme-signing"
MOU = ID + "agreement/acme-evil-mou"
TESTLAND = ID + "place/testland"
SENTENCE = ("On 1 March 2021 the Acme Water Agency (AWA) and <script>alert(1)</script> signed a memorandum "
            "of understanding in Testville.")


@pytest.fixture(scope="module")
def mini_settings(tmp_path_factory):
    from graph.build import build
    s = make_settings(tmp_path_factory.mktemp("pages") / "store", data_dir=FIXTURE)
    build(s, validate="none")
    return s


@pytest.fixture(scope="module")
def mini(mini_settings):
    from graph.store import open_backend
    b = open_backend(mini_settings)
    yield b
    b.close()


def group(groups, label):
    found = [g for g in groups if g.label == label]
    assert found, f"no group {label!r} among {[g.label for g in groups]}"
    return found[0]


# --- one resource -----------------------------------------------------------------------

def test_describe_labels_types_and_links(mini):
    e = D.describe(mini, ACME)
    assert e.label == "Acme Water Agency"
    assert [(t.iri, t.label) for t in e.types] == [(WC + "InternationalOrganisation", "International organisation")]
    assert ("AWA", "en") in e.alt_labels
    assert ("Агентство водных ресурсов Акме", "ru") in e.pref_labels
    assert e.definitions == [("A regional water agency that exists only in the tests.", "en")]
    assert e.wikidata == [("Q42", "https://www.wikidata.org/wiki/Q42")]
    assert e.graphs == [ID + "graph/reference"]


def test_describe_inverse_properties_are_grouped_and_labelled(mini):
    e = D.describe(mini, ACME)
    participant = group(e.inverse, "participant in")
    assert [(v.link.iri, v.link.label) for v in participant.values] == [(SIGNING, "Signing ceremony in Testville")]
    assert [v.link.iri for v in group(e.inverse, "party to").values] == [MOU]
    assert [v.link.iri for v in group(e.inverse, "organiser of").values] == [SIGNING]
    assert [v.link.label for v in group(e.inverse, "has sub-organisation").values] == ["Acme Water Agency in Testland"]
    assert [v.link.label for v in group(e.inverse, "publisher of").values] == [
        "Acme Water Agency signs a memorandum in Testville (2021)"]
    # the article graph the link is stated in travels with it
    assert participant.values[0].graphs == [ID + "graph/acme-news"]


def test_describe_properties_in_a_stable_order_with_ontology_labels(mini):
    e = D.describe(mini, SIGNING)
    labels = [g.label for g in e.properties]
    assert labels[:5] == ["date", "status", "location", "organiser", "participant"]
    date = group(e.properties, "date").values[0]
    assert (date.text, date.display, date.datatype) == ("2021-03-01", "1 March 2021", "http://www.w3.org/2001/XMLSchema#date")
    assert group(e.properties, "location").values[0].link.label == "Testville"
    participants = group(e.properties, "participant").values
    assert {v.link.label for v in participants} == {"Acme Water Agency", "<script>alert(1)</script>"}
    # evidence and provenance have their own section, not rows of the table
    assert not {"evidence", "derived from", "type", "preferred label"} & set(labels)


def test_evidence_of_an_event_is_its_own_sentence_with_the_source(mini):
    e = D.describe(mini, SIGNING)
    assert len(e.evidence) == 1 and e.evidence_total == 1
    ev = e.evidence[0]
    assert ev.source.iri == ID + "source/acme-news"
    assert ev.title == "Acme Water Agency signs a memorandum in Testville"
    assert (ev.issued, ev.issued_display, ev.inferred_date) == ("2021-03-04", "4 March 2021", False)
    assert (ev.publisher.iri, ev.publisher.label) == (ACME, "Acme Water Agency")
    assert ev.graph == ID + "graph/acme-news"
    # its own sentence first; the agreement signed at it states the same sentence, quoted once
    assert [(st.subject.iri, st.via, st.sentences) for st in ev.statements] == [
        (SIGNING, None, [SENTENCE]), (MOU, "signing of", [])]


def test_evidence_of_an_organisation_comes_from_what_points_at_it(mini):
    e = D.describe(mini, EVIL)
    assert [ev.source.iri for ev in e.evidence] == [ID + "source/acme-news"]
    by_subject = [(st.subject.iri, st.via, st.sentences) for st in e.evidence[0].statements]
    assert by_subject == [(MOU, "party to", [SENTENCE]), (SIGNING, "participant in", [])]
    assert e.evidence[0].sentences == [SENTENCE]


def test_describe_coordinates_and_unknown(mini):
    e = D.describe(mini, TESTLAND)
    assert e.coordinates == ("43.25", "76.95")
    assert D.describe(mini, ID + "organisation/nobody") is None


def test_javascript_iri_is_kept_as_data(mini):
    e = D.describe(mini, EVIL)
    see_also = group(e.properties, "see also").values
    assert [v.link.iri for v in see_also] == ["javascript:alert(1)"]


def test_describe_rdf_is_the_symmetric_description_with_labels(mini):
    got = D.describe_rdf(mini, TESTLAND)
    expected = Graph().parse(format="turtle", data=f"""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix wc: <{WC}> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{TESTLAND}> a wc:Country ; skos:prefLabel "Testland"@en ; skos:altLabel "Old Testland"@en ;
            geo:lat "43.25"^^xsd:decimal ; geo:long "76.95"^^xsd:decimal .
        wc:Country rdfs:label "Country"@en .
        <{EVIL}> wc:country <{TESTLAND}> ; skos:prefLabel "<script>alert(1)</script>"@en .
        <{ID}organisation/acme-testland> wc:country <{TESTLAND}> ; skos:prefLabel "Acme Water Agency in Testland"@en .
        <{ID}place/testville> wc:country <{TESTLAND}> ; skos:prefLabel "Testville"@en .
    """)
    assert isomorphic(got, expected), got.serialize(format="turtle")
    assert len(D.describe_rdf(mini, ID + "organisation/nobody")) == 0


# --- classes ------------------------------------------------------------------------------

def test_list_classes_counts_direct_and_in_subclasses_and_follow_the_hierarchy(mini):
    classes = D.list_classes(mini)
    by_iri = {c.iri: c for c in classes}
    assert by_iri[WC + "Organisation"].count == 0   # acme, acme-testland, evil: all in subclasses
    assert by_iri[WC + "Organisation"].in_subclasses == 3
    assert by_iri[WC + "InternationalOrganisation"].count == 1
    order = [c.iri for c in classes]
    assert order.index(WC + "Organisation") < order.index(WC + "Company")
    assert by_iri[WC + "Company"].parents[0].iri == WC + "Organisation"


def test_describe_class_pages_instances_by_label(mini):
    c = D.describe_class(mini, WC + "Organisation", limit=2)
    assert c.label == "Organisation" and c.total == 3
    assert [(i.label, k) for i, k in c.instances] == [("<script>alert(1)</script>", "Company"),
                                                       ("Acme Water Agency", "International organisation")]
    nxt = D.describe_class(mini, WC + "Organisation", limit=2, offset=2)
    assert [i.label for i, _ in nxt.instances] == ["Acme Water Agency in Testland"]
    assert {s.label: s.count for s in c.subclasses}["Company"] == 1
    assert D.describe_class(mini, WC + "NoSuchClass") is None
    with pytest.raises(ParameterError):
        D.describe_class(mini, WC + "Organisation", limit=0)


# --- source documents -------------------------------------------------------------------

def test_describe_source_links_mentions_and_redacts_contacts(mini, mini_settings):
    src = D.describe_source(mini, mini_settings, "acme-news")
    assert src.title == "Acme Water Agency signs a memorandum in Testville"
    assert (src.issued_display, src.publisher.iri, src.graph) == ("4 March 2021", ACME, ID + "graph/acme-news")
    assert src.notes == ["A fixture article."]
    flat = "".join(s.text for p in src.paragraphs for s in p)
    assert "jane.roe@example.org" not in flat and "265 43 33" not in flat and "55 66 77" not in flat
    assert flat.count(D.EMAIL_PLACEHOLDER) == 1 and flat.count(D.PHONE_PLACEHOLDER) == 2
    assert "2020-2030" in flat and "4 March 2021" in flat   # years and dates are not phone numbers
    links = [(s.text, s.iri) for p in src.paragraphs for s in p if s.iri]
    assert ("Acme Water Agency", ACME) in links and ("AWA", ACME) in links
    assert ("<script>alert(1)</script>", EVIL) in links and ("Testville", ID + "place/testville") in links
    stated = {link.iri: kind for link, kind in src.statements}
    assert stated == {SIGNING: "Signing ceremony", MOU: "Memorandum of understanding",
                      ID + "event/2019-05-02-testland-meeting": "Meeting"}
    assert ACME in {m.iri for m in src.mentioned}
    assert D.describe_source(mini, mini_settings, "no-such-article") is None


def test_source_without_its_text_file_still_describes(mini, mini_settings, tmp_path):
    moved = mini_settings.model_copy(update={"data_dir": tmp_path})
    src = D.describe_source(mini, moved, "acme-news")
    assert src.paragraphs is None and "no such file" in src.text_error


@pytest.mark.parametrize("text", [
    "write to a.b-c@mail.example.kz now", "+7 (7172) 265 43 33 (ext. 187)", "+7 701 123 45 67", "+44 20 7946 0958",
    "tel.: 8 (7172) 74-05-41", "Tel: 8 7172 55 66 77", "(7172) 265 433", "тел. 8 727 250 10 20",
    "0044 20 7946 0958",
])
def test_redact_removes_contacts(text):
    out = D.redact(text)
    assert D.EMAIL_PLACEHOLDER in out or D.PHONE_PLACEHOLDER in out
    assert "@" not in out and not re.search(r"\d{2}[ -]\d{2}", out)


@pytest.mark.parametrize("text", [
    "for 2020-2030", "on 20 November 2020", "2021-03-04", "the 2021–2025 programme", "USD 1,500,000",
    "Protocol of 1999", "16 June 2017, 10:00", "Resolution No. 123 of 2019",
])
def test_redact_keeps_years_dates_and_amounts(text):
    assert D.redact(text) == text


def test_highlight_prefers_longest_names_and_acronyms_in_capitals():
    names = {"Acme": ("x:acme", "Acme"), "Acme Water Agency": ("x:awa", "Acme Water Agency"), "AWA": ("x:awa", "A")}
    segs = D.highlight("The acme water agency (AWA), not awa, met Acme.", names)
    assert [(s.text, s.iri) for s in segs if s.iri] == [("acme water agency", "x:awa"), ("AWA", "x:awa"),
                                                        ("Acme", "x:acme")]
    assert "".join(s.text for s in segs) == "The acme water agency (AWA), not awa, met Acme."


def test_format_date():
    assert D.format_date("2020-11-20") == "20 November 2020"
    assert D.format_date("2021-03") == "March 2021"
    assert D.format_date("2025") == "2025"
    assert D.format_date("2020-02-31") == "2020-02-31"


# --- timeline ----------------------------------------------------------------------------

def test_timeline_in_date_order_with_kind_status_place(mini):
    items = D.timeline(mini)
    # "2021-03" (a month: the source gives no day) sorts before the days of that month
    assert [i.iri for i in items] == [ID + "event/2019-05-02-testland-meeting", MOU, SIGNING]
    sign = items[2]
    assert (sign.kind, sign.status, sign.place.label, sign.date_display, sign.year) == (
        "Signing ceremony", "Held", "Testville", "1 March 2021", "2021")
    assert [y for y, _ in D.group_by_year(items)] == ["2019", "2021"]
    assert [i.iri for i in D.timeline(mini, descending=True)][0] == SIGNING


def test_timeline_filters(mini):
    def iris(**kw):
        return {i.iri for i in D.timeline(mini, **kw)}
    # country: through the place's country, or an organisation of that country
    assert iris(country=TESTLAND) == {SIGNING, MOU, ID + "event/2019-05-02-testland-meeting"}
    # organisation: directly, or through a sub-organisation
    assert iris(organisation=ACME) == {SIGNING, MOU, ID + "event/2019-05-02-testland-meeting"}
    assert iris(organisation=EVIL) == {SIGNING, MOU}
    assert iris(kind=WC + "Agreement") == {MOU}
    assert iris(kind=WC + "Event", organisation=EVIL) == {SIGNING}
    assert iris(topic=ID + "topic/groundwater") == set()


def test_timeline_limit_and_count(mini):
    newest = D.timeline(mini, descending=True, limit=2)
    assert [i.iri for i in newest] == [SIGNING, MOU]
    assert D.timeline_count(mini) == 3
    assert D.timeline_count(mini, organisation=EVIL) == 2
    assert D.timeline_count(mini, kind=WC + "Agreement", country=TESTLAND) == 1


def test_timeline_filter_must_be_an_iri(mini):
    with pytest.raises(ParameterError) as e:
        D.timeline(mini, country="Testland> } ; DROP ALL ; {")
    assert e.value.name == "country"


def test_timeline_facets(mini):
    f = D.timeline_facets(mini)
    assert [(x.label, x.count) for x in f["country"]] == [("Testland", 3)]
    assert {x.label: x.count for x in f["organisation"]}["Acme Water Agency"] == 2
    assert {x.label for x in f["kind"]} >= {"Event", "Agreement", "Signing ceremony", "Memorandum of understanding"}


def test_timeline_offers_the_most_active_organisations_by_count_then_iri(mini, monkeypatch):
    """The organisation filter's choices are the FACET_ORGS largest counts, ties by IRI, as
    ORDER BY DESC(?n) ?x LIMIT k gave them (the engine is asked for the counts only)."""
    import importlib
    T = importlib.import_module("graph.describe.timeline")
    everyone = [(str(r["x"]), int(r["n"])) for r in mini.select(
        T.PROLOGUE + "SELECT ?x ?n WHERE { ?x wc:timelineOrganisationCount ?n } ORDER BY DESC(?n) ?x")]
    assert len(everyone) >= 3 and len({n for _, n in everyone}) < len(everyone), "ties to break"
    for k in range(1, len(everyone) + 2):
        monkeypatch.setattr(T, "FACET_ORGS", k)
        got = T.timeline_facets(mini)["organisation"]
        assert {f.iri for f in got} == {x for x, _ in everyone[:k]}, k
        assert [f.label.casefold() for f in got] == sorted(f.label.casefold() for f in got)


# --- the curated data ------------------------------------------------------------------------

def test_curated_evidence_is_verbatim_source_text(backend, settings):
    from graph.load import source_text
    e = D.describe(backend, ID + "organisation/undp")
    assert e is not None and ("UNDP", "en") in e.alt_labels
    sentences = [(ev.source.iri, s) for ev in e.evidence for st in ev.statements for s in st.sentences]
    assert sentences, "UNDP has evidence sentences in the curated data"
    for src, s in sentences:
        text = " ".join(source_text(settings, src.rsplit("/", 1)[-1]).split())
        assert " ".join(s.split()) in text


def test_entity_page_shows_the_sentence_of_each_statement_not_every_sentence_of_its_subject(backend):
    """UNECE supported the sixth NWPD council meeting: its page quotes the sentence that says
    so (the statement's wc:StatementEvidence), not the meeting's four other sentences."""
    e = D.describe(backend, ID + "organisation/unece")
    event = ID + "event/2020-11-20-nwpd-interministerial-council-6"
    [st] = [st for ev in e.evidence for st in ev.statements if st.subject.iri == event]
    assert len(st.sentences) == 1
    assert st.sentences[0].startswith("The event was organized with the support from the United Nations Economic")


def test_curated_source_pages_show_no_contact_details(backend, settings):
    rows = backend.select("SELECT ?s WHERE { ?s a <https://w3id.org/wckg/ontology#SourceDocument> }")
    assert rows
    for r in rows:
        src = D.describe_source(backend, settings, str(r["s"]).rsplit("/", 1)[-1])
        flat = "".join(s.text for p in src.paragraphs for s in p)
        assert not D.EMAIL_RE.search(flat), src.slug
        assert not re.search(r"\+\d[\d ()-]{6,}", flat), src.slug


def test_literal_label_term():
    assert D.pick_label([Literal("Astana", lang="kk"), Literal("Astana city", lang="en"), Literal("x")]) == "Astana city"
    assert D.pick_label([Literal("b"), Literal("a", lang="ru")]) == "b"
    assert D.pick_label([]) is None


def test_much_linked_resource_lists_a_capped_page_and_the_total(mini, monkeypatch):
    # Pretend Testland is a hub: the one-query path gives up, per-property lists are capped.
    monkeypatch.setattr(DE, "_IN_ROWS", 1)
    monkeypatch.setattr(DE, "INVERSE_CAP", 2)
    e = D.describe(mini, TESTLAND)
    country_of = group(e.inverse, "country of")
    assert country_of.total == 3 and len(country_of.values) == 2 and country_of.truncated
    monkeypatch.undo()
    full = group(D.describe(mini, TESTLAND).inverse, "country of")
    assert full.total == 3 and len(full.values) == 3 and not full.truncated


def test_much_cited_resource_reads_only_the_newest_evidence(mini, monkeypatch):
    monkeypatch.setattr(DE, "EVIDENCE_ROWS", 1)
    monkeypatch.setattr(DE, "_EVIDENCE", DE._EVIDENCE.replace(f"LIMIT {DE.EVIDENCE_ROWS}", "LIMIT 1"))
    e = D.describe(mini, EVIL)
    assert e.evidence_truncated


# --- the same pages from a remote SPARQL server -----------------------------------------------

@pytest.fixture(scope="module")
def remote_mini(tmp_path_factory):
    """The fixture data in a real `oxigraph serve` (union default graph), through RemoteStore:
    parameters travel there as a trailing VALUES block, not as pyoxigraph substitutions, so
    every query shape must give the same answer both ways."""
    from graph.build import build
    from graph.store import open_backend
    from tests.conftest import remote_settings, running_oxigraph
    tmp = tmp_path_factory.mktemp("remote-pages")
    with running_oxigraph(tmp / "server") as url:
        s = remote_settings(url, tmp / "local", data_dir=FIXTURE)
        build(s, validate="none")
        with open_backend(s) as remote:
            yield s, remote


@pytest.mark.remote
def test_remote_backend_gives_the_same_pages(mini, mini_settings, remote_mini):
    s, remote = remote_mini
    for iri in (ACME, EVIL, SIGNING, MOU, TESTLAND):
        assert D.describe(remote, iri).to_json() == D.describe(mini, iri).to_json(), iri
        assert isomorphic(D.describe_rdf(remote, iri), D.describe_rdf(mini, iri)), iri
    for kw in ({}, {"country": TESTLAND}, {"organisation": ACME}, {"kind": WC + "Event", "organisation": EVIL}):
        assert [i.to_json() for i in D.timeline(remote, **kw)] == [i.to_json() for i in D.timeline(mini, **kw)], kw
        assert D.timeline_count(remote, **kw) == D.timeline_count(mini, **kw)
    assert [i.iri for i in D.timeline(remote, descending=True, limit=2)] == [SIGNING, MOU]
    assert D.describe_class(remote, WC + "Organisation").to_json() == D.describe_class(mini, WC + "Organisation").to_json()
    got, want = D.describe_source(remote, s, "acme-news"), D.describe_source(mini, mini_settings, "acme-news")
    assert (got.paragraphs, got.statements, got.mentioned) == (want.paragraphs, want.statements, want.mentioned)
    assert D.timeline_facets(remote) == D.timeline_facets(mini)


def test_pages_list_stated_links_only_not_the_builds_summaries(mini):
    """wc:agentCountry / wc:locatedInCountry (graph.derived) point at Testland from every
    event of its agents: the page lists what sources state, as the RDF description does."""
    e = D.describe(mini, TESTLAND)
    predicates = {g.iri for g in e.inverse}
    assert WC + "country" in predicates
    assert not predicates & {WC + "agentCountry", WC + "locatedInCountry"}


def _evidence_digest(evidence, total, truncated):
    return (total, truncated, [(ev.source.iri, ev.title, ev.issued, ev.inferred_date, ev.graph,
                                ev.publisher.iri if ev.publisher else None,
                                [(st.subject.iri, st.subject.label, st.via, st.sentences) for st in ev.statements])
                               for ev in evidence])


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_a_much_cited_resource_reads_its_newest_sources_first_and_shows_the_same(backend, monkeypatch, cap):
    """Past SOURCES_CAP sources the page reads every source's date first, then the evidence
    of the newest ones only (graph.describe.entity._newest_sources: the biggest hub's page at
    1 M triples). With the cap lowered, every curated resource with more sources shows the
    same evidence, source count and sentences as reading everything at once."""
    from rdflib import URIRef
    labels = D.term_labels(backend)
    iris = [str(r["s"]) for r in backend.select(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && STRSTARTS(STR(?s), '" + ID + "')) }")]
    monkeypatch.setattr(DE, "SOURCES_CAP", cap)
    two_step = 0
    for iri in iris:
        s = URIRef(iri)
        if DE._newest_sources(backend, s) is not None:
            two_step += 1
        now = DE._evidence(backend, s, ID, labels, "en")
        with monkeypatch.context() as m:
            m.setattr(DE, "_newest_sources", lambda *_: None)
            whole = DE._evidence(backend, s, ID, labels, "en")
        assert _evidence_digest(*now) == _evidence_digest(*whole), iri
    assert two_step >= 3, "the lowered cap sends resources through the two-step read"
