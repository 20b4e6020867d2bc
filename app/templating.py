"""The one Jinja2 environment of the site.

* Every template is autoescaped, whatever its extension (``select_autoescape(default=True)``),
  not only ``.html`` as Starlette's default would have it.
* ``safe_href`` (filter): only ``http(s)://`` and site-relative links get through;
  anything else (``javascript:``, ``data:``, ``//host``) becomes ``#``.
* ``curie`` (filter and global): shortens an IRI with :data:`graph.namespaces.PREFIXES`.
* ``local_href(iri)`` (global): the site page of a resource ``{base_iri}{kind}/{slug}`` →
  ``/id/{kind}/{slug}``; an external http(s) IRI is returned as is; anything else → ``#``.
  ``is_local(iri)`` says which case applies.
* :func:`render` answers a template with the request, settings and site facts in context.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from graph.namespaces import KINDS, PREFIXES, WCID_DEFAULT

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: Namespaces longest first, so that ``wcid:`` wins over a shorter prefix of it.
_NAMESPACES: list[tuple[str, str]] = sorted(((ns, p) for p, ns in PREFIXES.items()),
                                            key=lambda t: len(t[0]), reverse=True)


def safe_href(value: Any) -> str:
    """A link target that cannot run script: http(s) URLs and site-relative paths pass,
    everything else becomes ``#``."""
    if value is None:
        return "#"
    url = str(value).strip()
    if not url or any(ord(c) < 0x20 or c == "\x7f" for c in url):
        return "#"
    if url.startswith("/"):
        # "//host" and "/\host" are protocol-relative in browsers: another site.
        return url if len(url) == 1 or url[1] not in "/\\" else "#"
    if url.startswith(("?", "#")):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "#"
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return "#"


def curie(iri: Any, prefixes: dict[str, str] | None = None) -> str:
    """``https://w3id.org/wckg/ontology#Agreement`` → ``wc:Agreement``; unknown IRIs unchanged."""
    s = str(iri)
    namespaces = _NAMESPACES if prefixes is None else sorted(
        ((ns, p) for p, ns in prefixes.items()), key=lambda t: len(t[0]), reverse=True)
    for ns, prefix in namespaces:
        if s.startswith(ns) and len(s) > len(ns):
            local = s[len(ns):]
            if not any(c.isspace() or c in "<>\"{}|^`\\" for c in local):
                return f"{prefix}:{local}"
    return s


def local_path(iri: Any, base: str = WCID_DEFAULT) -> str | None:
    """``{base}{kind}/{slug}`` → ``/id/{kind}/{slug}``; None when *iri* is not a resource
    of this dataset."""
    s = str(iri)
    if not s.startswith(base):
        return None
    rest = s[len(base):]
    kind, _, slug = rest.partition("/")
    if kind not in KINDS or not slug or "#" in slug or "?" in slug:
        return None
    return "/id/" + quote(f"{kind}/{slug}", safe="/-_.~")


def local_href(iri: Any, base: str = WCID_DEFAULT) -> str:
    """Where to link a resource: its page on this site, the IRI itself when it is an
    external http(s) IRI, ``#`` otherwise."""
    return local_path(iri, base) or safe_href(iri)


_LICENCE_NAMES = {
    "creativecommons.org/licenses/by/4.0": "CC BY 4.0",
    "creativecommons.org/licenses/by-sa/4.0": "CC BY-SA 4.0",
    "creativecommons.org/publicdomain/zero/1.0": "CC0 1.0",
    "opendatacommons.org/licenses/odbl/1-0": "ODbL 1.0",
}


def licence_name(iri: Any) -> str:
    """A short name for well-known licence IRIs (``CC BY 4.0``); the IRI otherwise."""
    s = str(iri or "")
    key = s.split("://", 1)[-1].rstrip("/")
    return _LICENCE_NAMES.get(key, s)


def datetime_text(value: Any) -> str:
    """``2026-11-24T01:03:57+00:00`` → ``24 November 2026, 01:03 UTC`` (unparsable values unchanged)."""
    from datetime import UTC, datetime
    if value is None:
        return ""
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return f"{dt.day} {dt:%B %Y, %H:%M}" + (" UTC" if dt.tzinfo is not None else "")


def _base_of(ctx) -> str:
    request = ctx.get("request")
    settings = getattr(getattr(getattr(request, "app", None), "state", None), "settings", None)
    return getattr(settings, "base_iri", None) or WCID_DEFAULT


@pass_context
def _local_href_ctx(ctx, iri: Any) -> str:
    return local_href(iri, _base_of(ctx))


@pass_context
def _is_local_ctx(ctx, iri: Any) -> bool:
    return local_path(iri, _base_of(ctx)) is not None


def _make_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_href"] = safe_href
    env.filters["curie"] = curie
    env.filters["licence_name"] = licence_name
    env.filters["datetime_text"] = datetime_text
    env.globals["curie"] = curie
    env.globals["local_href"] = _local_href_ctx
    env.globals["is_local"] = _is_local_ctx
    env.globals["prefixes"] = PREFIXES
    return env


#: The environment every page is rendered with.
env: Environment = _make_env()
templates = Jinja2Templates(env=env)


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, status_code: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render template *name* with *ctx*, plus ``request``, ``settings``, ``version`` and
    ``vendor_missing`` (front-end packages that are not installed)."""
    state = request.app.state
    context: dict[str, Any] = {
        "settings": getattr(state, "settings", None),
        "version": getattr(state, "version", ""),
        "vendor_missing": getattr(state, "vendor_missing", []),
    }
    context.update(ctx or {})
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


__all__ = ["env", "templates", "render", "safe_href", "curie", "local_href", "local_path"]
