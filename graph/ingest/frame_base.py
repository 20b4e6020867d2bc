"""Frames stage, the base: the article's state and the helpers every frame kind uses (mentions
in a sentence, dates, states acting, resources named without a mention, existing events)."""
from __future__ import annotations

import re
from datetime import date, timedelta

from ..namespaces import WCID_DEFAULT
from .article import Article
from .dates import When, find_dates
from .frame_vocab import FUTURE, UNDATED_NOTE, Resource, _dates_compatible
from .gazetteer import Gazetteer
from .link import Entity
from .mentions import Mention
from .segment import Sentence


class FrameBase:
    """The article, its sentences and linked mentions, and the resources drafted so far."""

    def __init__(self, article: Article, sentences: list[Sentence], mentions: list[Mention],
                 entities: list[Entity], gazetteer: Gazetteer, base: str = WCID_DEFAULT):
        self.a = article
        self.text = article.text
        self.sents = sentences
        self.mentions = [m for m in mentions if m.entity is not None]
        self.entities = entities
        self.gaz = gazetteer
        self.base = base
        self.res: dict[str, Resource] = {}
        self.events: list[Resource] = []
        self.agreements: list[Resource] = []
        self.dates: dict[int, list[When]] = {}
        self.event_of_sent: dict[int, Resource] = {}
        self.states: dict[str, Resource] = {}
        self.status_of: dict[str, str] = {}

    # -- helpers -----------------------------------------------------------------------
    def in_sent(self, i: int, kinds: set[str] | None = None, start: int | None = None, end: int | None = None) -> list[Mention]:
        s = self.sents[i]
        a = s.start if start is None else start
        b = s.end if end is None else end
        return [m for m in self.mentions if m.sent == i and a <= m.start and m.end <= b
                and (kinds is None or m.entity.kind in kinds or m.kind in kinds)]

    def dates_in(self, i: int) -> list[When]:
        if i not in self.dates:
            s = self.sents[i]
            self.dates[i] = find_dates(s.text, s.start, s.end, self.a.published, self.text,
                                       future=bool(FUTURE.search(s.text)))
        return self.dates[i]

    def state_for(self, country_iri: str, label: str) -> Resource:
        slug = country_iri.rsplit("/", 1)[-1]
        iri = f"{self.base}organisation/state-{slug}"
        r = self.states.get(iri)
        if r is None:
            r = Resource(iri, "state", ["wc:State"], label=label)
            exists = iri in self.gaz.entries
            r.new = not exists
            r.link("wc:territory", country_iri, -1)
            self.states[iri] = r
            self.res[iri] = r
        return r

    def ensure(self, entry) -> str:
        """A resource the graph holds, named by the draft without a mention of its own
        ("European Union" inside "European Union Water Initiative"): typed and labelled in the
        bookkeeping graph so that the draft reads right on its own."""
        if entry.iri not in self.res:
            kind = entry.kind
            types = {"organisation": ["wc:Organisation"], "person": ["wc:Person"], "programme": ["wc:Programme"],
                     "policy": ["wc:PolicyDocument"], "country": ["wc:Country", "wc:Place"]}.get(kind, ["wc:Place"])
            r = Resource(entry.iri, kind, types, label=entry.label)
            r.new = False
            r.__dict__["entry"] = entry
            self.res[entry.iri] = r
        return entry.iri

    def actor(self, m: Mention) -> tuple[str, str]:
        """IRI of an actor mention (a country acting is its state) and the text naming it."""
        e = m.entity
        if e.kind in ("country",) or (e.kind == "place" and e.entry is not None and e.entry.kind == "country"):
            st = self.state_for(e.iri, e.label)
            st.sents.add(m.sent)
            return st.iri, m.text
        return e.iri, m.text

    def _after(self, i: int, rx: re.Pattern, kinds: set[str]) -> list[tuple[Mention, re.Match]]:
        s = self.sents[i]
        out = []
        for cue in rx.finditer(s.text):
            a = s.start + cue.end()
            # the cue's scope ends at the next cue verb or clause boundary
            rest = s.text[cue.end():]
            stop = re.search(r"(?:;|\bwhich\b|\bwho\b|\bwhile\b|\band (?:took|was|were|will|is|are|carried)\b|"
                             r"\b(?:organi[sz]ed|chaired|opened|supported|attended|hosted|signed) by\b|\bwith (?:the )?support\b|"
                             r"\bin the form of\b)", rest)
            b = a + (stop.start() if stop else len(rest))
            for m in self.in_sent(i, kinds, a, b):
                # a name inside a person's post is not an actor of the event
                if any(p.post and p.post[0] <= m.start and m.end <= p.post[1] for p in self.mentions if p.kind == "person"
                       and p.sent == i) and m.kind != "person":
                    continue
                out.append((m, cue))
        return out

    def _find_event(self, cls: str, when: When | None) -> Resource | None:
        for ev in self.events:
            if ev.types[0] == f"wc:{cls}" and when is not None:
                d = next((x.value for x in ev.literals if x.pred == "wc:date"), None)
                if d and (d.startswith(when.value) or when.value.startswith(d)):
                    return ev
        return None

    def _location(self, s: Sentence) -> list[Mention]:
        places = self.in_sent(s.index, {"place", "country"})
        good = []
        for m in places:
            before = self.text[max(s.start, m.start - 12):m.start].lower()
            after = self.text[m.end:m.end + 30]
            if re.search(r"\b(in|at)\s+(?:the\s+)?(?:city of\s+)?$", before) or \
                    (m.start == s.start and re.match(r"\s*,\s*\w+\s+\d|\s*,\s*\d", after)):
                if m.entity.kind == "place" or (m.entity.entry is not None and m.entity.entry.kind == "place"):
                    good.insert(0, m)
                else:
                    good.append(m)
        # cities before countries
        good.sort(key=lambda m: 0 if (m.entity.entry is None or m.entity.entry.kind == "place") and m.entity.kind != "country" else 1)
        return good

    def _unique(self, iri: str) -> str:
        base, n = iri, 2
        while iri in self.res:
            iri = f"{base}-{n}"
            n += 1
        return iri

    def _match_existing(self, r: Resource) -> None:
        """A meeting or signing the graph already holds: same kind, date within a day (or a stated month
        or year containing it), same place or an actor in common → its IRI."""
        d = next((x.value for x in r.literals if x.pred == "wc:date"), None)
        if not d:
            self._match_undated(r)
            return
        cls = r.types[0].split(":")[1]
        loc = next((lk.obj for lk in r.links if lk.pred == "wc:location"), None)
        actors = {lk.obj for lk in r.links if lk.pred in ("wc:party", "wc:participant", "wc:organiser", "wc:chair",
                                                         "wc:coChair", "wc:signatory")}
        for old in self.gaz.dated:
            if old.kind != r.kind or not (cls in old.classes or (cls == "Agreement") or
                                          (old.classes & {"Meeting", "Consultation"} and cls in ("Meeting", "Consultation"))):
                continue
            if not _dates_compatible(d, old.date):
                continue
            if (loc and old.location == loc) or (actors & old.actors):
                if old.iri in self.res:
                    continue
                r.iri = old.iri
                r.new = False
                return

    def _match_undated(self, r: Resource) -> None:
        """An event or agreement the article states without a date is the one the graph holds when
        exactly one of the same kind, with the same place or an actor in common, has a date near
        the publication (60 days before to 180 days after): news reports recent events."""
        if self.a.published is None:
            return
        cls = r.types[0].split(":")[1]
        loc = next((lk.obj for lk in r.links if lk.pred == "wc:location"), None)
        actors = {lk.obj for lk in r.links if lk.pred in ("wc:party", "wc:participant", "wc:organiser", "wc:chair",
                                                         "wc:coChair", "wc:signatory", "wc:meetingOf")}
        lo, hi = self.a.published - timedelta(days=60), self.a.published + timedelta(days=180)
        if not actors and not loc:
            # "The meeting also featured …" with no actor in its sentences: the article's organisations
            actors = {e.iri for e in self.entities if e.kind == "organisation"}
        found = []
        for old in self.gaz.dated:
            if old.kind != r.kind or old.iri in self.res or not (
                    cls in old.classes or cls == "Agreement" or
                    (old.classes & {"Meeting", "Consultation"} and cls in ("Meeting", "Consultation"))):
                continue
            span = _date_span(old.date)
            if span is None or span[1] < lo or span[0] > hi:
                continue
            if (loc and old.location == loc) or (actors & old.actors):
                found.append(old)
        if len(found) == 1:
            r.iri = found[0].iri
            r.new = False
            r.literals = [x for x in r.literals if x.value != UNDATED_NOTE]

    def _short_name(self, iri: str) -> str:
        r = self.res.get(iri)
        e = r.entity if r else None
        if e is not None:
            return e.acronym or e.label
        if r is not None:
            return r.label or iri.rsplit("/", 1)[-1]
        return iri.rsplit("/", 1)[-1]

    def _label_of(self, iri: str) -> str:
        r = self.res.get(iri)
        return (r.label if r and r.label else iri.rsplit("/", 1)[-1])

    def _post_org(self, person: Mention) -> Mention | None:
        if not person.post:
            return None
        a, b, _ = person.post
        inside = [m for m in self.mentions if m.kind != "person" and a <= m.start and m.end <= b
                  and m.entity.kind in ("organisation",)]
        if inside:
            return inside[0]
        return None


def _date_span(value: str) -> tuple[date, date] | None:
    """The days a date of day, month or year precision covers."""
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return d, d
        if len(value) == 7:
            y, m = int(value[:4]), int(value[5:7])
            nxt = date(y + (m == 12), m % 12 + 1, 1)
            return date(y, m, 1), nxt - timedelta(days=1)
        if len(value) == 4:
            return date(int(value), 1, 1), date(int(value), 12, 31)
    except ValueError:
        return None
    return None
