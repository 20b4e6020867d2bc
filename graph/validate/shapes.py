"""The SHACL side: the ontology and shapes loaded (rebased to the deployment's IRI), the
class hierarchy mixed into each unit, pyshacl run on a unit with every SPARQL text parsed
once, and its results graph turned into :class:`~graph.findings.ValidationResult`."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from collections.abc import Sequence

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ..config import Settings
from ..findings import ValidationResult
from ..errors import InputError
from ..load import DataFile, discover, parse_graph
from ..namespaces import WC, WCID_DEFAULT, bind_prefixes
from .report import compact, term_text
from .units import Unit


# --- shapes and ontology -----------------------------------------------------------------

def _files_of(settings: Settings, role: str, project: Sequence[DataFile] | None = None) -> list[DataFile]:
    if project is None:
        try:
            project = discover(settings)
        except InputError:
            return []
    return [f for f in project if f.role == role]


def load_ontology(settings: Settings, project: Sequence[DataFile] | None = None) -> Graph:
    """The OWL ontology (``ontology/wckg.ttl``) as one graph."""
    files = _files_of(settings, "ontology", project)
    if not files:
        raise InputError(f"no ontology at {settings.ontology_dir / 'wckg.ttl'}",
                         hint="set WCKG_ONTOLOGY_DIR to the folder that holds wckg.ttl and shapes/")
    g = Graph()
    for f in files:
        g += parse_graph(f)
    return g


def load_shapes(settings: Settings, project: Sequence[DataFile] | None = None) -> Graph:
    """Every SHACL file of ``ontology/shapes/``, its identifier patterns rewritten to the
    configured ``base_iri`` when it is not the published one."""
    files = _files_of(settings, "shapes", project)
    if not files:
        raise InputError(f"no SHACL shapes under {settings.ontology_dir / 'shapes'}",
                         hint="set WCKG_ONTOLOGY_DIR to the folder that holds wckg.ttl and shapes/")
    g = Graph()
    bind_prefixes(g)
    for f in files:
        g += parse_graph(f)
    base = settings.base_iri
    if base != WCID_DEFAULT:
        rewritten = Graph()
        bind_prefixes(rewritten)
        for s, p, o in g:
            rewritten.add((_rebase(s, base), p, _rebase(o, base)))
        g = rewritten
    return g


def class_hierarchy(ontology: Graph) -> Graph:
    """The part of the ontology that validation needs mixed into each unit: the class and
    property declarations and the rdfs:subClassOf / rdfs:subPropertyOf axioms (pyshacl's
    sh:targetClass and sh:class follow rdfs:subClassOf in the data graph). Leaving out the
    labels and comments keeps them from being scanned again in every unit."""
    from rdflib.namespace import OWL, RDFS
    g = Graph()
    for s, p, o in ontology:
        if p in (RDFS.subClassOf, RDFS.subPropertyOf) and isinstance(s, URIRef) and isinstance(o, URIRef):
            g.add((s, p, o))
        elif p == RDF.type and o in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) and isinstance(s, URIRef):
            g.add((s, p, o))
    return g


def _rebase(t, base: str):
    if isinstance(t, URIRef) and str(t).startswith(WCID_DEFAULT):
        return URIRef(base + str(t)[len(WCID_DEFAULT):])
    if isinstance(t, Literal) and WCID_DEFAULT in str(t) and t.datatype is None:
        return Literal(str(t).replace(WCID_DEFAULT, base), lang=t.language)
    if isinstance(t, Literal) and WCID_DEFAULT in str(t):
        return Literal(str(t).replace(WCID_DEFAULT, base), datatype=t.datatype)
    return t


# --- pyshacl results → validationresult --------------------------------------------------

def _path_text(g: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return compact(str(path))
    alt = g.value(path, SH.alternativePath)
    if alt is not None:
        return "|".join(_path_text(g, p) or "?" for p in Collection(g, alt))
    inv = g.value(path, SH.inversePath)
    if inv is not None:
        return "^" + (_path_text(g, inv) or "?")
    for pred, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(path, pred)
        if inner is not None:
            return (_path_text(g, inner) or "?") + suffix
    if g.value(path, RDF.first) is not None:
        return "/".join(_path_text(g, p) or "?" for p in Collection(g, path))
    return None


def _pick_message(messages: Sequence[Node]) -> str:
    en = [m for m in messages if getattr(m, "language", None) in ("en", None)]
    return str((en or messages)[0]) if messages else ""


class ShapeNames:
    """Maps a result's source shape to ``NodeShape (sh:name)``."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.parent = {ps: ns for ns, ps in shapes.subject_objects(SH.property)}
        self._cache: dict = {}

    def describe(self, shape) -> str:
        if shape in self._cache:
            return self._cache[shape]
        node = shape
        name = None
        if shape in self.parent:
            node = self.parent[shape]
            n = self.shapes.value(shape, SH.name)
            name = str(n) if n is not None else None
        label = compact(str(node)) if isinstance(node, URIRef) else f"_:{node}"
        text = f"{label} ({name})" if name else label
        self._cache[shape] = text
        return text

    def own_messages(self, shape) -> set[str]:
        return {str(m) for m in self.shapes.objects(shape, SH.message)}


