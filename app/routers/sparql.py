"""The public SPARQL 1.1 Protocol endpoint ``/sparql`` (read-only).

* Query by ``GET ?query=``, by ``POST`` of a form (``application/x-www-form-urlencoded``)
  or of the query itself (``application/sparql-query``); ``default-graph-uri`` and
  ``named-graph-uri`` go to the backend. The union default graph applies only when the
  query names no dataset: ``FROM`` / ``FROM NAMED`` are honoured (:mod:`graph.sparqltext`).
* Results by content negotiation (``Accept``) or a ``format=`` / ``output=`` override (a
  format name such as ``json``/``turtle``/``n3``, a file extension such as ``ttl``, a media
  type, or a comma-separated list of them as SPARQLWrapper sends); a value no result can
  take falls back to ``Accept`` when that names a type we produce.
* ``GET /sparql`` with no query: the YASGUI editor for browsers, a SPARQL Service
  Description (Turtle, JSON-LD, ... by ``Accept``) for everything else.
* Updates (``update=``, ``application/sparql-update``) are refused with 403; SERVICE and
  LOAD are refused by :mod:`graph.safety` (403). Per-query time limit and row cap come
  from the settings and are enforced by the backend: ``X-WCKG-Truncated`` and
  ``X-WCKG-Row-Limit`` say when the cap cut a result, a timeout answers 503.
* CORS ``*`` without credentials (:class:`SparqlCorsMiddleware`).

Backend calls run in a worker thread: the event loop never waits on a query.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.backend import Backend
from graph.errors import ForbiddenQuery, QueryError
from graph.namespaces import KINDS, PREFIXES, SD, WC, bind_prefixes
from graph.results import RDF_OUTPUT_FORMATS, RESULT_FORMATS

from ..deps import BackendDep, SettingsDep
from ..errors import error_response
from ..negotiation import choose, named
from ..templating import render

router = APIRouter(tags=["sparql"])

#: Largest query text accepted (bytes of the request body or the ``query`` parameter).
MAX_QUERY_BYTES = 256 * 1024

FORMATS_NS = "http://www.w3.org/ns/formats/"

# ---------------------------------------------------------------------------------------
# formats and content negotiation
# ---------------------------------------------------------------------------------------

#: Media types a client may ask for → our format name (first of each family = default).
RESULT_MEDIA: list[tuple[str, str]] = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
]
GRAPH_MEDIA: list[tuple[str, str]] = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "ntriples"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/trig", "trig"),
    ("application/n-quads", "nquads"),
    ("application/x-turtle", "turtle"),
    ("text/plain", "ntriples"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
]

#: ``format=`` aliases (file extensions and common short names).
FORMAT_ALIASES = {
    "srj": "json", "srx": "xml", "sparql-json": "json", "sparql-xml": "xml",
    "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld",
    "rdf": "rdfxml", "rdf+xml": "rdfxml", "owl": "rdfxml", "nq": "nquads", "n-quads": "nquads",
    # what SPARQLWrapper, Jena and Virtuoso clients send (N3 answers as Turtle, its subset)
    "n3": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle", "application/n3": "turtle",
    "application/turtle": "turtle", "application/x-turtle": "turtle",
    "application/x-json+ld": "jsonld", "application/json-ld": "jsonld",
    "text/javascript": "json", "application/javascript": "json",
    "text/tsv": "tsv", "text/x-tsv": "tsv", "text/comma-separated-values": "csv",
}

#: Query parameters that carry a result format (SPARQLWrapper sends all of them; Fuseki
#: and Virtuoso read ``output`` / ``format``).
FORMAT_PARAMS = ("format", "output", "results")


def format_candidates(values: list[str] | str | None) -> list[str]:
    """Every format a client named: repeated parameters and comma-separated lists of
    media types (``application/ld+json,application/x-json+ld``), media-type parameters
    (``;q=``, ``;charset=``) dropped, aliases resolved, order kept."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            v = item.split(";")[0].strip().lower()
            if v:
                out.append(FORMAT_ALIASES.get(v, v))
    return list(dict.fromkeys(out))


