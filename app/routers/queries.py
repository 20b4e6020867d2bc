"""Named queries as pages and as an API (datasette's habit: every page has machine twins).

* ``/queries`` — the library: titles, descriptions, tags, parameters (``/queries.json``).
* ``/queries/{name}`` — description, a form for the parameters, and the results as an
  HTML table with labels and links to entity pages; the same URL answers JSON and CSV
  by ``Accept`` or by suffix (``/queries/{name}.json``, ``.csv``; ``.ttl`` for
  CONSTRUCT/DESCRIBE queries), announced by ``Link: rel="alternate"`` headers.

Parameter values are bound by the engine (:meth:`graph.queries.NamedQuery.bind`); a bad
value is a 422 naming the parameter.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from starlette.concurrency import run_in_threadpool

from graph.backend import IMMUTABLE_BUILDS, Backend
from graph.errors import ParameterError, QueryError, WckgError
from graph.namespaces import WC
from graph.queries import TYPE_HINTS, NamedQuery, bind_as_values, cached_library
from graph.queries import get as get_query

from ..deps import BackendDep, SettingsDep
from ..negotiation import PAGE_OFFERS, choose
from ..templating import curie, local_path, render

router = APIRouter(tags=["queries"])
log = logging.getLogger("wckg.app")

#: Rows shown in an HTML table (the JSON and CSV twins carry up to ``settings.max_rows``).
HTML_ROWS = 1000

#: Label properties, best first (skos:prefLabel@en is required by the core model). The
#: properties are a VALUES list rather than a UNION: Oxigraph joins that 5x faster.
LABEL_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?p ?label WHERE {
  VALUES ?s { %s }
  VALUES ?p { skos:prefLabel rdfs:label dcterms:title }
  ?s ?p ?label .
}
"""
_LABEL_RANK = {"http://www.w3.org/2004/02/skos/core#prefLabel": 0,
               "http://www.w3.org/2000/01/rdf-schema#label": 2,
               "http://purl.org/dc/terms/title": 4}
_SAFE_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>"{}|^`\\]*$')

_SUFFIXES = {".json": "json", ".csv": "csv", ".ttl": "turtle",
             # every SPARQL results format, and every RDF format, as the endpoint gives them
             ".tsv": "tsv", ".xml": "xml", ".srj": "srj", ".srx": "xml",
             ".nt": "ntriples", ".jsonld": "jsonld", ".rdf": "rdfxml"}
#: Formats answered as the engine serialises them: name → (result format, media type, table?)
_RAW = {"csv": ("csv", "text/csv; charset=utf-8", True), "tsv": ("tsv", "text/tab-separated-values; charset=utf-8", True),
        "xml": ("xml", "application/sparql-results+xml; charset=utf-8", True),
        "srj": ("json", "application/sparql-results+json; charset=utf-8", True),
        "turtle": ("turtle", "text/turtle; charset=utf-8", False),
        "ntriples": ("ntriples", "application/n-triples; charset=utf-8", False),
        "jsonld": ("jsonld", "application/ld+json", False), "rdfxml": ("rdfxml", "application/rdf+xml", False)}
_EXT = {"csv": "csv", "tsv": "tsv", "xml": "srx", "srj": "srj", "turtle": "ttl", "ntriples": "nt",
        "jsonld": "jsonld", "rdfxml": "rdf"}


# ---------------------------------------------------------------------------------------
# helpers other pages may use
# ---------------------------------------------------------------------------------------

def fetch_labels(backend: Backend, iris: Iterable[Any], *, timeout: float | None = 10.0) -> dict[str, str]:
    """Best label of each IRI (``skos:prefLabel@en``, then ``rdfs:label``, then ``dcterms:title``)."""
    wanted = sorted({str(i) for i in iris if isinstance(i, URIRef) and _SAFE_IRI.match(str(i))})
    labels: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        text = LABEL_QUERY % " ".join(f"<{i}>" for i in chunk)
        for row in backend.query(text, timeout=timeout).rows:
            s, label = str(row["s"]), row["label"]
            lang = getattr(label, "language", None) or ""
            # English (or untagged) before other languages, for each property
            rank = _LABEL_RANK.get(str(row["p"]), 4) * 2 + (0 if lang in ("", "en") or lang.startswith("en-") else 1)
            if s not in labels or (rank, str(label)) < labels[s]:
                labels[s] = (rank, str(label))
    return {s: label for s, (_, label) in labels.items()}


