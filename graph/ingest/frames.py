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

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..namespaces import WCID_DEFAULT
from .article import Article, slugify
from .dates import When, find_dates, shift
from .gazetteer import Gazetteer, norm
from .link import Entity, country_of
from .mentions import ORDINALS, Mention
from .segment import Sentence


@dataclass
class Link:
    pred: str                  #: prefixed name, e.g. "wc:party"
    obj: str                   #: IRI
    sent: int                  #: sentence that states it
    mention: str | None = None  #: how that sentence names the object
    confidence: float = 0.8
    inferred: str | None = None  #: reason, when inferred


@dataclass
class Literal_:
    pred: str
    value: object
    datatype: str | None = None     #: xsd local name
    lang: str | None = None


@dataclass
class Resource:
    iri: str
    kind: str                              #: event, agreement, programme, policy, membership, participation, claim, state, organisation, person, place
    types: list[str]                       #: prefixed class names, specific first
    label: str | None = None
    alt: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    literals: list[Literal_] = field(default_factory=list)
    sents: set[int] = field(default_factory=set)
    confidence: float = 0.8
    nodes: list[dict] = field(default_factory=list)   #: qualified nodes (signatures, amounts)
    new: bool = True                       #: False when the resource exists in the graph (only new statements drafted)
    entity: Entity | None = None

    def link(self, pred: str, obj: str | None, sent: int, mention: str | None = None, conf: float = 0.8,
             inferred: str | None = None) -> None:
        if not obj or obj == self.iri:
            return
        for lk in self.links:
            if lk.pred == pred and lk.obj == obj:
                return
        self.links.append(Link(pred, obj, sent, mention, conf, inferred))
        self.sents.add(sent)

    def lit(self, pred: str, value, datatype: str | None = None, lang: str | None = None) -> None:
        if any(x.pred == pred and x.value == value for x in self.literals):
            return
        self.literals.append(Literal_(pred, value, datatype, lang))


EVENT_TRIGGERS = [
    ("SigningCeremony", re.compile(r"\b(signed|signing|signature of)\b", re.I)),
    ("Inauguration", re.compile(r"\b(inaugurat(?:ion|ed|es)|launch(?:ed)? ceremony)\b", re.I)),
    ("Consultation", re.compile(r"\b(consultations?)\b", re.I)),
    ("Conference", re.compile(r"\b(conferences?|summits?|congress)\b", re.I)),
    ("Forum", re.compile(r"\b(forum)\b", re.I)),
    ("SideEvent", re.compile(r"\b(side[- ]event)\b", re.I)),
    ("Workshop", re.compile(r"\b(workshops?|seminars?|webinars?)\b", re.I)),
    ("Training", re.compile(r"\b(training(?: course)?|study tour)\b", re.I)),
    ("OfficialVisit", re.compile(r"\b(official visit|working visit|visited)\b", re.I)),
    ("Meeting", re.compile(r"\b(meetings?|met|sessions?|roundtables?|round tables?)\b", re.I)),
    ("Milestone", re.compile(r"\b(joined|to join|became (?:a )?(?:member|party))\b", re.I)),
]
EVENT_CORE = {"SigningCeremony": "signing", "Inauguration": "inauguration", "Consultation": "consultation",
              "Conference": "conference", "Forum": "forum", "SideEvent": "side-event", "Workshop": "workshop",
              "Training": "training", "OfficialVisit": "visit", "Meeting": "meeting", "Milestone": "milestone",
              "Adoption": "adoption"}
EVENT_KIND_CONCEPT = {"Meeting": "event-kind-meeting", "Consultation": "event-kind-consultation",
                      "SigningCeremony": "event-kind-signing-ceremony", "Training": "event-kind-training",
                      "Conference": "event-kind-conference", "Forum": "event-kind-forum",
                      "SideEvent": "event-kind-side-event", "Inauguration": "event-kind-inauguration",
                      "OfficialVisit": "event-kind-official-visit", "Adoption": "event-kind-adoption",
                      "Milestone": "event-kind-milestone", "Workshop": "event-kind-workshop"}
DEFINITE = re.compile(r"\b(the|this|that|its|their)\s+(?:\w+\s+){0,2}?(meeting|event|consultation|conference|forum|"
                      r"workshop|seminar|training|session|ceremony|visit|memorandum|agreement|mou|communiqu[eé])\b", re.I)
