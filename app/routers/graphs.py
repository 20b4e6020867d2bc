"""Named graphs as resources, and the read side of the SPARQL 1.1 Graph Store Protocol.

* ``/graphs`` lists every named graph of the store (HTML, or JSON by ``Accept`` / ``.json``).
* ``/id/graph/{slug}`` is one named graph: a page (what it holds, the source it comes
  from, its counts by class, its files) for a browser; its triples in Turtle, N-Triples,
  JSON-LD, RDF/XML, TriG or N-Quads by ``Accept`` or by suffix (``.ttl``, ``.nt``,
  ``.jsonld``, ``.rdf``, ``.trig``, ``.nq``); ``.json`` is the page's data. These are the
  per-graph downloads too.
* ``GET /data?graph={iri}`` and ``GET /data?default`` (SPARQL 1.1 Graph Store HTTP
  Protocol, section 5.2, read only): one named graph, or the default graph (the union of
  all named graphs), by ``Accept``. Writes answer 405: the data changes only through the
  curated files and ``wckg build``.

A graph larger than :data:`MAX_TRIPLES` is not serialised on the fly (413, pointing at the
dumps on ``/downloads``).
"""
from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from graph import publish as pub
from graph.backend import Backend
from graph.results import serialized_bytes

from ..deps import BackendDep, SettingsDep
from ..negotiation import HTML, MEDIA_ALIASES, RDF_FORMATS, Format, choose
from ..templating import render

router = APIRouter(tags=["graphs"])

#: Largest graph served on the fly (triples); bigger ones are in the dumps.
MAX_TRIPLES = 500_000

TRIG = Format("trig", "application/trig", "trig", "TriG")
NQUADS = Format("nquads", "application/n-quads", "nq", "N-Quads")
JSON = Format("json", "application/json", "json", "JSON (page data)")
GRAPH_FORMATS: list[Format] = [*RDF_FORMATS, TRIG, NQUADS]
BY_SUFFIX = {f.suffix: f for f in [*GRAPH_FORMATS, JSON]}
#: A graph resource: HTML for people, its triples for RDF clients, page data as JSON.
OFFERS: list[tuple[str, Format]] = ([(HTML.media_type, HTML)] + [(f.media_type, f) for f in GRAPH_FORMATS]
                                    + list(MEDIA_ALIASES.items()) + [(JSON.media_type, JSON)])
#: The Graph Store Protocol answers RDF only (Turtle first).
GSP_OFFERS: list[tuple[str, Format]] = ([(f.media_type, f) for f in GRAPH_FORMATS]
                                        + [(m, f) for m, f in MEDIA_ALIASES.items() if f is not HTML])

KIND_TITLES = {"ontology": "The ontology and its SHACL shapes",
               "reference": "Reference data: organisations, people, places, policies, vocabularies, sources",
               "metrics": "Partnership-network metrics computed at build time",
               "entailments": "RDFS entailments computed at build time",
               "article": "What one source article states"}


def _graph_kind(slug: str) -> str:
    return slug if slug in ("ontology", "reference", "metrics", "entailments") else "article"


def _error(request: Request, status: int, title: str, detail: str, hint: str | None = None,
           headers: dict[str, str] | None = None) -> Response:
    from ..errors import error_response
    return error_response(request, status, title, detail, hint=hint, headers=headers)


def _graphs(backend: Backend) -> dict[str, int]:
    return dict(backend.info().graphs)


def link_header(path: str) -> str:
    parts = [f'<{path}>; rel="alternate"; type="text/html"']
    parts += [f'<{path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in [*GRAPH_FORMATS, JSON]]
    return ", ".join(parts)


def _triples_of(backend: Backend, graph: str | None, settings: Any) -> list[ox.Triple]:
    """The triples of named graph *graph* (None: the default graph, the union)."""
    if graph is None:
        text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    else:
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    res = backend.query(text, timeout=max(settings.query_timeout, 30.0))
    return list(ox.parse(res.payload, format=ox.RdfFormat.N_TRIPLES))


def serialize(triples: list[ox.Triple], fmt: Format, graph: str | None, settings: Any) -> bytes:
    """*triples* in *fmt*; TriG and N-Quads put them in graph *graph* (None: default graph)."""
    prefixes = pub.kind_prefixes(settings)
    if fmt.key in ("trig", "nquads"):
        name = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        quads = sorted((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples), key=str)
        if fmt.key == "nquads":
            return serialized_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        return serialized_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG,
                                             prefixes=pub.used_prefixes(triples, prefixes)))
    triples = sorted(triples, key=str)
    if fmt.key == "turtle":
        return pub.serialize_turtle(triples, prefixes)
    if fmt.key == "jsonld":
        context = pub.load_context(settings)
        return pub.JsonLdWriter(context).serialize(triples, context["@context"])
    if fmt.key == "rdfxml":
        return pub.serialize_rdfxml(triples, prefixes)
    return pub.serialize_ntriples(triples)


