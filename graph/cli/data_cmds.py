"""`wckg build`, `wckg export`, `wckg stats`: the store and what is in it."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..config import Settings, get_settings
from ..errors import ValidationFailed
from ..results import RDF_OUTPUT_FORMATS
from .base import app, err, out

StoreOpt = Annotated[Optional[Path], typer.Option("--store", help="store directory (default: WCKG_STORE or the user data dir)")]


def settings_for(store: Path | None = None) -> Settings:
    """The settings, with the --store flag applied."""
    s = get_settings()
    return s.model_copy(update={"store": store.expanduser()}) if store else s


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


@app.command()
def build(
    store: StoreOpt = None,
    force: Annotated[bool, typer.Option("--force", help="rebuild every graph, not only the changed ones")] = False,
    validate: Annotated[str, typer.Option(help="changed (default): validate what changed; full; none")] = "changed",
    metrics: Annotated[bool, typer.Option("--metrics", help="add partnership-network metrics as the graph wcid:graph/metrics")] = False,
    release: Annotated[bool, typer.Option("--release/--no-release", help="write the build's release bundle (dumps, catalogue, VoID) that /downloads serves")] = True,
    allow_removal: Annotated[bool, typer.Option("--allow-removal", help="confirm that the build may empty a graph of the current store or drop most of one (a deleted or emptied file)")] = False,
) -> None:
    """Load ontology, shapes, reference data and every article graph into the store (atomic),
    with the release bundle the site serves."""
    from ..build import build as run_build
    if validate not in ("changed", "full", "none"):
        raise typer.BadParameter(f"--validate must be changed, full or none, not {validate!r}")
    settings = settings_for(store)
    with progress_bar() as bar:
        task = bar.add_task("loading", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        try:
            report = run_build(settings, force=force, validate=validate, progress=progress, metrics=metrics,
                               release=release, allow_removal=allow_removal)
        except ValidationFailed as e:
            bar.stop()
            err.print(e.report.to_text(), markup=False, highlight=False)
            err.print("The store was not changed.", markup=False)
            raise
    where = settings.remote_gsp_url if settings.backend == "remote" else settings.store
    if release and validate == "none":
        err.print("No release bundle: --validate none skips the gate a release needs.", markup=False)
    if report.up_to_date:
        err.print(f"The store at {where} is up to date ({report.triples} triples, build {report.build_id}).", markup=False)
        if report.release is not None:
            err.print(f"Release bundle: {report.release}", markup=False)
        return
    if not report.changed_graphs and not report.removed_graphs:
        err.print(f"No data file changed; kept {len(report.reused_graphs)} graph(s).", markup=False)
    elif report.reused_graphs:
        err.print(f"Reloaded {len(report.changed_graphs)} changed graph(s), kept {len(report.reused_graphs)}:", markup=False)
    else:
        err.print(f"Loaded {len(report.changed_graphs)} graph(s):", markup=False)
    verb = "reloaded" if report.reused_graphs else "loaded"
    for g in report.changed_graphs:
        err.print(f"  {verb} {g}", markup=False)
    for g in report.removed_graphs:
        err.print(f"  removed  {g}", markup=False)
    if report.metrics_triples:
        err.print(f"  computed network metrics into wcid:graph/metrics ({report.metrics_triples} triples)", markup=False)
    if report.validation is not None:
        err.print(f"Validation: {report.validation.summary()} ({report.validate_seconds:.2f} s)", markup=False)
    err.print(f"Built {report.build_id}: {report.triples} triples in {where} "
              f"(load {report.load_seconds:.2f} s, index {report.index_seconds:.2f} s).", markup=False)
    if report.release is not None:
        err.print(f"Release bundle: {report.release}", markup=False)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="turtle, trig, nquads, ntriples, jsonld, rdfxml")] = "trig",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="file to write (default: stdout)")] = None,
    store: StoreOpt = None,
) -> None:
    """Export the whole graph (dataset formats keep the named graphs)."""
    from ..atomic import atomic_write
    from ..export import export as run_export
    from ..build import ensure_built
    from ..store import open_backend
    if format not in RDF_OUTPUT_FORMATS:
        raise typer.BadParameter(f"unknown format {format!r}; use one of: {', '.join(RDF_OUTPUT_FORMATS)}",
                                 param_hint="--format")
    settings = settings_for(store)
    ensure_built(settings)
    with open_backend(settings) as backend:
        data = run_export(backend, format)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    try:
        atomic_write(output, data, fsync=False)
    except OSError as e:
        raise typer.BadParameter(f"cannot write {output}: {e.strerror}", param_hint="--output") from None
    err.print(f"Wrote {len(data)} bytes to {output}", markup=False)


STATS_BY_CLASS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class
"""
STATS_BY_SOURCE = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?source ?title ?issued (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s prov:wasDerivedFrom ?source .
  OPTIONAL { ?source dcterms:title ?title } OPTIONAL { ?source dcterms:issued ?issued }
} GROUP BY ?source ?title ?issued ORDER BY ?issued
"""


@app.command()
def stats(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Counts by class, by named graph and by source."""
    import json

    from ..namespaces import PREFIXES
    from ..build import ensure_built
    from ..store import open_backend
    settings = settings_for(store)
    ensure_built(settings)
    with open_backend(settings) as backend:
        info = backend.info()
        by_class = [(str(r["class"]), int(r["n"])) for r in backend.select(STATS_BY_CLASS)]
        by_source = [(str(r["source"]), str(r.get("title", "")), str(r.get("issued", "")), int(r["n"]))
                     for r in backend.select(STATS_BY_SOURCE)]
    if as_json:
        out.print_json(json.dumps({"build": info.to_json(), "classes": dict(by_class),
                                   "sources": [{"source": s, "title": t, "issued": i, "resources": n}
                                               for s, t, i, n in by_source]}))
        return

    def short(iri: str) -> str:
        for p, ns in PREFIXES.items():
            if iri.startswith(ns):
                return f"{p}:{iri[len(ns):]}"
        return iri

    out.print(f"Store {info.location}: {info.triples} triples, build {info.build_id} ({info.built_at})", markup=False)
    t = Table(title="By named graph")
    t.add_column("graph")
    t.add_column("triples", justify="right")
    for g, n in sorted(info.graphs.items()):
        t.add_row(short(g), str(n))
    out.print(t)
    t = Table(title="By class")
    t.add_column("class")
    t.add_column("instances", justify="right")
    for c, n in by_class:
        t.add_row(short(c), str(n))
    out.print(t)
    t = Table(title="By source (resources derived from it)")
    for name in ("source", "issued", "title"):
        t.add_column(name)
    t.add_column("resources", justify="right")
    for s, title, issued, n in by_source:
        t.add_row(short(s), issued, title, str(n))
    out.print(t)
