"""Frames stage, agreements: signed memoranda, communiqués, statements of intent, grants, loans,
cooperation agreements with parties ("between A and B", the subject of "signed"), signatories
("signed by") with a ``wc:Signature`` on behalf of their organisation, date, place; the
signing ceremony as an event."""
from __future__ import annotations

import re

from .article import slugify
from .dates import When, shift
from .frame_base import FrameBase
from .frame_vocab import AGREEMENT_KINDS, COUNTED_AGREEMENTS, AGREEMENT_SHORT, AGREEMENT_TITLE, Resource, _date_type
from .segment import Sentence


class AgreementFrames(FrameBase):
    # long: one signing sentence read in order (kind, parties, signatories, date, place); the steps share its matches
    def _signing(self, s: Sentence, trig: re.Match, day_dates: list[When], last_event: Resource | None) -> Resource | None:
        i = s.index
        kind, km = None, None
        for k, rx in AGREEMENT_KINDS:
            km = rx.search(s.text)
            if km:
                kind = k
                break
        if kind is None:
            return None
        if COUNTED_AGREEMENTS.search(s.text[max(0, km.start() - 40):km.end()]) or \
                km.group(1).lower().endswith(("agreements", "memoranda", "memorandums", "statements", "grants", "loans")):
            # "signed three agreements and sixteen memoranda", "five cooperation agreements": a count, not one
            # agreement (a counted claim holds it)
            return None
        agr_pos = s.start + km.start()
        # "The Memorandum was signed by ..." continues the latest agreement
        definite = re.search(r"\b(the|this|that)\s+" + re.escape(km.group(1)), s.text, re.I)
        if definite and self.agreements and not re.search(r"\bbetween\b", s.text[definite.end():definite.end() + 20]):
            agr = self.agreements[-1]
            ev = next((e for e in self.events if any(lk.pred == "wc:signedAt" for lk in agr.links) and
                       any(lk.obj == e.iri for lk in agr.links)), None)
            if ev is None and day_dates and agr.new and not any(x.pred == "wc:date" for x in agr.literals) and \
                    re.search(r"\b(?:was|were) signed\b", s.text):
                # "The agreement was signed in Almaty on 6 September 2022": the date and place of the signing
                value = day_dates[0].value
                agr.lit("wc:date", value, _date_type(value))
                old_iri = agr.iri
                if agr.iri in self.res and not any(lk.obj == old_iri for r in self.res.values() for lk in r.links):
                    del self.res[old_iri]
                    agr.iri = self._unique(old_iri.replace("/agreement/", f"/agreement/{value}-", 1))
                    self.res[agr.iri] = agr
                parties = [(lk.obj, lk.mention or "") for lk in agr.links if lk.pred == "wc:party"]
                short = AGREEMENT_SHORT[agr.types[0].split(":")[1]] if agr.types[0].split(":")[1] in AGREEMENT_SHORT else "agreement"
                party_slugs = "-".join(slugify(self._short_name(p[0]), 20) for p in parties[:3])
                ev = self._ceremony(agr, s, value, None, parties, party_slugs, short, agr.label or "agreement", trig)
                agr.sents.add(i)
                if ev is not None:   # a party is evidenced by the sentence that names it
                    stated = {lk.obj: lk.sent for lk in agr.links if lk.pred == "wc:party"}
                    for lk in ev.links:
                        if lk.pred == "wc:participant" and lk.obj in stated:
                            lk.sent = stated[lk.obj]
                            ev.sents.add(lk.sent)
            self._agreement_roles(agr, s)
            return ev
        # the signing's date: "the day after X was signed" puts it a day before the sentence's date
        when = day_dates[0] if day_dates else None
        value, inferred = (when.value if when else None), None
        rel = re.search(r"\b(?:the|a|one)\s+(day|week)\s+(after|before)\b", s.text, re.I)
        if when and rel and s.start + rel.start() < agr_pos:
            days = (1 if rel.group(1).lower() == "day" else 7) * (-1 if rel.group(2).lower() == "after" else 1)
            v = shift(when.value, days)
            if v:
                value, inferred = v, (f"the article dates it '{rel.group(0)}' {when.text}")
        elif when is None and re.search(r"\btoday\b", s.text, re.I) and self.a.published:
            value, inferred = self.a.published.isoformat(), f"'today' in an article published on {self.a.published.isoformat()}"
        if value is None and not re.search(r"\b(signed|signing)\b", s.text, re.I):
            return None
        parties = self._parties(s, trig, km)
        if len(parties) < 1 and value is None:
            return None
        short = AGREEMENT_SHORT[kind]
        party_slugs = "-".join(slugify(self._short_name(p[0]), 20) for p in parties[:3])
        slug = "-".join(x for x in [value, party_slugs or None, short] if x)
        iri = self._unique(f"{self.base}agreement/{slug}")
        title = AGREEMENT_TITLE[kind]
        label = f"{title} between {' and '.join(self._label_of(p[0]) for p in parties)}" if len(parties) >= 2 else (
            f"{title} of {self._label_of(parties[0][0])}" if parties else title)
        agr = Resource(iri, "agreement", [f"wc:{kind}", "wc:Agreement"], label=label, confidence=0.8 if len(parties) >= 2 else 0.6)
        agr.sents.add(i)
        if value:
            agr.lit("wc:date", value, _date_type(value))
        for (p_iri, p_text) in parties:
            agr.link("wc:party", p_iri, i, p_text, 0.8)
        self.res[agr.iri] = agr
        self.agreements.append(agr)
        ev = self._ceremony(agr, s, value, inferred, parties, party_slugs, short, label, trig)
        self._agreement_roles(agr, s)
        self._match_existing(agr)
        return ev

    def _ceremony(self, agr: Resource, s: Sentence, value: str | None, inferred: str | None,
                  parties: list[tuple[str, str]], party_slugs: str, short: str, label: str, trig: re.Match) -> Resource | None:
        """The signing ceremony of a dated agreement (found or drafted), linked by ``wc:signedAt``."""
        i = s.index
        ev = None
        if value:
            ev = self._find_event("SigningCeremony", When(value, 0, 0, value))
            if ev is None:
                ev_slug = "-".join(x for x in [value, party_slugs or None, f"{short}-signing"] if x)
                ev = Resource(self._unique(f"{self.base}event/{ev_slug}"), "event", ["wc:SigningCeremony", "wc:Event"],
                              label=f"Signing of the {label[0].lower() + label[1:] if not label.startswith('Memorandum') else label}",
                              confidence=0.75)
                ev.sents.add(i)
                ev.lit("wc:date", value, _date_type(value))
                if inferred:
                    ev.lit("skos:note", f"The date is inferred: {inferred}.", lang="en")
                ev.link("dcterms:type", f"{self.base}topic/event-kind-signing-ceremony", i)
                places = self._location(s)
                if places:
                    ev.link("wc:location", places[0].entity.iri, i, places[0].text, 0.75)
                    agr.link("wc:location", places[0].entity.iri, i, places[0].text, 0.7)
                for (p_iri, p_text) in parties:
                    ev.link("wc:participant", p_iri, i, p_text, 0.75)
                self._match_existing(ev)
                self.res[ev.iri] = ev
                self.events.append(ev)
            agr.link("wc:signedAt", ev.iri, i, trig.group(0), 0.75)
        return ev

    def _parties(self, s: Sentence, trig: re.Match, km: re.Match) -> list[tuple[str, str]]:
        i = s.index
        out: list[tuple[str, str]] = []
        bm = re.search(r"\bbetween\b", s.text)
        kinds = {"organisation", "country", "state"}
        if bm:
            end = re.search(r"\b(was|were|is|are|has|have|which|that|on|in)\b|[,;.](?!\s*(?:and|the)\b)", s.text[bm.end():])
            b = s.start + bm.end() + (end.start() if end else len(s.text) - bm.end())
            # names in parentheses after a name are acronyms, keep going to the closing one
            ms = self.in_sent(i, kinds, s.start + bm.end(), max(b, s.start + bm.end()))
            if len(ms) < 2:
                ms = self.in_sent(i, kinds, s.start + bm.end(), s.end)[:2]
        else:
            sig = re.search(r"\b(signed|signing)\b", s.text)
            cut = s.start + (sig.start() if sig else trig.start())
            ms = [m for m in self.in_sent(i, kinds) if m.end <= cut]
            # subject: the names right before "signed"
            ms = ms[-3:]
            # "X signed a communiqué with the Spanish company Y": Y is the other party
            wm = re.search(r"\bwith\b", s.text[km.end():])
            if wm and wm.start() < 60:
                a = s.start + km.end() + wm.end()
                stop = re.search(r"\b(?:to|on|for|which|that|aimed|aiming|focusing|in order)\b|[;.]|,(?!\s*(?:and\b|the\b|[A-Z]))",
                                 self.text[a:s.end])
                b = a + (stop.start() if stop else s.end - a)
                ms = ms + self.in_sent(i, kinds, a, b)
        seen = set()
        for m in ms:
            if any(p.post and p.post[0] <= m.start < p.post[1] for p in self.mentions if p.kind == "person" and p.sent == i):
                continue
            if m.entity.kind in ("country", "place") and re.match(r"[’']s\s", self.text[m.end:m.end + 3]) and any(
                    o.sent == i and 0 < o.start - m.end <= 4 for o in self.mentions if o.kind == "organisation"):
                continue   # "China’s PowerChina International": the country qualifies the company
            iri, txt = self.actor(m)
            if iri not in seen:
                seen.add(iri)
                out.append((iri, txt))
        return out

    def _agreement_roles(self, agr: Resource, s: Sentence) -> None:
        i = s.index
        sb = re.search(r"\bsigned (?:[^.;]{0,80}? )?by\b|\bsignatories were\b|\bsigned on behalf of\b", s.text)
        if not sb:
            return
        for m in self.in_sent(i, {"person"}, s.start + sb.end(), s.end):
            agr.link("wc:signatory", m.entity.iri, i, m.text, 0.8)
            org = self._post_org(m)
            node = {"type": "wc:Signature", "wc:signatory": (m.entity.iri, m.text), "sent": i}
            if org:
                node["wc:onBehalfOf"] = (org.entity.iri, org.text)
                if not any(lk.pred == "wc:party" and lk.obj == org.entity.iri for lk in agr.links):
                    agr.link("wc:party", org.entity.iri, i, org.text, 0.7)
            if m.post:
                node["wc:postTitle"] = m.post[2]
            agr.nodes.append(node)
            # the signing ceremony has the signatory among its participants
            for lk in agr.links:
                if lk.pred == "wc:signedAt" and lk.obj in self.res:
                    self.res[lk.obj].link("wc:participant", m.entity.iri, i, m.text, 0.75)
