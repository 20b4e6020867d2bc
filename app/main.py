"""The wckg web application: ``create_app(settings) -> FastAPI``.

Nothing is built at import time. Run it with::

    uvicorn app.main:create_app --factory      # or: wckg serve

The app is a thin layer over :mod:`graph`: routers call the library, the library never
imports FastAPI. Errors are answered by :mod:`app.errors`; representations are chosen by
:mod:`app.negotiation`.
"""
from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import errors
from graph.backend import Backend
from graph.config import PROJECT_ROOT, Settings, get_settings

from .errors import error_response, install_error_handlers, wants_html

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
    "app.routers.graphs",        # /graphs, /id/graph/{slug}, /data (Graph Store read side): before resources
    "app.routers.resources",     # linked-data pages /id/{kind}/{slug}
    "app.routers.search",        # /search
    "app.routers.timeline",      # /timeline
    "app.routers.network",       # /network
    "app.routers.map",           # /map
    "app.routers.indicators",    # /indicators
    "app.routers.publish",       # /downloads, /ontology, catalog
    "app.routers.review",        # /review (admin: machine drafts)
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
    "leaflet": "leaflet/dist",                       # /map
    "leaflet.markercluster": "leaflet.markercluster/dist",
    "topojson-client": "topojson-client/dist",
    "world-atlas": "world-atlas",                    # Natural Earth boundaries (TopoJSON)
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


async def _walk_routes(app: FastAPI) -> None:
    """Match a path no route has, once, at start: FastAPI prepares an included router's
    routes on the first request that reaches it, and without this the first visitor of a
    late router (``/downloads`` comes after every other) waited ~100 ms for all of them."""
    path = "/-/no-such-page"
    scope: Scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "root_path": "",
                    "query_string": b"", "headers": [], "scheme": "http", "server": ("localhost", 80),
                    "client": None, "http_version": "1.1", "app": app}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        pass
    try:
        await app.router(scope, receive, send)
    except Exception:  # the router's 404 (an HTTPException: no handler at this level)
        pass


# long: the app's middleware, handlers, routers and static mounts in the order they apply
def create_app(settings: Settings | None = None, *, backend: Backend | None = None) -> FastAPI:
    """Build the web application.

    *settings* default to :func:`graph.config.get_settings`. *backend*, when given, is
    used as is and left open at shutdown (tests share one); otherwise the lifespan opens
    one with :func:`graph.store.open_backend` and closes it at shutdown.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _walk_routes(app)
        if backend is not None:
            app.state.backend = backend
            yield
            return
        from graph.store import EmbeddedStore, open_backend
        try:
            opened = open_backend(settings)
        except errors.WckgError as e:
            log.error("cannot start: %s", e)  # e.g. "no store at …  → run `wckg build` first"
            raise
        app.state.backend = opened
        try:
            # no query without the network sandbox unless the operator opted out (graph.sandbox):
            # a ConfigError here stops the server from starting
            if isinstance(opened, EmbeddedStore):  # the one store with query worker processes
                _ = opened.sandboxed
            # start the query workers of both lanes now rather than on the first visitor's request
            from starlette.concurrency import run_in_threadpool
            for lane in ("site", "public"):
                try:
                    await run_in_threadpool(functools.partial(
                        opened.query, "ASK { ?s ?p ?o }", timeout=settings.query_timeout, lane=lane))
                except errors.WckgError as e:
                    log.warning("the store did not answer a first query (%s lane): %s", lane, e)
            if hasattr(opened, "health"):  # the health probe's own worker
                await run_in_threadpool(opened.health, max(10.0, settings.health_timeout))
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

    from .conditional import ConditionalGetMiddleware
    app.add_middleware(ConditionalGetMiddleware)   # ETag / Last-Modified / 304 on linked data and downloads
    from .routers.sparql import SparqlCorsMiddleware
    app.add_middleware(SparqlCorsMiddleware)       # CORS * (no credentials) on /sparql and the linked data
    app.add_middleware(HeadAsGetMiddleware)
    from . import limits as request_limits
    from .middleware import PublicUrlMiddleware
    request_limits.install(app, settings)          # request body limit, per-client query gate (429)
    app.add_middleware(PublicUrlMiddleware, public_url=settings.public_url, trusted_hosts=settings.trusted_hosts)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app, unexpected_headers={k.decode(): v.decode() for k, v in SECURITY_HEADERS})

    for module_name in ROUTERS:
        module = importlib.import_module(module_name)
        app.include_router(module.router)

    _mount_static(app)
    return app


__all__ = ["create_app", "ROUTERS", "VENDOR", "CSP", "error_response", "wants_html"]
