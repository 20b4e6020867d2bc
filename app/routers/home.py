"""The home page, health and version probes, and the API docs (served from local assets).

* ``/`` — what the dataset is, its counts (from the store), search, entry points, licence,
  last build time.
* ``/-/health`` — JSON ``{"ok": true, "store": {"reachable": true, ...}}``, asked of the
  store and a worker each time within ``WCKG_HEALTH_TIMEOUT``; 503 naming the failing part.
* ``/-/ready`` — readiness for load balancers (no query).
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

from graph.backend import Backend
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


def dataset_counts(backend: Backend, timeout: float) -> dict[str, int]:
    rows = backend.query(COUNTS_QUERY, timeout=timeout).rows
    row = rows[0] if rows else {}
    return {k: int(row[k]) if k in row else 0 for k, _ in COUNT_LABELS}


def _cached_counts(request: Request, backend: Backend, info: Any, timeout: float) -> dict[str, int]:
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


#: Health and readiness run on threads of their own, never behind the query threads.
_PROBE_LIMITER: Any = None


def _probe_limiter():
    global _PROBE_LIMITER
    if _PROBE_LIMITER is None:
        import anyio
        _PROBE_LIMITER = anyio.CapacityLimiter(4)
    return _PROBE_LIMITER


def _check_backend(backend: Backend, timeout: float) -> dict[str, Any]:
    """What the backend says of itself (the embedded store asks a worker and reopens its
    files; never the answer cache); a plain query for a backend without ``health``."""
    health = getattr(backend, "health", None)
    if health is not None:
        return health(timeout)
    try:
        res = backend.query("ASK { ?s ?p ?o }", timeout=timeout)
        return {"ok": bool(res.boolean), "store": True, "has_data": bool(res.boolean)}
    except WckgError as e:
        return {"ok": False, "failing": "store", "error": type(e).__name__}


async def _health_once(request: Request, backend: Backend, timeout: float) -> dict[str, Any]:
    """One check at a time: concurrent probes share the check in flight (a flood of
    probes costs one worker call, not one each)."""
    import asyncio

    import anyio
    state = request.app.state
    pending = getattr(state, "health_in_flight", None)
    if pending is not None and not pending.done():
        return await asyncio.shield(pending)

    async def run() -> dict[str, Any]:
        try:
            with anyio.fail_after(timeout + 0.5):
                return await anyio.to_thread.run_sync(_check_backend, backend, timeout,
                                                      limiter=_probe_limiter(), abandon_on_cancel=True)
        except TimeoutError:
            return {"ok": False, "failing": "worker", "error": f"no answer within {timeout:g} s"}

    task = asyncio.ensure_future(run())
    state.health_in_flight = task
    return await asyncio.shield(task)


@router.get("/-/health", summary="Health probe: the store and a query worker answer within WCKG_HEALTH_TIMEOUT")
async def health(request: Request, backend: BackendDep, settings: SettingsDep) -> JSONResponse:
    """Asks the store for real each time (within ``WCKG_HEALTH_TIMEOUT`` seconds): the
    embedded store has the worker of its health lane answer and reopen the store's files,
    so a corrupted store or workers that cannot be had show here. ``failing`` names the part that
    did not answer (``store`` or ``worker``); 503 then."""
    t0 = time.perf_counter()
    found = await _health_once(request, backend, settings.health_timeout)
    ok = bool(found.get("ok"))
    if not ok:
        log.warning("health check failing (%s): %s", found.get("failing"), found.get("error"))
    store = {"backend": settings.backend, "reachable": bool(found.get("store")) and found.get("failing") != "worker",
             "has_data": bool(found.get("has_data")), "ms": round((time.perf_counter() - t0) * 1000, 1)}
    for key in ("build_id", "graphs", "sandboxed", "mode", "residency"):
        if key in found:
            store[key] = found[key]
    if not ok:
        store["error"] = found.get("error") or found.get("store_error") or "not answering"
    body: dict[str, Any] = {"ok": ok, "store": store,
                            "worker": {"answered": bool(found.get("worker", found.get("store")))}}
    if not ok:
        body["failing"] = found.get("failing", "store")
    return JSONResponse(body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


@router.get("/-/ready", summary="Readiness for load balancers: the app started and its store is open")
async def ready(request: Request, settings: SettingsDep) -> JSONResponse:
    """Cheap (no query): 200 once the lifespan opened the store and the worker pools are up;
    503 before, during shutdown, or when the store has no current build."""
    backend = getattr(request.app.state, "backend", None)
    if backend is None:
        return JSONResponse({"ready": False, "reason": "the store is not open"}, status_code=503,
                            headers={"Cache-Control": "no-store"})
    probe = getattr(backend, "ready", None)
    state = probe() if probe is not None else {"ok": True}
    return JSONResponse({"ready": bool(state.get("ok")), **{k: v for k, v in state.items() if k != "ok"}},
                        status_code=200 if state.get("ok") else 503, headers={"Cache-Control": "no-store"})


@router.get("/-/version", summary="Package version and store build")
async def version(request: Request, backend: BackendDep, settings: SettingsDep) -> JSONResponse:
    body: dict[str, Any] = {"package": "wckg", "version": request.app.state.version,
                            "backend": settings.backend}
    try:
        info = await run_in_threadpool(backend.info)
        body["store"] = {"build_id": info.build_id, "built_at": info.built_at, "triples": info.triples,
                         "graphs": len(info.graphs)}
        residency = getattr(backend, "residency", None)  # the embedded store: memory or disk (graph.residency)
        if residency is not None:
            body["store"]["mode"] = (await run_in_threadpool(residency)).mode
    except WckgError as e:
        log.warning("version: store info unavailable: %s", e)
        body["store"] = None
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/docs", include_in_schema=False, response_class=Response)
async def api_docs(request: Request) -> Response:
    return render(request, "docs.html", {"openapi_url": request.app.openapi_url or "/openapi.json"})
