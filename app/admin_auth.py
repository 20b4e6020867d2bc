"""Who may write: the admin token (``WCKG_ADMIN_TOKEN``), as a bearer token or a login cookie.

* No token configured: every admin page and action answers **403** (writes are disabled).
* ``Authorization: Bearer <token>``: for scripts; no CSRF token needed (a browser never
  sends that header by itself).
* The login form (``/review/login``) checks the token and sets the cookie
  ``wckg_admin`` = HMAC-SHA256(token, "wckg-admin-session"): ``HttpOnly``,
  ``SameSite=Strict``, ``Path=/review``, and ``Secure`` when the site is served over
  HTTPS (``WCKG_PUBLIC_URL`` or the request's scheme). No session state on the server:
  changing the token logs everyone out.
* Every form that changes something carries ``csrf`` = HMAC-SHA256(token, "csrf:" +
  session); a cookie-authenticated POST without the right one is refused with 403.
* Wrong or missing credentials: **401**. Every comparison is ``hmac.compare_digest``.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from graph.config import Settings

COOKIE = "wckg_admin"
COOKIE_PATH = "/review"


@dataclass(frozen=True)
class Admin:
    """An authenticated admin request: how it authenticated and its CSRF token."""

    via: str        # "bearer" | "cookie"
    csrf: str


def _token(settings: Settings) -> str | None:
    t = settings.admin_token.get_secret_value() if settings.admin_token is not None else None
    return t or None


def _mac(token: str, message: str) -> str:
    return hmac.new(token.encode(), message.encode(), hashlib.sha256).hexdigest()


def session_value(token: str) -> str:
    return _mac(token, "wckg-admin-session")


def csrf_value(token: str) -> str:
    return _mac(token, "csrf:" + session_value(token))


def token_matches(settings: Settings, given: str | None) -> bool:
    token = _token(settings)
    if token is None or not given:
        return False
    return hmac.compare_digest(given.encode(), token.encode())


def cookie_secure(request: Request, settings: Settings) -> bool:
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


class NotLoggedIn(HTTPException):
    """401: the review pages show the login form for it."""


def authenticate(request: Request) -> Admin:
    """The admin of this request, or 401/403 (see the module docstring)."""
    settings: Settings = request.app.state.settings
    token = _token(settings)
    if token is None:
        raise HTTPException(403, "Writing is disabled on this server: no admin token is configured "
                                 "(set WCKG_ADMIN_TOKEN to enable the review pages).")
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise HTTPException(401, "The bearer token is not the admin token.",
                                headers={"WWW-Authenticate": 'Bearer realm="wckg-admin", error="invalid_token"'})
        return Admin("bearer", csrf_value(token))
    cookie = request.cookies.get(COOKIE, "")
    if cookie and hmac.compare_digest(cookie.encode(), session_value(token).encode()):
        return Admin("cookie", csrf_value(token))
    raise NotLoggedIn(401, "Log in with the admin token to review drafts.",
                      headers={"WWW-Authenticate": 'Bearer realm="wckg-admin"'})


def check_csrf(admin: Admin, given: str | None) -> None:
    """Refuse a cookie-authenticated write whose form does not carry the CSRF token."""
    if admin.via == "bearer":
        return
    if not given or not hmac.compare_digest(given.encode(), admin.csrf.encode()):
        raise HTTPException(403, "The form's CSRF token is missing or wrong: reload the page and try again.")


AdminDep = Annotated[Admin, Depends(authenticate)]

__all__ = ["Admin", "AdminDep", "authenticate", "check_csrf", "token_matches", "session_value", "csrf_value",
           "cookie_secure", "COOKIE", "COOKIE_PATH", "NotLoggedIn"]
