"""Shared fixtures: the curated data built once into a temporary embedded store."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared"


def make_settings(store: Path, **overrides) -> Settings:
    """Settings for a test: explicit paths, nothing read from the developer's environment."""
    values = dict(store=store, data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology",
                  queries_dir=PROJECT_ROOT / "queries", backend="embedded", query_workers=2,
                  query_timeout=30.0, max_rows=10000, admin_token=None)
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
    from graph.store import build
    return build(settings, validate="none")


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


def chromium_path() -> str | None:
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None