def editor_link(text: str, bound: Mapping[str, Any]) -> str:
    """A link that opens *text* in the SPARQL editor with *bound* parameters as a VALUES
    block inside its WHERE clause (where FILTERs see them, as with engine substitution)."""
    return "/sparql#query=" + quote(bind_as_values(text, bound).rstrip() + "\n", safe="")


def plain_value(term: Any) -> Any:
    """A result cell for JSON: IRIs and most literals as strings, numbers and booleans native."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype in (XSD.integer, XSD.int, XSD.long, XSD.decimal, XSD.double, XSD.float,
                             XSD.boolean, XSD.nonNegativeInteger, XSD.positiveInteger):
            value = term.toPython()
            if isinstance(value, (int, float, bool)):
                return value
            try:
                return float(value)
            except (TypeError, ValueError):
                return str(term)
        return str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def cell(term: Any, labels: Mapping[str, str], base: str) -> dict[str, Any]:
    """What the HTML table shows for one value."""
    if term is None:
        return {"kind": "empty"}
    if isinstance(term, URIRef):
        iri = str(term)
        local = local_path(iri, base)
        if local is None and iri.startswith(str(WC)) and len(iri) > len(str(WC)):
            local = "/ontology#" + quote(iri[len(str(WC)):], safe="")  # a term of the vocabulary
        return {"kind": "iri", "iri": iri, "href": local or iri, "local": local is not None,
                "text": labels.get(iri) or curie(iri), "curie": curie(iri)}
    if isinstance(term, BNode):
        return {"kind": "bnode", "text": f"_:{term}"}
    dt = curie(term.datatype) if term.datatype else None
    return {"kind": "literal", "text": str(term), "lang": term.language,
            "datatype": dt if dt not in (None, "xsd:string") else None}


# ---------------------------------------------------------------------------------------
# results of named queries (the embedded store keeps answers per build)
# ---------------------------------------------------------------------------------------

_LABELS_LOCK = threading.Lock()


def run_named(backend: Backend, q: NamedQuery, bound: Mapping[str, Any], settings: Any, cancel: Any = None) -> Any:
    """Run a named query with the site's limits (*cancel*: stop it when its client left)."""
    return backend.query(q.text, params=dict(bound), timeout=settings.query_timeout, limit=settings.max_rows,
                         max_bytes=settings.max_answer_bytes, lane="public", cancel=cancel)


#: Labels of the current build of the embedded store: {build id: {IRI: label or None}}.
_LABELS: dict[str, dict[str, str | None]] = {}


def cached_labels(backend: Backend, iris: Iterable[Any]) -> dict[str, str]:
    """:func:`fetch_labels`, remembered per build when the backend's builds are immutable."""
    if IMMUTABLE_BUILDS not in backend.capabilities:
        return fetch_labels(backend, iris)
    build_id = backend.info().build_id
    with _LABELS_LOCK:
        known = _LABELS.get(build_id)
        if known is None:
            _LABELS.clear()  # an older build's labels are of no use any more
            known = _LABELS[build_id] = {}
        missing = [i for i in iris if str(i) not in known]
    if missing:
        found = fetch_labels(backend, missing)
        with _LABELS_LOCK:
            for i in missing:
                known[str(i)] = found.get(str(i))
    return {str(i): label for i in iris if (label := known.get(str(i))) is not None}


# ---------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------

