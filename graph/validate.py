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
parsed once per run (:func:`_prepared_sparql_cache`).

Python checks, reported like SHACL results:

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
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections import defaultdict
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV, RDF, SH, XSD

from .config import Settings
from .checks import PYTHON_CHECKS, CheckContext
from .findings import SEVERITIES, ValidationResult
from .errors import InputError
from .load import DataFile, discover, iter_quads, parse_graph, to_rdflib
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, KINDS, PREFIXES, WC, WCID_DEFAULT, bind_prefixes

__all__ = [
    "ValidationResult", "ValidationReport", "Unit", "validate", "validate_rdflib",
    "load_shapes", "load_ontology", "class_hierarchy", "SEVERITIES",
]


#: Progress callback: ``progress(done, total, what)``.
Progress = Callable[[int, int, str], None]

EVIDENCE_CHECK = "wc:EvidenceInSourceCheck"
SOURCE_TEXT_CHECK = "wc:SourceTextCheck"
IDENTIFIER_CHECK = "wc:IdentifierKindCheck"


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------

@dataclass
class ValidationReport:
    """Every finding of one validation run."""

    results: list[ValidationResult] = field(default_factory=list)
    units: int = 0
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings and infos do not count)."""
        return not self.violations

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def infos(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == "Info"]

    def summary(self) -> str:
        v, w = len(self.violations), len(self.warnings)
        s = f"{v} violation{'s' * (v != 1)}, {w} warning{'s' * (w != 1)}"
        if self.infos:
            s += f", {len(self.infos)} info"
        return s + f" ({self.units} unit{'s' * (self.units != 1)} in {self.seconds:.2f} s)"

    def by_file(self) -> dict[str, list[ValidationResult]]:
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for r in self.results:
            groups[str(r.file) if r.file is not None else "(no file)"].append(r)
        return dict(groups)

    def to_text(self, *, root: Path | None = None) -> str:
        """Plain text grouped by file: ``file:line  severity  focus  path  message  (shape)``."""
        lines: list[str] = []
        for fname, results in sorted(self.by_file().items()):
            shown = _relative(fname, root)
            lines.append(shown)
            for r in sorted(results, key=_sort_key):
                loc = f"{shown}:{r.line}" if r.line else shown
                focus = _compact(r.focus_node)
                parts = [loc, r.severity, focus, r.path or "-", r.message, f"({r.shape}; {r.constraint})"]
                lines.append("  " + "  ".join(parts))
            lines.append("")
        lines.append(("conforms: " if self.conforms else "does not conform: ") + self.summary())
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        return json.dumps({
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "infos": len(self.infos),
            "units": self.units,
            "seconds": round(self.seconds, 3),
            "results": [r.to_dict() for r in sorted(self.results, key=_sort_key)],
        }, ensure_ascii=False, indent=2)


def _sort_key(r: ValidationResult):
    return (str(r.file or ""), r.line or 0, SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
            r.focus_node, r.path or "", r.constraint, r.value or "")


def _relative(fname: str, root: Path | None) -> str:
    if root is None or fname == "(no file)":
        return fname
    try:
        return str(Path(fname).resolve().relative_to(root.resolve()))
    except ValueError:
        return fname


# --------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------

# Longest namespace first, so that an IRI gets the most specific prefix.
_NS_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _compact(iri: str) -> str:
    """``wc:AgreementShape`` for a term of a known namespace whose local part is a plain name;
    the full IRI otherwise (``wcid:event/x`` would not be a valid prefixed name)."""
    for prefix, ns in _NS_BY_LENGTH:
        if iri.startswith(ns):
            local = iri[len(ns):]
            if local and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", local) and prefix != "wcid":
                return f"{prefix}:{local}"
    return iri


def _term_text(t) -> str | None:
    if t is None:
        return None
    if isinstance(t, Literal):
        return t.n3(namespace_manager=_NM)
    if isinstance(t, URIRef):
        return str(t)
    return f"_:{t}"


_NM_GRAPH = Graph()
bind_prefixes(_NM_GRAPH)
_NM = _NM_GRAPH.namespace_manager


# --------------------------------------------------------------------------------------
# Shapes and ontology
# --------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------

@dataclass
class Unit:
    """What pyshacl validates at once: the named graph it stands for, the subjects whose
    findings belong to it (None: all), its files, and its graph, built when first needed
    and released after validation (so that a large dataset's units are not all in memory)."""

    name: str
    focus: set | None
    files: list[DataFile]
    build: Callable[[], Graph] = field(repr=False)
    _graph: Graph | None = field(default=None, repr=False)
    #: the triples the unit's own files state (an article graph without its context); None: all
    own: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = self.build()
        return self._graph

    def release(self) -> None:
        self._graph = None


def _mentioned_iris(g: Graph) -> set[URIRef]:
    out: set[URIRef] = set()
    for s, p, o in g:
        if isinstance(s, URIRef):
            out.add(s)
        if isinstance(o, URIRef) and p != RDF.type:
            out.add(o)
    return out


def build_units(per_file: dict[DataFile, Graph], *, graphs: set[str] | None = None,
                only_subjects_of: Iterable[DataFile] | None = None) -> list[Unit]:
    """Split the parsed files into validation units (see the module docstring).

    ``graphs`` keeps the units of those named graphs; ``only_subjects_of`` keeps only the
    findings about subjects of those files (and the units that have any)."""
    reference = Graph()
    ref_files: list[DataFile] = []
    articles: dict[str, tuple[Graph, list[DataFile]]] = {}
    for f, g in per_file.items():
        if f.graph == str(GRAPH_REFERENCE):
            reference += g
            ref_files.append(f)
        else:
            ag, fl = articles.setdefault(f.graph, (Graph(identifier=URIRef(f.graph)), []))
            ag += g
            fl.append(f)

    restrict: set | None = None
    if only_subjects_of is not None:
        restrict = set()
        for f in only_subjects_of:
            restrict |= set(per_file[f].subjects(unique=True))

    # rdf:type triples of every article graph, by subject: the types other articles give
    article_types: dict = defaultdict(list)
    for name, (ag, _) in articles.items():
        for t in ag.triples((None, RDF.type, None)):
            article_types[t[0]].append((name, t))

    ref_subjects = set(reference.subjects(unique=True))
    units: list[Unit] = []

    def reference_unit() -> Graph:
        g = Graph(identifier=GRAPH_REFERENCE)
        bind_prefixes(g)
        g += reference
        for ag, _ in articles.values():
            for s in ref_subjects & set(ag.subjects(unique=True)):
                for t in ag.triples((s, None, None)):
                    g.add(t)
        return g

    def article_unit(name: str, ag: Graph) -> Callable[[], Graph]:
        def build() -> Graph:
            g = Graph(identifier=URIRef(name))
            bind_prefixes(g)
            g += ag
            mentioned = _mentioned_iris(ag)
            objects: set = set()
            for iri in mentioned:
                for t in reference.triples((iri, None, None)):
                    g.add(t)
                    if isinstance(t[2], URIRef):
                        objects.add(t[2])
                for other, t in article_types.get(iri, ()):
                    if other != name:
                        g.add(t)
            for o in objects - mentioned:
                for t in reference.triples((o, RDF.type, None)):
                    g.add(t)
            return g
        return build

    if graphs is None or str(GRAPH_REFERENCE) in graphs:
        focus = None if restrict is None else (ref_subjects & restrict)
        if focus is None or focus:
            units.append(Unit(str(GRAPH_REFERENCE), focus, ref_files, reference_unit))

    for name, (ag, fl) in articles.items():
        if graphs is not None and name not in graphs:
            continue
        focus = set(ag.subjects(unique=True))
        if restrict is not None:
            focus &= restrict
        if focus:
            units.append(Unit(name, focus, fl, article_unit(name, ag), own=ag))
    return units


# --------------------------------------------------------------------------------------
# Locations of focus nodes in files
# --------------------------------------------------------------------------------------

_PREFIX_RE = re.compile(r"^\s*(?:@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.|PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>)",
                        re.IGNORECASE)


#: Characters a Turtle local name writes with a backslash (``org_:a\/b``).
_ESCAPABLE = re.compile(r"([/#?&=~!$,;*+()'])")


class Locator:
    """Finds the line where a subject first occurs in a file (full IRI or prefixed name)."""

    def __init__(self) -> None:
        self._lines: dict[Path, list[str]] = {}
        self._prefixes: dict[Path, dict[str, str]] = {}

    def _load(self, path: Path) -> list[str]:
        if path not in self._lines:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = text.splitlines()
            prefixes: dict[str, str] = {}
            for line in lines:
                m = _PREFIX_RE.match(line)
                if m:
                    prefixes[m.group(1) or m.group(3) or ""] = m.group(2) or m.group(4)
            self._lines[path] = lines
            self._prefixes[path] = prefixes
        return self._lines[path]

    def line_of(self, path: Path, iri: str) -> int | None:
        lines = self._load(path)
        forms = [f"<{iri}>"]
        for p, ns in self._prefixes[path].items():
            if ns and iri.startswith(ns):
                local = iri[len(ns):]
                forms.append(f"{p}:{local}")
                forms.append(p + ":" + _ESCAPABLE.sub(r"\\\1", local))
        pats = [re.compile(r"^\s*" + re.escape(f) + r"(?=[\s;,.]|$)") for f in forms]
        anywhere = [re.compile(r"(?<![\w:<])" + re.escape(f) + r"(?=[\s;,.)\]]|$)") for f in forms]
        for i, line in enumerate(lines, 1):
            if any(p.match(line) for p in pats):
                return i
        for i, line in enumerate(lines, 1):
            if any(p.search(line) for p in anywhere):
                return i
        return None


# --------------------------------------------------------------------------------------
# pyshacl results → ValidationResult
# --------------------------------------------------------------------------------------

def _path_text(g: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _compact(str(path))
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


def _pick_message(messages: list[Literal]) -> str:
    en = [m for m in messages if getattr(m, "language", None) in ("en", None)]
    return str((en or messages)[0]) if messages else ""


class _ShapeNames:
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
        label = _compact(str(node)) if isinstance(node, URIRef) else f"_:{node}"
        text = f"{label} ({name})" if name else label
        self._cache[shape] = text
        return text

    def own_messages(self, shape) -> set[str]:
        return {str(m) for m in self.shapes.objects(shape, SH.message)}


_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _statement_subject(g: Graph, node):
    """The rdf:subject (an IRI) of a blank wc:StatementEvidence node, else None."""
    if isinstance(node, URIRef) or node is None or (node, RDF.type, WC.StatementEvidence) not in g:
        return None
    s = g.value(node, RDF.subject)
    return s if isinstance(s, URIRef) else None


def _convert(results_graph: Graph, names: _ShapeNames, unit: Unit) -> list[ValidationResult]:
    out: list[ValidationResult] = []
    rg = results_graph
    for r in rg.subjects(RDF.type, SH.ValidationResult):
        focus = rg.value(r, SH.focusNode)
        if unit.focus is not None and focus not in unit.focus:
            continue
        shape = rg.value(r, SH.sourceShape)
        component = rg.value(r, SH.sourceConstraintComponent)
        constraint_node = rg.value(r, SH.sourceConstraint)
        constraint = _compact(str(component)) if component is not None else "?"
        messages = list(rg.objects(r, SH.resultMessage))
        if component == SH.SPARQLConstraintComponent:
            if isinstance(constraint_node, URIRef):
                constraint = _compact(str(constraint_node))
            own = names.own_messages(shape)
            specific = [m for m in messages if str(m) not in own]
            messages = specific or messages
        message = _pick_message(messages)
        statement_subject = _statement_subject(unit.graph, focus)
        if statement_subject is not None:
            # a finding about a statement's evidence (a blank node) is reported on the statement's
            # subject, which has a file and a line, and names the statement
            p, o = unit.graph.value(focus, RDF.predicate), unit.graph.value(focus, RDF.object)
            message = (f"evidence of the statement {_compact(str(p)) if p is not None else '?'} "
                       f"{_term_text(o) or '?'}: {message}")
            focus = statement_subject
        out.append(ValidationResult(
            severity=_SEVERITY.get(rg.value(r, SH.resultSeverity), "Violation"),
            focus_node=str(focus) if isinstance(focus, URIRef) else f"_:{focus}",
            path=_path_text(rg, rg.value(r, SH.resultPath)),
            value=_term_text(rg.value(r, SH.value)),
            message=message,
            shape=names.describe(shape),
            constraint=constraint,
            graph=unit.name,
        ))
    return out


# --------------------------------------------------------------------------------------
# Evidence check
# --------------------------------------------------------------------------------------

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
            want = " or ".join(_compact(c) for c in KIND_CLASSES[kind])
            types = ", ".join(sorted(_compact(str(t)) for t in g.objects(s, RDF.type))) or "no rdf:type"
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
                    severity="Violation", focus_node=str(s), path="wc:evidence", value=_term_text(ev),
                    message=(f"the evidence does not occur verbatim in the text of its source ({names}): "
                             f"copy the sentence exactly as the article writes it (only whitespace may differ), "
                             f"or fix prov:wasDerivedFrom"),
                    shape=EVIDENCE_CHECK, constraint=EVIDENCE_CHECK, graph=unit.name))
    return out


