"""Searching the label index: :class:`SearchIndex` ranks the resources whose labels match
a query, tier by tier (the package docstring lists the tiers), and suggests near spellings."""
from __future__ import annotations

import math
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError
from .index import SCHEMA_VERSION, SHORT_PREFIX
from .text import MAX_CHAR, fold, fts_query, skeleton

#: Smallest rapidfuzz ratio (0-100) of a query word to a label word in the typo tier.
FUZZY_CUTOFF = 75


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
        resource. *kinds* restricts to identifier kinds (``organisation``, ``class``...).
        The tiers (the package docstring) run in turn until *limit* resources are found."""
        norm = fold(q or "")
        if not norm or limit <= 0:
            return []
        con = self._connect()
        r = _Ranking(con, norm, min(int(limit), 100), [k for k in (kinds or []) if k])
        r.exact_label()
        if r.wanting():
            r.label_prefix()
        if r.wanting() and len(norm) > SHORT_PREFIX:
            r.every_word(q)
        skel = skeleton(q)
        if r.wanting() and len(skel.replace(" ", "")) > SHORT_PREFIX:
            r.skeletons(skel)
        if r.wanting() and len(norm) > SHORT_PREFIX:
            r.descriptions(q)
        if not r.best and len(skel.replace(" ", "")) >= 4:
            r.typos(self._fuzzy_labels(con, skel, r.limit * 3))
        return r.hits()

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


#: The resource columns every tier selects first (a hit's ``row[:6]``).
_COLS = "r.id, r.iri, r.label, r.kind, r.class_iri, r.links"


class _Ranking:
    """The hits of one query as the tiers of :meth:`SearchIndex.search` find them: each
    tier offers (score, matched text, resource row), a resource keeps its best offer."""

    def __init__(self, con: sqlite3.Connection, norm: str, limit: int, kinds: list[str]):
        self.con, self.norm, self.limit, self.kinds = con, norm, limit, kinds
        self.kind_sql, self.kind_args = "", list(kinds)
        if kinds:
            self.kind_sql = " AND r.kind IN (%s)" % ",".join("?" * len(kinds))
        self.best: dict[int, tuple[float, str, tuple]] = {}   # resource id → (score, matched, resource row)

    def offer(self, score: float, matched: str, row: tuple) -> None:
        rid = row[0]
        if rid not in self.best or self.best[rid][0] < score:
            self.best[rid] = (score, matched, row)

    def wanting(self) -> bool:
        """Whether fewer than *limit* resources are found yet."""
        return len(self.best) < self.limit

    def hits(self) -> list[Hit]:
        ranked = sorted(self.best.values(), key=lambda t: (-t[0], t[2][2].casefold()))[:self.limit]
        return [Hit(iri=r[1], label=r[2], matched=m, kind=r[3], score=s, class_iri=r[4], links=r[5])
                for s, m, r in ranked]

    def exact_label(self) -> None:
        """Tier 1: the whole query is a label (acronyms are altLabels, so "EDB" lands here)."""
        for row in self.con.execute(
                f"SELECT {_COLS}, l.text, l.is_pref FROM label l JOIN resource r ON r.id = l.resource "
                f"WHERE l.norm = ?{self.kind_sql} ORDER BY r.links DESC LIMIT ?",
                [self.norm, *self.kind_args, self.limit]):
            self.offer(3.0 + 0.05 * row[7] + _boost(row[5]), row[6], row[:6])

    def label_prefix(self) -> None:
        """Tier 2: the query begins a preferred label; most linked, then shorter labels first."""
        norm, limit = self.norm, self.limit
        if len(norm) <= SHORT_PREFIX and not self.kinds:
            rows = self.con.execute(
                f"SELECT {_COLS}, l.text, length(l.norm) FROM short_prefix sp JOIN label l ON l.id = sp.label "
                f"JOIN resource r ON r.id = l.resource WHERE sp.prefix = ? AND l.norm != ? ORDER BY sp.rank LIMIT ?",
                [norm, norm, limit * 3])
        else:
            # the best label ids from the covering index (norm, is_pref, links) alone, then
            # their rows: a common prefix spans thousands of labels
            if self.kinds:
                ids = [r[0] for r in self.con.execute(
                    f"SELECT l.id FROM label l JOIN resource r ON r.id = l.resource "
                    f"WHERE l.norm > ? AND l.norm < ? AND l.is_pref = 1{self.kind_sql} "
                    f"ORDER BY l.links DESC, length(l.norm) LIMIT ?",
                    [norm, norm + MAX_CHAR, *self.kind_args, limit * 3])]
            else:
                ids = [r[0] for r in self.con.execute(
                    "SELECT id FROM label INDEXED BY label_norm WHERE norm > ? AND norm < ? AND is_pref = 1 "
                    "ORDER BY links DESC, length(norm) LIMIT ?", [norm, norm + MAX_CHAR, limit * 3])]
            rows = self.con.execute(
                f"SELECT {_COLS}, l.text, length(l.norm) FROM label l JOIN resource r ON r.id = l.resource "
                f"WHERE l.id IN ({','.join('?' * len(ids))})", ids)
        for row in rows:
            self.offer(2.0 + _boost(row[5]) + 0.1 / (1 + row[7] - len(norm)), row[6], row[:6])

    def _fts(self, table: str, join: str, match: str) -> list[tuple]:
        """Rows of an FTS5 *table* matching *match*, best bm25 first: the resource columns,
        the matched text, and bm25 (negative, smaller is better)."""
        return self.con.execute(
            f"SELECT {_COLS}, {join}.text, bm25({table}) AS s FROM {table} {_JOINS[table]} "
            f"WHERE {table} MATCH ?{self.kind_sql} ORDER BY s LIMIT ?",
            [match, *self.kind_args, self.limit * 5]).fetchall()

    def every_word(self, q: str) -> None:
        """Tier 3: every word matches (the last as a prefix), ranked by bm25 and links. Not for
        one or two characters: they match inside too many labels to mean anything."""
        match = fts_query(q)
        if match:
            for row in self._fts("label_fts", "l", match):
                self.offer(_relevance(row[7]) * (1 + _boost(row[5])) / 2, row[6], row[:6])

    def skeletons(self, skel: str) -> None:
        """Tier 4: spelling- and script-blind (skeletons): the whole query run together
        equals or begins a label ("nursultan"), or every word matches a skeleton word."""
        compact = skel.replace(" ", "")
        for row in self.con.execute(
                f"SELECT {_COLS}, l.text, l.compact FROM label l JOIN resource r ON r.id = l.resource "
                f"WHERE l.compact >= ? AND l.compact < ?{self.kind_sql} ORDER BY r.links DESC LIMIT ?",
                [compact, compact + MAX_CHAR, *self.kind_args, self.limit * 3]):
            exact = row[7] == compact
            self.offer((1.9 if exact else 1.5) + _boost(row[5]), row[6], row[:6])
        match = fts_query(skel)
        if match and self.wanting():
            for row in self._fts("skel_fts", "l", match):
                self.offer(0.8 * _relevance(row[7]) * (1 + _boost(row[5])) / 2, row[6], row[:6])

    def descriptions(self, q: str) -> None:
        """Tier 5: the words in a description, well below any label match."""
        match = fts_query(q)
        if match:
            for row in self._fts("note_fts", "n", match):
                self.offer(0.3 * _relevance(row[7]) * (1 + _boost(row[5])) / 2, _excerpt(row[6], self.norm), row[:6])

    def typos(self, labels: list[tuple[float, int]]) -> None:
        """Tier 6, when nothing matched otherwise: labels close to the query's words
        (:meth:`SearchIndex._fuzzy_labels`)."""
        for score, label_id in labels:
            row = self.con.execute(f"SELECT {_COLS}, l.text FROM label l JOIN resource r ON r.id = l.resource "
                                   f"WHERE l.id = ?{self.kind_sql}", [label_id, *self.kind_args]).fetchone()
            if row is not None:
                self.offer(0.25 * score + 0.05 * _boost(row[5]), row[6], row[:6])


#: How each FTS5 table reaches the resource of a row.
_JOINS = {
    "label_fts": "JOIN label l ON l.id = label_fts.rowid JOIN resource r ON r.id = l.resource",
    "skel_fts": "JOIN label l ON l.id = skel_fts.rowid JOIN resource r ON r.id = l.resource",
    "note_fts": "JOIN note n ON n.id = note_fts.rowid JOIN resource r ON r.id = n.resource",
}


def _relevance(bm25: float) -> float:
    """bm25() is negative, smaller is better; mapped to (0, 1)."""
    return -bm25 / (1.0 - bm25)


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
