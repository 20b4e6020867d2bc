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
from dataclasses import dataclass, field

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from .gazetteer import DEMONYMS, Gazetteer, is_acronym, norm
from .segment import Sentence

ORG_HEADS = {
    "ministry", "committee", "commission", "council", "fund", "bank", "organization", "organisation",
    "agency", "centre", "center", "institute", "university", "academy", "union", "association",
    "secretariat", "office", "department", "government", "parliament", "medzhlis", "mejlis", "majilis",
    "mazhilis", "senate", "assembly", "service", "authority", "foundation", "federation", "corporation",
    "company", "enterprise", "society", "network", "alliance", "board", "administration", "inspectorate",
    "hydromet", "llp", "llc", "jsc", "ltd", "inc", "coalition", "consortium", "group", "directorate",
    "school", "college", "institution", "facility", "court", "police", "embassy", "delegation", "mission",
    "kazhydromet", "uzhydromet", "partnership", "platform", "commissariat", "akimat", "municipality",
    "observatory", "laboratory", "museum", "trust", "programme-office", "unit", "cooperative", "team",
}
PROGRAMME_HEADS = {"programme", "program", "project", "initiative", "dialogue", "dialogues", "mechanism"}
POLICY_HEADS = {
    "law", "code", "concept", "strategy", "convention", "protocol", "treaty", "plan", "agenda", "policy",
    "roadmap", "workplan", "resolution", "decree", "doctrine", "charter", "accord", "regulation", "regulations",
}
BASIN_HEADS = {"basin", "sea", "river", "rivers", "lake", "darya", "reservoir", "delta", "glacier"}
EVENT_NOUNS = {
    "meeting", "meetings", "conference", "forum", "summit", "workshop", "seminar", "session", "consultation",
    "consultations", "training", "roundtable", "symposium", "congress", "week", "dialogue-meeting",
}
POST_WORDS = {
    "minister", "vice-minister", "deputy", "secretary", "director", "chairman", "chairwoman", "chairperson",
    "chair", "co-chair", "president", "vice-president", "representative", "coordinator", "head", "ambassador",
    "governor", "mayor", "akim", "commissioner", "envoy", "officer", "manager", "specialist", "adviser",
    "advisor", "expert", "rector", "chief", "administrator", "counsellor", "counselor", "consul", "premier",
    "speaker", "leader", "founder", "ceo", "spokesperson", "spokesman", "analyst", "economist", "engineer",
    "professor", "researcher", "consultant", "member", "directors", "chairmen", "ministers",
}
HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof", "prof.", "professor",
              "ambassador", "h.e.", "sir", "madam", "mme", "dame", "academician"}
CONNECTORS = {"of", "for", "the", "and", "on", "in", "de", "du", "la", "&"}
ADJ_SUFFIX = {"based", "level", "wide", "scale", "term", "run", "born", "type", "led", "like", "owned"}
LEADING_STRIP = {"the", "a", "an", "first", "second", "third", "fourth", "fifth", "sixth", "seventh",
                 "eighth", "ninth", "tenth", "new", "this", "that", "these", "its", "their", "our", "his",
                 "her", "on", "in", "at", "by", "for", "with", "during", "under", "from", "as", "and",
                 "after", "before", "since", "while", "when", "today", "yesterday", "according", "also",
                 "both", "all", "each", "every", "some", "many", "several", "other", "national", "regional"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
          "sept", "oct", "nov", "dec"}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
