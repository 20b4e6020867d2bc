"""The wckg web application: ``create_app(settings) -> FastAPI``.

Nothing is built at import time. Run it with::

    uvicorn app.main:create_app --factory      # or: wckg serve

The app is a thin layer over :mod:`graph`: routers call the library, the library never
imports FastAPI. Library errors (:mod:`graph.errors`) become 4xx answers here: an HTML
page for browsers, plain text for SPARQL clients (what query editors show as is), JSON for
everything else; anything unexpected is logged and answered with a generic 500 that shows
no internals.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import errors
from graph.config import PROJECT_ROOT, Settings, get_settings

from .negotiation import negotiate

log = logging.getLogger("wckg.app")

APP_DIR = Path(__file__).resolve().parent
STATIC_DIR = APP_DIR / "static"
NODE_MODULES = PROJECT_ROOT / "node_modules"

# ======================================================================================
# ROUTERS INCLUDED — one line per module; each module defines ``router: APIRouter``.
# Add your module's line here (and nowhere else). Order matters only where paths overlap:
# the first matching route wins.
# ======================================================================================
ROUTERS: list[str] = [
    "app.routers.home",
    "app.routers.sparql",
    "app.routers.queries",
    "app.routers.resources",     # linked-data pages /id/{kind}/{slug}
    "app.routers.search",        # /search
    "app.routers.timeline",      # /timeline
    "app.routers.network",       # /network
    "app.routers.publish",       # /downloads, /ontology, catalog
]
# ======================================================================================

# ======================================================================================
# VENDOR ASSETS — served from the npm-installed copy (``npm ci``), never from a CDN.
# URL prefix under /static/vendor/  →  folder under node_modules/
# ======================================================================================
VENDOR: dict[str, str] = {
    "yasgui": "@zazuko/yasgui/build",
    "swagger-ui": "swagger-ui-dist",
    "vis-timeline": "vis-timeline/standalone/umd",
}
# ======================================================================================

#: Content-Security-Policy: only the site's own assets. YASGUI applies inline styles
#: (checked in Chromium: with ``style-src 'self'`` the editor page logs a violation), hence
#: ``'unsafe-inline'`` for styles only; scripts stay strictly ``'self'`` (no inline script,
#: no eval), and the browser may connect to this site alone.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeadersMiddleware:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response (a plain ASGI middleware, so
    streaming responses are not buffered)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in SECURITY_HEADERS if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGetMiddleware:
    """Answers ``HEAD`` like ``GET`` without the body (FastAPI routes declare GET only, and
    link checkers and monitors use HEAD). Routes that declare HEAD themselves keep it."""

    def __init__(self, app: ASGIApp, explicit: set[str] | None = None) -> None:
        self.app = app
        self.explicit = explicit if explicit is not None else set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or self._declared(scope):
            await self.app(scope, receive, send)
            return
        scope = dict(scope, method="GET")

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(scope, receive, send_without_body)

    def _declared(self, scope: Scope) -> bool:
        app = scope.get("app")
        if app is None:
            return False
        from starlette.routing import Match
        for route in getattr(app, "routes", []):
            methods = getattr(route, "methods", None)
            if methods and "HEAD" in methods and "GET" not in methods:
                if route.matches(scope)[0] == Match.FULL:
                    return True
        return False


# --------------------------------------------------------------------------------------
# error answers
# --------------------------------------------------------------------------------------

def wants_html(request: Request) -> bool:
    """True when the client prefers HTML (a browser) to JSON; JSON when it says nothing."""
    chosen = negotiate(request.headers.get("accept"), [("application/json", False), ("text/html", True)])
    return bool(chosen and chosen[1])


#: Media types of SPARQL clients: an error for them is plain text (what query editors such
#: as YASGUI show as is), unless they also accept JSON.
_SPARQL_MEDIA = ("application/sparql-results", "text/turtle", "application/n-triples", "application/ld+json",
                 "application/rdf+xml", "application/trig", "application/n-quads", "text/csv",
                 "text/tab-separated-values")


def _wants_plain_text(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return any(m in accept for m in _SPARQL_MEDIA) and "application/json" not in accept


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


def install_error_handlers(app: FastAPI) -> None:
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
                              headers={k.decode(): v.decode() for k, v in SECURITY_HEADERS})


# --------------------------------------------------------------------------------------
# the application
# --------------------------------------------------------------------------------------

def _mount_static(app: FastAPI) -> None:
    missing = []
    for prefix, folder in VENDOR.items():
        path = NODE_MODULES / folder
        if path.is_dir():
            app.mount(f"/static/vendor/{prefix}", StaticFiles(directory=path), name=f"vendor-{prefix}")
        else:
            missing.append(prefix)
    app.state.vendor_missing = missing
    if missing:
        log.warning("front-end packages not installed (%s): run `npm ci` in %s",
                    ", ".join(missing), PROJECT_ROOT)

        @app.get("/static/vendor/{path:path}", include_in_schema=False)
        async def _vendor_missing(path: str) -> Response:
            return PlainTextResponse(
                f"/static/vendor/{path} is not installed: run `npm ci` in the project "
                "checkout to install the front-end packages (package-lock.json).",
                status_code=503)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def create_app(settings: Settings | None = None, *, backend: Any = None) -> FastAPI:
    """Build the web application.

    *settings* default to :func:`graph.config.get_settings`. *backend*, when given, is
    used as is and left open at shutdown (tests share one); otherwise the lifespan opens
    one with :func:`graph.store.open_backend` and closes it at shutdown.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if backend is not None:
            app.state.backend = backend
            yield
            return
        from graph.store import open_backend
        try:
            opened = open_backend(settings)
        except errors.WckgError as e:
            log.error("cannot start: %s", e)  # e.g. "no store at …  → run `wckg build` first"
            raise
        app.state.backend = opened
        try:
            # no query without the network sandbox unless the operator opted out (graph.sandbox):
            # a ConfigError here stops the server from starting
            if getattr(opened, "backend", None) == "embedded":
                _ = opened.sandboxed
            # start the query workers of both lanes now rather than on the first visitor's request
            from starlette.concurrency import run_in_threadpool
            for lane in ("site", "public"):
                try:
                    await run_in_threadpool(lambda lane=lane: opened.query(
                        "ASK { ?s ?p ?o }", timeout=settings.query_timeout, lane=lane))
                except errors.WckgError as e:
                    log.warning("the store did not answer a first query (%s lane): %s", lane, e)
            yield
        finally:
            close = getattr(opened, "close", None)
            if close is not None:
                close()

    from importlib.metadata import PackageNotFoundError, version
    try:
        pkg_version = version("wckg")
    except PackageNotFoundError:
        pkg_version = "0+unknown"

    app = FastAPI(
        title="Water Cooperation Knowledge Graph",
        summary="Who cooperates with whom on water in Kazakhstan and Central Asia.",
        version=pkg_version,
        lifespan=lifespan,
        docs_url=None,      # /docs is served by app.routers.home from local assets (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.backend = backend
    app.state.version = pkg_version

    from .routers.sparql import SparqlCorsMiddleware
    app.add_middleware(SparqlCorsMiddleware)       # CORS * (no credentials) on /sparql only
    app.add_middleware(HeadAsGetMiddleware)
    from . import limits as request_limits
    from .middleware import PublicUrlMiddleware
    request_limits.install(app, settings)          # request body limit, per-client query gate (429)
    app.add_middleware(PublicUrlMiddleware, public_url=settings.public_url, trusted_hosts=settings.trusted_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)

    for module_name in ROUTERS:
        module = importlib.import_module(module_name)
        app.include_router(module.router)

    _mount_static(app)
    return app


__all__ = ["create_app", "ROUTERS", "VENDOR", "CSP", "error_response", "wants_html"]
