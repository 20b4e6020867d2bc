"""The release bundle: dumps, ontology, shapes, JSON-LD context, VoID, DCAT-AP catalog, README.

``publish(settings, DIR)`` writes::

    wckg.nq.gz        every named graph, N-Quads (sorted lines)
    wckg.trig.gz      every named graph, TriG
    wckg.ttl.gz       the default graph view (union of the named graphs), Turtle
    wckg.jsonld.gz    the default graph view, JSON-LD with the published context
    ontology.{ttl,jsonld,rdf}   ontology/wckg.ttl as Turtle, JSON-LD, RDF/XML
    shapes.{ttl,jsonld,rdf}     ontology/shapes/*.ttl, the same three
    context.jsonld    the JSON-LD context (short keys for the core model)
    void.ttl          VoID computed from the data (graph.void)
    catalog.ttl       DCAT-AP 3 catalog, one distribution per file (graph.dcat)
    manifest.json     the files, their sizes and SHA-256 (what the web app lists)
    SHA256SUMS        ``sha256sum -c SHA256SUMS`` checks the download
    README.md         what the bundle is, for a person

Determinism: the same data gives byte-identical files, so that releases diff cleanly.
Triples are written from sorted N-Triples terms (never in a store's or a hash set's
order), gzip members carry ``mtime=0`` and no file name, dates come from the data
(never from the clock), and blank nodes (the ontology's ``owl:unionOf`` lists and the
shapes' property shapes) get labels from rdflib's canonical labelling, so that their
names depend on what they describe and not on parse order. Blank nodes are kept rather
than skolemised: the dumps must read back isomorphic to the store, and OWL tools expect
class expressions to be blank nodes.

The bundle is built in a temporary directory beside DIR and swapped in with one
``renameat2(RENAME_EXCHANGE)`` (two renames where the kernel lacks it): a reader sees
the old bundle or the new one, never half of one. Nothing is written when the settings
are incomplete (:class:`ConfigError`) or the graph does not conform to the project's
shapes (:class:`ValidationFailed`).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, XSD

from .config import PROJECT_ROOT, Settings
from .errors import ConfigError, InputError, StoreError, ValidationFailed
from .namespaces import PREFIXES, WCID_DEFAULT
from .load import discover, parse_quads, to_oxigraph, to_rdflib

#: Marker file of a bundle: a directory holding it may be replaced by ``publish``.
MANIFEST = "manifest.json"
CONTEXT_FILE = "context.jsonld"
GENERATOR = "wckg publish"

#: Steps reported to a progress callback, in order.
STEPS = ("validate", "read", "dumps", "ontology", "void", "catalog", "swap")

Progress = Callable[[str], None]

RDF_TYPE = str(RDF.type)


# --- settings ----------------------------------------------------------------------------

def check_settings(settings: Settings) -> None:
    """Refuse to publish without the settings a catalog cannot do without; name each one."""
    if not (settings.licence or "").strip():
        raise ConfigError("the dataset has no licence: WCKG_LICENCE is not set",
                          hint="set WCKG_LICENCE to an open licence IRI, e.g. "
                               "http://creativecommons.org/licenses/by/4.0/")
    if not re.match(r"^https?://\S+$", settings.licence.strip()):
        raise ConfigError(f"WCKG_LICENCE must be an http(s) IRI of a licence, not {settings.licence!r}",
                          hint="e.g. http://creativecommons.org/licenses/by/4.0/")
    if not (settings.publisher_name or "").strip():
        raise ConfigError("the dataset has no publisher: WCKG_PUBLISHER_NAME is not set",
                          hint="set WCKG_PUBLISHER_NAME to the name of the body that publishes the data")
    if settings.publisher_iri and not re.match(r"^https?://\S+$", settings.publisher_iri):
        raise ConfigError(f"WCKG_PUBLISHER_IRI must be an http(s) IRI, not {settings.publisher_iri!r}")
    if settings.contact_email and not re.match(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", settings.contact_email):
        raise ConfigError(f"WCKG_CONTACT_EMAIL is not an e-mail address: {settings.contact_email!r}",
                          hint="give a role address such as data@example.org")
    if not re.match(r"^https?://[^\s/]+", settings.public_url or ""):
        raise ConfigError(f"WCKG_PUBLIC_URL must be an http(s) URL, not {settings.public_url!r}")


def parse_release_date(value: str | date | None) -> date | None:
    """``WCKG_RELEASE_DATE`` / ``--release-date`` as a date (ISO 8601 ``YYYY-MM-DD``)."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"WCKG_RELEASE_DATE must be a date YYYY-MM-DD, not {value!r}") from None