NOT_NAME = MONTHS | WEEKDAYS | {
    "the", "a", "an", "this", "that", "we", "i", "he", "she", "it", "they", "our", "in", "on", "at",
    "during", "together", "note", "editors", "publication", "date", "detailed", "participants", "goal",
    "however", "meanwhile", "also", "today", "yesterday", "tomorrow", "according", "as", "with", "by",
    "for", "from", "and", "but", "or", "if", "when", "while", "since", "after", "before", "under",
    "water", "energy", "climate", "environment", "agriculture", "development", "cooperation", "memorandum",
    "agreement", "understanding", "protocol", "convention", "strategy", "programme", "program", "project",
    "meeting", "conference", "forum", "government", "ministry", "republic", "state", "states", "president",
    "minister", "executive", "secretary", "director", "regional", "national", "international", "united",
    "nations", "european", "union", "central", "asia", "asian", "world", "bank", "fund", "committee",
    "commission", "council", "basin", "sea", "river", "lake", "north", "south", "east", "west", "special",
    "representative", "ambassador", "deputy", "head", "chairman", "acting", "vice", "general", "high",
    "level", "senior", "first", "second", "third", "new", "annual", "joint", "public", "global", "ms",
    "mr", "mrs", "dr", "said", "says", "speaking", "more", "read", "about", "photo", "source", "news",
    "press", "release", "story", "office", "country", "countries", "region", "city", "capital",
}
SPEECH_VERBS = {"said", "says", "noted", "stressed", "added", "emphasized", "emphasised", "stated",
                "explained", "underlined", "highlighted", "told", "remarked", "announced", "commented",
                "congratulated", "welcomed", "thanked", "urged", "observed", "pointed", "declared"}
LIST_CUES = re.compile(r"\b(following|these|such)\s+(organi[sz]ations?|institutions?|agencies|bodies|partners|"
                       r"ministries|entities|stakeholders|countries)\b[^:]*:\s*", re.I)
GENERIC_BODY = re.compile(r"\b(the\s+)?(working\s+group|steering\s+committee|task\s+force|coordination\s+council|"
                          r"secretariat|advisory\s+board|expert\s+group|management\s+board)\s+of\s+(the\s+)?", re.I)


@dataclass
class Mention:
    start: int
    end: int
    text: str
    kind: str          #: organisation, person, place, country, basin, programme, policy, state
    sent: int
    how: str           #: gazetteer, name, acronym, list, pattern, anaphor, post, place
    label: str         #: the name as a label (parenthetical acronym removed)
    confidence: float = 0.8
    acronym: str | None = None
    entity: object | None = None     #: the linked entity (link stage)
    post: tuple[int, int, str] | None = None   #: person: (start, end, text) of the post phrase
    antecedent: "Mention | None" = None       #: anaphor: the mention it refers back to
    cls: str | None = None


@dataclass
class Name:
    """A name found by discovery: its label, kind and where it was first written."""

    label: str
    kind: str
    start: int
    end: int
    sent: int
    acronym: str | None = None
    how: str = "name"
    confidence: float = 0.8
    variants: set[str] = field(default_factory=set)


POST_MODIFIERS = {"regional", "executive", "acting", "deputy", "senior", "special", "general", "country",
                  "resident", "chief", "vice", "first", "permanent", "principal", "assistant", "interim", "managing"}


def _strip_mods(low: list[str], k: int) -> int:
    """Index where the words before a post word stop being the post's modifiers."""
    while k > 0 and low[k - 1] in POST_MODIFIERS:
        k -= 1
    return k


def _cap(t) -> bool:
    s = t.text
    return bool(s) and (s[0].isupper() or (s[0] in "«\"“" and len(s) > 1)) and any(c.isalpha() for c in s)


def _lower_words(tokens) -> list[str]:
    return [t.text.lower() for t in tokens]


def head_kind(words: list[str]) -> str | None:
    """The kind a name has by its head words (see module docstring)."""
    ws = [w.strip("«»\"“”").lower() for w in words]
    if not ws:
        return None
    if ws[-1] in POLICY_HEADS:
        return "policy"
    nucleus: list[str] = []
    for w in ws:
        if w in ("of", "for") and nucleus:
            break
        nucleus.append(w)
    kind = None
    for w in nucleus:
        if w in ORG_HEADS:
            kind = "organisation"
        elif w in PROGRAMME_HEADS:
            kind = "programme"
        elif w in POLICY_HEADS:
            kind = "policy"
        elif w in BASIN_HEADS:
            kind = "basin" if kind is None or kind == "basin" else kind
        elif w in POST_WORDS:
            kind = "post"
        elif w in EVENT_NOUNS:
            kind = "event"
    if kind == "programme" and ws[:2] in (["united", "nations"],) or (kind == "programme" and ws and ws[0] in ("un", "undp")):
        kind = "organisation"
    return kind


