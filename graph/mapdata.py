"""What the map shows: events at their place, agreements where they were signed,
organisations gathered by country, and basins — as GeoJSON, from a fixed handful of SPARQL
SELECTs (never one per item), cached per store build.

Every feature has ``properties``: ``iri``, ``label``, ``layer`` (``event``, ``agreement``,
``organisations``, ``basin``), ``type`` (the most specific class), ``date``, ``year_from``
and ``year_to`` (integers or null), ``place`` and ``place_label``, ``topics`` (IRIs),
``sources`` (every article that reports it: an event reported by three articles is one
feature with three sources), ``evidence`` (a sentence that states it) and, for an
organisations marker, ``members`` (``[{iri, label}]``).

Coordinates are the place's ``geo:lat``/``geo:long`` (WGS84). Basins are points at their
``geo:lat``/``geo:long``; an area is drawn only where a basin has a WKT polygon
(``geo:hasGeometry/geo:asWKT``), which the curated data does not have yet.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import ParameterError, WckgError
from .namespaces import PREFIXES, WC, sparql_prologue

LAYERS: dict[str, dict[str, str]] = {
    "event": {"label": "Events", "color": "#bcbd22"},
    "agreement": {"label": "Agreements (where signed)", "color": "#8c564b"},
    "organisations": {"label": "Organisations by country", "color": "#1f77b4"},
    "basin": {"label": "Basins", "color": "#17becf"},
}
YEAR_MIN, YEAR_MAX = 1900, 2100

_P = sparql_prologue({k: PREFIXES[k] for k in ("wc", "skos", "prov", "rdfs", "geo")})

Q_EVENTS = _P + """
SELECT ?item ?type ?label ?date ?start ?end ?place ?placeLabel ?lat ?long WHERE {
  ?type rdfs:subClassOf* wc:Event . ?item a ?type ; wc:location ?place .
  ?place geo:lat ?lat ; geo:long ?long .
  OPTIONAL { ?item skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?place skos:prefLabel ?placeLabel FILTER(LANGMATCHES(LANG(?placeLabel), "en") || LANG(?placeLabel) = "") }
  OPTIONAL { ?item wc:date ?date }
  OPTIONAL { ?item wc:startDate ?start }
  OPTIONAL { ?item wc:endDate ?end }
}"""

#: agreements at the place of their signing event, or at their own wc:location
Q_AGREEMENTS = _P + """
SELECT ?item ?type ?label ?date ?place ?placeLabel ?lat ?long WHERE {
  ?type rdfs:subClassOf* wc:Agreement . ?item a ?type .
  { ?item wc:signedAt ?signing . ?signing wc:location ?place . OPTIONAL { ?signing wc:date ?date } }
  UNION { ?item wc:location ?place }
  ?place geo:lat ?lat ; geo:long ?long .
  OPTIONAL { ?item skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?place skos:prefLabel ?placeLabel FILTER(LANGMATCHES(LANG(?placeLabel), "en") || LANG(?placeLabel) = "") }
  OPTIONAL { ?item wc:date ?date }
}"""

Q_ORGANISATIONS = _P + """
SELECT ?item ?label ?place ?placeLabel ?lat ?long WHERE {
  ?type rdfs:subClassOf* wc:Organisation . ?item a ?type ; wc:country ?place .
  ?place geo:lat ?lat ; geo:long ?long .
  OPTIONAL { ?item skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
  OPTIONAL { ?place skos:prefLabel ?placeLabel FILTER(LANGMATCHES(LANG(?placeLabel), "en") || LANG(?placeLabel) = "") }
}"""

Q_BASINS = _P + """
SELECT ?item ?label ?lat ?long ?wkt WHERE {
  ?item a wc:Basin .
  OPTIONAL { ?item geo:lat ?lat ; geo:long ?long }
  OPTIONAL { ?item <http://www.opengis.net/ont/geosparql#hasGeometry>/<http://www.opengis.net/ont/geosparql#asWKT> ?wkt }
  OPTIONAL { ?item skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }
}"""

#: topics, sources and sentences of events and agreements (joined in Python)
Q_TOPICS = _P + """SELECT ?item ?topic ?label WHERE {
  ?item wc:topic ?topic .
  OPTIONAL { ?topic skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) } }"""
Q_SOURCES = _P + """SELECT ?item ?src WHERE { ?item prov:wasDerivedFrom ?src . }"""
Q_EVIDENCE = _P + """SELECT ?item ?text WHERE { ?item wc:evidence ?text . FILTER(isLiteral(?text)) }"""

_WC = str(WC)
_YEAR = re.compile(r"^\s*(\d{4})")


def _year(v: Any) -> int | None:
    m = _YEAR.match(str(v)) if v is not None else None
    return int(m.group(1)) if m else None


def _slug_label(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1].replace("-", " ")


@dataclass
class MapData:
    features: list[dict[str, Any]]
    topics: dict[str, str]
    fetch_seconds: float = 0.0
    extent: tuple[int, int] | None = None
    serial: int = 0

    def years(self) -> tuple[int, int] | None:
        ys = [y for f in self.features for y in (f["properties"]["year_from"], f["properties"]["year_to"])
              if y is not None]
        return (min(ys), max(ys)) if ys else None


def _rows(backend, text: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in backend.select(text)]


def _point(lat: str, long: str) -> list[float] | None:
    try:
        y, x = float(lat), float(long)
    except (TypeError, ValueError):
        return None
    if not (-90 <= y <= 90 and -180 <= x <= 180):
        return None
    return [round(x, 6), round(y, 6)]


def _most_specific(types: Iterable[str], root: str) -> str:
    names = sorted(t[len(_WC):] for t in types if t.startswith(_WC))
    specific = [n for n in names if n != root]
    return specific[0] if specific else root


_SERIAL = [0]


# long: one pass over the map's SPARQL rows
def fetch_map_data(backend) -> MapData:  # noqa: C901 (one pass over the map's SPARQL rows)
    """Every feature of the map (:mod:`graph.mapdata`)."""
    t0 = time.perf_counter()
    topics: dict[str, str] = {}
    item_topics: dict[str, set[str]] = defaultdict(set)
    for r in _rows(backend, Q_TOPICS):
        topics[r["topic"]] = r.get("label") or topics.get(r["topic"]) or _slug_label(r["topic"])
        item_topics[r["item"]].add(r["topic"])
    sources: dict[str, set[str]] = defaultdict(set)
    for r in _rows(backend, Q_SOURCES):
        sources[r["item"]].add(r["src"])
    evidence: dict[str, str] = {}
    for r in _rows(backend, Q_EVIDENCE):
        if r["item"] not in evidence or r["text"] < evidence[r["item"]]:
            evidence[r["item"]] = r["text"]

    features: list[dict[str, Any]] = []
    for layer, query, root in (("event", Q_EVENTS, "Event"), ("agreement", Q_AGREEMENTS, "Agreement")):
        acc: dict[tuple[str, str], dict[str, Any]] = {}
        for r in _rows(backend, query):
            pt = _point(r["lat"], r["long"])
            if pt is None:
                continue
            d = acc.setdefault((r["item"], r["place"]), {"types": set(), "label": None, "dates": set(),
                                                        "place_label": None, "pt": pt})
            d["types"].add(r["type"])
            d["label"] = d["label"] or r.get("label")
            d["place_label"] = d["place_label"] or r.get("placeLabel")
            for k in ("date", "start", "end"):
                if r.get(k):
                    d["dates"].add((k, r[k]))
        for (item, place), d in sorted(acc.items()):
            dates = sorted(v for k, v in d["dates"] if k == "date")
            starts = sorted(v for k, v in d["dates"] if k == "start")
            ends = sorted(v for k, v in d["dates"] if k == "end")
            date = dates[0] if dates else (starts[0] if starts else None)
            y0 = _year(date)
            y1 = _year(dates[-1]) if dates else (_year(ends[-1]) if ends else y0)
            features.append(_feature(pt=d["pt"], iri=item, label=d["label"] or _slug_label(item), layer=layer,
                                     type_=_most_specific(d["types"], root), date=date, y0=y0,
                                     y1=y1 if y1 is not None else y0, place=place,
                                     place_label=d["place_label"] or _slug_label(place),
                                     topics=sorted(item_topics.get(item, ())),
                                     sources=sorted(sources.get(item, ())), evidence=evidence.get(item)))
    # organisations, one marker per country
    by_country: dict[str, dict[str, Any]] = {}
    for r in _rows(backend, Q_ORGANISATIONS):
        pt = _point(r["lat"], r["long"])
        if pt is None:
            continue
        c = by_country.setdefault(r["place"], {"pt": pt, "label": r.get("placeLabel"), "members": {}})
        c["members"].setdefault(r["item"], r.get("label") or _slug_label(r["item"]))
    for place, c in sorted(by_country.items()):
        members = [{"iri": i, "label": lab} for i, lab in sorted(c["members"].items(), key=lambda kv: kv[1].lower())]
        label = c["label"] or _slug_label(place)
        f = _feature(pt=c["pt"], iri=place, label=f"{len(members)} organisation{'s' if len(members) != 1 else ''} in {label}",
                     layer="organisations", type_="Country", date=None, y0=None, y1=None, place=place,
                     place_label=label, topics=[], sources=[], evidence=None)
        f["properties"]["members"] = members
        features.append(f)
    # basins
    basins: dict[str, dict[str, Any]] = {}
    for r in _rows(backend, Q_BASINS):
        b = basins.setdefault(r["item"], {"label": r.get("label"), "pt": None, "wkt": None})
        b["label"] = b["label"] or r.get("label")
        if r.get("lat") and r.get("long"):
            b["pt"] = b["pt"] or _point(r["lat"], r["long"])
        b["wkt"] = b["wkt"] or r.get("wkt")
    for iri, b in sorted(basins.items()):
        geometry = _wkt_polygon(b["wkt"]) if b["wkt"] else None
        if geometry is None and b["pt"] is None:
            continue
        f = _feature(pt=b["pt"], iri=iri, label=b["label"] or _slug_label(iri), layer="basin", type_="Basin",
                     date=None, y0=None, y1=None, place=iri, place_label=b["label"] or _slug_label(iri),
                     topics=sorted(item_topics.get(iri, ())), sources=sorted(sources.get(iri, ())),
                     evidence=evidence.get(iri))
        if geometry is not None:
            f["geometry"] = geometry
        features.append(f)
    _SERIAL[0] += 1
    return MapData(features=features, topics=dict(sorted(topics.items(), key=lambda kv: kv[1].lower())),
                   fetch_seconds=time.perf_counter() - t0, serial=_SERIAL[0])


def _feature(*, pt, iri, label, layer, type_, date, y0, y1, place, place_label, topics, sources, evidence):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": pt} if pt else None,
            "properties": {"iri": iri, "label": label, "layer": layer, "type": type_, "date": date,
                           "year_from": y0, "year_to": y1, "place": place, "place_label": place_label,
                           "topics": topics, "sources": sources, "evidence": evidence}}


_WKT_POLY = re.compile(r"^\s*(?:<[^>]*>\s*)?POLYGON\s*\(\((.*)\)\)\s*$", re.I | re.S)


def _wkt_polygon(wkt: str) -> dict[str, Any] | None:
    """A GeoJSON polygon from a WKT ``POLYGON((x y, ...))`` (outer ring only); None for
    anything else."""
    m = _WKT_POLY.match(wkt or "")
    if not m:
        return None
    ring = []
    for pair in m.group(1).split("),")[0].split(","):
        parts = pair.strip().strip("()").split()
        if len(parts) < 2:
            return None
        try:
            ring.append([float(parts[0]), float(parts[1])])
        except ValueError:
            return None
    return {"type": "Polygon", "coordinates": [ring]} if len(ring) >= 4 else None


# --------------------------------------------------------------------------------------
# cache and filters
# --------------------------------------------------------------------------------------

_CACHE: dict[tuple[int, str], MapData] = {}


def cached_map_data(backend) -> MapData:
    """:func:`fetch_map_data`, remembered per backend and store build."""
    build = None
    try:
        build = backend.info().build_id
    except (WckgError, AttributeError):
        build = None
    key = (id(backend), str(build))
    if build is not None and key in _CACHE:
        return _CACHE[key]
    data = fetch_map_data(backend)
    for k in [k for k in _CACHE if k[0] == id(backend)]:
        del _CACHE[k]
    _CACHE[key] = data
    return data


@dataclass(frozen=True)
class MapFilters:
    year_from: int | None = None
    year_to: int | None = None
    layers: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()


def make_filters(data: MapData, *, year_from: Any = None, year_to: Any = None, layers: Iterable[str] = (),
                 topics: Iterable[str] = ()) -> MapFilters:
    """Checked filters; a bad value raises :class:`ParameterError` naming it."""
    def year(name: str, v: Any) -> int | None:
        if v is None or str(v).strip() == "":
            return None
        s = str(v).strip()
        if not re.fullmatch(r"\d{4}", s) or not YEAR_MIN <= int(s) <= YEAR_MAX:
            raise ParameterError(name, f"{s!r} is not a year", hint=f"give a four-digit year between {YEAR_MIN} and {YEAR_MAX}")
        return int(s)
    yf, yt = year("from", year_from), year("to", year_to)
    if yf is not None and yt is not None and yf > yt:
        raise ParameterError("from", f"the period starts ({yf}) after it ends ({yt})", hint="give from ≤ to")
    ls = set()
    for v in layers:
        for x in str(v).split(","):
            x = x.strip()
            if not x:
                continue
            if x not in LAYERS:
                raise ParameterError("kind", f"unknown map layer {x!r}", hint="use one of " + ", ".join(LAYERS))
            ls.add(x)
    ts = set()
    for v in topics:
        for x in str(v).split(","):
            x = x.strip()
            if not x:
                continue
            hits = [t for t, lab in data.topics.items() if x in (t, lab) or t.rsplit("/", 1)[-1] == x]
            if not hits:
                raise ParameterError("topic", f"no topic matches {x!r}",
                                     hint="known topics: " + ", ".join(sorted(t.rsplit("/", 1)[-1] for t in data.topics))[:400])
            ts.update(hits)
    return MapFilters(yf, yt, frozenset(ls), frozenset(ts))


def select(data: MapData, f: MapFilters) -> list[dict[str, Any]]:
    """The features that pass *f*. Undated features (organisations, basins, undated
    events) stay when a period is given only if they carry no date at all and are not
    events or agreements."""
    out = []
    for feat in data.features:
        p = feat["properties"]
        if f.layers and p["layer"] not in f.layers:
            continue
        if f.topics and not (set(p["topics"]) & f.topics):
            continue
        if f.year_from is not None or f.year_to is not None:
            if p["layer"] in ("event", "agreement"):
                if p["year_from"] is None:
                    continue
                lo = f.year_from if f.year_from is not None else YEAR_MIN
                hi = f.year_to if f.year_to is not None else YEAR_MAX
                if p["year_to"] < lo or p["year_from"] > hi:
                    continue
        out.append(feat)
    return out


def geojson(data: MapData, f: MapFilters = MapFilters(), *, url_of=None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the selected features; ``url_of(iri)`` adds each
    feature's page (``url``) and its members' pages."""
    feats = []
    for feat in select(data, f):
        p = dict(feat["properties"])
        if url_of is not None:
            p["url"] = url_of(p["iri"])
            if "members" in p:
                p["members"] = [{**m, "url": url_of(m["iri"])} for m in p["members"]]
        feats.append({"type": "Feature", "geometry": feat["geometry"], "properties": p})
    return {"type": "FeatureCollection", "features": feats,
            "layers": LAYERS, "topics": data.topics,
            "years": data.years()}


__all__ = ["LAYERS", "MapData", "MapFilters", "fetch_map_data", "cached_map_data", "make_filters",
           "select", "geojson"]
