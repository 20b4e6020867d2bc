"""Publishing pages: the release bundle, the DCAT-AP catalog, VoID and the ontology.

* ``/downloads``: the files of the release bundle with sizes and SHA-256 (JSON with
  ``Accept: application/json``); ``/downloads/{file}`` serves one of them.
* ``/catalog``: the DCAT-AP 3 catalog by content negotiation (Turtle, JSON-LD, RDF/XML,
  N-Triples; a summary page for browsers), or by suffix (``/catalog.ttl``...).
* ``/.well-known/void``: the VoID description (RFC 5785 / VoID §6), Turtle by default.
* ``/ontology``: documentation of every class and property, generated from the ontology
  graph (labels, definitions, domains, ranges, sub-classes, instances from the data), one
  anchor per term so that ``https://w3id.org/wckg/ontology#Event`` lands on ``#Event``;
  Turtle, JSON-LD, RDF/XML or N-Triples by ``Accept`` or suffix.
* ``/ontology/context.jsonld``: the published JSON-LD context.

The bundle is published by :func:`graph.publish.publish` into ``{store}/publish`` the
first time one of these pages needs it, and again whenever the store has been rebuilt
since (the build id it was made from is kept beside it). Publishing validates the graph
first: data that does not conform gives a 503 that says so, never a half-written bundle.
"""
from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from starlette.concurrency import run_in_threadpool

from graph import dcat
from graph import publish as pub
from graph.errors import StoreError
from graph.load import discover, parse_graph

from ..deps import BackendDep, SettingsDep
from ..negotiation import (
    HTML,
    MEDIA_ALIASES,
    PAGE_OFFERS,
    RDF_BY_SUFFIX,
    RDF_FORMATS,
    Format,
    choose,
)
from ..templating import curie, render

log = logging.getLogger("wckg.app")


@asynccontextmanager
async def _read_bundle_at_start(app: FastAPI) -> AsyncIterator[None]:
    """Parse the bundle's catalogue and compile the page's template when the server starts
    rather than on the first visit (the first parse also loads rdflib's Turtle parser:
    most of a second)."""
    from graph.build import release_dir

    from ..templating import env
    try:
        for name in ("base.html", "downloads.html"):
            env.get_template(name)
        out = release_dir(app.state.settings)
        if out is not None:
            path = out / "catalog.ttl"
            await run_in_threadpool(_parsed_turtle, path, path.stat().st_mtime_ns)
    except Exception as e:  # a page problem is answered by the page, not by refusing to start
        log.warning("could not read the release bundle at start: %s", e)
    yield


router = APIRouter(tags=["publishing"], lifespan=_read_bundle_at_start)


# --- content negotiation ---------------------------------------------------------------

BY_SUFFIX = RDF_BY_SUFFIX
ACCEPTED: dict[str, Format] = {f.media_type: f for f in RDF_FORMATS}
ACCEPTED.update({HTML.media_type: HTML, **MEDIA_ALIASES, "application/json": BY_SUFFIX["jsonld"]})


def negotiate(request: Request, default: Format = HTML) -> Format | None:
    """The best offered format for the request's ``Accept`` header; *default* for none or
    ``*/*`` (it is offered first); None when nothing fits (406)."""
    offers = [(default.media_type, default)] + [(m, f) for m, f in ACCEPTED.items() if m != default.media_type]
    return choose(request, offers)


def not_acceptable(offered: list[Format]) -> HTTPException:
    return HTTPException(406, "None of the formats in the Accept header is offered here. Offered: "
                         + ", ".join(f.media_type for f in offered) + ".")


