"""The Python checks, reported like SHACL results: evidence sentences in their source
texts, source texts present, identifiers of the class of their kind; and :data:`CHECKS`,
the list every unit goes through after the shapes (these, then
:data:`graph.checks.PYTHON_CHECKS`). A new check is a function
``check(unit, ctx: CheckContext) -> list[ValidationResult]`` appended to :data:`CHECKS`."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from ..checks import PYTHON_CHECKS, CheckContext
from ..config import Settings
from ..findings import ValidationResult
from ..namespaces import KINDS, WC
from .report import compact, term_text
from .units import Unit


EVIDENCE_CHECK = "wc:EvidenceInSourceCheck"
SOURCE_TEXT_CHECK = "wc:SourceTextCheck"
IDENTIFIER_CHECK = "wc:IdentifierKindCheck"


# --- evidence check ----------------------------------------------------------------------

_WS = re.compile(r"\s+")


def _normalise(text: str) -> str:
    return _WS.sub(" ", text).strip()


class SourceTexts:
    """The normalised verbatim texts of the sources, read once each."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.prefix = settings.base_iri + "source/"
        self._cache: dict[str, str | None] = {}
        self._raw: dict[str, str | None] = {}

    def path_of(self, source: str) -> Path | None:
        if not source.startswith(self.prefix):
            return None
        slug = source[len(self.prefix):]
        if not slug or "/" in slug:
            return None
        return self.settings.data_dir / "sources" / f"{slug}.txt"

    def raw(self, source: str) -> str | None:
        """The text as the file holds it (offsets of statement evidence count in it)."""
        if source not in self._raw:
            path = self.path_of(source)
            try:
                self._raw[source] = path.read_text(encoding="utf-8") if path else None
            except (OSError, UnicodeDecodeError):
                self._raw[source] = None
        return self._raw[source]

    def text(self, source: str) -> str | None:
        if source not in self._cache:
            raw = self.raw(source)
            self._cache[source] = _normalise(raw) if raw is not None else None
        return self._cache[source]


#: The class a resource of each identifier kind must have (``wcid:graph/...`` are named graphs).
KIND_CLASSES: dict[str, tuple[str, ...]] = {
    "organisation": (str(WC.Organisation), str(WC.State)),  # a state acting: organisation/state-{country}
    "person": (str(WC.Person),),
    "membership": ("http://www.w3.org/ns/org#Membership",),
    "event": (str(WC.Event),),
    "agreement": (str(WC.Agreement),),
    "programme": (str(WC.Programme),),
    "policy": (str(WC.PolicyDocument),),
    "place": (str(WC.Place),),
    "topic": ("http://www.w3.org/2004/02/skos/core#Concept", "http://www.w3.org/2004/02/skos/core#ConceptScheme"),
    "source": (str(WC.SourceDocument),),
    "claim": (str(WC.CountedClaim),),
    "participation": (str(WC.Participation),),
}


def check_identifier_kinds(unit: Unit, base: str, hierarchy: Graph) -> list[ValidationResult]:
    """``wc:IdentifierKindCheck``: a subject ``{base}{kind}/{slug}`` has the class of its kind.

    The class shapes check the other direction (a wc:Event's IRI is under event/); this one
    catches what no class shape targets: a resource whose type is misspelt (wc:Meting) or
    missing, and an IRI of an unknown kind (organization/ for organisation/)."""
    from rdflib.namespace import RDFS
    supers: dict = {}

    def closure(cls) -> set:
        if cls not in supers:
            seen, todo = set(), [cls]
            while todo:
                c = todo.pop()
                if c not in seen:
                    seen.add(c)
                    todo.extend(hierarchy.objects(c, RDFS.subClassOf))
            supers[cls] = {str(c) for c in seen}
        return supers[cls]

    out: list[ValidationResult] = []
    g = unit.graph
    for s in sorted({s for s in g.subjects(unique=True) if isinstance(s, URIRef) and str(s).startswith(base)}, key=str):
        if unit.focus is not None and s not in unit.focus:
            continue
        kind = str(s)[len(base):].split("/", 1)[0]
        if kind == "graph":
            continue
        if kind not in KIND_CLASSES:
            out.append(ValidationResult(
                severity="Violation", focus_node=str(s), path=None, value=kind,
                message=(f"{kind!r} is not an identifier kind: use {base}{{kind}}/{{slug}} with a kind among "
                         + ", ".join(k for k in KINDS if k != "graph") + " (check the prefix declaration)"),
                shape=IDENTIFIER_CHECK, constraint=IDENTIFIER_CHECK, graph=unit.name))
            continue
        have = set().union(*(closure(t) for t in g.objects(s, RDF.type))) if (s, RDF.type, None) in g else set()
        if not have & set(KIND_CLASSES[kind]):
            want = " or ".join(compact(c) for c in KIND_CLASSES[kind])
            types = ", ".join(sorted(compact(str(t)) for t in g.objects(s, RDF.type))) or "no rdf:type"
            out.append(ValidationResult(
                severity="Violation", focus_node=str(s), path="rdf:type", value=None,
                message=(f"a {kind}/ identifier names a {want}, but the resource has {types}: "
                         f"type it {want} (or a subclass; check the spelling of the class), or mint it in the "
                         f"namespace of its kind"),
                shape=IDENTIFIER_CHECK, constraint=IDENTIFIER_CHECK, graph=unit.name))
    return out


