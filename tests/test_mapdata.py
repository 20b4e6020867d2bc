"""graph.mapdata on a small store: agreements at the place of their signing, events,
basins (points, or areas from WKT), filters that name a bad parameter."""
from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph import mapdata as M
from graph.errors import ParameterError
from graph.terms import to_rdflib

TTL = """
@prefix wc: <https://w3id.org/wckg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix gsp: <http://www.opengis.net/ont/geosparql#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/wckg/id/> .
wc:Meeting rdfs:subClassOf wc:Event . wc:SigningCeremony rdfs:subClassOf wc:Event .
wc:MemorandumOfUnderstanding rdfs:subClassOf wc:Agreement .
id:place\\/tashkent a wc:Place ; skos:prefLabel "Tashkent"@en ; geo:lat 41.3 ; geo:long 69.24 .
id:place\\/nowhere a wc:Place ; skos:prefLabel "Nowhere"@en ; geo:lat 123.0 ; geo:long 0.0 .
id:event\\/ceremony a wc:SigningCeremony ; skos:prefLabel "Ceremony"@en ; wc:date "2019-05-02" ;
   wc:location id:place\\/tashkent ; prov:wasDerivedFrom id:source\\/a , id:source\\/b .
id:event\\/lost a wc:Meeting ; skos:prefLabel "Lost"@en ; wc:location id:place\\/nowhere .
id:agreement\\/mou a wc:MemorandumOfUnderstanding ; skos:prefLabel "MoU"@en ; wc:signedAt id:event\\/ceremony ;
   wc:topic id:topic\\/groundwater ; wc:evidence "They signed a MoU in Tashkent." .
id:place\\/aral a wc:Basin ; skos:prefLabel "Aral Sea basin"@en ; geo:lat 45.0 ; geo:long 60.0 .
id:place\\/chu a wc:Basin ; skos:prefLabel "Chu"@en ; gsp:hasGeometry [ gsp:asWKT "POLYGON((73 42, 76 42, 76 44, 73 44, 73 42))" ] .
"""


class Backend:
    def __init__(self):
        self.store = ox.Store()
        self.store.load(TTL.encode(), format=ox.RdfFormat.TURTLE)

    def select(self, text, params=None):
        res = self.store.query(text)
        names = [v.value for v in res.variables]
        return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in res]


@pytest.fixture(scope="module")
def data():
    return M.fetch_map_data(Backend())


def by_iri(data, iri):
    return [f for f in data.features if f["properties"]["iri"] == "https://w3id.org/wckg/id/" + iri]


def test_agreement_sits_where_it_was_signed(data):
    [mou] = by_iri(data, "agreement/mou")
    p = mou["properties"]
    assert p["layer"] == "agreement" and p["type"] == "MemorandumOfUnderstanding"
    assert mou["geometry"] == {"type": "Point", "coordinates": [69.24, 41.3]}
    assert p["year_from"] == p["year_to"] == 2019 and p["date"] == "2019-05-02"
    assert p["evidence"] == "They signed a MoU in Tashkent."
    [ceremony] = by_iri(data, "event/ceremony")
    assert len(ceremony["properties"]["sources"]) == 2


def test_impossible_coordinates_are_left_out_and_basins_are_points_or_areas(data):
    assert by_iri(data, "event/lost") == []
    [aral] = by_iri(data, "place/aral")
    assert aral["geometry"]["type"] == "Point"
    [chu] = by_iri(data, "place/chu")
    assert chu["geometry"]["type"] == "Polygon" and len(chu["geometry"]["coordinates"][0]) == 5


def test_filters(data):
    f = M.make_filters(data, year_from="2019", year_to="2019", layers=["agreement"], topics=["groundwater"])
    assert [x["properties"]["iri"].rsplit("/", 1)[-1] for x in M.select(data, f)] == ["mou"]
    assert M.select(data, M.make_filters(data, year_from="2020")) == [
        x for x in data.features if x["properties"]["layer"] == "basin"]
    for kwargs, name in (({"layers": ["rivers"]}, "kind"), ({"year_to": "19"}, "to"),
                         ({"topics": ["astrology"]}, "topic")):
        with pytest.raises(ParameterError) as e:
            M.make_filters(data, **kwargs)
        assert e.value.name == name