def link_header(path: str, html: bool = True) -> str:
    parts = [f'<{path}>; rel="alternate"; type="text/html"'] if html else []
    parts += [f'<{path}.{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in RDF_FORMATS]
    return ", ".join(parts)


def rdf_response(triples: list[ox.Triple], fmt: Format, *, context_ref: Any, turtle: bytes | None = None,
                 headers: dict[str, str] | None = None) -> Response:
    prefixes = pub.kind_prefixes()
    if fmt.key == "turtle":
        body = turtle if turtle is not None else pub.serialize_turtle(triples, prefixes)
    elif fmt.key == "jsonld":
        writer = pub.JsonLdWriter(context_ref if isinstance(context_ref, dict) else pub.load_context())
        body = writer.serialize(triples, context_ref)
    elif fmt.key == "rdfxml":
        body = pub.serialize_rdfxml(triples, prefixes)
    else:
        body = pub.serialize_ntriples(triples)
    media = fmt.media_type + ("; charset=utf-8" if fmt.key in ("turtle", "ntriples") else "")
    return Response(body, media_type=media, headers={"Vary": "Accept", **(headers or {})})


# --- the release bundle of the current build ----------------------------------------------

def ensure_bundle(settings) -> Path:
    """The release bundle of the build being served (made by ``wckg build``; read as it is,
    never published here); 503 naming the command when the build has none."""
    from graph.build import release_dir
    out = release_dir(settings)
    if out is None:
        raise HTTPException(503, "This build of the store has no release bundle (dumps, catalogue, VoID). "
                                 "Run `wckg build` (it writes one unless --no-release or --validate none).")
    return out


def _manifest(out: Path) -> dict:
    return json.loads((out / pub.MANIFEST).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def _parsed_turtle(path: Path, _mtime_ns: int) -> Graph:
    """A Turtle file of the bundle (catalogue, ontology), parsed once per file version (a
    bundle never changes once written; a new build writes a new one)."""
    return Graph().parse(path, format="turtle")


# --- /downloads --------------------------------------------------------------------------

FILE_MEDIA = {".gz": "application/gzip", ".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json",
              ".rdf": "application/rdf+xml", ".md": "text/markdown; charset=utf-8", ".json": "application/json"}


@router.get("/downloads", summary="The release files, with sizes and SHA-256 checksums")
def downloads(request: Request, backend: BackendDep, settings: SettingsDep):
    out = ensure_bundle(settings)
    manifest = _manifest(out)
    if choose(request, PAGE_OFFERS) == "json":
        return JSONResponse(manifest, headers={"Vary": "Accept"})
    return render(request, "downloads.html", _catalog_context(out, manifest, settings, page="downloads"),
                  headers={"Vary": "Accept", "Link": '</downloads.json>; rel="alternate"; type="application/json"'})


@router.get("/downloads.json", summary="The release files (JSON: the bundle's manifest)")
def downloads_json(settings: SettingsDep):
    return JSONResponse(_manifest(ensure_bundle(settings)),
                        headers={"Link": '</downloads>; rel="alternate"; type="text/html"'})


def _as_plain_json(resp: Response) -> Response:
    """A JSON-LD answer as the ``.json`` twin of a page (the same document, ``application/json``)."""
    resp.headers["content-type"] = "application/json"
    return resp


@router.get("/downloads/{name}", summary="One file of the release bundle")
def download_file(name: str, backend: BackendDep, settings: SettingsDep):
    # Only the bundle's own file names: no path, no dot-files, nothing else under the store.
    if name not in pub.BUNDLE_NAMES:
        raise HTTPException(404, f"The release has no file {name!r}; /downloads lists them.")
    out = ensure_bundle(settings)
    path = out / name
    if not path.is_file():
        raise HTTPException(404, f"The release has no file {name!r}; /downloads lists them.")
    media = FILE_MEDIA.get(path.suffix, "text/plain; charset=utf-8")
    return FileResponse(path, media_type=media, filename=name,
                        content_disposition_type="attachment" if name.endswith(".gz") else "inline")


# --- /catalog and VoID ---------------------------------------------------------------------

def _catalog_context(out: Path, manifest: dict, settings, page: str) -> dict:
    path = out / "catalog.ttl"
    cat = _parsed_turtle(path, path.stat().st_mtime_ns)
    ds = URIRef(dcat.dataset_iri(settings))
    DC = "http://purl.org/dc/terms/"
    DCATNS = "http://www.w3.org/ns/dcat#"

    def val(s, p):
        v = cat.value(s, URIRef(p))
        return str(v) if v is not None else None

    def label(o):
        return val(o, str(SKOS.prefLabel)) or val(o, str(RDFS.label)) or str(o)

    temporal = cat.value(ds, URIRef(DC + "temporal"))
    return {
        "page": page,
        "manifest": manifest,
        "files": manifest["files"],
        "dataset_iri": str(ds),
        "title": val(ds, DC + "title"),
        "description": val(ds, DC + "description"),
        "issued": val(ds, DC + "issued"),
        "modified": val(ds, DC + "modified"),
        "themes": sorted(label(t) for t in cat.objects(ds, URIRef(DCATNS + "theme"))),
        "spatial": sorted(label(t) for t in cat.objects(ds, URIRef(DC + "spatial"))),
        "keywords": sorted(str(k) for k in cat.objects(ds, URIRef(DCATNS + "keyword"))),
        "start": val(temporal, DCATNS + "startDate") if temporal is not None else None,
        "end": val(temporal, DCATNS + "endDate") if temporal is not None else None,
        "sparql": settings.public_url.rstrip("/") + "/sparql",
        "formats": RDF_FORMATS,
        "human_size": pub.human_size,
    }


def _rdf_file(name: str, fmt_suffix: str | None, request: Request, backend, settings, *, html_page: bool):
    offered = RDF_FORMATS + ([HTML] if html_page else [])
    if fmt_suffix is not None:
        fmt = BY_SUFFIX.get(fmt_suffix)
        if fmt is None:
            raise HTTPException(404, f"No such format .{fmt_suffix}; use one of "
                                     + ", ".join("." + f.suffix for f in RDF_FORMATS) + ".")
    else:
        fmt = negotiate(request, default=HTML if html_page else BY_SUFFIX["ttl"])
        if fmt is HTML and not html_page:
            fmt = BY_SUFFIX["ttl"]
        if fmt is None:
            raise not_acceptable(offered)
    out = ensure_bundle(settings)
    if fmt is HTML:
        return render(request, "downloads.html", _catalog_context(out, _manifest(out), settings, page="catalog"),
                      headers={"Vary": "Accept", "Link": link_header("/catalog")})
    data = (out / name).read_bytes()
    triples = [t for t in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    context = {"@context": {**pub.kind_prefixes(), **_dcat_prefixes()}}
    return rdf_response(triples, fmt, context_ref=context["@context"], turtle=data,
                        headers={"Link": link_header("/catalog", html=True)} if html_page else None)


def _dcat_prefixes() -> dict[str, str]:
    from graph import dcat, void
    return {**dcat.PREFIXES, **void.PREFIXES}


@router.get("/catalog", summary="DCAT-AP 3 catalog (content negotiation)")
def catalog(request: Request, backend: BackendDep, settings: SettingsDep):
    return _rdf_file("catalog.ttl", None, request, backend, settings, html_page=True)


@router.get("/catalog.{suffix}", summary="DCAT-AP 3 catalog in one format (ttl, jsonld, rdf, nt)")
def catalog_suffix(suffix: str, request: Request, backend: BackendDep, settings: SettingsDep):
    if suffix == "json":
        return _as_plain_json(_rdf_file("catalog.ttl", "jsonld", request, backend, settings, html_page=True))
    return _rdf_file("catalog.ttl", suffix, request, backend, settings, html_page=True)


@router.get("/.well-known/void", summary="VoID description of the dataset")
def well_known_void(request: Request, backend: BackendDep, settings: SettingsDep):
    return _rdf_file("void.ttl", None, request, backend, settings, html_page=False)


# --- the ontology ---------------------------------------------------------------------------

@dataclass
class Term:
    iri: str
    local: str
    kind: str                       # class | object property | datatype property | annotation property
    label: str
    comment: str | None = None
    definition: str | None = None
    supers: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    used_as_domain: list[str] = field(default_factory=list)    # for classes: properties with it in domain
    used_as_range: list[str] = field(default_factory=list)
    examples: list[dict] = field(default_factory=list)
    count: int = 0


KIND_OF = {OWL.Class: "class", OWL.ObjectProperty: "object property",
           OWL.DatatypeProperty: "datatype property", OWL.AnnotationProperty: "annotation property",
           RDF.Property: "property"}


def ontology_graph(settings) -> Graph:
    """The ontology the page documents: the build's (its release bundle) when there is
    one, else the checkout's files (a store built without a bundle)."""
    from graph.build import release_dir
    out = release_dir(settings)
    if out is not None:
        path = out / "ontology.ttl"
        return _parsed_turtle(path, path.stat().st_mtime_ns)
    g = Graph()
    for f in discover(settings):
        if f.role == "ontology":
            g += parse_graph(f)
    return g


def _members(g: Graph, node) -> list[str]:
    """The classes a domain/range names: the class itself, or the members of an owl:unionOf."""
    if isinstance(node, BNode):
        union = g.value(node, OWL.unionOf)
        if union is not None:
            from rdflib.collection import Collection
            return [str(x) for x in Collection(g, union)]
        return []
    return [str(node)]


def _text(g: Graph, s, p) -> str | None:
    vals = list(g.objects(s, p))
    en = [v for v in vals if getattr(v, "language", None) in ("en", None)]
    return str(sorted(en or vals, key=lambda v: (str(v), repr(v)))[0]) if vals else None


def build_terms(g: Graph, ns: str) -> list[Term]:
    terms: dict[str, Term] = {}
    for kind_class, kind in KIND_OF.items():
        for s in g.subjects(RDF.type, kind_class):
            if not isinstance(s, URIRef) or not str(s).startswith(ns) or str(s) in terms:
                continue
            local = str(s)[len(ns):]
            terms[str(s)] = Term(str(s), local, kind, _text(g, s, RDFS.label) or local,
                                 _text(g, s, RDFS.comment), _text(g, s, SKOS.definition))
    for t in terms.values():
        s = URIRef(t.iri)
        sup = RDFS.subClassOf if t.kind == "class" else RDFS.subPropertyOf
        t.supers = sorted(m for o in g.objects(s, sup) for m in _members(g, o))
        t.subs = sorted(str(x) for x in g.subjects(sup, s) if isinstance(x, URIRef))
        t.domain = sorted(m for o in g.objects(s, RDFS.domain) for m in _members(g, o))
        t.range = sorted(m for o in g.objects(s, RDFS.range) for m in _members(g, o))
    for t in terms.values():
        for c in t.domain:
            if c in terms:
                terms[c].used_as_domain.append(t.iri)
        for c in t.range:
            if c in terms:
                terms[c].used_as_range.append(t.iri)
    return sorted(terms.values(), key=lambda t: (t.kind != "class", t.kind, t.local.lower()))


#: A blank-node example (a statement's evidence, a signature, an amount) is shown by the
#: resource it belongs to: the statement's subject, or the resource that points at it.
_OWNER = ("OPTIONAL { FILTER(isBlank(?s)) { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?own } "
          "UNION { ?own ?via ?s FILTER(isIRI(?own)) } %s }")


def _shown(r: dict, var: str, label_var: str) -> dict:
    node = r[var]
    if isinstance(node, BNode) and r.get("owner") is not None:
        owner = str(r["owner"])
        return {var: owner, f"{var}_label": f"{r['ownerLabel'] if r.get('ownerLabel') else owner} (a node of it)"}
    return {var: str(node), f"{var}_label": str(r[label_var]) if r.get(label_var) else None}


_examples_cache: dict[tuple, dict] = {}
_examples_lock = threading.Lock()


def add_examples(terms: list[Term], backend, per_term: int = 4) -> None:
    """A few instances per class (its sub-classes' included, with their labels) and uses
    per property, from the data; cached per store build."""
    try:
        build = str(backend.info().build_id)
    except (StoreError, AttributeError):
        build = None
    key = (build, tuple(t.iri for t in terms))
    with _examples_lock:
        cached = _examples_cache.get(key) if build else None
    if cached is None:
        cached = {}
        sub = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

        def label(var: str, lv: str) -> str:
            return (f"OPTIONAL {{ {var} <http://www.w3.org/2004/02/skos/core#prefLabel> {lv} "
                    f'FILTER(langMatches(lang({lv}), "en")) }}')
        # Per term: its count, and its first few instances or uses in the store's own
        # order, then their labels. Sorting every instance first (ORDER BY ... LIMIT) and
        # counting every class in one GROUP BY took 522 s on the first view at 1 M
        # triples; the term is written in (its IRI serialised by pyoxigraph) because a
        # sub-select does not see a substitution.
        for t in terms:
            term = str(ox.NamedNode(t.iri))
            if t.kind == "class":
                n = backend.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/{sub}* {term} }}")
                rows = backend.select(
                    "SELECT ?s (SAMPLE(?l) AS ?label) (SAMPLE(?own) AS ?owner) (SAMPLE(?ownl) AS ?ownerLabel) "
                    f"WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s a/{sub}* {term} }} LIMIT {per_term} }} "
                    + label("?s", "?l") + " " + _OWNER % label("?own", "?ownl")
                    + " } GROUP BY ?s ORDER BY ?s")
                cached[t.iri] = (int(n[0]["n"]) if n else 0, [_shown(r, "s", "label") for r in rows])
            else:
                n = backend.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s {term} ?o }}")
                rows = backend.select(
                    "SELECT ?s ?o (SAMPLE(?sl) AS ?slabel) (SAMPLE(?ol) AS ?olabel) (SAMPLE(?own) AS ?owner) "
                    f"(SAMPLE(?ownl) AS ?ownerLabel) WHERE {{ {{ SELECT ?s ?o WHERE {{ ?s {term} ?o }} LIMIT {per_term} }} "
                    + label("?s", "?sl") + " "
                    + label("?o", "?ol") + " " + _OWNER % label("?own", "?ownl")
                    + " } GROUP BY ?s ?o ORDER BY ?s ?o")
                cached[t.iri] = (int(n[0]["n"]) if n else 0, [
                    {**_shown(r, "s", "slabel"),
                     "o": str(r["o"]) if not isinstance(r["o"], BNode) else "(a structured value)",
                     "o_is_iri": isinstance(r["o"], URIRef),
                     "o_label": str(r["olabel"]) if r.get("olabel") else None} for r in rows])
        with _examples_lock:
            if build:
                _examples_cache.clear()
                _examples_cache[key] = cached
    for t in terms:
        t.count, t.examples = cached.get(t.iri, (0, []))


