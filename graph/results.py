"""Query results that cross process and network boundaries, and their serialisations.

A SELECT/ASK result travels as SPARQL 1.1 JSON (what every engine and server speaks);
a CONSTRUCT/DESCRIBE result as N-Triples. :class:`QueryResult` turns them into rdflib
terms for library code, or into any standard format (pyoxigraph re-serialises, so the
XML, CSV and TSV outputs are the engine's own, spec-conformant ones).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal as TLiteral

import pyoxigraph as ox
from rdflib import Graph

from .errors import QueryError
from .namespaces import OUTPUT_PREFIXES, bind_prefixes
from .terms import json_term_rdflib, to_rdflib

#: SPARQL results formats: name → (pyoxigraph format, media type).
RESULT_FORMATS: dict[str, tuple[ox.QueryResultsFormat, str]] = {
    "json": (ox.QueryResultsFormat.JSON, "application/sparql-results+json"),
    "xml": (ox.QueryResultsFormat.XML, "application/sparql-results+xml"),
    "csv": (ox.QueryResultsFormat.CSV, "text/csv"),
    "tsv": (ox.QueryResultsFormat.TSV, "text/tab-separated-values"),
}

#: RDF formats: name → (pyoxigraph format, media type, file extension).
RDF_OUTPUT_FORMATS: dict[str, tuple[ox.RdfFormat, str, str]] = {
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle", "ttl"),
    "ntriples": (ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json", "jsonld"),
    "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml", "rdf"),
    "trig": (ox.RdfFormat.TRIG, "application/trig", "trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads", "nq"),
}

def serialized_bytes(out: bytes | None) -> bytes:
    """pyoxigraph's serialisers return the bytes when given no output file."""
    assert out is not None
    return out


# --- results -------------------------------------------------------------------------

@dataclass
class QueryResult:
    """The answer to one query, whatever engine produced it."""

    kind: TLiteral["select", "ask", "graph"]
    #: SPARQL JSON results (select/ask) or N-Triples (graph), as produced by the engine
    payload: bytes
    truncated: bool = False
    limit: int | None = None
    elapsed: float = 0.0
    #: what cut the result when ``truncated``: "rows" (the row cap) or "bytes" (the answer size cap)
    truncated_by: str | None = None
    _graph: Graph | None = field(default=None, repr=False)

    @cached_property
    def _json(self) -> dict:
        return json.loads(self.payload)

    @property
    def variables(self) -> list[str]:
        return list(self._json.get("head", {}).get("vars", [])) if self.kind == "select" else []

    @cached_property
    def rows(self) -> list[dict]:
        """SELECT rows as dicts of rdflib terms (unbound variables are absent)."""
        if self.kind != "select":
            return []
        return [{k: json_term_rdflib(v) for k, v in b.items()} for b in self._json["results"]["bindings"]]

    @property
    def boolean(self) -> bool | None:
        return bool(self._json["boolean"]) if self.kind == "ask" else None

    @property
    def graph(self) -> Graph | None:
        if self.kind != "graph":
            return None
        if self._graph is None:
            g = Graph()
            bind_prefixes(g)
            g.addN((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), g)
                   for t in ox.parse(self.payload, format=ox.RdfFormat.N_TRIPLES))
            self._graph = g
        return self._graph

    def __len__(self) -> int:
        if self.kind == "select":
            return len(self._json["results"]["bindings"])
        if self.kind == "graph":
            return self.payload.count(b"\n")
        return 1

    def formats(self) -> list[str]:
        return list(RESULT_FORMATS) if self.kind != "graph" else list(RDF_OUTPUT_FORMATS)

    def media_type(self, fmt: str) -> str:
        return (RESULT_FORMATS[fmt][1] if self.kind != "graph" else RDF_OUTPUT_FORMATS[fmt][1])

    def serialize(self, fmt: str) -> bytes:
        """The result in one of :meth:`formats`; a format of the other family is a QueryError."""
        if self.kind == "graph":
            if fmt not in RDF_OUTPUT_FORMATS:
                raise QueryError(f"format {fmt!r} is for SELECT/ASK results; a CONSTRUCT/DESCRIBE result "
                                 f"can be one of: {', '.join(RDF_OUTPUT_FORMATS)}")
            if fmt == "ntriples":
                return self.payload
            ox_fmt = RDF_OUTPUT_FORMATS[fmt][0]
            triples = ox.parse(self.payload, format=ox.RdfFormat.N_TRIPLES)
            data: Iterable[ox.Quad] | Iterable[ox.Triple] = triples  # type: ignore[assignment]
            if ox_fmt.supports_datasets:
                data = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
            return serialized_bytes(ox.serialize(data, format=ox_fmt, prefixes=_used_prefixes(self.payload)))
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"format {fmt!r} is for CONSTRUCT/DESCRIBE results; a SELECT/ASK result "
                             f"can be one of: {', '.join(RESULT_FORMATS)}")
        if fmt == "json":
            return self.payload
        parsed = ox.parse_query_results(self.payload, format=ox.QueryResultsFormat.JSON)
        return serialized_bytes(parsed.serialize(format=RESULT_FORMATS[fmt][0]))


def _used_prefixes(ntriples: bytes) -> dict[str, str]:
    """Only the prefixes whose namespace occurs in the data (keeps Turtle headers short)."""
    return {p: iri for p, iri in OUTPUT_PREFIXES.items() if iri.encode() in ntriples}


def select_json(variables: list[str], rows: list[dict]) -> bytes:
    """SPARQL JSON results from variable names and rows of JSON terms."""
    return json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}},
                      ensure_ascii=False, separators=(",", ":")).encode()


def ask_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": bool(value)}).encode()