_SEVERITY: dict[Node | None, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _statement_subject(g: Graph, node):
    """The rdf:subject (an IRI) of a blank wc:StatementEvidence node, else None."""
    if isinstance(node, URIRef) or node is None or (node, RDF.type, WC.StatementEvidence) not in g:
        return None
    s = g.value(node, RDF.subject)
    return s if isinstance(s, URIRef) else None


def convert_results(results_graph: Graph, names: ShapeNames, unit: Unit) -> list[ValidationResult]:
    out: list[ValidationResult] = []
    rg = results_graph
    for r in rg.subjects(RDF.type, SH.ValidationResult):
        focus = rg.value(r, SH.focusNode)
        if unit.focus is not None and focus not in unit.focus:
            continue
        shape = rg.value(r, SH.sourceShape)
        component = rg.value(r, SH.sourceConstraintComponent)
        constraint_node = rg.value(r, SH.sourceConstraint)
        constraint = compact(str(component)) if component is not None else "?"
        messages = list(rg.objects(r, SH.resultMessage))
        if component == SH.SPARQLConstraintComponent:
            if isinstance(constraint_node, URIRef):
                constraint = compact(str(constraint_node))
            own = names.own_messages(shape)
            specific = [m for m in messages if str(m) not in own]
            messages = specific or messages
        message = _pick_message(messages)
        statement_subject = _statement_subject(unit.graph, focus)
        if statement_subject is not None:
            # a finding about a statement's evidence (a blank node) is reported on the statement's
            # subject, which has a file and a line, and names the statement
            p, o = unit.graph.value(focus, RDF.predicate), unit.graph.value(focus, RDF.object)
            message = (f"evidence of the statement {compact(str(p)) if p is not None else '?'} "
                       f"{term_text(o) or '?'}: {message}")
            focus = statement_subject
        out.append(ValidationResult(
            severity=_SEVERITY.get(rg.value(r, SH.resultSeverity), "Violation"),
            focus_node=str(focus) if isinstance(focus, URIRef) else f"_:{focus}",
            path=_path_text(rg, rg.value(r, SH.resultPath)),
            value=term_text(rg.value(r, SH.value)),
            message=message,
            shape=names.describe(shape),
            constraint=constraint,
            graph=unit.name,
        ))
    return out


@contextmanager
def quiet_rdflib_terms():
    """rdflib logs a traceback for every ill-typed literal ("2020-13-45"^^xsd:date) it
    creates; the shapes report those literals as findings, so the log is only noise."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


#: Prepared SPARQL queries by (text, base, prefixes), kept for the life of the process: the
#: shapes' few queries cost about 0.2 s each to parse, more than validating a small unit.
_PREPARED_QUERIES: dict = {}


def _query_key(text: str) -> str:
    """The query text with its leading PREFIX lines sorted: pyshacl writes them in set order,
    which differs between runs, and their order does not change the query."""
    lines = text.split("\n")
    n = 0
    while n < len(lines) and lines[n].startswith("PREFIX "):
        n += 1
    return "\n".join(sorted(lines[:n]) + lines[n:])


@contextmanager
def prepared_sparql_cache():
    """Parse each SPARQL text once while validating.

    pyshacl runs a SPARQL-based constraint once per focus node with the same text (``$this``
    goes in as an initial binding), and rdflib parses the text on every call: measured on the
    curated data, parsing took 33 of 40 s. Within this block rdflib's SPARQL processor
    reuses the prepared (parsed and translated) query for a text it has seen, in this run or
    an earlier one of the same process; evaluation with the initial bindings is unchanged."""
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query
    cache = _PREPARED_QUERIES

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            # pyshacl writes the shapes' sh:prefixes into the text, so the prefixes the data graph
            # happens to bind (initNs) do not change the meaning of its queries; a query without
            # PREFIX lines (someone else's, in another thread) keeps initNs in its key.
            text = _query_key(strOrQuery)
            ns = () if text.startswith("PREFIX ") else tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            key = (text, base, ns)
            prepared = cache.get(key)
            if prepared is None:
                prepared = cache[key] = processor.prepareQuery(strOrQuery, initNs=initNs, base=base)
            strOrQuery = prepared
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original


def run_pyshacl(unit: Unit, shapes: Graph, ontology: Graph) -> Graph:
    # The whole unit is validated and findings are filtered by focus afterwards (convert_results):
    # pyshacl 0.40.1's ``focus_nodes`` option also filters the value nodes that nested shapes
    # (sh:or, sh:node, sh:qualifiedValueShape) are evaluated on, so those constraints pass
    # vacuously for every value that is not itself a focus node (a literal wc:date, an
    # organisation in wc:participant). Units are small, so this costs little.
    try:
        _conforms, results_graph, _text = pyshacl.validate(
            unit.graph, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True,
            allow_warnings=True, allow_infos=True, meta_shacl=False, debug=False)
    except Exception as e:  # pyshacl and rdflib raise many kinds for a broken shape or query
        raise InputError(f"the SHACL shapes cannot be applied ({type(e).__name__}): {e}",
                         hint="fix the shape named in the message under ontology/shapes/ "
                              "(a SPARQL constraint that does not parse, a malformed property shape)") from None
    return results_graph
