"""The release bundle: what it holds (:data:`FILES`), the settings it needs, and
:func:`publish`, which writes it into a temporary directory and swaps it in."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from ..config import Settings
from ..errors import ConfigError, StoreError, ValidationFailed
from ..load import discover, parse_quads, to_rdflib
from .canonical import canonical_quads, canonical_triples, from_rdflib, union_triples
from .readme import render_readme
from .serialize import (CONTEXT_FILE, JsonLdWriter, kind_prefixes, load_context, serialize_nquads,
                        serialize_rdfxml, serialize_trig, serialize_turtle)
from .source import files_backend, read_quads, rebase_quads
from .swap import GENERATOR, MANIFEST, check_target, swap_in


#: Steps reported to a progress callback, in order.
STEPS = ("validate", "read", "dumps", "ontology", "void", "catalog", "swap")

Progress = Callable[[str], None]


def check_settings(settings: Settings) -> None:
    """Refuse to publish without the settings a catalog cannot do without; name each one."""
    if not (settings.licence or "").strip():
        raise ConfigError("the dataset has no licence: WCKG_LICENCE is not set",
                          hint="set WCKG_LICENCE to an open licence IRI, e.g. "
                               "http://creativecommons.org/licenses/by/4.0/")
    if not re.match(r"^https?://\S+$", (settings.licence or "").strip()):
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
    from ..validate import validate
    report = validate(settings)
    if not report.conforms:
        raise ValidationFailed(report)
    return report


# long: the bundle's steps in order, each reported to progress, in one try that removes the temporary directory
def publish(settings: Settings, out_dir: Path | str, *, backend=None, base_url: str | None = None,
            release_date: str | date | None = None, progress: Progress | None = None,
            validate: bool = True) -> PublishResult:
    """Write the release bundle into *out_dir* (replacing an older bundle atomically).

    *backend*: a store (``graph.store.open_backend``) to publish; without one, the
    project's files are read into memory (a clean clone needs no build). The validation
    gate always checks the project's files against the project's shapes first.
    """
    from .. import dcat, void  # noqa: PLC0415 (imported when publishing only)

    step = progress or (lambda _s: None)
    out_dir = Path(out_dir).absolute()
    check_settings(settings)
    # WCKG_RELEASE_DATE: the CLI passes it; a Settings field of that name is honoured too.
    release = parse_release_date(release_date or settings.release_date)
    check_target(out_dir)
    base = download_base(settings, base_url)

    step("validate")
    if validate:
        _validate(settings)

    step("read")
    source = backend if backend is not None else files_backend(settings)
    quads = canonical_quads(read_quads(source))
    if not quads:
        raise StoreError("the store holds no quads: nothing to publish",
                         hint="run `wckg build` first, or publish from the files (no --from-store)")
    triples = union_triples(quads)
    prefixes = kind_prefixes(settings)
    context = load_context(settings)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        written: list[BundleFile] = []

        def put(spec: FileSpec, data: bytes) -> None:
            if spec.compressed:
                data = gzip_bytes(data)
            (tmp / spec.name).write_bytes(data)
            written.append(BundleFile(spec, len(data), hashlib.sha256(data).hexdigest()))

        _write_data(put, step, settings, quads, triples, prefixes, context)

        step("void")
        void_graph = void.build_void(source, settings, download_base=base,
                                     dumps=[f.name for f in written if f.spec.role == "dump"])
        put(FILES["void.ttl"], serialize_turtle(from_rdflib(void_graph, "void"), {**prefixes, **void.PREFIXES}))

        step("catalog")
        facts = dcat.DataFacts.from_backend(source, settings, release_date=release)
        catalog = dcat.build_catalog(settings, written, facts, download_base=base)
        put(CATALOG_SPEC, serialize_turtle(from_rdflib(catalog, "catalog"), {**prefixes, **dcat.PREFIXES}))

        graphs = _graph_sizes(quads)
        manifest = {
            "generator": GENERATOR,
            "dataset": dcat.dataset_iri(settings),
            "modified": facts.modified.isoformat() if facts.modified else None,
            "download_base": base,
            "quads": len(quads),
            "triples": len(triples),
            "graphs": graphs,
            "files": [{"name": f.name, "title": f.spec.title, "description": f.spec.description,
                       "media_type": f.spec.media_type, "compressed": f.spec.compressed,
                       "role": f.spec.role, "size": f.size, "sha256": f.sha256} for f in written],
        }
        _write_index(tmp, settings, written, manifest, facts)
        os.chmod(tmp, 0o755)

        step("swap")
        replaced = swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishResult(out_dir, written, len(quads), len(triples), graphs, facts.modified, replaced)


def _write_data(put: Callable[[FileSpec, bytes], None], step: Progress, settings: Settings, quads: list[ox.Quad],
                triples: list[ox.Triple], prefixes: dict[str, str], context: dict) -> None:
    """The dumps, the ontology and shapes in three formats each, and the JSON-LD context."""
    # the context travels inside every JSON-LD file: a client offline (or before the w3id
    # redirect of context_url() exists) parses them without fetching anything
    ctx_ref = context["@context"]
    writer = JsonLdWriter(context)
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


def _graph_sizes(quads: list[ox.Quad]) -> dict[str, int]:
    """Named graph → its number of quads, by graph name."""
    graphs: dict[str, int] = {}
    for q in quads:
        name = q.graph_name.value if not isinstance(q.graph_name, ox.DefaultGraph) else ""
        graphs[name] = graphs.get(name, 0) + 1
    return dict(sorted(graphs.items()))


def _write_index(tmp: Path, settings: Settings, written: list[BundleFile], manifest: dict, facts) -> None:
    """README.md, the manifest and SHA256SUMS (of every other file) into the bundle *tmp*."""
    (tmp / "README.md").write_text(render_readme(settings, written, manifest, facts), encoding="utf-8")
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sums = "".join(f"{hashlib.sha256((tmp / n).read_bytes()).hexdigest()}  {n}\n"
                   for n in sorted(BUNDLE_NAMES) if n != "SHA256SUMS")
    (tmp / "SHA256SUMS").write_text(sums, encoding="ascii")


def ontology_triples(settings: Settings, role: str) -> list[ox.Triple]:
    """The triples of ``ontology/wckg.ttl`` (role "ontology") or ``ontology/shapes/*.ttl``
    ("shapes"), with canonical blank-node labels."""
    triples = []
    for f in discover(settings):
        if f.role == role:
            triples += [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                        for q in rebase_quads(parse_quads(f), settings.base_iri)]
    return canonical_triples(list(dict.fromkeys(triples)), scope=f"{role}")