def _family_name(v: str, graph: bool) -> str | None:
    """The format name of candidate *v* for a result of the given family, or None."""
    if graph:
        v = {"json": "jsonld", "xml": "rdfxml"}.get(v, v)
    names = RDF_OUTPUT_FORMATS if graph else RESULT_FORMATS
    if v in names:
        return v
    media = dict((m, f) for m, f in reversed(GRAPH_MEDIA if graph else RESULT_MEDIA))
    return media.get(v)

#: W3C format IRIs for the service description.
FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples",
    "jsonld": "JSON-LD", "rdfxml": "RDF_XML", "trig": "TriG", "nquads": "N-Quads",
}

#: Service description serialisations: format name → rdflib plugin.
SD_RDFLIB = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml",
             "trig": "trig", "nquads": "nquads"}


def prefers_html(request: Request) -> bool:
    """A browser asking for a page (``text/html`` preferred over every RDF/results type)."""
    html_q = named(request, "text/html")
    return html_q > 0 and html_q >= max(named(request, m) for m, _ in RESULT_MEDIA + GRAPH_MEDIA)


def resolve_format(value: list[str] | str, kind: str) -> tuple[str, str]:
    """``format=`` value(s) → (media type, format name) for a result of *kind*: the first
    candidate (see :func:`format_candidates`) this kind of result can take;
    :class:`QueryError` naming the choices otherwise."""
    graph = kind == "graph"
    names = RDF_OUTPUT_FORMATS if graph else RESULT_FORMATS
    candidates = format_candidates(value)
    for v in candidates:
        name = _family_name(v, graph)
        if name is not None:
            return (names[name][1], name)
    shown = value if isinstance(value, str) else ",".join(value)
    if any(_family_name(v, not graph) for v in candidates):
        raise QueryError(
            f"format={shown!r} is for {'SELECT/ASK' if graph else 'CONSTRUCT/DESCRIBE'} results, "
            f"but this is a {'CONSTRUCT/DESCRIBE' if graph else 'SELECT/ASK'} query",
            hint=f"use one of: {', '.join(names)}")
    raise QueryError(f"unknown format={shown!r}",
                     hint=f"use one of: {', '.join(names)} (or a media type)")


def _format_is_known(values: list[str]) -> bool:
    return any(_family_name(v, g) for v in format_candidates(values) for g in (True, False))


def _accept_is_specific(request: Request) -> bool:
    """Whether the Accept header names a results or RDF media type we produce (more than
    ``*/*``): then an unknown ``format=`` falls back to it."""
    return any(named(request, m) > 0 for m, _ in RESULT_MEDIA + GRAPH_MEDIA)


# ---------------------------------------------------------------------------------------
# CORS for the public endpoint
# ---------------------------------------------------------------------------------------

CORS_PATHS = ("/sparql",)
#: Public, read-only linked data answers CORS ``*`` too, so that a web page elsewhere can
#: fetch an entity, a graph or a dump (never the review pages, which use a cookie).
CORS_PREFIXES = ("/id/", "/data", "/graphs", "/downloads", "/ontology", "/catalog", "/.well-known/void",
                 "/search.json", "/classes")
EXPOSED = "X-WCKG-Truncated, X-WCKG-Truncated-By, X-WCKG-Row-Limit, X-WCKG-Answer-Limit, Retry-After, X-WCKG-Time-Limit, Content-Type, Link, ETag, Last-Modified"


