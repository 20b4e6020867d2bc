"""What the linked-data pages show, gathered by SPARQL through a store backend.

No web framework here: the functions take a backend (``backend.select(text, params=...)``,
graph/backend.py) and return plain dataclasses that a template, a JSON view or a test can
read. Every value that comes from a caller is bound by the engine as a query parameter,
never pasted into query text. One module per kind of page:

* ``entity`` — :func:`describe`, one resource: types, labels in every language, its
  properties and inverse properties grouped and labelled (labels from the ontology's
  ``rdfs:label``), the linked resources with their labels, the evidence (per source
  article: title, date, publisher, the verbatim ``wc:evidence`` sentences, the named
  graph), Wikidata links and coordinates; :func:`describe_rdf`, the same resource as an
  rdflib graph for content negotiation: a symmetric concise bounded description (its
  triples in every graph, blank nodes followed, the triples that point at it) plus the
  labels of every linked resource.
* ``classes`` — :func:`list_classes`, :func:`describe_class`: classes of the ontology and
  their instances.
* ``source`` — :func:`describe_source`, a source article: metadata, the verbatim text with
  contact details redacted and the resources its graph mentions linked, and what it states.
* ``timeline`` — :func:`timeline`, :func:`timeline_facets`: dated events and agreements,
  filterable.
* ``common`` — what they share: labels, dates, the class hierarchy, a cache keyed on the
  backend.

Everything is re-exported here, so ``from graph.describe import describe`` keeps working.
Tunable limits (``INVERSE_CAP``, ``EVIDENCE_ROWS``…) are read by the module that defines
them: patch them there (``graph.describe.entity``).
"""
from __future__ import annotations

from .classes import ClassDescription, ClassSummary, describe_class, direct_counts, list_classes, subclasses_of
from .common import (FALLBACK_LABELS, INVERSE_LABELS, LINK_LABEL_PROPERTIES, PROLOGUE, Link, class_ancestors,
                     format_date, inverse_label, local_name, most_specific, pick_label, property_label,
                     resource_label, term_labels, year_of)
from .entity import (EVIDENCE_ROWS, HEADER_PROPERTIES, INVERSE_CAP, PROPERTY_ORDER, RDF_INVERSE_CAP, SOURCES_CAP,
                     EntityDescription, Evidence, PropertyGroup, Statement, Value, describe, describe_rdf,
                     resource_exists)
from .source import (EMAIL_PLACEHOLDER, EMAIL_RE, PHONE_PLACEHOLDER, PHONE_RE, Segment, SourceDescription,
                     describe_source, highlight, redact)
from .timeline import (FACET_ORGS, TIMELINE_LIMIT, TIMELINE_ORG_PROPERTIES, Facet, TimelineItem, group_by_year,
                       timeline, timeline_count, timeline_facets)

__all__ = [
    "describe", "describe_rdf", "describe_class", "list_classes", "describe_source", "timeline", "timeline_count",
    "timeline_facets", "group_by_year", "redact", "highlight", "pick_label", "format_date",
    "EntityDescription", "PropertyGroup", "Value", "Link", "Evidence", "Statement", "ClassDescription",
    "ClassSummary", "SourceDescription", "Segment", "TimelineItem", "Facet", "term_labels",
    "resource_exists",
    # also used by the routers and tests
    "resource_label", "local_name", "year_of", "property_label", "inverse_label", "class_ancestors",
    "most_specific", "direct_counts", "subclasses_of", "PROLOGUE", "FALLBACK_LABELS", "INVERSE_LABELS",
    "LINK_LABEL_PROPERTIES", "HEADER_PROPERTIES", "PROPERTY_ORDER", "INVERSE_CAP", "SOURCES_CAP",
    "EVIDENCE_ROWS", "RDF_INVERSE_CAP", "EMAIL_RE", "PHONE_RE", "EMAIL_PLACEHOLDER", "PHONE_PLACEHOLDER",
    "TIMELINE_LIMIT", "TIMELINE_ORG_PROPERTIES", "FACET_ORGS",
]
