"""Mentions stage, shared parts: the :class:`Mention` and :class:`Name` records, the head words
that class a name, and small helpers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from .gazetteer import norm
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
    "gmbh", "gesellschaft", "rse", "plc", "ag", "bureau", "chamber", "firm", "holding", "consultancy",
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
#: lower-case words inside a personal name ("Arthur van Diesen")
NAME_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "al", "el", "bin", "ibn", "ul", "la", "le"}
HONORIFICS = {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof", "prof.", "professor",
              "ambassador", "h.e.", "sir", "madam", "mme", "dame", "academician"}
CONNECTORS = {"of", "for", "the", "and", "on", "in", "de", "du", "la", "&", "für", "fur", "der", "des", "et", "pour"}
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


#: endings of Russian-transliterated compound names of bodies: Kazhydromet, Kazvodkhoz, Vodokanal, Kazgidromet
ORG_SUFFIXES = ("hydromet", "gidromet", "vodkhoz", "vodokanal", "energo", "vodproekt", "gosstroy", "selkhoz")


def compound_org(word: str) -> bool:
    """A single word naming a body by a compound ending ("kazvodkhoz"), not the bare ending itself."""
    w = word.lower()
    return any(w.endswith(x) and len(w) > len(x) + 1 for x in ORG_SUFFIXES)


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
        if w in ORG_HEADS or compound_org(w):
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
