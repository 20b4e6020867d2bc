"""Browser tests: a real Chromium (Debian's, never a downloaded one) driven by Playwright
against a real uvicorn server on 127.0.0.1, started and stopped by the module."""
from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Screenshots are copied here for people to look at.
SHOTS = PROJECT_ROOT / "test-results" / "screenshots"


def _app_helpers():
    """start_server/stop_server of tests/app/conftest.py (this folder cannot see its fixtures)."""
    spec = importlib.util.spec_from_file_location("_wckg_app_conftest_browser",
                                                  PROJECT_ROOT / "tests" / "app" / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def server(settings, built_store, tmp_path_factory, request):
    helpers = _app_helpers()
    proc, url = helpers.start_server(settings, tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]))
    try:
        yield url
    finally:
        helpers.stop_server(proc)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    """A page that fails the test when a request leaves the machine, a script errors, a
    sub-resource fails to load or the CSP blocks something. Screenshots appended to
    ``page.shots`` are copied to test-results/screenshots/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.shots = []                      # type: ignore[attr-defined]
    external, problems = [], []
    pg.on("request", lambda r: external.append(r.url)
          if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:", "file://")) else None)
    # a failed load is reported with its URL by the response hook; the console line that
    # Chromium adds for it names no URL. Pages and queries answering 4xx on purpose (a
    # syntax error, a bad parameter) are documents or fetches, not failed sub-resources.
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
          if m.type == "error" and "Failed to load resource" not in m.text else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    pg.on("response", lambda r: problems.append(f"HTTP {r.status} for {r.url}")
          if r.status >= 400 and r.request.resource_type not in ("document", "fetch", "xhr")
          and not r.url.endswith("/favicon.ico") else None)
    pg.problems = problems             # type: ignore[attr-defined]
    yield pg
    context.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in pg.shots:              # type: ignore[attr-defined]
        shutil.copy(shot, SHOTS / shot.name)
    assert external == [], f"requests left the machine: {external}"
    assert problems == [], f"script errors, failed loads or CSP violations: {problems}"


@pytest.fixture
def start_app(settings, built_store, tmp_path_factory):
    """Start another server with extra environment (e.g. ``WCKG_MAX_ROWS="5"``); every
    server started is stopped after the test."""
    helpers = _app_helpers()
    started = []

    def start(**env) -> str:
        proc, url = helpers.start_server(settings, tmp_path_factory.mktemp("extra-server"), **env)
        started.append(proc)
        return url
    yield start
    for proc in started:
        helpers.stop_server(proc)


@pytest.fixture
def keep_shot():
    """Copy a screenshot to test-results/screenshots/ for people to look at."""
    def keep(path: Path) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
    return keep
