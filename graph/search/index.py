"""Building the label index: the rows the build reads from the store (:data:`INDEX_QUERIES`,
:func:`index_rows`) and the SQLite file written from them (:func:`build_index`)."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..atomic import atomic_path
from ..namespaces import WCID_DEFAULT, sparql_prologue
from .text import MAX_CHAR, fold, kind_from_iri, skeleton

SCHEMA_VERSION = 4
#: Queries of at most this many characters are answered from a precomputed table of the
#: best labels per prefix (a one- or two-letter range covers a large share of the index).
SHORT_PREFIX = 2
#: How many resources the precomputed table keeps per short prefix.
SHORT_PREFIX_KEEP = 50

#: The SELECTs the build runs over the new store; :func:`index_rows` joins their answers
#: into the rows of :func:`build_index`. Four simple scans instead of one query: the
#: most-specific-class test (``NOT EXISTS`` over ``rdfs:subClassOf+`` per resource) and the
#: link counts inside one query took 16 s at a million triples, the four scans 4 s.
#: Source documents are indexed by ``dcterms:title``, ontology classes by ``rdfs:label``.
INDEX_QUERIES = {
    "labels": sparql_prologue() + """
SELECT ?iri ?label ?is_pref WHERE {
  { ?iri skos:prefLabel ?label . BIND(true AS ?is_pref) }
  UNION { ?iri skos:altLabel ?label . BIND(false AS ?is_pref) }
  UNION { ?iri a wc:SourceDocument ; dcterms:title ?label . BIND(true AS ?is_pref) }
  UNION { ?iri a owl:Class ; rdfs:label ?label . BIND(true AS ?is_pref) }
  FILTER(isIRI(?iri) && isLiteral(?label))
}""",
    "types": sparql_prologue() + """
SELECT DISTINCT ?iri ?class WHERE {
  ?iri a ?class . FILTER(isIRI(?iri) && isIRI(?class) && ?class != owl:NamedIndividual)
}""",
    "subclasses": sparql_prologue() + """
SELECT DISTINCT ?sub ?sup WHERE { ?sub rdfs:subClassOf+ ?sup . FILTER(isIRI(?sub) && isIRI(?sup) && ?sub != ?sup) }""",
    "links": sparql_prologue() + """
SELECT ?iri (COUNT(?x) AS ?links) WHERE { ?x ?p ?iri . FILTER(isIRI(?iri) && ?p != rdf:type) } GROUP BY ?iri""",
    "notes": sparql_prologue() + """
