"""Who works with whom: networks of organisations (and people) built from the graph, their
metrics, and their exports.

The package: :mod:`.vocab` (families, roles, kinds, metric names), :mod:`.data` (the
incidences fetched from a backend), :mod:`.filters`, :mod:`.sentences` (the sentence
behind a link), :mod:`.build` (the networks), :mod:`.metrics`,
:mod:`.export` (files and RDF), :mod:`.view` (the interactive vis-network view). Everything
public is re-exported here, so ``from graph import network as N`` reaches it all.

Networks
========

Everything starts from :class:`GraphData`, the *incidences* of the graph — which agent
(organisation or person) takes which role in which activity (event, agreement,
programme) — fetched with a handful of SPARQL SELECTs, one per relation family, never one
per node (:func:`fetch_graph_data`). Filters are then applied in Python, so one fetch
serves every filter combination (the web app caches it per store build).

``partnership``  organisation–organisation: two agents are linked when they share an
                 activity (agreement parties/funder/recipient; event organiser,
                 participant, supporter, the chair's organisation; programme funder,
                 implementer, partner, supporter). Each edge carries ``weight`` (number of
                 shared activities) and ``evidence``: one entry per shared activity
                 ``{kind, type, resource, label, date, source, roles}`` so that every edge
                 can be explained.
``bipartite``    agent–activity, ``bipartite`` = 0 for agents and 1 for activities, the
                 edge's ``role``.
``activity``     the projection on activities: two activities are linked when they share
                 an agent.
``ego``          the partnership network around one organisation or person, to depth 1–3.

Filters (:class:`NetworkFilters`): relation kinds (a family ``event``, a role
``party`` or both ``programme:funder``), a period (activities dated in or overlapping
``year_from``..``year_to``; undated ones are left out as soon as a period is given),
countries and organisation kinds of the organisations, topics of the activities, people
in or out.

Metrics
=======

:func:`compute_metrics` — degree, weighted degree, betweenness (exact up to
:data:`EXACT_BETWEENNESS_MAX` nodes, otherwise sampled over ``k`` sources with a fixed
seed; the sample size is recorded in the result), eigenvector centrality (weighted),
Louvain communities (``seed=42``: deterministic), connected components, and brokerage:
``brokerage`` = number of *other* communities among a node's neighbours,
``country_brokerage`` = number of countries other than its own among its neighbours'.
:func:`yearly_slices` computes them per year so that change shows.

Exports
=======

GEXF and GraphML hold scalar attributes only: the evidence list becomes
``evidence_json`` (a JSON string), ``evidence_count`` and ``evidence_summary`` (readable);
node-link JSON keeps the list; CSV edge and node lists (the node list is the metrics
table). :func:`metrics_dataset` states the metrics in RDF, in the named graph
``wcid:graph/metrics`` with the computation's date and parameters (vocabulary:
``ontology/metrics.ttl``).
"""


from .build import activity_network, bipartite_network, build_network, ego_network, organisation_count, partnership_network
from .data import Activity, Agent, GraphData, cached_graph_data, fetch_graph_data
from .filters import (Incidences, NetworkFilters, filtered_incidences, group_incidences, make_filters, parse_org_kinds,
                      parse_relations, parse_year, resolve_focus, rollup_map)
from .sentences import names_in, normalise_text
from .vocab import (ACTIVITY_COLORS, BETWEENNESS_SAMPLE, BETWEENNESS_SAMPLE_MIN, EXACT_BETWEENNESS_MAX, FAMILIES,
                    METRIC_LABELS, METRICS, METRICS_GRAPH, NETWORK_KINDS, ORG_KINDS, ROLES, SEED, SIZE_METRICS,
                    STRENGTHS, TIE_KINDS, WEIGHTING, YEAR_MAX, YEAR_MIN, YEARS_ON_PAGE_MAX, UnknownFocus, betweenness_sample_size,
                    tie_kind, tie_strength)
from .export import (EXPORT_FORMATS, dynamic_gexf_bytes, dynamic_graph, static_gexf_bytes, edges_csv, evidence_summary, export_format, gexf_bytes,
                     graphml_bytes, metrics_dataset, metrics_rdf_bytes, node_link, node_link_bytes,
                     nodes_csv, scalar_graph, write_network, yearly_csv)
from .ego import EGO_MAX_NODES
from .pool import catalogue_for, network_for, years_csv_for, years_for
from .metrics import (METRIC_EXPLANATIONS, PARALLEL_LOUVAIN_MIN_EDGES, Metrics, YearSlice,
                      compute_metrics, eigenvector_centrality, metric_notes, year_summary, yearly_rows,
                      yearly_slices, yearly_summaries)

__all__ = [
    "FAMILIES", "ROLES", "ORG_KINDS", "NETWORK_KINDS", "METRICS", "SIZE_METRICS", "METRICS_GRAPH",
    "METRIC_LABELS", "ACTIVITY_COLORS", "SEED", "YEAR_MIN", "YEAR_MAX", "EXACT_BETWEENNESS_MAX",
    "BETWEENNESS_SAMPLE", "BETWEENNESS_SAMPLE_MIN", "PARALLEL_LOUVAIN_MIN_EDGES",
    "Agent", "Activity", "GraphData", "NetworkFilters", "Metrics", "YearSlice", "UnknownFocus",
    "fetch_graph_data", "cached_graph_data", "make_filters", "parse_relations", "parse_year",
    "parse_org_kinds", "filtered_incidences", "betweenness_sample_size", "eigenvector_centrality",
    "partnership_network", "bipartite_network", "activity_network", "ego_network", "build_network",
    "resolve_focus", "compute_metrics", "yearly_slices", "yearly_rows", "scalar_graph", "node_link",
    "gexf_bytes", "graphml_bytes", "node_link_bytes", "edges_csv", "nodes_csv", "yearly_csv",
    "metrics_dataset", "metrics_rdf_bytes", "write_network", "export_format", "EXPORT_FORMATS",
    "evidence_summary", "organisation_count", "TIE_KINDS", "STRENGTHS", "WEIGHTING", "Incidences",
    "group_incidences", "names_in", "normalise_text", "rollup_map", "tie_kind", "tie_strength",
    "EGO_MAX_NODES", "catalogue_for", "network_for", "years_csv_for", "years_for", "YEARS_ON_PAGE_MAX",
    "year_summary", "yearly_summaries",
    "METRIC_EXPLANATIONS", "metric_notes", "dynamic_gexf_bytes", "dynamic_graph", "static_gexf_bytes",
]