AGREEMENT_KINDS = [
    ("MemorandumOfUnderstanding", re.compile(r"\b((?i:memorand(?:um|a) of underst\w+|memorandum)|MoU|MOU)\b")),
    ("StatementOfIntent", re.compile(r"\b((?:statement|letter|declaration) of intent)\b", re.I)),
    ("Communique", re.compile(r"\b(communiqu[eé])\b", re.I)),
    ("JointStatement", re.compile(r"\b(joint (?:statement|declaration))\b", re.I)),
    ("GrantAgreement", re.compile(r"\b(grant agreement|grant)\b", re.I)),
    ("LoanAgreement", re.compile(r"\b(loan agreement|loan)\b", re.I)),
    ("FinancingAgreement", re.compile(r"\b(financing agreement)\b", re.I)),
    ("CooperationAgreement", re.compile(r"\b(cooperation agreements?|agreements? on cooperation|co-operation agreements?)\b", re.I)),
    ("Agreement", re.compile(r"\b(agreements?|treaty|accord)\b", re.I)),
]
AGREEMENT_SHORT = {"MemorandumOfUnderstanding": "mou", "StatementOfIntent": "statement-of-intent",
                   "Communique": "communique", "JointStatement": "joint-statement", "GrantAgreement": "grant",
                   "LoanAgreement": "loan", "FinancingAgreement": "financing-agreement",
                   "CooperationAgreement": "cooperation-agreement", "Agreement": "agreement"}
AGREEMENT_TITLE = {"MemorandumOfUnderstanding": "Memorandum of Understanding", "StatementOfIntent": "Statement of Intent",
                   "Communique": "Communiqué", "JointStatement": "Joint Statement", "GrantAgreement": "Grant agreement",
                   "LoanAgreement": "Loan agreement", "FinancingAgreement": "Financing agreement",
                   "CooperationAgreement": "Cooperation agreement", "Agreement": "Agreement"}
FUTURE = re.compile(r"\b(will|shall|is to be|are to be|to be held|is scheduled|are scheduled|is planned|are planned|"
                    r"is expected|upcoming|next week|next month)\b", re.I)
PAST = re.compile(r"\b(was held|were held|took place|was signed|were signed|signed|held|adopted|inaugurated|"
                  r"was organi[sz]ed|opened|met|gathered|discussed|was chaired)\b", re.I)
CUE_ROLES = [
    ("wc:coChair", re.compile(r"\bco-?chaired by\b|\bco-?chairs? (?:were|was)\b", re.I), {"person", "organisation", "state"}),
    ("wc:chair", re.compile(r"\b(?<!co-)(?<!co)chaired by\b|\bunder the chairmanship of\b|\bpresided (?:over )?by\b", re.I), {"person"}),
    ("wc:openedBy", re.compile(r"\bopened by\b|\bopening remarks (?:were )?(?:made |delivered )?by\b", re.I), {"person", "organisation"}),
    ("wc:organiser", re.compile(r"\b(?:co-)?organi[sz]ed (?:jointly )?by\b|\bhosted by\b|\bconvened by\b", re.I), {"organisation", "state"}),
    ("wc:supporter", re.compile(r"\bwith (?:the )?(?:financial )?(?:support|assistance) (?:of|from)\b|\bsupported by\b|\bsponsored by\b|\bfunded by\b", re.I), {"organisation", "state"}),
    ("wc:moderator", re.compile(r"\bmoderated by\b|\bfacilitated by\b", re.I), {"person"}),
    ("wc:participant", re.compile(r"\b(?:meeting|talks|consultations?) (?:of|between)\b|\b(?:met|meeting|talks) with\b", re.I), {"person", "organisation", "state"}),
    ("wc:participant", re.compile(r"\battended by\b|\bparticipants? (?:included|were|from)\b|\bbrought together\b|\bwith the participation of\b", re.I), {"person", "organisation", "state"}),
    ("wc:speaker", re.compile(r"\b(?:addressed by|speakers? (?:included|were)|(?:a |the )?(?:keynote|presentation|speech|address) (?:was )?(?:given|delivered|made) by|presented by)\b", re.I), {"person"}),
]
FRAMEWORK = re.compile(r"\b(?:within the framework of|in the framework of|in the frame of|as part of|under the auspices of|within)\b", re.I)
CURRENCIES = [
    (re.compile(r"US\s?\$|USD|\$|U\.S\. dollars?|dollars?"), "USD"), (re.compile(r"€|EUR|euros?"), "EUR"),
    (re.compile(r"£|GBP|pounds? sterling"), "GBP"), (re.compile(r"KZT|tenge|₸"), "KZT"),
    (re.compile(r"RUB|roubles?|rubles?"), "RUB"), (re.compile(r"CHF|Swiss francs?"), "CHF"),
    (re.compile(r"JPY|yen"), "JPY"), (re.compile(r"CNY|yuan"), "CNY"), (re.compile(r"UZS|soums?"), "UZS"),
    (re.compile(r"KGS|soms?"), "KGS"), (re.compile(r"TJS|somoni"), "TJS"), (re.compile(r"TMT|manats?"), "TMT"),
]
AMOUNT = re.compile(
    r"(?P<qual>(?:about|approximately|around|some|nearly|almost|roughly|up to|over|more than|at least|a total of|totall?ing)\s+)?"
    r"(?P<pre>US\s?\$|USD|\$|€|EUR|£|GBP|KZT|₸|CHF|RUB)?\s?(?P<num>\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)\s?"
    r"(?P<scale>billion|bn|million|mln|m\b|thousand|k\b)?\s?(?P<post>US dollars|U\.S\. dollars|dollars|USD|EUR|euros?|"
    r"KZT|tenge|roubles?|rubles?|CHF|Swiss francs|yen|yuan|soums?|soms?|somoni|manats?)?", re.I)
