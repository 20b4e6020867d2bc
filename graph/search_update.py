"""The label index of a rebuild, from the previous build's index and the resources that changed.

A full index build (:func:`graph.search.build_index`) reads every label, type and link of
the store: 40 s at a million triples on the shared machine, most of a rebuild after one
changed article. :func:`update_index` copies the previous build's index and rewrites the
rows of the resources whose labels, types, links or descriptions may have changed (the
IRIs in the changed graphs' old and new quads, and in the derived triples that changed),
with the same queries restricted to them (:func:`graph.search.restricted`), so the result
equals a full build of the new store (``tests/test_search_incremental.py``). The caller
falls back to a full build when the class hierarchy (the ontology graph) changed, since
every resource's most specific class may then change.
"""
from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .atomic import atomic_path
from .search import (INDEX_QUERIES, SCHEMA_VERSION, SHORT_PREFIX, collect_rows, fill_short_prefix, fold,
                     index_rows, restricted, skeleton)

#: IRIs per VALUES block of the restricted queries.
BATCH = 400


class IndexNotReusable(Exception):
    """The previous index cannot be updated (missing, another schema or base IRI)."""


def _values(iris: Iterable[str]) -> str:
    return "VALUES ?iri { " + " ".join(str(ox.NamedNode(i)) for i in iris) + " }"


def _prefixes(norm: str) -> set[str]:
    return {norm[:n] for n in range(1, SHORT_PREFIX + 1) if len(norm) >= n}


def update_index(previous: Path, path: Path, select, iris: Iterable[str], *, base: str) -> int:
    """Write to *path* the index *previous* updated for the resources *iris*, reading the new
    store through ``select(text)`` (the build's :class:`graph.store._OpenStore`); return the
    number of resources rewritten. Atomic: *path* is written beside and renamed. Raises
    :class:`IndexNotReusable` when *previous* is not an index of this schema and base."""
    iris = sorted(set(iris))
    with atomic_path(path) as tmp:
        try:
            shutil.copyfile(previous, tmp)
        except OSError as e:
            raise IndexNotReusable(f"no previous index to update ({e})") from None
        con = sqlite3.connect(tmp)
        try:
            _check(con, base)
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            for i in range(0, len(iris), BATCH):
                _rewrite(con, select, iris[i:i + BATCH], base)
            counts = con.execute("SELECT (SELECT count(*) FROM resource), (SELECT count(*) FROM label)").fetchone()
            con.executemany("UPDATE meta SET value = ? WHERE key = ?",
                            [(str(counts[0]), "resources"), (str(counts[1]), "labels")])
            con.commit()
        finally:
            con.close()
    return len(iris)


def _check(con: sqlite3.Connection, base: str) -> None:
    try:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as e:
        raise IndexNotReusable(f"the previous index is unreadable ({e})") from None
    if version != SCHEMA_VERSION or meta.get("base") != base:
        raise IndexNotReusable(f"the previous index has schema {version} and base {meta.get('base')}")


def _rewrite(con: sqlite3.Connection, select, iris: list[str], base: str) -> None:
    """Delete the rows of *iris* and insert them as the store has them now."""
    values = _values(iris)
    resources, labels = collect_rows(index_rows(select, values), base)
    notes = [(str(r["iri"]), str(r["text"])) for r in select(restricted("notes", values))]
    touched: set[str] = set()
    # out with the old rows (external-content FTS tables are told what they held)
    marks = ",".join("?" * len(iris))
    old = [r[0] for r in con.execute(f"SELECT id FROM resource WHERE iri IN ({marks})", iris)]
    if old:
        ids = ",".join("?" * len(old))
        for label_id, norm, skel, pref in con.execute(
                f"SELECT id, norm, skel, is_pref FROM label WHERE resource IN ({ids})", old).fetchall():
            con.execute("INSERT INTO label_fts(label_fts, rowid, norm) VALUES('delete', ?, ?)", (label_id, norm))
            con.execute("INSERT INTO skel_fts(skel_fts, rowid, skel) VALUES('delete', ?, ?)", (label_id, skel))
            if pref:
                touched |= _prefixes(norm)
        for note_id, norm in con.execute(f"SELECT id, norm FROM note WHERE resource IN ({ids})", old).fetchall():
            con.execute("INSERT INTO note_fts(note_fts, rowid, norm) VALUES('delete', ?, ?)", (note_id, norm))
        con.execute(f"DELETE FROM short_prefix WHERE label IN (SELECT id FROM label WHERE resource IN ({ids}))", old)
        con.execute(f"DELETE FROM label WHERE resource IN ({ids})", old)
        con.execute(f"DELETE FROM note WHERE resource IN ({ids})", old)
        con.execute(f"DELETE FROM resource WHERE id IN ({ids})", old)
    # in with the new
    next_id = (con.execute("SELECT max(id) FROM resource").fetchone()[0] or 0) + 1
    rid: dict[str, int] = {}
    for iri, r in resources.items():
        rid[iri] = next_id
        con.execute("INSERT INTO resource(id, iri, label, kind, class_iri, links) VALUES (?,?,?,?,?,?)",
                    (next_id, iri, r["label"], r["kind"], r["class"], r["links"]))
        next_id += 1
    for iri, text, norm, pref, lang in labels:
        skel = skeleton(text)
        cur = con.execute("INSERT INTO label(resource, text, norm, is_pref, lang, links, skel, compact) "
                          "VALUES (?,?,?,?,?,?,?,?)",
                          (rid[iri], text, norm, pref, lang, resources[iri]["links"], skel, skel.replace(" ", "")))
        con.execute("INSERT INTO label_fts(rowid, norm) VALUES (?, ?)", (cur.lastrowid, norm))
        con.execute("INSERT INTO skel_fts(rowid, skel) VALUES (?, ?)", (cur.lastrowid, skel))
        if pref:
            touched |= _prefixes(norm)
    seen: set[tuple[int, str]] = set()
    for iri, raw in notes:
        text = " ".join(raw.split())
        if iri in rid and text and (rid[iri], text) not in seen:
            seen.add((rid[iri], text))
            norm = fold(text)
            cur = con.execute("INSERT INTO note(resource, text, norm) VALUES (?,?,?)", (rid[iri], text, norm))
            con.execute("INSERT INTO note_fts(rowid, norm) VALUES (?, ?)", (cur.lastrowid, norm))
    fill_short_prefix(con, touched)


__all__ = ["BATCH", "IndexNotReusable", "update_index", "INDEX_QUERIES"]
