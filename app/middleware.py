"""Hosts and absolute URLs (issue 17): every absolute URL the app makes (redirects such as
Starlette's trailing-slash one, ``url_for``, the endpoint's address in its service
description) comes from ``WCKG_PUBLIC_URL``, never from the request's ``Host`` header, so
``Host: evil.example`` cannot make the site point visitors elsewhere.

:class:`PublicUrlMiddleware` first refuses a ``Host`` that is not in ``WCKG_TRUSTED_HOSTS``
(``400``; ``*``, the default, accepts any, since URLs do not depend on it), then rewrites
the request's server and ``Host`` to those of the public URL (and its scheme, unless the
request itself came over TLS) before any route sees it. The client's own ``Host`` stays readable as ``scope["wckg.request_host"]``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from graph.errors import ConfigError


def parse_public_url(url: str) -> tuple[str, str, tuple[str, int]]:
    """(scheme, netloc, (host, port)) of WCKG_PUBLIC_URL; ConfigError when it is not an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"WCKG_PUBLIC_URL={url!r} is not an http(s) URL",
                          hint="set it to where visitors reach the site, e.g. https://wckg.example.org")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.netloc, (parts.hostname, port)


def parse_trusted_hosts(value: str) -> list[str] | None:
    """Host patterns (``example.org``, ``*.example.org``); None for any (``*``)."""
    hosts = [h.strip().lower() for h in value.split(",") if h.strip()]
    return None if not hosts or "*" in hosts else hosts


def host_allowed(host: str, patterns: list[str]) -> bool:
    name = host.lower()
    if name.startswith("["):  # [::1]:8000
        name = name.split("]", 1)[0] + "]"
    else:
        name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    for p in patterns:
        if p == name or (p.startswith("*.") and name.endswith(p[1:])):
            return True
    return False


class PublicUrlMiddleware:
    def __init__(self, app: ASGIApp, public_url: str, trusted_hosts: str = "*") -> None:
        self.app = app
        self.scheme, self.netloc, self.server = parse_public_url(public_url)
        self.trusted = parse_trusted_hosts(trusted_hosts)
        if self.trusted is not None and not host_allowed(self.netloc, self.trusted):
            self.trusted.append(self.server[0].lower())  # the public host is always trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        host = next((v.decode("latin-1") for k, v in headers if k == b"host"), "")
        if self.trusted is not None and not host_allowed(host, self.trusted):
            body = b"400 Bad request\n\nthis site does not answer to that Host name\n"
            await send({"type": "http.response.start", "status": 400,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        scope = dict(scope)
        scope["headers"] = [(k, v) for k, v in headers if k != b"host"] + [(b"host", self.netloc.encode())]
        # the public URL's scheme, but never a downgrade of a request that came over TLS
        secure = self.scheme == "https" or scope.get("scheme") in ("https", "wss")
        scope["scheme"] = ("https" if secure else "http") if scope["type"] == "http" else ("wss" if secure else "ws")
        scope["server"] = self.server
        scope["wckg.request_host"] = host
        await self.app(scope, receive, send)


__all__ = ["PublicUrlMiddleware", "parse_public_url", "parse_trusted_hosts", "host_allowed"]
