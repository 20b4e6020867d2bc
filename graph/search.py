"""The label index: SQLite FTS5 over every resource's labels, built with the store.

Why a separate index: a SPARQL ``CONTAINS(LCASE(?label))`` scan costs 0.6–0.8 s at 1 M
triples on disk (measured-facts.md), far too slow for autocomplete. FTS5 answers a
prefix query from its own index in about a millisecond.

Layout of the index file (one SQLite database, replaced atomically on every build)::

    resource(id, iri, label, kind, class_iri, links)   one row per resource
    label(id, resource, text, norm, is_pref, lang)     every prefLabel / altLabel
    label_fts(norm)                                     FTS5 over label.norm
    meta(key, value)                                    schema version, counts

``norm`` is the label folded for matching: Unicode NFKD with combining marks removed,
case-folded, every run of non-alphanumerics turned into one space ("Nur-Sultan" →
"nur sultan", "Ministère" → "ministere"). The same function folds the user's query, so
matching does not depend on how a tokenizer treats a script; the FTS5 tokenizer is still
``unicode61 remove_diacritics 2`` for whatever the folding leaves.

Ranking (:meth:`SearchIndex.search`), best first:

1. the whole query equals a label or acronym ("EDB", "undp", "astana");
2. the query is the beginning of a preferred label ("eurasian dev");
3. every query word matches a word of a label (the last one as a prefix), by bm25;
4. the same on the labels' *skeletons* (:func:`skeleton`): spelling-blind and
   script-blind, so "Tokaev" finds Tokayev, "kazvodhoz" Kazvodkhoz, "Казахстан"
   Kazakhstan, and "nursultan" (spaces ignored) Nur-Sultan;
5. every query word in a description (``skos:definition``, ``skos:note``,
   ``rdfs:comment``, ``dcterms:description``): "Spanish" finds the company described
   as Spanish;
6. when nothing above matched, typo tolerance: every query word close (rapidfuzz ratio)
   to a word of a label's skeleton ("Tokayv", "Kazvdkhoz").

Within each tier, resources with more links in the graph come first (a gentle
``log(1 + links)`` boost), so the well-connected UNDP outranks an obscure namesake.

User input never reaches the FTS5 query language: the query is folded to words of
letters and digits, each word is quoted, so ``"*(``, ``NEAR`` or ``a OR b`` are searched
as text, and a query of only punctuation returns nothing.
"""
from __future__ import annotations

import functools
import math
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError
from .namespaces import KINDS, WCID_DEFAULT, sparql_prologue

SCHEMA_VERSION = 4
#: Smallest rapidfuzz ratio (0-100) of a query word to a label word in the typo tier.
FUZZY_CUTOFF = 75
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


