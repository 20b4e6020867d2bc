"""Linked-data pages: every resource ``{base}{kind}/{slug}`` is served at ``/id/{kind}/{slug}``.

* A browser gets HTML; an RDF client gets Turtle, JSON-LD, RDF/XML or N-Triples by
  ``Accept``, or by suffix (``/id/organisation/undp.ttl``, ``.jsonld``, ``.rdf``, ``.nt``);
  ``.json`` (or ``Accept: application/json``) is the page's data as plain JSON. Every
  answer carries ``Link: <…>; rel="alternate"; type="…"`` for each format and
  ``Vary: Accept``.
* Why no 303 redirect: the identifiers are hash-less HTTP IRIs, and the W3C TAG's
  httpRange-14 resolution would have ``/id/…`` answer 303 to a separate document. Since
  the 2011 TAG revision a 200 is acceptable when the response describes the resource;
  serving the description directly saves a round trip for every client and for the
  w3id.org redirect in front of it (w3id already answers with a redirect to this site).
  The documents themselves are named by the suffixed URLs, each with a
  ``Content-Location``.
* ``/id/source/{slug}`` in HTML is the source article itself: its text with the
  resources it mentions linked (contact details redacted).
* ``/classes`` lists the ontology's classes, ``/classes/{curie}`` (``/classes/wc:Organisation``)
  a class with its instances.
* An unknown IRI is a 404: an HTML page that suggests close labels from the search index,
  or JSON with the same suggestions. A slug outside ``[a-z0-9-]`` is a 404 that says so.
"""
from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from graph import describe as D
from graph.backend import Backend
from graph.namespaces import KINDS, PREFIXES, bind_prefixes

from ..deps import BackendDep, SettingsDep
from ..errors import wants_html
from ..negotiation import HTML, MEDIA_ALIASES, PAGE_OFFERS, RDF_FORMATS, Format, choose
from ..templating import curie, render
from .search import KIND_NAMES, class_page, search_index

router = APIRouter(tags=["linked data"])

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CURIE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):([A-Za-z_][A-Za-z0-9_.-]*)$")