QUALIFIERS = {"about": "about", "approximately": "about", "around": "about", "some": "about", "nearly": "about",
              "almost": "about", "roughly": "about", "up to": "up-to", "over": "over", "more than": "over",
              "at least": "at-least", "a total of": "exact", "totaling": "exact", "totalling": "exact"}
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                "fifty": 50, "hundred": 100}
COUNTED = re.compile(
    r"\b(?P<verb>consist(?:s|ing)? of|compris(?:es|ing)|includ(?:es|ing)|unit(?:es|ing)|bring(?:s|ing)? together|"
    r"representing|made up of|with|has|have|signed|concluded|members? (?:are|include))\s+(?:[\w-]+\s+){0,5}?"
    r"(?P<qual>about|around|some|over|more than|nearly|at least|up to)?\s*(?P<num>\d{1,4}|" + "|".join(NUMBER_WORDS) +
    r")\s+(?P<adj>(?:[\w-]+\s+){0,2}?)(?P<noun>ministries and agencies|ministries|agencies|organi[sz]ations|partners|"
    r"member states|members|countries|states|memorand(?:a|ums)(?: of understanding)?|agreements|projects|programmes|"
    r"institutions|companies|universities)\b", re.I)
COUNTED_CLASS = {"ministries and agencies": "wc:GovernmentBody", "ministries": "wc:GovernmentBody",
                 "agencies": "wc:Organisation", "organisations": "wc:Organisation", "organizations": "wc:Organisation",
                 "partners": "wc:Organisation", "member states": "wc:State", "members": "wc:Organisation",
                 "countries": "wc:State", "states": "wc:State", "memoranda": "wc:MemorandumOfUnderstanding",
                 "memorandums": "wc:MemorandumOfUnderstanding", "agreements": "wc:Agreement",
                 "projects": "wc:Programme", "programmes": "wc:Programme", "institutions": "wc:Organisation",
                 "companies": "wc:Company", "universities": "wc:Organisation"}
PARTICIPATION = re.compile(r"\b(?P<cue>accession to|accede to|acceded to|acceding to|joining|to join|join|ratif(?:y|ied|ication of|ying)|"
                           r"signature of|party to|parties to)\b", re.I)
PARTICIPATION_STATUS = {"accession": "status-in-accession", "accede": "status-in-accession", "acceded": "status-ratified",
                        "acceding": "status-in-accession", "joining": "status-in-accession", "join": "status-in-accession",
                        "to join": "status-in-accession", "ratify": "status-in-accession", "ratified": "status-ratified",
                        "ratification of": "status-in-accession", "ratifying": "status-in-accession",
                        "signature of": "status-signed", "party to": "status-ratified", "parties to": "status-ratified"}


def _hid(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:8]


