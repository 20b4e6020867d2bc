"""What is validated at once (:class:`Unit`): the reference unit and one unit per article
graph with its one-hop context (:func:`build_units`), and where a finding's focus node is
written (:class:`Locator`)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ..load import DataFile, iter_quads, to_rdflib
from ..namespaces import GRAPH_REFERENCE, WCID_DEFAULT, bind_prefixes


# --- units -------------------------------------------------------------------------------

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


def mentioned_iris(g: Graph) -> set[URIRef]:
    out: set[URIRef] = set()
    for s, p, o in g:
        if isinstance(s, URIRef):
            out.add(s)
        if isinstance(o, URIRef) and p != RDF.type:
            out.add(o)
    return out


# long: every unit's files and context in one place (the module docstring's rules, in order)
def build_units(per_file: dict[DataFile, Graph], *, graphs: set[str] | None = None,  # noqa: C901 (every unit's files and context in one place)
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
            mentioned = mentioned_iris(ag)
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


# --- locations of focus nodes in files ---------------------------------------------------

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


def parse_types(f: DataFile, base_iri: str = WCID_DEFAULT) -> Graph:
    """Only the rdf:type triples of a file (parsed by pyoxigraph, the rest never becomes rdflib terms)."""
    g = Graph(identifier=URIRef(f.graph))
    rdf_type = str(RDF.type)
    g.addN((to_rdflib(q.subject), RDF.type, to_rdflib(q.object), g)
           for q in iter_quads(f, base_iri=base_iri) if q.predicate.value == rdf_type)
    return g


def as_written(iri: str, base_iri: str) -> str:
    """*iri* as the curated files write it (they use the published base; the data is
    validated in the deployment's own, like the store holds it)."""
    return WCID_DEFAULT + iri[len(base_iri):] if base_iri != WCID_DEFAULT and iri.startswith(base_iri) else iri
