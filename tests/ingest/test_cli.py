"""`wckg extract` on the command line: output, several articles, and bad input (exit 2, nothing written)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import Dataset

from graph.config import PROJECT_ROOT

ARTICLE = "# published: 2021-06-14\n# title: A meeting\n\nThe meeting of the Ministry of Water Resources and Irrigation was held on 10 June 2021 in Astana.\n"


def run(*args, cwd=None, env_store=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env["WCKG_STORE"] = str(env_store) if env_store else "/nonexistent/wckg-store"
    return subprocess.run([sys.executable, "-m", "graph.cli", "extract", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or PROJECT_ROOT, env=env, timeout=300)


def test_extract_writes_a_trig_draft(tmp_path):
    a = tmp_path / "meeting.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "drafts" / "meeting.trig"
    r = run(a, "-o", out)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert names == {"https://w3id.org/wckg/id/graph/meeting", "https://w3id.org/wckg/id/graph/meeting/draft"}


def test_several_articles_into_a_folder(tmp_path):
    for n in ("one", "two"):
        (tmp_path / f"{n}.txt").write_text(ARTICLE, encoding="utf-8")
    r = run(tmp_path / "one.txt", tmp_path / "two.txt", "-o", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["one.trig", "two.trig"]


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x00\x01\x02binary", "binary"),
    (b"caf\xe9 au lait", "not UTF-8"),
    (b"<html><body><p>News</p></body></html>", "HTML"),
    (b"# published: 2021-13-01\n\nText.\n", "impossible publication date"),
])
def test_bad_input_exits_2_and_writes_nothing(tmp_path, content, message):
    a = tmp_path / "bad.txt"
    a.write_bytes(content)
    good = tmp_path / "good.txt"
    good.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    r = run(good, a, "-o", out)
    assert r.returncode == 2
    assert message in r.stderr and "bad.txt" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_a_store_that_does_not_exist(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    r = run(a, "-o", tmp_path / "a.trig", "--store", tmp_path / "nostore")
    assert r.returncode != 0 and "no store" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "a.trig").exists()


def test_output_must_be_trig(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(ARTICLE, encoding="utf-8")
    r = run(a, "-o", tmp_path / "a.ttl")
    assert r.returncode == 2 and "TriG" in r.stderr
