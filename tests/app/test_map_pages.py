"""/map and /map.json: GeoJSON with events at their place and agreements where signed,
organisations by country, one feature per event with all its sources; filters; 422 naming
the parameter; the vendored map libraries and boundaries served from node_modules."""
from __future__ import annotations

import json
import re

import pytest

ID = "https://w3id.org/wckg/id/"
HTML = {"accept": "text/html,application/xhtml+xml"}


def features(client, query: str = "") -> list[dict]:
    r = client.get("/map.json" + query)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    body = r.json()
    assert body["type"] == "FeatureCollection"
    return body["features"]


def test_geojson_has_events_agreements_organisations(client):
    fs = features(client)
    layers = {f["properties"]["layer"] for f in fs}
    # (no curated signing ceremony has a known place yet: tests/test_mapdata.py covers agreements)
    assert {"event", "organisations"} <= layers
    for f in fs:
        if f["geometry"] and f["geometry"]["type"] == "Point":
            x, y = f["geometry"]["coordinates"]
            assert -180 <= x <= 180 and -90 <= y <= 90
    astana = [f for f in fs if f["properties"]["iri"] == ID + "event/2017-06-15-nexus-national-consultation-astana"]
    # reported by two articles: one marker, two sources
    assert len(astana) == 1 and len(astana[0]["properties"]["sources"]) == 2
    assert astana[0]["properties"]["url"] == "/id/event/2017-06-15-nexus-national-consultation-astana"
    assert astana[0]["properties"]["year_from"] == 2017
    kz = next(f for f in fs if f["properties"]["layer"] == "organisations" and f["properties"]["iri"] == ID + "place/kazakhstan")
    assert any(m["iri"] == ID + "organisation/kazvodkhoz" for m in kz["properties"]["members"])


def test_filters_by_year_kind_and_topic(client):
    only = features(client, "?kind=event&from=2017&to=2017")
    assert only and {f["properties"]["layer"] for f in only} == {"event"}
    assert all(f["properties"]["year_from"] <= 2017 <= f["properties"]["year_to"] for f in only)
    nexus = features(client, "?topic=nexus")
    assert nexus and all(ID + "topic/nexus" in f["properties"]["topics"] for f in nexus)


@pytest.mark.parametrize("query, name", [("?kind=rivers", "kind"), ("?from=20x5", "from"),
                                         ("?from=2025&to=2017", "from"), ("?topic=astrology", "topic")])
def test_bad_parameters_are_422_naming_them(client, query, name):
    for path in ("/map.json", "/map"):
        r = client.get(path + query)
        assert r.status_code == 422, (path, r.status_code)
        assert r.json()["parameter"] == name


def test_map_page_is_offline_and_escapes_its_data(client):
    r = client.get("/map", headers=HTML)
    assert r.status_code == 200
    html = r.text
    for src in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
                "/static/vendor/topojson-client/topojson-client.min.js", "/static/map.js",
                "/static/vendor/world-atlas/countries-50m.json"):
        assert src in html
        assert client.get(src).status_code == 200, src
    assert not re.search(r"https?://(?!w3id\.org|www\.w3\.org)[a-z0-9.-]+/", re.sub(r'"iri": ?"[^"]*"', "", html).split("<body", 1)[1]
                         .split('id="map-data"')[0])
    # no inline script: the data travels as JSON
    m = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', html, re.S)
    assert m and "<" not in m.group(1)
    assert json.loads(m.group(1))["type"] == "FeatureCollection"
    assert re.findall(r"<script(?![^>]*(src=|type=\"application/json\"))", html) == []