# --------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------

@contextmanager
def _quiet_rdflib_terms():
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
def _prepared_sparql_cache():
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


def _run_pyshacl(unit: Unit, shapes: Graph, ontology: Graph) -> Graph:
    # The whole unit is validated and findings are filtered by focus afterwards (_convert):
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


def validate_units(units: Sequence[Unit], settings: Settings, *, shapes: Graph | None = None,
                   ontology: Graph | None = None, progress: Progress | None = None,
                   locate: Callable[[ValidationResult, Unit], ValidationResult] | None = None) -> ValidationReport:
    """Validate prepared units and return the merged, de-duplicated report."""
    t0 = time.perf_counter()
    shapes = shapes if shapes is not None else load_shapes(settings)
    ontology = class_hierarchy(ontology if ontology is not None else load_ontology(settings))
    names = _ShapeNames(shapes)
    texts = SourceTexts(settings)
    ctx = CheckContext(texts=texts, hierarchy=ontology)
    seen: set[tuple] = set()
    results: list[ValidationResult] = []
    with _prepared_sparql_cache(), _quiet_rdflib_terms():
        for i, unit in enumerate(units):
            if progress:
                progress(i, len(units), f"validating {unit.name}")
            found = (_convert(_run_pyshacl(unit, shapes, ontology), names, unit)
                     + check_identifier_kinds(unit, settings.base_iri, ontology)
                     + check_evidence(unit, texts)
                     + [r for check in PYTHON_CHECKS for r in check(unit, ctx)])
            for r in found:
                key = (r.severity, r.focus_node, r.path, r.value, r.shape, r.constraint, r.message)
                if key in seen:
                    continue
                seen.add(key)
                results.append(locate(r, unit) if locate else r)
            unit.release()
    if progress:
        progress(len(units), len(units), "validated")
    report = ValidationReport(results=results, units=len(units), seconds=time.perf_counter() - t0)
    report.results.sort(key=_sort_key)
    return report