# --- where the data comes from ------------------------------------------------------------

class MemoryBackend:
    """The project's files in an in-memory pyoxigraph store, with the ``select`` of the store
    API: what ``wckg publish`` reads from a clean clone, where no store has been built."""

    def __init__(self, quads: Iterable[ox.Quad]):
        #: the quads as parsed: Oxigraph stores numbers by value ("48.0"^^xsd:decimal comes
        #: back as "48"), and a dump of the files should keep the files' lexical forms.
        self.quads = list(quads)
        self.store = ox.Store()
        self.store.extend(self.quads)

    @classmethod
    def from_files(cls, settings: Settings) -> "MemoryBackend":
        quads: list[ox.Quad] = []
        for f in discover(settings):
            quads += rebase_quads(parse_quads(f), settings.base_iri)
        return cls(quads)

    def select(self, text: str, params: dict | None = None) -> list[dict]:
        subs = {ox.Variable(k): to_oxigraph(v) for k, v in (params or {}).items()}
        res = self.store.query(text, use_default_graph_as_union=True, substitutions=subs or None)
        names = [v.value for v in res.variables]
        rows = []
        for sol in res:
            row = {}
            for n in names:
                t = sol[n]
                if t is not None:
                    row[n] = to_rdflib(t)
            rows.append(row)
        return rows


def rebase_quads(quads: Iterable[ox.Quad], base_iri: str) -> list[ox.Quad]:
    """The curated files are written with the published base; a deployment with its own
    ``WCKG_BASE_IRI`` gets every occurrence rewritten, as the store does when it loads them."""
    quads = list(quads)
    if base_iri == WCID_DEFAULT:
        return quads

    def rb(t):
        if isinstance(t, ox.NamedNode) and WCID_DEFAULT in t.value:
            return ox.NamedNode(t.value.replace(WCID_DEFAULT, base_iri))
        if isinstance(t, ox.Literal) and WCID_DEFAULT in t.value:
            if t.language:
                return ox.Literal(t.value.replace(WCID_DEFAULT, base_iri), language=t.language)
            return ox.Literal(t.value.replace(WCID_DEFAULT, base_iri), datatype=t.datatype)
        return t
    return [ox.Quad(rb(q.subject), rb(q.predicate), rb(q.object), rb(q.graph_name)) for q in quads]


def read_quads(backend) -> list[tuple]:
    """Every quad of the named graphs, as rdflib terms ``(s, p, o, g)``, de-duplicated."""
    if isinstance(backend, MemoryBackend):
        return list(dict.fromkeys((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object),
                                   to_rdflib(q.graph_name)) for q in backend.quads))
    rows = backend.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return list(dict.fromkeys((r["s"], r["p"], r["o"], r["g"]) for r in rows))


# --- deterministic terms and order --------------------------------------------------------

def canonical_quads(quads: Iterable[tuple]) -> list[ox.Quad]:
    """Quads with blank nodes renamed by canonical labelling (per graph, so that two graphs
    never share a blank node), sorted by their N-Quads form with ``rdf:type`` first."""
    by_graph: dict = {}
    for s, p, o, g in quads:
        by_graph.setdefault(g, []).append((s, p, o))
    out: list[ox.Quad] = []
    for g, triples in by_graph.items():
        gnode = to_oxigraph(g)
        for s, p, o in canonical_triples(triples, scope=str(g)):
            out.append(ox.Quad(s, p, o, gnode))
    return sort_quads(out)


