"""The sentence behind a link: for an activity and its two ends, a quote or sentence of the
graph that names both (:class:`_SentenceFinder`), names matched case-, accent- and
punctuation-insensitively (:func:`normalise_text`)."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable


from .data import GraphData


# --------------------------------------------------------------------------------------
# the sentence behind a link
# --------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
                         "\u00a0": " "})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_text(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form for finding a name in a sentence:
    ``" ministry of water "``-style, padded with spaces so that a name matches whole words."""
    t = str(text).translate(_QUOTES)
    if not t.isascii():  # (ASCII has nothing to decompose or strip: most sentences, fast)
        import unicodedata
        t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    return " " + _NON_WORD.sub(" ", t.casefold()).strip() + " "


def names_in(text_norm: str, names: Iterable[str]) -> bool:
    """Whether the normalised sentence *text_norm* contains one of *names* (normalised)."""
    return any(n in text_norm for n in names if len(n) > 3)


class _SentenceFinder:
    """For an activity and two sets of agents, the first sentence that names one of each:
    first the quotes of the activity's statements (``wc:StatementEvidence``), then its
    ``wc:evidence`` sentences. Caches per activity, so each sentence is normalised once."""

    def __init__(self, data: GraphData):
        self.data = data
        self._candidates: dict[str, list[tuple[str, str]]] = {}
        self._names: dict[tuple[str, str], tuple[str, ...]] = {}
        self._agent_names: dict[str, frozenset[str]] = {}
        self._hits: dict[tuple[str, str], frozenset[int]] = {}
        self._by_subject: defaultdict[str, list[tuple[tuple[str, str], tuple[str, ...]]]] | None = None
        self._chairs: defaultdict[str, list[str]] | None = None

    def candidates(self, act: str) -> list[tuple[str, str]]:
        c = self._candidates.get(act)
        if c is None:
            texts: list[str] = []
            for _pair, qs in self._statement_quotes(act):
                texts.extend(qs)
            texts.extend(self.data.sentences.get(act, ()))
            seen: set[str] = set()
            c = []
            for t in texts:
                if t not in seen:
                    seen.add(t)
                    c.append((t, normalise_text(t)))
            self._candidates[act] = c
        return c

    def _statement_quotes(self, act: str):
        idx = self._by_subject
        if idx is None:
            idx = self._by_subject = defaultdict(list)
            for key, qs in sorted(self.data.statement_quotes.items()):
                idx[key[0]].append((key, qs))
        return idx.get(act, [])

    def names(self, act: str, agent: str) -> tuple[str, ...]:
        key = (act, agent)
        n = self._names.get(key)
        if n is None:
            own = self._agent_names.get(agent)
            if own is None:  # (an agent's own names, normalised once for all its activities)
                g = self.data.agents.get(agent)
                own = self._agent_names[agent] = frozenset(
                    normalise_text(x) for x in ([g.label, *g.alt_labels] if g is not None else []) if x)
            mentions = self.data.mentions.get(key, ())
            n = self._names[key] = tuple(sorted(own | {normalise_text(x) for x in mentions if x}))
        return n

    def hits(self, act: str, agent: str) -> frozenset[int]:
        key = (act, agent)
        h = self._hits.get(key)
        if h is None:
            names = self.names(act, agent)
            h = self._hits[key] = frozenset(i for i, (_t, norm) in enumerate(self.candidates(act))
                                            if names_in(norm, names))
        return h

    def statement_quote(self, act: str, agents: Iterable[str], roles: Iterable[str] = ()) -> str | None:
        """The first quote of a statement of *act* about one of *agents* (the validator
        checks that such a quote names its object). An organisation that takes part only
        as the chair's organisation (an inferred role) is shown by the quote about the
        chair."""
        for x in sorted(agents):
            qs = self.data.statement_quotes.get((act, x))
            if qs:
                return qs[0]
        if "chair-organisation" in set(roles):
            chairs = self._chairs
            if chairs is None:
                chairs = self._chairs = defaultdict(list)
                for a, role, agent in self.data.incidences:
                    if role == "chair":
                        chairs[a].append(agent)
            for person in sorted(chairs.get(act, ())):
                qs = self.data.statement_quotes.get((act, person))
                if qs:
                    return qs[0]
        return None

    def sentence(self, act: str, us: Iterable[str], vs: Iterable[str]) -> str | None:
        hu: set[int] = set()
        for u in us:
            hu |= self.hits(act, u)
        if not hu:
            return None
        hv: set[int] = set()
        for v in vs:
            hv |= self.hits(act, v)
        both = hu & hv
        return self.candidates(act)[min(both)][0] if both else None