def _parse_types(f: DataFile, base_iri: str = WCID_DEFAULT) -> Graph:
    """Only the rdf:type triples of a file (parsed by pyoxigraph, the rest never becomes rdflib terms)."""
    g = Graph(identifier=URIRef(f.graph))
    rdf_type = str(RDF.type)
    g.addN((to_rdflib(q.subject), RDF.type, to_rdflib(q.object), g)
           for q in iter_quads(f, base_iri=base_iri) if q.predicate.value == rdf_type)
    return g


def _as_written(iri: str, base_iri: str) -> str:
    """*iri* as the curated files write it (they use the published base; the data is
    validated in the deployment's own, like the store holds it)."""
    return WCID_DEFAULT + iri[len(base_iri):] if base_iri != WCID_DEFAULT and iri.startswith(base_iri) else iri


def validate(settings: Settings, files: Sequence[DataFile] | None = None, *, graphs: set[str] | None = None,
             progress: Progress | None = None) -> ValidationReport:
    """Validate the project's data.

    * no arguments: every unit of the graph;
    * ``graphs``: only the units of those named graphs (``wckg build`` after a change);
    * ``files``: the given files checked together with the ontology and the reference data;
      only findings about subjects of the given files are reported.

    Unreadable files raise :class:`~graph.errors.InputError` (file, line, column).
    """
    t0 = time.perf_counter()
    project = discover(settings)
    data_roles = ("vocab", "reference", "source", "article")
    if files is not None and {f.path.resolve() for f in files} >= {f.path.resolve() for f in project
                                                                  if f.role in data_roles}:
        files = None  # the whole project (wckg build passes every file): no restriction
    selected = [f for f in project if f.role in data_roles]
    given = None
    if files is not None:
        # Every data file is parsed (the context of the given files: reference data, and the
        # types other articles give), but only the units of the given files are validated.
        given = [f for f in files if f.role in data_roles]
        given_paths = {f.path.resolve() for f in given}
        selected = [f for f in selected if f.path.resolve() not in given_paths] + given
        graphs = {f.graph for f in given} | ({*graphs} if graphs else set())
    shapes = load_shapes(settings, project)
    ontology = load_ontology(settings, project)

    # An article graph outside the units to validate only lends the types of its resources
    # (unless the reference unit is validated: it takes what articles say about its subjects).
    types_only = graphs is not None and str(GRAPH_REFERENCE) not in graphs
    per_file: dict[DataFile, Graph] = {}
    total = len(selected)
    with _quiet_rdflib_terms():
        for i, f in enumerate(selected):
            if progress:
                progress(i, total, f"parsing {f.path.name}")
            if types_only and f.role == "article" and f.graph not in graphs:
                per_file[f] = _parse_types(f, settings.base_iri)
            else:
                per_file[f] = parse_graph(f, settings.base_iri)

    units = build_units(per_file, graphs=graphs, only_subjects_of=given)

    locator = Locator()
    subject_files: dict = defaultdict(list)
    for f, g in per_file.items():
        for s in g.subjects(unique=True):
            subject_files[s].append(f)

    def locate(r: ValidationResult, unit: Unit) -> ValidationResult:
        node = URIRef(r.focus_node) if not r.focus_node.startswith("_:") else None
        candidates = subject_files.get(node, []) if node is not None else []
        in_unit = [f for f in candidates if f in unit.files]
        f = (in_unit or candidates or [None])[0]
        if f is None:
            return r
        graph = f.graph
        line = locator.line_of(f.path, _as_written(r.focus_node, settings.base_iri))
        return ValidationResult(r.severity, r.focus_node, r.path, r.value, r.message, r.shape, r.constraint,
                                graph, f.path, line)

    report = validate_units(units, settings, shapes=shapes, ontology=ontology, progress=progress, locate=locate)
    report.seconds = time.perf_counter() - t0
    return report


