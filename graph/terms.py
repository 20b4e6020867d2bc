"""Conversions between rdflib terms, pyoxigraph terms and SPARQL 1.1 JSON result terms."""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .errors import QueryError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(t):
    """A pyoxigraph term as an rdflib term."""
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == XSD_STRING:
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    raise TypeError(f"unsupported term {t!r}")


def to_oxigraph(t):
    """An rdflib term as a pyoxigraph term."""
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"unsupported term {t!r}")


def to_ntriples(t) -> str:
    """An rdflib term in N-Triples syntax, escaped by pyoxigraph (for VALUES blocks sent to servers)."""
    return str(to_oxigraph(t))


def ox_term_json(t) -> dict:
    """A pyoxigraph term in SPARQL 1.1 JSON results form."""
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": ox_term_json(t.subject),
                                            "predicate": ox_term_json(t.predicate),
                                            "object": ox_term_json(t.object)}}
    raise TypeError(f"unsupported term {t!r}")


def json_term_rdflib(d: dict):
    """A SPARQL 1.1 JSON results term as an rdflib term."""
    kind = d["type"]
    if kind == "uri":
        return URIRef(d["value"])
    if kind == "bnode":
        return BNode(d["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in d:
            return Literal(d["value"], lang=d["xml:lang"])
        if d.get("datatype") and d["datatype"] != XSD_STRING:
            return Literal(d["value"], datatype=URIRef(d["datatype"]))
        return Literal(d["value"])
    raise QueryError(f"unsupported term type {kind!r} in a query result")
