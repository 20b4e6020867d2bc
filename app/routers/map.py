"""``/map``: events at their place, agreements where they were signed, organisations by
country and basins, on an offline map (Leaflet and Natural Earth boundaries from the
``world-atlas`` npm package, served from ``node_modules``; no tile server, no CDN), and its
data ``/map.json`` (GeoJSON). Filters ``from``, ``to``, ``kind`` (a layer, repeatable) and
``topic`` (repeatable) apply on the server for the JSON and in the browser on the page
(redrawn without reloading). A bad value → 422 naming the parameter."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from graph import mapdata as M
from graph.network.view import json_for_script

from ..deps import BackendDep, SettingsDep
from ..negotiation import PAGE_OFFERS, choose
from ..templating import local_path, render

router = APIRouter(tags=["map"])

ListQ = Annotated[list[str], Query()]
YearQ = Annotated[str | None, Query(max_length=10)]


def _collection(request: Request, backend, settings, year_from, year_to, kind, topic) -> dict:
    data = M.cached_map_data(backend)
    f = M.make_filters(data, year_from=year_from, year_to=year_to, layers=kind, topics=topic)
    return M.geojson(data, f, url_of=lambda iri: local_path(iri, settings.base_iri))


@router.get("/map.json", summary="The map's features (GeoJSON)")
def map_json(request: Request, backend: BackendDep, settings: SettingsDep,
             year_from: Annotated[YearQ, Query(alias="from")] = None,
             year_to: Annotated[YearQ, Query(alias="to")] = None,
             kind: Annotated[list[str], Query(description="event, agreement, organisations, basin (repeatable)")] = [],
             topic: ListQ = []) -> Response:
    import json
    body = _collection(request, backend, settings, year_from, year_to, kind, topic)
    return Response(json.dumps(body, ensure_ascii=False).encode(), media_type="application/geo+json")


@router.get("/map", summary="Events, agreements, organisations and basins on a map (page; GeoJSON by Accept)")
def map_page(request: Request, backend: BackendDep, settings: SettingsDep,
             year_from: Annotated[YearQ, Query(alias="from")] = None,
             year_to: Annotated[YearQ, Query(alias="to")] = None,
             kind: Annotated[list[str], Query()] = [], topic: ListQ = []) -> Response:
    if choose(request, PAGE_OFFERS) == "json":
        return map_json(request, backend, settings, year_from, year_to, kind, topic)
    # the page gets every feature and filters in the browser; the form's values are checked
    # here so that a bad link is a 422, not an empty map
    data = M.cached_map_data(backend)
    f = M.make_filters(data, year_from=year_from, year_to=year_to, layers=kind, topics=topic)
    everything = M.geojson(data, url_of=lambda iri: local_path(iri, settings.base_iri))
    years = data.years()
    return render(request, "map.html", {
        "data_json": json_for_script(everything), "layers": M.LAYERS, "topics": data.topics,
        "years": years, "filters": f, "count": len(everything["features"]),
        "shown": len(M.select(data, f)),
    }, headers={"Link": '</map.json>; rel="alternate"; type="application/geo+json"', "Vary": "Accept"})