#: The entity formats: the RDF formats, then the page's own data as plain JSON.
JSON = Format("json", "application/json", "json", "JSON (page data)")
FORMATS: list[Format] = [*RDF_FORMATS, JSON]
BY_SUFFIX = {f.suffix: f for f in FORMATS}
#: rdflib serializer names of the RDF formats
RDFLIB_NAMES = {"turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}


#: What an entity URL can answer, in order of preference (HTML first: a person following
#: a link; JSON-LD first of the application/* types), aliases included.
OFFERS: list[tuple[str, Format]] = ([(HTML.media_type, HTML)] + [(f.media_type, f) for f in RDF_FORMATS]
                                    + list(MEDIA_ALIASES.items()) + [(JSON.media_type, JSON)])


def link_header(path: str, canonical: str | None = None) -> str:
    parts = [f'<{path}>; rel="alternate"; type="text/html"']
    parts += [f'<{path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS]
    if canonical:
        parts.append(f'<{canonical}>; rel="canonical"')
    return ", ".join(parts)


def alternates(path: str) -> list[dict[str, str]]:
    return [{"url": f"{path}.{f.suffix}", "type": f.media_type, "title": f.title} for f in FORMATS]


def wants_json(request: Request) -> bool:
    """An error or a 404 answers JSON unless the client prefers HTML (see app.errors)."""
    return not wants_html(request)


# --- 404 with suggestions ------------------------------------------------------------

def not_found(request: Request, backend: Backend, settings: Any, *, what: str, message: str,
              query: str | None = None, kinds: list[str] | None = None, as_json: bool | None = None,
              status: int = 404) -> Response:
    """404 (or *status*): HTML with close labels from the search index, or JSON with them."""
    suggestions = []
    query = (query or "")[:100]   # a name is shorter; fuzzy matching a 10 kB path is wasted work
    index = search_index(request, backend) if query else None
    if index is not None and query:
        try:
            hits = index.suggest(query, limit=6, kinds=kinds)
            if not hits and kinds:
                hits = index.suggest(query, limit=6)
        except Exception:  # suggestions are a courtesy; never turn a 404 into a 500
            hits = []
        from .search import _hit_json
        suggestions = [_hit_json(h, settings.base_iri) for h in hits]
    if as_json is None:
        as_json = wants_json(request)
    if as_json:
        return JSONResponse({"error": "Not found", "status": status, "detail": message, "resource": what,
                             "suggestions": suggestions}, status_code=status)
    return render(request, "not_found.html", {"what": what, "message": message, "suggestions": suggestions,
                                              "q": query or "", "status": status}, status_code=status)


# --- entity pages ----------------------------------------------------------------------

def _split_suffix(slug: str) -> tuple[str, Format | None, str | None]:
    """``undp.ttl`` → (``undp``, Turtle, None); an unknown suffix → (slug, None, suffix)."""
    if "." in slug:
        stem, _, suffix = slug.rpartition(".")
        fmt = BY_SUFFIX.get(suffix.lower())
        return (stem, fmt, None) if fmt else (slug, None, suffix)
    return slug, None, None


def _serialize(graph, fmt: Format) -> bytes:
    bind_prefixes(graph)
    if fmt.key == "jsonld":
        used = {p: ns for p, ns in PREFIXES.items()
                if any(str(t).startswith(ns) for triple in graph for t in triple)}
        return graph.serialize(format="json-ld", context=used, indent=2).encode()
    data = graph.serialize(format=RDFLIB_NAMES[fmt.key])
    return data if isinstance(data, bytes) else data.encode()


@router.head("/id/{kind}/{slug}", include_in_schema=False)
@router.get("/id/{kind}/{slug}", summary="A resource of the graph (HTML or RDF)",
                  responses={200: {"content": {f.media_type: {} for f in [HTML, *FORMATS]}},
                             404: {"description": "no such resource (with suggestions)"},
                             406: {"description": "none of the formats asked for in Accept"}})
def resource(kind: str, slug: str, request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    stem, by_suffix, bad_suffix = _split_suffix(slug)
    path = f"/id/{kind}/{stem}"
    if kind not in KINDS:
        return not_found(request, backend, settings, what=path,
                         message=f"There is no kind of resource called {kind!r}. The kinds are: "
                                 + ", ".join(KINDS) + ".", query=stem.replace("-", " "))
    if bad_suffix is not None:
        return not_found(request, backend, settings, what=path,
                         message=f"Unknown format suffix .{bad_suffix}: use one of "
                                 + ", ".join("." + f.suffix for f in FORMATS) + ".",
                         query=stem.split(".")[0].replace("-", " "), kinds=[kind])
    if not SLUG_RE.match(stem):
        return not_found(request, backend, settings, what=path,
                         message=f"{stem!r} is not an identifier of this dataset: identifiers use only "
                                 "lower-case letters a-z, digits and single hyphens.",
                         query=re.sub(r"[^0-9A-Za-z]+", " ", stem).strip(), kinds=[kind])
    fmt = choose(request, OFFERS, suffix=by_suffix)
    iri = f"{settings.base_iri}{kind}/{stem}"
    headers = {"Link": link_header(path, iri), "Vary": "Accept"}
    if fmt is None:
        return JSONResponse({"error": "Not acceptable", "status": 406,
                             "detail": "none of the media types in Accept is offered here",
                             "available": [HTML.media_type] + [f.media_type for f in FORMATS]},
                            status_code=406, headers=headers)
    if by_suffix is not None:
        headers["Content-Location"] = f"{path}.{fmt.suffix}"

    if fmt in RDF_FORMATS:
        graph = D.describe_rdf(backend, iri)
        if len(graph) == 0:
            return not_found(request, backend, settings, what=iri, message=f"No resource {iri} in this dataset.",
                             query=stem.replace("-", " "), kinds=[kind], as_json=True)
        media = fmt.media_type + ("; charset=utf-8" if fmt.key in ("turtle", "ntriples") else "")
        return Response(_serialize(graph, fmt), media_type=media, headers=headers)

    if fmt.key == "html" and kind == "source":
        src = D.describe_source(backend, settings, stem)
        if src is None:
            return _missing(request, backend, settings, iri, stem, kind)
        return render(request, "source.html", {**_page_context(request, src.entity, path, settings),
                                               "src": src}, headers=headers)

    entity = D.describe(backend, iri, base=settings.base_iri)
    if entity is None:
        return _missing(request, backend, settings, iri, stem, kind, as_json=fmt.key == "json")
    if fmt.key == "json":
        return JSONResponse(entity.to_json(), headers=headers)
    return render(request, "entity.html", _page_context(request, entity, path, settings), headers=headers)


def _missing(request, backend, settings, iri: str, stem: str, kind: str, as_json: bool | None = None) -> Response:
    return not_found(request, backend, settings, what=iri, message=f"No resource {iri} in this dataset.",
                     query=stem.replace("-", " "), kinds=[kind], as_json=as_json)


def _page_context(request: Request, e: D.EntityDescription, path: str, settings) -> dict:
    names = {label: (e.iri, e.label) for label, _ in e.pref_labels + e.alt_labels}
    evidence = []
    for ev in e.evidence:
        statements = []
        for st in ev.statements:
            statements.append({"subject": st.subject, "via": st.via, "self": st.subject.iri == e.iri,
                               "sentences": [D.highlight(s, names) for s in st.sentences]})
        evidence.append({"ev": ev, "statements": statements})
    graph_notes = {ev.graph: f"article of {ev.issued_display}" if ev.issued_display else "undated article"
                   for ev in e.evidence if ev.graph}
    return {"e": e, "path": path, "alternates": alternates(path), "evidence": evidence, "graph_notes": graph_notes,
            "class_href": class_page, "kind_names": KIND_NAMES,
            "other_langs": [(v, lg) for v, lg in e.pref_labels if lg and lg != "en"]}


# --- classes -----------------------------------------------------------------------

def _expand_curie(text: str) -> str | None:
    m = CURIE_RE.match(text)
    if not m or m[1] not in PREFIXES:
        return None
    return PREFIXES[m[1]] + m[2]


@router.get("/classes.json", summary="Classes of the ontology with their number of instances (JSON)")
def classes_json(request: Request, backend: BackendDep) -> Response:
    return classes(request, backend, format="json")


@router.get("/classes", summary="Classes of the ontology with their number of instances "
                            "(HTML, or JSON by Accept or ?format=json)")
def classes(request: Request, backend: BackendDep,
            format: Annotated[str | None, Query(pattern="^(html|json)$")] = None) -> Response:
    items = D.list_classes(backend)
    if (format or choose(request, PAGE_OFFERS)) == "json":
        return JSONResponse({"classes": [{"iri": c.iri, "curie": curie(c.iri), "label": c.label, "count": c.count,
                                          "inSubclasses": c.in_subclasses,
                                          "parents": [p.iri for p in c.parents]} for c in items]},
                            headers={"Vary": "Accept"})
    return render(request, "class.html", {"classes": items, "cls": None, "class_href": class_page},
                  headers={"Vary": "Accept", "Link": '</classes.json>; rel="alternate"; type="application/json"'})


@router.get("/classes/{name}", summary="A class and its instances (HTML, or JSON by Accept or ?format=json)")
def class_detail(name: str, request: Request, backend: BackendDep, settings: SettingsDep,
                 page: Annotated[int, Query(ge=1, le=100000)] = 1,
                 format: Annotated[str | None, Query(pattern="^(html|json)$")] = None) -> Response:
    as_json = (format or choose(request, PAGE_OFFERS)) == "json"
    iri = _expand_curie(name)
    if iri is None:
        known = ", ".join(f"{p}:" for p in PREFIXES)
        return not_found(request, backend, settings, what=f"/classes/{name}",
                         message=f"{name!r} is not a class name of the form prefix:Name with a known prefix "
                                 f"(e.g. wc:Organisation). Known prefixes: {known}",
                         query=name.split(":")[-1], kinds=["class"], as_json=as_json)
    per_page = 100
    desc = D.describe_class(backend, iri, limit=per_page, offset=(page - 1) * per_page)
    if desc is None:
        return not_found(request, backend, settings, what=iri, message=f"The dataset knows no class {name}.",
                         query=name.split(":")[-1], kinds=["class"], as_json=as_json)
    if as_json:
        return JSONResponse(desc.to_json())
    pages = max(1, -(-desc.total // per_page))
    return render(request, "class.html", {"classes": None, "cls": desc, "name": name, "page": page,
                                          "pages": pages, "class_href": class_page},
                  headers={"Vary": "Accept"})


__all__ = ["router", "FORMATS", "link_header"]
