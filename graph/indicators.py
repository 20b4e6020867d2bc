"""Cooperation indicators computed from the model: the intensity of every event and
agreement on the Basins at Risk (BAR) scale, series of it per year, and the evidence of
operational arrangements in the sense of SDG indicator 6.5.2.

BAR intensity (Yoffe et al., 2003)
==================================

The BAR event-intensity scale runs from −7 (formal declaration of war) to +7 (voluntary
unification into one nation); 0 is neutral. Its cooperative half:

====  =======================================================================
 +1   minor official exchanges, talks or policy expressions, mild verbal support
 +2   official verbal support of goals, values or regime
 +3   cultural or scientific agreement or support (non-strategic)
 +4   non-military economic, technological or industrial agreement
 +5   military, economic or strategic support
 +6   international freshwater treaty; major strategic alliance
 +7   voluntary unification into one nation
====  =======================================================================

Every event and agreement gets a code from the first rule of :data:`RULES` that applies
to it (kind of event or agreement, its parties, its money); the rule's name goes with the
code, and every such code is *inferred*. A curator overrides one by stating
``wc:cooperationIntensity`` (an integer from −7 to +7, with ``wc:intensityNote`` saying
why) on the event or agreement in its article graph; an override wins and is flagged as
curated. Negative codes come only from overrides: the model has no kind for conflict.

Events are counted, not reports: one event IRI is one event whatever the number of
articles that report it (its ``sources``).

SDG 6.5.2 (operational arrangements)
====================================

For a pair of countries or a basin, an arrangement is *operational* when there is a joint
body, it meets formally at least once a year, there are joint plans or programmes, and
data are exchanged. :func:`arrangements` gives the evidence of each criterion from the
graph (the events, agreements, programmes and memberships that show it, a sentence for
each, and the years it held); a criterion with no evidence is reported as not shown,
never as false.
"""
from __future__ import annotations

import csv
import io
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .errors import ParameterError
from .namespaces import PREFIXES, sparql_prologue
from .network import data as NB
from .network.sentences import _SentenceFinder

BAR_SCALE: dict[int, str] = {
    -7: "formal declaration of war",
    -6: "extensive war acts causing deaths, dislocation or high strategic cost",
    -5: "small-scale military acts",
    -4: "political-military hostile actions",
    -3: "diplomatic-economic hostile actions",
    -2: "strong verbal expressions displaying hostility in interaction",
    -1: "mild verbal expressions displaying discord in interaction",
    0: "neutral or non-significant acts for the inter-nation situation",
    1: "minor official exchanges, talks or policy expressions — mild verbal support",
    2: "official verbal support of goals, values or regime",
    3: "cultural or scientific agreement or support (non-strategic)",
    4: "non-military economic, technological or industrial agreement",
    5: "military, economic or strategic support",
    6: "international freshwater treaty; major strategic alliance",
    7: "voluntary unification into one nation",
}

#: The rules, in the order they are tried: (name, code, what it says). Each is applied by
#: :func:`_code_of` below.
RULES: list[tuple[str, int | None, str]] = [
    ("not-held", 0, "the event is planned (or otherwise not reported as held): nothing happened yet"),
    ("treaty-between-states", 6, "a cooperation agreement whose parties include bodies of two or more "
                                 "states (states, or government bodies of different countries)"),
    ("financing-agreement", 5, "a grant, loan or financing agreement: economic support"),
    ("cooperation-agreement", 4, "a memorandum of understanding or cooperation agreement: a non-military "
                                 "economic, technological or industrial agreement"),
    ("joint-programme-funding", 5, "a programme with a funder and an implementer or recipient: economic support"),
    ("joint-programme", 4, "a programme implemented with partners: technological or industrial cooperation"),
    ("signing", None, "a signing ceremony: the highest code of the agreements signed at it (else +2)"),
    ("training-or-workshop", 3, "a training or workshop: scientific or technical support (non-strategic)"),
    ("statement", 2, "a statement of intent, joint statement or communiqué: official verbal support"),
    ("official-visit-or-adoption", 2, "an official visit or the adoption of a document: official support"),
    ("meeting-or-talks", 1, "a meeting, consultation, conference, forum or other event: official exchanges and talks"),
]
RULE_TEXT = {name: text for name, _, text in RULES}

