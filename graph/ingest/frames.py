"""Stage 4, frames: what the article states about the entities it names.

Rule-based frames over sentences, each fact tied to the sentence that states it:

- **events**: a trigger ("meeting", "consultation", "signed", "inauguration", "workshop",
  "joined" …) with a stated date makes an event; "the meeting", "the event" in later
  sentences refer back to it. Roles come from cue phrases: "chaired by", "co-chaired by",
  "opened by", "organized by", "with the support of", "within the framework of",
  "participants … following organizations:", "X meeting" / "meeting of X" (``wc:meetingOf``);
  location from "in/at <place>" or a dateline; status planned (future tense, or after the
  publication date) or held. "the day after X was signed" dates the signing a day before;
- **agreements**: signed memoranda, communiqués, statements of intent, grants, loans,
  cooperation agreements with parties ("between A and B", the subject of "signed"),
  signatories ("signed by") with a ``wc:Signature`` on behalf of their organisation, date,
  place and amount;
- **posts**: a person's post phrase → ``org:Membership`` with the organisation it names;
- **programme facts**: "funded by", "X-funded", "implemented by", "coordinated by", "with
  the support of", "within the framework of" (``wc:parentProgramme``);
- **treaty participation**: "Kazakhstan's accession to / joining / ratification of <policy>"
  → ``wc:Participation`` of the state;
- **counted claims**: "consisting of officials representing 20 ministries and agencies",
  "includes 35 partner organisations" → ``wc:CountedClaim``;
- **adoption**: "X adopted <document>" → the document's status adopted; an adoption not
  at an event of the article is a ``wc:Adoption`` event of its own;
- **amounts**: "about US$5.3 million" → ``wc:MonetaryAmount`` (ISO 4217 code, value in units).
"""
from __future__ import annotations

from .frame_events import EventFrames
from .frame_facts import FactFrames
from .frame_vocab import (AGREEMENT_KINDS, EVENT_TRIGGERS, Link, Literal_, Resource, org_class)
from .link import country_of


class Frames(EventFrames, FactFrames):
    """Builds the draft's resources from the article's sentences and linked entities."""

    # -- events and agreements ---------------------------------------------------------
    def run(self) -> dict[str, Resource]:
        self._entities()
        last_event: Resource | None = None
        schedule: str | None = None     # "Dates of the consultations in other countries:" → its event kind
        for s in self.sents:
            dates = self.dates_in(s.index)
            if schedule and s.standalone and dates and dates[0].start - s.start <= 2 and len(s.text) < 120:
                # a schedule line: "June 23, 2017 - Tashkent, Republic of Uzbekistan"
                last_event = self._schedule_line(schedule, s, dates[0]) or last_event
                continue
            schedule = self._schedule_kind(s)
            if s.title_case or (s.standalone and len(s.text) < 60 and dates and
                                len(dates[0].text) >= len(s.text) - 20):
                continue
            last_event = self._sentence(s, last_event) or last_event
        self._posts()
        self._programmes()
        self._participation()
        self._claims()
        self._adoption()
        self._amounts()
        for r in list(self.res.values()):
            if r.kind == "event":
                self._event_status(r)
        return self.res

    def _entities(self) -> None:
        for e in self.entities:
            kind = e.kind
            if kind in ("country",) or (kind == "place" and e.entry is not None and e.entry.kind == "country"):
                kind = "place"
            types = {"organisation": ["wc:Organisation"], "person": ["wc:Person"], "place": ["wc:Place"],
                     "country": ["wc:Country", "wc:Place"], "basin": ["wc:Basin", "wc:Place"],
                     "programme": ["wc:Programme"], "policy": ["wc:PolicyDocument"]}.get(e.kind, ["wc:Organisation"])
            if e.kind == "organisation":
                cls = org_class(e.label, e.acronym)
                if cls:
                    types = [cls, "wc:Organisation"]
            if e.kind == "place" and e.entry is not None and e.entry.kind == "country":
                types = ["wc:Country", "wc:Place"]
            r = Resource(e.iri, e.kind, types, label=e.label, alt=sorted({*e.labels, *([e.acronym] if e.acronym else [])} - {e.label}),
                         confidence=e.confidence, entity=e)
            r.new = e.status == "new"
            for m in e.mentions:
                r.sents.add(m.sent)
            if e.kind == "organisation" and r.new:
                if e.parent:
                    r.link("org:subOrganizationOf", e.parent if isinstance(e.parent, str) else e.parent.iri, e.first.sent,
                           e.first.text, 0.8)
                c = e.country or country_of(e.label, self.gaz)
                if c:
                    r.link("wc:country", c, e.first.sent, e.first.text, 0.7)
            self.res[e.iri] = r


__all__ = ["Frames", "Resource", "Link", "Literal_", "org_class", "AGREEMENT_KINDS", "EVENT_TRIGGERS"]
