"""Error answers: library errors (:mod:`graph.errors`) become 4xx answers here: an HTML
page for browsers, plain text for SPARQL clients (what query editors show as is), JSON for
everything else; anything unexpected is logged and answered with a generic 500 that shows
no internals.

Routers answer their own errors with :func:`error_response`; ``create_app`` installs the
handlers with :func:`install_error_handlers`. This module imports nothing of ``app.main``.
"""
from __future__ import annotations

import logging
from typing import Any, overload

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph import errors

from .negotiation import accepted_media, choose

log = logging.getLogger("wckg.app")



def wants_html(request: Request) -> bool:
    """True when the client prefers HTML (a browser) to JSON; JSON when it says nothing."""
    return bool(choose(request, [("application/json", False), ("text/html", True)]))


#: Media types of SPARQL clients: an error for them is plain text (what query editors such
#: as YASGUI show as is), unless they also accept JSON.
_SPARQL_MEDIA = ("application/sparql-results", "text/turtle", "application/n-triples", "application/ld+json",
                 "application/rdf+xml", "application/trig", "application/n-quads", "text/csv",
                 "text/tab-separated-values")


def _wants_plain_text(request: Request) -> bool:
    named = accepted_media(request)
    return any(m.startswith(_SPARQL_MEDIA) for m in named) and "application/json" not in named


