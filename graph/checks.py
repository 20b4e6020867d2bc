"""The Python checks of vocabulary 0.2 (docs/model.md §3): evidence per statement.

SHACL says what a ``wc:StatementEvidence`` node must hold (one subject, predicate, object
and quote, offsets that are integers); these checks say what SHACL cannot say well, because
they read the source texts and compare names:

* ``wc:StatementQuoteCheck``: the quote is verbatim in the text of its source
  (``data/sources/{slug}.txt``), exactly at ``[wc:beginIndex, wc:endIndex)`` when they are
  given (Unicode code points, end exclusive), anywhere (whitespace normalised) otherwise;
* ``wc:StatementNamesObjectCheck``: the quote names the statement's object, by one of its
  ``skos:prefLabel``/``skos:altLabel`` values or by a ``wc:mentionText`` that itself occurs
  in the quote (case, accents, typographic quotes and dashes do not matter); an inferred
  statement (``wc:inferred true``) need not name its object, its reason says why;
* ``wc:StatementEvidenceCheck``: every statement of an article graph that links an event,
  agreement, programme, membership, participation or counted claim to an organisation,
  state, person, place or basin has at least one such evidence, and every evidence is the
  evidence of a statement the data makes.

Each check is a function ``check(unit, ctx) -> list[ValidationResult]``; :data:`PYTHON_CHECKS`
lists them in the order :mod:`graph.validate` runs them after the shapes.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, XSD

from .findings import ValidationResult, finding
from .namespaces import GRAPH_REFERENCE, ORG, WC, WCID_DEFAULT

__all__ = [
    "CheckContext", "PYTHON_CHECKS", "QUOTE_CHECK", "NAMES_CHECK", "COVERAGE_CHECK",
    "STATEMENT_SUBJECT_CLASSES", "STATEMENT_OBJECT_CLASSES", "normalise_name", "names_in",
    "check_statement_quotes", "check_statement_names_object", "check_statement_coverage",
]

QUOTE_CHECK = "wc:StatementQuoteCheck"
NAMES_CHECK = "wc:StatementNamesObjectCheck"
COVERAGE_CHECK = "wc:StatementEvidenceCheck"
#: Severity of a statement without evidence.
COVERAGE_SEVERITY = "Violation"

#: A statement is a link from a resource of one of these classes ...
STATEMENT_SUBJECT_CLASSES = (WC.Event, WC.Agreement, WC.Programme, ORG.Membership, WC.Participation,
                             WC.CountedClaim)
#: ... to a resource of one of these (wc:Place covers wc:Country and wc:Basin).
STATEMENT_OBJECT_CLASSES = (WC.Organisation, WC.State, WC.Person, WC.Place)


@dataclass
class CheckContext:
    """What the checks need besides the unit: the source texts (an object with ``raw(iri)``,
    ``text(iri)`` (whitespace-normalised) and ``path_of(iri)``) and the ontology's class
    hierarchy (``rdfs:subClassOf`` triples), and the base IRI the data is validated in."""

    texts: Any
    hierarchy: Graph
    base: str = WCID_DEFAULT   # the deployment's base IRI (identifiers are checked in it)

    def __post_init__(self) -> None:
        self._supers: dict = {}

    def classes_of(self, g: Graph, node) -> set:
        """The classes of *node* in *g*, with their superclasses."""
        out: set = set()
        for t in g.objects(node, RDF.type):
            if t not in self._supers:
                seen, todo = set(), [t]
                while todo:
                    c = todo.pop()
                    if c not in seen:
                        seen.add(c)
                        todo.extend(self.hierarchy.objects(c, RDFS.subClassOf))
                self._supers[t] = seen
            out |= self._supers[t]
        return out


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                         "\u2015": "-", "\u2212": "-", "\u00a0": " "})
_WS = re.compile(r"\s+")


def normalise_name(text: str) -> str:
    """*text* for comparing names: typographic quotes and dashes as ASCII, accents dropped,
    case folded, whitespace collapsed."""
    t = unicodedata.normalize("NFKD", str(text).translate(_QUOTES))
    t = "".join(c for c in t if not unicodedata.combining(c))
    return _WS.sub(" ", t.casefold()).strip()


def names_in(quote: str, names) -> list[str]:
    """The names (as given) that occur in *quote* once both are normalised."""
    q = normalise_name(quote)
    return [n for n in names if (nn := normalise_name(n)) and nn in q]


def _n3(t) -> str:
    if isinstance(t, Literal):
        return t.n3()
    return str(t) if isinstance(t, URIRef) else f"_:{t}"


def _compact(iri) -> str:
    from .validate.report import compact  # one prefix table for every report
    return compact(str(iri))


def _one(g: Graph, node, p):
    """The one value of *p*, or None when there is none or several (the shape reports those)."""
    vals = list(g.objects(node, p))
    return vals[0] if len(vals) == 1 else None


def _evidence_nodes(g: Graph, unit) -> list:
    """The statement evidence of the unit's focus with exactly one subject, predicate, object
    and quote (a node that breaks that is the shape's to report, not the checks' to guess)."""
    nodes = [e for e in g.subjects(RDF.type, WC.StatementEvidence)
             if all(_one(g, e, p) is not None for p in (RDF.subject, RDF.predicate, RDF.object, WC.quote))]
    if unit.focus is not None:
        nodes = [e for e in nodes if e in unit.focus]
    return sorted(nodes, key=str)


def _focus_of(g: Graph, ev) -> str:
    """Findings about an evidence node are reported on the statement's subject (an IRI,
    which has a file and a line), not on the blank node."""
    s = g.value(ev, RDF.subject)
    return str(s) if isinstance(s, URIRef) else _n3(ev)


def _sources(g: Graph, ev, texts) -> list[str]:
    srcs = [str(o) for o in g.objects(ev, PROV.wasDerivedFrom) if isinstance(o, URIRef)]
    if not srcs:
        s = g.value(ev, RDF.subject)
        if s is not None:
            srcs = [str(o) for o in g.objects(s, PROV.wasDerivedFrom) if isinstance(o, URIRef)]
    return sorted(src for src in srcs if texts.path_of(src) is not None)


def _int(v) -> int | None:
    if isinstance(v, Literal):
        try:
            n = int(v.toPython()) if v.datatype != XSD.string else None
        except (TypeError, ValueError):
            return None
        return n if isinstance(n, int) and n >= 0 else None
    return None


# --------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------

def check_statement_quotes(unit, ctx: CheckContext) -> list[ValidationResult]:
    """``wc:StatementQuoteCheck``: the quote is the source text at its offsets (or in it)."""
    out: list[ValidationResult] = []
    g = unit.graph
    ws = re.compile(r"\s+")
    for ev in _evidence_nodes(g, unit):
        quote = g.value(ev, WC.quote)
        if not isinstance(quote, Literal) or not str(quote):
            continue  # the shape reports a missing or empty quote
        srcs = _sources(g, ev, ctx.texts)
        if not srcs:
            continue  # the shape reports the missing prov:wasDerivedFrom
        raws = {src: ctx.texts.raw(src) for src in srcs}
        raws = {k: v for k, v in raws.items() if v is not None}
        if not raws:
            continue  # wc:SourceTextCheck reports the missing text
        begin, end = _int(g.value(ev, WC.beginIndex)), _int(g.value(ev, WC.endIndex))
        q = str(quote)
        focus = _focus_of(g, ev)
        statement = f"{_compact(g.value(ev, RDF.predicate))} {_n3(g.value(ev, RDF.object))}"
        if begin is not None and end is not None:
            if any(raw[begin:end] == q for raw in raws.values()):
                continue
            src, raw = next(iter(raws.items()))
            at = raw.find(q)
            where = (f"the quote is at [{at}, {at + len(q)}): fix wc:beginIndex and wc:endIndex" if at >= 0 else
                     "the quote does not occur verbatim in the text: copy it exactly (the offsets then follow)")
            out.append(finding(
                QUOTE_CHECK, focus, path="wc:quote", value=Literal(q).n3(), graph=unit.name,
                message=(f"the evidence of the statement {statement} says its quote is at [{begin}, {end}) of "
                         f"{ctx.texts.path_of(src)}, but the text there is {raw[begin:end][:80]!r}: {where}")))
            continue
        needle = ws.sub(" ", q).strip()
        if any(needle in ws.sub(" ", raw) for raw in raws.values()):
            continue
        out.append(finding(
            QUOTE_CHECK, focus, path="wc:quote", value=Literal(q).n3(), graph=unit.name,
            message=(f"the quote of the statement {statement} does not occur verbatim in "
                     + ", ".join(str(ctx.texts.path_of(s)) for s in raws)
                     + ": copy the sentence exactly as the article writes it (only whitespace may differ)")))
    return out


def check_statement_names_object(unit, ctx: CheckContext) -> list[ValidationResult]:
    """``wc:StatementNamesObjectCheck``: the quote names the object of the statement."""
    out: list[ValidationResult] = []
    g = unit.graph
    for ev in _evidence_nodes(g, unit):
        quote, obj = g.value(ev, WC.quote), g.value(ev, RDF.object)
        if not isinstance(quote, Literal) or obj is None or isinstance(obj, Literal):
            continue
        focus = _focus_of(g, ev)
        statement = f"{_compact(g.value(ev, RDF.predicate))} {_n3(obj)}"
        mentions = [str(m) for m in g.objects(ev, WC.mentionText)]
        missing = [m for m in mentions if not names_in(str(quote), [m])]
        for m in missing:
            out.append(finding(
                NAMES_CHECK, focus, path="wc:mentionText", value=Literal(m).n3(), graph=unit.name,
                message=(f"the mention text {m!r} of the statement {statement} does not occur in its quote: "
                         f"copy the words the quote uses for the object")))
        if missing or g.value(ev, WC.inferred) == Literal(True):
            continue
        labels = [str(v) for p in (SKOS.prefLabel, SKOS.altLabel) for v in g.objects(obj, p)]
        if names_in(str(quote), labels + mentions):
            continue
        if not labels and not mentions:
            out.append(finding(
                NAMES_CHECK, focus, path="rdf:object", value=_n3(obj), graph=unit.name, severity="Warning",
                message=(f"the object of the statement {statement} has no label here, so nothing shows that the "
                         f"quote names it: add wc:mentionText with the words of the quote that name it")))
            continue
        shown = ", ".join(repr(x) for x in labels[:4])
        out.append(finding(
            NAMES_CHECK, focus, path="rdf:object", value=_n3(obj), graph=unit.name,
            message=(f"the quote of the statement {statement} does not name its object (labels {shown}): quote the "
                     f"sentence that names it, add wc:mentionText with the words that name it there (\"the "
                     f"Ministry\"), or, if the statement is inferred, say so with wc:inferred true and "
                     f"wc:inferenceReason")))
    return out


def check_statement_coverage(unit, ctx: CheckContext) -> list[ValidationResult]:
    """``wc:StatementEvidenceCheck``: every statement of an article has evidence, and every
    evidence is about a statement the data makes."""
    if unit.name == str(GRAPH_REFERENCE):
        return []  # reference data has no source text: statements are the articles'
    out: list[ValidationResult] = []
    g = unit.graph
    own = getattr(unit, "own", None)
    own = own if own is not None else g
    evidenced: dict = defaultdict(set)
    for ev in g.subjects(RDF.type, WC.StatementEvidence):
        s, p, o = _one(g, ev, RDF.subject), _one(g, ev, RDF.predicate), _one(g, ev, RDF.object)
        if s is None or p is None or o is None:
            continue  # the shape reports it
        evidenced[(s, p)].add(o)
        if (unit.focus is None or ev in unit.focus) and (s, p, o) not in g:
            out.append(finding(
                COVERAGE_CHECK, str(s) if isinstance(s, URIRef) else _n3(ev), path=_compact(p), value=_n3(o),
                graph=unit.name,
                message=(f"a wc:StatementEvidence is about the statement {_compact(p)} {_n3(o)}, which the data does "
                         f"not make: remove the evidence, or fix its rdf:subject/rdf:predicate/rdf:object")))
    subject_classes, object_classes = set(STATEMENT_SUBJECT_CLASSES), set(STATEMENT_OBJECT_CLASSES)
    for s in sorted({s for s in own.subjects(unique=True) if isinstance(s, URIRef)}, key=str):
        if unit.focus is not None and s not in unit.focus:
            continue
        if not ctx.classes_of(g, s) & subject_classes:
            continue
        for p, o in sorted(own.predicate_objects(s), key=lambda po: (str(po[0]), str(po[1]))):
            if p == RDF.type or not isinstance(o, URIRef) or o in evidenced.get((s, p), ()):
                continue
            if not ctx.classes_of(g, o) & object_classes:
                continue
            out.append(finding(
                COVERAGE_CHECK, str(s), path=_compact(p), value=str(o), graph=unit.name, severity=COVERAGE_SEVERITY,
                message=(f"the statement {_compact(p)} <{o}> has no supporting sentence: add "
                         f"[ a wc:StatementEvidence ; rdf:subject <{s}> ; rdf:predicate {_compact(p)} ; "
                         f"rdf:object <{o}> ; wc:quote \"...\" ; wc:beginIndex ... ; wc:endIndex ... ; "
                         f"prov:wasDerivedFrom <source> ] quoting the sentence that names it "
                         f"(wc:inferred true and wc:inferenceReason if no sentence states it)")))
    return out


#: The checks :mod:`graph.validate` runs on every unit after the shapes.
PYTHON_CHECKS: tuple[Callable[[Any, CheckContext], list[ValidationResult]], ...] = (
    check_statement_quotes,
    check_statement_names_object,
    check_statement_coverage,
)
