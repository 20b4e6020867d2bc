"""The label index (graph/search/): matching, ranking, and input that must not break it."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from rdflib import Literal, URIRef

from graph.errors import StoreError
from graph.search import SearchIndex, build_index, fold, fts_query, index_rows

ID = "https://w3id.org/wckg/id/"
WC = "https://w3id.org/wckg/ontology#"

ROWS = [
    # (iri, label, is_pref, class, links)
    (ID + "organisation/edb", Literal("Eurasian Development Bank", lang="en"), True, WC + "FinancialInstitution", 12),
    (ID + "organisation/edb", Literal("EDB", lang="en"), False, WC + "FinancialInstitution", 12),
    (ID + "organisation/edb", Literal("Евразийский банк развития", lang="ru"), True, WC + "FinancialInstitution", 12),
    (ID + "organisation/undp", Literal("United Nations Development Programme", lang="en"), True, WC + "InternationalOrganisation", 40),
    (ID + "organisation/undp", Literal("UNDP", lang="en"), False, WC + "InternationalOrganisation", 40),
    (ID + "organisation/undp-kazakhstan", Literal("UNDP in Kazakhstan", lang="en"), True, WC + "InternationalOrganisation", 3),
    (ID + "organisation/united-nations", Literal("United Nations", lang="en"), True, WC + "InternationalOrganisation", 1),
    (ID + "organisation/united-nations", Literal("UN", lang="en"), False, WC + "InternationalOrganisation", 1),
    (ID + "place/astana", Literal("Astana", lang="en"), True, WC + "Place", 9),
    (ID + "place/astana", Literal("Nur-Sultan", lang="en"), False, WC + "Place", 9),
    (ID + "organisation/moe", Literal("Ministère de l'Écologie", lang="fr"), True, WC + "GovernmentBody", 1),
    (ID + "organisation/near-east", Literal("Near East Water Forum", lang="en"), True, WC + "CooperationPlatform", 0),
    (ID + "organisation/devco", Literal("Development Cooperation Office", lang="en"), True, WC + "GovernmentBody", 0),
    (ID + "event/2020-11-20-council", Literal("Sixth meeting of the Interministerial Council", lang="en"), True, WC + "Meeting", 5),
    (WC + "FinancialInstitution", Literal("Financial institution", lang="en"), True, None, 0),
]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    path = tmp_path_factory.mktemp("search") / "labels.sqlite"
    n = build_index(ROWS, path)
    assert n == len(ROWS)
    return SearchIndex(path)


def iris(hits) -> list[str]:
    return [h.iri for h in hits]


def test_acronym_finds_its_organisation_first(index):
    hits = index.search("EDB")
    assert hits[0].iri == ID + "organisation/edb"
    assert hits[0].label == "Eurasian Development Bank"   # displayed by its English prefLabel
    assert hits[0].matched == "EDB"                        # ...and says which label matched
    assert hits[0].kind == "organisation"
    assert hits[0].class_iri == WC + "FinancialInstitution"


def test_exact_acronym_outranks_a_longer_label_that_starts_with_it(index):
    hits = index.search("undp")
    assert iris(hits)[:2] == [ID + "organisation/undp", ID + "organisation/undp-kazakhstan"]
    assert hits[0].score > hits[1].score


def test_case_insensitive(index):
    assert iris(index.search("eurasian development bank"))[:1] == [ID + "organisation/edb"]
    assert iris(index.search("EURASIAN DEVELOPMENT BANK"))[:1] == [ID + "organisation/edb"]


def test_accent_insensitive_both_ways(index):
    assert iris(index.search("ministere ecologie"))[:1] == [ID + "organisation/moe"]
    assert iris(index.search("MINISTÈRE"))[:1] == [ID + "organisation/moe"]


def test_former_name_with_hyphen(index):
    assert iris(index.search("nur-sultan"))[:1] == [ID + "place/astana"]
    assert iris(index.search("Nur Sultan"))[:1] == [ID + "place/astana"]


def test_prefix_for_autocomplete(index):
    assert iris(index.search("eura"))[:1] == [ID + "organisation/edb"]
    assert iris(index.search("eurasian dev"))[:1] == [ID + "organisation/edb"]
    # a prefix of a word that is not the first word of a label (FTS tier)
    assert ID + "event/2020-11-20-council" in iris(index.search("interminis"))


def test_one_and_two_letters_give_the_most_linked_label_starts(index):
    # answered from the precomputed prefix table: most links first, labels that start so
    assert iris(index.search("u"))[:2] == [ID + "organisation/undp", ID + "organisation/undp-kazakhstan"]
    assert iris(index.search("eu"))[:1] == [ID + "organisation/edb"]
    # no mid-word matches for so short a query
    assert ID + "event/2020-11-20-council" not in iris(index.search("in", limit=50))


def test_cyrillic_label(index):
    assert iris(index.search("банк развития"))[:1] == [ID + "organisation/edb"]


def test_prefix_of_pref_label_ranks_before_word_match(index):
    # "Development Cooperation Office" starts with "develop"; EDB and UNDP only contain it.
    hits = index.search("develop")
    assert hits[0].iri == ID + "organisation/devco"
    assert {ID + "organisation/edb", ID + "organisation/undp"} <= set(iris(hits))


def test_links_break_ties_within_a_tier(index):
    hits = index.search("development")
    # both contain the word; UNDP has 40 links, EDB 12: UNDP first among the FTS hits
    order = [i for i in iris(hits) if i in (ID + "organisation/undp", ID + "organisation/edb")]
    assert order == [ID + "organisation/undp", ID + "organisation/edb"]


def test_one_hit_per_resource(index):
    hits = index.search("a", limit=50)
    assert len(iris(hits)) == len(set(iris(hits)))
    hits = index.search("development", limit=50)
    assert len(iris(hits)) == len(set(iris(hits)))


def test_kinds_filter(index):
    assert index.search("astana", kinds=["organisation"]) == []
    assert iris(index.search("astana", kinds=["place"])) == [ID + "place/astana"]
    assert iris(index.search("financial institution", kinds=["class"])) == [WC + "FinancialInstitution"]


@pytest.mark.parametrize("hostile", ['"*(', "NEAR", "NEAR(", "a OR b", "AND", "NOT x", "^", "col:undp",
                                     '"', "'", "*", ")(", "{undp}", "undp*", "+-", "\x00undp", "💧", "%_%"])
def test_hostile_input_never_breaks_the_query(index, hostile):
    hits = index.search(hostile)  # must not raise sqlite3.OperationalError
    assert isinstance(hits, list)


def test_fts_operator_words_are_searched_as_text(index):
    # "NEAR" is an FTS5 operator; here it is a word of "Near East Water Forum".
    assert iris(index.search("NEAR"))[:1] == [ID + "organisation/near-east"]
    assert iris(index.search("near east"))[:1] == [ID + "organisation/near-east"]
    assert index.search("NOT undp") == []  # not "everything but UNDP": both words must match
    assert iris(index.search("undp*"))[:1] == [ID + "organisation/undp"]


@pytest.mark.parametrize("punct", ["", "   ", '"*(', "!!!", "-", "()", "…"])
def test_only_punctuation_returns_nothing(index, punct):
    assert index.search(punct) == []
    assert fts_query(punct) is None


def test_fts_query_quotes_every_word():
    assert fts_query('NEAR "x" OR') == '"near" "x" "or"*'
    assert fts_query("a b") == '"a" "b"'  # a one-letter last word is not a prefix


def test_fold():
    assert fold("  Nur-Sultan! ") == "nur sultan"
    assert fold("Ministère de l'Écologie") == "ministere de l ecologie"
    assert fold("ŞÜ") == "su"


def test_limit(index):
    assert len(index.search("a", limit=2)) <= 2
    assert index.search("undp", limit=0) == []


def test_suggest_finds_near_spellings(index):
    hits = index.suggest("undpp")
    assert iris(hits)[0] == ID + "organisation/undp"   # not the UN, though "un" is in "undpp"
    hits = index.suggest("eurasian-developmnt-bank")   # a mistyped slug
    assert iris(hits)[:1] == [ID + "organisation/edb"]


def test_rebuild_replaces_the_file_and_readers_see_it(tmp_path):
    path = tmp_path / "ix.sqlite"
    build_index(ROWS[:2], path)
    ix = SearchIndex(path)
    assert ix.search("undp") == []
    build_index(ROWS, path)
    assert iris(ix.search("undp"))[:1] == [ID + "organisation/undp"]
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind


def test_index_usable_from_several_threads(index):
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(20):
                assert index.search("edb")[0].iri == ID + "organisation/edb"
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_missing_index_is_a_store_error_with_a_hint(tmp_path):
    with pytest.raises(StoreError, match="no search index") as e:
        SearchIndex(tmp_path / "nope.sqlite")
    assert "wckg build" in e.value.hint


def test_index_is_current(tmp_path, index):
    from graph.search import index_is_current
    assert index_is_current(index.path)
    assert not index_is_current(tmp_path / "missing.sqlite")
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)
    con.execute("PRAGMA user_version=1")
    con.close()
    assert not index_is_current(old)


def test_not_an_index_is_a_store_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        SearchIndex(bad)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE x(y)").connection.commit()
    with pytest.raises(StoreError, match="schema"):
        SearchIndex(other)


def test_rows_from_rdflib_terms_and_duplicates(tmp_path):
    rows = [(URIRef(ID + "place/almaty"), Literal("Almaty", lang="en"), Literal(True), URIRef(WC + "Place"), Literal(2)),
            (URIRef(ID + "place/almaty"), Literal("Almaty", lang="en"), Literal(True), URIRef(WC + "Place"), Literal(2)),
            (URIRef(ID + "place/almaty"), Literal("Alma-Ata", lang="ru"), Literal(False), None, None)]
    assert build_index(rows, tmp_path / "ix.sqlite") == 2
    hits = SearchIndex(tmp_path / "ix.sqlite").search("alma ata")
    assert hits[0].label == "Almaty" and hits[0].matched == "Alma-Ata" and hits[0].links == 2


def test_index_query_runs_on_a_store():
    import pyoxigraph as ox

    store = ox.Store()
    store.load(f"""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix wc: <{WC}> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        wc:FinancialInstitution a owl:Class ; rdfs:subClassOf wc:Organisation ; rdfs:label "Financial institution"@en .
        wc:Organisation a owl:Class ; rdfs:label "Organisation"@en .
        <{ID}organisation/edb> a wc:FinancialInstitution, wc:Organisation ;
            skos:prefLabel "Eurasian Development Bank"@en ; skos:altLabel "EDB"@en .
        <{ID}event/e1> wc:participant <{ID}organisation/edb> .
    """.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ID + "graph/reference"))
    from graph.store import _OpenStore
    rows = list(index_rows(_OpenStore(store).select))
    edb = [r for r in rows if r[0] == ID + "organisation/edb"]
    assert {str(r[1]) for r in edb} == {"Eurasian Development Bank", "EDB"}
    # only the most specific class, and the one link pointing at it
    assert {r[3] for r in edb} == {WC + "FinancialInstitution"}
    assert {r[4] for r in edb} == {1}
