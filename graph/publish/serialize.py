"""The serialisations of a release: N-Quads, TriG, Turtle, N-Triples, RDF/XML with sorted
prefix headers, and JSON-LD compacted with the published context (:class:`JsonLdWriter`)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
from rdflib.namespace import XSD

from ..config import PROJECT_ROOT, Settings
from ..errors import InputError
from ..namespaces import PREFIXES
from ..results import serialized_bytes
from .canonical import RDF_TYPE, sort_quads, sort_triples


CONTEXT_FILE = "context.jsonld"


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
    return serialized_bytes(ox.serialize(sort_quads(quads), format=ox.RdfFormat.N_QUADS))


def serialize_trig(quads: Sequence[ox.Quad], prefixes: dict[str, str]) -> bytes:
    quads = sort_quads(quads)
    return _sorted_header(serialized_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG,
                                                        prefixes=used_prefixes(quads, prefixes))))


def serialize_turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    triples = sort_triples(triples)
    return _sorted_header(serialized_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                                                        prefixes=used_prefixes(triples, prefixes))))


def serialize_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return serialized_bytes(ox.serialize(sort_triples(triples), format=ox.RdfFormat.N_TRIPLES))


def serialize_rdfxml(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    triples = sort_triples(triples)
    # pyoxigraph invents a prefix for a predicate namespace it is not given.
    return serialized_bytes(ox.serialize(triples, format=ox.RdfFormat.RDF_XML,
                                         prefixes=used_prefixes(triples, prefixes)))


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
