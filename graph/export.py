"""Serialisations of the whole dataset, from any backend, in a deterministic order."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from .errors import WckgError
from .namespaces import OUTPUT_PREFIXES
from .results import RDF_OUTPUT_FORMATS, serialized_bytes
from .terms import to_oxigraph

#: Formats that keep the named graphs; every other format gives the union (default-graph view).
DATASET_FORMATS = ("trig", "nquads")

ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def dataset_quads(backend, graphs: set[str] | None = None) -> list[ox.Quad]:
    """Every quad of the store's named graphs (optionally only *graphs*), sorted."""
    quads = [ox.Quad(to_oxigraph(r["s"]), to_oxigraph(r["p"]), to_oxigraph(r["o"]), to_oxigraph(r["g"]))
             for r in backend.select(ALL_QUADS) if graphs is None or str(r["g"]) in graphs]
    quads.sort(key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))
    return quads


def _triples(quads: list[ox.Quad]) -> Iterator[ox.Triple]:
    """The default-graph view: the union of the named graphs, each triple once, sorted."""
    unique = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return iter(sorted(unique, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))))


def serialize_quads(quads: list[ox.Quad], fmt: str) -> bytes:
    """Quads in one of the RDF output formats (dataset formats keep the named graphs; the
    others give the union, each triple once)."""
    try:
        ox_fmt = RDF_OUTPUT_FORMATS[fmt][0]
    except KeyError:
        raise WckgError(f"unknown export format {fmt!r}", hint="use one of " + ", ".join(RDF_OUTPUT_FORMATS)) from None
    data: Iterable[ox.Quad] | Iterable[ox.Triple]
    if fmt in DATASET_FORMATS:
        data = quads
    elif ox_fmt.supports_datasets:  # JSON-LD: the default-graph view, as quads in the default graph
        data = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in _triples(quads))
    else:
        data = _triples(quads)
    prefixes = OUTPUT_PREFIXES if ox_fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML) else None
    return serialized_bytes(ox.serialize(data, format=ox_fmt, prefixes=prefixes))


def export(backend, fmt: str) -> bytes:
    """The whole dataset in *fmt*."""
    return serialize_quads(dataset_quads(backend), fmt)
