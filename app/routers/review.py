"""The review of machine drafts on the web, behind the admin token (:mod:`app.admin_auth`).

=====================================  ================================================
``GET  /review``                       the drafts waiting (HTML; JSON by ``Accept``)
``GET  /review/login``                 the login form; ``POST`` checks the token, sets the cookie
``POST /review/logout``                forgets the cookie
``GET  /review/{slug}``                the article with its mentions marked, the facts beside it
``POST /review/{slug}/decide``         accept / reject / correct facts (``fact`` repeatable)
``POST /review/{slug}/accept-above``   accept every pending fact of at least a confidence
``POST /review/{slug}/link``           relink a mention (``mentioned`` → ``target``; ``undo``)
``POST /review/{slug}/land``           land the reviewed draft (validated; all or nothing)
=====================================  ================================================

Every write is a form POST with the CSRF token (or a bearer-token request) and answers
with a redirect back to the page (303), or JSON to a client that asks for it.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from graph.errors import InputError, ValidationFailed
from graph.review.queue import ReviewError, ReviewQueue

from ..admin_auth import (COOKIE, COOKIE_PATH, Admin, AdminDep, NotLoggedIn, authenticate, check_csrf, cookie_secure,
                          session_value, token_matches)
from ..deps import SettingsDep
from ..errors import error_response, wants_html
from ..templating import render

router = APIRouter(prefix="/review", tags=["review"])

NO_STORE = {"Cache-Control": "no-store"}


def _admin(request: Request) -> Admin | Response:
    """The admin, or the answer to give instead: the login form (browsers, 401) or an error."""
    try:
        return authenticate(request)
    except NotLoggedIn as e:
        if wants_html(request):
            return render(request, "review_login.html", {"message": None, "next": request.url.path},
                          status_code=401, headers={**(e.headers or {}), **NO_STORE})
        raise


def _queue(request: Request) -> ReviewQueue:
    return ReviewQueue(request.app.state.settings)


def _review_error(request: Request, e: ReviewError | InputError) -> Response:
    status = getattr(e, "status", 422)
    title = {404: "No such draft", 409: "Conflict"}.get(status, "Cannot do that")
    return error_response(request, status, title, e.message, hint=e.hint, headers=NO_STORE)


def _done(request: Request, slug: str | None, anchor: str = "", **body) -> Response:
    if wants_html(request):
        where = f"/review/{slug}" if slug else "/review"
        return RedirectResponse(where + (f"#{anchor}" if anchor else ""), status_code=303, headers=NO_STORE)
    return JSONResponse({"ok": True, **body}, headers=NO_STORE)


# --------------------------------------------------------------------------------- login

@router.get("/login", include_in_schema=False)
def login_form(request: Request, settings: SettingsDep) -> Response:
    if settings.admin_token is None:
        raise HTTPException(403, "Writing is disabled on this server: no admin token is configured "
                                 "(set WCKG_ADMIN_TOKEN to enable the review pages).")
    return render(request, "review_login.html", {"message": None, "next": "/review"}, headers=NO_STORE)


@router.post("/login", include_in_schema=False)
def login(request: Request, settings: SettingsDep, token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/review") -> Response:
    if settings.admin_token is None:
        raise HTTPException(403, "Writing is disabled on this server: no admin token is configured.")
    if not token_matches(settings, token):
        return render(request, "review_login.html", {"message": "That is not the admin token.", "next": "/review"},
                      status_code=401, headers=NO_STORE)
    target = next if next.startswith("/review") and "//" not in next and "\\" not in next else "/review"
    r = RedirectResponse(target, status_code=303, headers=NO_STORE)
    r.set_cookie(COOKIE, session_value(settings.admin_token.get_secret_value()), httponly=True, samesite="strict",
                 secure=cookie_secure(request, settings), path=COOKIE_PATH)
    return r


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    admin = _admin(request)
    if isinstance(admin, Response):
        return admin
    check_csrf(admin, csrf)
    r = RedirectResponse("/review/login", status_code=303, headers=NO_STORE)
    r.delete_cookie(COOKIE, path=COOKIE_PATH)
    return r


# --------------------------------------------------------------------------------- pages

@router.get("", summary="Drafts waiting for review (admin)")
def review_list(request: Request) -> Response:
    admin = _admin(request)
    if isinstance(admin, Response):
        return admin
    queue = _queue(request)
    rows: list[dict[str, Any]] = []
    for e in queue.entries():
        try:
            rows.append({"slug": e.slug, "meta": e.meta(), "counts": e.status()})
        except InputError as err:   # a broken draft is listed, not fatal to the page
            rows.append({"slug": e.slug, "meta": e.meta(), "counts": None, "error": err.message})
    if not wants_html(request):
        return JSONResponse({"drafts": [{"slug": r["slug"], "title": r["meta"].title, "published": r["meta"].published,
                                         **(r["counts"] or {}), **({"error": r["error"]} if "error" in r else {})}
                                        for r in rows]}, headers=NO_STORE)
    return render(request, "review_list.html", {"rows": rows, "csrf": admin.csrf}, headers=NO_STORE)


@router.get("/{slug}", summary="One draft: the article, its mentions and facts (admin)")
def review_draft(request: Request, slug: str) -> Response:
    admin = _admin(request)
    if isinstance(admin, Response):
        return admin
    from graph.review.view import review_page
    try:
        page = review_page(_queue(request).get(slug))
    except (ReviewError, InputError) as e:
        return _review_error(request, e)
    if not wants_html(request):
        return JSONResponse({"slug": slug, "counts": page.counts, "links": page.links,
                             "facts": [{"id": f.id, "kind": f.kind, "subject": f.subject, "predicate": f.predicate,
                                        "object": f.object, "confidence": f.confidence, "state": f.state}
                                       for f in page.facts]}, headers=NO_STORE)
    return render(request, "review_draft.html", {"page": page, "csrf": admin.csrf, "report": None}, headers=NO_STORE)


# --------------------------------------------------------------------------------- actions

@router.post("/{slug}/decide", summary="Accept, reject or correct facts (admin)")
def decide(request: Request, slug: str, admin: AdminDep, action: Annotated[str, Form()], fact: Annotated[list[str], Form()],
           csrf: Annotated[str, Form()] = "", object: Annotated[str, Form()] = "",
           label: Annotated[str, Form()] = "") -> Response:
    check_csrf(admin, csrf)
    from graph.review.land import graph_lookup
    settings = request.app.state.settings
    try:
        _queue(request).decide(slug, fact, action, object=object.strip() or None, label=label if label.strip() else None,
                               exists=graph_lookup(settings) if object.strip() else None)
    except (ReviewError, InputError) as e:
        return _review_error(request, e)
    return _done(request, slug, f"fact-{fact[0]}" if len(fact) == 1 else "", decided=fact)


@router.post("/{slug}/accept-above", summary="Accept every pending fact of at least a confidence (admin)")
def accept_above(request: Request, slug: str, admin: AdminDep, threshold: Annotated[float, Form(ge=0.0, le=1.0)],
                 csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(admin, csrf)
    try:
        ids = _queue(request).decide_above(slug, threshold)
    except (ReviewError, InputError) as e:
        return _review_error(request, e)
    return _done(request, slug, decided=ids)


@router.post("/{slug}/link", summary="Relink a mention to another IRI (admin)")
def link(request: Request, slug: str, admin: AdminDep, mentioned: Annotated[str, Form()], target: Annotated[str, Form()] = "",
         undo: Annotated[bool, Form()] = False, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(admin, csrf)
    from graph.review.land import graph_lookup
    target = target.strip()
    if not undo and not target:
        return _review_error(request, ReviewError("say which IRI the mention really is (the target is empty)"))
    try:
        _queue(request).link(slug, mentioned, None if undo else target,
                             exists=None if undo else graph_lookup(request.app.state.settings))
    except (ReviewError, InputError) as e:
        return _review_error(request, e)
    return _done(request, slug, "mentions", linked={mentioned: None if undo else target})


@router.post("/{slug}/land", summary="Land the reviewed draft (admin)")
async def land_draft(request: Request, slug: str, admin: AdminDep, csrf: Annotated[str, Form()] = "",
                     drop_pending: Annotated[bool, Form()] = False) -> Response:
    check_csrf(admin, csrf)
    from graph.review.land import land
    from graph.review.view import review_page
    settings = request.app.state.settings
    try:
        report = await run_in_threadpool(land, settings, slug, drop_pending=drop_pending)
    except ValidationFailed as e:
        if not wants_html(request):
            return JSONResponse({"ok": False, "error": "the graph would not conform; nothing landed",
                                 "violations": [r.to_dict() for r in e.report.violations]},
                                status_code=422, headers=NO_STORE)
        page = review_page(_queue(request).get(slug))
        return render(request, "review_draft.html", {"page": page, "csrf": admin.csrf, "report": e.report},
                      status_code=422, headers=NO_STORE)
    except (ReviewError, InputError) as e:
        return _review_error(request, e)
    if wants_html(request):
        return render(request, "review_landed.html", {"report": report, "slug": slug}, headers=NO_STORE)
    return JSONResponse({"ok": True, "slug": slug, "landed": report.landed, "rejected": report.rejected,
                         "dropped": report.dropped, "build": report.build.build_id if report.build else None},
                        headers=NO_STORE)