_FINANCING = {"GrantAgreement", "LoanAgreement", "FinancingAgreement"}
_COOPERATION = {"MemorandumOfUnderstanding", "CooperationAgreement", "Agreement"}
_STATEMENTS = {"StatementOfIntent", "JointStatement", "Communique"}
_TRAINING = {"Training", "Workshop"}
_VISITS = {"OfficialVisit", "Adoption"}
_NOT_HELD = {"planned", "postponed", "cancelled"}

SERIES_KINDS = ("country", "pair", "basin", "organisation")

_P = sparql_prologue({k: PREFIXES[k] for k in ("wc", "skos", "prov", "rdfs", "org")})
Q_EXTRA = {
    "sources": _P + "SELECT ?act ?src WHERE { ?act prov:wasDerivedFrom ?src . }",
    "status": _P + "SELECT ?act ?status WHERE { ?act wc:status ?status . }",
    "override": _P + """SELECT ?act ?code ?note WHERE { ?act wc:cooperationIntensity ?code .
                          OPTIONAL { ?act wc:intensityNote ?note } }""",
    "signed_at": _P + "SELECT ?agr ?ev WHERE { ?agr wc:signedAt ?ev . }",
    "basin": _P + """SELECT ?act ?basin ?label WHERE { ?act wc:basin ?basin .
                       OPTIONAL { ?basin skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) } }""",
    "meeting_of": _P + "SELECT ?ev ?body WHERE { ?ev wc:meetingOf ?body . }",
    "territory": _P + "SELECT ?state ?country WHERE { ?state wc:territory ?country . }",
}


@dataclass
class Coded:
    """One event or agreement with its BAR code."""

    iri: str
    label: str
    family: str
    type: str
    date: str | None
    year: int | None
    code: int
    rule: str               # a RULES name, or "curated"
    inferred: bool
    note: str
    sources: tuple[str, ...]
    agents: tuple[str, ...]
    countries: tuple[str, ...]
    basins: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "family": self.family, "type": self.type,
                "date": self.date, "year": self.year, "code": self.code, "rule": self.rule,
                "inferred": self.inferred, "note": self.note, "sources": list(self.sources),
                "agents": list(self.agents), "countries": list(self.countries), "basins": list(self.basins)}


@dataclass
class IndicatorData:
    coded: dict[str, Coded]
    graph: NB.GraphData
    basins: dict[str, str]
    meeting_of: dict[str, set[str]]
    countries: dict[str, str]
    serial: int = 0
    seconds: float = 0.0
    _memo: dict = field(default_factory=dict, repr=False)


def _rows(backend, text: str) -> list[dict[str, str]]:
    return NB._run_all(backend, {"q": text})["q"]