class Frames:
    """Builds the draft's resources from the article's sentences and linked entities."""

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

    # -- events and agreements ---------------------------------------------------------
    def run(self) -> dict[str, Resource]:
        self._entities()
        last_event: Resource | None = None
        for s in self.sents:
            if s.title_case or (s.standalone and len(s.text) < 60 and self.dates_in(s.index) and
                                len(self.dates_in(s.index)[0].text) >= len(s.text) - 20):
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
            if definite and definite.start() <= pos <= definite.end() + 2 and cls != "SigningCeremony":
                prev = self._latest(cls) or last_event
                if prev is not None:
                    self._roles(prev, i)
                    created = created or prev
                    continue
            if cls == "SigningCeremony":
                ev = self._signing(s, m, day_dates, last_event)
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
            if when is None:
                if not re.search(r"\b(was held|will be held|took place|will take place|is held|held in|held on)\b", low):
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
                r"\b(the (?:meeting|event|session|consultation|conference|workshop|forum)|participants)\b", low):
            self._roles(last_event, i)
            return last_event
        return created

    def _latest(self, cls: str) -> Resource | None:
        for ev in reversed(self.events):
            if cls in ev.types[0] or ev.types[0] == f"wc:{cls}":
                return ev
        return self.events[-1] if self.events else None

    def _find_event(self, cls: str, when: When | None) -> Resource | None:
        for ev in self.events:
            if ev.types[0] == f"wc:{cls}" and when is not None:
                d = next((x.value for x in ev.literals if x.pred == "wc:date"), None)
                if d and (d.startswith(when.value) or when.value.startswith(d)):
                    return ev
        return None

    def _new_event(self, cls: str, s: Sentence, when: When | None, trig: re.Match, *, date_value: str | None = None,
                   inferred: str | None = None) -> Resource:
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
        places = self._location(s)
        if not subject and places:
            label += f" in {places[0].entity.label}"
        slug_core = slugify((body.entity.acronym or body.entity.label) if body else
                            ((programme or of_prog).entity.acronym or (programme or of_prog).entity.label) if (programme or of_prog)
                            else (places[0].entity.label if places else core), 40)
        slug = "-".join(x for x in [value, slug_core, core if core not in slug_core else None, str(ordinal) if ordinal else None] if x)
        iri = self._unique(f"{self.base}event/{slug}")
        ev = Resource(iri, "event", [f"wc:{cls}", "wc:Event"], label=label, confidence=0.75 if when else 0.6)
        ev.sents.add(i)
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
        agr_pos = s.start + km.start()
        # "The Memorandum was signed by ..." continues the latest agreement
        definite = re.search(r"\b(the|this|that)\s+" + re.escape(km.group(1)), s.text, re.I)
        if definite and self.agreements and not re.search(r"\bbetween\b", s.text[definite.end():definite.end() + 20]):
            agr = self.agreements[-1]
            self._agreement_roles(agr, s)
            ev = next((e for e in self.events if any(lk.pred == "wc:signedAt" for lk in agr.links) and
                       any(lk.obj == e.iri for lk in agr.links)), None)
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
        # the signing ceremony
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
        self._agreement_roles(agr, s)
        self._match_existing(agr)
        return ev

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
        seen = set()
        for m in ms:
            if any(p.post and p.post[0] <= m.start < p.post[1] for p in self.mentions if p.kind == "person" and p.sent == i):
                continue
            iri, txt = self.actor(m)
            if iri not in seen:
                seen.add(iri)
                out.append((iri, txt))
        return out

    def _agreement_roles(self, agr: Resource, s: Sentence) -> None:
        i = s.index
        sb = re.search(r"\bsigned by\b|\bsignatories were\b|\bsigned on behalf of\b", s.text)
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

    def _post_org(self, person: Mention) -> Mention | None:
        if not person.post:
            return None
        a, b, _ = person.post
        inside = [m for m in self.mentions if m.kind != "person" and a <= m.start and m.end <= b
                  and m.entity.kind in ("organisation",)]
        if inside:
            return inside[0]
        return None

    def _roles(self, ev: Resource, i: int) -> None:
        ev.sents.add(i)
        for pred, rx, kinds in CUE_ROLES:
            for m, _cue in self._after(i, rx, kinds | {"country"}):
                if m.entity.kind not in kinds and not (m.entity.kind in ("country", "place") and "state" in kinds):
                    continue
                if m.entity.kind == "person" and pred == "wc:organiser":
                    continue
                iri, txt = self.actor(m) if m.entity.kind != "person" else (m.entity.iri, m.text)
                ev.link(pred, iri, i, txt, 0.75)
                if pred in ("wc:chair", "wc:coChair", "wc:openedBy", "wc:speaker", "wc:moderator"):
                    ev.link("wc:participant", iri, i, txt, 0.7)
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
        if d and self.a.published and len(d) == 10:
            status = "planned" if d > self.a.published.isoformat() else ("held" if status != "planned" or d < self.a.published.isoformat() else status)
        del texts
        if status:
            ev.link("wc:status", f"{self.base}topic/status-{status}", min(i for i in ev.sents if i >= 0))

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


