"""Shared fixtures: the curated data built once into a temporary embedded store."""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of the curated data that a test may change."""
    dst = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", dst)
    return dst


@pytest.fixture
def ontology_copy(tmp_path) -> Path:
    """A private copy of the ontology that a test may change."""
    dst = tmp_path / "ontology"
    shutil.copytree(PROJECT_ROOT / "ontology", dst)
    return dst


def make_settings(store: Path, **overrides) -> Settings:
    """Settings for a test: explicit paths, nothing read from the developer's environment."""
    values = dict(store=store, data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology",
                  queries_dir=PROJECT_ROOT / "queries", backend="embedded", query_workers=2,
                  query_timeout=30.0, max_rows=10000, admin_token=None,
                  # the suite sends many queries from one client: the abuse limits are tested in tests/security
                  query_rate="100000/minute", client_queries=64, query_queue=64, health_timeout=15.0)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture(autouse=True, scope="session")
def _no_wckg_environment():
    """A developer's WCKG_* variables must not change what the tests see."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("WCKG_")}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("store") / "store")


@pytest.fixture(scope="session")
def built_store(settings):
    """The curated data built into the session's store (validation is tested on its own)."""
    from graph.build import build
    return build(settings, validate="none")


@pytest.fixture(scope="session")
def release(settings, built_store):
    """The release bundle of the session's build, as `wckg build` writes it (the site
    serves it; the validation gate is tested on its own)."""
    from graph.build import make_release
    return make_release(settings, validate=False)


@pytest.fixture(scope="session")
def backend(settings, built_store):
    from graph.store import open_backend
    b = open_backend(settings)
    yield b
    b.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path | None:
    """../shared beside the checkout (CI has it; a clean clone elsewhere may not)."""
    return SHARED if SHARED.is_dir() else None


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_oxigraph(location: Path):
    """A real ``oxigraph serve`` (the PyPI package's CLI) on 127.0.0.1 with a union default
    graph, stopped on exit; yields its base URL."""
    import subprocess
    import sys
    import time

    import httpx
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        pytest.fail("the oxigraph CLI is missing: pip install -e '.[test]' installs it")
    port = free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=0.5)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _remote(url: str) -> dict:
    """The remote backend's settings for the oxigraph server at *url*."""
    return {"backend": "remote", "remote_query_url": f"{url}/query", "remote_update_url": f"{url}/update",
            "remote_gsp_url": f"{url}/store"}


def remote_settings(url: str, store: Path, **overrides) -> Settings:
    """Settings for the remote backend against the oxigraph server at *url*."""
    return make_settings(store, **_remote(url), **overrides)


@contextlib.contextmanager
def built_remote(settings: Settings, tmp: Path):
    """A real oxigraph server (:func:`running_oxigraph` in *tmp*) holding a build of
    *settings*' data; yields the settings of the remote backend against it."""
    from graph.build import build
    with running_oxigraph(tmp / "server") as url:
        s = settings.model_copy(update={"store": tmp / "local", **_remote(url)})
        build(s, validate="none")
        yield s


def chromium_path() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None
