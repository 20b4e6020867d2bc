"""The entry points: :func:`validate` (the project, some graphs, or some files),
:func:`validate_with_context` (changed articles against context read from the store),
:func:`validate_rdflib` (an rdflib graph), all through :func:`validate_units`."""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from rdflib import Dataset, Graph, URIRef

from ..checks import CheckContext
from ..config import Settings
from ..findings import ValidationResult
from ..load import DataFile, discover, parse_graph
from ..namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, bind_prefixes
from . import python_checks
from .python_checks import SourceTexts
from .report import Progress, ValidationReport, sort_key
from .shapes import (ShapeNames, class_hierarchy, convert_results, load_ontology, load_shapes, prepared_sparql_cache,
                     quiet_rdflib_terms, run_pyshacl)
from .units import Locator, Unit, as_written, build_units, mentioned_iris, parse_types


def validate_units(units: Sequence[Unit], settings: Settings, *, shapes: Graph | None = None,
                   ontology: Graph | None = None, progress: Progress | None = None,
                   locate: Callable[[ValidationResult, Unit], ValidationResult] | None = None) -> ValidationReport:
    """Validate prepared units and return the merged, de-duplicated report."""
    t0 = time.perf_counter()
    shapes = shapes if shapes is not None else load_shapes(settings)
    ontology = class_hierarchy(ontology if ontology is not None else load_ontology(settings))
    names = ShapeNames(shapes)
    texts = SourceTexts(settings)
    ctx = CheckContext(texts=texts, hierarchy=ontology, base=settings.base_iri)
    seen: set[tuple] = set()
    results: list[ValidationResult] = []
    with prepared_sparql_cache(), quiet_rdflib_terms():
        for i, unit in enumerate(units):
            if progress:
                progress(i, len(units), f"validating {unit.name}")
            found = (convert_results(run_pyshacl(unit, shapes, ontology), names, unit)
                     + [r for check in python_checks.CHECKS for r in check(unit, ctx)])
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
    report.results.sort(key=sort_key)
    return report


# long: the three scopes (project, graphs, files) share one parse and one locate step
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
    with quiet_rdflib_terms():
        for i, f in enumerate(selected):
            if progress:
                progress(i, total, f"parsing {f.path.name}")
            if types_only and graphs is not None and f.role == "article" and f.graph not in graphs:
                per_file[f] = parse_types(f, settings.base_iri)
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
        line = locator.line_of(f.path, as_written(r.focus_node, settings.base_iri))
        return ValidationResult(r.severity, r.focus_node, r.path, r.value, r.message, r.shape, r.constraint,
                                graph, f.path, line)

    report = validate_units(units, settings, shapes=shapes, ontology=ontology, progress=progress, locate=locate)
    report.seconds = time.perf_counter() - t0
    return report


def validate_with_context(settings: Settings, files: Sequence[DataFile],
                          context: Callable[[set[URIRef], str], Graph], *,
                          project: Sequence[DataFile] | None = None) -> ValidationReport:
    """Validate changed article files against the one-hop context that *context* supplies,
    without parsing the rest of the project (the incremental path of ``wckg build``).

    ``context(mentioned, graph_name)`` returns what the reference graph says about the
    mentioned IRIs (their triples, and the types of the objects of those), plus the types
    that other article graphs give them — the same context :func:`build_units` gives an
    article unit, but read from the current store instead of from every file. At a million
    triples that is the difference between parsing the whole project with rdflib (minutes,
    gigabytes) and a few lookups (milliseconds). *project* is every file of the project, as
    the caller listed them (for the shapes and the ontology; listed again when None)."""
    t0 = time.perf_counter()
    project = list(project) if project is not None else discover(settings)
    shapes = load_shapes(settings, project)
    ontology = load_ontology(settings, project)
    articles: dict[str, tuple[Graph, list[DataFile]]] = {}
    per_file: dict[DataFile, Graph] = {}
    with quiet_rdflib_terms():
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
            g += context(mentioned_iris(ag), name)
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
                                f.graph, f.path, locator.line_of(f.path, as_written(r.focus_node, settings.base_iri)))

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
