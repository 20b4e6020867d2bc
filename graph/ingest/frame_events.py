"""Frames stage, events: a trigger ("meeting", "consultation", "signed", "inauguration",
"workshop", "joined" …) makes an event; "the meeting", "the event" in later sentences refer
back to it. Roles come from cue phrases ("chaired by", "co-chaired by", "opened by",
"organized by", "with the support of", "within the framework of", "participants …
following organizations:", "X meeting" / "meeting of X"); location from "in/at <place>" or a
dateline; status planned (future tense, or after the publication date) or held."""
from __future__ import annotations

import re

from .article import slugify
from .dates import When
from .frame_agreements import AgreementFrames
from .frame_vocab import (ACTIVE_ROLES, AGREEMENT_KINDS, CUE_ROLES, EVENT_NOUN, DEFINITE, EVENT_CORE, EVENT_KIND_CONCEPT, EVENT_TRIGGERS,
                          FRAMEWORK, FUTURE, GENERIC_EVENT, NEXT_EVENT, OCCURS, PAST, UNDATED_NOTE, Resource, _date_type, _hid,
                          _ordinal_word)
from .mentions import ORDINALS
from .segment import Sentence


class EventFrames(AgreementFrames):
    # long: the event rules of one sentence in the order they fire (triggers, then dates, places, roles)
    def _sentence(self, s: Sentence, last_event: Resource | None) -> Resource | None:
        i = s.index
        low = s.text.lower()
        triggers = []
        for cls, rx in EVENT_TRIGGERS:
            for m in rx.finditer(s.text):
                if cls == "Meeting" and m.group(1).lower() == "met" and not re.search(r"\bmet (?:in|at|on|with)\b", low):
                    continue
                if cls == "SigningCeremony" and not any(r.search(s.text) for _, r in AGREEMENT_KINDS):
                    continue
                triggers.append((m.start(), cls, m))
        triggers.sort(key=lambda t: t[0])
        dates = [d for d in self.dates_in(i)]
        day_dates = [d for d in dates if d.precision in ("day", "month")]
        created: Resource | None = None
        definite = DEFINITE.search(s.text)
        handled_classes: set[str] = set()
        for pos, cls, m in triggers:
            if cls in handled_classes:
                continue
            handled_classes.add(cls)
            # a definite reference ("The meeting was chaired") continues the latest event of that kind
            if definite and definite.start() <= pos <= definite.end() + 2 and cls != "SigningCeremony" and \
                    not NEXT_EVENT.search(definite.group(0)):
                prev = self._latest(cls) or last_event
                if prev is not None:
                    self._roles(prev, i)
                    created = created or prev
                    continue
            if cls == "SigningCeremony":
                ev = self._signing(s, m, day_dates, last_event)
                if ev is None and not day_dates and re.search(r"\bsigning ceremony\b|\bceremony of (?:the )?signing\b", low):
                    # "The meeting also featured a signing ceremony for five agreements": the ceremony is
                    # stated, its date is not
                    ev = self._undated("SigningCeremony") or self._new_event("SigningCeremony", s, None, m)
                    for kind_rx in (rx for _, rx in AGREEMENT_KINDS):
                        km = kind_rx.search(s.text)
                        if km:
                            for p_iri, p_text in self._parties(s, m, km):
                                ev.link("wc:participant", p_iri, i, p_text, 0.65)
                            break
                if ev is not None:
                    created = created or ev
                continue
            if cls == "Milestone":
                year_dates = [d for d in dates]
                if not year_dates:
                    continue
                ev = self._new_event(cls, s, year_dates[0], m)
                created = created or ev
                continue
            when = day_dates[0] if day_dates else None
            if when is None and dates and OCCURS.search(s.text):
                when = dates[0]   # "was held in Almaty last year", "took place in 2019": the year it states
            if when is None:
                # no date in the sentence: an event only when the sentence says it happens (held, took
                # place, hosted, attended, visited …) and the trigger is not generic ("regular meetings")
                if not OCCURS.search(s.text) or GENERIC_EVENT.search(s.text[max(0, pos - 30):pos]) or \
                        (m.group(1).lower().endswith("s") and cls not in ("OfficialVisit", "Conference")
                         and m.group(1).lower() not in ("talks",)):
                    continue   # plural "consultations will be held": a series, its events come dated
                prev = self._undated(cls)
                if prev is not None:
                    self._roles(prev, i)
                    created = created or prev
                    continue
                ev = self._new_event(cls, s, None, m)
                created = created or ev
                continue
            prev = self._find_event(cls, when)
            if prev is not None:
                self._roles(prev, i)
                created = created or prev
                continue
            ev = self._new_event(cls, s, when, m)
            created = created or ev
        if created is None and day_dates and i > 0 and re.search(
                r"\b(will take place|took place|was held|will be held|is held|were held|is scheduled)\b", low):
            # "The first will take place on June 15 2017 in Astana": the kind comes from the sentence before
            prev_text = self.sents[i - 1].text
            for cls, rx in EVENT_TRIGGERS:
                m = rx.search(prev_text)
                if m and cls not in ("SigningCeremony", "Milestone"):
                    mm = re.search(r"\b(take place|took place|held|scheduled)\b", s.text)
                    return self._new_event(cls, s, day_dates[0], mm)
        if created is None and last_event is not None and re.search(
                r"\b(the (?:meeting|event|session|consultation|conference|workshop|forum|training|seminar|round ?table)|"
                r"participants|took part|participated)\b", low):
            self._roles(last_event, i)
            return last_event
        return created

    def _schedule_kind(self, s: Sentence) -> str | None:
        """The event kind of a line introducing a schedule ("Dates of consultative meetings in other
        countries:"), or None."""
        if not s.text.rstrip().endswith(":") or len(s.text) > 160:
            return None
        for cls, rx in EVENT_TRIGGERS:
            if cls not in ("SigningCeremony", "Milestone", "OfficialVisit") and rx.search(s.text):
                return cls
        return None

    def _schedule_line(self, cls: str, s: Sentence, when: When) -> Resource | None:
        """One event of a schedule: its date starts the line, its place follows."""
        if not self._location_any(s):
            return None
        trig = re.search(re.escape(when.text), s.text)
        if trig is None:
            return None
        prev = self._find_event(cls, when)
        if prev is not None:
            self._roles(prev, s.index)
            return prev
        places = self._location_any(s)
        # cities before countries ("Tashkent, Republic of Uzbekistan")
        places.sort(key=lambda m: 0 if m.entity.kind == "place" and (m.entity.entry is None or m.entity.entry.kind != "country") else 1)
        return self._new_event(cls, s, when, trig, places=places)

    def _location_any(self, s: Sentence) -> list:
        return [m for m in self.in_sent(s.index, {"place", "country"})]

    def _undated(self, cls: str) -> Resource | None:
        """The article's undated event of this kind, if it drafted one already (one per kind)."""
        for ev in self.events:
            if ev.types[0] == f"wc:{cls}" and not any(x.pred == "wc:date" for x in ev.literals):
                return ev
        return None

    def _latest(self, cls: str) -> Resource | None:
        for ev in reversed(self.events):
            if cls in ev.types[0] or ev.types[0] == f"wc:{cls}":
                return ev
        return self.events[-1] if self.events else None

    # long: one event from its trigger: body, date, places, label, each step reading the ones before
    def _new_event(self, cls: str, s: Sentence, when: When | None, trig: re.Match, *, date_value: str | None = None,
                   inferred: str | None = None, places: list | None = None) -> Resource:
        i = s.index
        value = date_value or (when.value if when else None)
        # the body whose meeting it is: "Steering Committee meeting", "meeting of the working group"
        body = None
        tstart = s.start + trig.start()
        orgs = self.in_sent(i, {"organisation"})
        for m in orgs:
            gap = self.text[m.end:tstart]
            if 0 <= tstart - m.end <= 2 and not gap.strip():
                body = m
            after = self.text[s.start + trig.end():m.start]
            if m.start > tstart and re.fullmatch(r"\s+of\s+(?:the\s+)?", after):
                body = body or m
        ordinal = None
        before = self.text[max(s.start, tstart - 80):tstart].lower()
        om = re.search(r"\b(" + "|".join(ORDINALS) + r")\b[^.,;]*$", before)
        if om:
            ordinal = ORDINALS[om.group(1)]
        programme = None
        fw = FRAMEWORK.search(s.text)
        if fw:
            progs = self.in_sent(i, {"programme"}, s.start + fw.end(), s.end)
            programme = progs[0] if progs else None
        of_prog = None
        if programme is None:
            progs = [m for m in self.in_sent(i, {"programme"}) if m.start > tstart and m.start - tstart < 60]
            of_prog = progs[0] if progs else None
        core = EVENT_CORE.get(cls, "event")
        title = {"Milestone": "Milestone", "SigningCeremony": "Signing ceremony", "OfficialVisit": "Official visit",
                 "SideEvent": "Side event"}.get(cls, cls)
        subject = body.entity.label if body else (programme or of_prog).entity.label if (programme or of_prog) else None
        if cls == "Milestone":
            actors = self.in_sent(i, {"country", "organisation", "place"})
            actors = [a for a in actors if a.start < tstart]
            target = self.in_sent(i, {"programme", "organisation", "policy"}, tstart, s.end)
            if actors and target:
                subject = f"{actors[-1].entity.label} joins {target[0].entity.label}"
        label = (f"{'%s ' % _ordinal_word(ordinal) if ordinal else ''}{title.lower() if ordinal else title}"
                 + (f" of the {subject}" if subject and cls != "Milestone" else f": {subject}" if subject else ""))
        label = label[0].upper() + label[1:]
        places = places if places is not None else self._location(s)
        if not subject and places:
            label += f" in {places[0].entity.label}"
        slug_core = slugify((body.entity.acronym or body.entity.label) if body else
                            ((programme or of_prog).entity.acronym or (programme or of_prog).entity.label) if (programme or of_prog)
                            else (places[0].entity.label if places else core), 40)
        slug = "-".join(x for x in [value, slug_core, core if core not in slug_core else None, str(ordinal) if ordinal else None] if x)
        if not value:
            # no date: the identifier carries none (docs/model.md §4) but names the article, so that two
            # articles' undated "meeting in Astana" do not merge by accident
            slug = f"{slug}-{_hid(self.a.slug)[:6]}"
        iri = self._unique(f"{self.base}event/{slug}")
        ev = Resource(iri, "event", [f"wc:{cls}", "wc:Event"], label=label,
                      confidence=0.75 if when else (0.6 if value else 0.55))
        ev.sents.add(i)
        if not value:
            ev.lit("skos:note", UNDATED_NOTE, lang="en")
        if value:
            ev.lit("wc:date", value, _date_type(value))
            if inferred or (when and when.inferred):
                ev.lit("skos:note", f"The date is inferred: {inferred or when.reason}.", lang="en")
        concept = EVENT_KIND_CONCEPT.get(cls)
        if concept:
            ev.link("dcterms:type", f"{self.base}topic/{concept}", i)
        if ordinal:
            ev.lit("wc:ordinal", ordinal, "positiveInteger")
        if body:
            ev.link("wc:meetingOf", body.entity.iri, i, body.text, 0.75)
            ev.link("wc:participant", body.entity.iri, i, body.text, 0.7)
        if programme:
            ev.link("wc:partOf", programme.entity.iri, i, programme.text, 0.75)
        elif of_prog and cls != "Milestone":
            ev.link("wc:partOf", of_prog.entity.iri, i, of_prog.text, 0.65)
        if places:
            ev.link("wc:location", places[0].entity.iri, i, places[0].text, 0.75)
        if cls == "Milestone":
            actors = [a for a in self.in_sent(i, {"country", "organisation", "place"}) if a.start < tstart]
            if actors:
                iri_a, txt = self.actor(actors[-1])
                ev.link("wc:participant", iri_a, i, txt, 0.7)
            target = self.in_sent(i, {"programme", "organisation", "policy"}, tstart, s.end)
            if target:
                ev.link("wc:partOf" if target[0].entity.kind == "programme" else "wc:discusses", target[0].entity.iri, i,
                        target[0].text, 0.65)
        self.events.append(ev)
        self._roles(ev, i)
        self._match_existing(ev)   # after the roles: an actor in common identifies it
        self.res[ev.iri] = ev
        return ev

    # long: one walk of the role cues, with each role's exceptions beside its cue
    def _roles(self, ev: Resource, i: int) -> None:
        ev.sents.add(i)
        for pred, rx, kinds in CUE_ROLES:
            for m, _cue in self._after(i, rx, kinds | {"country"}):
                if m.entity.kind not in kinds and not (m.entity.kind in ("country", "place") and "state" in kinds):
                    continue
                if m.entity.kind == "person" and pred == "wc:organiser":
                    continue
                cue_at = self.sents[i].start + _cue.start()
                if pred == "wc:supporter" and any(p.sent == i and 0 <= cue_at - p.end <= 3 for p in self.mentions
                                                  if p.entity is not None and p.entity.kind == "programme"):
                    continue   # 'the project "X" funded by the EU': the programme's funder, not the event's
                iri, txt = self.actor(m) if m.entity.kind != "person" else (m.entity.iri, m.text)
                ev.link(pred, iri, i, txt, 0.75)
                if pred in ("wc:chair", "wc:coChair", "wc:openedBy", "wc:speaker", "wc:moderator"):
                    ev.link("wc:participant", iri, i, txt, 0.7)
        # active voice: "Ms. X, Deputy Director General of Y, opened the training"
        s = self.sents[i]
        for m in self.in_sent(i, {"person", "organisation", "country"}):
            if m.kind != "person" and any(p.post and p.post[0] <= m.start < p.post[1] for p in self.mentions
                                          if p.kind == "person" and p.sent == i):
                continue   # the body in a person's post ("Deputy Director General of Kazhydromet, opened …")
            end = max(m.end, m.post[1]) if m.post and m.post[1] > m.end else m.end
            gap = re.match(r"[\s,]*(?:\([^)]{1,20}\)[\s,]*)?", self.text[end:s.end])
            rest = self.text[end + (gap.end() if gap else 0):s.end]
            for pred, rx, kinds in ACTIVE_ROLES:
                vm = rx.match(rest)
                if vm and m.entity.kind in kinds | ({"country"} if "state" in kinds else set()) and \
                        re.match(r"\s+(?:the|a|an|this|its)\s+(?:[\w-]+\s+){0,3}?(?:" + EVENT_NOUN + r")", rest[vm.end():], re.I):
                    iri, txt = self.actor(m) if m.entity.kind != "person" else (m.entity.iri, m.text)
                    ev.link(pred, iri, i, txt, 0.7)
                    if pred != "wc:organiser":
                        ev.link("wc:participant", iri, i, txt, 0.7)
                    break
        # "Representatives of FAO, USAID and GIZ also took part": the names before the verb
        tp = re.search(r"\b(?:also )?(?:took part|participated|were present|joined (?:the|it))\b", s.text)
        if tp:
            for m in self.in_sent(i, {"organisation", "person", "country"}, s.start, s.start + tp.start()):
                if m.entity.kind != "person" and any(p.post and p.post[0] <= m.start < p.post[1] for p in self.mentions
                                                     if p.kind == "person" and p.sent == i):
                    continue
                iri, txt = self.actor(m) if m.entity.kind != "person" else (m.entity.iri, m.text)
                ev.link("wc:participant", iri, i, txt, 0.65)
        # participants listed after "organizations:"
        s = self.sents[i]
        lm = re.search(r"\b(?:participants?|attendees|representatives)\b[^.]*?:", s.text, re.I)
        if lm:
            for m in self.in_sent(i, {"organisation"}, s.start + lm.end(), s.end):
                ev.link("wc:participant", m.entity.iri, i, m.text, 0.7)
        # documents discussed / adopted at the event
        for m in self.in_sent(i, {"policy"}):
            ev.link("wc:discusses", m.entity.iri, i, m.text, 0.6)
        fw = FRAMEWORK.search(s.text)
        if fw and not any(lk.pred == "wc:partOf" for lk in ev.links):
            progs = self.in_sent(i, {"programme"}, s.start + fw.end(), s.end)
            if progs:
                ev.link("wc:partOf", progs[0].entity.iri, i, progs[0].text, 0.7)
        if not any(lk.pred == "wc:location" for lk in ev.links):
            places = self._location(s)
            if places and re.search(r"\b(held|take place|took place|in the city|gathered|met)\b", s.text):
                ev.link("wc:location", places[0].entity.iri, i, places[0].text, 0.7)

    def _event_status(self, ev: Resource) -> None:
        texts = " ".join(self.sents[i].text for i in sorted(ev.sents) if i >= 0)
        first = self.sents[min(i for i in ev.sents if i >= 0)].text
        d = next((x.value for x in ev.literals if x.pred == "wc:date"), None)
        status = None
        if FUTURE.search(first) and not re.search(r"\b(was held|took place|were held)\b", first):
            status = "planned"
        elif PAST.search(first):
            status = "held"
        if d and self.a.published and len(d) < 10 and d > self.a.published.isoformat()[:len(d)]:
            status = "planned"   # "in November" of an article of October, "in 2022" of one of 2021
        if d and self.a.published and len(d) == 10:
            status = "planned" if d > self.a.published.isoformat() else ("held" if status != "planned" or d < self.a.published.isoformat() else status)
        del texts
        if status:
            ev.link("wc:status", f"{self.base}topic/status-{status}", min(i for i in ev.sents if i >= 0))