SELECT ?iri ?text WHERE {
  VALUES ?p { skos:definition skos:note rdfs:comment dcterms:description skos:scopeNote }
  ?iri ?p ?text . FILTER(isIRI(?iri) && isLiteral(?text))
}""",
}


def restricted(name: str, values: str = "") -> str:
    """The text of ``INDEX_QUERIES[name]``, its ``?iri`` bound by the VALUES block *values*
    (``VALUES ?iri { <a> <b> }``: the rows of some resources only), or whole."""
    text = INDEX_QUERIES[name]
    return text.replace("WHERE {", "WHERE { " + values, 1) if values else text


def index_rows(select, values: str = "") -> Iterable[tuple]:
    """Rows ``(iri, label, is_pref, most specific class, links)`` for :func:`build_index`,
    from the answers of :data:`INDEX_QUERIES`; ``select(text)`` returns rows as dicts of
    rdflib terms (any backend's ``select``). *values*: only the resources of that VALUES
    block (:func:`restricted`)."""
    supers: dict[str, set[str]] = {}
    for r in select(INDEX_QUERIES["subclasses"]):
        supers.setdefault(str(r["sub"]), set()).add(str(r["sup"]))
    types: dict[str, set[str]] = {}
    for r in select(restricted("types", values)):
        types.setdefault(str(r["iri"]), set()).add(str(r["class"]))
    links = {str(r["iri"]): int(r["links"]) for r in select(restricted("links", values))}

    def most_specific(iri: str) -> str | None:
        classes = types.get(iri)
        if not classes:
            return None
        # a class none of whose subclasses the resource also has; wc: classes first, then by IRI
        implied = set().union(*(supers.get(c, set()) for c in classes))
        best = sorted(classes - implied or classes, key=lambda c: ("/ontology#" not in c, c))
        return best[0]

    for r in select(restricted("labels", values)):
        iri = str(r["iri"])
        yield iri, r["label"], r.get("is_pref"), most_specific(iri), links.get(iri, 0)


_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE resource(id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, label TEXT NOT NULL,
                      kind TEXT, class_iri TEXT, links INTEGER NOT NULL DEFAULT 0);
CREATE TABLE label(id INTEGER PRIMARY KEY, resource INTEGER NOT NULL REFERENCES resource(id),
                   text TEXT NOT NULL, norm TEXT NOT NULL, is_pref INTEGER NOT NULL, lang TEXT,
                   links INTEGER NOT NULL DEFAULT 0, skel TEXT NOT NULL DEFAULT '',
                   compact TEXT NOT NULL DEFAULT '');
CREATE TABLE note(id INTEGER PRIMARY KEY, resource INTEGER NOT NULL REFERENCES resource(id),
                  text TEXT NOT NULL, norm TEXT NOT NULL);
CREATE TABLE short_prefix(prefix TEXT NOT NULL, rank INTEGER NOT NULL, label INTEGER NOT NULL,
                          PRIMARY KEY(prefix, rank)) WITHOUT ROWID;
CREATE VIRTUAL TABLE label_fts USING fts5(
    norm, content='label', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2', prefix='2 3 4');
CREATE VIRTUAL TABLE skel_fts USING fts5(skel, content='label', content_rowid='id', prefix='2 3 4');
CREATE VIRTUAL TABLE note_fts USING fts5(
    norm, content='note', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='3');
"""
_INDEXES = """
CREATE INDEX label_compact ON label(compact);
CREATE INDEX label_norm ON label(norm, is_pref, links);
CREATE INDEX label_resource ON label(resource);
CREATE INDEX resource_kind ON resource(kind);
"""


def _lang(label) -> str | None:
    return getattr(label, "language", None) or None


def _display_rank(is_pref: bool, lang: str | None) -> int:
    """Which label names a resource in a result list: an English prefLabel, then any
    untagged prefLabel, then any prefLabel, then an altLabel."""
    if is_pref and lang and lang.lower().startswith("en"):
        return 0
    if is_pref and not lang:
        return 1
    if is_pref:
        return 2
    return 3


def collect_rows(rows: Iterable[Sequence], base: str = WCID_DEFAULT) -> tuple[dict[str, dict], list[tuple]]:
    """The resources (iri → label, kind, class, links) and labels ``(iri, text, norm,
    is_pref, lang)`` of index *rows* (see :func:`build_index`); the same rows give the same
    answer whatever their order (a full build and :mod:`graph.search_update` agree)."""
    resources: dict[str, dict] = {}
    labels: list[tuple[str, str, str, int, str | None]] = []
    seen: set[tuple[str, str, bool, str | None]] = set()
    for row in rows:
        iri, label, is_pref, class_iri = (row[0], row[1], row[2], row[3])
        links = row[4] if len(row) > 4 else None
        if iri is None or label is None:
            continue
        iri = str(iri)
        text = " ".join(str(label).split())
        if not text:
            continue
        pref = _truthy(is_pref)
        lang = _lang(label)
        res = resources.get(iri)
        if res is None:
            res = resources[iri] = {"label": text, "rank": 9, "class": None, "links": 0,
                                    "kind": kind_from_iri(iri, base)}
        if class_iri is not None:
            c = str(class_iri)
            if res["class"] is None or ("/ontology#" in c and "/ontology#" not in res["class"]):
                res["class"] = c
        if links is not None:
            res["links"] = max(res["links"], int(links))
        rank = _display_rank(pref, lang)
        if rank < res["rank"] or (rank == res["rank"] and text < res["label"]):
            res["rank"], res["label"] = rank, text
        key = (iri, text, pref, lang)
        if key in seen:
            continue
        seen.add(key)
        norm = fold(text)
        if norm:
            labels.append((iri, text, norm, int(pref), lang))
    return resources, labels


def build_index(rows: Iterable[Sequence], path: Path, *, base: str = WCID_DEFAULT,
                notes: Iterable[Sequence] = ()) -> int:
    """Write the label index for *rows* to *path* and return the number of labels indexed.

    Each row is ``(iri, label, is_pref, class_iri)`` or ``(iri, label, is_pref, class_iri,
    links)`` (see :func:`index_rows`); terms may be rdflib terms or strings,
    ``class_iri`` and ``links`` may be None. A resource with several classes keeps the
    first one in ``wc:``, else the first seen. The file is written beside *path* and
    renamed over it, so a reader never sees a half-built index. *notes* are
    ``(iri, text)`` descriptions, searched as a lower-ranked field (only of resources
    that have a label).
    """
    resources, labels = collect_rows(rows, base)
    with atomic_path(path) as tmp:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.executescript(_SCHEMA)
            ids = _insert_rows(con, resources, labels, notes)
            con.execute("INSERT INTO label_fts(label_fts) VALUES('rebuild')")
            con.execute("INSERT INTO skel_fts(skel_fts) VALUES('rebuild')")
            con.execute("INSERT INTO note_fts(note_fts) VALUES('rebuild')")
            con.execute("INSERT INTO label_fts(label_fts) VALUES('optimize')")
            con.executescript(_INDEXES)
            fill_short_prefix(con, {norm[:n] for _i, _t, norm, pref, _l in labels if pref
                                    for n in range(1, SHORT_PREFIX + 1) if len(norm) >= n})
            con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                            [("schema_version", str(SCHEMA_VERSION)), ("resources", str(len(ids))),
                             ("labels", str(len(labels))), ("base", base)])
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            con.commit()
            con.execute("ANALYZE")
            con.commit()
        finally:
            con.close()
    return len(labels)