# long: every event and agreement coded by the rules in one pass over the network data
def compute(backend, graph: NB.GraphData | None = None) -> IndicatorData:  # noqa: C901 (the BAR rules, one branch per named rule)
    """Code every event and agreement of the store (:data:`RULES`)."""
    t0 = time.perf_counter()
    g = graph or NB.fetch_graph_data(backend)
    extra = NB._run_all(backend, Q_EXTRA)
    sources: dict[str, set[str]] = defaultdict(set)
    for r in extra["sources"]:
        sources[r["act"]].add(r["src"])
    status: dict[str, set[str]] = defaultdict(set)
    for r in extra["status"]:
        status[r["act"]].add(r["status"].rstrip("/").rsplit("/", 1)[-1].removeprefix("status-"))
    overrides: dict[str, tuple[int, str]] = {}
    for r in extra["override"]:
        try:
            code = int(float(r["code"]))
        except ValueError:
            continue
        if -7 <= code <= 7:
            overrides[r["act"]] = (code, r.get("note", ""))
    signed_at: dict[str, set[str]] = defaultdict(set)
    for r in extra["signed_at"]:
        signed_at[r["ev"]].add(r["agr"])
    basins: dict[str, str] = {}
    act_basins: dict[str, set[str]] = defaultdict(set)
    for r in extra["basin"]:
        basins[r["basin"]] = r.get("label") or NB._slug_label(r["basin"])
        act_basins[r["act"]].add(r["basin"])
    meeting_of: dict[str, set[str]] = defaultdict(set)
    for r in extra["meeting_of"]:
        meeting_of[r["ev"]].add(r["body"])
    territory = {r["state"]: r["country"] for r in extra["territory"]}

    agents_of: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for act, role, agent in g.incidences:
        agents_of[act][agent].add(role)

    def country_of(agent: str) -> str | None:
        a = g.agents.get(agent)
        if a is None:
            return None
        return a.country or territory.get(agent)

    coded: dict[str, Coded] = {}
    # agreements first: a signing ceremony takes the highest code of what was signed at it
    order = sorted(g.activities.values(), key=lambda a: (a.family != "agreement", a.iri))
    for a in order:
        if a.family not in ("event", "agreement", "programme"):
            continue
        members = agents_of.get(a.iri, {})
        countries = sorted({c for x in members if (c := country_of(x))})
        if a.iri in overrides:
            code, note = overrides[a.iri]
            rule, inferred = "curated", False
            note = note or "set by a curator"
        else:
            code, rule = _code_of(a, members, countries, status.get(a.iri, set()), g,
                                  [coded[x] for x in sorted(signed_at.get(a.iri, ())) if x in coded])
            inferred, note = True, RULE_TEXT[rule]
        if a.family == "programme" and rule not in ("joint-programme", "joint-programme-funding", "curated"):
            continue
        coded[a.iri] = Coded(
            iri=a.iri, label=a.label, family=a.family, type=a.type, date=a.date, year=a.year_from,
            code=code, rule=rule, inferred=inferred, note=note,
            sources=tuple(sorted(sources.get(a.iri, ()))), agents=tuple(sorted(members)),
            countries=tuple(countries), basins=tuple(sorted(act_basins.get(a.iri, ()))))
    countries_all = dict(g.countries)
    return IndicatorData(coded=coded, graph=g, basins=dict(sorted(basins.items())),
                         meeting_of={k: set(v) for k, v in meeting_of.items()}, countries=countries_all,
                         serial=g.serial, seconds=time.perf_counter() - t0)


def _code_of(a: NB.Activity, members: dict[str, set[str]], countries: list[str], status: set[str],
             g: NB.GraphData, signed: list[Coded]) -> tuple[int, str]:
    if a.family == "event" and status and status <= _NOT_HELD:
        return 0, "not-held"
    if a.family == "agreement":
        parties = [x for x, roles in members.items() if roles & {"party", "funder", "recipient"}]
        state_like = {g.agents[x].country for x in parties
                      if x in g.agents and g.agents[x].kind in ("state", "government-body") and g.agents[x].country}
        if a.type in _COOPERATION and len(state_like) >= 2:
            return 6, "treaty-between-states"
        if a.type in _FINANCING:
            return 5, "financing-agreement"
        if a.type in _STATEMENTS:
            return 2, "statement"
        return 4, "cooperation-agreement"
    if a.family == "programme":
        roles = set().union(*members.values()) if members else set()
        if "funder" in roles and roles & {"implementer", "recipient", "partner"}:
            return 5, "joint-programme-funding"
        if len(members) >= 2:
            return 4, "joint-programme"
        return 1, "meeting-or-talks"     # not coded: dropped by the caller
    if a.type == "SigningCeremony":
        return (max(c.code for c in signed) if signed else 2), "signing"
    if a.type in _TRAINING:
        return 3, "training-or-workshop"
    if a.type in _VISITS:
        return 2, "official-visit-or-adoption"
    return 1, "meeting-or-talks"


