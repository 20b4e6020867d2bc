"""The incremental validation of `wckg build` (changed articles against their context in
the current store) must find exactly what the full validation of those units finds."""
from __future__ import annotations

import pytest

from graph.load import discover
from graph.build import _StoreContext
from graph.store import StoreLayout
from graph.validate import validate, validate_with_context


def _keys(report):
    return sorted((r.severity, r.focus_node, r.path, r.shape, r.constraint, r.message) for r in report.results)


@pytest.mark.parametrize("slug", ["nwpd-kazakhstan-sixth-iccc-2020", "water-sector-coordination-council-2025-04",
                                  "carec-astana-consultation-outcomes-2017-06"])
def test_store_context_validation_equals_the_full_validation_of_the_unit(settings, built_store, slug):
    graph = f"https://w3id.org/wckg/id/graph/{slug}"
    files = [f for f in discover(settings) if f.graph == graph]
    layout = StoreLayout(settings.store)
    incremental = validate_with_context(settings, files, _StoreContext(layout.db(layout.current_build())))
    full = validate(settings, graphs={graph})
    assert _keys(incremental) == _keys(full)
    assert incremental.units == 1


def test_store_context_validation_catches_a_broken_article(settings, built_store, tmp_path):
    from dataclasses import replace
    src = next(f for f in discover(settings) if f.graph.endswith("nwpd-kazakhstan-sixth-iccc-2020"))
    broken = tmp_path / src.path.name
    broken.write_text(src.path.read_text().replace('"2020-11-20"^^xsd:date', '"2020-11-29"^^xsd:date', 1))
    layout = StoreLayout(settings.store)
    report = validate_with_context(settings, [replace(src, path=broken)],
                                   _StoreContext(layout.db(layout.current_build())))
    assert not report.conforms
    assert any(r.constraint.endswith("EventDateNotAfterSource") and r.file == broken and r.line
               for r in report.violations)


def test_a_deployment_base_validates_like_the_published_one(tmp_path):
    """The curated files use the published base; a deployment that mints its own validates
    (and locates findings) the same way, fully and incrementally."""
    from graph.build import build
    from tests.conftest import make_settings
    s = make_settings(tmp_path / "store", base_iri="https://water.example.org/id/")
    report = validate(s)
    assert report.conforms, report.to_text()
    first = build(s, validate="none")
    graph = "https://w3id.org/wckg/id/graph/nwpd-kazakhstan-sixth-iccc-2020"
    files = [f for f in discover(s) if f.graph == graph]
    layout = StoreLayout(s.store)
    incremental = validate_with_context(s, files, _StoreContext(layout.db(layout.current_build()), s.base_iri))
    assert _keys(incremental) == _keys(validate(s, graphs={graph}))
    assert first.triples > 0
