"""Fixtures of the extraction tests: one gazetteer from the curated files, one extractor."""
from __future__ import annotations

import pytest

from graph.config import PROJECT_ROOT, Settings


@pytest.fixture(scope="session")
def file_settings(tmp_path_factory) -> Settings:
    return Settings(_env_file=None, store=tmp_path_factory.mktemp("nostore") / "store",
                    data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology",
                    queries_dir=PROJECT_ROOT / "queries", backend="embedded")


@pytest.fixture(scope="session")
def gazetteer(file_settings):
    from graph.ingest.gazetteer import Gazetteer
    return Gazetteer.from_files(file_settings)


@pytest.fixture(scope="session")
def extractor(gazetteer):
    from graph.ingest import Extractor
    return Extractor(gazetteer)


@pytest.fixture
def draft_of(extractor, tmp_path):
    """Draft of a text written in the test (with an optional header)."""
    from graph.ingest import read_article

    def run(text: str, name: str = "test-article.txt", **meta):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return extractor.extract(read_article(p, **meta))
    return run