def error_response(request: Request, status: int, title: str, message: str, *,
                   hint: str | None = None, extra: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """One error answer: an HTML page for browsers, JSON for everyone else."""
    if wants_html(request):
        from .templating import render  # late: the template environment is only needed here
        try:
            return render(request, "error.html",
                          {"status": status, "title": title, "message": message, "hint": hint,
                           "extra": extra or {}},
                          status_code=status, headers=headers)
        except Exception:  # a broken template must not hide the original error
            log.exception("could not render error.html")
            return PlainTextResponse(f"{status} {title}\n\n{message}\n", status_code=status,
                                     headers=headers)
    if _wants_plain_text(request):
        text = f"{status} {title}\n\n{message}\n" + (f"\n{hint}\n" if hint else "")
        return PlainTextResponse(text, status_code=status, headers=headers)
    body: dict[str, Any] = {"error": title, "status": status, "detail": message}
    if hint:
        body["hint"] = hint
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


@overload
def _scrub(request: Request, text: str) -> str: ...
@overload
def _scrub(request: Request, text: None) -> None: ...
def _scrub(request: Request, text: str | None) -> str | None:
    """Remove the address of a remote SPARQL server (infrastructure, not the visitor's
    business) from a message that is otherwise meant for the visitor."""
    settings = getattr(request.app.state, "settings", None)
    if text is None or settings is None:
        return text
    for url in (settings.remote_query_url, settings.remote_update_url, settings.remote_gsp_url):
        if url:
            text = text.replace(f"at {url} ", "").replace(url, "the SPARQL server")
    return text


def _timeout_seconds(request: Request) -> float | None:
    settings = getattr(request.app.state, "settings", None)
    return getattr(settings, "query_timeout", None)


# long: one small handler per library error, registered together so the mapping reads as a table
def install_error_handlers(app: FastAPI, *, unexpected_headers: dict[str, str] | None = None) -> None:  # noqa: C901 (one small handler per error class, side by side)
    """Turn every :class:`graph.errors.WckgError` (and HTTP and validation errors) into an
    answer by :func:`error_response`; *unexpected_headers* go on the 500 answer, which is
    made outside the app's middleware."""
    @app.exception_handler(errors.QuerySyntaxError)
    async def _syntax(request: Request, exc: errors.QuerySyntaxError) -> Response:
        # The parser's own message (with line and column) is the useful part here.
        message, hint = _scrub(request, exc.message), _scrub(request, exc.hint)
        if "Prefix not found" in message:
            hint = ("a prefix used in the query is not declared: add its PREFIX line "
                    "(the project's prefixes are listed at /sparql)")
        head, sep, expected = message.partition("expected one of ")
        if sep and len(expected) > 160:
            # Oxigraph lists every acceptable character range; the first few say enough
            message = f"{head}{sep}{expected[:120].rstrip()} …"
        return error_response(request, 400, "Malformed query", message, hint=hint)

    @app.exception_handler(errors.NetworkBusy)
    async def _network_busy(request: Request, exc: errors.NetworkBusy) -> Response:
        return error_response(request, 503, "Network not ready" if not exc.stopped else "Network too large",
                              exc.message, hint=exc.hint, extra={"retry_after_seconds": exc.retry_after},
                              headers={"Retry-After": str(exc.retry_after), "Cache-Control": "no-store"})

    @app.exception_handler(errors.ForbiddenQuery)
    async def _forbidden(request: Request, exc: errors.ForbiddenQuery) -> Response:
        return error_response(request, 403, "Query not allowed", exc.message, hint=exc.hint)

    @app.exception_handler(errors.QueryTimeout)
    async def _timeout(request: Request, exc: errors.QueryTimeout) -> Response:
        limit = _timeout_seconds(request)
        msg = (f"The query ran longer than the time limit of {limit:g} s and was stopped."
               if limit else "The query ran longer than its time limit and was stopped.")
        extra = {"time_limit_seconds": limit} if limit else None
        return error_response(request, 503, "Query time limit reached", msg,
                              hint="Narrow the query (more specific patterns, a LIMIT) "
                                   "or run it against a downloaded copy of the dataset.",
                              extra=extra,
                              headers={"X-WCKG-Time-Limit": f"{limit:g}"} if limit else None)

    @app.exception_handler(errors.ParameterError)
    async def _param(request: Request, exc: errors.ParameterError) -> Response:
        return error_response(request, 422, "Invalid parameter", exc.message, hint=exc.hint,
                              extra={"parameter": exc.name})

    @app.exception_handler(errors.UnknownQuery)
    async def _unknown(request: Request, exc: errors.UnknownQuery) -> Response:
        return error_response(request, 404, "No such query", exc.message, hint=exc.hint,
                              extra={"close_matches": exc.close_matches})

    @app.exception_handler(errors.QueryError)
    async def _query(request: Request, exc: errors.QueryError) -> Response:
        # any other problem with a request's query (unknown format, empty query, ...)
        return error_response(request, 400, "Bad query request", _scrub(request, exc.message),
                              hint=_scrub(request, exc.hint))

    @app.exception_handler(errors.RemoteStoreError)
    async def _remote(request: Request, exc: errors.RemoteStoreError) -> Response:
        log.error("remote store failed on %s: %s", request.url.path, exc)
        return error_response(request, 502, "SPARQL server unavailable",
                              "The SPARQL server behind this site did not answer properly. "
                              "Try again later.")

    @app.exception_handler(errors.StoreError)
    async def _store(request: Request, exc: errors.StoreError) -> Response:
        log.error("store error on %s: %s", request.url.path, exc)
        return error_response(request, 503, "Store unavailable",
                              "The knowledge graph store cannot be reached right now. "
                              "Try again later.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
                  403: "Forbidden", 400: "Bad request", 415: "Unsupported media type",
                  413: "Request too large"}
        title = titles.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"There is no page at {request.url.path}."
        return error_response(request, exc.status_code, title, detail,
                              headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path"))
            problems.append({"parameter": where, "message": e.get("msg", "invalid")})
        msg = "; ".join(f"{p['parameter'] or 'request'}: {p['message']}" for p in problems)
        return error_response(request, 422, "Invalid request", msg or "invalid request",
                              extra={"problems": problems})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        # answered by Starlette's outermost middleware, outside SecurityHeadersMiddleware
        return error_response(request, 500, "Internal error",
                              "Something went wrong on our side. The error has been logged.",
                              headers=unexpected_headers)


__all__ = ["error_response", "wants_html", "install_error_handlers"]