class SparqlCorsMiddleware:
    """``Access-Control-Allow-Origin: *`` (and never credentials) on the public endpoint,
    including its error answers; answers CORS preflight requests itself."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...] = CORS_PATHS) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["path"].rstrip("/") not in self.paths
                                       and not scope["path"].startswith(CORS_PREFIXES)):
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await send({"type": "http.response.start", "status": 204, "headers": [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                (b"access-control-allow-headers", b"Accept, Content-Type, If-None-Match, If-Modified-Since"),
                (b"access-control-max-age", b"86400"),
                (b"vary", b"Origin"),
            ]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                hs = [(k, v) for k, v in message.get("headers", [])
                      if k.lower() not in (b"access-control-allow-origin",
                                           b"access-control-allow-credentials")]
                hs.append((b"access-control-allow-origin", b"*"))
                hs.append((b"access-control-expose-headers", EXPOSED.encode()))
                message["headers"] = hs
            await send(message)

        await self.app(scope, receive, send_cors)


# ---------------------------------------------------------------------------------------
# the endpoint
# ---------------------------------------------------------------------------------------

_UPDATE_MESSAGE = ("this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) "
                   "is not accepted")
_UPDATE_HINT = "the data changes only through the curated files and `wckg build`"


def _check_size(text: str, what: str) -> None:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        raise QueryError(f"the {what} is longer than {MAX_QUERY_BYTES // 1024} KiB")


def _check_graph_iris(iris: list[str], param: str) -> list[str]:
    for iri in iris:
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", iri):
            raise QueryError(f"{param}={iri!r} is not an absolute IRI",
                             hint="give the full IRI of a named graph, e.g. "
                                  f"{PREFIXES['wcid']}graph/reference")
    return iris


async def run_sparql(request: Request, backend: Backend, settings: Any, query: str,
                     default_graphs: list[str], named_graphs: list[str],
                     fmt: list[str] | str | None) -> Response:
    """Run *query* and answer it in the negotiated format. *fmt*: the values of the
    ``format``/``output`` parameters; values no result can take fall back to ``Accept``
    when it names a type we produce."""
    _check_size(query, "query")
    fmt = [fmt] if isinstance(fmt, str) else [v for v in (fmt or []) if v and v.strip()]
    if fmt and not _format_is_known(fmt):
        if _accept_is_specific(request):
            fmt = []
        else:
            _check_format_known(",".join(fmt))  # before the query runs, not after
    dg = _check_graph_iris(default_graphs, "default-graph-uri") or None
    ng = _check_graph_iris(named_graphs, "named-graph-uri") or None
    from ..limits import public_query, run_until_client_leaves
    async with public_query(request):  # per-client rate and concurrency, bounded queue (app.limits)
        res = await run_until_client_leaves(request, lambda cancel: backend.query(
            query, timeout=settings.query_timeout, limit=settings.max_rows, default_graphs=dg, named_graphs=ng,
            max_bytes=settings.max_answer_bytes, lane="public", cancel=cancel))
    if fmt:
        media, name = resolve_format(fmt, res.kind)
    else:
        offers = GRAPH_MEDIA if res.kind == "graph" else RESULT_MEDIA
        chosen = choose(request, offers)
        if chosen is None:
            names = RDF_OUTPUT_FORMATS if res.kind == "graph" else RESULT_FORMATS
            return _not_acceptable(request, [m for m, _ in offers], list(names))
        name = chosen
        media = (RDF_OUTPUT_FORMATS[name][1] if res.kind == "graph" else RESULT_FORMATS[name][1])
    body = await run_in_threadpool(res.serialize, name)
    if name == "json" and res.kind in ("select", "ask"):
        body = await run_in_threadpool(with_limits, body, res, settings, endpoint_url(request, settings) + "#limits")
    headers: dict[str, str] = {**({"X-WCKG-Truncated-By": res.truncated_by} if res.truncated_by else {}),
        "X-WCKG-Truncated": "true" if res.truncated else "false",
        "X-WCKG-Row-Limit": str(settings.max_rows),
        "X-WCKG-Answer-Limit": str(settings.max_answer_bytes),
        "Vary": "Accept",
        "Cache-Control": "no-cache",
    }
    if media.startswith("text/") or media.endswith(("+json", "+xml", "/json", "/xml")) \
            or name in ("turtle", "ntriples", "trig", "nquads", "jsonld"):
        media_header = f"{media}; charset=utf-8"
    else:
        media_header = media
    return Response(body, media_type=media_header, headers=headers)


def with_limits(body: bytes, res: Any, settings: Any, about: str) -> bytes:
    """SPARQL JSON results that say the endpoint's caps, as the headers do: ``head.link``
    (SPARQL 1.1 JSON results: links to metadata about the results) points at the page
    section that states them, and the extra top-level member ``limits`` (which SPARQL JSON
    clients ignore: SPARQLWrapper, rdflib, Oxigraph, YASR) gives them, before the results::

        "limits": {"rowLimit": 10000, "answerLimitBytes": ..., "truncated": true, "truncatedBy": "rows"}
    """
    import json
    doc = json.loads(body)
    head = doc.setdefault("head", {})
    head["link"] = [*head.get("link", []), about]
    limits = {"rowLimit": settings.max_rows, "answerLimitBytes": settings.max_answer_bytes,
              "truncated": bool(res.truncated), "truncatedBy": res.truncated_by}
    # after head, before the results: streaming parsers (Oxigraph's) refuse members after them
    doc = {"head": head, "limits": limits, **{k: v for k, v in doc.items() if k != "head"}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _check_format_known(value: str) -> None:
    """A ``format=`` that no result of any query form can take is refused at once."""
    if not _format_is_known([value]):
        raise QueryError(f"unknown format={value!r}",
                         hint=f"use one of: {', '.join(RESULT_FORMATS)} (SELECT/ASK); "
                              f"{', '.join(RDF_OUTPUT_FORMATS)} (CONSTRUCT/DESCRIBE); or a media type")


def _not_acceptable(request: Request, media: list[str], names: list[str]) -> Response:
    return error_response(
        request, 406, "Not acceptable",
        f"none of the media types in Accept: {request.headers.get('accept', '')!r} can be produced "
        f"for this result", hint=f"accept one of: {', '.join(dict.fromkeys(media))}, or add "
                                 f"format= ({', '.join(names)})",
        extra={"formats": names})


@router.get("/sparql", name="sparql_get", summary="SPARQL 1.1 query (GET), editor or service description",
            response_class=Response,
            responses={200: {"description": "query results, the YASGUI editor (HTML) or the "
                                            "service description (RDF)",
                             "content": {"application/sparql-results+json": {}, "text/turtle": {},
                                         "text/html": {}}},
                       400: {"description": "malformed query (with line and column)"},
                       403: {"description": "update, SERVICE or LOAD"},
                       503: {"description": "time limit reached"}})
async def sparql_get(
    request: Request,
    backend: BackendDep,
    settings: SettingsDep,
    query: str | None = Query(None, description="the SPARQL query"),
    default_graph_uri: list[str] = Query([], alias="default-graph-uri",
                                         description="IRI of a graph that makes up the default graph"),
    named_graph_uri: list[str] = Query([], alias="named-graph-uri",
                                       description="IRI of a named graph of the dataset"),
    format: str | None = Query(None, description="result format overriding Accept: json, xml, csv, "
                                                 "tsv (SELECT/ASK); turtle, ntriples, jsonld, rdfxml, "
                                                 "trig, nquads (CONSTRUCT/DESCRIBE); or a media type"),
    update: str | None = Query(None, description="refused: the endpoint is read-only"),
) -> Response:
    if update is not None:
        raise ForbiddenQuery(_UPDATE_MESSAGE, hint=_UPDATE_HINT)
    formats = [v for p in FORMAT_PARAMS for v in request.query_params.getlist(p)]
    if query is None or (prefers_html(request) and not formats):
        if prefers_html(request):
            return await editor_page(request, backend, settings)
        return await service_description(request, backend, settings, ",".join(formats) or None)
    if not query.strip():
        raise QueryError("the query parameter is empty", hint="put a SPARQL query in ?query=")
    return await run_sparql(request, backend, settings, query, default_graph_uri, named_graph_uri, formats)


@router.post("/sparql", name="sparql_post", summary="SPARQL 1.1 query (POST form or application/sparql-query)",
             response_class=Response,
             openapi_extra={"requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"},
                     "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                     "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                     "format": {"type": "string"}}}},
                 "application/sparql-query": {"schema": {"type": "string"}}}}})
async def sparql_post(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_QUERY_BYTES * 2:
        raise QueryError(f"the request body is longer than {MAX_QUERY_BYTES // 1024} KiB")
    raw = await request.body()
    if len(raw) > MAX_QUERY_BYTES * 2:
        raise QueryError(f"the request body is longer than {MAX_QUERY_BYTES // 1024} KiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise QueryError(f"the request body is not UTF-8 (byte {e.start})",
                         hint="send the query encoded as UTF-8") from None
    url_params = request.query_params
    if ctype == "application/sparql-update":
        raise ForbiddenQuery(_UPDATE_MESSAGE, hint=_UPDATE_HINT)
    if ctype == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        form: dict[str, list[str]] = {}
        for k, v in pairs:
            form.setdefault(k, []).append(v)
        if "update" in form:
            raise ForbiddenQuery(_UPDATE_MESSAGE, hint=_UPDATE_HINT)
        queries = form.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            raise QueryError("the form must carry exactly one non-empty 'query' field"
                             if len(queries) != 1 else "the query field is empty")
        fmt = [v for p in FORMAT_PARAMS for v in form.get(p, []) + url_params.getlist(p)]
        return await run_sparql(request, backend, settings, queries[0],
                                form.get("default-graph-uri", []) + url_params.getlist("default-graph-uri"),
                                form.get("named-graph-uri", []) + url_params.getlist("named-graph-uri"), fmt)
    if ctype == "application/sparql-query":
        if not text.strip():
            raise QueryError("the request body is empty", hint="POST the SPARQL query as the body")
        return await run_sparql(request, backend, settings, text,
                                url_params.getlist("default-graph-uri"),
                                url_params.getlist("named-graph-uri"),
                                [v for p in FORMAT_PARAMS for v in url_params.getlist(p)])
    return error_response(
        request, 415, "Unsupported media type",
        f"a POST to /sparql must be application/x-www-form-urlencoded or application/sparql-query, "
        f"not {ctype or 'without a Content-Type'!s}",
        hint="see the SPARQL 1.1 Protocol, section 2.1")


# ---------------------------------------------------------------------------------------
# editor page and service description
# ---------------------------------------------------------------------------------------

def endpoint_url(request: Request, settings: Any) -> str:
    return str(request.url_for("sparql_get"))


def _named_query_examples(settings: Any) -> list[dict[str, str]]:
    """The named queries as editor examples (parameters bound to their examples by a
    VALUES block inside the WHERE clause, so that each example runs as is)."""
    from graph.errors import WckgError
    from graph.queries import cached_library
    try:
        library = cached_library(settings.queries_dir)
    except WckgError as e:  # a broken query file must not take the editor down
        import logging
        logging.getLogger("wckg.app").error("named queries not offered as examples: %s", e)
        return []
    out = []
    for q in _iter_queries(library):
        out.append({"name": q.name, "title": getattr(q, "title", q.name) or q.name,
                    "query": example_text(q)})
    return out


def _iter_queries(library: Any) -> list[Any]:
    if isinstance(library, dict):
        return list(library.values())
    return list(library)


def example_text(q: Any) -> str:
    """The text of a named query with each parameter bound to its example value by a
    VALUES block inside its WHERE clause, so that each example runs as is."""
    from graph.queries import bind_as_values
    # the #+ header becomes one comment line pointing at the query's page
    body = "\n".join(line for line in q.text.splitlines() if not line.startswith("#+")).strip()
    return f"# {q.title} (/queries/{q.name})\n{bind_as_values(body, q.example_bindings()).rstrip()}\n"


async def editor_page(request: Request, backend: Backend, settings: Any) -> Response:
    examples = await run_in_threadpool(_named_query_examples, settings)
    # start from the data, not the ontology: the organisations with their kind. Every
    # organisation is typed with a subclass, hence `?kind rdfs:subClassOf* wc:Organisation`.
    default_query = (
        "PREFIX wc: <https://w3id.org/wckg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n\n"
        "# Organisations in the data and their kind (every kind is a subclass of wc:Organisation)\n"
        "SELECT ?org ?name ?kind WHERE {\n"
        "  ?org a ?kind .\n"
        "  ?kind rdfs:subClassOf* wc:Organisation .\n"
        "  ?org skos:prefLabel ?name .\n"
        "  FILTER(LANG(?name) = \"en\")\n"
        "}\nORDER BY ?name\nLIMIT 100\n")
    config = {
        "endpoint": endpoint_url(request, settings),
        "prefixes": PREFIXES,
        "examples": examples,
        "defaultQuery": default_query,
        "timeout": settings.query_timeout,
        "maxRows": settings.max_rows,
        "baseIri": settings.base_iri,
        "vocabularyNs": str(WC),
        "kinds": list(KINDS),
    }
    return render(request, "sparql.html", {"config": config, "examples": examples,
                                           "endpoint": config["endpoint"]},
                  headers={"Vary": "Accept"})


def service_description_graph(endpoint: str, info: Any, settings: Any) -> Graph:
    """SPARQL 1.1 Service Description of the endpoint, its default dataset described with VoID."""
    g = Graph()
    bind_prefixes(g)
    g.bind("sd", str(SD))
    g.bind("formats", FORMATS_NS)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, svc))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    # no sd:BasicFederatedQuery: SERVICE is refused
    for local in FORMAT_IRIS.values():
        g.add((svc, SD.resultFormat, URIRef(FORMATS_NS + local)))
    ds = BNode("dataset")
    g.add((svc, SD.defaultDataset, ds))
    g.add((ds, RDF.type, SD.Dataset))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("Water Cooperation Knowledge Graph", lang="en")))
    if getattr(settings, "licence", None):
        g.add((ds, DCTERMS.license, URIRef(settings.licence)))
    g.add((ds, VOID.sparqlEndpoint, svc))
    graphs = dict(getattr(info, "graphs", {}) or {})
    total = getattr(info, "triples", None)
    if total is None:
        total = sum(graphs.values())
    g.add((ds, VOID.triples, Literal(int(total), datatype=XSD.integer)))
    built = getattr(info, "built_at", None)
    if built:
        g.add((ds, DCTERMS.modified, Literal(built, datatype=XSD.dateTime) if isinstance(built, str)
               else Literal(built)))
    dg = BNode("defaultGraph")
    g.add((ds, SD.defaultGraph, dg))
    g.add((dg, RDF.type, SD.Graph))
    g.add((dg, VOID.triples, Literal(int(total), datatype=XSD.integer)))
    for i, (name, count) in enumerate(sorted(graphs.items())):
        ng = BNode(f"ng{i}")
        gr = BNode(f"g{i}")
        g.add((ds, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, URIRef(name)))
        g.add((ng, SD.graph, gr))
        g.add((gr, RDF.type, SD.Graph))
        g.add((gr, VOID.triples, Literal(int(count), datatype=XSD.integer)))
    return g


async def service_description(request: Request, backend: Backend, settings: Any, fmt: str | None) -> Response:
    offers = [(m, f) for m, f in GRAPH_MEDIA]
    if fmt:
        media, name = resolve_format(fmt, "graph")
    else:
        chosen = choose(request, offers)
        if chosen is None:
            return _not_acceptable(request, [m for m, _ in offers], list(SD_RDFLIB))
        name = chosen
        media = RDF_OUTPUT_FORMATS[name][1]
    info = await run_in_threadpool(backend.info)
    g = service_description_graph(endpoint_url(request, settings), info, settings)
    if name in ("trig", "nquads"):
        from rdflib import Dataset
        d = Dataset()
        bind_prefixes(d)
        d.bind("sd", str(SD))
        d.bind("formats", FORMATS_NS)
        for t in g:
            d.add(t)
        body = d.serialize(format=SD_RDFLIB[name], encoding="utf-8")
    else:
        body = g.serialize(format=SD_RDFLIB[name], encoding="utf-8")
    return Response(body, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})
