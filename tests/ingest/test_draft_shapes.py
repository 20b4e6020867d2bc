"""The draft shapes (ontology/drafts/wckg-draft-shapes.ttl, docs/model.md §5): every draft the
extractor writes conforms; each constraint has a broken fixture that it catches; the review
queue refuses a draft that breaks them before anything is queued."""
from __future__ import annotations

import pytest
from rdflib import Graph

from graph.config import PROJECT_ROOT
from graph.errors import InputError
from graph.ingest import read_article
from graph.review import draftshapes
from graph.review.draft import Draft

SOURCES = sorted((PROJECT_ROOT / "data" / "sources").glob("*.txt"))
PREFIXES = """@prefix wc: <https://w3id.org/wckg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix id: <https://w3id.org/wckg/id/> .
"""
GOOD_MENTION = """_:m a wc:Mention ; wc:beginIndex 10 ; wc:endIndex 14 ; wc:mentionText "UNDP" ;
    wc:refersTo id:organisation\\/undp ; wc:linkStatus "existing" ; prov:wasDerivedFrom id:source\\/x ;
    wc:linkCandidate [ wc:candidate id:organisation\\/undp ; wc:score 0.97 ] ."""
GOOD_FACT = """_:f a wc:DraftFact ; wc:factId "a1b2c3d4" ; wc:confidence 0.8 ;
    rdf:subject id:event\\/e ; rdf:predicate wc:participant ; rdf:object id:organisation\\/undp ."""

#: (name, turtle, the constraint component that must be reported)
BROKEN = [
    ("offsets out of order", GOOD_MENTION.replace("wc:beginIndex 10", "wc:beginIndex 20"), "LessThanConstraintComponent"),
    ("negative offset", GOOD_MENTION.replace("wc:beginIndex 10", "wc:beginIndex -1"), "MinInclusiveConstraintComponent"),
    ("no mention text", GOOD_MENTION.replace('wc:mentionText "UNDP" ;', ""), "MinCountConstraintComponent"),
    ("literal reference", GOOD_MENTION.replace("wc:refersTo id:organisation\\/undp", 'wc:refersTo "undp"'), "NodeKindConstraintComponent"),
    ("unknown link status", GOOD_MENTION.replace('"existing"', '"maybe"'), "InConstraintComponent"),
    ("no source", GOOD_MENTION.replace("prov:wasDerivedFrom id:source\\/x ;", ""), "MinCountConstraintComponent"),
    ("score over 1", GOOD_MENTION.replace("0.97", "1.5"), "MaxInclusiveConstraintComponent"),
    ("candidate without IRI", GOOD_MENTION.replace("wc:candidate id:organisation\\/undp ;", ""), "NodeConstraintComponent"),
    ("fact id with spaces", GOOD_FACT.replace('"a1b2c3d4"', '"a b"'), "PatternConstraintComponent"),
    ("fact without confidence", GOOD_FACT.replace("wc:confidence 0.8 ;", ""), "MinCountConstraintComponent"),
    ("fact with both forms", GOOD_FACT.replace("wc:factId", "wc:aboutResource id:event\\/e ; wc:factId"), "XoneConstraintComponent"),
    ("fact with neither form", GOOD_FACT.split("rdf:subject")[0].rstrip(" ;\n") + " .", "XoneConstraintComponent"),
]


@pytest.fixture(scope="module")
def settings(file_settings):
    return file_settings


def parsed(ttl: str) -> Graph:
    return Graph().parse(data=PREFIXES + ttl, format="turtle")


def test_the_good_fixtures_conform(settings):
    assert draftshapes.check(parsed(GOOD_MENTION + "\n" + GOOD_FACT), settings) == []


@pytest.mark.parametrize("name,ttl,component", BROKEN, ids=[b[0] for b in BROKEN])
def test_each_constraint_catches_its_broken_fixture(settings, name, ttl, component):
    findings = draftshapes.check(parsed(ttl), settings)
    assert component in {f.component for f in findings}, findings
    assert all(f.message for f in findings)


@pytest.mark.parametrize("path", SOURCES, ids=[p.stem for p in SOURCES])
def test_every_seed_draft_conforms(extractor, settings, path):
    draft = Draft.parse(extractor.extract(read_article(path)).trig())
    assert len(draft.bookkeeping) > 0
    assert draftshapes.check(draft.bookkeeping, settings) == []


def test_the_queue_refuses_a_broken_draft_and_queues_nothing(extractor, settings, tmp_path):
    from graph.review.queue import ReviewQueue, SourceMeta
    path = SOURCES[0]
    article = read_article(path)
    data = extractor.extract(article).trig()
    assert b'"existing"' in data
    data = data.replace(b'"existing"', b'"perhaps"', 1)
    s = settings.model_copy(update={"drafts_dir": tmp_path / "drafts"})
    q = ReviewQueue(s)
    with pytest.raises(InputError) as e:
        q.add(data, article.text,
              SourceMeta(title="t", published="2017-06-14"), where="broken.trig")
    assert "broken.trig" in str(e.value) and "linkStatus" in str(e.value)
    assert not (tmp_path / "drafts").exists() or not any((tmp_path / "drafts").iterdir())