# --------------------------------------------------------------------------------------
# cache
# --------------------------------------------------------------------------------------

_CACHE: dict[tuple[int, int], IndicatorData] = {}


def cached(backend) -> IndicatorData:
    """:func:`compute` on the network's cached data, remembered per store build."""
    g = NB.cached_graph_data(backend)
    key = (id(backend), g.serial)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    data = compute(backend, g)
    for k in [k for k in _CACHE if k[0] == id(backend)]:
        del _CACHE[k]
    _CACHE[key] = data
    return data


# --------------------------------------------------------------------------------------
# series
# --------------------------------------------------------------------------------------

def _resolve(data: IndicatorData, kind: str, value: str) -> tuple[str, ...]:
    """The IRIs a series is about (one; two for a pair), from IRIs, slugs or labels."""
    g = data.graph
    if kind not in SERIES_KINDS:
        raise ParameterError("kind", f"unknown series kind {kind!r}", hint="use one of " + ", ".join(SERIES_KINDS))
    if not value or not value.strip():
        raise ParameterError("value", f"a {kind} is required",
                             hint="give an IRI, a slug or a label" + (" for each of two countries, comma-separated"
                                                                     if kind == "pair" else ""))

    def one(v: str, known: dict[str, str], what: str, name: str) -> str:
        v = v.strip()
        if v in known:
            return v
        low = v.lower()
        hits = [i for i, lab in known.items() if i.rstrip("/").rsplit("/", 1)[-1].lower() == low or lab.lower() == low]
        if hits:
            return sorted(hits)[0]
        raise ParameterError(name, f"no {what} matches {v!r}",
                             hint=(f"known {what}s: " + ", ".join(sorted(i.rsplit("/", 1)[-1] for i in known)[:30]))
                             if known else f"the graph has no {what} yet")

    if kind == "country":
        return (one(value, data.countries, "country", "value"),)
    if kind == "pair":
        parts = [p for p in value.split(",") if p.strip()]
        if len(parts) != 2:
            raise ParameterError("value", f"{value!r} is not two countries", hint="give two countries, comma-separated: kazakhstan,uzbekistan")
        a, b = (one(p, data.countries, "country", "value") for p in parts)
        if a == b:
            raise ParameterError("value", "the two countries are the same", hint="give two different countries")
        return tuple(sorted((a, b)))
    if kind == "basin":
        return (one(value, data.basins, "basin", "value"),)
    orgs = data._memo.get("orgs")
    if orgs is None:
        orgs = data._memo["orgs"] = {i: a.label for i, a in g.agents.items() if not a.is_person}
    return (one(value, orgs, "organisation", "value"),)


def index(data: IndicatorData) -> dict[str, Any]:
    """Lookups computed once per :class:`IndicatorData` (that is, once per store build):
    the coded items by country, organisation and basin, newest first, the labels, the
    candidate pairs and the organisations that take part in coded items."""
    memo = data._memo
    if "by_country" in memo:
        return memo
    by_country: dict[str, list[str]] = defaultdict(list)
    by_agent: dict[str, list[str]] = defaultdict(list)
    by_basin: dict[str, list[str]] = defaultdict(list)
    pairs: set[tuple[str, str]] = set()
    for c in data.coded.values():
        for x in c.countries:
            by_country[x].append(c.iri)
        for x in c.agents:
            by_agent[x].append(c.iri)
        for x in c.basins:
            by_basin[x].append(c.iri)
        if len(c.countries) <= 12:
            pairs.update(itertools.combinations(sorted(c.countries), 2))
    memo.update(by_country=by_country, by_agent=by_agent, by_basin=by_basin, pairs=sorted(pairs),
                newest=sorted(data.coded.values(), key=lambda c: (c.date or "0000", c.iri), reverse=True),
                labels={**data.countries, **data.basins, **{i: a.label for i, a in data.graph.agents.items()}})
    return memo


