"""Every JSON-LD file of the release bundle (and the site's /ontology.jsonld) parses with
rdflib and with pyld while the network is cut: the context travels inside the file."""
from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph import publish as pub

JSONLD = {"wckg.jsonld.gz": "wckg.ttl.gz", "ontology.jsonld": "ontology.ttl", "shapes.jsonld": "shapes.ttl"}


@pytest.fixture(scope="module")
def bundle(settings, backend, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("offline") / "release"
    pub.publish(settings, out, backend=backend)
    return out


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection or resolve a name fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[1:] if len(args) > 1 else args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def test_the_cut_network_is_really_cut(no_network):
    import urllib.request
    with pytest.raises(Exception):
        urllib.request.urlopen("http://example.org/", timeout=2)


@pytest.mark.parametrize("name", list(JSONLD))
def test_bundle_jsonld_parses_offline_with_rdflib(bundle, no_network, name):
    g = Graph().parse(data=_read(bundle / name), format="json-ld")
    expected = Graph().parse(data=_read(bundle / JSONLD[name]), format="turtle")
    assert len(g) > 0 and isomorphic(g, expected)


@pytest.mark.parametrize("name", list(JSONLD))
def test_bundle_jsonld_parses_offline_with_pyld(bundle, no_network, name):
    from pyld import jsonld

    def loader(url, options=None):
        raise AssertionError(f"pyld tried to fetch {url}")

    doc = json.loads(_read(bundle / name))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
    g = Graph().parse(data=nquads, format="nquads") if nquads.strip() else Graph()
    expected = Graph().parse(data=_read(bundle / JSONLD[name]), format="turtle")
    assert len(g) == len(expected) and isomorphic(g, expected)

