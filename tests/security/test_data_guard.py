"""Nothing is lost by mistake in the data (issue 17): a build that would empty a graph of
the current store, or drop most of it, stops and names the file; odd files in data/ get
a one-line error naming them, never a traceback or a hang."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.config import PROJECT_ROOT
from graph.dataloss import DataLossError, find_losses
from graph.errors import InputError
from graph.load import discover
from tests.conftest import make_settings


@pytest.fixture()
def project(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data, ignore=shutil.ignore_patterns("*.txt"))
    for src in (PROJECT_ROOT / "data" / "sources").glob("*.txt"):
        (data / "sources" / src.name).symlink_to(src)
    s = make_settings(tmp_path / "store", data_dir=data)
    from graph.build import build
    build(s, validate="none")
    return s


def article(settings) -> Path:
    return sorted((settings.data_dir / "articles").glob("*.ttl"))[0]


def current(settings) -> str:
    return os.readlink(Path(settings.store) / "current")


def test_an_emptied_article_stops_the_build_and_names_the_file(project):
    from graph.build import build
    f = article(project)
    before = current(project)
    f.write_text("")
    with pytest.raises(DataLossError) as e:
        build(project, validate="none")
    assert f.name in str(e.value) and "--allow-removal" in str(e.value)
    assert current(project) == before, "the store must not change"
    report = build(project, validate="none", allow_removal=True)
    assert any(f.stem in g for g in report.changed_graphs)
    assert current(project) != before


def test_a_deleted_article_needs_the_confirmation_too(project):
    from graph.build import build
    f = article(project)
    f.unlink()
    with pytest.raises(DataLossError, match=f.name):
        build(project, validate="none")
    assert any(f.stem in g for g in build(project, validate="none", allow_removal=True).removed_graphs)


def test_a_graph_cut_by_more_than_half_is_a_loss_and_a_small_change_is_not():
    files = {"g": ["data/articles/g.ttl"]}
    assert find_losses({"g": 100}, {"g": 40}, files)[0].after == 40
    assert find_losses({"g": 100}, {"g": 60}, files) == []
    assert find_losses({"g": 5}, {"g": 1}, files) == []      # small graphs: only emptied counts
    assert find_losses({"g": 5}, {}, files)[0].after == 0
    assert find_losses({"m": 50}, {}, files, ignore=["m"]) == []


def test_the_cli_says_so_in_one_message(project):
    article(project).write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(project.store), WCKG_DATA_DIR=str(project.data_dir))
    r = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--validate", "none", "--no-release"],
                       capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=300)
    assert r.returncode == 1 and article(project).name in r.stderr and "Traceback" not in r.stderr, r.stderr


# --- odd files ---------------------------------------------------------------------------

def _odd(kind: str, folder: Path) -> Path:
    p = folder / f"odd-{kind}.ttl"
    if kind == "dangling":
        p.symlink_to(folder / "no-such-target.ttl")
    elif kind == "directory":
        p.mkdir()
    elif kind == "fifo":
        os.mkfifo(p)
    return p


@pytest.mark.parametrize("kind,words", [("dangling", "symbolic link to a missing file"),
                                        ("directory", "is a directory"), ("fifo", "not a regular file")])
def test_odd_files_are_named_in_one_line(tmp_path, kind, words):
    data = tmp_path / "data"
    (data / "articles").mkdir(parents=True)
    p = _odd(kind, data / "articles")
    s = make_settings(tmp_path / "store", data_dir=data)
    with pytest.raises(InputError) as e:
        discover(s)
    assert str(p) in e.value.message and words in e.value.message and "\n" not in e.value.message


def test_odd_files_through_the_cli_neither_hang_nor_trace(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", data, ignore=shutil.ignore_patterns("*.txt"))
    _odd("fifo", data / "articles")
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_STORE=str(tmp_path / "store"), WCKG_DATA_DIR=str(data))
    r = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--validate", "none", "--no-release"],
                       capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120)
    assert r.returncode == 2 and "odd-fifo.ttl" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_literal_over_16_mib_is_named_not_a_traceback(tmp_path):
    from graph.load import DataFile, iter_quads
    p = tmp_path / "huge.ttl"
    with open(p, "wb") as fh:
        fh.write(b'<http://e/a> <http://e/p> "')
        fh.write(b"x" * (17 * 1024 * 1024))
        fh.write(b'" .\n')
    with pytest.raises(InputError, match="16 MiB") as e:
        list(iter_quads(DataFile(p, "http://e/g", "article")))
    assert str(p) in str(e.value)