def validate_with_context(settings: Settings, files: Sequence[DataFile],
                          context: Callable[[set[URIRef], str], Graph]) -> ValidationReport:
    """Validate changed article files against the one-hop context that *context* supplies,
    without parsing the rest of the project (the incremental path of ``wckg build``).

    ``context(mentioned, graph_name)`` returns what the reference graph says about the
    mentioned IRIs (their triples, and the types of the objects of those), plus the types
    that other article graphs give them — the same context :func:`build_units` gives an
    article unit, but read from the current store instead of from every file. At a million
    triples that is the difference between parsing the whole project with rdflib (minutes,
    gigabytes) and a few lookups (milliseconds)."""
    t0 = time.perf_counter()
    project = discover(settings)
    shapes = load_shapes(settings, project)
    ontology = load_ontology(settings, project)
    articles: dict[str, tuple[Graph, list[DataFile]]] = {}
    per_file: dict[DataFile, Graph] = {}
    with _quiet_rdflib_terms():
        for f in files:
            per_file[f] = g = parse_graph(f, settings.base_iri)
            ag, fl = articles.setdefault(f.graph, (Graph(identifier=URIRef(f.graph)), []))
            ag += g
            fl.append(f)

    def unit_graph(name: str, ag: Graph) -> Callable[[], Graph]:
        def build() -> Graph:
            g = Graph(identifier=URIRef(name))
            bind_prefixes(g)
            g += ag
            g += context(_mentioned_iris(ag), name)
            return g
        return build

    units = [Unit(name, set(ag.subjects(unique=True)), fl, unit_graph(name, ag), own=ag)
             for name, (ag, fl) in articles.items()]
    locator = Locator()

    def locate(r: ValidationResult, unit: Unit) -> ValidationResult:
        if r.focus_node.startswith("_:"):
            return r
        node = URIRef(r.focus_node)
        f = next((f for f in unit.files if (node, None, None) in per_file[f]), None)
        if f is None:
            return r
        return ValidationResult(r.severity, r.focus_node, r.path, r.value, r.message, r.shape, r.constraint,
                                f.graph, f.path, locator.line_of(f.path, _as_written(r.focus_node, settings.base_iri)))

    report = validate_units(units, settings, shapes=shapes, ontology=ontology, locate=locate)
    report.seconds = time.perf_counter() - t0
    return report


def validate_rdflib(data: Graph | Dataset, settings: Settings, *, shapes: Graph | None = None,
                    ontology: Graph | None = None, focus: Iterable | None = None) -> ValidationReport:
    """Validate an rdflib graph (or the union of a dataset's graphs) as one unit, with the
    project's shapes and ontology: for data that does not come from files (an upload, a
    test). Results carry no file or line."""
    if isinstance(data, Dataset):
        g = Graph()
        for ctx in data.contexts():
            if ctx.identifier != GRAPH_ONTOLOGY:  # the ontology and shapes are not data
                g += ctx
        name = None
    else:
        g = data
        name = str(data.identifier) if isinstance(data.identifier, URIRef) else None
    unit = Unit(name or "data", set(focus) if focus is not None else None, [], lambda: g)
    report = validate_units([unit], settings, shapes=shapes, ontology=ontology)
    if name is None:
        report.results = [ValidationResult(r.severity, r.focus_node, r.path, r.value, r.message, r.shape,
                                           r.constraint, None) for r in report.results]
    return report