def _insert_rows(con: sqlite3.Connection, resources: dict[str, dict], labels: list[tuple],
                 notes: Iterable[Sequence]) -> dict[str, int]:
    """The resource, label and note rows of a new index (its full-text tables not yet
    rebuilt); the resources' row ids by IRI."""
    ids: dict[str, int] = {}
    for i, iri in enumerate(resources, start=1):
        ids[iri] = i
    con.executemany(
        "INSERT INTO resource(id, iri, label, kind, class_iri, links) VALUES (?,?,?,?,?,?)",
        ((ids[iri], iri, r["label"], r["kind"], r["class"], r["links"]) for iri, r in resources.items()))

    def with_skeleton():
        for iri, text, norm, pref, lang in labels:
            skel = skeleton(text)
            yield (ids[iri], text, norm, pref, lang, resources[iri]["links"], skel, skel.replace(" ", ""))
    con.executemany(
        "INSERT INTO label(resource, text, norm, is_pref, lang, links, skel, compact) "
        "VALUES (?,?,?,?,?,?,?,?)", with_skeleton())
    note_seen: set[tuple[int, str]] = set()
    note_rows = []
    for note in notes:
        iri, text = str(note[0]), " ".join(str(note[1]).split())
        if iri in ids and text and (ids[iri], text) not in note_seen:
            note_seen.add((ids[iri], text))
            note_rows.append((ids[iri], text, fold(text)))
    con.executemany("INSERT INTO note(resource, text, norm) VALUES (?,?,?)", note_rows)
    return ids


def fill_short_prefix(con: sqlite3.Connection, prefixes: Iterable[str]) -> None:
    """(Re)write the short_prefix rows of *prefixes* (each 1..SHORT_PREFIX characters of a
    preferred label): its SHORT_PREFIX_KEEP best labels, the most linked resource first,
    then the shortest label, then by text and IRI (so that equal rows rank alike in a full
    and an incremental build)."""
    for prefix in sorted(set(prefixes)):
        con.execute("DELETE FROM short_prefix WHERE prefix = ?", (prefix,))
        ids = [r[0] for r in con.execute(
            "SELECT l.id FROM label l JOIN resource r ON r.id = l.resource "
            "WHERE l.norm >= ? AND l.norm < ? AND l.is_pref = 1 "
            "ORDER BY l.links DESC, length(l.norm), l.norm, r.iri, l.text, coalesce(l.lang, '') LIMIT ?",
            (prefix, prefix + MAX_CHAR, SHORT_PREFIX_KEEP))]
        con.executemany("INSERT INTO short_prefix(prefix, rank, label) VALUES (?, ?, ?)",
                        [(prefix, rank, label_id) for rank, label_id in enumerate(ids)])


def index_is_current(path: Path) -> bool:
    """True when *path* is an index this version of wckg reads (a build that finds the
    store up to date should still rebuild an index written by an older version)."""
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            return con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            con.close()
    except sqlite3.Error:
        return False


def build_index_from_backend(backend, path: Path, *, base: str = WCID_DEFAULT) -> int:
    """Build the index of everything in a store backend (embedded or remote)."""
    return build_index(index_rows(backend.select), path, base=base,
                       notes=((r["iri"], r["text"]) for r in backend.select(INDEX_QUERIES["notes"])))


def _truthy(v) -> bool:
    if isinstance(v, bool):
        return v
    if v is None:
        return False
    if hasattr(v, "toPython"):
        v = v.toPython()
        if isinstance(v, bool):
            return v
    return str(v).strip().lower() in ("1", "true", "yes")
