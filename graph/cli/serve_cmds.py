"""`wckg serve`: build the store when needed, then run the web app with uvicorn.

The web app is started by its import string (``app.main:create_app``, a factory) so that
the library never imports FastAPI.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import PROJECT_ROOT, get_settings
from ..errors import ConfigError, StoreError
from .base import app, err
from .data_cmds import StoreOpt, progress_bar, settings_for

APP_FACTORY = "app.main:create_app"


def _check_port_free(host: str, port: int) -> None:
    """Fail early, with a message, when another program holds the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise ConfigError(f"cannot listen on {host}:{port}: {e.strerror or e}",
                              hint="choose another port with --port (or WCKG_PORT), or stop the program using it") from None


# long: a Typer command: its options, the store made ready, then the server
@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option("--host", help="interface to listen on (default: WCKG_HOST, 127.0.0.1)")] = None,
    port: Annotated[Optional[int], typer.Option("--port", min=1, max=65535, help="port (default: WCKG_PORT, 8000)")] = None,
    store: StoreOpt = None,
    no_build: Annotated[bool, typer.Option("--no-build", help="serve the store as it is; do not build it when it is missing or out of date")] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level: critical, error, warning, info, debug")] = "info",
) -> None:
    """Serve the web site and the SPARQL endpoint (building the store first when it is missing or out of date)."""
    import uvicorn

    from ..build import ensure_built
    from ..store import StoreLayout

    if log_level not in ("critical", "error", "warning", "info", "debug", "trace"):
        raise typer.BadParameter(f"--log-level must be critical, error, warning, info or debug, not {log_level!r}")
    settings = settings_for(store)
    updates: dict[str, object] = {}
    if host:
        updates["host"] = host
    if port:
        updates["port"] = port
    if updates:
        settings = settings.model_copy(update=updates)

    if settings.backend == "embedded":
        if no_build:
            if StoreLayout(settings.store).current_build() is None:
                raise StoreError(f"no store at {settings.store}",
                                 hint="run `wckg build` first, or drop --no-build to build it now")
        else:
            with progress_bar() as bar:
                task = bar.add_task("checking the store", total=None)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=total)

                report = ensure_built(settings, progress=progress, release=True)
            if report is None:
                err.print(f"The store at {settings.store} is up to date.", markup=False)
            else:
                err.print(f"Built the store at {settings.store}: {report.triples} triples "
                          f"(build {report.build_id}).", markup=False)

    if not (PROJECT_ROOT / "node_modules" / "@zazuko" / "yasgui").is_dir():
        err.print(f"warning: the front-end packages are not installed: run `npm ci` in {PROJECT_ROOT} "
                  "(the SPARQL editor and the API browser need them).", markup=False)

    _check_port_free(settings.host, settings.port)

    # The factory reads its settings from the environment: hand the command-line choices on.
    os.environ["WCKG_STORE"] = str(Path(settings.store))
    os.environ["WCKG_HOST"] = settings.host
    os.environ["WCKG_PORT"] = str(settings.port)
    get_settings.cache_clear()

    from ..residency import for_store
    place = for_store(settings)
    where = f"; query workers hold the store {place.describe()}" if place is not None else ""
    err.print(f"Serving on http://{settings.host}:{settings.port}/ (SPARQL at /sparql){where}; Ctrl+C stops.",
              markup=False)
    uvicorn.run(APP_FACTORY, factory=True, host=settings.host, port=settings.port,
                log_level=log_level, proxy_headers=False, server_header=False)
