"""``/indicators``: cooperation indicators from the model.

* ``/indicators`` — the Basins at Risk (BAR) intensity scale, its rules, and the code of
  every event and agreement (``/indicators/codes.csv``, ``.json``, ``.ttl``);
* ``/indicators/intensity?kind=country|pair|basin|organisation&value=...`` — the series per
  year with a plot, its ``.csv`` and ``.json`` beside it (and the named query
  ``cooperation-intensity-by-year``);
* ``/indicators/arrangements?kind=pair|basin&value=...`` — the evidence of each SDG 6.5.2
  criterion, ``.json`` beside it (named query ``sdg-652-evidence``).

The codes are computed once per store build (:func:`graph.indicators.cached`). A bad
kind or value → 422 naming the parameter."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from graph import indicators as I

from ..deps import BackendDep, SettingsDep
from ..templating import local_path, render

router = APIRouter(tags=["indicators"])

KindQ = Annotated[str, Query(max_length=20, description="country, pair, basin or organisation")]
ValueQ = Annotated[str, Query(max_length=500, description="an IRI, slug or label (pair: two countries, comma-separated)")]


def _json(body) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=1).encode(), media_type="application/json")


def _download(body: str, media: str, filename: str) -> Response:
    return Response(body.encode(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/indicators", summary="Cooperation indicators: BAR intensity codes and SDG 6.5.2 arrangements")
def indicators_page(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    data = I.cached(backend)
    ix = I.index(data)
    coded = ix["newest"]
    pairs = I.candidate_pairs(data)
    active = ix["by_agent"]
    return render(request, "indicators.html", {
        "coded": coded[:CODES_ON_PAGE], "coded_total": len(coded), "rules": I.RULES, "scale": I.BAR_SCALE,
        "criteria": I.CRITERIA,
        "pairs": [(a, b, data.countries.get(a, a), data.countries.get(b, b)) for a, b in pairs[:PAIRS_ON_PAGE]],
        "pairs_total": len(pairs),
        "countries": data.countries, "basins": data.basins,
        "organisations": sorted(((i, a.label) for i, a in data.graph.agents.items()
                                 if i in active and not a.is_person), key=lambda x: x[1].lower())[:ORGS_IN_LIST],
        "href": lambda iri: local_path(iri, settings.base_iri),
    })


#: The overview lists the newest codes and the first pairs; the CSV and JSON have all.
CODES_ON_PAGE = 300
PAIRS_ON_PAGE = 200
ORGS_IN_LIST = 2000


@router.get("/indicators/codes.{fmt}", summary="The BAR code of every event and agreement (csv, json, ttl)")
def codes(fmt: str, backend: BackendDep) -> Response:
    data = I.cached(backend)
    if fmt == "csv":
        return _download(I.codes_csv(data), "text/csv; charset=utf-8", "bar-codes.csv")
    if fmt == "json":
        return _json({"scale": {str(k): v for k, v in I.BAR_SCALE.items()},
                      "rules": [{"rule": n, "code": c, "text": t} for n, c, t in I.RULES],
                      "items": [c.to_json() for c in sorted(data.coded.values(), key=lambda c: c.iri)]})
    if fmt == "ttl":
        from rdflib import Graph

        from graph.namespaces import bind_prefixes
        g = Graph()
        bind_prefixes(g)
        for t in I.codes_triples(data):
            g.add(t)
        return Response(g.serialize(format="turtle").encode(), media_type="text/turtle; charset=utf-8")
    from graph.errors import ParameterError
    raise ParameterError("format", f"unknown format {fmt!r}", hint="use codes.csv, codes.json or codes.ttl")


def _series(backend, kind: str, value: str):
    return I.series(I.cached(backend), kind, value)


@router.get("/indicators/intensity.json", summary="BAR intensity per year (JSON)")
def intensity_json(backend: BackendDep, kind: KindQ = "country", value: ValueQ = "") -> Response:
    return _json(_series(backend, kind, value))


@router.get("/indicators/intensity.csv", summary="BAR intensity per year (CSV)")
def intensity_csv(backend: BackendDep, kind: KindQ = "country", value: ValueQ = "") -> Response:
    s = _series(backend, kind, value)
    return _download(I.series_csv(s), "text/csv; charset=utf-8", "intensity.csv")


@router.get("/indicators/intensity", summary="BAR intensity per year (page with a plot)")
def intensity_page(request: Request, backend: BackendDep, settings: SettingsDep,
                   kind: KindQ = "country", value: ValueQ = "") -> Response:
    s = _series(backend, kind, value)
    from urllib.parse import urlencode
    q = urlencode({"kind": kind, "value": value})
    return render(request, "indicators_intensity.html", {
        "s": s, "plot": _plot(s["years"]), "qs": q, "scale": I.BAR_SCALE, "rules": I.RULES,
        "href": lambda iri: local_path(iri, settings.base_iri),
    })


def _plot(years: list[dict]) -> dict | None:
    """Geometry of the SVG plot: a bar per year (number of events, left axis) and a dot per
    year (mean code, right axis −7..+7), computed here so the page needs no script."""
    if not years:
        return None
    w, h, pad = 720, 240, 36
    n = len(years)
    top = max(y["events"] for y in years) or 1
    step = (w - 2 * pad) / n
    bars, dots = [], []
    for i, y in enumerate(years):
        x = pad + i * step
        bh = (h - 2 * pad) * y["events"] / top
        bars.append({"x": round(x + step * 0.15, 1), "y": round(h - pad - bh, 1), "w": round(step * 0.7, 1),
                     "h": round(bh, 1), "year": y["year"], "events": y["events"]})
        if y["mean"] is not None:
            cy = h - pad - (h - 2 * pad) * (y["mean"] + 7) / 14
            dots.append({"cx": round(x + step / 2, 1), "cy": round(cy, 1), "mean": y["mean"], "max": y["max"],
                         "year": y["year"]})
    zero = round(h - pad - (h - 2 * pad) * 7 / 14, 1)
    return {"w": w, "h": h, "pad": pad, "bars": bars, "dots": dots, "top": top, "zero": zero,
            "line": " ".join(f"{d['cx']},{d['cy']}" for d in dots)}


@router.get("/indicators/arrangements.json", summary="SDG 6.5.2 evidence (JSON)")
def arrangements_json(backend: BackendDep, kind: KindQ = "pair", value: ValueQ = "") -> Response:
    return _json(I.arrangements(I.cached(backend), kind, value))


@router.get("/indicators/arrangements", summary="SDG 6.5.2: evidence of an operational arrangement (page)")
def arrangements_page(request: Request, backend: BackendDep, settings: SettingsDep,
                      kind: KindQ = "pair", value: ValueQ = "") -> Response:
    a = I.arrangements(I.cached(backend), kind, value)
    from urllib.parse import urlencode
    return render(request, "indicators_arrangements.html", {
        "a": a, "qs": urlencode({"kind": kind, "value": value}), "href": lambda iri: local_path(iri, settings.base_iri)})