_PAGE_OFFERS = [*PAGE_OFFERS, ("text/csv", "csv"), ("text/turtle", "turtle"),
                ("application/sparql-results+json", "srj"), ("application/sparql-results+xml", "xml"),
                ("text/tab-separated-values", "tsv"), ("application/n-triples", "ntriples"),
                ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdfxml")]


def _wants(request: Request, suffix_fmt: str | None) -> str:
    """html | json | a key of _RAW: the suffix wins, then Accept (HTML when it says nothing)."""
    return choose(request, _PAGE_OFFERS, suffix=suffix_fmt) or "html"


def _library(settings: Any) -> dict[str, NamedQuery]:
    """The named queries; a broken file of the site's own is a 500 (logged), not the
    visitor's 400."""
    try:
        return cached_library(settings.queries_dir)
    except WckgError as e:
        log.error("the named-query library cannot be loaded: %s", e)
        raise HTTPException(500, "The named queries cannot be read right now; the error has been logged.") from None


@router.get("/queries.json", summary="The named queries (JSON)", include_in_schema=True)
async def queries_list_json(request: Request, settings: SettingsDep) -> Response:
    lib = await run_in_threadpool(_library, settings)
    return JSONResponse({"queries": [_query_json(request, q) for q in lib.values()]},
                        headers={"Link": '</queries>; rel="alternate"; type="text/html"'})


@router.get("/queries", summary="The named queries", response_class=Response)
async def queries_list(request: Request, settings: SettingsDep) -> Response:
    lib = await run_in_threadpool(_library, settings)
    if _wants(request, None) != "html":
        return await queries_list_json(request, settings)
    tags = sorted({t for q in lib.values() for t in q.tags})
    tag = request.query_params.get("tag")
    shown = [q for q in lib.values() if not tag or tag in q.tags]
    return render(request, "queries.html", {"queries": shown, "tags": tags, "tag": tag,
                                            "total": len(lib)},
                  headers={"Link": '</queries.json>; rel="alternate"; type="application/json"', "Vary": "Accept"})


def _query_json(request: Request, q: NamedQuery) -> dict[str, Any]:
    d = q.to_dict()
    d["url"] = f"/queries/{q.name}"
    d["json"] = f"/queries/{q.name}.json"
    if q.form in ("select", "ask"):
        d["csv"] = f"/queries/{q.name}.csv"
    d["sparql"] = q.text
    return d


def _alternates(q: NamedQuery, query_string: str) -> dict[str, str]:
    qs = f"?{query_string}" if query_string else ""
    alts = {"text/html": f"/queries/{q.name}{qs}", "application/json": f"/queries/{q.name}.json{qs}"}
    table = q.form in ("select", "ask")
    for key, (_fmt, media, is_table) in _RAW.items():
        if is_table == table:
            alts[media.split(";")[0]] = f"/queries/{q.name}.{_EXT[key]}{qs}"
    return alts


def _link_header(alts: Mapping[str, str], current: str) -> str:
    return ", ".join(f'<{url}>; rel="alternate"; type="{media}"' for media, url in alts.items()
                     if media != current)


# long: one named query's every representation (form, HTML table, JSON, CSV, errors) in one place
@router.get("/queries/{name}", summary="Run a named query (HTML, JSON or CSV)", response_class=Response,
            responses={200: {"content": {"text/html": {}, "application/json": {}, "text/csv": {}}},
                       404: {"description": "no such query"},
                       422: {"description": "a parameter is missing or of the wrong type"}})
async def query_page(name: str, request: Request, backend: BackendDep, settings: SettingsDep) -> Response:  # noqa: C901 (suffix, parameters, form, run and the four answers of one page, in request order)
    suffix_fmt = None
    for suffix, fmt in _SUFFIXES.items():
        if name.endswith(suffix):
            name, suffix_fmt = name[: -len(suffix)], fmt
            break
    lib = await run_in_threadpool(_library, settings)
    q = get_query(name, lib)
    want = _wants(request, suffix_fmt)
    if want in _RAW and _RAW[want][2] and q.form not in ("select", "ask"):
        raise QueryError(f"{q.name} is a {q.form.upper()} query: its results are a graph, not a table",
                         hint=f"ask for /queries/{q.name}.ttl (or .nt, .jsonld, .rdf) or /queries/{q.name}.json")
    if want in _RAW and not _RAW[want][2] and q.form in ("select", "ask"):
        raise QueryError(f"{q.name} is a {q.form.upper()} query: its results are a table, not a graph",
                         hint=f"ask for /queries/{q.name}.csv (or .tsv, .srj, .srx) or /queries/{q.name}.json")

    # parameters: empty form fields of optional parameters mean "not given"
    raw: dict[str, str] = {}
    for k, v in request.query_params.multi_items():
        if k in raw:
            raise ParameterError(k, "given more than once", hint="give each parameter once")
        raw[k] = v
    given = bool(raw)
    raw = {k: v for k, v in raw.items()
           if not (v == "" and k in q.param_names and not q.param(k).required)}
    query_string = urlencode(list(raw.items()))
    if not given and any(p.required and p.default is None for p in q.params):
        # the page waits for its form: its twins name the example values, so that they run
        query_string = urlencode([(p.name, p.example) for p in q.params if p.required and p.example])
    alts = _alternates(q, query_string)
    media_now = {"html": "text/html", "json": "application/json"}.get(want) or _RAW[want][1].split(";")[0]
    headers = {"Link": _link_header(alts, media_now), "Vary": "Accept"}
    # the form shows what was given; else the default; a required parameter its example
    form_values = {p.name: raw.get(p.name, p.default if p.default is not None
                                   else (p.example or "") if p.required else "") for p in q.params}
    ctx: dict[str, Any] = {"nq": q, "form_values": form_values, "type_hints": TYPE_HINTS,
                           "alternates": alts, "ran": False, "error": None,
                           "editor_link": editor_link(q.text, q.example_bindings())}

    must_wait = any(p.required and p.default is None for p in q.params) and not given
    if want == "html" and must_wait:
        return render(request, "query.html", ctx, headers=headers)
    try:
        bound = q.bind(raw)
    except ParameterError as e:
        if want != "html":
            raise
        ctx["error"] = {"parameter": e.name, "message": e.message, "hint": e.hint}
        return render(request, "query.html", ctx, status_code=422, headers=headers)

    ctx["editor_link"] = editor_link(q.text, bound)
    t0 = time.perf_counter()
    from ..limits import public_query, run_until_client_leaves
    async with public_query(request):  # per-client rate and concurrency, bounded queue (app.limits)
        res = await run_until_client_leaves(request, lambda cancel: run_named(backend, q, bound, settings, cancel))
    headers["X-WCKG-Truncated"] = "true" if res.truncated else "false"
    headers["X-WCKG-Row-Limit"] = str(settings.max_rows)

    if want in _RAW:
        fmt, media, _table = _RAW[want]
        raw = await run_in_threadpool(res.serialize, fmt)
        headers["Content-Disposition"] = f'inline; filename="{q.name}.{_EXT[want]}"'
        return Response(raw, media_type=media, headers=headers)

    if res.kind == "graph":
        triples = sorted(res.graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
        columns = ["subject", "predicate", "object"]
        rows = [dict(zip(columns, t)) for t in triples]
    elif res.kind == "ask":
        columns, rows = ["result"], [{"result": Literal(bool(res.boolean))}]
    else:
        columns, rows = res.variables, res.rows

    # a column "xLabel" beside an IRI column "x" names x; the store is asked for the others
    label_cols = {c: c[:-5] for c in columns if c.endswith("Label") and c[:-5] in columns}
    column_labels: dict[str, str] = {}
    for r in rows:
        for lc, c in label_cols.items():
            if isinstance(r.get(c), URIRef) and r.get(lc) is not None:
                column_labels.setdefault(str(r[c]), str(r[lc]))
    iris = {v for row in rows[:HTML_ROWS if want == "html" else None] for v in row.values()
            if isinstance(v, URIRef) and str(v) not in column_labels}
    labels = await run_in_threadpool(cached_labels, backend, iris) if iris else {}
    labels.update(column_labels)
    elapsed = time.perf_counter() - t0

    if want == "json":
        body: dict[str, Any] = {
            "query": q.name, "title": q.title, "form": q.form,
            "params": {k: str(v) for k, v in bound.items()},
            "columns": columns,
            "rows": [{c: plain_value(r.get(c)) for c in columns if r.get(c) is not None} for r in rows],
            "labels": labels, "truncated": res.truncated, "row_limit": settings.max_rows,
            "elapsed_ms": round(elapsed * 1000, 1),
        }
        if res.kind == "ask":
            body["boolean"] = res.boolean
        return JSONResponse(body, headers=headers)

    base = settings.base_iri
    # label columns become the link text of their IRI column in that row
    shown_cols = [c for c in columns if c not in label_cols]
    table = []
    for r in rows[:HTML_ROWS]:
        row_labels = dict(labels)
        for lc, c in label_cols.items():
            if isinstance(r.get(c), URIRef) and r.get(lc) is not None:
                row_labels[str(r[c])] = str(r[lc])
        # an unbound "x" whose "xLabel" is bound shows the label
        table.append([cell(r.get(c) if r.get(c) is not None else r.get(c + "Label"), row_labels, base)
                      for c in shown_cols])
    columns = shown_cols
    ctx.update({"ran": True, "columns": columns, "table": table, "count": len(rows),
                "shown": len(table), "truncated": res.truncated, "row_limit": settings.max_rows,
                "elapsed_ms": elapsed * 1000, "kind": res.kind, "boolean": res.boolean})
    return render(request, "query.html", ctx, headers=headers)
