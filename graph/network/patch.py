"""The network fetch of a rebuild, patched: the rows of the previous build's fetch
(:func:`.data.fetch_rows`), with the rows of what changed fetched again.

Every query of :data:`.data.QUERIES` is about one resource per row, its *main* variable
(:data:`MAIN`: the activity, the agent, the membership, the statement evidence…), and
every triple a row reads has that resource as its subject, or one it links to by
:data:`REFERENCES` (an activity's signing, an agent's country, an activity's topic), or a
class (``rdfs:subClassOf``). So after a rebuild whose quads that went or came have the
subjects *S*:

* the rows whose main resource is in *S*, or links to one in *S* (:func:`referrers`), are
  dropped and fetched again, restricted to those resources (a ``VALUES`` block the
  planner starts from);
* a blank node (a statement's evidence, a membership) is renamed on every parse, so the
  changed graphs' blank nodes are fetched again by graph (all their triples are in their
  own file's graph), and the old ones' rows dropped by name;
* a changed ``rdfs:subClassOf`` or ``rdfs:subPropertyOf`` changes the types and roles of
  anything: the whole fetch runs again (:class:`Change` says so with ``whole``).

:func:`.data.assemble` reads the rows in any order, so the patched rows make the same
:class:`.data.GraphData` as a whole fetch of the new store (``tests/test_network_patch.py``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..namespaces import WC
from .data import QUERIES, Rows, _run_all

#: the resource each query's rows are about (a variable every row binds)
MAIN = {"agents": "agent", "alt": "agent", "topics": "act", "incidences": "act", "posts": "m",
        "sentences": "act", "statements": "se", "parents": "unit",
        **{name: "act" for name in QUERIES if name.startswith("act-")}}

#: the links by which a row reads the triples of another resource than its main one
REFERENCES = tuple(ox.NamedNode(str(WC) + p) for p in ("signedAt", "country", "topic"))

#: a change to these makes every type and role differ: the whole fetch runs again
AXIOMS = ("http://www.w3.org/2000/01/rdf-schema#subClassOf", "http://www.w3.org/2000/01/rdf-schema#subPropertyOf")

#: IRIs per VALUES block
CHUNK = 2000


@dataclass
class Change:
    """What a rebuild (or several) changed, for the network fetch: the IRIs and blank
    nodes that are subjects of quads that went or came, the graphs reloaded or removed;
    ``whole`` when an axiom changed."""

    iris: set[str] = field(default_factory=set)
    blanks: set[str] = field(default_factory=set)
    graphs: set[str] = field(default_factory=set)
    whole: bool = False

    @classmethod
    def of(cls, quads: Iterable[ox.Quad], graphs: Iterable[str], more_iris: Iterable[str] = ()) -> Change:
        c = cls(graphs=set(graphs), iris=set(more_iris))
        for q in quads:
            if q.predicate.value in AXIOMS:
                c.whole = True
            s = q.subject
            if isinstance(s, ox.NamedNode):
                c.iris.add(s.value)
            elif isinstance(s, ox.BlankNode):
                c.blanks.add(s.value)
        return c

    def merged(self, other: Change) -> Change:
        return Change(self.iris | other.iris, self.blanks | other.blanks, self.graphs | other.graphs,
                      self.whole or other.whole)

    def to_json(self) -> dict[str, Any]:
        return {"iris": sorted(self.iris), "blanks": sorted(self.blanks), "graphs": sorted(self.graphs),
                "whole": self.whole}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Change:
        return cls(set(d["iris"]), set(d["blanks"]), set(d["graphs"]), bool(d["whole"]))


def referrers(store: ox.Store, iris: Iterable[str]) -> set[str]:
    """The resources linking to one of *iris* by :data:`REFERENCES` (in any graph)."""
    out: set[str] = set()
    for iri in iris:
        node = ox.NamedNode(iri)
        for p in REFERENCES:
            out |= {q.subject.value for q in store.quads_for_pattern(None, p, node, None)
                    if isinstance(q.subject, ox.NamedNode)}
    return out


def _restricted(text: str, var: str, block: str, distinct: bool = False) -> str:
    head, body = text.split("WHERE {", 1)
    if distinct:
        head = head.replace("SELECT ", "SELECT DISTINCT ", 1)
    return f"{head}WHERE {{\n  {block}\n{body}"


def patch_rows(backend: Any, rows: Rows, change: Change) -> Rows:
    """*rows* (a whole fetch of an earlier store) brought up to date with *change* from
    *backend* (the store now: anything :func:`.data.fetch_rows` takes)."""
    store = backend.local_store()
    iris = change.iris | referrers(store, change.iris)
    gone = iris | change.blanks
    values = sorted(str(ox.NamedNode(i)) for i in iris)
    graphs = " ".join(str(ox.NamedNode(g)) for g in sorted(change.graphs))
    queries: dict[str, str] = {}
    for name, text in QUERIES.items():
        var = MAIN[name]
        for n, i in enumerate(range(0, len(values), CHUNK)):
            queries[f"{name}\t{n}"] = _restricted(text, var, f"VALUES ?{var} {{ {' '.join(values[i:i + CHUNK])} }}")
        if graphs:
            queries[f"{name}\tblank"] = _restricted(
                text, var, f"GRAPH ?patchGraph {{ ?{var} ?patchP ?patchO }} VALUES ?patchGraph {{ {graphs} }} "
                           f"FILTER(isBlank(?{var}))", distinct=True)
    fresh = _run_all(backend, queries)
    out: Rows = {}
    for name in QUERIES:
        var = MAIN[name]
        out[name] = [r for r in rows[name] if r.get(var) not in gone]
    for key, found in fresh.items():
        out[key.split("\t")[0]].extend(found)
    return out
