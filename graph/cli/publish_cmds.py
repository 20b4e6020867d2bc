"""`wckg publish DIR`: write the release bundle (dumps, ontology, shapes, VoID, DCAT-AP catalog)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.markup import escape
from rich.table import Table

from ..config import get_settings
from ..errors import ValidationFailed
from .base import app, err, out

STEP_TEXT = {
    "validate": "validating the graph against the project's shapes",
    "read": "reading the dataset",
    "dumps": "writing the dumps (N-Quads, TriG, Turtle, JSON-LD)",
    "ontology": "writing the ontology and the shapes",
    "void": "computing the VoID description",
    "catalog": "writing the DCAT-AP catalog",
    "swap": "putting the bundle in place",
}


# long: a Typer command: its options, progress and summary
@app.command()
def publish(
    directory: Annotated[Path, typer.Argument(help="where the bundle goes (new, empty, or an older bundle)",
                                              show_default=False)],
    base_url: Annotated[Optional[str], typer.Option(
        "--base-url", help="URL the files will be downloadable under (default: WCKG_PUBLIC_URL/downloads)")] = None,
    release_date: Annotated[Optional[str], typer.Option(
        "--release-date", envvar="WCKG_RELEASE_DATE",
        help="dcterms:modified of the release, YYYY-MM-DD (default: the newest source article's date)")] = None,
    from_store: Annotated[bool, typer.Option(
        "--from-store", help="publish what the configured store holds instead of the project's files")] = False,
) -> None:
    """Write the release bundle into DIRECTORY, replacing an older bundle atomically.

    The graph is validated first: a graph that does not conform is not published. The
    same data gives byte-identical files. Exit status: 0 published, 1 not conforming, 2
    a missing setting or an unusable directory."""
    from ..publish import STEPS, human_size, publish as run_publish

    settings = get_settings()
    backend = None
    if from_store:
        from ..store import open_backend
        backend = open_backend(settings)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, transient=True, disable=not err.is_terminal)
    try:
        with bar:
            task = bar.add_task("publishing", total=len(STEPS))
            seen: list[str] = []

            def progress(step: str) -> None:
                if seen:
                    bar.advance(task)
                seen.append(step)
                bar.update(task, description=STEP_TEXT.get(step, step))

            result = run_publish(settings, directory, backend=backend, base_url=base_url,
                                 release_date=release_date, progress=progress)
            bar.advance(task)
    except ValidationFailed as e:
        report = e.report
        if hasattr(report, "to_text"):
            # emoji=False: ":date" in "wc:date" must not become a calendar picture
            err.print(report.to_text(), markup=False, highlight=False, emoji=False, soft_wrap=True)
        err.print("[bold red]not published:[/] the graph does not conform to the project's shapes; "
                  f"nothing was written to {escape(str(directory))}", markup=True, highlight=False, emoji=False)
        raise SystemExit(1) from None
    finally:
        if backend is not None and hasattr(backend, "close"):
            backend.close()

    table = Table(title=escape(f"{'replaced' if result.replaced else 'wrote'} {result.directory}"), show_lines=False)
    table.add_column("file")
    table.add_column("size", justify="right")
    table.add_column("SHA-256", overflow="fold")
    for f in result.files:
        table.add_row(escape(f.name), human_size(f.size), f.sha256)
    out.print(table)
    out.print(f"{result.quads} quads in {len(result.graphs)} named graphs, {result.triples} triples in the "
              f"default graph; modified {result.modified.isoformat() if result.modified else 'unknown'}",
              markup=False, highlight=False)


@app.command("w3id-rules")
def w3id_rules(
    public_url: Annotated[Optional[str], typer.Option(
        "--public-url", help="the site the identifiers redirect to (default: WCKG_PUBLIC_URL)")] = None,
) -> None:
    """Print the w3id.org .htaccess that redirects https://w3id.org/wckg/ to the site."""
    from ..publish import w3id_htaccess

    settings = get_settings()
    print(w3id_htaccess(public_url or settings.public_url, contact=settings.contact_email), end="")