def _media(fmt: Format) -> str:
    return fmt.media_type + ("; charset=utf-8" if fmt.key in ("turtle", "ntriples", "trig", "nquads") else "")


async def _rdf_answer(request: Request, backend: Backend, settings: Any, graph: str | None, count: int,
                      fmt: Format, headers: dict[str, str]) -> Response:
    if count > MAX_TRIPLES:
        return _error(request, 413, "Graph too large",
                      f"{'the default graph' if graph is None else graph} holds {count:,} triples, more than "
                      f"the {MAX_TRIPLES:,} served on the fly",
                      hint="download the dumps from /downloads, or ask /sparql for the part you need",
                      headers=headers)
    triples = await run_in_threadpool(_triples_of, backend, graph, settings)
    body = await run_in_threadpool(serialize, triples, fmt, graph, settings)
    return Response(body, media_type=_media(fmt), headers=headers)


# --- the list of graphs ----------------------------------------------------------------

def _graph_rows(backend: Backend, settings: Any) -> list[dict]:
    prefix = settings.base_iri + "graph/"
    rows: list[dict[str, Any]] = []
    for iri, n in sorted(_graphs(backend).items()):
        slug = iri[len(prefix):] if iri.startswith(prefix) else None
        rows.append({"iri": iri, "triples": n, "slug": slug, "kind": _graph_kind(slug) if slug else "other",
                     "href": f"/id/graph/{slug}" if slug else None})
    order = {"ontology": 0, "reference": 1, "entailments": 2, "metrics": 3, "article": 4, "other": 5}
    rows.sort(key=lambda r: (order[r["kind"]], r["iri"]))
    return rows


@router.get("/graphs", summary="The named graphs of the store (HTML, or JSON by Accept)")
@router.get("/graphs.json", summary="The named graphs of the store (JSON)", include_in_schema=False)
def graphs_page(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    rows = _graph_rows(backend, settings)
    as_json = request.url.path.endswith(".json") or \
        choose(request, [("text/html", "html"), ("application/json", "json")]) == "json"
    headers = {"Vary": "Accept", "Link": '</graphs>; rel="alternate"; type="text/html", '
                                         '</graphs.json>; rel="alternate"; type="application/json"'}
    if as_json:
        return JSONResponse({"graphs": rows, "gsp": "/data", "total_triples": sum(r["triples"] for r in rows)},
                            headers=headers)
    return render(request, "graphs.html", {"graphs": rows, "kind_titles": KIND_TITLES,
                                           "total": sum(r["triples"] for r in rows)}, headers=headers)


# --- one graph -------------------------------------------------------------------------

def _describe_graph(backend: Backend, settings: Any, iri: str, slug: str, count: int) -> dict:
    node = ox.NamedNode(iri)
    classes = [{"class": str(r["class"]), "n": int(r["n"])} for r in backend.select(
        f"SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {node} {{ ?s a ?class }} }} "
        f"GROUP BY ?class ORDER BY DESC(?n) ?class LIMIT 200")]
    subjects = backend.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}")
    sources = [{"iri": str(r["src"]), "title": str(r["title"]) if r.get("title") else None,
                "issued": str(r["issued"]) if r.get("issued") else None} for r in backend.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        f"SELECT ?src (SAMPLE(?t) AS ?title) (SAMPLE(?d) AS ?issued) WHERE {{ {node} prov:wasDerivedFrom ?src . "
        "OPTIONAL { ?src dcterms:title ?t } OPTIONAL { ?src dcterms:issued ?d } } GROUP BY ?src ORDER BY ?src")]
    files = sorted(path for path, meta in (backend.info().files or {}).items()
                   if _same_graph(meta.get("graph"), iri, settings))
    from ..templating import local_href
    for s in sources:
        s["href"] = local_href(s["iri"], settings.base_iri)
    path = f"/id/graph/{slug}"
    return {"iri": iri, "slug": slug, "kind": _graph_kind(slug), "title": KIND_TITLES[_graph_kind(slug)],
            "triples": count, "subjects": int(subjects[0]["n"]) if subjects else 0, "classes": classes,
            "sources": sources, "files": files, "gsp": f"/data?graph={iri}",
            "formats": [{"url": f"{path}.{f.suffix}", "type": f.media_type, "title": f.title}
                        for f in [*GRAPH_FORMATS, JSON]]}


