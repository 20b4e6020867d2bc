"""The built wheel is complete: installed alone in a fresh virtual environment (outside the
checkout), it serves the site's pages, the network view's page and script included
(``graph/templates``, ``app/templates``, ``app/static`` are package data).

The wheel is built by pip from the checkout (build isolation, as a user would). The fresh
environment gets the wheel with ``--no-deps``; its third-party dependencies come from
the test environment's site-packages through a ``.pth`` line (installing them again
from the index takes minutes). That directory's own ``.pth`` files are not processed,
so the checkout (installed there in editable mode) is not importable: a module or file
missing from the wheel fails here.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from graph.config import PROJECT_ROOT

ORG = "eurasian-development-bank"


def _source_files() -> list[str]:
    """The project's files as a clean clone has them (tracked or new, not ignored)."""
    r = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=PROJECT_ROOT,
                       capture_output=True, text=True, check=True)
    return [f for f in r.stdout.splitlines() if (PROJECT_ROOT / f).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # built from a copy of the source files: a checkout's build/ and *.egg-info left by
    # earlier builds would hide a file that a clean build leaves out
    src = tmp_path_factory.mktemp("src")
    for name in _source_files():
        if name.startswith(("graph/", "app/")) or "/" not in name:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_ROOT / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    wheels = list(out.glob("wckg-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_env(wheel, tmp_path_factory) -> Path:
    """A fresh venv with only the wheel installed (dependencies by path, see above)."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=False).create(root)
    py = root / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return root


def test_the_wheel_holds_every_package_and_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in _source_files() if n.startswith(("graph/", "app/")) and n not in names]
    assert not missing, f"files of graph/ and app/ missing from the wheel: {missing}"


def test_the_installed_wheel_serves_the_pages(wheel_env, settings, built_store, release, tmp_path):
    py = wheel_env / "bin" / "python"
    where = subprocess.run([str(py), "-c", "import graph, app; print(graph.__file__); print(app.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.split()
    assert all(str(wheel_env) in w for w in where), where   # the wheel's code, not the checkout's

    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update({"WCKG_STORE": str(settings.store), "WCKG_DATA_DIR": str(settings.data_dir),
                "WCKG_ONTOLOGY_DIR": str(settings.ontology_dir), "WCKG_QUERIES_DIR": str(settings.queries_dir),
                "WCKG_BACKEND": "embedded", "WCKG_QUERY_WORKERS": "1"})
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([str(py), "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
            try:
                if httpx.get(f"{url}/-/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server from the wheel did not start"
            time.sleep(0.3)
        html = {"accept": "text/html"}
        failed = []
        for path in ("/", "/search?q=water", f"/id/organisation/{ORG}", "/classes", "/queries",
                     "/queries/cq1-timeline", "/timeline", "/downloads", "/catalog", "/ontology", "/sparql",
                     "/network", f"/network/organisation/{ORG}", "/static/site.css"):
            r = httpx.get(url + path, headers=html, timeout=60)
            if r.status_code != 200:
                failed.append((path, r.status_code))
        assert not failed, failed
        page = httpx.get(f"{url}/network/organisation/{ORG}", headers=html, timeout=60).text
        assert "/network/assets/network-view.js" in page
        script = httpx.get(f"{url}/network/assets/network-view.js", timeout=30)
        assert script.status_code == 200 and "textContent" in script.text   # graph/templates, from the wheel
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
