"""Mentions stage, people: spaCy ``Matcher`` patterns for an honorific or a post before a name,
a name after "said", "post, Name" / "Name, post" appositions (the post phrase is kept), and a
trained pipeline's entities when one is configured."""
from __future__ import annotations

import re

from spacy.tokens import Doc

from .gazetteer import Gazetteer
from .mention_vocab import (HONORIFICS, NAME_PARTICLES, Mention, NOT_NAME, ORG_HEADS, POST_WORDS, _sentence_index, SPEECH_VERBS, _text)
from .segment import Sentence


#: words that continue a post's complement rather than end a name ("Minister of Land Reclamation and …")
COMPLEMENT_GLUE = {"and", "of", "for", "&", "in", "on"}
COMPLEMENT_WORDS = {"water", "land", "resources", "reclamation", "environment", "environmental", "energy", "agriculture",
                    "ecology", "affairs", "finance", "economy", "development", "protection", "management", "emergency",
                    "emergencies", "industry", "health", "education", "foreign", "internal", "justice", "transport",
                    "natural", "national", "republic", "region", "district", "state", "international", "cooperation"}


class PeopleFinder:
    """People and their posts (mixed into :class:`MentionFinder`)."""

    gaz: Gazetteer

    # -- pass 3: people ----------------------------------------------------------------
    # long: pass 3: the person-name patterns tried in order over each sentence, sharing the spans already taken
    def people(self, doc: Doc, sentences: list[Sentence], text: str, taken: list[Mention]) -> list[Mention]:
        sent_of = _sentence_index(sentences)
        occupied = [(m.start, m.end) for m in taken]
        found: dict[tuple[int, int], Mention] = {}

        def free(a: int, b: int) -> bool:
            return not any(a < e and s < b for s, e in occupied)

        def name_at(i: int, limit: int) -> int:
            """End token index of a personal name starting at token i (0 = none)."""
            j = i
            words = 0
            while j < limit and words < 4:
                t = doc[j]
                if t.is_title and t.is_alpha and t.lower_ not in NOT_NAME and t.lower_ not in POST_WORDS \
                        and t.lower_ not in ORG_HEADS and not self.gaz.lookup(t.text, {"country", "place", "basin"}):
                    words += 1
                    j += 1
                    # hyphenated names: Hak-Su, Kassym-Jomart
                    if j + 1 < limit and doc[j].text == "-" and not doc[j - 1].whitespace_ and doc[j + 1].is_title:
                        j += 2
                    continue
                if words >= 1 and t.lower_ in NAME_PARTICLES and j + 1 < limit and doc[j + 1].is_title and doc[j + 1].is_alpha \
                        and doc[j + 1].lower_ not in NOT_NAME:
                    j += 1    # "Arthur van Diesen", "Abdullah al Rabeeah"
                    continue
                if re.fullmatch(r"([A-Z]\.){1,3}([A-Z][a-z]+)?", t.text) and words < 3:
                    j += 1
                    if t.text[-1] != ".":
                        words += 1
                    continue
                break
            return j if words >= 1 else 0

        def add(a: int, b: int, how: str, conf: float, need_two: bool = True) -> None:
            while b > a and not doc[b - 1].is_alpha:
                b -= 1
            if b <= a:
                return
            words = [t for t in doc[a:b] if t.is_alpha]
            if need_two and len(words) < 2:
                return
            sp = doc[a:b]
            if not free(sp.start_char, sp.end_char):
                return
            key = (sp.start_char, sp.end_char)
            if key not in found:
                found[key] = Mention(sp.start_char, sp.end_char, sp.text, "person", sent_of(sp.start_char), how,
                                     sp.text, conf)

        for s in sentences:
            lim = s.tok_end
            for i in range(s.tok_start, s.tok_end):
                t = doc[i]
                low = t.lower_
                # honorific + name
                if low in HONORIFICS and (i + 1 < lim) and doc[i + 1].is_title:
                    if low in ("ambassador", "professor") and i > s.tok_start and doc[i - 1].is_title and doc[i - 1].lower_ not in NOT_NAME:
                        pass
                    e = name_at(i + 1, lim)
                    if e:
                        add(i + 1, e, "honorific", 0.9, need_two=False)
                # post word + name: "Executive Secretary Marek Belka"
                elif low in POST_WORDS and t.is_title and i + 2 < lim and doc[i + 1].is_title:
                    e = name_at(i + 1, lim)
                    if e and e - (i + 1) >= 2:
                        add(i + 1, e, "post", 0.8)
                # post word + its complement + name: "UNICEF Representative in Kazakhstan Arthur van Diesen",
                # "akim of the region Darkhan Satybaldy"
                elif low in POST_WORDS and i + 3 < lim and doc[i + 1].lower_ in ("of", "in", "for", "to", "at"):
                    k = i + 1
                    while k < min(lim, i + 8) and (not doc[k].is_title or self.gaz.lookup(doc[k].text, {"country", "place", "organisation"})
                                                  or doc[k].lower_ in NOT_NAME or doc[k].lower_ in ORG_HEADS):
                        if doc[k].text in (",", ".", ";", ":", "(", ")") or doc[k].is_digit:
                            break
                        k += 1
                    if k < lim and k > i + 1 and doc[k].is_title and doc[k - 1].text not in (",", ".", ";", ":", "(", ")"):
                        e = name_at(k, lim)
                        if e and e - k >= 2 and (e >= lim or (not doc[e].is_title and not (doc[e].lower_ in COMPLEMENT_GLUE and e + 1 < lim
                                                                                        and doc[e + 1].is_title))) \
                                and not any(x.lower_ in COMPLEMENT_WORDS for x in doc[k:e]):
                            add(k, e, "post", 0.7)
                # speech verb + name
                elif low in SPEECH_VERBS and i + 2 < lim and doc[i + 1].is_title:
                    e = name_at(i + 1, lim)
                    if e:
                        add(i + 1, e, "speech", 0.8)
                # post, Name  /  Name, post
                elif t.text == "," and i + 2 < lim and doc[i + 1].is_title:
                    e = name_at(i + 1, lim)
                    if e and e - (i + 1) >= 2 and (e >= lim or doc[e].text in (",", ".", ")", ";") or doc[e].lower_ in ("and",) or doc[e].lower_ in SPEECH_VERBS):
                        before = [x.lower_ for x in doc[max(s.tok_start, i - 12):i]]
                        if any(w in POST_WORDS for w in before):
                            add(i + 1, e, "apposition", 0.75)
            # name + speech verb / name + ", post"
            for i in range(s.tok_start, s.tok_end):
                if doc[i].is_title and (i == s.tok_start or not doc[i - 1].is_title):
                    e = name_at(i, lim)
                    if e and e - i >= 2 and e < lim:
                        nxt = doc[e]
                        if nxt.lower_ in SPEECH_VERBS:
                            add(i, e, "speech", 0.75)
                        elif nxt.text == "," and e + 1 < lim:
                            after = [x.lower_ for x in doc[e + 1:min(lim, e + 6)]]
                            if any(w in POST_WORDS for w in after):
                                add(i, e, "apposition", 0.75)
        out = list(found.values())
        # a person named again by surname alone ("Jha said")
        surnames = {m.text.split()[-1]: m for m in out if " " in m.text}
        for s in sentences:
            for i in range(s.tok_start, s.tok_end):
                t = doc[i]
                m0 = surnames.get(t.text)
                if m0 and (t.idx, t.idx + len(t.text)) != (m0.start, m0.end) and free(t.idx, t.idx + len(t.text)) \
                        and not any(m.start <= t.idx < m.end for m in out):
                    out.append(Mention(t.idx, t.idx + len(t.text), t.text, "person", s.index, "surname",
                                       m0.text, 0.7, antecedent=m0))
        for m in out:
            if m.how != "surname":
                m.post = self._post_of(doc, m, sentences[m.sent])
        return out

    def _post_of(self, doc: Doc, m: Mention, s: Sentence) -> tuple[int, int, str] | None:
        """The post phrase next to a person's name: ", Acting Chairman of ... (EC-IFAS)," after
        it, or "Minister of ..., " / "UNECE Executive Secretary" before it."""
        text = _text(doc)
        after = text[m.end:s.end]
        am = re.match(r"\s*,(?!\s*and\b)\s*((?:[^,;()]|\([^()]*\))+?)(?=\s*(?:,\s*and\b|,|;|\.\s|\.$|\s+and\s+(?:Mr|Mrs|Ms|Dr|Ambassador)\b|$))", after)
        if am:
            phrase = am.group(1).strip()
            if any(w.lower().strip("(),") in POST_WORDS for w in re.split(r"[\s-]+", phrase)[:8]) or any(
                    w.lower() in POST_WORDS for w in phrase.replace("-", " ").split()[:8]):
                st = m.end + am.start(1)
                return (st, st + len(phrase), phrase)
        before = text[s.start:m.start]
        # strip an honorific right before the name
        before = re.sub(r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|H\.E)\.?|\bAmbassador|\bProfessor)\s*$", "", before)
        before = before.rstrip()
        if before.endswith(","):
            before = before[:-1].rstrip()
        anchors = [0] + [m.end() for m in re.finditer(r"[,;:]\s*|\bby\s+(?:the\s+)?|\band\s+(?:the\s+)?|\bsaid\s+|\bwith\s+(?:the\s+)?|\b(?:of|at)\s+the\s+", before)]
        for st in sorted(set(anchors), reverse=True):
            phrase = before[st:].strip()
            phrase = re.sub(r"^(?:and|the)\s+", "", phrase)
            words = [w.lower().strip("(),") for w in phrase.replace("-", " ").split()]
            if not words or len(words) > 16:
                continue
            if any(w in POST_WORDS for w in words) and (phrase[:1].isupper() or words[0] in POST_WORDS or words[0] in ("vice", "deputy")):
                pos = s.start + before.rfind(phrase)
                return (pos, pos + len(phrase), phrase)
        return None

    def model_entities(self, doc: Doc, sentences: list[Sentence], taken: list[Mention]) -> list[Mention]:
        """Named entities of a trained pipeline (``WCKG_SPACY_MODEL``), as extra candidates where
        the rules found nothing: ORG → organisation, PERSON → person, GPE/LOC → place."""
        kinds = {"ORG": "organisation", "PERSON": "person", "PER": "person", "GPE": "place", "LOC": "place"}
        sent_of = _sentence_index(sentences)
        occupied = [(m.start, m.end) for m in taken]
        out = []
        for ent in doc.ents:
            kind = kinds.get(ent.label_)
            a, b = ent.start_char, ent.end_char
            if kind is None or any(a < e and s < b for s, e in occupied):
                continue
            label = re.sub(r"^(?:the|The)\s+", "", ent.text).strip()
            if not label or (kind == "person" and len(label.split()) < 2):
                continue
            if label != ent.text:
                a = b - len(label)
            out.append(Mention(a, b, label, kind, sent_of(a), "model", label, 0.6))
            occupied.append((a, b))
        return out
