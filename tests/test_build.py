"""graph.build: a build writes the release bundle the site serves into the build itself."""
from __future__ import annotations

import json

from graph import publish as pub
from graph.build import build, release_dir
from graph.store import StoreLayout
from tests.conftest import make_settings


def test_a_build_writes_its_release_bundle_into_the_build(tmp_path):
    s = make_settings(tmp_path / "store")
    first = build(s, validate="none", release=False)
    assert first.release is None and release_dir(s) is None
    layout = StoreLayout(s.store)
    assert json.loads((layout.current_build() / "manifest.json").read_text())["release"] is False

    # an up-to-date store without a bundle gets one in place, behind the validation gate
    again = build(s, validate="changed", release=True)
    assert again.up_to_date and again.build_id == first.build_id
    assert again.release == layout.current_build() / "release" == release_dir(s)
    assert pub.is_bundle(again.release)

    # a new build carries its own bundle; the old build's stays with the old build
    forced = build(s, force=True, validate="changed", release=True)
    assert forced.build_id != first.build_id
    assert forced.release == layout.current_build() / "release"
    assert json.loads((layout.current_build() / "manifest.json").read_text())["release"] is True
    manifest = json.loads((forced.release / pub.MANIFEST).read_text())
    assert manifest["triples"] > 1000 and manifest["quads"] >= manifest["triples"]


def test_validate_none_makes_no_bundle(tmp_path):
    s = make_settings(tmp_path / "store")
    report = build(s, validate="none", release=True)
    assert report.release is None and release_dir(s) is None