def _candidates(data: IndicatorData, kind: str, target: tuple[str, ...]) -> list[Coded]:
    ix = index(data)
    if kind == "pair":
        both = set(ix["by_country"].get(target[0], ())) & set(ix["by_country"].get(target[1], ()))
        return [data.coded[i] for i in both]
    table = {"country": ix["by_country"], "basin": ix["by_basin"], "organisation": ix["by_agent"]}[kind]
    return [data.coded[i] for i in table.get(target[0], ())]


def _matches(c: Coded, kind: str, target: tuple[str, ...]) -> bool:
    if kind == "country":
        return target[0] in c.countries
    if kind == "pair":
        return target[0] in c.countries and target[1] in c.countries
    if kind == "basin":
        return target[0] in c.basins
    return target[0] in c.agents


def series(data: IndicatorData, kind: str, value: str) -> dict[str, Any]:
    """Per year: the number of coded events and agreements about *value*, their mean,
    maximum and sum of BAR codes, and the items (each counted once, with its sources).
    Undated items are listed apart."""
    target = _resolve(data, kind, value)
    items = sorted(_candidates(data, kind, target), key=lambda c: (c.year is None, c.year or 0, c.date or "", c.iri))
    by_year: dict[int, list[Coded]] = defaultdict(list)
    undated: list[Coded] = []
    for c in items:
        (by_year[c.year] if c.year is not None else undated).append(c)
    years = []
    if by_year:
        for y in range(min(by_year), max(by_year) + 1):
            cs = by_year.get(y, [])
            codes = [c.code for c in cs]
            years.append({"year": y, "events": len(cs), "sum": sum(codes),
                          "mean": round(sum(codes) / len(codes), 3) if codes else None,
                          "max": max(codes) if codes else None,
                          "reports": sum(len(c.sources) for c in cs),
                          "items": [c.iri for c in cs]})
    labels = index(data)["labels"]
    return {"kind": kind, "about": [{"iri": t, "label": labels.get(t, t)} for t in target],
            "scale": "BAR (Yoffe et al. 2003), -7..+7", "years": years,
            "items": [c.to_json() for c in items], "undated": [c.iri for c in undated],
            "rules": [{"rule": n, "code": code, "text": t} for n, code, t in RULES]}


def series_csv(s: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["year", "events", "sum", "mean", "max", "reports"])
    for y in s["years"]:
        w.writerow([y["year"], y["events"], y["sum"], "" if y["mean"] is None else y["mean"],
                    "" if y["max"] is None else y["max"], y["reports"]])
    return buf.getvalue()


def codes_csv(data: IndicatorData) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["iri", "label", "family", "type", "date", "year", "code", "rule", "inferred", "sources", "countries"])
    for c in sorted(data.coded.values(), key=lambda c: (c.date or "", c.iri)):
        w.writerow([c.iri, c.label, c.family, c.type, c.date or "", c.year or "", c.code, c.rule,
                    str(c.inferred).lower(), " ".join(c.sources), " ".join(c.countries)])
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# SDG 6.5.2: operational arrangements
# --------------------------------------------------------------------------------------

CRITERIA: dict[str, str] = {
    "joint-body": "a joint body or mechanism (a platform, council or commission both take part in)",
    "annual-meeting": "the joint body meets formally at least once a year (the years it did)",
    "joint-plans": "joint or coordinated plans, programmes or objectives (programmes and agreements both are party to)",
    "data-exchange": "regular exchange of data and information (activities on water information systems or data)",
}
_DATA_TOPICS = ("water-information-systems", "data-exchange", "monitoring", "hydrological-data",
                "information-exchange", "digitalisation")


