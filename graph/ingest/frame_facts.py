"""Frames stage, facts about things: posts (``org:Membership``), programme facts (funders,
implementers, partners, parent programme, period), treaty participation
(``wc:Participation``), counted claims (``wc:CountedClaim``), adoption of documents, and
amounts (``wc:MonetaryAmount``)."""
from __future__ import annotations

import re

from .article import slugify
from .frame_base import FrameBase
from .frame_vocab import (AMOUNT, COUNTED, COUNTED_CLASS, CURRENCIES, FRAMEWORK, NUMBER_WORDS, PARTICIPATION,
                          PARTICIPATION_STATUS, QUALIFIERS, Resource, _amount_value, _curie_iri, _date_type,
                          _post_core, _post_role)
from .gazetteer import norm
from .mentions import Mention


class FactFrames(FrameBase):
    # -- posts -------------------------------------------------------------------------
    def _posts(self) -> None:
        for m in self.mentions:
            if m.kind != "person" or not m.post or m.entity is None:
                continue
            org = self._post_org(m)
            if org is None:
                org = self._org_for_post(m.post[2])
            if org is None:
                continue
            org_iri = org.entity.iri if isinstance(org, Mention) else org.iri
            org_text = org.text if isinstance(org, Mention) else None
            person = m.entity
            ev = next((e for e in self.events if m.sent in e.sents), None)
            as_of = next((x.value for x in ev.literals if x.pred == "wc:date"), None) if ev else None
            as_of = as_of or (self.a.published.isoformat() if self.a.published else None)
            post = m.post[2]
            slug = f"{person.iri.rsplit('/', 1)[-1]}-{slugify(_post_core(post), 30)}" + (f"-{as_of}" if as_of else "")
            iri = f"{self.base}membership/{slug}"
            if iri in self.res:
                continue
            r = Resource(iri, "membership", ["org:Membership"], label=f"{person.label}, {post}", confidence=0.75)
            r.link("org:member", person.iri, m.sent, m.text, 0.8)
            if org_text and org.sent == m.sent:
                r.link("org:organization", org_iri, m.sent, org_text, 0.75)
            else:
                # named in the post phrase by another form: the post phrase itself names it
                r.link("org:organization", org_iri, m.sent, post, 0.6,
                       inferred=f"the post '{post}' is a post of this organisation")
            r.lit("wc:postTitle", post, lang=self.a.language)
            role = _post_role(post, self.res.get(org_iri))
            if role:
                r.link("org:role", f"{self.base}topic/{role}", m.sent)
            if as_of:
                r.lit("wc:asOf", as_of, _date_type(as_of))
            r.sents.add(m.sent)
            self.res[iri] = r

    def _org_for_post(self, post: str):
        """"Minister of Land Reclamation and Water Resources of Tajikistan" → the ministry the article names."""
        pm = re.search(r"\b(?:vice-|deputy\s+)?minister\s+(of\s+.+)$", post, re.I)
        if not pm:
            return None
        target = norm("Ministry " + pm.group(1))
        best, score = None, 0.0
        from rapidfuzz import fuzz
        for e in self.entities:
            if e.kind != "organisation":
                continue
            for lab in [e.label, *e.labels]:
                sc = fuzz.token_set_ratio(target, norm(lab)) / 100
                if sc > score:
                    best, score = e, sc
        return best if score >= 0.85 else None

    # -- programmes --------------------------------------------------------------------
    def _programmes(self) -> None:
        progs = [e for e in self.entities if e.kind == "programme"]
        orgs_by_label = {norm(lab): e for e in self.entities if e.kind == "organisation" for lab in [e.label, *(e.labels or []), *( [e.acronym] if e.acronym else [])]}
        for p in progs:
            r = self.res.get(p.iri)
            if r is None:
                continue
            # "European Union Water Initiative", "EU Water Initiative": the programme of that organisation
            for lab in [p.label, *p.labels]:
                words = lab.split()
                for k in range(min(4, len(words) - 1), 0, -1):
                    head = " ".join(words[:k])
                    hit = orgs_by_label.get(norm(head))
                    if hit is None:
                        found = self.gaz.lookup(head, {"organisation"})
                        hit = found[0] if found else None
                    if hit is not None:
                        iri = hit.iri if hit.__class__.__name__ == "Entity" else self.ensure(hit)
                        named = next((m for m in p.mentions if self.text[m.start:m.end].startswith(head)), None)
                        if named is not None:
                            r.link("wc:funder", iri, named.sent, head, 0.5,
                                   inferred=f"the programme is named after {head} ('{lab}')")
                        break
            for m in p.mentions:
                s = self.sents[m.sent]
                after = s.text[m.end - s.start:]
                for pred, rx in (("wc:funder", r"\bfunded by\b|\bfinanced by\b"), ("wc:implementer", r"\bimplemented by\b|\bcoordinated (?:jointly )?by\b|\bexecuted by\b|\bmanaged by\b"),
                                 ("wc:supporter", r"\bsupported by\b|\bwith (?:the )?support of\b"), ("wc:partner", r"\bin partnership with\b")):
                    cm = re.search(rx, after)
                    if cm and cm.start() < 80:
                        for o in self.in_sent(m.sent, {"organisation", "country"}, m.end + cm.end(), s.end):
                            iri, txt = self.actor(o)
                            r.link(pred, iri, m.sent, txt, 0.7)
                fm = re.search(r"(\b[A-Z][\w-]*|\b[A-Z]{2,})-(funded|supported|financed)\b", s.text[max(0, m.start - s.start - 40):m.start - s.start])
                if fm:
                    ent = self.gaz.lookup(fm.group(1), {"organisation"}) or []
                    art = orgs_by_label.get(norm(fm.group(1)))
                    iri = art.iri if art else (self.ensure(ent[0]) if ent else None)
                    if iri:
                        r.link("wc:funder" if fm.group(2) != "supported" else "wc:supporter", iri, m.sent, fm.group(1), 0.75)
                # "Conducted within the framework of the X, the Y" / "Y ... within the framework of X"
                fw = FRAMEWORK.search(s.text)
                if fw:
                    others = [o for o in self.in_sent(m.sent, {"programme"}, s.start + fw.end(), s.end) if o.entity is not p]
                    if others and (m.start < s.start + fw.start() or m.start > others[0].end):
                        r.link("wc:parentProgramme", others[0].entity.iri, m.sent, others[0].text, 0.65)
                # periods: "for 2020-2030", "2021–2025"
                pm = re.search(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b", s.text[m.start - s.start:m.end - s.start + 30])
                if pm and pm.start() <= m.end - m.start + 10:
                    r.lit("wc:startDate", pm.group(1), "gYear")
                    r.lit("wc:endDate", pm.group(2), "gYear")

    # -- treaty participation ----------------------------------------------------------
    def _participation(self) -> None:
        for s in self.sents:
            for cm in PARTICIPATION.finditer(s.text):
                cue_at = s.start + cm.start()
                docs = [m for m in self.in_sent(s.index, {"policy"}) if m.start > cue_at and m.start - cue_at < 80]
                if not docs:
                    continue
                doc = docs[0]
                if not re.search(r"\b(protocol|convention|treaty|agreement|charter)\b", doc.entity.label, re.I):
                    continue
                states = [m for m in self.in_sent(s.index, {"country"}) if m.end <= cue_at and cue_at - m.end < 60]
                if not states:
                    continue
                st = states[-1]
                sti, txt = self.actor(st)
                cue = cm.group("cue").lower()
                status = PARTICIPATION_STATUS.get(cue, PARTICIPATION_STATUS.get(cue.split()[0], "status-in-accession"))
                slug = f"{sti.rsplit('/', 1)[-1]}-{doc.entity.iri.rsplit('/', 1)[-1]}"
                iri = f"{self.base}participation/{slug}"
                r = self.res.get(iri) or Resource(iri, "participation", ["wc:Participation"],
                                                  label=f"{st.entity.label} and the {doc.entity.label}", confidence=0.7)
                r.link("wc:participatingParty", sti, s.index, txt, 0.75)
                r.link("wc:participatesIn", doc.entity.iri, s.index, doc.text, 0.75)
                if not any(lk.pred == "wc:status" for lk in r.links):
                    r.link("wc:status", f"{self.base}topic/{status}", s.index)
                r.sents.add(s.index)
                self.res[iri] = r

    # -- counted claims ----------------------------------------------------------------
    def _claims(self) -> None:
        for s in self.sents:
            for cm in COUNTED.finditer(s.text):
                num = cm.group("num").lower()
                count = int(num) if num.isdigit() else NUMBER_WORDS.get(num)
                if not count or (num.isdigit() and 1900 <= count <= 2100):
                    continue
                noun = cm.group("noun").lower()
                at = s.start + cm.start()
                subj = [m for m in self.in_sent(s.index, {"organisation", "programme"}) if m.end <= at]
                if not subj:
                    continue
                subject = subj[-1]
                cls = COUNTED_CLASS.get(noun.split(" of ")[0], "wc:Organisation")
                prop = "wc:party" if cls in ("wc:Agreement", "wc:MemorandumOfUnderstanding") else "org:hasMember"
                slug = f"{subject.entity.iri.rsplit('/', 1)[-1]}-{count}-{slugify(noun, 30)}"
                iri = f"{self.base}claim/{slug}"
                r = Resource(iri, "claim", ["wc:CountedClaim"], label=f"{subject.entity.label}: {count} {noun}",
                             confidence=0.6)
                r.link("wc:claimSubject", subject.entity.iri, s.index, subject.text, 0.65)
                r.lit("wc:count", count, "nonNegativeInteger")
                r.link("wc:countedClass", _curie_iri(cls), s.index)
                r.link("wc:countedProperty", _curie_iri(prop), s.index)
                q = (cm.group("qual") or "").lower()
                r.link("wc:countQualifier", f"{self.base}topic/amount-{QUALIFIERS.get(q, 'exact')}", s.index)
                r.lit("wc:asWritten", cm.group(0)[cm.start("num") - cm.start():].strip() if not q else cm.group(0)[cm.start("qual") - cm.start():].strip())
                r.sents.add(s.index)
                self.res[iri] = r

    # -- adoption ----------------------------------------------------------------------
    def _adoption(self) -> None:
        for s in self.sents:
            am = re.search(r"\b(adopted|approved|endorsed)\b", s.text)
            if not am:
                continue
            ev = next((e for e in self.events if s.index in e.sents), None)
            docs = self.in_sent(s.index, {"policy"})
            target, target_text = None, None
            if docs:
                target, target_text = docs[0].entity.iri, docs[0].text
            else:
                wm = re.search(r"\b(?:its|the|a|their)\s+((?:new\s+)?(?:work\s*plan|workplan|action plan|strategy|roadmap|"
                               r"work programme|programme of work|resolution|declaration|statute|charter|rules of procedure)"
                               r"(?:\s+for\s+((?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?))?)", s.text[am.start() - 60 if am.start() > 60 else 0:], re.I)
                if wm:
                    owner = [m for m in self.in_sent(s.index, {"organisation", "programme"}) if m.start < s.start + am.start()]
                    owner_label = owner[-1].entity.label if owner else None
                    label = f"{wm.group(1)[0].upper()}{wm.group(1)[1:]}" + (f" of the {owner_label}" if owner_label else "")
                    iri = f"{self.base}policy/{slugify(((owner[-1].entity.acronym or owner_label) + ' ' if owner else '') + wm.group(1), 60)}"
                    if iri not in self.res:
                        r = Resource(iri, "policy", ["wc:PolicyDocument"], label=label, confidence=0.6)
                        r.sents.add(s.index)
                        if owner:
                            r.link("dcterms:creator", owner[-1].entity.iri, s.index, owner[-1].text, 0.6)
                        self.res[iri] = r
                    target, target_text = iri, wm.group(1)
            if target is None:
                continue
            doc = self.res.get(target)
            if doc is not None:
                doc.link("wc:status", f"{self.base}topic/status-adopted", s.index)
                doc.sents.add(s.index)
            if ev is not None:
                ev.link("wc:discusses", target, s.index, target_text, 0.6)
            else:
                dates = [d for d in self.dates_in(s.index)]
                if not dates:
                    continue
                when = dates[0]
                adopter = [m for m in self.in_sent(s.index, {"organisation", "country"}) if m.start < s.start + am.start()]
                label = f"Adoption of the {self._label_of(target)}"
                iri = self._unique(f"{self.base}event/{when.value}-adoption-{target.rsplit('/', 1)[-1]}"[:120])
                e = Resource(iri, "event", ["wc:Adoption", "wc:Event"], label=label, confidence=0.6)
                e.lit("wc:date", when.value, _date_type(when.value))
                e.link("dcterms:type", f"{self.base}topic/event-kind-adoption", s.index)
                e.link("wc:discusses", target, s.index, target_text, 0.6)
                if adopter:
                    iri_a, txt = self.actor(adopter[-1])
                    e.link("wc:participant", iri_a, s.index, txt, 0.65)
                e.sents.add(s.index)
                self.res[iri] = e
                self.events.append(e)

    # -- amounts -----------------------------------------------------------------------
    def _amounts(self) -> None:
        for s in self.sents:
            owners = [r for r in self.res.values() if r.kind in ("agreement", "programme") and s.index in r.sents]
            if not owners:
                continue
            for am in AMOUNT.finditer(s.text):
                if not (am.group("pre") or am.group("post")) or not am.group("num"):
                    continue
                value = _amount_value(am.group("num"), am.group("scale"))
                if value is None:
                    continue
                cur = None
                for rx, code in CURRENCIES:
                    if rx.fullmatch((am.group("pre") or am.group("post") or "").strip()):
                        cur = code
                        break
                if cur is None:
                    continue
                q = (am.group("qual") or "").strip().lower()
                owner = next((r for r in owners if r.kind == "agreement"), owners[0])
                owner.nodes.append({"type": "wc:MonetaryAmount", "schema:value": value, "schema:currency": cur,
                                    "wc:amountQualifier": f"{self.base}topic/amount-{QUALIFIERS.get(q, 'exact')}",
                                    "wc:asWritten": am.group(0).strip(), "sent": s.index})
