"""Derived data: what a named query or a page would otherwise recompute over the whole graph
on every request, computed once per build and stored as the named graph
``wcid:graph/derived`` (terms in ``ontology/derived.ttl``).

Every build drops the graph and computes it again from the data just loaded
(:func:`derive`, called by :func:`graph.build.build`), so it is never stale; it is queryable
with SPARQL like any other graph (the default graph is the union). Derivations read the
other graphs only: the derived graph is removed before any of them runs.

A derivation is a function from an open pyoxigraph store (and the deployment's base IRI)
to triples, registered under a name with :func:`derivation`::

    @derivation("events-per-year", "number of dated events per year")
    def _events_per_year(store, base_iri):
        for row in store.query("SELECT ...", use_default_graph_as_union=True):
            yield ox.Triple(...)

Derivations run in registration order; :func:`derive` reports triples and seconds per
derivation (the build prints them).

**Incremental updates.** A rebuild after one changed article should not recompute the
whole graph (about 40 s at a million triples). A derivation that can be updated per
subject declares it: ``predicates`` (every predicate it emits, each triple's subject being
the entity it describes), ``affected(store, base_iri, quads)`` (the subjects whose triples
may change when *quads* are added to or removed from the source graphs, looked up in
*store*; None: all of them) and ``compute_for(store, base_iri, subjects)`` (the triples
of those subjects only). :class:`Update` asks ``affected`` on the store before the
changed graphs are removed (with the removed quads) and after the new files are loaded
(with the added quads), then replaces the triples of the affected subjects. A registered
derivation without them makes every build recompute the whole derived graph, as before. Python over pattern scans is used where SPARQL would
join every participant of every activity with every other (organisations-by-partner-count
took over 30 s as one query at 1 M triples; the same counts here take about a second).

The package: :mod:`.registry` (the registry, :func:`derivation`, the graph's name and
signature), :mod:`.run` (:func:`derive`, a whole derivation), :mod:`.update`
(:class:`Update`, per subject), :mod:`.state` (tables kept between builds), :mod:`.scans`
(pattern scans over the source graphs), one module per derivation
(:mod:`.most_specific_type`, :mod:`.partners`, :mod:`.summaries`, :mod:`.involvement`,
:mod:`.timeline`, :mod:`.class_counts`). A new
derivation is a module of its own, imported below (the import order is the order they run in).
"""
from __future__ import annotations

from .registry import (DERIVED_GRAPH, ORG_MEMBER, ORG_ORGANIZATION, ORG_SUB, RDF_TYPE, REGISTRY, SUBCLASS, VERSION,
                       WC, XSD_INTEGER, Affected, ComputeFor, Derivation, derivation, graph_name, incremental,
                       signature)
from .run import derive
from .update import Update

# the derivations register themselves on import, in the order they run (part of signature():
# a new one goes last)
from . import most_specific_type
from . import partners
from . import summaries  # per-item summaries the named queries read (issue 13)
from . import involvement  # link -> everyone taking part (link-evidence)
from . import timeline  # the timeline filters' counts (its first view)
from . import class_counts  # instances per class (/classes)
from .partners import PARTICIPATION_ROLES, PARTICIPATION_STATE, participation

__all__ = ["DERIVED_GRAPH", "ORG_MEMBER", "ORG_ORGANIZATION", "ORG_SUB", "PARTICIPATION_ROLES", "PARTICIPATION_STATE",
           "RDF_TYPE", "REGISTRY", "SUBCLASS", "VERSION", "WC", "XSD_INTEGER", "Affected", "ComputeFor", "Derivation",
           "Update", "derivation", "derive", "graph_name", "incremental", "involvement", "most_specific_type",
           "class_counts", "participation", "partners", "signature", "summaries", "timeline"]
