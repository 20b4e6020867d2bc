"""``/indicators``: cooperation indicators from the model.

* ``/indicators`` — the Basins at Risk (BAR) intensity scale, its rules, and the code of
  every event and agreement (``/indicators/codes.csv``, ``.json``, ``.ttl``);
* ``/indicators/intensity?kind=country|pair|basin|organisation&value=...`` — the series per
  year with a plot, its ``.csv`` and ``.json`` beside it (and the named query
  ``cooperation-intensity-by-year``);
* ``/indicators/arrangements?kind=pair|basin&value=...`` — the evidence of each SDG 6.5.2
  criterion, ``.json`` beside it (named query ``sdg-652-evidence``).

The codes are computed once per store build, with the build's network table, and held by
the network worker (:func:`graph.network.pool.indicators_for`), which answers each request
with what it needs; never in the web process, except for a remote backend. A bad kind or
value → 422 naming the parameter; a worker still computing → 503 with Retry-After."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from graph import indicators as I
from graph.network.pool import indicators_for

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
    o = indicators_for(backend, settings, "overview")
    return render(request, "indicators.html", {
        **o, "rules": I.RULES, "scale": I.BAR_SCALE, "criteria": I.CRITERIA,
        "href": lambda iri: local_path(iri, settings.base_iri),
    })


@router.get("/indicators/codes.{fmt}", summary="The BAR code of every event and agreement (csv, json, ttl)")
def codes(fmt: str, backend: BackendDep, settings: SettingsDep) -> Response:
    if fmt == "csv":
        return _download(indicators_for(backend, settings, "codes.csv"), "text/csv; charset=utf-8", "bar-codes.csv")
    if fmt == "json":
        return _json(indicators_for(backend, settings, "codes.json"))
    if fmt == "ttl":
        return Response(indicators_for(backend, settings, "codes.ttl").encode(), media_type="text/turtle; charset=utf-8")
    from graph.errors import ParameterError
    raise ParameterError("format", f"unknown format {fmt!r}", hint="use codes.csv, codes.json or codes.ttl")


def _series(backend, settings, kind: str, value: str):
    return indicators_for(backend, settings, "series", kind, value)


@router.get("/indicators/intensity.json", summary="BAR intensity per year (JSON)")
def intensity_json(backend: BackendDep, settings: SettingsDep, kind: KindQ = "country", value: ValueQ = "") -> Response:
    return _json(_series(backend, settings, kind, value))


@router.get("/indicators/intensity.csv", summary="BAR intensity per year (CSV)")
def intensity_csv(backend: BackendDep, settings: SettingsDep, kind: KindQ = "country", value: ValueQ = "") -> Response:
    s = _series(backend, settings, kind, value)
    return _download(I.series_csv(s), "text/csv; charset=utf-8", "intensity.csv")


@router.get("/indicators/intensity", summary="BAR intensity per year (page with a plot)")
def intensity_page(request: Request, backend: BackendDep, settings: SettingsDep,
                   kind: KindQ = "country", value: ValueQ = "") -> Response:
    s = _series(backend, settings, kind, value)
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
def arrangements_json(backend: BackendDep, settings: SettingsDep, kind: KindQ = "pair", value: ValueQ = "") -> Response:
    return _json(indicators_for(backend, settings, "arrangements", kind, value))


@router.get("/indicators/arrangements", summary="SDG 6.5.2: evidence of an operational arrangement (page)")
def arrangements_page(request: Request, backend: BackendDep, settings: SettingsDep,
                      kind: KindQ = "pair", value: ValueQ = "") -> Response:
    a = indicators_for(backend, settings, "arrangements", kind, value)
    from urllib.parse import urlencode
    return render(request, "indicators_arrangements.html", {
        "a": a, "qs": urlencode({"kind": kind, "value": value}), "href": lambda iri: local_path(iri, settings.base_iri)})
