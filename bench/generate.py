"""Synthetic water-cooperation graph in the project's data layout, for benchmarks.

    python bench/generate.py --scale 1m --out /tmp/wckg-bench/1m

writes, deterministically (``--seed``)::

    OUT/reference/synthetic-*.ttl      organisations (every kind, acronyms and other names),
                                       people, countries, cities and basins (geo:lat/long),
                                       policy documents            -> wcid:graph/reference
    OUT/sources/{slug}.ttl + .txt      one wc:SourceDocument per article (title, dcterms:issued,
                                       publisher, the article graph's prov:wasDerivedFrom) and
                                       its verbatim text          -> wcid:graph/reference
    OUT/articles/{slug}.ttl            what the article states: events (2-10 participants),
                                       agreements (2-3 parties), posts (org:Membership),
                                       programmes (funders, implementers, partners), statuses
                                       of policy documents, each with prov:wasDerivedFrom and
                                       wc:evidence sentences that occur verbatim in the .txt
                                                                   -> wcid:graph/{slug}
    OUT/all.nq                         exactly the same quads as one N-Quads file, plus the
                                       ontology, shapes and vocabularies of the repository
                                       (what `wckg build` loads from WCKG_ONTOLOGY_DIR), for
                                       `oxigraph load` and rdflib
    OUT/manifest.json                  scale, seed, counts of quads and resources

The curated data (``data/`` of the checkout, or ``--curated DIR``) is copied in as it is
and its organisations, people and places join the pools the synthetic facts draw from
(with the heaviest weights), so the named queries' example IRIs (the European Union,
Astana, the curated events) exist and are hubs of the synthetic graph. ``--no-curated``
leaves it out.

Output is streamed: nothing holds the triples in memory (the pools of identifiers are
the only state), so 5 million triples take the memory of a few hundred thousand strings.

Use it with the real build::

    WCKG_DATA_DIR=OUT WCKG_STORE=/tmp/wckg-bench/store-1m wckg build --validate none
    oxigraph load --location /tmp/wckg-bench/ox-1m --file OUT/all.nq
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}

WC = "https://w3id.org/wckg/ontology#"
WCID = "https://w3id.org/wckg/id/"
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "org": "http://www.w3.org/ns/org#",
    "wc": WC,
    "org_": WCID + "organisation/",
    "per": WCID + "person/",
    "mem": WCID + "membership/",
    "ev": WCID + "event/",
    "agr": WCID + "agreement/",
    "prg": WCID + "programme/",
    "pol": WCID + "policy/",
    "pl": WCID + "place/",
    "top": WCID + "topic/",
    "src": WCID + "source/",
}
TTL_HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in NS.items()) + "\n"
GRAPH_REFERENCE = f"<{WCID}graph/reference>"
GRAPH_ONTOLOGY = f"<{WCID}graph/ontology>"
_SLUG_LOCAL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# ======================================================================================
# Terms: each is (turtle form, N-Triples form), written identically to both outputs
# ======================================================================================

class T:
    """Terms as (Turtle, N-Triples) string pairs."""

    @staticmethod
    def iri(prefix: str, local: str) -> tuple[str, str]:
        full = NS[prefix] + local
        if _SLUG_LOCAL.match(local) or (prefix in ("rdf", "xsd", "skos", "dcterms", "prov", "foaf", "geo", "org", "wc")
                                        and local.isidentifier()):
            return (f"{prefix}:{local}", f"<{full}>")
        return (f"<{full}>", f"<{full}>")

    @staticmethod
    def full(iri: str) -> tuple[str, str]:
        for p, ns in NS.items():
            if iri.startswith(ns) and p not in ("wc",):
                local = iri[len(ns):]
                if _SLUG_LOCAL.match(local):
                    return (f"{p}:{local}", f"<{iri}>")
        return (f"<{iri}>", f"<{iri}>")

    @staticmethod
    def _q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'

    @classmethod
    def en(cls, text: str) -> tuple[str, str]:
        s = cls._q(text) + "@en"
        return (s, s)

    @classmethod
    def s(cls, text: str) -> tuple[str, str]:
        s = cls._q(text)
        return (s, s)

    @classmethod
    def typed(cls, text: str, dtype: str) -> tuple[str, str]:
        q = cls._q(text)
        return (f"{q}^^xsd:{dtype}", f"{q}^^<{NS['xsd']}{dtype}>")

    @classmethod
    def date(cls, d: dt.date) -> tuple[str, str]:
        return cls.typed(d.isoformat(), "date")

    @classmethod
    def year(cls, y: int) -> tuple[str, str]:
        return cls.typed(f"{y:04d}", "gYear")

    @classmethod
    def dec(cls, x: float) -> tuple[str, str]:
        return cls.typed(f"{x:.4f}", "decimal")

    TRUE = ("true", f'"true"^^<{NS["xsd"]}boolean>')


def P(name: str) -> tuple[str, str]:
    prefix, local = name.split(":")
    return (name, f"<{NS[prefix]}{local}>")


A = ("a", f"<{NS['rdf']}type>")
PREF, ALT, NOTE = P("skos:prefLabel"), P("skos:altLabel"), P("skos:note")
DERIVED, EVIDENCE = P("prov:wasDerivedFrom"), P("wc:evidence")


class Out:
    """One Turtle file of the data directory, mirrored quad by quad into all.nq."""

    def __init__(self, path: Path, graph: str, nq, counter: list[int], comment: str = ""):
        self.fh = open(path, "w", encoding="utf-8", newline="\n")
        self.fh.write(comment + TTL_HEADER)
        self.graph = graph
        self.nq = nq
        self.counter = counter

    def subject(self, s: tuple[str, str], pos: list[tuple[tuple[str, str], tuple[str, str]]]) -> None:
        """Write one subject with its (predicate, object) pairs (objects of one predicate grouped)."""
        if not pos:
            return
        lines = []
        nq_lines = []
        for p, o in pos:
            lines.append(f"{p[0]} {o[0]}")
            nq_lines.append(f"{s[1]} {p[1]} {o[1]} {self.graph} .\n")
        self.fh.write(s[0] + " " + " ;\n    ".join(lines) + " .\n\n")
        self.nq.write("".join(nq_lines))
        self.counter[0] += len(nq_lines)

    def close(self) -> None:
        self.fh.close()


# ======================================================================================
# Word lists (names are synthetic; countries are real, with a representative point)
# ======================================================================================

COUNTRIES = [  # slug, name, other name, lat, long
    ("kazakhstan", "Kazakhstan", "Republic of Kazakhstan", 48.0, 68.0),
    ("uzbekistan", "Uzbekistan", "Republic of Uzbekistan", 41.0, 64.0),
    ("kyrgyzstan", "Kyrgyzstan", "Kyrgyz Republic", 41.5, 75.0),
    ("tajikistan", "Tajikistan", "Republic of Tajikistan", 38.9, 71.0),
    ("turkmenistan", "Turkmenistan", "Turkmenia", 39.0, 59.5),
    ("afghanistan", "Afghanistan", "Islamic Republic of Afghanistan", 33.9, 67.7),
    ("mongolia", "Mongolia", "Mongol Uls", 46.9, 103.8),
    ("azerbaijan", "Azerbaijan", "Republic of Azerbaijan", 40.1, 47.6),
    ("armenia", "Armenia", "Republic of Armenia", 40.1, 45.0),
    ("georgia", "Georgia", "Sakartvelo", 42.3, 43.4),
    ("russia", "Russia", "Russian Federation", 61.5, 105.3),
    ("china", "China", "People's Republic of China", 35.9, 104.2),
    ("india", "India", "Republic of India", 20.6, 79.0),
    ("pakistan", "Pakistan", "Islamic Republic of Pakistan", 30.4, 69.3),
    ("iran", "Iran", "Islamic Republic of Iran", 32.4, 53.7),
    ("turkey", "Turkey", "Türkiye", 39.0, 35.2),
    ("ukraine", "Ukraine", "Ukraina", 48.4, 31.2),
    ("moldova", "Moldova", "Republic of Moldova", 47.4, 28.4),
    ("belarus", "Belarus", "Republic of Belarus", 53.7, 28.0),
    ("germany", "Germany", "Federal Republic of Germany", 51.2, 10.5),
    ("france", "France", "French Republic", 46.2, 2.2),
    ("italy", "Italy", "Italian Republic", 41.9, 12.6),
    ("spain", "Spain", "Kingdom of Spain", 40.5, -3.7),
    ("netherlands", "Netherlands", "Holland", 52.1, 5.3),
    ("switzerland", "Switzerland", "Swiss Confederation", 46.8, 8.2),
    ("finland", "Finland", "Republic of Finland", 61.9, 25.7),
    ("sweden", "Sweden", "Kingdom of Sweden", 60.1, 18.6),
    ("norway", "Norway", "Kingdom of Norway", 60.5, 8.5),
    ("poland", "Poland", "Republic of Poland", 51.9, 19.1),
    ("hungary", "Hungary", "Magyarorszag", 47.2, 19.5),
    ("romania", "Romania", "Romania", 45.9, 24.97),
    ("united-kingdom", "United Kingdom", "UK", 55.4, -3.4),
    ("united-states", "United States", "USA", 37.1, -95.7),
    ("canada", "Canada", "Canada", 56.1, -106.3),
    ("japan", "Japan", "Nippon", 36.2, 138.3),
    ("south-korea", "South Korea", "Republic of Korea", 35.9, 127.8),
    ("egypt", "Egypt", "Arab Republic of Egypt", 26.8, 30.8),
    ("ethiopia", "Ethiopia", "Federal Democratic Republic of Ethiopia", 9.1, 40.5),
    ("kenya", "Kenya", "Republic of Kenya", -0.02, 37.9),
    ("nigeria", "Nigeria", "Federal Republic of Nigeria", 9.1, 8.7),
    ("senegal", "Senegal", "Republic of Senegal", 14.5, -14.5),
    ("south-africa", "South Africa", "Republic of South Africa", -30.6, 22.9),
    ("morocco", "Morocco", "Kingdom of Morocco", 31.8, -7.1),
    ("jordan", "Jordan", "Hashemite Kingdom of Jordan", 30.6, 36.2),
    ("iraq", "Iraq", "Republic of Iraq", 33.2, 43.7),
    ("bangladesh", "Bangladesh", "People's Republic of Bangladesh", 23.7, 90.4),
    ("nepal", "Nepal", "Federal Democratic Republic of Nepal", 28.4, 84.1),
    ("vietnam", "Vietnam", "Viet Nam", 14.1, 108.3),
    ("brazil", "Brazil", "Federative Republic of Brazil", -14.2, -51.9),
    ("peru", "Peru", "Republic of Peru", -9.2, -75.0),
]

SYLLABLES = ["ka", "ra", "bu", "lak", "tash", "sai", "ak", "su", "kol", "bek", "ta", "lo", "mi", "ne", "dar",
             "yo", "zhan", "gul", "ob", "ser", "vin", "ar", "no", "del", "pa", "kent", "sha", "ri", "um", "tor"]
GIVEN = ["Aigerim", "Askar", "Bakyt", "Dana", "Daniyar", "Elena", "Erlan", "Farida", "Gulnara", "Ivan", "Jamshid",
         "Karina", "Kairat", "Laura", "Madina", "Marat", "Nurlan", "Olga", "Pierre", "Rustam", "Saule", "Timur",
         "Ulugbek", "Victoria", "Yerlan", "Zarina", "Anna", "Bruno", "Clara", "David", "Emma", "Felix", "Greta",
         "Hans", "Ines", "Jonas", "Katja", "Lars", "Maria", "Nils", "Omar", "Paula", "Rahim", "Sofia", "Tomas",
         "Uma", "Viktor", "Wang", "Xenia", "Yusuf", "Zhanna", "Alisher", "Bobur", "Dilnoza", "Gulshan", "Shahlo",
         "Azamat", "Chinara", "Emil", "Aibek", "Nigora", "Sardor", "Mehmet", "Ayse", "Kenji", "Akiko", "Ravi",
         "Priya", "Amina", "Kwame", "Fatima", "Lucia", "Mateo", "Ingrid", "Sven", "Eva", "Jan", "Petra", "Ali"]
FAMILY = ["Abdullaev", "Akhmetova", "Baimukhanov", "Dzhumabaeva", "Ermekov", "Fayzullaev", "Gafurova", "Ibraimov",
          "Jumaev", "Kassymova", "Kuanyshev", "Mamytova", "Nazarov", "Omarova", "Petrov", "Rakhimov", "Saidova",
          "Tokhtarov", "Umarova", "Yusupov", "Zhakupova", "Schmidt", "Muller", "Rossi", "Dubois", "Garcia",
          "Jansen", "Nowak", "Kovacs", "Popescu", "Smith", "Brown", "Tanaka", "Kim", "Sharma", "Khan", "Ahmed",
          "Mensah", "Okafor", "Silva", "Santos", "Lindqvist", "Hansen", "Virtanen", "Novak", "Horvat", "Ivanova",
          "Sokolov", "Kuznetsova", "Bekova", "Tursunov", "Karimova", "Aliyev", "Mammadova", "Hakobyan",
          "Beridze", "Yilmaz", "Demir", "Nguyen", "Tran", "Wagner", "Fischer", "Weber", "Martin", "Bernard",
          "Moreau", "Ricci", "Romano", "Lopez", "Fernandez", "Van Dijk", "De Vries", "Andersson", "Nilsson",
          "Kowalski", "Wisniewska", "Szabo", "Nagy", "Ionescu", "Taylor", "Wilson", "Suzuki", "Park", "Gupta",
          "Patel", "Hussain", "Osei", "Adeyemi", "Costa", "Pereira", "Berg", "Olsen", "Korhonen", "Dvorak"]
SECTORS = ["Water Resources", "Ecology and Natural Resources", "Agriculture", "Energy", "Emergency Situations",
           "Health", "Industry", "Finance", "Foreign Affairs", "Environmental Protection", "Irrigation",
           "Hydrometeorology", "Regional Development", "Economy", "Land Reclamation", "Geology"]
GOV_FORMS = ["Ministry of {s}", "State Committee for {s}", "Agency for {s}", "Department of {s}",
             "National Centre for {s}", "Inspectorate of {s}", "Service of {s}"]
INTL_ROOTS = ["Water Partnership", "Environment Programme", "Basin Organisation", "Development Network",
              "Hydrological Programme", "Climate Facility", "Water Council", "Environmental Centre",
              "Sanitation Alliance", "Glacier Monitoring Service"]
REGIONS = ["Central Asian", "Eurasian", "Caspian", "Aral Sea", "Danube", "Mekong", "Nile", "Himalayan",
           "Caucasus", "Baltic", "Black Sea", "Sahel", "Andean", "Arctic", "Mediterranean", "Global", "Asian",
           "European", "African", "Pacific", "Interstate", "Transboundary"]
BANK_FORMS = ["{r} Development Bank", "{r} Investment Bank", "{r} Water Fund", "{r} Infrastructure Fund",
              "{r} Climate Finance Facility", "{r} Reconstruction Bank"]
COMPANY_FORMS = ["{n} Engineering", "{n} Hydro Consult", "{n} Water Technologies", "{n} Irrigation Systems",
                 "{n} Geo Survey", "{n} Environmental Services", "{n} Pipes and Pumps", "{n} Hydropower",
                 "{n} Digital Water", "{n} Construction"]
COMPANY_SUFFIX = ["LLC", "JSC", "Ltd", "GmbH", "SA", "Inc."]
CSO_FORMS = ["{n} Water Association", "{n} Environmental Foundation", "Friends of the {n} River",
             "{n} Farmers Union", "{n} Youth for Water", "{n} Women in Water Network", "{n} Ecological Society",
             "{n} Water Users Association", "{n} Institute for Water Policy", "{n} Green Initiative"]
PLATFORM_FORMS = ["{n} River Basin Council", "{n} Interstate Water Commission", "{n} Water Policy Dialogue",
                  "{n} Coordination Council for Water", "{n} Joint Commission on Transboundary Waters",
                  "{n} Nexus Dialogue", "{n} Donor Coordination Group", "{n} Working Group on Dam Safety"]
ORG_KINDS = [("GovernmentBody", 35), ("InternationalOrganisation", 10), ("FinancialInstitution", 5),
             ("Company", 20), ("CivilSocietyOrganisation", 20), ("CooperationPlatform", 10)]
EVENT_KINDS = [("Meeting", "meeting", 50), ("Consultation", "consultation", 20),
               ("SigningCeremony", "signing-ceremony", 10), ("Training", "training", 20)]
EVENT_WORDS = {"Meeting": ["Meeting", "Session", "Round table", "Conference", "Forum"],
               "Consultation": ["Consultation", "Stakeholder consultation", "Public hearing", "Expert consultation"],
               "SigningCeremony": ["Signing ceremony", "Signing of agreements"],
               "Training": ["Training", "Workshop", "Seminar", "Study tour", "Summer school"]}
AGREEMENT_KINDS = [("MemorandumOfUnderstanding", "mou", "Memorandum of Understanding", 40),
                   ("Communique", "communique", "Joint Communique", 10),
                   ("StatementOfIntent", "statement-of-intent", "Statement of Intent", 10),
                   ("GrantAgreement", "grant", "Grant Agreement", 20),
                   ("CooperationAgreement", "cooperation-agreement", "Cooperation Agreement", 20)]
POLICY_FORMS = [("law", "Law on {t} of {c}"), ("code", "Water Code of {c} (revision {y})"),
                ("strategy", "National Strategy for {t} of {c} {y}-{y2}"),
                ("concept", "Concept of {t} Development of {c} {y}-{y2}"),
                ("plan", "Action Plan on {t} of {c} {y}-{y2}"),
                ("convention", "{r} Convention on {t}"), ("protocol", "{r} Protocol on {t}")]
PROGRAMME_WORDS = ["Programme", "Project", "Initiative", "Partnership", "Facility", "Dialogue"]
POSTS = [("minister", "Minister of {s} of {c}"), ("vice-minister", "Vice-Minister of {s} of {c}"),
         ("government-official", "Head of the {s} Department of {c}"),
         ("international-official", "Regional Director of {o}"),
         ("resident-representative", "Resident Representative of {o} in {c}"),
         ("project-specialist", "Project Specialist at {o}"), ("staff-member", "Water Expert at {o}")]
PURPOSES = ["to strengthen cooperation on {t}", "to improve the management of {t}", "to build capacity in {t}",
            "to mobilise investment in {t}", "to share data and experience on {t}",
            "to prepare a joint action plan on {t}"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isalpha() and w.lower() not in
             ("of", "for", "and", "the", "on", "in", "to")]
    return "".join(w[0].upper() for w in words)[:8]


def say_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


class Pool:
    """Identifiers to draw from, with Zipf-like weights (the first ones are hubs)."""

    def __init__(self, rng: random.Random, skew: float = 0.9):
        self.rng = rng
        self.skew = skew
        self.items: list = []
        self._cum: list[float] = []

    def add(self, item) -> None:
        w = 1.0 / (len(self.items) + 5) ** self.skew
        self.items.append(item)
        self._cum.append((self._cum[-1] if self._cum else 0.0) + w)

    def pick(self):
        return self.items[bisect.bisect_left(self._cum, self.rng.random() * self._cum[-1])]

    def uniform(self):
        return self.items[self.rng.randrange(len(self.items))]

    def sample(self, k: int) -> list:
        out, seen = [], set()
        for _ in range(k * 6):
            x = self.pick()
            if x[0] not in seen:
                seen.add(x[0])
                out.append(x)
                if len(out) == k:
                    break
        return out

    def __len__(self) -> int:
        return len(self.items)


# ======================================================================================
# The generator
# ======================================================================================

class Generator:
    def __init__(self, target: int, out: Path, seed: int, curated: Path | None, ontology: Path):
        self.target = target
        self.out = out
        self.rng = random.Random(seed)
        self.seed = seed
        self.curated = curated
        self.ontology = ontology
        self.count = [0]
        self.counts: dict[str, int] = {}
        self.used_slugs: set[str] = set()
        # pools: items are (term, label, extra)
        self.orgs = Pool(self.rng)
        self.orgs_by_kind: dict[str, Pool] = {k: Pool(self.rng) for k, _ in ORG_KINDS}
        self.people = Pool(self.rng)
        self.countries = Pool(self.rng, skew=0.6)
        self.places = Pool(self.rng, skew=0.8)
        self.policies = Pool(self.rng)
        self.topics: list[tuple] = []
        self.programmes: list[tuple] = []  # programmes stated by earlier articles (for restatements)
        self.events_planned: list[tuple] = []  # planned events a later article can report as held

    # --- helpers --------------------------------------------------------------------------

    def unique(self, kind: str, slug: str) -> str:
        base, n = slug, 1
        while f"{kind}/{slug}" in self.used_slugs:
            n += 1
            slug = f"{base}-{n}"
        self.used_slugs.add(f"{kind}/{slug}")
        return slug

    def bump(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def src_term(self, i: int):
        return T.iri("src", self.source_slugs[i])

    def rand_date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max(1, (end - start).days + 1)))

    def syllable_name(self, n: int | None = None) -> str:
        n = n or self.rng.choice((2, 2, 3))
        return "".join(self.rng.choice(SYLLABLES) for _ in range(n)).capitalize()

    # --- plan ---------------------------------------------------------------------------------

    def plan(self) -> None:
        s = self.target / 1_000_000
        self.n_orgs = max(150, int(18_000 * s))
        self.n_people = max(150, int(15_000 * s))
        self.n_places = max(60, int(1_500 * s))
        self.n_policies = max(60, int(2_500 * s))
        reference = self.n_orgs * 4.7 + self.n_people * 5 + self.n_places * 6 + self.n_policies * 8 + 3000
        per_article = 98.0  # article graph + its source metadata, as measured on the generator's output
        self.n_articles = max(20, int((self.target - reference) / per_article))
        first = dt.date(2008, 1, 1)
        span = (dt.date(2025, 12, 31) - first).days
        issued = sorted(first + dt.timedelta(days=self.rng.randrange(span)) for _ in range(self.n_articles))
        self.issued = issued
        topics = ["groundwater", "flood", "hydropower", "irrigation", "dam-safety", "water-quality", "basin",
                  "climate", "glaciers", "sanitation", "digital", "nexus", "tailings", "drought", "wetlands"]
        self.source_slugs = [f"synthetic-{d.year}-{d.month:02d}-{self.rng.choice(topics)}-{i:06d}"
                             for i, d in enumerate(issued)]

    # --- curated data --------------------------------------------------------------------------

    def copy_curated(self, nq) -> None:
        """Copy the curated data as it is, and add its organisations, people and places to the pools."""
        import pyoxigraph as ox
        if self.curated is None:
            return
        typ = ox.NamedNode(NS["rdf"] + "type")
        pref = ox.NamedNode(NS["skos"] + "prefLabel")
        org_classes = {WC + k for k, _ in ORG_KINDS} | {WC + "Organisation"}
        for sub, role in (("reference", "reference"), ("sources", "source"), ("articles", "article")):
            folder = self.curated / sub
            if not folder.is_dir():
                continue
            (self.out / sub).mkdir(parents=True, exist_ok=True)
            for f in sorted(folder.iterdir()):
                if f.suffix not in (".ttl", ".txt"):
                    continue
                shutil.copyfile(f, self.out / sub / f.name)
                if f.suffix != ".ttl":
                    continue
                graph = GRAPH_REFERENCE if role != "article" else f"<{WCID}graph/{f.stem}>"
                quads = list(ox.parse(path=str(f), format=ox.RdfFormat.TURTLE))
                labels = {str(q.subject): q.object.value for q in quads if q.predicate == pref
                          and isinstance(q.object, ox.Literal) and q.object.language == "en"}
                for q in quads:
                    nq.write(f"{q.subject} {q.predicate} {q.object} {graph} .\n")
                    if role == "reference" and q.predicate == typ and isinstance(q.subject, ox.NamedNode):
                        iri, cls = q.subject.value, q.object.value
                        term = T.full(iri)
                        label = labels.get(str(q.subject), iri.rsplit("/", 1)[-1])
                        self.used_slugs.add(iri[len(WCID):])
                        if cls in org_classes:
                            item = (term[1], term, label, None)
                            self.orgs.add(item)
                            kind = cls[len(WC):]
                            if kind in self.orgs_by_kind:
                                self.orgs_by_kind[kind].add(item)
                        elif cls == WC + "Person":
                            self.people.add((term[1], term, label, None))
                        elif cls == WC + "Country":
                            self.countries.add((term[1], term, label, None))
                            self.places.add((term[1], term, label, None))
                        elif cls == WC + "Place":
                            self.places.add((term[1], term, label, None))
                        elif cls == WC + "PolicyDocument":
                            self.policies.add((term[1], term, label, None))
                self.count[0] += len(quads)
                self.bump("curated quads", len(quads))
        self.bump("curated files", sum(1 for _ in self.out.rglob("*")))

    def ontology_quads(self, nq) -> None:
        """What `wckg build` loads from the ontology directory, into all.nq."""
        import pyoxigraph as ox
        files = [(self.ontology / "wckg.ttl", GRAPH_ONTOLOGY)]
        files += [(p, GRAPH_ONTOLOGY) for p in sorted((self.ontology / "shapes").glob("*.ttl"))]
        files += [(p, GRAPH_REFERENCE) for p in sorted((self.ontology / "vocab").glob("*.ttl"))]
        in_scheme = ox.NamedNode(NS["skos"] + "inScheme")
        pref = ox.NamedNode(NS["skos"] + "prefLabel")
        topic_scheme = NS["top"] + "scheme"
        for path, graph in files:
            if not path.is_file():
                continue
            quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            labels = {q.subject.value: q.object.value for q in quads if q.predicate == pref}
            for q in quads:
                nq.write(f"{q.subject} {q.predicate} {q.object} {graph} .\n")
                if q.predicate == in_scheme and q.object.value == topic_scheme:
                    self.topics.append((T.full(q.subject.value), labels.get(q.subject.value, "water").lower()))
            self.count[0] += len(quads)
            self.bump("ontology quads", len(quads))
        if not self.topics:
            raise SystemExit(f"no topics (skos:inScheme top:scheme) under {self.ontology}/vocab: "
                             "run from a checkout with ontology/vocab/topics.ttl or pass --ontology")

    # --- reference data ----------------------------------------------------------------------

    def reference(self, nq) -> None:
        rng = self.rng
        ref = self.out / "reference"
        ref.mkdir(parents=True, exist_ok=True)
        n_sources = len(self.source_slugs)

        # countries and places
        out = Out(ref / "synthetic-places.ttl", GRAPH_REFERENCE, nq, self.count,
                  "# Synthetic places (bench/generate.py): countries, cities and river basins.\n")
        for slug, name, other, lat, lon in COUNTRIES:
            if f"place/{slug}" in self.used_slugs:
                continue
            self.used_slugs.add(f"place/{slug}")
            term = T.iri("pl", slug)
            out.subject(term, [(A, P("wc:Country")), (PREF, T.en(name)), (ALT, T.en(other)),
                               (P("geo:lat"), T.dec(lat)), (P("geo:long"), T.dec(lon))])
            item = (term[1], term, name, (lat, lon))
            self.countries.add(item)
            self.places.add(item)
            self.bump("countries")
        country_coords = {c[0]: (c[3] if c[3] else (40.0, 60.0)) for c in self.countries.items}
        for _ in range(self.n_places):
            country = self.countries.pick()
            if rng.random() < 0.15:
                name = f"{self.syllable_name()} River Basin"
            else:
                name = self.syllable_name()
            slug = self.unique("place", slugify(f"{name}-{country[2]}") if rng.random() < 0.3 else slugify(name))
            term = T.iri("pl", slug)
            lat0, lon0 = country_coords[country[0]]
            lat = max(-89.9, min(89.9, lat0 + rng.uniform(-4, 4)))
            lon = max(-179.9, min(179.9, lon0 + rng.uniform(-6, 6)))
            pos = [(A, P("wc:Place")), (PREF, T.en(name)), (P("wc:country"), country[1]),
                   (P("geo:lat"), T.dec(lat)), (P("geo:long"), T.dec(lon))]
            if rng.random() < 0.3:
                pos.append((ALT, T.en(name.replace("k", "q", 1) if "k" in name else name + "y")))
            out.subject(term, pos)
            self.places.add((term[1], term, name, (lat, lon)))
            self.bump("places")
        out.close()

        # organisations
        out = Out(ref / "synthetic-organisations.ttl", GRAPH_REFERENCE, nq, self.count,
                  "# Synthetic organisations (bench/generate.py): every kind, with acronyms and other names.\n")
        kinds = [k for k, _ in ORG_KINDS]
        weights = [w for _, w in ORG_KINDS]
        intl_roots: list[tuple] = []
        gov_parents: dict[str, list[tuple]] = {}
        for i in range(self.n_orgs):
            kind = rng.choices(kinds, weights)[0]
            country = self.countries.pick()
            parent = None
            if kind == "GovernmentBody":
                name = rng.choice(GOV_FORMS).format(s=rng.choice(SECTORS)) + f" of {country[2]}"
                if rng.random() < 0.3:
                    name = f"{self.syllable_name()} Regional " + name
                    parents = gov_parents.get(country[0])
                    parent = rng.choice(parents) if parents else None
            elif kind == "InternationalOrganisation":
                if intl_roots and rng.random() < 0.4:
                    root = rng.choice(intl_roots)
                    name = f"{root[2]} in {country[2]}"
                    parent = root
                else:
                    name = f"{rng.choice(REGIONS)} {rng.choice(INTL_ROOTS)}"
            elif kind == "FinancialInstitution":
                name = rng.choice(BANK_FORMS).format(r=rng.choice(REGIONS))
            elif kind == "Company":
                name = rng.choice(COMPANY_FORMS).format(n=self.syllable_name()) + " " + rng.choice(COMPANY_SUFFIX)
            elif kind == "CivilSocietyOrganisation":
                name = rng.choice(CSO_FORMS).format(n=self.syllable_name())
            else:
                name = rng.choice(PLATFORM_FORMS).format(n=rng.choice([self.syllable_name(), country[2]]))
            slug = self.unique("organisation", slugify(name))
            term = T.iri("org_", slug)
            pos = [(A, P(f"wc:{kind}")), (PREF, T.en(name))]
            acr = acronym(name)
            if len(acr) >= 2 and rng.random() < 0.7:
                pos.append((ALT, T.en(acr)))
            if rng.random() < 0.3:
                pos.append((ALT, T.en(name.replace(" of ", " of the Republic of ", 1) if " of " in name
                                      else f"The {name}")))
            if kind in ("GovernmentBody", "Company", "CivilSocietyOrganisation") or parent is not None:
                pos.append((P("wc:country"), country[1]))
            if parent is not None:
                pos.append((P("org:subOrganizationOf"), parent[1]))
            pos.append((DERIVED, self.src_term(rng.randrange(n_sources))))
            out.subject(term, pos)
            item = (term[1], term, name, country[0])
            self.orgs.add(item)
            self.orgs_by_kind[kind].add(item)
            if kind == "InternationalOrganisation" and parent is None:
                intl_roots.append(item)
            if kind == "GovernmentBody" and parent is None and name.startswith("Ministry"):
                gov_parents.setdefault(country[0], []).append(item)
            self.bump("organisations")
        out.close()

        # people
        out = Out(ref / "synthetic-people.ttl", GRAPH_REFERENCE, nq, self.count,
                  "# Synthetic people (bench/generate.py). No contact details.\n")
        for _ in range(self.n_people):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            name = f"{given} {family}"
            slug = self.unique("person", slugify(name))
            term = T.iri("per", slug)
            out.subject(term, [(A, P("wc:Person")), (PREF, T.en(name)), (P("foaf:givenName"), T.s(given)),
                               (P("foaf:familyName"), T.s(family)),
                               (DERIVED, self.src_term(rng.randrange(n_sources)))])
            self.people.add((term[1], term, name, None))
            self.bump("people")
        out.close()

        # policy documents
        out = Out(ref / "synthetic-policies.ttl", GRAPH_REFERENCE, nq, self.count,
                  "# Synthetic policy documents (bench/generate.py): laws, codes, strategies, conventions.\n")
        for _ in range(self.n_policies):
            form, pattern = rng.choice(POLICY_FORMS)
            topic = rng.choice(self.topics)
            country = self.countries.pick()
            y = rng.randrange(1995, 2024)
            y2 = y + rng.choice((3, 5, 10))
            name = pattern.format(t=topic[1].title(), c=country[2], y=y, y2=y2, r=rng.choice(REGIONS))
            slug = self.unique("policy", slugify(name))
            term = T.iri("pol", slug)
            pos = [(A, P("wc:PolicyDocument")), (PREF, T.en(name)), (P("dcterms:type"), T.en(form)),
                   (P("dcterms:spatial"), country[1]), (P("wc:topic"), topic[0])]
            if rng.random() < 0.4:
                pos.append((ALT, T.en(acronym(name))))
            if form in ("strategy", "concept", "plan"):
                pos += [(P("wc:startDate"), T.year(y)), (P("wc:endDate"), T.year(y2))]
            pos.append((DERIVED, self.src_term(rng.randrange(n_sources))))
            out.subject(term, pos)
            self.policies.add((term[1], term, name, None))
            self.bump("policy documents")
        out.close()

    # --- articles ----------------------------------------------------------------------------

    def articles(self, nq, progress: bool) -> None:
        (self.out / "sources").mkdir(parents=True, exist_ok=True)
        (self.out / "articles").mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        for i, slug in enumerate(self.source_slugs):
            self.article(i, slug, nq)
            if progress and i % 1000 == 999:
                print(f"  {i + 1}/{len(self.source_slugs)} articles, {self.count[0]:,} quads, "
                      f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)

    def article(self, i: int, slug: str, nq) -> None:
        rng = self.rng
        issued = self.issued[i]
        src = T.iri("src", slug)
        graph = f"<{WCID}graph/{slug}>"
        publisher = self.orgs.pick()
        sentences: list[str] = []
        #: (subject, predicate, object, the object's name, sentence) of every statement that needs
        #: a wc:StatementEvidence (vocabulary 0.2: a link to an organisation, person or place)
        stmts: list[tuple] = []

        def say(text: str) -> str:
            sentences.append(text)
            return text

        def state(subj, pred: str, obj, sentence: str) -> None:
            stmts.append((subj, P(pred), obj[1], obj[2], sentence))

        out = Out(self.out / "articles" / f"{slug}.ttl", graph, nq, self.count,
                  f"# Synthetic article graph wcid:graph/{slug} (bench/generate.py); evidence is verbatim "
                  f"from data/sources/{slug}.txt.\n")
        pid = i * 100  # identifiers unique per article
        topic = rng.choice(self.topics)
        headline_place = self.places.pick()

        # programmes: new, or restated from an earlier article
        progs = []
        for k in range(rng.choice((0, 1, 1, 2))):
            if self.programmes and rng.random() < 0.35:
                prog = rng.choice(self.programmes)
                ev = say(f"The {prog[2]} was presented by its partners on {say_date(issued)}.")
                out.subject(prog[1], [(A, P("wc:Programme")), (PREF, T.en(prog[2])), (DERIVED, src),
                                      (EVIDENCE, T.s(ev))])
                progs.append(prog)
                self.bump("programme restatements")
                continue
            ptopic = rng.choice(self.topics)
            region = rng.choice(REGIONS)
            name = f"{region} {ptopic[1].title()} {rng.choice(PROGRAMME_WORDS)}"
            acr = acronym(name) + str(pid + k)
            pslug = self.unique("programme", slugify(acr))
            term = T.iri("prg", pslug)
            funders = [self.orgs_by_kind["FinancialInstitution"].pick() if rng.random() < 0.5 else self.orgs.pick()
                       for _ in range(rng.choice((1, 1, 2)))]
            impl = self.orgs.sample(rng.choice((1, 2)))
            partners = self.orgs.sample(rng.choice((0, 0, 1, 2)))
            country = self.countries.pick()
            start = rng.randrange(max(2000, issued.year - 5), issued.year + 1)
            end = start + rng.choice((2, 3, 4, 5))
            ev = say(f"The {name} ({acr}), funded by {' and '.join(f[2] for f in funders)} and implemented by "
                     f"{' and '.join(o[2] for o in impl)}, runs from {start} to {end} in {country[2]}.")
            pos = [(A, P("wc:Programme")), (PREF, T.en(name)), (ALT, T.en(acr))]
            pos += [(P("wc:funder"), f[1]) for f in dict((f[0], f) for f in funders).values()]
            pos += [(P("wc:implementer"), o[1]) for o in impl]
            pos += [(P("wc:partner"), o[1]) for o in partners]
            supporter = self.orgs.pick() if rng.random() < 0.3 else None
            if supporter:
                pos.append((P("wc:supporter"), supporter[1]))
            purpose = rng.choice(PURPOSES).format(t=ptopic[1])
            pos += [(P("wc:startDate"), T.year(start)), (P("wc:endDate"), T.year(end)),
                    (P("wc:status"), T.iri("top", rng.choice(("status-launched", "status-ongoing")))),
                    (P("wc:country"), country[1]),
                    (P("wc:purpose"), T.en(f"A programme {purpose} in {country[2]}.")),
                    (P("wc:topic"), ptopic[0]), (DERIVED, src), (EVIDENCE, T.s(ev))]
            out.subject(term, pos)
            for f in dict((f[0], f) for f in funders).values():
                state(term, "wc:funder", f, ev)
            for o in impl:
                state(term, "wc:implementer", o, ev)
            for o in partners:
                state(term, "wc:partner", o, ev)
            if supporter:
                state(term, "wc:supporter", supporter, ev)
            state(term, "wc:country", country, ev)
            prog = (term[1], term, name, None)
            progs.append(prog)
            self.programmes.append(prog)
            self.bump("programmes")

        # events
        events = []
        for k in range(rng.choice((1, 1, 2, 2, 3, 4))):
            restated = None
            if self.events_planned and rng.random() < 0.05:
                restated = self.events_planned.pop(rng.randrange(len(self.events_planned)))
                if restated[3] > issued:
                    self.events_planned.append(restated)
                    restated = None
            if restated is not None:
                term, label, kind, date, place = restated
                ev = say(f"The {label} took place as planned on {say_date(date)}.")
                out.subject(term, [(A, P(f"wc:{kind}")), (PREF, T.en(label)), (P("wc:date"), T.date(date)),
                                   (P("wc:status"), T.iri("top", "status-held")), (DERIVED, src),
                                   (EVIDENCE, T.s(ev))])
                events.append((term, label, kind))
                self.bump("event re-reports")
                continue
            kind, kslug = rng.choices([(c, s) for c, s, _ in EVENT_KINDS], [w for *_, w in EVENT_KINDS])[0]
            planned = rng.random() < 0.12
            date = (issued + dt.timedelta(days=rng.randrange(7, 200)) if planned
                    else issued - dt.timedelta(days=rng.randrange(0, 60)))
            place = self.places.pick() if rng.random() < 0.9 else None
            etopic = rng.choice(self.topics)
            word = rng.choice(EVENT_WORDS[kind])
            label = f"{word} on {etopic[1]}" + (f" in {place[2]}" if place else "") + f", {say_date(date)}"
            eslug = self.unique("event", f"{date.isoformat()}-{kslug}-{slugify(etopic[1])[:30].strip('-')}-{pid + k}")
            term = T.iri("ev", eslug)
            organiser = self.orgs.pick()
            participants = self.orgs.sample(rng.randint(2, 8)) + self.people.sample(rng.choice((0, 0, 1, 2)))
            participants = participants[:10]
            chair = self.people.pick() if rng.random() < 0.5 else None
            supporters = self.orgs.sample(rng.choice((0, 0, 1, 2, 3)))
            verb = "will be held" if planned else "was held"
            ev1 = say(f"The {word.lower()} on {etopic[1]} {verb} on {say_date(date)}"
                      + (f" in {place[2]}" if place else "") + f", organised by {organiser[2]}.")
            pos = [(A, P(f"wc:{kind}")), (PREF, T.en(label)),
                   (P("dcterms:type"), T.iri("top", f"event-kind-{kslug}")),
                   (P("wc:date"), T.date(date)),
                   (P("wc:status"), T.iri("top", "status-planned" if planned else "status-held"))]
            if place:
                pos.append((P("wc:location"), place[1]))
            pos.append((P("wc:organiser"), organiser[1]))
            evs = [ev1]
            if chair:
                pos.append((P("wc:chair"), chair[1]))
                evs.append(say(f"It was chaired by {chair[2]}." if not planned else f"It will be chaired by {chair[2]}."))
            pos += [(P("wc:participant"), p[1]) for p in participants]
            evs.append(say(f"Participants included {', '.join(p[2] for p in participants[:-1])} and "
                           f"{participants[-1][2]}."))
            if supporters:
                pos += [(P("wc:supporter"), s[1]) for s in supporters]
                evs.append(say(f"The event was supported by {' and '.join(s[2] for s in supporters)}."))
            if progs and rng.random() < 0.6:
                pos.append((P("wc:partOf"), progs[0][1]))
            disc = []
            if progs and rng.random() < 0.5:
                disc.append(progs[-1][1])
            for pd in self.policies.sample(rng.choice((0, 0, 1, 2))):
                disc.append(pd[1])
            disc += [t[0] for t in rng.sample(self.topics, rng.choice((0, 1, 2)))]
            pos += [(P("wc:discusses"), d) for d in dict.fromkeys(disc)]
            pos += [(P("wc:topic"), t[0]) for t in dict.fromkeys([etopic] + rng.sample(self.topics, rng.choice((0, 1, 2))))]
            pos.append((DERIVED, src))
            pos += [(EVIDENCE, T.s(e)) for e in evs]
            out.subject(term, pos)
            if place:
                state(term, "wc:location", place, ev1)
            state(term, "wc:organiser", organiser, ev1)
            if chair:
                state(term, "wc:chair", chair, evs[1])
            for pt in participants:
                state(term, "wc:participant", pt, evs[2 if chair else 1])
            for sp in supporters:
                state(term, "wc:supporter", sp, evs[-1])
            events.append((term, label, kind))
            if planned:
                self.events_planned.append((term, label, kind, date, place))
            self.bump("events")

            # the chair's post, stated in the same article
            if chair and rng.random() < 0.8:
                self.membership(out, chair, issued, src, evs[1], f"{pid + k}", state=state)

        # other posts the article names
        for k in range(rng.choice((0, 1, 1, 2, 3))):
            person = self.people.pick()
            ev = None
            self.membership(out, person, issued, src, ev, f"{pid + 50 + k}", say=say, state=state)

        # agreements
        for k in range(rng.choice((0, 0, 1, 1, 2))):
            cls, aslug, aname, _ = rng.choices(AGREEMENT_KINDS, [w for *_, w in AGREEMENT_KINDS])[0]
            parties = self.orgs.sample(rng.choice((2, 2, 3)))
            atopic = rng.choice(self.topics)
            date = issued - dt.timedelta(days=rng.randrange(0, 30))
            label = f"{aname} between {' and '.join(p[2] for p in parties)} on {atopic[1]}"
            slug_a = self.unique("agreement", f"{date.isoformat()}-{aslug}-{pid + 80 + k}")
            term = T.iri("agr", slug_a)
            ev = say(f"On {say_date(date)}, {' and '.join(p[2] for p in parties)} signed a "
                     f"{aname.lower()} on {atopic[1]}.")
            pos = [(A, P(f"wc:{cls}")), (PREF, T.en(label)), (P("wc:date"), T.date(date))]
            pos += [(P("wc:party"), p[1]) for p in parties]
            signing = [e for e in events if e[2] == "SigningCeremony"] or events
            if signing and rng.random() < 0.6:
                pos.append((P("wc:signedAt"), signing[0][0]))
            if cls == "GrantAgreement":
                pos += [(P("wc:funder"), parties[0][1]), (P("wc:recipient"), parties[1][1])]
            purpose = rng.choice(PURPOSES).format(t=atopic[1])
            pos += [(P("wc:status"), T.iri("top", "status-signed")),
                    (P("wc:purpose"), T.en(f"An agreement {purpose}.")), (P("wc:topic"), atopic[0]),
                    (DERIVED, src), (EVIDENCE, T.s(ev))]
            out.subject(term, pos)
            for pt in parties:
                state(term, "wc:party", pt, ev)
            if cls == "GrantAgreement":
                state(term, "wc:funder", parties[0], ev)
                state(term, "wc:recipient", parties[1], ev)
            self.bump("agreements")

        # statuses of policy documents, as this article reports them
        for pd in self.policies.sample(rng.choice((0, 0, 1, 2))):
            status = rng.choice(("status-draft", "status-adopted", "status-ratified", "status-in-accession"))
            ev = say(f"The {pd[2]} was reported as {status[7:].replace('-', ' ')} on {say_date(issued)}.")
            out.subject(pd[1], [(P("wc:status"), T.iri("top", status)), (DERIVED, src), (EVIDENCE, T.s(ev))])
            self.bump("policy statuses")

        # the source: metadata (reference graph) and verbatim text
        title = f"{topic[1].capitalize()} cooperation in {headline_place[2]}: news of {say_date(issued)}"
        sref = Out(self.out / "sources" / f"{slug}.ttl", GRAPH_REFERENCE, nq, self.count,
                   f"# Synthetic source document (bench/generate.py); verbatim text in {slug}.txt\n")
        pos = [(A, P("wc:SourceDocument")), (P("dcterms:title"), T.en(title)),
               (PREF, T.en(f"{title} ({issued.year})")), (P("dcterms:issued"), T.date(issued)),
               (P("dcterms:publisher"), publisher[1]), (P("dcterms:language"), T.s("en"))]
        if rng.random() < 0.1:
            pos += [(P("wc:inferred"), T.TRUE),
                    (NOTE, T.en("The article states no publication date; the date of the event it reports "
                                "is taken as the best-supported publication date."))]
        sref.subject(src, pos)
        sref.subject((f"<{WCID}graph/{slug}>", f"<{WCID}graph/{slug}>"), [(DERIVED, src)])
        sref.close()
        filler = [f"{publisher[2]} reports on recent developments in {topic[1]}.",
                  f"More information is available from the press service of {publisher[2]}."]
        text = title + "\n\n" + "\n\n".join([filler[0]] + sentences + [filler[1]]) + "\n"
        (self.out / "sources" / f"{slug}.txt").write_text(text, encoding="utf-8")
        self.statement_evidence(out, i, src, text, stmts)
        out.close()
        self.bump("articles")

    def statement_evidence(self, out: Out, i: int, src, text: str, stmts: list[tuple]) -> None:
        """One wc:StatementEvidence per statement: the sentence that states it, with its offsets
        in the text; a statement whose sentence does not name the object (a programme's partner)
        is flagged inferred, with the reason."""
        for n, (subj, pred, obj, name, sentence) in enumerate(dict.fromkeys(stmts)):
            begin = text.find(sentence)
            pos = [(A, P("wc:StatementEvidence")), (P("rdf:subject"), subj), (P("rdf:predicate"), pred),
                   (P("rdf:object"), obj), (P("wc:quote"), T.s(sentence)),
                   (P("wc:beginIndex"), T.typed(str(begin), "nonNegativeInteger")),
                   (P("wc:endIndex"), T.typed(str(begin + len(sentence)), "nonNegativeInteger")),
                   (DERIVED, src)]
            if name not in sentence:
                pos += [(P("wc:inferred"), T.TRUE),
                        (P("wc:inferenceReason"), T.en("Synthetic data: the sentence states the resource, "
                                                       "not this link."))]
            out.subject((f"_:se{i}x{n}", f"_:se{i}x{n}"), pos)
            self.bump("statement evidence")

    def membership(self, out: Out, person, issued: dt.date, src, evidence: str | None, key: str, say=None,
                   state=None) -> None:
        rng = self.rng
        role, pattern = rng.choice(POSTS)
        org = self.orgs.pick()
        country = self.countries.pick()
        title = pattern.format(s=rng.choice(SECTORS), c=country[2], o=org[2])
        if evidence is None:
            evidence = say(f"{person[2]}, {title}, spoke on {say_date(issued)}.")
        mslug = self.unique("membership", f"{slugify(person[2])[:40].strip('-')}-{role}-{issued.isoformat()}-{key}")
        out.subject(T.iri("mem", mslug), [
            (A, P("org:Membership")), (PREF, T.en(f"{person[2]}, {title}")), (P("org:member"), person[1]),
            (P("org:organization"), org[1]), (P("org:role"), T.iri("top", f"post-{role}")),
            (P("wc:postTitle"), T.s(title)), (P("wc:asOf"), T.date(issued)), (DERIVED, src),
            (EVIDENCE, T.s(evidence))])
        if state is not None:
            state(T.iri("mem", mslug), "org:member", person, evidence)
            state(T.iri("mem", mslug), "org:organization", org, evidence)
        self.bump("memberships")

    # --- all --------------------------------------------------------------------------------

    def run(self, progress: bool = True) -> dict:
        t0 = time.perf_counter()
        if self.out.exists():
            if not (self.out / "manifest.json").is_file() and any(self.out.iterdir()):
                raise SystemExit(f"{self.out} exists and is not a generated directory: choose an empty --out")
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        self.plan()
        with open(self.out / "all.nq", "w", encoding="utf-8", newline="\n") as nq:
            self.ontology_quads(nq)
            self.copy_curated(nq)
            self.reference(nq)
            if progress:
                print(f"  reference data: {self.count[0]:,} quads", file=sys.stderr)
            self.articles(nq, progress)
        manifest = {"target_triples": self.target, "quads": self.count[0], "seed": self.seed,
                    "curated": str(self.curated) if self.curated else None, "ontology": str(self.ontology),
                    "counts": self.counts, "seconds": round(time.perf_counter() - t0, 1)}
        (self.out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return manifest


def parse_scale(text: str) -> int:
    t = text.strip().lower()
    if t in SCALES:
        return SCALES[t]
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([km]?)", t)
    if not m:
        raise argparse.ArgumentTypeError(f"scale {text!r}: use 100k, 1m, 5m or a number such as 250k")
    return int(float(m.group(1)) * {"": 1, "k": 1_000, "m": 1_000_000}[m.group(2)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=parse_scale, default=SCALES["100k"],
                    help="about how many triples: 100k, 1m, 5m (or e.g. 250k)")
    ap.add_argument("--out", type=Path, required=True, help="directory to write (replaced if it was generated)")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--curated", type=Path, default=ROOT / "data",
                    help="curated data directory copied in (default: data/ of the checkout)")
    ap.add_argument("--no-curated", action="store_true", help="synthetic data only")
    ap.add_argument("--ontology", type=Path, default=ROOT / "ontology",
                    help="ontology directory whose files go into all.nq (what WCKG_ONTOLOGY_DIR points to)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if not (args.ontology / "wckg.ttl").is_file():
        print(f"error: no wckg.ttl in {args.ontology} (give --ontology)", file=sys.stderr)
        return 2
    curated = None if args.no_curated else args.curated
    if curated is not None and not curated.is_dir():
        print(f"error: no curated data directory {curated} (give --curated DIR or --no-curated)", file=sys.stderr)
        return 2
    try:
        manifest = Generator(args.scale, args.out, args.seed, curated, args.ontology).run(progress=not args.quiet)
    except SyntaxError as e:
        print(f"error: a curated or ontology file does not parse: {e}", file=sys.stderr)
        return 2
    print(json.dumps({k: manifest[k] for k in ("quads", "seconds")} | {"out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
