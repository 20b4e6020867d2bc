"""The home page, health and version probes, and the API docs (served from local assets).

* ``/`` — what the dataset is, its counts (from the store), search, entry points, licence,
  last build time.
* ``/-/health`` — JSON ``{"ok": true, "store": {"reachable": true, ...}}``; 503 when the
  store does not answer.
* ``/-/version`` — package version, store build id and time.
* ``/docs`` — Swagger UI over ``/openapi.json``, from ``node_modules/swagger-ui-dist``
  (FastAPI's default page loads it from a CDN, which the site never does).
"""
from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from graph.errors import WckgError

from ..deps import BackendDep, SettingsDep
from ..negotiation import PAGE_OFFERS, choose
from ..templating import render

router = APIRouter(tags=["site"])
log = logging.getLogger("wckg.app")

#: Counts on the home page. Classes are matched with their subclasses from the ontology.
COUNTS_QUERY = """
PREFIX wc: <https://w3id.org/wckg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?organisations ?events ?agreements ?people ?programmes ?sources WHERE {
  { SELECT (COUNT(DISTINCT ?o) AS ?organisations) WHERE { ?o a ?c . ?c rdfs:subClassOf* wc:Organisation } }
  { SELECT (COUNT(DISTINCT ?e) AS ?events) WHERE { ?e a ?c . ?c rdfs:subClassOf* wc:Event } }
  { SELECT (COUNT(DISTINCT ?a) AS ?agreements) WHERE { ?a a ?c . ?c rdfs:subClassOf* wc:Agreement } }
  { SELECT (COUNT(DISTINCT ?p) AS ?people) WHERE { ?p a wc:Person } }
  { SELECT (COUNT(DISTINCT ?g) AS ?programmes) WHERE { ?g a ?c . ?c rdfs:subClassOf* wc:Programme } }
  { SELECT (COUNT(DISTINCT ?s) AS ?sources) WHERE { ?s a wc:SourceDocument } }
}
"""

COUNT_LABELS = [("organisations", "organisations"), ("events", "events"), ("agreements", "agreements"),
                ("people", "people"), ("programmes", "programmes"), ("sources", "source articles")]


def dataset_counts(backend: Any, timeout: float) -> dict[str, int]:
    rows = backend.query(COUNTS_QUERY, timeout=timeout).rows
    row = rows[0] if rows else {}
    return {k: int(row[k]) if k in row else 0 for k, _ in COUNT_LABELS}


def _cached_counts(request: Request, backend: Any, info: Any, timeout: float) -> dict[str, int]:
    """Counts are recomputed only when the build changes."""
    cache = getattr(request.app.state, "home_counts", None)
    if cache and cache[0] == info.build_id:
        return cache[1]
    counts = dataset_counts(backend, timeout)
    request.app.state.home_counts = (info.build_id, counts)
    return counts


ENTRY_POINTS = {"search": "/search?q=", "queries": "/queries", "sparql": "/sparql", "network": "/network",
                "timeline": "/timeline", "downloads": "/downloads", "ontology": "/ontology",
                "api": "/openapi.json"}


@router.get("/index.json", summary="What the dataset holds (the home page as JSON)")
async def home_json(request: Request, backend: BackendDep, settings: SettingsDep) -> JSONResponse:
    info = await run_in_threadpool(backend.info)
    counts = await run_in_threadpool(_cached_counts, request, backend, info, settings.query_timeout)
    return JSONResponse({
        "title": "Water Cooperation Knowledge Graph",
        "counts": {**counts, "triples": info.triples, "graphs": len(info.graphs)},
        "build": {"id": info.build_id, "built_at": info.built_at},
        "licence": settings.licence, "publisher": settings.publisher_name,
        "links": ENTRY_POINTS,
    }, headers={"Link": '</>; rel="alternate"; type="text/html"'})


@router.get("/", summary="Home page", response_class=Response, include_in_schema=False)
async def home(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    if choose(request, PAGE_OFFERS) == "json":
        return await home_json(request, backend, settings)
    info = await run_in_threadpool(backend.info)
    counts = await run_in_threadpool(_cached_counts, request, backend, info, settings.query_timeout)
    return render(request, "home.html", {
        "info": info, "counts": counts, "count_labels": COUNT_LABELS,
        "graph_count": len(getattr(info, "graphs", {}) or {}),
    }, headers={"Link": '</index.json>; rel="alternate"; type="application/json"', "Vary": "Accept"})


@router.get("/-/health", summary="Health probe: the app answers and the store is reachable")
async def health(request: Request, backend: BackendDep, settings: SettingsDep) -> JSONResponse:
    t0 = time.perf_counter()
    try:
        res = await run_in_threadpool(backend.query, "ASK { ?s ?p ?o }", timeout=min(5.0, settings.query_timeout))
        reachable = True
        nonempty = bool(res.boolean)
        problem = None
    except WckgError as e:
        log.warning("health check: store not reachable: %s", e)
        reachable, nonempty, problem = False, False, type(e).__name__
    body: dict[str, Any] = {"ok": reachable, "store": {
        "backend": settings.backend, "reachable": reachable, "has_data": nonempty,
        "ms": round((time.perf_counter() - t0) * 1000, 1)}}
    if problem:
        body["store"]["error"] = problem
    return JSONResponse(body, status_code=200 if reachable else 503,
                        headers={"Cache-Control": "no-store"})


@router.get("/-/version", summary="Package version and store build")
async def version(request: Request, backend: BackendDep, settings: SettingsDep) -> JSONResponse:
    body: dict[str, Any] = {"package": "wckg", "version": request.app.state.version,
                            "backend": settings.backend}
    try:
        info = await run_in_threadpool(backend.info)
        body["store"] = {"build_id": info.build_id, "built_at": info.built_at, "triples": info.triples,
                         "graphs": len(info.graphs)}
    except WckgError as e:
        log.warning("version: store info unavailable: %s", e)
        body["store"] = None
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/docs", include_in_schema=False, response_class=Response)
async def api_docs(request: Request) -> Response:
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url or "/openapi.json"})