def org_class(label: str, acronym: str | None) -> str | None:
    low = label.lower()
    if re.search(r"\b(llp|llc|jsc|ltd|inc|company|corporation|plc|gmbh)\b", low):
        return "wc:Company"
    if re.search(r"\b(bank|fund for development|development fund|investment)\b", low):
        return "wc:FinancialInstitution"
    if re.search(r"\b(united nations|^un |world health|european union|international|interstate|regional|"
                  r"organi[sz]ation for|commission for europe|economic and social commission|fund for saving)\b", low) \
            or low.startswith("un "):
        return "wc:InternationalOrganisation"
    if re.search(r"\b(ministry|government|parliament|medzhlis|majilis|senate|state committee|agency|hydromet|akimat|"
                  r"committee of|service of|inspectorate|department)\b", low):
        return "wc:GovernmentBody"
    if re.search(r"\b(council|working group|steering committee|platform|dialogue|commission)\b", low):
        return "wc:CooperationPlatform"
    if re.search(r"\b(association|foundation|ngo|society|network|alliance|union of)\b", low):
        return "wc:CivilSocietyOrganisation"
    return None


def _post_core(post: str) -> str:
    m = re.match(r"^(.*?)(?:\s+(?:of|for|at|to)\b|$)", post)
    words = m.group(1) if m else post
    return " ".join(w for w in words.split() if w.lower() in {*POST_WORDS_LOWER, "acting", "executive", "regional", "special", "vice"}) or words


POST_WORDS_LOWER = {"minister", "vice-minister", "deputy", "secretary", "director", "chairman", "chairwoman",
                    "chairperson", "chair", "president", "representative", "coordinator", "head", "ambassador",
                    "governor", "mayor", "commissioner", "envoy", "officer", "manager", "specialist", "adviser",
                    "advisor", "expert", "rector", "chief", "administrator"}


def _post_role(post: str, org: Resource | None) -> str | None:
    low = post.lower()
    if re.search(r"\b(vice-minister|vice minister|deputy minister)\b", low):
        return "post-vice-minister"
    if re.search(r"\bminister\b", low):
        return "post-minister"
    if re.search(r"\bresident representative\b", low):
        return "post-resident-representative"
    if re.search(r"^president\b", low):
        return "post-president"
    if org is not None:
        if "wc:GovernmentBody" in org.types:
            return "post-government-official"
        if "wc:InternationalOrganisation" in org.types or "wc:FinancialInstitution" in org.types:
            return "post-international-official"
    return None


def _ordinal_word(n: int) -> str:
    return {v: k for k, v in ORDINALS.items()}[n]


def _date_type(value: str) -> str:
    return {10: "date", 7: "gYearMonth", 4: "gYear"}[len(value)]


def _dates_compatible(a: str, b: str) -> bool:
    if a.startswith(b) or b.startswith(a):
        return True
    if len(a) == 10 and len(b) == 10:
        from datetime import date
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= 1
    return False


def _amount_value(num: str, scale: str | None) -> Decimal | None:
    try:
        v = Decimal(re.sub(r"[,\s]", "", num))
    except Exception:
        return None
    mult = {"billion": 10**9, "bn": 10**9, "million": 10**6, "mln": 10**6, "m": 10**6, "thousand": 10**3, "k": 10**3}
    if scale:
        v *= mult.get(scale.lower(), 1)
    return v.normalize() if v == v.to_integral() else v


_PREFIX = {"wc": "https://w3id.org/wckg/ontology#", "org": "http://www.w3.org/ns/org#"}


def _curie_iri(curie: str) -> str:
    p, local = curie.split(":", 1)
    return _PREFIX[p] + local
