"""Stage 2, mentions: the names an article uses, with their kind and character offsets.

Three passes over the segmented article:

1. **discovery** (headlines excluded): runs of capitalised tokens are cut into names and
   classed by their head word (``Ministry``, ``Commission``, ``Fund`` → organisation;
   ``Programme``, ``Project``, ``Initiative`` → programme; ``Strategy``, ``Code``,
   ``Protocol`` → policy document; ``Basin``, ``Sea`` → basin); ``Name (ACR)`` defines an
   acronym; items of a list introduced by "the following organizations:" are organisations;
   "the working group of X", "X in Kazakhstan" (a country office) are organisations too;
2. **matching**: the article's own names, the gazetteer's labels and acronyms (spaCy
   ``PhraseMatcher``, acronyms case-sensitive) and places are matched everywhere, the
   longest match winning;
3. **people**: spaCy ``Matcher`` patterns for an honorific or a post before a name
   (``Mr.``, ``Ambassador``, ``Executive Secretary``), a name after "said", and
   "post, Name" / "Name, post" appositions; the post phrase is kept.

Anaphora that name an organisation by its head ("the Ministry", "the Commission") are
resolved to the latest organisation of that head.
"""
from __future__ import annotations

import re

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from .gazetteer import DEMONYMS, Gazetteer, is_acronym, norm
from .mention_names import NameDiscovery
from .mention_people import PeopleFinder
from .mention_vocab import (HONORIFICS, Mention, Name, ORDINALS, _nucleus_len, _sentence_index, _text, acronym_fits, head_kind)
from .segment import Sentence


