"""Frames stage, shared parts: the drafted resources (:class:`Resource`, :class:`Link`) and the
patterns and helpers the frame kinds use (event triggers, agreement kinds, role cues,
amounts, counted claims, treaty participation)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .link import Entity
from .mentions import ORDINALS

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
    ("Consultation", re.compile(r"\b(consultations?|consultative meetings?)\b", re.I)),
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
#: a number before an agreement noun: a count of agreements, not one ("three agreements", "five cooperation agreements")
COUNTED_AGREEMENTS = re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen|twenty|"
                                r"thirty|forty|fifty|several|many|numerous|a number of|a series of|some)\s+(?:[\w-]+\s+){0,2}?"
                                r"(?:agreements|memoranda|memorandums|mous|communiqu[eé]s|statements|documents|grants|loans)\b$", re.I)
AGREEMENT_SHORT = {"MemorandumOfUnderstanding": "mou", "StatementOfIntent": "statement-of-intent",
                   "Communique": "communique", "JointStatement": "joint-statement", "GrantAgreement": "grant",
                   "LoanAgreement": "loan", "FinancingAgreement": "financing-agreement",
                   "CooperationAgreement": "cooperation-agreement", "Agreement": "agreement"}
AGREEMENT_TITLE = {"MemorandumOfUnderstanding": "Memorandum of Understanding", "StatementOfIntent": "Statement of Intent",
                   "Communique": "Communiqué", "JointStatement": "Joint Statement", "GrantAgreement": "Grant agreement",
                   "LoanAgreement": "Loan agreement", "FinancingAgreement": "Financing agreement",
                   "CooperationAgreement": "Cooperation agreement", "Agreement": "Agreement"}
FUTURE = re.compile(r"\b(will|shall|is to be|are to be|to be held|is scheduled|are scheduled|is planned|are planned|"
                    r"is expected|upcoming|next week|next month|agreed to hold|decided to hold|plans? to hold|planned to hold|"
                    r"to be organi[sz]ed|will be organi[sz]ed)\b", re.I)
PAST = re.compile(r"\b(was held|were held|took place|was signed|were signed|signed|held|adopted|inaugurated|"
                  r"was organi[sz]ed|opened|met|gathered|discussed|was chaired)\b", re.I)
#: a sentence saying that an event happens or happened (an undated event is drafted only then)
OCCURS = re.compile(
    r"\b(?:was held|were held|will be held|is being held|is held|be held|held (?:a|an|the|its|their|his|her)\b|"
    r"hold (?:a|an|the|its|their)\b|holds (?:a|an|the)\b|took place|will take place|takes place|is taking place|"
    r"(?:was|were) organi[sz]ed|organi[sz]ed (?:a|an|the)\b|hosted|will host|hosts (?:a|an|the)\b|"
    r"(?:was|were) conducted|conducted (?:a|an|the)\b|convened|featured|attended|took part|participated|"
    r"will participate|gathered|kicked off|(?:has|have|had) (?:already )?beg[au]n|began|started|"
    r"opened (?:a|an|the)\b|was opened|visited|paid (?:a|an)\b|arrived|completed|(?:was|were) launched|"
    r"is underway|are underway)", re.I)
#: words before an event noun that make it generic, not one event ("regular meetings", "such trainings")
GENERIC_EVENT = re.compile(r"\b(?:such|these|those|many|several|numerous|series of|number of|"
                           r"other|further|future|similar|various)\s+(?:[\w-]+\s+)?$", re.I)
EVENT_NOUN = (r"meeting|session|consultation|conference|forum|workshop|seminar|webinar|training|course|round ?table|"
              r"event|ceremony|summit|dialogue|visit|exhibition|festival|competition|expedition")
#: the actor before an active verb: "Ms. X, Deputy Director of Y, opened the training", "WMO organized the workshop"
ACTIVE_ROLES = [("wc:openedBy", re.compile(r"(?:has |have )?opened\b", re.I), {"person", "organisation"}),
                ("wc:coChair", re.compile(r"(?:has |have )?co-?chaired\b", re.I), {"person", "organisation", "state"}),
                ("wc:chair", re.compile(r"(?:has |have )?chaired\b", re.I), {"person"}),
                ("wc:moderator", re.compile(r"(?:has |have )?moderated\b", re.I), {"person"}),
                ("wc:organiser", re.compile(r"(?:has |have )?(?:organi[sz]ed|hosted|convened)\b", re.I), {"organisation", "state"})]
#: "the next meeting", "the following session": another event than the one before
NEXT_EVENT = re.compile(r"\b(?:next|following|upcoming|forthcoming|subsequent)\b", re.I)
UNDATED_NOTE = ("Undated: the article does not state when this event takes place, and no date is guessed; "
                "add wc:date (keeping the identifier) when a source gives it.")
CUE_ROLES = [
    ("wc:coChair", re.compile(r"\bco-?chaired by\b|\bco-?chairs? (?:were|was)\b", re.I), {"person", "organisation", "state"}),
    ("wc:chair", re.compile(r"\b(?<!co-)(?<!co)chaired by\b|\bunder the chairmanship of\b|\bpresided (?:over )?by\b", re.I), {"person"}),
    ("wc:openedBy", re.compile(r"\bopened by\b|\bopening remarks (?:were )?(?:made |delivered )?by\b", re.I), {"person", "organisation"}),
    ("wc:organiser", re.compile(r"\b(?:co-)?organi[sz]ed (?:jointly )?by\b|\bhosted by\b|\bconvened by\b", re.I), {"organisation", "state"}),
    ("wc:supporter", re.compile(r"\bwith (?:the )?(?:financial )?(?:support|assistance) (?:of|from)\b|\bsupported by\b|\bsponsored by\b|\bfunded by\b", re.I), {"organisation", "state"}),
    ("wc:moderator", re.compile(r"\bmoderated by\b|\bfacilitated by\b", re.I), {"person"}),
    ("wc:participant", re.compile(r"\b(?:meeting|talks|consultations?) (?:of|between)\b|\b(?:met|meetings?|talks|round ?tables?|discussions?|"
                                  r"consultations?|sessions?|videoconferences?|briefings?|dialogue) with\b", re.I), {"person", "organisation", "state"}),
    ("wc:participant", re.compile(r"\b(?:led|headed) by\b|\bdelegations? (?:of|from)\b|\battended by\b|\bparticipants? (?:included|were|from)\b|\bbrought together\b|\bwith the participation of\b", re.I), {"person", "organisation", "state"}),
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