def _ontology_triples(settings) -> list[ox.Triple]:
    return pub.ontology_triples(settings, "ontology")


@router.get("/ontology", summary="The ontology: HTML documentation, or RDF by Accept")
def ontology(request: Request, backend: BackendDep, settings: SettingsDep):
    fmt = negotiate(request)
    if fmt is None:
        raise not_acceptable([HTML, *RDF_FORMATS])
    return _ontology(fmt, request, backend, settings)


@router.get("/ontology/context.jsonld", summary="The JSON-LD context of the core model")
def context_document(settings: SettingsDep):
    body = (json.dumps(pub.load_context(settings), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    # JSON-LD processors in browsers fetch contexts cross-origin.
    return Response(body, media_type="application/ld+json",
                    headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"})


@router.get("/ontology.{suffix}", summary="The ontology in one format (ttl, jsonld, rdf, nt)")
def ontology_suffix(suffix: str, request: Request, backend: BackendDep, settings: SettingsDep):
    if suffix == "html":
        return _ontology(HTML, request, backend, settings)
    if suffix == "json":
        return _as_plain_json(_ontology(BY_SUFFIX["jsonld"], request, backend, settings))
    fmt = BY_SUFFIX.get(suffix)
    if fmt is None:
        raise HTTPException(404, f"No such format .{suffix}; use one of "
                                 + ", ".join("." + f.suffix for f in RDF_FORMATS) + " or .html.")
    return _ontology(fmt, request, backend, settings)


def _ontology(fmt: Format, request: Request, backend, settings):
    link = {"Link": link_header("/ontology")}
    if fmt is not HTML:
        # the context inline: the JSON-LD parses without fetching anything
        return rdf_response(_ontology_triples(settings), fmt, context_ref=pub.load_context(settings)["@context"],
                            headers=link)
    g = ontology_graph(settings)
    onto: Node = URIRef(settings.ontology_iri)
    if (onto, RDF.type, OWL.Ontology) not in g:
        found = list(g.subjects(RDF.type, OWL.Ontology))
        onto = found[0] if found else onto
    ns = str(onto).rstrip("#/") + "#"
    terms = build_terms(g, ns)
    add_examples(terms, backend)
    by_iri = {t.iri: t for t in terms}
    reused = sorted({str(s) for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
                     for s in g.subjects(RDF.type, k) if isinstance(s, URIRef) and not str(s).startswith(ns)})
    header = {
        "iri": str(onto),
        "title": _text(g, onto, URIRef("http://purl.org/dc/terms/title")) or "Ontology",
        "description": _text(g, onto, URIRef("http://purl.org/dc/terms/description")),
        "version": _text(g, onto, OWL.versionInfo),
        "version_iri": _text(g, onto, OWL.versionIRI),
        "licence": _text(g, onto, URIRef("http://purl.org/dc/terms/license")),
        "prefix": _text(g, onto, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")),
        "namespace": ns,
    }

    def term_ref(iri: str) -> dict:
        """How to link a term: an anchor on this page, else the IRI (with a CURIE as text)."""
        if iri in by_iri:
            return {"href": "#" + by_iri[iri].local, "text": by_iri[iri].local, "local": True}
        return {"href": iri, "text": curie(iri), "local": False}

    return render(request, "ontology.html", {
        "onto": header, "terms": terms, "classes": [t for t in terms if t.kind == "class"],
        "properties": [t for t in terms if t.kind != "class"], "reused": reused, "term_ref": term_ref,
        "formats": RDF_FORMATS,
    }, headers={"Vary": "Accept", **link})
