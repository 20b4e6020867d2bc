"""Conditional GET for the linked data and the downloads: ``ETag`` and ``Last-Modified``
on every 200 answer under :data:`PREFIXES`, and ``304 Not Modified`` when the client's
``If-None-Match`` (or, without it, ``If-Modified-Since``) shows it has that version.

A response that already carries an ``ETag`` (a download: Starlette's ``FileResponse``
derives one from the file) is compared as it is; any other is buffered (up to
:data:`MAX_BUFFER` bytes; larger ones pass untouched) and tagged with a hash of its body,
so the tag changes exactly when the representation does (each format has its own).
``Last-Modified`` is the time of the store's build, for a store whose builds never change.
"""
from __future__ import annotations

import hashlib
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.backend import IMMUTABLE_BUILDS

PREFIXES = ("/id/", "/data", "/graphs", "/downloads", "/ontology", "/catalog", "/classes", "/.well-known/void")
MAX_BUFFER = 16 * 1024 * 1024
#: Headers a 304 keeps (RFC 9110, section 15.4.5).
KEEP_ON_304 = {"etag", "last-modified", "cache-control", "content-location", "date", "expires", "vary", "link"}


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110, section 13.1.2): ``W/`` prefixes ignored; ``*`` matches."""
    def strip(t: str) -> str:
        t = t.strip()
        return t[2:] if t.startswith("W/") else t
    wanted = strip(etag)
    return any(strip(t) in (wanted, "*") for t in header.split(","))


def _not_modified(request: Headers, etag: str | None, last_modified: str | None) -> bool:
    inm = request.get("if-none-match")
    if inm is not None:
        return etag is not None and _etag_matches(inm, etag)
    ims = request.get("if-modified-since")
    if ims and last_modified:
        try:
            return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _build_time(scope: Scope) -> str | None:
    """The build time of a store whose builds never change (its capability
    ``immutable-builds``) as an HTTP date; None for a remote store (asking it would cost a
    query per request)."""
    app = scope.get("app")
    backend = getattr(getattr(app, "state", None), "backend", None)
    if backend is None or IMMUTABLE_BUILDS not in getattr(backend, "capabilities", ()):
        return None
    try:
        built = backend.info().built_at
        return format_datetime(datetime.fromisoformat(built), usegmt=True)
    except Exception:  # no manifest, odd time: no Last-Modified rather than an error
        return None


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = PREFIXES) -> None:
        self.app = app
        self.prefixes = prefixes

    # long: an ASGI send wrapper: the conditional-GET cases side by side
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: C901 (an ASGI send wrapper: the conditional-GET cases side by side)
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") \
                or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        state: dict[str, Any] = {"mode": None, "start": None, "parts": [], "size": 0}

        async def send_304(start: Message, headers: MutableHeaders) -> None:
            kept = [(k, v) for k, v in headers.raw if k.decode().lower() in KEEP_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                if message["status"] != 200 or "content-range" in headers:
                    state["mode"] = "pass"
                    await send(message)
                    return
                if "etag" in headers:
                    if _not_modified(request, headers["etag"], headers.get("last-modified")):
                        state["mode"] = "drop"
                        await send_304(message, headers)
                        return
                    state["mode"] = "pass"
                    await send(message)
                    return
                state["mode"], state["start"] = "buffer", message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            if state["mode"] == "drop":
                return
            if state["mode"] == "pass":
                await send(message)
                return
            body = message.get("body", b"")
            state["parts"].append(body)
            state["size"] += len(body)
            more = message.get("more_body", False)
            if state["size"] > MAX_BUFFER:  # too large to tag: send what we have and pass the rest
                state["mode"] = "pass"
                await send(state["start"])
                await send({"type": "http.response.body", "body": b"".join(state["parts"]), "more_body": more})
                return
            if more:
                return
            full = b"".join(state["parts"])
            start = state["start"]
            headers = MutableHeaders(raw=list(start.get("headers", [])))
            etag = '"' + hashlib.sha256(full).hexdigest()[:32] + '"'
            headers["etag"] = etag
            if "last-modified" not in headers:
                lm = _build_time(scope)
                if lm:
                    headers["last-modified"] = lm
            if _not_modified(request, etag, headers.get("last-modified")):
                await send_304(start, headers)
                return
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": full, "more_body": False})

        await self.app(scope, receive, wrapped)


__all__ = ["ConditionalGetMiddleware", "PREFIXES"]