def canonical_triples(triples: Sequence[tuple], scope: str = "") -> list[ox.Triple]:
    """rdflib triples as pyoxigraph triples; blank nodes get labels that depend only on
    the graph's content (W3C RDFC-1.0 canonical labelling, done by pyoxigraph in Rust:
    rdflib's ``to_canonical_graph`` took 34 s on the 5,500 curated triples), prefixed by a
    hash of *scope*."""
    converted = [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples]
    if not any(isinstance(t, ox.BlankNode) for tr in converted for t in (tr.subject, tr.object)):
        return converted
    ds = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in converted)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    salt = hashlib.sha256(scope.encode()).hexdigest()[:8]
    renamed: dict[str, ox.BlankNode] = {}

    def conv(t):
        if isinstance(t, ox.BlankNode):
            if t.value not in renamed:
                renamed[t.value] = ox.BlankNode(
                    "b" + hashlib.sha256((salt + t.value).encode()).hexdigest()[:20])
            return renamed[t.value]
        return t
    return [ox.Triple(conv(q.subject), q.predicate, conv(q.object)) for q in ds]


def from_rdflib(g: Graph, scope: str = "") -> list[ox.Triple]:
    """An rdflib graph as sorted pyoxigraph triples with canonical blank-node labels."""
    return sort_triples(canonical_triples(list(g), scope=scope))


def _key(t) -> tuple:
    # rdf:type first so that each subject block of Turtle starts with "a ...".
    return (str(t.subject), t.predicate.value != RDF_TYPE, str(t.predicate), str(t.object))


def sort_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(set(quads), key=lambda q: (str(q.graph_name),) + _key(q))


def sort_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    return sorted(set(triples), key=_key)


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The default graph view: every triple of every named graph, once."""
    return sort_triples(q.triple for q in quads)


# --- serialisations -----------------------------------------------------------------------

def kind_prefixes(settings: Settings | None = None) -> dict[str, str]:
    """The project prefixes plus one per identifier kind (as the data files declare them)."""
    base = settings.base_iri if settings else PREFIXES["wcid"]
    kinds = {"org_": "organisation", "per": "person", "mem": "membership", "ev": "event",
             "agr": "agreement", "prg": "programme", "pol": "policy", "pl": "place",
             "top": "topic", "src": "source", "wcgraph": "graph",
             "clm": "claim", "ptc": "participation"}
    out = dict(PREFIXES)
    out["wcid"] = base
    out.update({p: f"{base}{k}/" for p, k in kinds.items()})
    return out


def used_prefixes(terms: Iterable, prefixes: dict[str, str]) -> dict[str, str]:
    """Only the prefixes whose namespace some IRI of *terms* (triples or quads) lies in."""
    iris = set()
    for t in terms:
        for x in (t.subject, t.predicate, t.object, getattr(t, "graph_name", None)):
            if isinstance(x, ox.NamedNode):
                iris.add(x.value)
            elif isinstance(x, ox.Literal):
                iris.add(x.datatype.value)
    namespaces = {i[: max(i.rfind("#"), i.rfind("/")) + 1] for i in iris}
    return {p: ns for p, ns in prefixes.items()
            if ns in namespaces or any(i.startswith(ns) for i in iris if len(i) > len(ns))}


def _sorted_header(data: bytes) -> bytes:
    """Put the ``@prefix`` lines in sorted order (the serializer's own order is not a contract)."""
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    return b"\n".join(sorted(lines[:n]) + lines[n:])


def serialize_nquads(quads: Sequence[ox.Quad]) -> bytes:
    """N-Quads, one sorted line per quad (the canonical form the other dumps are checked against)."""
    return ox.serialize(sort_quads(quads), format=ox.RdfFormat.N_QUADS)


def serialize_trig(quads: Sequence[ox.Quad], prefixes: dict[str, str]) -> bytes:
    quads = sort_quads(quads)
    return _sorted_header(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=used_prefixes(quads, prefixes)))


def serialize_turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    triples = sort_triples(triples)
    return _sorted_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                                       prefixes=used_prefixes(triples, prefixes)))


def serialize_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(sort_triples(triples), format=ox.RdfFormat.N_TRIPLES)


def serialize_rdfxml(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    triples = sort_triples(triples)
    # pyoxigraph invents a prefix for a predicate namespace it is not given.
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=used_prefixes(triples, prefixes))


