"""The review queue (`wckg review`): drafts as facts, decisions kept on disk, landing as one
transaction (files + store) that validates first and leaves nothing behind when it fails.

The draft is hand-made (tests/fixtures/review/, format of docs/model.md §5) about an
invented article, so these tests do not depend on the extractor."""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF, SKOS

from graph.config import PROJECT_ROOT
from graph.namespaces import WC, WCID

from tests.conftest import make_settings

FIX = Path(__file__).parent / "fixtures" / "review"
SLUG = "workshop-basin-planning-astana-2021"
EVENT = WCID["event/2021-03-02-workshop-basin-planning-astana"]
PERSON = WCID["person/aigerim-seitkali"]
NEW_ORG = WCID["organisation/ili-balkhash-basin-inspectorate"]
MEM = WCID["membership/aigerim-seitkali-director-2021-03-03"]
CAREC, UNDP = WCID["organisation/carec"], WCID["organisation/undp"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A copy of the curated data with its store built once; each test copies it."""
    from graph.build import build
    root = tmp_path_factory.mktemp("review-pristine")
    shutil.copytree(PROJECT_ROOT / "data", root / "data", ignore=shutil.ignore_patterns("drafts"))
    s = make_settings(root / "store", data_dir=root / "data", drafts_dir=root / "drafts")
    build(s, validate="none")
    return root


@pytest.fixture
def ws(pristine, tmp_path):
    """(settings, queue) over a private copy of data/ and the store."""
    from graph.review.queue import ReviewQueue
    shutil.copytree(pristine / "data", tmp_path / "data")
    shutil.copytree(pristine / "store", tmp_path / "store", symlinks=True)
    s = make_settings(tmp_path / "store", data_dir=tmp_path / "data", drafts_dir=tmp_path / "drafts")
    return s, ReviewQueue(s)


def queue_fixture(queue, draft: bytes | None = None, text: str | None = None, **meta):
    from graph.review.queue import SourceMeta
    m = dict(title="CAREC and UNDP hold a workshop on basin planning in Astana", published="2021-03-03",
             publisher=str(CAREC), url="https://example.org/news/workshop")
    m.update(meta)
    return queue.add(draft or (FIX / "draft.trig").read_bytes(), text or (FIX / "article.txt").read_text(encoding="utf-8"),
                     SourceMeta(**m))


def fact_id(entry, s, p=None, o=None) -> str:
    for f in entry.draft().facts.values():
        if f.subject == s and f.predicate == p and f.object == o:
            return f.id
    raise AssertionError(f"no fact {s} {p} {o}")


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def parse_ttl(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


# --- the draft as facts --------------------------------------------------------------------

def test_draft_facts_are_statements_and_resources_with_stable_ids():
    from graph.review.draft import Draft
    d1 = Draft.read(FIX / "draft.trig")
    d2 = Draft.read(FIX / "draft.trig")
    assert d1.slug == SLUG
    assert list(d1.facts) == list(d2.facts)
    kinds = {(f.kind, str(f.subject), str(f.predicate) if f.predicate else None) for f in d1.facts.values()}
    assert ("statement", str(EVENT), str(WC.organiser)) in kinds
    assert ("resource", str(NEW_ORG), None) in kinds
    # every triple of the facts graph is in exactly one fact, but the extraction's own description
    covered = [t for f in d1.facts.values() for t in f.triples]
    assert len(covered) == len(set(covered))
    uncovered = set(d1.graph) - set(covered)
    assert uncovered and all(d1.is_bookkeeping(s) or (None, PROV.wasAssociatedWith, s) in d1.graph
                             for s, _, _ in uncovered)
    org_fact = next(f for f in d1.facts.values() if f.subject == EVENT and f.object == UNDP)
    assert org_fact.confidence == pytest.approx(0.6)
    assert org_fact.evidence and "United Nations Development Programme" in org_fact.evidence[0].quote
    assert [m.text for m in d1.mentions][:2] == ["Regional Environmental Centre for Central Asia",
                                                 "United Nations Development Programme"]


@pytest.mark.parametrize("bad, message", [
    (b"@prefix x: <http://x/> . x:a x:b ", "draft.trig"),
    (b"<http://x/a> <http://x/b> <http://x/c> .", "default graph"),
    (b"<http://x/g> { <http://x/a> <http://x/b> <http://x/c> . }", "exactly one facts graph"),
])
def test_a_malformed_draft_is_an_input_error(bad, message):
    from graph.errors import InputError
    from graph.review.draft import Draft
    with pytest.raises(InputError) as e:
        Draft.parse(bad, where="draft.trig")
    assert message in str(e.value)


# --- the queue -------------------------------------------------------------------------------

def test_decisions_are_kept_on_disk_and_survive_a_requeue(ws):
    s, queue = ws
    entry = queue_fixture(queue)
    undp = fact_id(entry, EVENT, WC.organiser, UNDP)
    carec = fact_id(entry, EVENT, WC.organiser, CAREC)
    queue.decide(SLUG, [undp], "reject")
    queue.decide(SLUG, [carec], "accept")
    on_disk = json.loads((s.drafts_path / SLUG / "decisions.json").read_text())
    assert on_disk["facts"][undp]["action"] == "reject" and on_disk["facts"][carec]["action"] == "accept"
    # a re-run of the extractor replaces the draft; the rejected fact stays rejected
    from graph.review.queue import SourceMeta
    queue.add((FIX / "draft.trig").read_bytes(), (FIX / "article.txt").read_text(encoding="utf-8"),
              SourceMeta(title="t", published="2021-03-03"), replace=True)
    st = queue.get(SLUG).status()
    assert st["reject"] == 1 and st["accept"] == 1 and st["pending"] == st["facts"] - 2


def test_the_queue_refuses_duplicates_and_unknown_facts(ws):
    from graph.review.queue import ReviewError
    s, queue = ws
    queue_fixture(queue)
    with pytest.raises(ReviewError, match="already in the review queue"):
        queue_fixture(queue)
    with pytest.raises(ReviewError, match="no fact 'nope'"):
        queue.decide(SLUG, ["nope"], "accept")
    with pytest.raises(ReviewError, match="no draft 'workshop-basin'"):
        queue.get("workshop-basin")
    # the same text already in the graph under another name
    seed = next((PROJECT_ROOT / "data" / "sources").glob("*.txt"))
    draft = (FIX / "draft.trig").read_text().replace(SLUG, "other-slug")
    with pytest.raises(ReviewError, match="same text is already in the graph"):
        queue_fixture(queue, draft=draft.encode(), text=seed.read_text(encoding="utf-8"))


def test_an_impossible_publication_date_is_refused(ws):
    from graph.errors import InputError
    s, queue = ws
    with pytest.raises(InputError, match="2021-02-30"):
        queue_fixture(queue, published="2021-02-30")
    assert queue.entries() == []


def test_relink_and_correction_targets_must_exist(ws):
    from graph.review.land import graph_lookup
    from graph.review.queue import ReviewError
    s, queue = ws
    entry = queue_fixture(queue)
    exists = graph_lookup(s)
    with pytest.raises(ReviewError, match="is not in the graph"):
        queue.link(SLUG, str(NEW_ORG), str(WCID["organisation/no-such-body"]), exists=exists)
    with pytest.raises(ReviewError, match="does not mention"):
        queue.link(SLUG, str(WCID["organisation/oecd"]), str(UNDP), exists=exists)
    with pytest.raises(ReviewError, match="is not in the graph"):
        queue.decide(SLUG, [fact_id(entry, EVENT, WC.organiser, UNDP)], "correct",
                     object=str(WCID["organisation/nowhere"]), exists=exists)


# --- landing -----------------------------------------------------------------------------

def test_landing_writes_accepted_facts_and_rebuilds_the_store(ws):
    from graph.review.land import land
    from graph.store import open_backend
    s, queue = ws
    entry = queue_fixture(queue)
    undp = fact_id(entry, EVENT, WC.organiser, UNDP)
    n_facts = len(entry.draft().facts)
    queue.decide(SLUG, [undp], "reject")
    queue.decide_above(SLUG, 0.0)
    report = land(s, SLUG)
    data = s.data_dir
    assert (data / "sources" / f"{SLUG}.txt").read_bytes() == (FIX / "article.txt").read_bytes()
    article = parse_ttl(data / "articles" / f"{SLUG}.ttl")
    assert (EVENT, WC.organiser, CAREC) in article
    assert (EVENT, WC.organiser, UNDP) not in article                       # rejected
    assert not any(o == UNDP for _, _, o in article.triples((None, RDF.object, None)))  # with its evidence
    assert not list(article.triples((None, WC.confidence, None)))           # machine-only marks stripped
    assert not list(article.subjects(RDF.type, WC.Extraction))
    assert (EVENT, SKOS.prefLabel, Literal("Workshop on basin planning in Astana", lang="en")) in article
    # new shared entities go to the reference data, not to the article
    orgs = parse_ttl(data / "reference" / "ingested-organisations.ttl")
    assert (NEW_ORG, RDF.type, WC.GovernmentBody) in orgs and (NEW_ORG, None, None) not in article
    assert (PERSON, RDF.type, WC.Person) in parse_ttl(data / "reference" / "ingested-people.ttl")
    src = parse_ttl(data / "sources" / f"{SLUG}.ttl")
    assert (WCID[f"source/{SLUG}"], RDF.type, WC.SourceDocument) in src
    # the store holds it, and the entry left the queue
    with open_backend(s) as b:
        assert b.query("ASK { ?e <https://w3id.org/wckg/ontology#organiser> ?o }",
                       params={"e": EVENT, "o": CAREC}).boolean
        assert not b.query("ASK { ?e <https://w3id.org/wckg/ontology#organiser> ?o }",
                           params={"e": EVENT, "o": UNDP}).boolean
    assert queue.entries() == [] and report.landed == n_facts - 1
    assert report.build.validation is not None and report.build.validation.conforms


def test_landing_is_all_or_nothing_when_validation_fails(ws):
    from graph.errors import ValidationFailed
    from graph.review.land import land
    from graph.store import StoreLayout
    s, queue = ws
    # the event's evidence is not in the article text: the validator must refuse it
    draft = (FIX / "draft.trig").read_text(encoding="utf-8").replace(
        'wc:evidence "Astana, 3 March 2021', 'wc:evidence "Almaty, 3 March 2021', 1)
    queue_fixture(queue, draft=draft.encode())
    queue.decide_above(SLUG, 0.0)
    before, build_before = snapshot(s.data_dir), StoreLayout(s.store).current_build()
    with pytest.raises(ValidationFailed) as e:
        land(s, SLUG)
    assert any("Almaty" in (r.value or "") or "evidence" in r.message.lower() for r in e.value.report.violations)
    assert snapshot(s.data_dir) == before
    assert StoreLayout(s.store).current_build() == build_before
    assert [x.slug for x in queue.entries()] == [SLUG]      # still waiting, decisions intact
    assert queue.get(SLUG).status()["pending"] == 0


def test_pending_facts_block_landing_unless_dropped(ws):
    from graph.review.land import land
    from graph.review.queue import ReviewError
    s, queue = ws
    entry = queue_fixture(queue)
    before = snapshot(s.data_dir)
    with pytest.raises(ReviewError, match="not reviewed yet"):
        land(s, SLUG)
    assert snapshot(s.data_dir) == before
    # accept the event and its CAREC organiser only; the rest is left out
    queue.decide(SLUG, [fact_id(entry, EVENT), fact_id(entry, EVENT, WC.organiser, CAREC)], "accept")
    report = land(s, SLUG, drop_pending=True)
    article = parse_ttl(s.data_dir / "articles" / f"{SLUG}.ttl")
    assert (EVENT, WC.organiser, CAREC) in article and (EVENT, WC.participant, PERSON) not in article
    assert not (s.data_dir / "reference" / "ingested-people.ttl").exists()
    assert report.landed == 2


def test_rejecting_a_resource_drops_the_statements_about_it(ws):
    from graph.review.land import land
    s, queue = ws
    entry = queue_fixture(queue)
    member = fact_id(entry, MEM, URIRef("http://www.w3.org/ns/org#member"), PERSON)
    queue.decide(SLUG, [fact_id(entry, MEM)], "reject")
    queue.decide_above(SLUG, 0.0)
    report = land(s, SLUG)
    article = parse_ttl(s.data_dir / "articles" / f"{SLUG}.ttl")
    assert (MEM, None, None) not in article and (None, RDF.subject, MEM) not in article
    assert member in report.dropped


def test_relinking_a_new_entity_to_an_existing_one_keeps_the_evidence(ws):
    """The reviewer says the drafted new body is an organisation the graph holds: every use
    is rewritten, nothing new is minted, and the evidence records how the quote names it."""
    from graph.review.land import graph_lookup, land
    s, queue = ws
    entry = queue_fixture(queue)
    target = WCID["organisation/ministry-of-ecology-geology-and-natural-resources"]
    queue.link(SLUG, str(NEW_ORG), str(target), exists=graph_lookup(s))
    queue.decide(SLUG, [fact_id(entry, EVENT, WC.organiser, UNDP)], "correct",
                 object=str(WCID["organisation/undp-kazakhstan"]), exists=graph_lookup(s))
    queue.decide_above(SLUG, 0.0)
    land(s, SLUG)
    article = parse_ttl(s.data_dir / "articles" / f"{SLUG}.ttl")
    assert (MEM, URIRef("http://www.w3.org/ns/org#organization"), target) in article
    assert (NEW_ORG, None, None) not in article and (None, None, NEW_ORG) not in article
    assert not (s.data_dir / "reference" / "ingested-organisations.ttl").exists()
    ev = next(article.subjects(RDF.object, target))
    assert str(article.value(ev, WC.mentionText)) == "Ili-Balkhash Basin Inspectorate"
    assert "Ili-Balkhash Basin Inspectorate" in str(article.value(ev, WC.quote))
    # the corrected organiser keeps its quote and says how it names the new object
    kz = WCID["organisation/undp-kazakhstan"]
    assert (EVENT, WC.organiser, kz) in article and (EVENT, WC.organiser, UNDP) not in article
    ev = next(article.subjects(RDF.object, kz))
    assert str(article.value(ev, WC.mentionText)) == "United Nations Development Programme"


def test_a_corrected_label_lands(ws):
    from graph.review.land import land
    s, queue = ws
    entry = queue_fixture(queue)
    queue.decide(SLUG, [fact_id(entry, EVENT)], "correct", label="Basin planning workshop, Astana 2021")
    queue.decide_above(SLUG, 0.0)
    land(s, SLUG)
    article = parse_ttl(s.data_dir / "articles" / f"{SLUG}.ttl")
    assert list(article.objects(EVENT, SKOS.prefLabel)) == [Literal("Basin planning workshop, Astana 2021", lang="en")]


def test_an_article_cannot_land_twice(ws):
    from graph.review.land import land
    from graph.review.queue import ReviewError
    s, queue = ws
    queue_fixture(queue)
    queue.decide_above(SLUG, 0.0)
    land(s, SLUG)
    with pytest.raises(ReviewError, match="already"):
        queue_fixture(queue)


# --- the command line ----------------------------------------------------------------------

@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(ws, monkeypatch, capsys):
    s, _ = ws
    import graph.cli.data_cmds as data_cmds
    monkeypatch.setattr(data_cmds, "get_settings", lambda: s)
    monkeypatch.setenv("COLUMNS", "250")

    def run(*args: str) -> Run:
        from graph.cli import main
        monkeypatch.setattr(sys, "argv", ["wckg", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        c = capsys.readouterr()
        assert "Traceback" not in c.err, c.err
        return Run(code, c.out, c.err)
    return run


def test_cli_review_from_queue_to_landing(cli, ws):
    s, _ = ws
    r = cli("review", "add", str(FIX / "draft.trig"), "--text", str(FIX / "article.txt"),
            "--title", "A workshop", "--published", "2021-03-03")
    assert r.code == 0, r.err
    r = cli("review", "list", "--json")
    assert json.loads(r.out)[0]["slug"] == SLUG and json.loads(r.out)[0]["pending"] == 10
    shown = json.loads(cli("review", "show", SLUG, "--json").out)
    undp = next(f["id"] for f in shown["facts"] if f["object"] == str(UNDP))
    assert cli("review", "reject", SLUG, undp).code == 0
    assert cli("review", "accept", SLUG, "--all-pending").code == 0
    r = cli("review", "show", SLUG)
    assert "[reject]" in r.out and "Regional Environmental Centre" in r.out
    r = cli("review", "land", SLUG)
    assert r.code == 0, r.err
    assert "Landed 9 fact(s)" in r.err
    assert (s.data_dir / "articles" / f"{SLUG}.ttl").exists()


@pytest.mark.parametrize("args, code, message", [
    (("review", "show", "no-such-draft"), 2, "no draft 'no-such-draft'"),
    (("review", "accept", SLUG, "0000000000"), 2, "no fact '0000000000'"),
    (("review", "link", SLUG, str(NEW_ORG), "https://w3id.org/wckg/id/organisation/nobody"), 2, "not in the graph"),
    (("review", "correct", SLUG, "x"), 2, "no fact 'x'"),
    (("review", "land", SLUG), 2, "not reviewed yet"),
])
def test_cli_bad_review_actions_exit_2_with_a_message(cli, ws, args, code, message):
    s, queue = ws
    queue_fixture(queue)
    r = cli(*args)
    assert r.code == code, r.err
    assert message in r.err


def test_cli_add_refuses_binary_text(cli, tmp_path):
    bad = tmp_path / "a.txt"
    bad.write_bytes(b"\xff\xfe\x00binary")
    r = cli("review", "add", str(FIX / "draft.trig"), "--text", str(bad))
    assert r.code == 2 and "binary" in r.err and "Traceback" not in r.err


def test_entity_pages_do_not_show_statement_evidence_as_unnamed_nodes(ws):
    """After landing, the event and the organisation are linked from StatementEvidence
    nodes (rdf:subject / rdf:object): those are not related resources of the page."""
    from graph.describe import describe
    from graph.review.land import land
    from graph.store import open_backend
    s, queue = ws
    queue_fixture(queue)
    queue.decide_above(SLUG, 0.0)
    land(s, SLUG)
    with open_backend(s) as b:
        for iri in (EVENT, CAREC, PERSON):
            d = describe(b, str(iri))
            assert d is not None
            blank = [(g.iri, v.link.iri) for g in d.inverse for v in g.values if v.link and v.link.is_blank]
            assert blank == [], blank
            # the organiser link itself is still shown
        d = describe(b, str(CAREC))
        assert any(str(v.link.iri) == str(EVENT) for g in d.inverse for v in g.values if v.link)


def test_a_new_entity_that_breaks_a_shape_stops_the_landing(ws):
    """Landing validates what lands (article, source, new entities) against its context:
    a new organisation without a label is refused, and the finding names the reference file."""
    from graph.errors import ValidationFailed
    from graph.review.land import land
    s, queue = ws
    draft = (FIX / "draft.trig").read_text(encoding="utf-8").replace(
        'skos:prefLabel "Ili-Balkhash Basin Inspectorate"@en ;', "", 1)
    queue_fixture(queue, draft=draft.encode())
    queue.decide_above(SLUG, 0.0)
    before = snapshot(s.data_dir)
    with pytest.raises(ValidationFailed) as e:
        land(s, SLUG)
    v = [r for r in e.value.report.violations if r.focus_node == str(NEW_ORG)]
    assert v and "prefLabel" in (v[0].path or "") + v[0].message
    assert v[0].file is not None and Path(v[0].file).name == "ingested-organisations.ttl"
    assert snapshot(s.data_dir) == before


def test_cli_ingest_extracts_and_queues_with_a_summary(cli, ws, tmp_path):
    s, queue = ws
    art = tmp_path / "workshop.txt"
    art.write_text("# title: CAREC and UNDP hold a workshop\n# published: 2021-03-03 (stated)\n\n"
                   + (FIX / "article.txt").read_text(encoding="utf-8"), encoding="utf-8")
    r = cli("ingest", str(art), "--json")
    assert r.code == 0, r.err
    summary = json.loads(r.out)
    assert summary["failed"] == [] and summary["queued"][0]["slug"] == "workshop"
    row = summary["queued"][0]
    assert row["facts"] > 0 and row["facts"] == row["pending"] and row["linked_existing"] >= 1
    entry = queue.get("workshop")
    assert entry.text() == (FIX / "article.txt").read_text(encoding="utf-8")   # the body, header left out
    assert entry.meta().published == "2021-03-03" and entry.meta().title == "CAREC and UNDP hold a workshop"
    # a rejected fact stays rejected when the article is extracted again
    fid = next(iter(entry.draft().facts))
    queue.decide("workshop", [fid], "reject")
    r = cli("ingest", str(art))
    assert r.code == 2 and "already in the review queue" in r.err
    r = cli("ingest", str(art), "--replace")
    assert r.code == 0, r.err
    assert queue.get("workshop").decisions().facts[fid].action == "reject"


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "UTF-8"),
    (b"<!doctype html><html><body><p>News</p></body></html>", "HTML"),
    (b"# published: 2021-02-30\n\nSome text about water.", "2021-02-30"),
])
def test_cli_ingest_bad_input_exits_2_and_queues_nothing(cli, ws, tmp_path, content, message):
    s, queue = ws
    art = tmp_path / "bad.txt"
    art.write_bytes(content)
    r = cli("ingest", str(art))
    assert r.code == 2, r.err
    assert message.lower() in r.err.lower()
    assert queue.entries() == []


def test_cli_ingest_refuses_an_article_already_in_the_graph(cli, ws):
    s, queue = ws
    seed = next((PROJECT_ROOT / "data" / "sources").glob("*.txt"))
    r = cli("ingest", str(seed))
    assert r.code == 2 and "already in the graph" in r.err
    assert queue.entries() == []


def test_cli_land_failure_prints_the_report_and_exits_1(cli, ws):
    s, queue = ws
    draft = (FIX / "draft.trig").read_text(encoding="utf-8").replace(
        'wc:evidence "Astana, 3 March 2021', 'wc:evidence "Almaty, 3 March 2021', 1)
    queue_fixture(queue, draft=draft.encode())
    queue.decide_above(SLUG, 0.0)
    r = cli("review", "land", SLUG)
    assert r.code == 1
    assert "does not occur verbatim" in r.err and f"Nothing of {SLUG} landed" in r.err
    assert f"articles/{SLUG}.ttl:" in r.err          # where: the file as it would have been written
    assert not (s.data_dir / "articles" / f"{SLUG}.ttl").exists()


def test_the_store_after_landing_equals_a_rebuild_from_the_files(ws, tmp_path):
    """Landing extends the reference graph in place (it only gains the source and the new
    entities): the store must hold exactly what a full build of the written files holds."""
    import pyoxigraph as ox
    from graph.build import build
    from graph.review.land import land
    from graph.store import StoreLayout
    from graph.terms import to_rdflib
    s, queue = ws
    queue_fixture(queue)
    queue.decide_above(SLUG, 0.0)
    report = land(s, SLUG)
    assert report.build.changed_graphs   # an incremental build happened
    fresh = make_settings(tmp_path / "fresh-store", data_dir=s.data_dir)
    build(fresh, validate="none")

    def graphs(settings) -> dict[str, Graph]:
        layout = StoreLayout(settings.store)
        st = ox.Store.read_only(str(layout.db(layout.current_build())))
        out: dict[str, Graph] = {}
        for q in st.quads_for_pattern(None, None, None, None):
            out.setdefault(q.graph_name.value, Graph()).add(
                (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return out
    landed, rebuilt = graphs(s), graphs(fresh)
    assert sorted(landed) == sorted(rebuilt)
    for name in (str(WCID["graph/reference"]), str(WCID[f"graph/{SLUG}"])):
        assert len(landed[name]) == len(rebuilt[name]), name
        assert isomorphic(landed[name], rebuilt[name]), name


def test_a_dated_statement_is_corrected_by_value(ws):
    """A literal statement (the event's date) is its own fact when the draft declares it;
    its correction is a value of the same datatype, checked before it is recorded."""
    from graph.review.land import land
    from graph.review.queue import ReviewError
    s, queue = ws
    declared = ('\n    [] a wc:DraftFact ; wc:factId "date000001" ; rdf:subject ev:2021-03-02-workshop-basin-planning-astana ;'
                ' rdf:predicate wc:date ; rdf:object "2021-03-02"^^xsd:date ; wc:confidence 0.6 .\n}\n')
    text = (FIX / "draft.trig").read_text(encoding="utf-8").rstrip()
    assert text.endswith("}")
    queue_fixture(queue, draft=(text[:-1] + declared).encode())
    entry = queue.get(SLUG)
    assert entry.draft().facts["date000001"].kind == "statement"
    with pytest.raises(ReviewError, match="not a valid date"):
        queue.decide(SLUG, ["date000001"], "correct", object="2021-02-30")
    queue.decide(SLUG, ["date000001"], "correct", object="2021-03-01")
    queue.decide_above(SLUG, 0.0)
    land(s, SLUG)
    article = parse_ttl(s.data_dir / "articles" / f"{SLUG}.ttl")
    from rdflib.namespace import XSD
    # the event is new to the graph: its identifier follows its right date, evidence included
    redated = WCID["event/2021-03-01-workshop-basin-planning-astana"]
    assert list(article.objects(redated, WC.date)) == [Literal("2021-03-01", datatype=XSD.date)]
    assert (EVENT, None, None) not in article and (None, None, EVENT) not in article
    assert (redated, WC.organiser, CAREC) in article and (None, RDF.subject, redated) in article


def test_redated_iri():
    from graph.review.land import redated_iri
    ev = "https://w3id.org/wckg/id/event/2025-04-chu-talas-meeting"
    assert redated_iri(ev, "2025-04-08") is None                     # more precise: same IRI
    assert redated_iri(ev, "2025-05-02") == "https://w3id.org/wckg/id/event/2025-05-02-chu-talas-meeting"
    assert redated_iri("https://w3id.org/wckg/id/event/chu-talas-meeting", "2025-05-02") is None
    assert redated_iri(ev, "not a date") is None


def test_new_entities_merge_into_an_existing_ingested_file(tmp_path):
    """A second landing adds to data/reference/ingested-{kind}.ttl, keeping what it held."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import SKOS

    from graph.review.land import _merge_reference
    path = tmp_path / "ingested-organisation.ttl"
    a = URIRef("https://w3id.org/wckg/id/organisation/first")
    b = URIRef("https://w3id.org/wckg/id/organisation/second")
    path.write_text(f"<{a}> <{SKOS.prefLabel}> \"First\"@en .\n", encoding="utf-8")
    new = Graph()
    new.add((b, SKOS.prefLabel, Literal("Second", lang="en")))
    merged = Graph().parse(data=_merge_reference(path, new), format="turtle")
    assert (a, SKOS.prefLabel, Literal("First", lang="en")) in merged
    assert (b, SKOS.prefLabel, Literal("Second", lang="en")) in merged
