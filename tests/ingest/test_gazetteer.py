"""The gazetteer: from the store (cached per build) and from the files, alike; lookups by label and acronym."""
from __future__ import annotations

from graph.ingest.gazetteer import Gazetteer, is_acronym, load_gazetteer, norm


def test_store_and_files_give_the_same_names(settings, built_store, gazetteer, tmp_path):
    s = settings.model_copy(update={"cache_dir": tmp_path / "cache"})
    from_store, where = load_gazetteer(s, require_store=True)
    assert "store" in where and "cached" not in where
    assert set(from_store.entries) == set(gazetteer.entries)
    again, where = load_gazetteer(s, require_store=True)
    assert "cached" in where
    assert set(again.by_norm) == set(from_store.by_norm)
    assert list((tmp_path / "cache").glob("gazetteer-*.pickle"))


def test_lookups(gazetteer: Gazetteer):
    assert [e.iri.rsplit("/", 1)[-1] for e in gazetteer.lookup("UNECE")] == ["unece"]
    assert gazetteer.lookup("unece") == []          # acronyms are case-sensitive
    assert [e.iri.rsplit("/", 1)[-1] for e in gazetteer.lookup("united nations development program")] == ["undp"]
    assert gazetteer.lookup("Nur-Sultan", {"place"})[0].iri.endswith("/astana")
    # places the graph does not hold come from ISO 3166 and GeoNames, under the IRI they would get
    fr = gazetteer.lookup("Mongolia", {"country"})
    assert fr and fr[0].iri.endswith("/place/mongolia") and fr[0].__dict__.get("external")


def test_norm_and_acronyms():
    assert norm("Organization for Economic Co‑operation – Centre") == norm("organisation for economic co operation - center")
    assert is_acronym("EC-IFAS") and is_acronym("IsDB") and not is_acronym("Water")
