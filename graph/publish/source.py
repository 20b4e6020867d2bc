"""Where a release's data comes from: a built store, or the project's files read into
memory (:class:`MemoryBackend`), rebased to the deployment's IRI."""
from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..config import Settings
from ..namespaces import WCID_DEFAULT
from ..load import discover, parse_quads, to_oxigraph, to_rdflib


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
        if not isinstance(res, ox.QuerySolutions):
            raise TypeError("MemoryBackend.select runs SELECT queries only")
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