# long: an arrangement's evidence, criterion by criterion (SDG 6.5.2)
def arrangements(data: IndicatorData, kind: str, value: str) -> dict[str, Any]:  # noqa: C901 (one branch per criterion of an arrangement)
    """The evidence, criterion by criterion, of an operational arrangement for a pair of
    countries (``kind="pair"``) or a basin (``kind="basin"``)."""
    if kind not in ("pair", "basin"):
        raise ParameterError("kind", f"6.5.2 arrangements are for a pair of countries or a basin, not {kind!r}",
                             hint="use pair or basin")
    target = _resolve(data, kind, value)
    g = data.graph
    finder = _SentenceFinder(g)

    def about(c: Coded) -> bool:
        return _matches(c, kind, target)

    def sentence(act: str) -> str | None:
        cands = finder.candidates(act)
        return cands[0][0] if cands else None

    def item(act: str, why: str) -> dict[str, Any]:
        a = g.activities.get(act)
        return {"iri": act, "label": a.label if a else act, "date": a.date if a else None,
                "year": a.year_from if a else None, "why": why, "sentence": sentence(act)}

    # joint bodies: bodies whose members (memberships) or meetings include both sides
    side_of: dict[str, set[str]] = defaultdict(set)       # body → countries (or the basin) of its members
    body_evidence: dict[str, list[str]] = defaultdict(list)
    members_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for act, role, agent in g.incidences:
        if g.activities[act].family == "membership":
            members_of[act].append((role, agent))
    for m, pairs in members_of.items():
        bodies = [x for r, x in pairs if r == "body"]
        members = [x for r, x in pairs if r == "member"]
        for b in bodies:
            for x in members:
                c = g.agents[x].country if x in g.agents else None
                if c:
                    side_of[b].add(c)
                body_evidence[b].append(m)
    for ev, met in data.meeting_of.items():
        coded = data.coded.get(ev)
        for b in met:
            if coded is not None:
                side_of[b].update(coded.countries)
                if kind == "basin" and target[0] in coded.basins:
                    side_of[b].add(target[0])
    joint_bodies = []
    for b, sides in sorted(side_of.items()):
        body = g.agents.get(b)
        regional = body is not None and body.kind == "cooperation-platform"
        ok = (set(target) <= sides) if kind == "pair" else (target[0] in sides)
        if ok or (regional and kind == "pair" and set(target) <= sides):
            joint_bodies.append(b)
    crit: dict[str, dict[str, Any]] = {}
    crit["joint-body"] = {
        "held": bool(joint_bodies),
        "bodies": [{"iri": b, "label": g.agents[b].label if b in g.agents else b} for b in joint_bodies],
        "evidence": [item(m, "membership") for b in joint_bodies for m in sorted(set(body_evidence.get(b, ())))],
    }
    meetings = sorted({ev for ev, bodies in data.meeting_of.items() if bodies & set(joint_bodies)})
    years = sorted({y for e in meetings if e in g.activities and (y := g.activities[e].year_from)})
    crit["annual-meeting"] = {"held": bool(years), "years": years,
                              "evidence": [item(e, "meeting of the joint body") for e in meetings]}
    plans = [c for c in data.coded.values() if about(c) and (c.family == "programme" or c.family == "agreement")]
    crit["joint-plans"] = {"held": bool(plans), "years": sorted({c.year for c in plans if c.year}),
                           "evidence": [item(c.iri, c.type) for c in sorted(plans, key=lambda c: (c.date or "", c.iri))]}
    data_acts = [c for c in data.coded.values() if about(c)
                 and any(t.rsplit("/", 1)[-1] in _DATA_TOPICS for t in g.activities[c.iri].topics)]
    crit["data-exchange"] = {"held": bool(data_acts), "years": sorted({c.year for c in data_acts if c.year}),
                             "evidence": [item(c.iri, "on data or information systems")
                                          for c in sorted(data_acts, key=lambda c: (c.date or "", c.iri))]}
    for k, v in crit.items():
        v["criterion"] = CRITERIA[k]
    labels = {**data.countries, **data.basins}
    return {"kind": kind, "about": [{"iri": t, "label": labels.get(t, t)} for t in target],
            "criteria": crit, "operational": all(v["held"] for v in crit.values()),
            "note": "6.5.2 counts an arrangement as operational when all four criteria hold; "
                    "a criterion without evidence in the graph is 'not shown', not false."}


