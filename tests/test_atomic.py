"""graph.atomic: files written whole or not at all (the one helper every writer uses)."""
from __future__ import annotations

import os
import stat

import pytest

from graph.atomic import atomic_open, atomic_path, atomic_write


def test_atomic_write_replaces_the_file_whole_and_leaves_nothing_beside(tmp_path):
    target = tmp_path / "sub" / "f.json"
    atomic_write(target, "first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"half of the new")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_atomic_path_lets_another_writer_fill_it(tmp_path):
    import sqlite3
    target = tmp_path / "index.sqlite"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and not tmp.exists() and not target.exists()
        con = sqlite3.connect(tmp)
        con.execute("CREATE TABLE t(x)")
        con.commit()
        con.close()
    assert sqlite3.connect(target).execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_the_file_gets_the_umask_mode_not_mkstemps(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "f", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == 0o644
