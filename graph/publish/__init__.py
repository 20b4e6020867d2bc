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

One module per part: ``bundle`` (what the bundle holds, :func:`publish`), ``source`` (the
store or the files in memory), ``canonical`` (blank-node labels and order), ``serialize``
(the dumps and JSON-LD), ``swap`` (atomic replacement), ``readme`` (the README and the
w3id.org rules). Everything is re-exported here: ``from graph.publish import publish`` works.
"""
from __future__ import annotations

from .bundle import (BUNDLE_NAMES, CATALOG_SPEC, FILES, STEPS, BundleFile, FileSpec, Progress, PublishResult,
                     check_settings, download_base, gzip_bytes, ontology_triples, parse_release_date, publish)
from .canonical import (RDF_TYPE, canonical_quads, canonical_triples, from_rdflib, sort_quads, sort_triples,
                        union_triples)
from .readme import human_size, render_readme, w3id_htaccess
from .serialize import (CONTEXT_FILE, JsonLdWriter, context_url, kind_prefixes, load_context, serialize_nquads,
                        serialize_ntriples, serialize_rdfxml, serialize_trig, serialize_turtle, used_prefixes)
from .source import files_backend, read_quads, rebase_quads
from .swap import GENERATOR, MANIFEST, is_bundle

__all__ = [
    "BUNDLE_NAMES", "CATALOG_SPEC", "FILES", "STEPS", "BundleFile", "FileSpec", "Progress", "PublishResult",
    "check_settings", "download_base", "gzip_bytes", "ontology_triples", "parse_release_date", "publish",
    "RDF_TYPE", "canonical_quads", "canonical_triples", "from_rdflib", "sort_quads", "sort_triples",
    "union_triples", "human_size", "render_readme", "w3id_htaccess", "CONTEXT_FILE", "JsonLdWriter",
    "context_url", "kind_prefixes", "load_context", "serialize_nquads", "serialize_ntriples", "serialize_rdfxml",
    "serialize_trig", "serialize_turtle", "used_prefixes", "files_backend", "read_quads", "rebase_quads",
    "GENERATOR", "MANIFEST", "is_bundle",
]