class MentionFinder:
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

    # -- pass 1: discovery -------------------------------------------------------------
    def discover(self, doc: Doc, sentences: list[Sentence], text: str) -> dict[str, Name]:
        names: dict[str, Name] = {}

        def add(label: str, kind: str, start: int, end: int, sent: int, acronym=None, how="name", conf=0.8):
            label = re.sub(r"\s+", " ", label).strip(" ,;:-–")
            if not label or len(label) < 2:
                return
            key = norm(label)
            if not key:
                return
            n = names.get(key)
            if n is None:
                names[key] = Name(label, kind, start, end, sent, acronym, how, conf)
            else:
                if acronym and not n.acronym:
                    n.acronym = acronym
                if n.kind in (None, "unknown") and kind:
                    n.kind = kind

        for s in sentences:
            if s.title_case:
                continue
            toks = doc[s.tok_start:s.tok_end]
            self._chunks(toks, s, add)
            self._lists(s, text, add)
            for m in GENERIC_BODY.finditer(s.text):
                # "the working group of the Kazakh National Policy Dialogue on water"
                rest = s.text[m.end():]
                tail = re.match(r"((?:[A-Z][\w’'-]*|of|for|on|the|and)(?:\s+(?:[A-Z][\w’'-]*|of|for|on|the|and|water|"
                                r"energy|environment|climate|health))*)", rest)
                if tail and tail.group(1).strip() and tail.group(1)[0].isupper():
                    body = re.sub(r"\s+(of|for|on|the|and)$", "", tail.group(1).strip())
                    start = s.start + m.start() + (len(m.group(1)) if m.group(1) else 0)
                    end = s.start + m.end() + len(body)
                    label = text[start:end]
                    label = label[0].upper() + label[1:]
                    add(label, "organisation", start, end, s.index, how="body", conf=0.7)
        self._expand_acronyms(doc, sentences, names, add)
        return names

    def _expand_acronyms(self, doc: Doc, sentences: list[Sentence], names: dict[str, Name], add) -> None:
        """An acronym the article uses without defining it ("the IFAS") whose expansion is part
        of a longer name it gives ("Executive Committee of the International Fund for Saving
        the Aral Sea") names that part."""
        defined = {n.acronym for n in names.values() if n.acronym} | {a for n in names.values() if n.acronym
                                                                        for a in re.split(r"[\s-]", n.acronym)}
        seen: set[str] = set()
        for s in sentences:
            for t in doc[s.tok_start:s.tok_end]:
                w = t.text
                if len(w) < 3 or not w.isupper() or not w.isalpha() or w in seen or self.gaz.lookup(w):
                    continue
                seen.add(w)
                if any(n.acronym == w for n in names.values()):
                    continue
                for n in list(names.values()):
                    if n.kind != "organisation":
                        continue
                    m = re.search(r"\b(?:of|for)\s+(?:the\s+)?([A-Z].*)$", n.label)
                    if m and acronym_fits(w, m.group(1)) and head_kind(m.group(1).split()) == "organisation":
                        start = n.start + n.label.find(m.group(1)) if n.label in _text(doc)[n.start:n.end] else n.start
                        add(m.group(1), "organisation", start, start + len(m.group(1)), n.sent, acronym=w, how="acronym", conf=0.7)
                        break
        del defined

    def _chunks(self, toks, s: Sentence, add) -> None:
        """Runs of capitalised tokens → names (see module docstring)."""
        n = len(toks)
        i = 0
        while i < n:
            if not _cap(toks[i]) or toks[i].text in ("(", ")"):
                i += 1
                continue
            j = i
            parts: list = []
            acr_at: list[tuple[int, str]] = []   # (len(parts) when the acronym was defined, acronym)
            while j < n:
                t = toks[j]
                low = t.text.lower()
                if _cap(t) or t.like_num and parts and (j + 1 < n and _cap(toks[j + 1])) :
                    parts.append(t)
                    j += 1
                    continue
                if t.text in ("-", "/", "«", "»", "’s") and parts and not t.whitespace_ and not parts[-1].whitespace_ \
                        and j + 1 < n and (_cap(toks[j + 1]) or (t.text == "-" and toks[j + 1].is_alpha
                                                 and not toks[j + 1].lower_.endswith("ed")
                                                 and toks[j + 1].lower_ not in ADJ_SUFFIX)):
                    parts.append(t)
                    parts.append(toks[j + 1])
                    j += 2
                    continue
                if t.text in ("«", "»", "“", "”") and parts and (t.text in "»”" or (j + 1 < n and _cap(toks[j + 1]))):
                    parts.append(t)
                    j += 1
                    continue
                if low in CONNECTORS and parts and j + 1 < n and (_cap(toks[j + 1]) or (toks[j + 1].lower_ == "the" and j + 2 < n and _cap(toks[j + 2]))):
                    parts.append(t)
                    j += 1
                    continue
                if low == "after" and parts and parts[-1].lower_ == "named":
                    parts.append(t)
                    j += 1
                    continue
                if t.text == "(" and parts:
                    k = j + 1
                    inner = []
                    while k < n and toks[k].text != ")" and k - j <= 5:
                        inner.append(toks[k])
                        k += 1
                    if k < n and toks[k].text == ")" and inner:
                        acr = "".join(x.text_with_ws for x in inner).strip()
                        if is_acronym(acr) or (len(inner) == 1 and inner[0].text[:1].isupper() and len(acr) <= 12):
                            acr_at.append((len(parts), acr))
                            if k + 1 < n and _cap(toks[k + 1]) and toks[k + 1].lower_ not in ("the",):
                                parts.append(("PAREN", j, k))  # skipped in the label
                                j = k + 1
                                continue
                            j = k + 1
                            break
                    break
                break
            if j == i:
                i += 1
                continue
            self._emit(parts, acr_at, s, add)
            i = max(j, i + 1)

    def _emit(self, parts: list, acr_at: list[tuple[int, str]], s: Sentence, add) -> None:
        # drop leading filler ("The", ordinals, prepositions, sentence-initial verbs)
        toks = [p for p in parts]
        offset = 0
        while toks and not isinstance(toks[0], tuple) and (toks[0].lower_ in LEADING_STRIP and toks[0].lower_ not in ("national", "regional") or toks[0].text in ("-", "/")):
            toks.pop(0)
            offset += 1
        # "National"/"Regional" lead only stripped before a non-name (kept in "National Policy Dialogue")
        while toks and not isinstance(toks[-1], tuple) and (toks[-1].lower_ in CONNECTORS or toks[-1].text in ("-", "/", "’s")):
            toks.pop()
        real = [t for t in toks if not isinstance(t, tuple)]
        if not real:
            return
        acrs = [(pos - offset, a) for pos, a in acr_at]
        # "UNECE/World Health Organization ...": two names
        for k, t in enumerate(toks):
            if not isinstance(t, tuple) and t.text == "/" and 0 < k < len(toks) - 1:
                self._emit(toks[:k], [], s, add)
                self._emit(toks[k + 1:], [(p - k - 1, a) for p, a in acr_at if p > k], s, add)
                return
        # "... (UNECE) Convention on the Protection ...": the part after the acronym is a name of its own
        for k, t in enumerate(toks):
            if isinstance(t, tuple):
                before, after = [x for x in toks[:k] if not isinstance(x, tuple)], [x for x in toks[k + 1:] if not isinstance(x, tuple)]
                ak = head_kind([x.text for x in after])
                if ak in ("policy", "programme", "organisation") and (len(after) >= 3 or self.gaz.lookup(" ".join(x.text for x in after))):
                    self._emit_span(before, [(len(before), a) for p, a in acrs if p == len(before)], s, add)
                    self._emit(after, [], s, add)
                    return
        real = [t for t in toks if not isinstance(t, tuple)]
        words = [t.text for t in real]
        # split at a post word: "World Bank Regional Director for Central Asia", "Acting Chairman of the X"
        low = [w.lower() for w in words]
        for k, w in enumerate(low):
            if w in POST_WORDS and k > 0 and head_kind(words[:_strip_mods(low, k)]) in ("organisation", "programme") and (k + 1 >= len(low) or low[k + 1] in ("for", "of", "to") or low[k + 1] in POST_WORDS or _cap(real[k + 1])):
                self._emit_span(real[:_strip_mods(low, k)], [a for a in acrs if a[0] <= k], s, add)
                return
            if w in POST_WORDS and k + 2 < len(low) and low[k + 1] in ("of", "for", "to", "at") and all(x in POST_WORDS or x in ("acting", "deputy", "vice", "executive", "general", "first", "special", "senior") or x in ("of",) for x in low[:k]):
                rest = real[k + 2:]
                self._emit(rest, [(p - k - 2, a) for p, a in acrs if p > k + 1], s, add)
                return
        # split after a programme head followed by another name: "EU Water Initiative National Water Policy Dialogue"
        for k, w in enumerate(low[:-1]):
            if w in PROGRAMME_HEADS and k > 0 and real[k + 1].is_title and low[k + 1] not in CONNECTORS and low[k + 1] not in ORG_HEADS | POLICY_HEADS | PROGRAMME_HEADS:
                self._emit(real[:k + 1], [a for a in acrs if a[0] <= k + 1], s, add)
                self._emit(real[k + 1:], [(p - k - 1, a) for p, a in acrs if p > k + 1], s, add)
                return
        # split at "and" between two names of their own: "the World Bank and the Executive Committee"
        for k, w in enumerate(low):
            if w in ("and", "&") and 0 < k < len(low) - 1:
                left, right = real[:k], real[k + 1:]
                rw = [t.text for t in right]
                if rw and rw[0].lower() == "the":
                    rw = rw[1:]
                lk, rk = head_kind([t.text for t in left]), head_kind(rw)
                known = lambda ws: bool(ws) and (bool(self.gaz.lookup(" ".join(ws))) or (len(ws) == 1 and is_acronym(ws[0])))  # noqa: E731
                left_words = [t.text for t in left]
                inside_complement = any(x.lower() in ("of", "for") for x in left_words)
                left_ok = lk not in (None, "post", "event") or known(left_words)
                right_ok = rk not in (None, "post", "event") or known(rw) or (low[k + 1] == "the" and rw and is_acronym(rw[0]))
                if inside_complement and rk is None and not known(rw):
                    right_ok = False
                if left_ok and right_ok:
                    self._emit(left, [a for a in acrs if a[0] <= k], s, add)
                    self._emit(right, [(p - k - 1, a) for p, a in acrs if p > k], s, add)
                    return
        self._emit_span(real, acrs, s, add)

    def _emit_span(self, real, acrs, s: Sentence, add) -> None:
        if not real:
            return
        while real and (real[0].lower_ in LEADING_STRIP and real[0].lower_ not in ("national", "regional")):
            real = real[1:]
        while real and (real[-1].lower_ in CONNECTORS or real[-1].text in ("-", "/")):
            real = real[:-1]
        if not real:
            return
        doc = real[0].doc
        start, end = real[0].idx, real[-1].idx + len(real[-1].text)
        words = [t.text for t in real]
        kind = head_kind(words)
        label_parts = []
        prev_end = None
        for t in real:
            if prev_end is not None and t.idx > prev_end:
                between = _text(doc)[prev_end:t.idx]
                label_parts.append(" " if not re.search(r"\(", between) else " ")
            label_parts.append(t.text)
            prev_end = t.idx + len(t.text)
        label = re.sub(r"\s+", " ", "".join(label_parts)).strip()
        # a generic lower-case head right after the name: "Central Asia Nexus Dialogue project"
        nxt = doc[real[-1].i + 1] if real[-1].i + 1 < len(doc) else None
        if nxt is not None and nxt.lower_ in ("project", "programme", "program", "initiative") and kind in (None, "programme"):
            kind = "programme"
            label = f"{label} {nxt.text}"
            end = nxt.idx + len(nxt.text)
        acronym = acrs[-1][1] if acrs and acrs[-1][0] >= len(real) - 1 else None
        if acrs:
            # "European Union (EU) Water Initiative": the acronym names the part before it
            for pos, a in acrs:
                if 0 < pos < len(real):
                    sub = real[:pos]
                    sk = head_kind([t.text for t in sub])
                    sub_label = " ".join(t.text for t in sub)
                    add(sub_label, sk or "unknown", sub[0].idx, sub[-1].idx + len(sub[-1].text), s.index, acronym=a)
                elif pos >= len(real):
                    acronym = a
        if kind == "event":
            # "The Second Meeting of the Basin Council of the Ili River": the body is a name
            low = [t.lower_ for t in real]
            if "of" in low:
                k = low.index("of")
                self._emit(real[k + 1:], [(p - k - 1, a) for p, a in acrs if p > k], s, add)
            return
        if kind == "post":
            return
        if kind is None:
            known = self.gaz.lookup(label)
            if acronym:
                add(label, "unknown", start, end, s.index, acronym=acronym)
            elif known:
                pass  # matched in pass 2
            return
        if len(real) == 1 and real[0].lower_ in ORG_HEADS | PROGRAMME_HEADS | POLICY_HEADS | BASIN_HEADS:
            return  # a bare head ("Ministry") is an anaphor, not a name
        if kind == "basin" and len(real) == 1:
            return
        add(label, kind, start, end, s.index, acronym=acronym)

    def _lists(self, s: Sentence, text: str, add) -> None:
        m = LIST_CUES.search(s.text)
        if not m:
            return
        body = s.text[m.end():]
        base = s.start + m.end()
        if m.group(2).lower().startswith("countr"):
            return
        body_end = len(body.rstrip(". "))
        pos = 0
        items = re.split(r",\s*|;\s*", body[:body_end])
        if items:
            last = re.split(r"\s+and\s+(?=[A-Z])", items[-1])
            items = items[:-1] + [x for x in last if x]
        for item in items:
            idx = body.find(item, pos)
            pos = idx + len(item)
            raw = item.strip()
            acr = None
            mm = re.match(r"^(.*?)\s*\(([^()]{2,16})\)\s*$", raw)
            if mm:
                raw, acr = mm.group(1).strip(), mm.group(2).strip()
            raw = re.sub(r"^(the|and)\s+", "", raw, flags=re.I)
            if not raw or not raw[0].isupper() or len(raw) > 120:
                continue
            start = base + idx + item.index(raw.split()[0]) if raw.split() else base + idx
            end = start + len(raw)
            if text[start:end] != raw:
                f = text.find(raw, s.start, s.end)
                if f < 0:
                    continue
                start, end = f, f + len(raw)
            kind = "country" if self.gaz.lookup(raw, {"country"}) else "organisation"
            if kind == "organisation":
                add(raw, "organisation", start, end, s.index, acronym=acr, how="list", conf=0.75)

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

    # -- pass 3: people ----------------------------------------------------------------
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


def acronym_fits(acr: str, phrase: str) -> bool:
    """Whether the letters of *acr* are the initials of (most of) the capitalised words of *phrase*."""
    letters = [c for c in acr.upper() if c.isalpha()]
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", phrase) if w.lower() not in ("of", "for", "the", "and", "on", "in", "to")]
    initials = [w[0].upper() for w in words]
    if len(letters) < 2 or not initials or letters[0] != initials[0]:
        return False
    it = iter(initials)
    if not all(ch in it for ch in letters):
        return False
    return len(letters) >= 0.6 * len(initials)


def _nucleus_len(label: str) -> int:
    ws = norm(label).split()
    for i, w in enumerate(ws):
        if w in ("of", "for") and i:
            return i
    return len(ws)


def _text(doc: Doc) -> str:
    """The text of a Doc (spaCy rebuilds ``doc.text`` from its tokens on every access)."""
    t = doc.user_data.get("wckg_text")
    if t is None:
        t = doc.user_data["wckg_text"] = doc.text
    return t


def _sentence_index(sentences: list[Sentence]):
    starts = [s.start for s in sentences]
    import bisect

    def of(pos: int) -> int:
        i = bisect.bisect_right(starts, pos) - 1
        return max(0, i)
    return of
