"""Hostile files on the ingest and review paths (issue 17): entities, remote contexts,
deep nesting, huge and odd files, and the review's authentication. Each answers a clear
error (exit 2 or 4xx), never a traceback, a hang or a network connection."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT
from graph.errors import InputError, RdfSyntaxError
from graph.load import DataFile, iter_quads

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/a">
<rdf:value>&lol3;</rdf:value></rdf:Description></rdf:RDF>"""


def remote_context(port: int) -> bytes:
    return (b'{"@context": "http://127.0.0.1:%d/context.jsonld", "@id": "http://e/a", "name": "x"}' % port)


def _file(tmp_path: Path, name: str, data: bytes) -> DataFile:
    p = tmp_path / name
    p.write_bytes(data)
    return DataFile(p, "https://w3id.org/wckg/id/graph/x", "article")


@pytest.mark.parametrize("name", ["x.ttl", "x.trig", "x.nt"])
def test_rdfxml_entities_in_a_data_file_are_a_syntax_error(tmp_path, name):
    with pytest.raises(RdfSyntaxError) as e:
        list(iter_quads(_file(tmp_path, name, BILLION_LAUGHS)))
    assert name in str(e.value)


def test_a_remote_context_is_never_fetched(tmp_path, listener):
    with pytest.raises(RdfSyntaxError):
        list(iter_quads(_file(tmp_path, "x.ttl", remote_context(listener.port))))
    ttl = (b"@base <http://127.0.0.1:%d/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
           b"<a> owl:imports <http://127.0.0.1:%d/ontology.ttl> .\n" % (listener.port, listener.port))
    assert len(list(iter_quads(_file(tmp_path, "y.ttl", ttl)))) == 1
    assert listener.connections == 0


def test_deeply_nested_turtle_parses_without_crashing(tmp_path):
    n = 50_000
    data = ("<http://e/a> <http://e/p> " + "[ <http://e/p> " * n + "1" + " ]" * n + " .").encode()
    assert len(list(iter_quads(_file(tmp_path, "deep.ttl", data)))) == n + 1


def test_a_draft_with_entities_is_refused_by_review_add(tmp_path):
    from graph.review.draft import Draft
    with pytest.raises((InputError, RdfSyntaxError)):
        Draft.parse(BILLION_LAUGHS, where=str(tmp_path / "draft.trig"))


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(tmp_path / "store"), WCKG_DRAFTS_DIR=str(tmp_path / "drafts"))
    return subprocess.run([sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_ROOT, timeout=120, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("kind", ["fifo", "directory", "dangling"])
def test_ingest_of_an_odd_file_is_one_line_not_a_hang(tmp_path, kind):
    p = tmp_path / "article.txt"
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "directory":
        p.mkdir()
    else:
        p.symlink_to(tmp_path / "missing.txt")
    r = _cli("ingest", str(p), tmp_path=tmp_path)
    assert r.returncode == 2 and "article.txt" in r.stderr and "Traceback" not in r.stderr, r.stderr[-400:]


def test_review_add_of_a_fifo_draft_is_one_line_not_a_hang(tmp_path):
    draft = tmp_path / "draft.trig"
    os.mkfifo(draft)
    text = tmp_path / "a.txt"
    text.write_text("# title: A\n\nSome text.\n")
    r = _cli("review", "add", str(draft), "--text", str(text), tmp_path=tmp_path)
    assert r.returncode == 2 and "draft.trig" in r.stderr and "Traceback" not in r.stderr, r.stderr[-400:]


# --- review authentication -------------------------------------------------------------------

@pytest.fixture(scope="module")
def review_client(settings, backend):
    from tests.security.conftest import client_for
    from pydantic import SecretStr
    s = settings.model_copy(update={"admin_token": SecretStr("s3cret-token-for-tests-0123456789")})
    with client_for(s, backend) as c:
        yield c


@pytest.mark.parametrize("headers,status", [({}, 401), ({"Authorization": "Bearer wrong"}, 401),
                                            ({"Authorization": "Bearer s3cret-token-for-tests-0123456789x"}, 401)])
def test_review_needs_the_token(review_client, headers, status):
    r = review_client.get("/review", headers={"Accept": "application/json", **headers})
    assert r.status_code == status


def test_review_writes_without_the_token_change_nothing(review_client):
    for path in ("/review/x/decide", "/review/x/accept-above", "/review/x/link", "/review/x/land"):
        r = review_client.post(path, data={"action": "accept", "fact": "f"}, headers={"Accept": "application/json"})
        assert r.status_code in (401, 403), (path, r.status_code)


def test_review_without_a_configured_token_is_closed(client):
    r = client.get("/review", headers={"Accept": "application/json", "Authorization": "Bearer anything"})
    assert r.status_code == 403


def test_the_token_is_compared_in_constant_time():
    import inspect

    from app import admin_auth
    assert "compare_digest" in inspect.getsource(admin_auth.token_matches)
