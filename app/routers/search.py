"""Label search: ``/search?q=`` (a page) and ``/search.json?q=`` (JSON for autocomplete;
``/search`` also answers JSON to a client that asks for it with ``Accept``).

The index is graph.search's SQLite FTS5 file, built with the store
(``backend.search_index_path``). It is opened once per app and reopened by
:class:`graph.search.SearchIndex` itself when a rebuild replaces the file.
"""
from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from graph.backend import Backend
from graph.errors import StoreError
from graph.namespaces import KINDS
from graph.search import Hit, SearchIndex

from ..deps import BackendDep, SettingsDep
from ..negotiation import PAGE_OFFERS, choose
from ..templating import local_href, render

router = APIRouter(tags=["search"])
log = logging.getLogger("wckg.app")

#: Longest query accepted (a label is rarely longer; anything beyond is cut, not refused).
MAX_QUERY = 200
SEARCH_KINDS = (*KINDS, "class")

KIND_NAMES = {"organisation": "Organisation", "person": "Person", "membership": "Post", "event": "Event",
              "agreement": "Agreement", "programme": "Programme", "policy": "Policy document",
              "place": "Place", "topic": "Topic", "source": "Source article", "graph": "Graph",
              "class": "Class"}


def search_index(request: Request, backend: Backend) -> SearchIndex | None:
    """The app's search index, or None when the backend has none (logged once)."""
    try:
        path = backend.search_index_path
    except (AttributeError, StoreError) as e:
        log.warning("no search index: %s", e)
        return None
    cached = getattr(request.app.state, "search_index", None)
    if cached is not None and cached.path == path:
        return cached
    try:
        index = SearchIndex(path)
    except StoreError as e:
        log.warning("search index unavailable: %s", e)
        return None
    request.app.state.search_index = index
    return index


def _wants_json(request: Request) -> bool:
    """True when the client prefers JSON to HTML; HTML when it says nothing."""
    return choose(request, PAGE_OFFERS) == "json"


def _kinds(kind: list[str] | None) -> list[str]:
    out = []
    for k in kind or []:
        for part in k.split(","):
            part = part.strip()
            if part:
                out.append(part)
    return out


def _hit_json(h: Hit, base: str) -> dict:
    d = h.to_json()
    d["href"] = local_href(h.iri, base) if h.kind != "class" else class_page(h.iri)
    d["kindLabel"] = KIND_NAMES.get(h.kind or "", h.kind)
    return d


def class_page(iri: str) -> str:
    from ..templating import curie
    c = curie(iri)
    return f"/classes/{c}" if c != iri else local_href(iri)


def _run(request: Request, backend: Backend, q: str, limit: int, kinds: list[str]) -> tuple[list[Hit], bool]:
    index = search_index(request, backend)
    if index is None:
        return [], False
    return index.search(q[:MAX_QUERY], limit=limit, kinds=kinds or None), True


def _check_kinds(kinds: list[str]) -> list[str]:
    bad = [k for k in kinds if k not in SEARCH_KINDS]
    if bad:
        from graph.errors import ParameterError
        raise ParameterError("kind", f"unknown kind {bad[0]!r}", hint="one of: " + ", ".join(SEARCH_KINDS))
    return kinds


@router.get("/search.json", summary="Label search (JSON, for autocomplete)")
def search_json(request: Request, backend: BackendDep, settings: SettingsDep,
                q: Annotated[str, Query(description="words or the beginning of a label; acronyms work")] = "",
                limit: Annotated[int, Query(ge=1, le=50)] = 10,
                kind: Annotated[list[str] | None, Query(description="identifier kinds, e.g. organisation")] = None,
                ) -> Response:
    kinds = _check_kinds(_kinds(kind))
    hits, available = _run(request, backend, q, limit, kinds)
    body = {"q": q, "results": [_hit_json(h, settings.base_iri) for h in hits]}
    if not available:
        body["error"] = "the search index is not available; run `wckg build`"
    return JSONResponse(body, status_code=200 if available else 503,
                        headers={"Cache-Control": "no-cache", "Vary": "Accept"})


@router.get("/search.csv", summary="Label search (CSV)")
def search_csv(request: Request, backend: BackendDep, settings: SettingsDep,
               q: Annotated[str, Query(description="words or the beginning of a label; acronyms work")] = "",
               limit: Annotated[int, Query(ge=1, le=100)] = 50,
               kind: Annotated[list[str] | None, Query()] = None) -> Response:
    import csv
    import io
    kinds = _check_kinds(_kinds(kind))
    hits, available = _run(request, backend, q, limit, kinds)
    if not available:
        return JSONResponse({"error": "the search index is not available; run `wckg build`"}, status_code=503)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["iri", "label", "matched", "kind", "class", "score"])
    for h in hits:
        w.writerow([h.iri, h.label, h.matched, h.kind or "", h.class_iri or "", f"{h.score:.4f}"])
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="search.csv"'})


@router.get("/search", summary="Label search (page; JSON by Accept)")
def search_page(request: Request, backend: BackendDep, settings: SettingsDep,
                q: Annotated[str, Query(description="words or the beginning of a label; acronyms work")] = "",
                limit: Annotated[int, Query(ge=1, le=100)] = 50,
                kind: Annotated[list[str] | None, Query()] = None) -> Response:
    if _wants_json(request):
        return search_json(request, backend, settings, q=q, limit=min(limit, 50), kind=kind)
    kinds = _check_kinds(_kinds(kind))
    hits, available = _run(request, backend, q, limit, kinds)
    results = [_hit_json(h, settings.base_iri) for h in hits]
    return render(request, "search.html", {
        "q": q, "results": results, "available": available, "kinds": kinds, "kind_names": KIND_NAMES,
        "all_kinds": [k for k in SEARCH_KINDS if k not in ("graph",)],
    }, headers={"Vary": "Accept", "Link": f'</search.json?q={_quote(q)}>; rel="alternate"; type="application/json", '
                                               f'</search.csv?q={_quote(q)}>; rel="alternate"; type="text/csv"'})


def _quote(q: str) -> str:
    from urllib.parse import quote
    return quote(q, safe="")


__all__ = ["router", "search_index", "class_page", "KIND_NAMES"]
