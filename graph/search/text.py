"""Text for matching: labels and queries folded (:func:`fold`), their spelling- and
script-blind skeletons (:func:`skeleton`), the FTS5 query of a user's text
(:func:`fts_query`), and the identifier kind of an IRI."""
from __future__ import annotations

import functools
import re
import unicodedata

from ..namespaces import KINDS, WCID_DEFAULT

_WORD = re.compile(r"\w+", re.UNICODE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
#: The largest code point: ``norm < prefix || MAX`` bounds a prefix range on an index.
MAX_CHAR = "\U0010ffff"


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
