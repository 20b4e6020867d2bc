"""Fixtures of the web-app tests: a TestClient over ``create_app`` sharing the session's
store, and a real uvicorn server on 127.0.0.1 for clients that need a socket."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph.config import PROJECT_ROOT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's notice about httpx in its TestClient
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def web_app(settings, backend, release):
    from app.main import create_app
    return create_app(settings, backend=backend)


@pytest.fixture(scope="session")
def client(web_app) -> Iterator[TestClient]:
    # raise_server_exceptions=False: a 500 must be seen as the user sees it
    with TestClient(web_app, raise_server_exceptions=False) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(settings, **extra: str) -> dict[str, str]:
    """Environment for a server process seeing the same data and store as the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update({
        "WCKG_STORE": str(settings.store), "WCKG_DATA_DIR": str(settings.data_dir),
        "WCKG_ONTOLOGY_DIR": str(settings.ontology_dir), "WCKG_QUERIES_DIR": str(settings.queries_dir),
        "WCKG_BACKEND": "embedded", "WCKG_QUERY_WORKERS": "1",
        "WCKG_QUERY_RATE": "100000/minute", "WCKG_CLIENT_QUERIES": "64", "WCKG_QUERY_QUEUE": "64",
    })
    env.update(extra)
    return env


def start_server(settings, tmp_dir: Path, **extra_env: str) -> tuple[subprocess.Popen, str]:
    """uvicorn on a free port of 127.0.0.1, serving the session's store; waits until healthy."""
    port = free_port()
    log = open(tmp_dir / f"uvicorn-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=PROJECT_ROOT, env=server_env(settings, **extra_env), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: "
                               f"{(tmp_dir / f'uvicorn-{port}.log').read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/-/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError("the server did not become healthy within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(settings, built_store, tmp_path_factory) -> Iterator[str]:
    """Base URL of a real uvicorn server (stopped at the end of the session)."""
    proc, url = start_server(settings, tmp_path_factory.mktemp("live"))
    try:
        yield url
    finally:
        stop_server(proc)
