"""``/timeline``: dated events and agreements, grouped by year, filterable by country,
organisation, kind and topic (a GET form; each filter is an IRI bound by the engine as a
SPARQL parameter), and its JSON twin ``/timeline.json``."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from graph import describe as D
from graph.backend import Backend

from ..deps import BackendDep
from ..negotiation import PAGE_OFFERS, choose
from ..templating import local_href, render

router = APIRouter(tags=["timeline"])

_IRI = Query(max_length=500, description="an IRI from the filter list (see /timeline.json facets)")
Country = Annotated[str | None, _IRI]
Org = Annotated[str | None, _IRI]
Kind = Annotated[str | None, _IRI]
Topic = Annotated[str | None, _IRI]
Order = Annotated[str, Query(pattern="^(asc|desc)$", description="desc: newest first (default); asc: oldest first")]
YearFrom = Annotated[int | None, Query(alias="from", ge=1000, le=2999, description="first year shown (the network page's year slider links here)")]
YearTo = Annotated[int | None, Query(alias="to", ge=1000, le=2999, description="last year shown")]


def _in_years(items: list, total: int, year_from: int | None, year_to: int | None) -> tuple[list, int]:
    """The items dated within [year_from, year_to] (either end open)."""
    if year_from is None and year_to is None:
        return items, total
    lo, hi = year_from or 0, year_to or 9999
    kept = [i for i in items if i.year[:4].isdigit() and lo <= int(i.year[:4]) <= hi]
    return kept, len(kept)


def _clean(v: str | None) -> str | None:
    return v.strip() or None if v else None


def _filters(country, organisation, kind, topic) -> dict[str, str | None]:
    return {"country": _clean(country), "organisation": _clean(organisation), "kind": _clean(kind),
            "topic": _clean(topic)}


def _items(backend: Backend, filters: dict, order: str) -> tuple[list[D.TimelineItem], int]:
    """At most TIMELINE_LIMIT items in the chosen order, and how many match in all."""
    items = D.timeline(backend, descending=order == "desc", limit=D.TIMELINE_LIMIT, **filters)
    total = D.timeline_count(backend, **filters) if len(items) >= D.TIMELINE_LIMIT else len(items)
    return items, total


def _facets(request: Request, backend: Backend) -> dict[str, list[D.Facet]]:
    """The filter choices, recomputed when the build changes."""
    try:
        build = backend.info().build_id
    except Exception:  # a backend without build info: compute every time
        build = None
    cache = getattr(request.app.state, "timeline_facets", None)
    if build is not None and cache and cache[0] == build:
        return cache[1]
    facets = D.timeline_facets(backend)
    request.app.state.timeline_facets = (build, facets)
    return facets


@router.get("/timeline.json", summary="Events and agreements over time (JSON)")
def timeline_json(request: Request, backend: BackendDep, country: Country = None, organisation: Org = None,
                  kind: Kind = None, topic: Topic = None, order: Order = "desc",
                  year_from: YearFrom = None,
                  year_to: YearTo = None) -> Response:
    filters = _filters(country, organisation, kind, topic)
    items, total = _items(backend, filters, order)
    items, total = _in_years(items, total, year_from, year_to)
    facets = _facets(request, backend)
    base = request.app.state.settings.base_iri

    def item_json(i: D.TimelineItem) -> dict:
        d = i.to_json()
        d["href"] = local_href(i.iri, base)
        return d

    return JSONResponse({
        "filters": filters, "count": len(items), "total": total, "order": order,
        "years": [{"year": y, "items": [item_json(i) for i in its]} for y, its in D.group_by_year(items)],
        "facets": {k: [f.to_json() for f in v] for k, v in facets.items()},
    })


@router.get("/timeline.csv", summary="Events and agreements over time (CSV, one row per item)")
def timeline_csv(request: Request, backend: BackendDep, country: Country = None, organisation: Org = None,
                 kind: Kind = None, topic: Topic = None, order: Order = "desc",
                 year_from: YearFrom = None, year_to: YearTo = None) -> Response:
    import csv
    import io
    filters = _filters(country, organisation, kind, topic)
    items, total = _items(backend, filters, order)
    items, total = _in_years(items, total, year_from, year_to)
    rows = [i.to_json() for i in items]
    columns = list(dict.fromkeys(k for r in rows for k in r)) or ["iri"]
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_value(r.get(c)) for c in columns])
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="timeline.csv"',
                             "Link": '</timeline>; rel="alternate"; type="text/html"'})


def _csv_value(v) -> str:
    """A JSON value as one CSV cell: lists joined by "; ", objects by their label or IRI."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return str(v.get("label") or v.get("iri") or "")
    if isinstance(v, list):
        return "; ".join(_csv_value(x) for x in v)
    return str(v)


def _network_href(year_from: int | None, year_to: int | None) -> str:
    """The partnership network of the years the timeline shows (the network's year slider
    links back here with the same ``from``/``to``)."""
    params = [(k, str(v)) for k, v in (("from", year_from), ("to", year_to)) if v is not None]
    return "/network" + (f"?{urlencode(params)}" if params else "")


@router.get("/timeline", summary="Events and agreements over time (page; JSON by Accept)")
def timeline_page(request: Request, backend: BackendDep, country: Country = None, organisation: Org = None,
                  kind: Kind = None, topic: Topic = None, order: Order = "desc",
                  year_from: YearFrom = None,
                  year_to: YearTo = None) -> Response:
    if choose(request, PAGE_OFFERS) == "json":
        return timeline_json(request, backend, country, organisation, kind, topic, order, year_from, year_to)
    filters = _filters(country, organisation, kind, topic)
    items, total = _items(backend, filters, order)
    items, total = _in_years(items, total, year_from, year_to)
    facets = dict(_facets(request, backend))
    for name, value in filters.items():
        # a choice outside the offered list (the organisations are the most active ones only)
        if value and value not in {f.iri for f in facets[name]}:
            facets[name] = [D.Facet(value, D.resource_label(backend, value) or value, 0), *facets[name]]
    query = request.url.query
    return render(request, "timeline.html", {
        "years": D.group_by_year(items), "count": len(items), "total": total, "filters": filters,
        "facets": facets,
        "order": order, "active": any(filters.values()),
        "json_href": "/timeline.json" + (f"?{query}" if query else ""),
        "network_href": _network_href(year_from, year_to),
    }, headers={"Link": '</timeline.json>; rel="alternate"; type="application/json"', "Vary": "Accept"})


__all__ = ["router"]
