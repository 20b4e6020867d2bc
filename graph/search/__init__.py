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

The package: :mod:`.text` (folding, skeletons, the FTS5 query of a user's text),
:mod:`.index` (the rows the build reads from the store, and the index file written from
them), :mod:`.query` (:class:`SearchIndex`: the tiers above, :class:`Hit`). The index of a
rebuild is updated by :mod:`graph.search_update`.
"""
from __future__ import annotations

from .index import (INDEX_QUERIES, SCHEMA_VERSION, SHORT_PREFIX, SHORT_PREFIX_KEEP, build_index,
                    build_index_from_backend, collect_rows, fill_short_prefix, index_is_current, index_rows,
                    restricted)
from .query import FUZZY_CUTOFF, Hit, SearchIndex
from .text import fold, fts_query, kind_from_iri, skeleton

__all__ = ["INDEX_QUERIES", "index_rows", "Hit", "SearchIndex", "build_index", "build_index_from_backend", "index_is_current",
           "fold", "fts_query", "kind_from_iri", "skeleton", "SCHEMA_VERSION", "SHORT_PREFIX", "SHORT_PREFIX_KEEP",
           "FUZZY_CUTOFF", "collect_rows", "fill_short_prefix", "restricted"]
