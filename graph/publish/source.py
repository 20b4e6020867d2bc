"""Where a release's data comes from: a built store, or the project's files read into
memory (:func:`files_backend`, a :class:`graph.memory.MemoryStore`), rebased to the
deployment's IRI."""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..config import Settings
from ..load import discover, parse_quads, to_rdflib
from ..memory import MemoryStore
from ..namespaces import WCID_DEFAULT


def files_backend(settings: Settings) -> MemoryStore:
    """The project's files in an in-memory store, their quads kept as parsed: what ``wckg
    publish`` reads from a clean clone, where no store has been built."""
    quads: list[ox.Quad] = []
    for f in discover(settings):
        quads += rebase_quads(parse_quads(f), settings.base_iri)
    return MemoryStore(quads, settings=settings, keep_quads=True)


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
    """Every quad of the named graphs, as rdflib terms ``(s, p, o, g)``, de-duplicated. An
    in-memory store is read directly (the quads as parsed when it kept them)."""
    if isinstance(backend, MemoryStore):
        quads: Iterable[ox.Quad] = backend.quads if backend.quads is not None else (
            q for q in backend.store if not isinstance(q.graph_name, ox.DefaultGraph))
        return list(dict.fromkeys((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object),
                                   to_rdflib(q.graph_name)) for q in quads))
    rows = backend.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return list(dict.fromkeys((r["s"], r["p"], r["o"], r["g"]) for r in rows))
