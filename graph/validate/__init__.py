"""Validate the curated data: SHACL shapes (pyshacl) plus the checks SHACL cannot say well,
returned as one typed :class:`ValidationReport`.

The data is validated in **units**, which is what keeps re-validation after a change cheap:

* the *reference unit*: ``wcid:graph/reference`` (vocabularies, reference data, source
  metadata), plus the triples that article graphs state about subjects of the reference
  graph (a programme described in the reference graph and funded in an article);
* one *article unit* per article graph: the article's triples plus their one-hop context,
  i.e. every triple of the reference graph whose subject is an IRI the article mentions,
  the ``rdf:type`` of the objects of those triples, and the ``rdf:type`` that other article
  graphs give to IRIs the article mentions (an event ``wc:partOf`` an event of another
  article). Only the article's own subjects are focus nodes of its unit.

The ontology's class hierarchy is mixed into every unit (pyshacl ``ont_graph``, see
:func:`class_hierarchy`) so that ``sh:targetClass`` and ``sh:class`` see the subclasses (a
``wc:GovernmentBody`` is a ``wc:Organisation``). pyshacl runs with ``inference="none"`` and
``advanced=True`` (SPARQL targets and constraints), without meta-SHACL; every SPARQL text is
parsed once per run (:func:`shapes.prepared_sparql_cache`).

Python checks, reported like SHACL results, in the list :data:`python_checks.CHECKS` (extend
it to add one):

* ``wc:EvidenceInSourceCheck``: every ``wc:evidence`` of a resource occurs verbatim
  (whitespace normalised) in the text of one of that resource's ``prov:wasDerivedFrom``
  sources in the same unit (``{base}source/{slug}`` is ``{data_dir}/sources/{slug}.txt``);
* ``wc:SourceTextCheck``: a source that evidence refers to has a text file;
* ``wc:IdentifierKindCheck``: a ``{base}{kind}/{slug}`` subject has the class of its kind
  (a misspelt or missing type would escape every class shape).
* the checks of evidence per statement in :mod:`graph.checks` (``PYTHON_CHECKS``): quotes at
  their offsets in the source text, quotes that name the statement's object, and a
  supporting sentence for every statement of an article.

Every result says where its focus node is defined: the data file and the line of its
first occurrence as a subject.

One module per part: ``report`` (the report and how it names terms), ``units`` (units and
where findings are written), ``shapes`` (ontology, shapes, pyshacl), ``python_checks``
(the checks above and :data:`~graph.validate.python_checks.CHECKS`), ``run`` (the entry
points). Everything is re-exported here: ``from graph.validate import validate`` works.
"""
from __future__ import annotations

from ..findings import SEVERITIES, ValidationResult
from .python_checks import (CHECKS, EVIDENCE_CHECK, IDENTIFIER_CHECK, KIND_CLASSES, SOURCE_TEXT_CHECK, Check,
                            SourceTexts, check_evidence, check_identifier_kinds)
from .report import Progress, ValidationReport
from .run import validate, validate_rdflib, validate_units, validate_with_context
from .shapes import class_hierarchy, load_ontology, load_shapes, quiet_rdflib_terms
from .units import Locator, Unit, build_units

#: the old private name (graph/review/queue.py imports it)
_quiet_rdflib_terms = quiet_rdflib_terms

__all__ = [
    "ValidationResult", "ValidationReport", "Unit", "validate", "validate_rdflib",
    "load_shapes", "load_ontology", "class_hierarchy", "SEVERITIES",
    "validate_units", "validate_with_context", "build_units", "Locator", "Progress", "CHECKS", "Check",
    "SourceTexts", "check_evidence", "check_identifier_kinds", "KIND_CLASSES", "EVIDENCE_CHECK",
    "SOURCE_TEXT_CHECK", "IDENTIFIER_CHECK", "quiet_rdflib_terms",
]