def candidate_pairs(data: IndicatorData) -> list[tuple[str, str]]:
    """Pairs of countries that share at least one coded event or agreement (items of more
    than 12 countries, such as world conferences, make no pairs)."""
    return index(data)["pairs"]


#: The overview lists the newest codes and the first pairs; the CSV and JSON have all.
CODES_ON_PAGE = 300
PAIRS_ON_PAGE = 200
ORGS_IN_LIST = 2000


def answer(data: IndicatorData, what: str, kind: str = "", value: str = "") -> Any:
    """What one indicators request needs, small enough to send between processes (the
    network worker holds *data*: :mod:`graph.network.pool`): ``overview`` (the page's
    lists), ``codes.csv`` / ``codes.json`` / ``codes.ttl`` (every code), ``series`` and
    ``arrangements`` (for *kind* and *value*; a bad one raises :class:`ParameterError`)."""
    if what == "series":
        return series(data, kind, value)
    if what == "arrangements":
        return arrangements(data, kind, value)
    if what == "codes.csv":
        return codes_csv(data)
    if what == "codes.json":
        return {"scale": {str(k): v for k, v in BAR_SCALE.items()},
                "rules": [{"rule": n, "code": c, "text": t} for n, c, t in RULES],
                "items": [c.to_json() for c in sorted(data.coded.values(), key=lambda c: c.iri)]}
    if what == "codes.ttl":
        from rdflib import Graph

        from .namespaces import bind_prefixes
        g = Graph()
        bind_prefixes(g)
        for t in codes_triples(data):
            g.add(t)
        return g.serialize(format="turtle")
    if what == "overview":
        ix = index(data)
        coded, pairs, active = ix["newest"], candidate_pairs(data), ix["by_agent"]
        return {"coded": coded[:CODES_ON_PAGE], "coded_total": len(coded),
                "pairs": [(a, b, data.countries.get(a, a), data.countries.get(b, b)) for a, b in pairs[:PAIRS_ON_PAGE]],
                "pairs_total": len(pairs), "countries": data.countries, "basins": data.basins,
                "organisations": sorted(((i, a.label) for i, a in data.graph.agents.items()
                                         if i in active and not a.is_person), key=lambda x: x[1].lower())[:ORGS_IN_LIST]}
    raise ValueError(f"unknown indicators answer {what!r}")


__all__ = ["BAR_SCALE", "RULES", "CRITERIA", "SERIES_KINDS", "Coded", "IndicatorData", "compute", "cached",
           "series", "series_csv", "codes_csv", "arrangements", "candidate_pairs", "answer"]


# --------------------------------------------------------------------------------------
# the codes as RDF (/indicators/codes.ttl)
# --------------------------------------------------------------------------------------

def codes_triples(data: IndicatorData):
    """``(s, p, o)`` rdflib triples: for every coded item ``wc:barCode`` (integer),
    ``wc:intensityRule`` (the rule's name, or ``curated``), ``wc:intensityInferred`` and,
    when dated, ``wc:barYear`` (integer). Vocabulary: ``ontology/indicators.ttl``."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from .namespaces import WC
    for c in sorted(data.coded.values(), key=lambda c: c.iri):
        s = URIRef(c.iri)
        yield s, WC.barCode, Literal(c.code, datatype=XSD.integer)
        yield s, WC.intensityRule, Literal(c.rule)
        yield s, WC.intensityInferred, Literal(c.inferred)
        if c.year is not None:
            yield s, WC.barYear, Literal(c.year, datatype=XSD.integer)


__all__ += ["codes_triples", "index"]