def _same_graph(graph: str | None, iri: str, settings: Any) -> bool:
    if not graph:
        return False
    from graph.store import rebase
    return rebase(graph, settings.base_iri) == iri


@router.get("/id/graph/{slug}", summary="A named graph: its page, or its triples by Accept or suffix",
            responses={200: {"content": {f.media_type: {} for f in [HTML, *GRAPH_FORMATS, JSON]}},
                       404: {"description": "no such graph"}, 406: {"description": "no acceptable format"}})
async def graph_page(slug: str, request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    stem, _, suffix = slug.partition(".")
    fmt_by_suffix = None
    if suffix:
        fmt_by_suffix = BY_SUFFIX.get(suffix) or (HTML if suffix == "html" else None)
        if fmt_by_suffix is None:
            return _error(request, 404, "Not found", f"unknown format suffix .{suffix} for /id/graph/{stem}",
                          hint="use one of: " + ", ".join("." + f.suffix for f in [*GRAPH_FORMATS, JSON]))
    iri = f"{settings.base_iri}graph/{stem}"
    graphs = await run_in_threadpool(_graphs, backend)
    path = f"/id/graph/{stem}"
    headers = {"Link": link_header(path), "Vary": "Accept"}
    if iri not in graphs:
        return _error(request, 404, "Not found", f"there is no named graph {iri} in this dataset",
                      hint="the graphs are listed at /graphs")
    fmt = choose(request, OFFERS, suffix=fmt_by_suffix)
    if fmt is None:
        return _error(request, 406, "Not acceptable", "none of the media types in Accept is offered here",
                      hint="accept one of: " + ", ".join(m for m, _ in OFFERS), headers=headers)
    if fmt_by_suffix is not None:
        headers["Content-Location"] = f"{path}.{fmt.suffix}"
    if fmt in GRAPH_FORMATS:
        return await _rdf_answer(request, backend, settings, iri, graphs[iri], fmt, headers)
    info = await run_in_threadpool(_describe_graph, backend, settings, iri, stem, graphs[iri])
    if fmt is JSON:
        return JSONResponse(info, headers=headers)
    return render(request, "graph.html", {"g": info}, headers=headers)


# --- the Graph Store Protocol (read side) ------------------------------------------------

_GSP_ALLOW = "GET, HEAD, OPTIONS"


@router.get("/data", summary="SPARQL 1.1 Graph Store Protocol, read side: ?graph={iri} or ?default",
            responses={200: {"content": {f.media_type: {} for f in GRAPH_FORMATS}},
                       400: {"description": "neither or both of graph= and default"},
                       404: {"description": "no such graph"}, 413: {"description": "graph too large"}})
async def gsp_get(request: Request, backend: BackendDep, settings: SettingsDep) -> Response:
    params = request.query_params
    graph_values = params.getlist("graph")
    default = "default" in params
    if default == bool(graph_values) or len(graph_values) > 1:
        return _error(request, 400, "Bad request",
                      "name exactly one graph: ?graph={IRI} or ?default" if not (default and graph_values)
                      else "?graph= and ?default cannot both be given",
                      hint="e.g. /data?graph=" + settings.base_iri + "graph/reference, or /data?default")
    fmt = choose(request, GSP_OFFERS)
    headers = {"Vary": "Accept"}
    if fmt is None:
        return _error(request, 406, "Not acceptable", "none of the media types in Accept is offered here",
                      hint="accept one of: " + ", ".join(m for m, _ in GSP_OFFERS))
    graphs = await run_in_threadpool(_graphs, backend)
    if default:
        return await _rdf_answer(request, backend, settings, None, sum(graphs.values()), fmt, headers)
    iri = graph_values[0]
    if iri not in graphs:
        return _error(request, 404, "Not found", f"there is no named graph {iri} in this dataset",
                      hint="the graphs are listed at /graphs")
    return await _rdf_answer(request, backend, settings, iri, graphs[iri], fmt, headers)


@router.api_route("/data", methods=["PUT", "POST", "DELETE", "PATCH"], include_in_schema=False)
async def gsp_write(request: Request) -> Response:
    return _error(request, 405, "Method not allowed",
                  "this Graph Store is read-only: PUT, POST and DELETE are not accepted",
                  hint="the data changes only through the curated files and `wckg build`",
                  headers={"Allow": _GSP_ALLOW})


__all__ = ["router", "serialize", "GRAPH_FORMATS", "MAX_TRIPLES"]
