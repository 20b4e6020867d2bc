"""`wckg serve`: builds a missing store, serves it, and fails clearly when it cannot."""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from graph.config import PROJECT_ROOT


def _app_conftest():
    """tests/app/conftest.py by path: the module name "conftest" may be the root one."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("_wckg_app_conftest_serve",
                                                  Path(__file__).with_name("conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


free_port = _app_conftest().free_port
server_env = _app_conftest().server_env


def wckg(*args: str) -> list[str]:
    exe = shutil.which("wckg") or str(Path(sys.executable).with_name("wckg"))
    return [exe, *args]


def test_serve_builds_a_missing_store_and_answers(settings, tmp_path):
    store = tmp_path / "fresh-store"
    port = free_port()
    env = server_env(settings, WCKG_STORE=str(store))
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(wckg("serve", "--port", str(port), "--log-level", "warning"),
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/-/health", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "wckg serve did not answer within 90 s"
            time.sleep(0.3)
        assert r.json()["ok"] is True
        version = httpx.get(f"http://127.0.0.1:{port}/-/version").json()
        assert version["store"]["triples"] > 0
        assert (store / "current").exists()
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl+C does
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    out = (tmp_path / "serve.log").read_text()
    assert "Built the store" in out and "Traceback" not in out
    # the curated store fits the default memory budget: the start-up line says where it is held
    assert "query workers hold the store in memory (" in out


def test_serve_with_a_memory_budget_too_small_serves_from_disk_and_says_so(settings, built_store, tmp_path):
    port = free_port()
    env = server_env(settings, WCKG_MEMORY_BUDGET_MB="1")
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(wckg("serve", "--no-build", "--port", str(port), "--log-level", "warning"),
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/-/health", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "wckg serve did not answer within 90 s"
            time.sleep(0.3)
        store = r.json()["store"]
        assert store["mode"] == "disk" and store["residency"]["budget_mb"] == 1
        assert "WCKG_MEMORY_BUDGET_MB" in store["residency"]["reason"]
        assert httpx.get(f"http://127.0.0.1:{port}/-/version").json()["store"]["mode"] == "disk"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    out = (tmp_path / "serve.log").read_text()
    assert "query workers hold the store on disk (" in out and "over the budget of 1 MiB" in out
    assert "Traceback" not in out


def test_serve_no_build_without_a_store_fails_clearly(settings, tmp_path):
    r = subprocess.run(wckg("serve", "--no-build", "--store", str(tmp_path / "none")),
                       cwd=PROJECT_ROOT, env=server_env(settings), capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert "no store at" in r.stderr and "wckg build" in r.stderr
    assert "Traceback" not in r.stderr


def test_serve_on_a_busy_port_fails_clearly(settings, built_store):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run(wckg("serve", "--no-build", "--port", str(port)), cwd=PROJECT_ROOT,
                           env=server_env(settings), capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "--port" in r.stderr
    assert "Traceback" not in r.stderr
