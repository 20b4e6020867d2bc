"""The sandbox fails closed: no sandbox, no queries, unless the operator opts out."""
from __future__ import annotations

import pytest

from graph import sandbox
from graph.errors import ConfigError


def test_the_probe_passes_on_this_machine():
    assert sandbox.probe() is None


def test_no_sandbox_means_no_queries(settings, built_store, monkeypatch):
    from graph.store import EmbeddedStore
    monkeypatch.setattr(sandbox, "probe", lambda: "libseccomp is not available (test)")
    monkeypatch.delenv(sandbox.OPT_OUT, raising=False)
    store = EmbeddedStore(settings)
    try:
        with pytest.raises(ConfigError, match="WCKG_ALLOW_UNSANDBOXED_QUERIES"):
            store.query("ASK { ?s ?p ?o }")
    finally:
        store.close()


def test_the_operator_may_opt_out(settings, built_store, monkeypatch):
    from graph.store import EmbeddedStore
    monkeypatch.setattr(sandbox, "probe", lambda: "libseccomp is not available (test)")
    monkeypatch.setenv(sandbox.OPT_OUT, "1")
    store = EmbeddedStore(settings)
    try:
        assert store.sandboxed is False
        assert store.query("ASK { ?s ?p ?o }").boolean is True
    finally:
        store.close()


def test_serve_refuses_to_start_without_the_sandbox(settings, built_store, monkeypatch):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from app.main import create_app
    monkeypatch.setattr(sandbox, "probe", lambda: "libseccomp is not available (test)")
    monkeypatch.delenv(sandbox.OPT_OUT, raising=False)
    with pytest.raises(ConfigError):
        with TestClient(create_app(settings)):
            pass