class MentionFinder(NameDiscovery, PeopleFinder):
    """Finds mentions; holds the gazetteer's PhraseMatchers (built once per gazetteer)."""

    def __init__(self, gazetteer: Gazetteer, vocab):
        self.gaz = gazetteer
        self.vocab = vocab
        self.person_matcher = Matcher(vocab)
        name_tok = {"IS_TITLE": True, "IS_ALPHA": True}
        initial = {"TEXT": {"REGEX": r"^([A-Z]\.){1,3}$"}}
        self.person_matcher.add("HON", [[{"LOWER": {"IN": sorted(HONORIFICS)}}, name_tok, name_tok],
                                        [{"LOWER": {"IN": sorted(HONORIFICS)}}, name_tok],
                                        [{"LOWER": {"IN": sorted(HONORIFICS)}}, initial, name_tok]])

    # ---------------------------------------------------------------------------------
    def find(self, doc: Doc, sentences: list[Sentence], text: str) -> tuple[list[Mention], dict[str, Name]]:
        names = self.discover(doc, sentences, text)
        mentions = self.match(doc, sentences, text, names)
        mentions += self.people(doc, sentences, text, mentions)
        mentions += self.model_entities(doc, sentences, mentions)
        for m in mentions:   # people the gazetteer knows: their post as this article gives it
            if m.kind == "person" and m.post is None and m.how not in ("surname", "anaphor"):
                m.post = self._post_of(doc, m, sentences[m.sent])
        mentions = self.anaphora(doc, sentences, text, mentions)
        mentions.sort(key=lambda m: (m.start, -m.end))
        return mentions, names

    # -- pass 2: matching --------------------------------------------------------------
    def match(self, doc: Doc, sentences: list[Sentence], text: str, names: dict[str, Name]) -> list[Mention]:
        sent_of = _sentence_index(sentences)
        spans = []
        kinds: dict[tuple[int, int], tuple[str, str, float, str | None]] = {}
        local = PhraseMatcher(doc.vocab, attr="LOWER")
        local_acr = PhraseMatcher(doc.vocab, attr="ORTH")
        by_label: dict[str, Name] = {}
        nlp_tok = doc.vocab  # noqa: F841
        from .segment import load_pipeline
        tok = load_pipeline(None).tokenizer
        for n in names.values():
            if n.kind in ("unknown", None) and not n.acronym:
                continue
            by_label[n.label.lower()] = n
            pats = [tok(n.label.lower()), tok(n.label)]
            written = doc.char_span(n.start, n.end)
            if written is not None and written.text.lower() != n.label.lower():
                by_label[written.text.lower()] = n
                local.add(written.text.lower(), [written.as_doc()])
            local.add(n.label.lower(), pats)
            if n.acronym:
                by_label[n.acronym] = n
                local_acr.add(n.acronym, [tok(n.acronym)])
                # "EC IFAS" and "EC-IFAS" are the same acronym
                alt = n.acronym.replace(" ", "-") if " " in n.acronym else n.acronym.replace("-", " ")
                if alt != n.acronym:
                    by_label[alt] = n
                    local_acr.add(alt, [tok(alt)])
        for mid, a, b in local(doc) + local_acr(doc):
            key = doc.vocab.strings[mid]
            n = by_label.get(key)
            if n is None:
                continue
            sp = doc[a:b]
            kind = n.kind if n.kind not in ("unknown", None) else "organisation"
            is_acr = key == n.acronym or (n.acronym and key.replace("-", " ") == n.acronym.replace("-", " "))
            spans.append(sp)
            kinds[(sp.start_char, sp.end_char)] = (kind, "acronym" if is_acr else n.how, n.confidence, n.label)
        for a, b, entries in self.gazetteer_spans(doc):
            sp = doc[a:b]
            if (sp.start_char, sp.end_char) in kinds:
                continue
            spans.append(sp)
            kinds[(sp.start_char, sp.end_char)] = (entries[0].kind, "gazetteer", 0.9, sp.text)
        chosen = filter_spans(spans)
        out = []
        for sp in chosen:
            kind, how, conf, label = kinds[(sp.start_char, sp.end_char)]
            if kind in ("event", "agreement"):
                continue
            s = sentences[sent_of(sp.start_char)]
            n = names.get(norm(label)) or by_label.get(label.lower())
            out.append(Mention(sp.start_char, sp.end_char, sp.text, kind, s.index, how,
                               n.label if n else label, conf,
                               acronym=(n.acronym if n else None)))
        return out

    def gazetteer_spans(self, doc: Doc):
        """Token spans whose text is a label of the gazetteer: n-grams from each capitalised
        token, looked up by their normalised form (no matcher to build, so loading a large
        gazetteer costs nothing here). Acronyms, short labels and place names must match in
        case as well ("WHO", not "who")."""
        gaz = self.gaz
        toks = [t for t in doc]
        wn = [norm(t.text) for t in toks]
        out = []
        n = len(toks)
        for i, t in enumerate(toks):
            if not wn[i] or not (t.text[:1].isupper() or t.text[:1].isdigit()):
                continue
            first = wn[i].split(" ")[0]
            limit = gaz.first_word_len.get(first, 0)
            if not limit:
                continue
            words: list[str] = []
            j = i
            while j < n and len(words) < limit:
                tj = toks[j]
                if tj.is_space or tj.text in (".", ",", ";", ":", "(", ")", "!", "?") or "\n" in tj.text:
                    break
                if wn[j]:
                    words.append(wn[j])
                j += 1
                if not wn[j - 1]:
                    continue
                entries = gaz.by_norm.get(" ".join(words))
                if not entries:
                    continue
                text = _text(doc)[t.idx:tj.idx + len(tj.text)]
                if text in DEMONYMS:
                    continue
                keep = [e for e in entries if text in e.labels or not (
                    is_acronym(text) or len(text) <= 3 or e.kind in ("place", "country"))]
                if keep:
                    out.append((i, j, keep))
        return out

    # -- anaphora ----------------------------------------------------------------------
    def anaphora(self, doc: Doc, sentences: list[Sentence], text: str, mentions: list[Mention]) -> list[Mention]:
        """"the Ministry", "the Commission" → the latest organisation with that head word."""
        orgs = sorted((m for m in mentions if m.kind == "organisation"), key=lambda m: m.start)
        taken = [(m.start, m.end) for m in mentions]
        extra = []
        for mt in re.finditer(r"\b[Tt]he ((?:[A-Z][a-z]+ )?(Ministry|Commission|Committee|Council|Fund|Bank|Agency|"
                              r"Centre|Center|Secretariat|Government|Institute|Organi[sz]ation|Union|Board|Platform))\b", text):
            a, b = mt.start(1), mt.end(1)
            if any(s < b and a < e for s, e in taken):
                continue
            head = mt.group(2).lower()
            prior = [m for m in orgs if m.start < a and head in norm(m.label).split()[:_nucleus_len(m.label)]]
            if not prior or len({norm(m.label) for m in prior}) > 1:
                continue
            ante = prior[-1]
            extra.append(Mention(a, b, text[a:b], "organisation", _sentence_index(sentences)(a), "anaphor",
                                 ante.label, 0.7, antecedent=ante))
        return mentions + extra


__all__ = ["MentionFinder", "Mention", "Name", "ORDINALS", "acronym_fits", "head_kind"]