def load_context(settings: Settings | None = None) -> dict:
    """The published JSON-LD context (``ontology/context.jsonld``)."""
    folder = settings.ontology_dir if settings else PROJECT_ROOT / "ontology"
    path = folder / CONTEXT_FILE
    if not path.is_file():
        path = PROJECT_ROOT / "ontology" / CONTEXT_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"no JSON-LD context at {path}", hint="restore ontology/context.jsonld") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}:{e.colno}: not JSON: {e.msg}") from None


def context_url(settings: Settings) -> str:
    """Where the context is published: beside the ontology (the w3id rules redirect it)."""
    return settings.ontology_iri.rstrip("/#") + "/" + CONTEXT_FILE


class JsonLdWriter:
    """Compacts triples with the published context, deterministically.

    rdflib's JSON-LD serializer drops blank-node descriptions referenced through an
    ``@id``-typed term (the ontology's ``rdfs:domain [ owl:unionOf (...) ]``) and orders
    nodes by its own traversal, so the compaction is done here: one flat node object per
    subject (blank nodes included, lists as rdf:first/rdf:rest nodes), properties named by
    a context term only where the term's coercion fits the value, otherwise by a compact IRI.
    """

    def __init__(self, context: dict):
        ctx = context.get("@context", context)
        self.prefixes: list[tuple[str, str]] = []    # (prefix, namespace), longest namespace first
        self.terms: dict[str, list[tuple[str, str | None]]] = {}   # iri -> [(term, coercion)]
        self.class_terms: dict[str, str] = {}
        raw: dict[str, tuple[str, str | None]] = {}
        for term, d in ctx.items():
            if term.startswith("@"):
                continue
            if isinstance(d, str):
                raw[term] = (d, None)
            elif isinstance(d, dict) and "@id" in d:
                raw[term] = (d["@id"], d.get("@type"))
        simple = {t: v for t, (v, c) in raw.items() if isinstance(ctx[t], str)}

        def expand(v: str) -> str:
            if ":" in v:
                p, rest = v.split(":", 1)
                if p in simple and not rest.startswith("//"):
                    return simple[p] + rest
            return v

        for term, (v, c) in raw.items():
            iri = expand(v)
            coercion = expand(c) if c and c != "@id" else c
            if isinstance(ctx[term], str) and iri[-1:] in "/#":
                self.prefixes.append((term, iri))
            elif isinstance(ctx[term], str):
                self.class_terms[iri] = term
            else:
                self.terms.setdefault(iri, []).append((term, coercion))
        self.prefixes.sort(key=lambda pn: (-len(pn[1]), pn[0]))

    def compact_iri(self, iri: str, vocab: bool = False) -> str:
        if vocab and iri in self.class_terms:
            return self.class_terms[iri]
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def _node_ref(self, t) -> str:
        if isinstance(t, ox.BlankNode):
            return f"_:{t.value}"
        return self.compact_iri(t.value)

    def _value(self, o, coercion: str | None):
        """JSON for object *o* under a term with *coercion*, or None when the term does not fit."""
        if isinstance(o, (ox.NamedNode, ox.BlankNode)):
            if coercion == "@id":
                return self._node_ref(o)
            return None if coercion else {"@id": self._node_ref(o)}
        if coercion == "@id":
            return None
        dt = o.datatype.value
        if coercion:
            return o.value if (not o.language and dt == coercion) else None
        if o.language:
            return {"@value": o.value, "@language": o.language}
        if dt == str(XSD.string):
            return o.value
        return {"@value": o.value, "@type": self.compact_iri(dt, vocab=True)}

    def _key_and_value(self, p: str, o):
        for term, coercion in sorted(self.terms.get(p, []), key=lambda tc: (tc[1] is None, tc[0])):
            v = self._value(o, coercion)
            if v is not None:
                return term, v
        return self.compact_iri(p, vocab=True), self._value(o, None)

    def document(self, triples: Iterable[ox.Triple], context_ref) -> dict:
        nodes: dict = {}
        for t in sort_triples(triples):
            node = nodes.setdefault(t.subject, {"@id": self._node_ref(t.subject)})
            if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
                node.setdefault("@type", []).append(self.compact_iri(t.object.value, vocab=True))
                continue
            key, value = self._key_and_value(t.predicate.value, t.object)
            node.setdefault(key, []).append(value)
        graph = []
        for subj in sorted(nodes, key=lambda s: (isinstance(s, ox.BlankNode), str(s))):
            node = nodes[subj]
            out = {"@id": node.pop("@id")}
            if "@type" in node:
                types = sorted(set(node.pop("@type")))
                out["@type"] = types[0] if len(types) == 1 else types
            for key in sorted(node):
                vals = sorted(node[key], key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
                out[key] = vals[0] if len(vals) == 1 else vals
            graph.append(out)
        return {"@context": context_ref, "@graph": graph}

    def serialize(self, triples: Iterable[ox.Triple], context_ref) -> bytes:
        doc = self.document(triples, context_ref)
        return (json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


# --- the bundle -----------------------------------------------------------------------------

@dataclass(frozen=True)
class FileSpec:
    """What one file of the bundle is (the catalog's distribution and the README's row)."""

    name: str
    title: str
    description: str
    media_type: str            # IANA media type of the (uncompressed) content
    file_type: str             # code in the EU file-type vocabulary
    role: str                  # dump | ontology | shapes | context | void | catalog
    compressed: bool = False


@dataclass(frozen=True)
class BundleFile:
    spec: FileSpec
    size: int
    sha256: str

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class PublishResult:
    directory: Path
    files: list[BundleFile]
    quads: int
    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    modified: date | None = None
    replaced: bool = False


FILES: dict[str, FileSpec] = {s.name: s for s in (
    FileSpec("wckg.nq.gz", "wckg dump: all named graphs (N-Quads, gzip)",
             "Every named graph of the knowledge graph (ontology, reference data, one graph per source "
             "article) as N-Quads, one sorted line per quad.",
             "application/n-quads", "RDF_N_QUADS", "dump", True),
    FileSpec("wckg.trig.gz", "wckg dump: all named graphs (TriG, gzip)",
             "Every named graph of the knowledge graph as TriG.",
             "application/trig", "RDF_TRIG", "dump", True),
    FileSpec("wckg.ttl.gz", "wckg dump: default graph (Turtle, gzip)",
             "The union of all named graphs (the SPARQL default graph) as Turtle.",
             "text/turtle", "RDF_TURTLE", "dump", True),
    FileSpec("wckg.jsonld.gz", "wckg dump: default graph (JSON-LD, gzip)",
             "The union of all named graphs as JSON-LD, compacted with the published context "
             "(context.jsonld, embedded in the file) that gives short keys to the core model.",
             "application/ld+json", "JSON_LD", "dump", True),
    FileSpec("ontology.ttl", "wckg ontology (Turtle)", "The OWL ontology of the core model.",
             "text/turtle", "RDF_TURTLE", "ontology"),
    FileSpec("ontology.jsonld", "wckg ontology (JSON-LD)", "The OWL ontology of the core model.",
             "application/ld+json", "JSON_LD", "ontology"),
    FileSpec("ontology.rdf", "wckg ontology (RDF/XML)", "The OWL ontology of the core model.",
             "application/rdf+xml", "RDF_XML", "ontology"),
    FileSpec("shapes.ttl", "wckg SHACL shapes (Turtle)",
             "The SHACL shapes every release conforms to (violations and warnings).",
             "text/turtle", "RDF_TURTLE", "shapes"),
    FileSpec("shapes.jsonld", "wckg SHACL shapes (JSON-LD)",
             "The SHACL shapes every release conforms to.", "application/ld+json", "JSON_LD", "shapes"),
    FileSpec("shapes.rdf", "wckg SHACL shapes (RDF/XML)",
             "The SHACL shapes every release conforms to.", "application/rdf+xml", "RDF_XML", "shapes"),
    FileSpec(CONTEXT_FILE, "wckg JSON-LD context",
             "The JSON-LD context of the JSON-LD files: short keys for the classes and properties of the core model.",
             "application/ld+json", "JSON_LD", "context"),
    FileSpec("void.ttl", "wckg VoID description",
             "VoID statistics computed from the data: triples, entities, class and property partitions "
             "per named graph, the linkset to Wikidata, the SPARQL endpoint and the dumps.",
             "text/turtle", "RDF_TURTLE", "void"),
)}
CATALOG_SPEC = FileSpec("catalog.ttl", "wckg DCAT-AP 3 catalog",
                        "The DCAT-AP 3 description of the dataset and of every file of this bundle.",
                        "text/turtle", "RDF_TURTLE", "catalog")

#: Everything the bundle holds (the manifest and SHA256SUMS describe the others).
BUNDLE_NAMES = (*FILES, CATALOG_SPEC.name, "README.md", MANIFEST, "SHA256SUMS")


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no file name and mtime 0: the same bytes in give the same bytes out."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def download_base(settings: Settings, base_url: str | None) -> str:
    """Where the bundle's files are downloadable: ``--base-url``, else ``{public_url}/downloads``."""
    url = (base_url or settings.public_url.rstrip("/") + "/downloads").rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError(f"--base-url must be an http(s) URL, not {base_url!r}")
    return url


def _validate(settings: Settings):
    from .validate import validate
    report = validate(settings)
    if not report.conforms:
        raise ValidationFailed(report)
    return report


def publish(settings: Settings, out_dir: Path | str, *, backend=None, base_url: str | None = None,
            release_date: str | date | None = None, progress: Progress | None = None,
            validate: bool = True) -> PublishResult:
    """Write the release bundle into *out_dir* (replacing an older bundle atomically).

    *backend*: a store (``graph.store.open_backend``) to publish; without one, the
    project's files are read into memory (a clean clone needs no build). The validation
    gate always checks the project's files against the project's shapes first.
    """
    from . import dcat, void  # noqa: PLC0415 (they import this module)

    step = progress or (lambda _s: None)
    out_dir = Path(out_dir).absolute()
    check_settings(settings)
    # WCKG_RELEASE_DATE: the CLI passes it; a Settings field of that name is honoured too.
    release = parse_release_date(release_date or settings.release_date)
    _check_target(out_dir)
    base = download_base(settings, base_url)

    step("validate")
    if validate:
        _validate(settings)

    step("read")
    source = backend if backend is not None else MemoryBackend.from_files(settings)
    quads = canonical_quads(read_quads(source))
    if not quads:
        raise StoreError("the store holds no quads: nothing to publish",
                         hint="run `wckg build` first, or publish from the files (no --from-store)")
    triples = union_triples(quads)
    prefixes = kind_prefixes(settings)
    context = load_context(settings)
    # the context travels inside every JSON-LD file: a client offline (or before the w3id
    # redirect of context_url() exists) parses them without fetching anything
    ctx_ref = context["@context"]
    writer = JsonLdWriter(context)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        written: list[BundleFile] = []

        def put(spec: FileSpec, data: bytes) -> None:
            if spec.compressed:
                data = gzip_bytes(data)
            (tmp / spec.name).write_bytes(data)
            written.append(BundleFile(spec, len(data), hashlib.sha256(data).hexdigest()))

        step("dumps")
        put(FILES["wckg.nq.gz"], serialize_nquads(quads))
        put(FILES["wckg.trig.gz"], serialize_trig(quads, prefixes))
        put(FILES["wckg.ttl.gz"], serialize_turtle(triples, prefixes))
        put(FILES["wckg.jsonld.gz"], writer.serialize(triples, ctx_ref))

        step("ontology")
        for role in ("ontology", "shapes"):
            part = ontology_triples(settings, role)
            put(FILES[f"{role}.ttl"], serialize_turtle(part, prefixes))
            put(FILES[f"{role}.jsonld"], writer.serialize(part, ctx_ref))
            put(FILES[f"{role}.rdf"], serialize_rdfxml(part, prefixes))
        put(FILES[CONTEXT_FILE], (json.dumps(context, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))

        step("void")
        void_graph = void.build_void(source, settings, download_base=base,
                                     dumps=[f.name for f in written if f.spec.role == "dump"])
        put(FILES["void.ttl"], serialize_turtle(from_rdflib(void_graph, "void"), {**prefixes, **void.PREFIXES}))

        step("catalog")
        facts = dcat.DataFacts.from_backend(source, settings, release_date=release)
        catalog = dcat.build_catalog(settings, written, facts, download_base=base)
        put(CATALOG_SPEC, serialize_turtle(from_rdflib(catalog, "catalog"), {**prefixes, **dcat.PREFIXES}))

        graphs: dict[str, int] = {}
        for q in quads:
            graphs[q.graph_name.value] = graphs.get(q.graph_name.value, 0) + 1
        manifest = {
            "generator": GENERATOR,
            "dataset": dcat.dataset_iri(settings),
            "modified": facts.modified.isoformat() if facts.modified else None,
            "download_base": base,
            "quads": len(quads),
            "triples": len(triples),
            "graphs": dict(sorted(graphs.items())),
            "files": [{"name": f.name, "title": f.spec.title, "description": f.spec.description,
                       "media_type": f.spec.media_type, "compressed": f.spec.compressed,
                       "role": f.spec.role, "size": f.size, "sha256": f.sha256} for f in written],
        }
        (tmp / "README.md").write_text(render_readme(settings, written, manifest, facts), encoding="utf-8")
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        sums = "".join(f"{hashlib.sha256((tmp / n).read_bytes()).hexdigest()}  {n}\n"
                       for n in sorted(BUNDLE_NAMES) if n != "SHA256SUMS")
        (tmp / "SHA256SUMS").write_text(sums, encoding="ascii")
        os.chmod(tmp, 0o755)

        step("swap")
        replaced = _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishResult(out_dir, written, len(quads), len(triples), dict(sorted(graphs.items())),
                         facts.modified, replaced)


def ontology_triples(settings: Settings, role: str) -> list[ox.Triple]:
    """The triples of ``ontology/wckg.ttl`` (role "ontology") or ``ontology/shapes/*.ttl``
    ("shapes"), with canonical blank-node labels."""
    triples = []
    for f in discover(settings):
        if f.role == role:
            triples += [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                        for q in rebase_quads(parse_quads(f), settings.base_iri)]
    return canonical_triples(list(dict.fromkeys(triples)), scope=f"{role}")


# --- atomic replacement -------------------------------------------------------------------

def _check_target(out_dir: Path) -> None:
    """DIR may be new, empty, or an older bundle: never a folder of someone's other files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir} exists and is not a directory", hint="give a directory for the bundle")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not is_bundle(out_dir):
        raise InputError(f"{out_dir} holds files that are not a wckg bundle; refusing to replace it",
                         hint="publish into a new or empty directory, or one an earlier `wckg publish` wrote")


def is_bundle(path: Path) -> bool:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return rc == 0


def _swap_in(tmp: Path, out_dir: Path) -> bool:
    """Put the finished bundle *tmp* at *out_dir*; returns True when an older one was replaced."""
    if not out_dir.exists():
        try:
            os.rename(tmp, out_dir)
            return False
        except FileExistsError:       # created meanwhile by another publisher: swap below
            pass
        except OSError as e:
            if not out_dir.exists():
                raise StoreError(f"cannot create {out_dir}: {e.strerror}") from None
    _check_target(out_dir)
    if _renameat2_exchange(tmp, out_dir):
        shutil.rmtree(tmp, ignore_errors=True)     # tmp now holds the old bundle
        return True
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(old)
    os.rename(out_dir, old)
    os.rename(tmp, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return True


# --- README -----------------------------------------------------------------------------------

def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def human_size(n: int) -> str:
    """A byte count for people (1.2 MiB)."""
    return _size(n)


def render_readme(settings: Settings, files: Sequence[BundleFile], manifest: dict, facts) -> str:
    rows = "\n".join(f"| [`{f.name}`]({manifest['download_base']}/{f.name}) | {f.spec.title} | "
                     f"{f.size} | `{f.sha256}` |" for f in files)
    graphs = "\n".join(f"| `{g}` | {n} |" for g, n in manifest["graphs"].items())
    period = (f"{facts.start.isoformat()} to {facts.end.isoformat()}"
              if facts.start and facts.end else "not stated in the data")
    return f"""# wckg release bundle: Water Cooperation Knowledge Graph

Who cooperates with whom on water in Kazakhstan and Central Asia: organisations, people and
their posts, events, agreements, programmes, policy documents and places, every statement
traced to the published article it comes from and the sentence that states it.

- Dataset: <{manifest['dataset']}>
- Licence: <{settings.licence}>
- Publisher: {settings.publisher_name}
- Last modified: {manifest['modified'] or 'unknown'} (the newest source article, or WCKG_RELEASE_DATE)
- Period the data covers: {period}
- {manifest['quads']} quads in {len(manifest['graphs'])} named graphs; {manifest['triples']} distinct triples in the default graph
- SPARQL endpoint: <{settings.public_url.rstrip('/')}/sparql>
- Ontology: <{settings.ontology_iri}>

## Files

| file | what | bytes | SHA-256 |
| --- | --- | ---: | --- |
{rows}

Check a download with `sha256sum -c SHA256SUMS`. The `.gz` files are gzip members with no
stored name or time; `zcat wckg.nq.gz | sort` is the canonical form of the data.

The JSON-LD files carry their context inline, so they parse offline; the same context is
`context.jsonld` in this bundle and is published at <{context_url(settings)}>.

## Named graphs

| graph | quads |
| --- | ---: |
{graphs}

`wcid:graph/ontology` holds the ontology and the SHACL shapes, `wcid:graph/reference` what is
true independent of one article (organisations, people, places, topics, policy documents,
source metadata), and each `wcid:graph/{{source-slug}}` what one article states.

## Describing the bundle

- `catalog.ttl`: DCAT-AP 3.0.1 catalog (dataset, one distribution per file with media type,
  format, byte size and SHA-256, the SPARQL endpoint as a data service).
- `void.ttl`: VoID statistics computed from the data.
- `manifest.json`: the same list of files for programs.

Files are written in sorted order: the same data gives byte-identical files, so two
releases can be compared with `diff`.
"""


# --- w3id.org redirect rules -------------------------------------------------------------------

#: Accept → suffix of the site's RDF documents (the web app serves each at ``{path}.{suffix}``).
_W3ID_FORMATS = (("text/turtle", "ttl"), ("application/ld\\+json", "jsonld"),
                 ("application/rdf\\+xml", "rdf"), ("application/n-triples", "nt"))


def w3id_htaccess(public_url: str, *, namespace: str = "wckg", contact: str | None = None) -> str:
    """The ``.htaccess`` for https://w3id.org/{namespace}/ (a pull request to perma-id/w3id.org):
    ``/id/...`` and ``/ontology`` redirect to the site, RDF clients straight to the document
    in the format they accept, everyone else to the HTML page (which negotiates too)."""
    site = public_url.rstrip("/")
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", site):
        raise ConfigError(f"WCKG_PUBLIC_URL must be an http(s) URL, not {public_url!r}")
    lines = [
        f"# w3id.org/{namespace}: the Water Cooperation Knowledge Graph (wckg)",
        f"# Redirects the persistent identifiers to the site at {site}",
        *([f"# Contact: {contact}"] if contact else []),
        "# Generated by `wckg w3id-rules`; see w3id/README.md in the wckg repository.",
        "",
        "Options +FollowSymLinks",
        "RewriteEngine on",
        "",
        "# The JSON-LD context of the dumps (https://w3id.org/wckg/ontology/context.jsonld)",
        f"RewriteRule ^ontology/context\\.jsonld$ {site}/ontology/context.jsonld [R=302,L]",
        "",
        "# The ontology: RDF by Accept, else the HTML documentation (its #Term anchors stay in the browser)",
    ]
    for mt, suffix in _W3ID_FORMATS:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} {mt}", f"RewriteRule ^ontology/?$ {site}/ontology.{suffix} [R=303,L]"]
    lines += [f"RewriteRule ^ontology/?$ {site}/ontology [R=303,L]", "",
              "# Resources: https://w3id.org/wckg/id/{kind}/{slug}"]
    for mt, suffix in _W3ID_FORMATS:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} {mt}",
                  f"RewriteRule ^id/([a-z]+/[a-z0-9-]+)$ {site}/id/$1.{suffix} [R=303,L]"]
    lines += [f"RewriteRule ^id/(.*)$ {site}/id/$1 [R=303,L]", "",
              "# The DCAT-AP catalog and the VoID description (the site negotiates the format)",
              f"RewriteRule ^catalog$ {site}/catalog [R=303,L]",
              f"RewriteRule ^void$ {site}/.well-known/void [R=303,L]", "",
              "# Anything else: the home page",
              f"RewriteRule ^(.*)$ {site}/ [R=302,L]", ""]
    return "\n".join(lines)