_WORD = re.compile(r"\w+", re.UNICODE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
#: The largest code point: ``norm < prefix || MAX`` bounds a prefix range on an index.
_MAX_CHAR = "\U0010ffff"


_SKELETON_RULES = [(re.compile(a), b) for a, b in (
    (r"q", "k"), (r"gh", "g"), (r"kh", "h"), (r"dzh|dj|zh", "j"), (r"w", "v"), (r"ph", "f"), (r"ck", "k"),
    (r"\bye", "e"), (r"(?<=[aeiou])y(?=[aeiou])", ""), (r"iy\b", "i"), (r"y", "i"), (r"(.)\1+", r"\1"),
)]


def skeleton(text: str) -> str:
    """*text* reduced so that spellings of one name in Latin or Cyrillic (Russian,
    Kazakh) meet: folded (:func:`fold`), transliterated to ASCII (anyascii), and the
    variants of romanisation merged (kh/h, zh/j, q/k, y/i, -ayev/-aev, doubled letters):
    "Tokayev", "Tokaev" and "Токаев" → "tokaev"; "Kazvodkhoz" → "kazvodhoz"."""
    out = (_skeleton_word(w) for w in str(text).split())
    return " ".join(w for w in out if w)


@functools.lru_cache(maxsize=200_000)
def _skeleton_word(word: str) -> str:
    """:func:`skeleton` of one whitespace-separated word (labels share most of their words,
    so the work is done once per distinct word)."""
    from anyascii import anyascii
    out = []
    for w in fold(anyascii(unicodedata.normalize("NFC", word))).split():
        for pattern, repl in _SKELETON_RULES:
            w = pattern.sub(repl, w)
        out.append(w)
    return " ".join(w for w in out if w)


def fold(text: str) -> str:
    """A label or query folded for matching: no accents, case-folded, words separated by
    single spaces (``"  Nur-Sultan!"`` → ``"nur sultan"``)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def fts_query(text: str, *, prefix_last: bool = True) -> str | None:
    """The FTS5 MATCH expression for a user's query: every word quoted (so no word is
    read as an operator), all words required, the last one as a prefix. None when the
    query holds no word at all."""
    words = _WORD.findall(fold(text))
    if not words:
        return None
    parts = [f'"{w}"' for w in words]
    # A one-letter prefix matches a large share of the index and has no prefix index of
    # its own (prefix='2 3 4'); exact-label and label-prefix tiers cover that case.
    if prefix_last and len(words[-1]) >= 2:
        parts[-1] += "*"
    return " ".join(parts)


def kind_from_iri(iri: str, base: str = WCID_DEFAULT) -> str | None:
    """The identifier kind (``organisation``, ``event``...) of an IRI under *base*;
    ``class`` for an ontology term; None otherwise."""
    if iri.startswith(base):
        kind = iri[len(base):].split("/", 1)[0]
        return kind if kind in KINDS else None
    if "/ontology#" in iri or iri.startswith("http://www.w3.org/") or iri.startswith("https://schema.org/"):
        return "class"
    return None


@dataclass(frozen=True)
class Hit:
    """One resource found: its display label, the label that matched (an acronym, a
    former name...), its identifier kind, most specific class, and a score (higher is
    better; comparable within one result list only)."""

    iri: str
    label: str
    matched: str
    kind: str | None
    score: float
    class_iri: str | None = None
    links: int = 0

    def to_json(self) -> dict:
        return {"iri": self.iri, "label": self.label, "matched": self.matched, "kind": self.kind,
                "class": self.class_iri, "score": round(self.score, 4)}


# --- building --------------------------------------------------------------------------

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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    resources, labels = collect_rows(rows, base)

    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA journal_mode=OFF")
            con.execute("PRAGMA synchronous=OFF")
            con.executescript(_SCHEMA)
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
            con.execute("INSERT INTO label_fts(label_fts) VALUES('rebuild')")
            con.execute("INSERT INTO skel_fts(skel_fts) VALUES('rebuild')")
            con.execute("INSERT INTO note_fts(note_fts) VALUES('rebuild')")
            con.execute("INSERT INTO label_fts(label_fts) VALUES('optimize')")
            con.executescript(_INDEXES)
            fill_short_prefix(con, {norm[:n] for _i, _t, norm, pref, _l in labels if pref
                                    for n in range(1, SHORT_PREFIX + 1) if len(norm) >= n})
            con.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                            [("schema_version", str(SCHEMA_VERSION)), ("resources", str(len(resources))),
                             ("labels", str(len(labels))), ("base", base)])
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            con.commit()
            con.execute("ANALYZE")
            con.commit()
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(labels)


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
            (prefix, prefix + _MAX_CHAR, SHORT_PREFIX_KEEP))]
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


# --- searching -------------------------------------------------------------------------

class SearchIndex:
    """Read-only access to an index file. Safe to share between threads (each thread
    gets its own connection); picks up a rebuilt file on the next search."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._fuzzy_cache: tuple[tuple, list[tuple[str, int, str]]] | None = None
        self._vocab_cache: tuple[tuple, list[str], dict[str, list[int]]] | None = None
        self._lock = threading.Lock()
        self._connect()  # fail now, with a clear message, when there is no usable index

    # connections ---------------------------------------------------------------------
    def _stamp(self) -> tuple:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise StoreError(f"no search index at {self.path}",
                             hint="run `wckg build` to build the store and its search index") from None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _connect(self) -> sqlite3.Connection:
        stamp = self._stamp()
        con = getattr(self._local, "con", None)
        if con is not None and self._local.stamp == stamp:
            return con
        if con is not None:
            con.close()
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            version = con.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path} is not a readable search index ({e})",
                             hint="run `wckg build` to rebuild it") from None
        if version != SCHEMA_VERSION:
            con.close()
            raise StoreError(f"{self.path}: search index schema {version}, this version of wckg reads {SCHEMA_VERSION}",
                             hint="run `wckg build` to rebuild it")
        self._local.con, self._local.stamp = con, stamp
        return con

    def stats(self) -> dict[str, str]:
        return dict(self._connect().execute("SELECT key, value FROM meta").fetchall())

    # search --------------------------------------------------------------------------
    def search(self, q: str, limit: int = 10, kinds: Iterable[str] | None = None) -> list[Hit]:
        """Resources whose labels match *q*, best first, at most *limit*, one hit per
        resource. *kinds* restricts to identifier kinds (``organisation``, ``class``...)."""
        norm = fold(q or "")
        if not norm or limit <= 0:
            return []
        limit = min(int(limit), 100)
        kinds = [k for k in (kinds or []) if k]
        con = self._connect()
        kind_sql, kind_args = "", []
        if kinds:
            kind_sql = " AND r.kind IN (%s)" % ",".join("?" * len(kinds))
            kind_args = list(kinds)

        best: dict[int, tuple[float, str, tuple]] = {}   # resource id → (score, matched, resource row)

        def offer(score: float, matched: str, row: tuple) -> None:
            rid = row[0]
            if rid not in best or best[rid][0] < score:
                best[rid] = (score, matched, row)

        cols = "r.id, r.iri, r.label, r.kind, r.class_iri, r.links"
        # Tier 1: the whole query is a label (acronyms are altLabels, so "EDB" lands here).
        for row in con.execute(
                f"SELECT {cols}, l.text, l.is_pref FROM label l JOIN resource r ON r.id = l.resource "
                f"WHERE l.norm = ?{kind_sql} ORDER BY r.links DESC LIMIT ?", [norm, *kind_args, limit]):
            offer(3.0 + 0.05 * row[7] + _boost(row[5]), row[6], row[:6])
        # Tier 2: the query begins a preferred label; most linked, then shorter labels first.
        if len(best) < limit and len(norm) <= SHORT_PREFIX and not kinds:
            for row in con.execute(
                    f"SELECT {cols}, l.text, length(l.norm) FROM short_prefix sp JOIN label l ON l.id = sp.label "
                    f"JOIN resource r ON r.id = l.resource WHERE sp.prefix = ? AND l.norm != ? ORDER BY sp.rank LIMIT ?",
                    [norm, norm, limit * 3]):
                offer(2.0 + _boost(row[5]) + 0.1 / (1 + row[7] - len(norm)), row[6], row[:6])
        elif len(best) < limit:
            # the best label ids from the covering index (norm, is_pref, links) alone, then
            # their rows: a common prefix spans thousands of labels
            if kinds:
                ids = [r[0] for r in con.execute(
                    f"SELECT l.id FROM label l JOIN resource r ON r.id = l.resource "
                    f"WHERE l.norm > ? AND l.norm < ? AND l.is_pref = 1{kind_sql} "
                    f"ORDER BY l.links DESC, length(l.norm) LIMIT ?",
                    [norm, norm + _MAX_CHAR, *kind_args, limit * 3])]
            else:
                ids = [r[0] for r in con.execute(
                    "SELECT id FROM label INDEXED BY label_norm WHERE norm > ? AND norm < ? AND is_pref = 1 "
                    "ORDER BY links DESC, length(norm) LIMIT ?", [norm, norm + _MAX_CHAR, limit * 3])]
            for row in con.execute(
                    f"SELECT {cols}, l.text, length(l.norm) FROM label l JOIN resource r ON r.id = l.resource "
                    f"WHERE l.id IN ({','.join('?' * len(ids))})", ids):
                offer(2.0 + _boost(row[5]) + 0.1 / (1 + row[7] - len(norm)), row[6], row[:6])
        # Tier 3: every word matches (the last as a prefix), ranked by bm25 and links. Not for
        # one or two characters: they match inside too many labels to mean anything.
        if len(best) < limit and len(norm) > SHORT_PREFIX:
            match = fts_query(q)
            if match:
                rows = con.execute(
                    f"SELECT {cols}, l.text, bm25(label_fts) AS s FROM label_fts "
                    f"JOIN label l ON l.id = label_fts.rowid JOIN resource r ON r.id = l.resource "
                    f"WHERE label_fts MATCH ?{kind_sql} ORDER BY s LIMIT ?",
                    [match, *kind_args, limit * 5]).fetchall()
                for row in rows:
                    # bm25() is negative, smaller is better; map to (0, 1).
                    relevance = -row[7] / (1.0 - row[7])
                    offer(relevance * (1 + _boost(row[5])) / 2, row[6], row[:6])
        # Tier 4: spelling- and script-blind (skeletons): the whole query run together
        # equals or begins a label ("nursultan"), or every word matches a skeleton word.
        skel = skeleton(q)
        if len(best) < limit and len(skel.replace(" ", "")) > SHORT_PREFIX:
            compact = skel.replace(" ", "")
            for row in con.execute(
                    f"SELECT {cols}, l.text, l.compact FROM label l JOIN resource r ON r.id = l.resource "
                    f"WHERE l.compact >= ? AND l.compact < ?{kind_sql} ORDER BY r.links DESC LIMIT ?",
                    [compact, compact + _MAX_CHAR, *kind_args, limit * 3]):
                exact = row[7] == compact
                offer((1.9 if exact else 1.5) + _boost(row[5]), row[6], row[:6])
            match = fts_query(skel)
            if match and len(best) < limit:
                for row in con.execute(
                        f"SELECT {cols}, l.text, bm25(skel_fts) AS s FROM skel_fts "
                        f"JOIN label l ON l.id = skel_fts.rowid JOIN resource r ON r.id = l.resource "
                        f"WHERE skel_fts MATCH ?{kind_sql} ORDER BY s LIMIT ?",
                        [match, *kind_args, limit * 5]):
                    relevance = -row[7] / (1.0 - row[7])
                    offer(0.8 * relevance * (1 + _boost(row[5])) / 2, row[6], row[:6])
        # Tier 5: the words in a description, well below any label match.
        if len(best) < limit and len(norm) > SHORT_PREFIX:
            match = fts_query(q)
            if match:
                for row in con.execute(
                        f"SELECT {cols}, n.text, bm25(note_fts) AS s FROM note_fts "
                        f"JOIN note n ON n.id = note_fts.rowid JOIN resource r ON r.id = n.resource "
                        f"WHERE note_fts MATCH ?{kind_sql} ORDER BY s LIMIT ?",
                        [match, *kind_args, limit * 5]):
                    relevance = -row[7] / (1.0 - row[7])
                    offer(0.3 * relevance * (1 + _boost(row[5])) / 2, _excerpt(row[6], norm), row[:6])
        # Tier 6: typos, only when nothing matched otherwise.
        if not best and len(skel.replace(" ", "")) >= 4:
            for score, label_id in self._fuzzy_labels(con, skel, limit * 3):
                row = con.execute(f"SELECT {cols}, l.text FROM label l JOIN resource r ON r.id = l.resource "
                                  f"WHERE l.id = ?{kind_sql}", [label_id, *kind_args]).fetchone()
                if row is not None:
                    offer(0.25 * score + 0.05 * _boost(row[5]), row[6], row[:6])
        ranked = sorted(best.values(), key=lambda t: (-t[0], t[2][2].casefold()))[:limit]
        return [Hit(iri=r[1], label=r[2], matched=m, kind=r[3], score=s, class_iri=r[4], links=r[5])
                for s, m, r in ranked]

    def suggest(self, text: str, limit: int = 5, kinds: Iterable[str] | None = None) -> list[Hit]:
        """Resources with labels close to *text*: the search hits, else near spellings
        (for a 404 page: ``/id/organisation/undpp`` suggests UNDP). Slug hyphens count as
        spaces."""
        text = (text or "").replace("-", " ")
        hits = self.search(text, limit=limit, kinds=kinds)
        if len(hits) >= limit or not fold(text):
            return hits
        from rapidfuzz import fuzz, process

        con = self._connect()
        choices = self._fuzzy_choices(con)
        have = {h.iri for h in hits}
        kinds = set(kinds or [])
        # Whole-string similarity (a typo: "undpp" → "undp") and word-set similarity (a
        # shortened or reordered name); WRatio's partial matching would rate the acronym "UN"
        # as close to "undpp" as "UNDP" is.
        names = [c[0] for c in choices]
        query = fold(text)
        scores: dict[int, float] = {}
        for scorer, weight, cutoff in ((fuzz.QRatio, 1.0, 70), (fuzz.token_set_ratio, 0.95, 80)):
            for _, score, idx in process.extract(query, names, scorer=scorer, limit=limit * 4, score_cutoff=cutoff):
                scores[idx] = max(scores.get(idx, 0.0), score * weight)
        found = sorted(((idx, sc) for idx, sc in scores.items()), key=lambda t: -t[1])
        for idx, score in found:
            rid = choices[idx][1]
            r = con.execute("SELECT r.iri, r.label, r.kind, r.class_iri, r.links, ? FROM resource r WHERE r.id = ?",
                            (choices[idx][2], rid)).fetchone()
            if r is None or r[0] in have or (kinds and r[2] not in kinds):
                continue
            have.add(r[0])
            hits.append(Hit(iri=r[0], label=r[1], matched=r[5], kind=r[2], score=score / 100.0,
                            class_iri=r[3], links=r[4]))
            if len(hits) >= limit:
                break
        return hits

    def _fuzzy_labels(self, con, skel: str, limit: int) -> list[tuple[float, int]]:
        """(score in 0..1, label id) of labels whose skeleton has, for every query word of
        three letters or more, a word within :data:`FUZZY_CUTOFF` of it; best first."""
        from rapidfuzz import fuzz, process

        words, postings = self._vocabulary(con)
        qwords = [w for w in skel.split() if len(w) >= 3] or skel.split()
        if all(w in postings for w in qwords):
            return []  # no word to correct: the exact tiers found what there is
        per_label: dict[int, list[float]] = {}
        for i, qw in enumerate(qwords):
            found: dict[int, float] = {}
            for _, score, idx in process.extract(qw, words, scorer=fuzz.ratio, limit=50,
                                                 score_cutoff=FUZZY_CUTOFF):
                for label_id in postings[words[idx]]:
                    found[label_id] = max(found.get(label_id, 0.0), score)
            if i == 0:
                per_label = {k: [v] for k, v in found.items()}
            else:
                per_label = {k: v + [found[k]] for k, v in per_label.items() if k in found}
            if not per_label:
                return []
        # among labels whose words all match, those closest to the query as a whole first
        # ("unpd" → the altLabel "UNDP" before long titles that contain "UNDP")
        import heapq
        top = heapq.nlargest(max(limit * 5, 50), ((sum(v) / len(v), k) for k, v in per_label.items()))
        whole = dict(con.execute(
            f"SELECT id, skel FROM label WHERE id IN ({','.join('?' * len(top))})", [k for _, k in top]).fetchall())
        ranked = sorted(((mean * 0.8 + 0.2 * fuzz.ratio(skel, whole.get(k, ""))) / 100.0, k) for mean, k in top)
        ranked.reverse()
        return ranked[:limit]

    def _vocabulary(self, con) -> tuple[list[str], dict[str, list[int]]]:
        """The distinct words of the label skeletons and the labels holding each (cached
        per index file)."""
        stamp = self._stamp()
        with self._lock:
            if self._vocab_cache is None or self._vocab_cache[0] != stamp:
                postings: dict[str, list[int]] = defaultdict(list)
                for label_id, skel in con.execute("SELECT id, skel FROM label"):
                    for w in set(skel.split()):
                        postings[w].append(label_id)
                self._vocab_cache = (stamp, list(postings), dict(postings))
            return self._vocab_cache[1], self._vocab_cache[2]

    def _fuzzy_choices(self, con) -> list[tuple[str, int, str]]:
        stamp = self._stamp()
        with self._lock:
            if self._fuzzy_cache is None or self._fuzzy_cache[0] != stamp:
                rows = con.execute("SELECT norm, resource, text FROM label").fetchall()
                self._fuzzy_cache = (stamp, rows)
            return self._fuzzy_cache[1]

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


def _excerpt(text: str, norm_query: str, width: int = 80) -> str:
    """A short piece of description *text* around the first query word."""
    words = norm_query.split()
    folded = fold(text)
    if len(text) <= width or not words:
        return text if len(text) <= width else text[:width - 1] + "…"
    # fold() keeps lengths close enough for a window; find the word in the folded text
    at = folded.find(words[0])
    start = max(0, min(at - width // 3, len(text) - width)) if at >= 0 else 0
    piece = text[start:start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(text) else "")


def _boost(links: int) -> float:
    # Capped below 1 so that links reorder hits within a tier but never across tiers.
    return min(0.9, 0.1 * math.log1p(max(links or 0, 0)))


__all__ = ["INDEX_QUERIES", "index_rows", "Hit", "SearchIndex", "build_index", "build_index_from_backend", "index_is_current",
           "fold", "fts_query", "kind_from_iri", "skeleton", "SCHEMA_VERSION"]