def check_evidence(unit: Unit, texts: SourceTexts) -> list[ValidationResult]:
    """``wc:evidence`` must occur verbatim in one of the resource's sources of the unit."""
    out: list[ValidationResult] = []
    g = unit.graph
    missing_reported: set[str] = set()
    for s in sorted(set(g.subjects(WC.evidence, None)), key=str):
        if unit.focus is not None and s not in unit.focus:
            continue
        sources = sorted({str(o) for o in g.objects(s, PROV.wasDerivedFrom) if isinstance(o, URIRef)})
        if not sources:
            continue  # the shapes report the missing prov:wasDerivedFrom
        available = {}
        for src in sources:
            if texts.path_of(src) is None:
                continue  # not a wcid:source/ IRI: the shapes report the wrong class
            t = texts.text(src)
            if t is None:
                if src not in missing_reported:
                    missing_reported.add(src)
                    where = texts.path_of(src)
                    out.append(ValidationResult(
                        severity="Violation", focus_node=src, path=None, value=str(where),
                        message=(f"the source has no readable text file {where}, so the evidence derived from it "
                                 f"cannot be checked: save the article's verbatim text there (UTF-8)"),
                        shape=SOURCE_TEXT_CHECK, constraint=SOURCE_TEXT_CHECK, graph=unit.name))
            else:
                available[src] = t
        if not available:
            continue
        for ev in g.objects(s, WC.evidence):
            if not isinstance(ev, Literal) or ev.datatype not in (None, XSD.string):
                continue  # the shapes report evidence that is not a string
            needle = _normalise(str(ev))
            if not needle or not any(needle in t for t in available.values()):
                names = ", ".join(str(texts.path_of(x)) for x in available)
                out.append(ValidationResult(
                    severity="Violation", focus_node=str(s), path="wc:evidence", value=term_text(ev),
                    message=(f"the evidence does not occur verbatim in the text of its source ({names}): "
                             f"copy the sentence exactly as the article writes it (only whitespace may differ), "
                             f"or fix prov:wasDerivedFrom"),
                    shape=EVIDENCE_CHECK, constraint=EVIDENCE_CHECK, graph=unit.name))
    return out


def identifier_kinds(unit: Unit, ctx: CheckContext) -> list[ValidationResult]:
    """:func:`check_identifier_kinds` as a check of :data:`CHECKS`."""
    return check_identifier_kinds(unit, ctx.base, ctx.hierarchy)


def evidence_in_source(unit: Unit, ctx: CheckContext) -> list[ValidationResult]:
    """:func:`check_evidence` as a check of :data:`CHECKS`."""
    return check_evidence(unit, ctx.texts)


#: A Python check: ``check(unit, ctx) -> list[ValidationResult]``.
Check = Callable[[Unit, CheckContext], list[ValidationResult]]

#: The Python checks every unit goes through after the shapes, in this order. Extend it
#: (``CHECKS.append(my_check)``) to add one; its findings are reported like SHACL results.
CHECKS: list[Check] = [identifier_kinds, evidence_in_source, *PYTHON_CHECKS]
