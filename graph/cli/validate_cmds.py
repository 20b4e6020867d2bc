"""`wckg validate`: check the data against the ontology, the SHACL shapes and the sources."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import get_settings
from ..errors import ValidationFailed
from .base import app, err, out
from .data_cmds import progress_bar


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="files or folders to check together with the ontology and reference data (default: the whole graph)",
        show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="fail on warnings too")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Validate the data: SHACL shapes, datatypes, and every wc:evidence against its source text.

    Exit status: 0 conforms (warnings are printed), 1 does not conform (or has warnings with --strict), 2 unreadable input (the message gives file, line and column).
    """
    from ..load import iter_files
    from ..validate import validate as run_validation

    if format not in ("text", "json"):
        raise typer.BadParameter(f"--format must be text or json, not {format!r}")
    settings = get_settings()
    files = iter_files(paths, settings) if paths else None

    with progress_bar() as bar:
        task = bar.add_task("validating", total=None)

        def progress(done: int, total: int, what: str) -> None:
            bar.update(task, description=what, completed=done, total=total)

        report = run_validation(settings, files, progress=progress)

    if format == "json":
        out.print(report.to_json(), markup=False, highlight=False, soft_wrap=True)
    elif report.results:
        out.print(report.to_text(root=Path.cwd()), markup=False, highlight=False, soft_wrap=True, end="")
    if not report.conforms:
        raise ValidationFailed(report)
    if strict and report.warnings:
        raise ValidationFailed(report, f"the graph has warnings and --strict was given: {report.summary()}")
    if format == "json" or not report.results:  # the text report ends with this line already
        err.print(f"conforms: {report.summary()}", markup=False, highlight=False)
