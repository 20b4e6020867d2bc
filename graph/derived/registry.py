"""The registry of derivations (:func:`derivation`), the derived graph's name and what made it
(:func:`signature`), and the terms the derivations use."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import WCID_DEFAULT

DERIVED_GRAPH = WCID_DEFAULT + "graph/derived"

WC = "https://w3id.org/wckg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
ORG_MEMBER = ox.NamedNode("http://www.w3.org/ns/org#member")
ORG_ORGANIZATION = ox.NamedNode("http://www.w3.org/ns/org#organization")
ORG_SUB = ox.NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


Affected = Callable[[ox.Store, str, Sequence[ox.Quad]], "set | None"]
ComputeFor = Callable[[ox.Store, str, set], Iterable[ox.Triple]]


@dataclass(frozen=True)
class Derivation:
    name: str
    description: str
    compute: Callable[[ox.Store, str], Iterable[ox.Triple]]
    predicates: tuple[ox.NamedNode, ...] = ()
    affected: Affected | None = None
    compute_for: ComputeFor | None = None

    @property
    def incremental(self) -> bool:
        return bool(self.predicates) and self.affected is not None and self.compute_for is not None


#: Every derivation, by name, in the order they run.
REGISTRY: dict[str, Derivation] = {}


def derivation(name: str, description: str, *, predicates: Iterable[str] = (),
               affected: Affected | None = None, compute_for: ComputeFor | None = None):
    """Register a derivation (a decorator); a second one of the same name is a mistake.
    *predicates*, *affected* and *compute_for* make it incremental (module docstring)."""
    def register(fn: Callable[[ox.Store, str], Iterable[ox.Triple]]):
        if name in REGISTRY:
            raise ValueError(f"a derivation named {name!r} is already registered")
        REGISTRY[name] = Derivation(name, description, fn, tuple(ox.NamedNode(p) for p in predicates),
                                    affected, compute_for)
        return fn
    return register


def incremental() -> bool:
    """Whether every registered derivation can be updated per subject (:class:`Update`)."""
    return all(d.incremental for d in REGISTRY.values())


#: Raise when a derivation changes what it computes: a store built with another version is rebuilt.
VERSION = 2


def signature() -> str:
    """What the derived graph of a build was made by (kept in the build's manifest)."""
    return f"{VERSION}:" + ",".join([*REGISTRY, "rdfs-entailment"])  # + graph.entail


def graph_name(base_iri: str = WCID_DEFAULT) -> ox.NamedNode:
    return ox.NamedNode(base_iri + DERIVED_GRAPH[len(WCID_DEFAULT):])
