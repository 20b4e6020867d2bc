"""Build: the incidences fetched from the store (:class:`GraphData`), the filters, and
the networks built from them (partnership, bipartite, activity, ego). See the package
docstring for the whole picture."""
from __future__ import annotations

import datetime as _dt
import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from ..errors import ParameterError, WckgError
from ..namespaces import PREFIXES, WC, WCID_DEFAULT, sparql_prologue

# ======================================================================================
# vocabulary of the networks
# ======================================================================================

#: Relation families and the roles an agent can take in each (role = property local
#: name, except ``chair-organisation``: the organisation of the person who chaired).
FAMILIES: dict[str, tuple[str, ...]] = {
    "agreement": ("party", "funder", "recipient"),
    "event": ("organiser", "participant", "supporter", "chair", "chair-organisation"),
    "programme": ("funder", "implementer", "partner", "supporter"),
    # an organisation (or state) that is a member of a platform or body (org:Membership
    # whose org:member is not a person): role ``member`` for the member, ``body`` for it
    "membership": ("member", "body"),
}
ROLES: tuple[str, ...] = tuple(sorted({r for rs in FAMILIES.values() for r in rs}))
_ROLE_PROPERTIES = ("party", "funder", "recipient", "organiser", "participant", "supporter",
                    "chair", "implementer", "partner")

#: Organisation kinds (class local name → key, label, colour). ``organisation`` is any
#: organisation typed with no more specific class; ``person`` is a wc:Person.
ORG_KINDS: dict[str, dict[str, str]] = {
    "government-body": {"class": "GovernmentBody", "label": "Government body", "color": "#1f77b4"},
    "international-organisation": {"class": "InternationalOrganisation", "label": "International organisation", "color": "#2ca02c"},
    "financial-institution": {"class": "FinancialInstitution", "label": "Financial institution", "color": "#d62728"},
    "company": {"class": "Company", "label": "Company", "color": "#9467bd"},
    "civil-society-organisation": {"class": "CivilSocietyOrganisation", "label": "Civil society organisation", "color": "#ff7f0e"},
    "cooperation-platform": {"class": "CooperationPlatform", "label": "Cooperation platform", "color": "#17becf"},
    "organisation": {"class": "Organisation", "label": "Organisation (other)", "color": "#7f7f7f"},
    "state": {"class": "State", "label": "State (as an actor)", "color": "#393b79"},
    "person": {"class": "Person", "label": "Person", "color": "#e377c2"},
}
_CLASS_TO_KIND = {v["class"]: k for k, v in ORG_KINDS.items()}
#: Colours of activity nodes in bipartite views.
ACTIVITY_COLORS = {"event": "#bcbd22", "agreement": "#8c564b", "programme": "#aec7e8",
                   "membership": "#c49c94"}

#: What a link between two agents means: the kind of tie one shared activity makes
#: between them, from the family of the activity and the roles of the two ends
#: (:func:`tie_kind`). ``strong`` ties are commitments (signing, funding, implementing,
#: organising together, membership); ``weak`` ties are presence at the same event. The
#: network shows the strong ties unless the weak layer is switched on.
TIE_KINDS: dict[str, dict[str, str]] = {
    "co-signed": {"label": "Co-signed an agreement", "strength": "strong", "color": "#8c564b",
                  "description": "both are parties to the same agreement"},
    "funded": {"label": "Funded", "strength": "strong", "color": "#d62728",
               "description": "one funds an agreement or programme the other receives or implements"},
    "co-funded": {"label": "Co-funded", "strength": "strong", "color": "#e7969c",
                  "description": "both fund the same programme or agreement"},
    "co-implemented": {"label": "Implemented together", "strength": "strong", "color": "#1f77b4",
                       "description": "implementer and partner (or two partners) of the same programme"},
    "supported": {"label": "Supported the same programme", "strength": "strong", "color": "#9edae5",
                  "description": "supporter of a programme with another of its funders, implementers, partners or supporters"},
    "co-organised": {"label": "Organised together", "strength": "strong", "color": "#2ca02c",
                     "description": "organisers or supporters of the same event"},
    "member-of": {"label": "Member of", "strength": "strong", "color": "#c49c94",
                  "description": "one is a member of the other (a platform, council or body)"},
    "organised-for": {"label": "Organiser and participant", "strength": "weak", "color": "#bcbd22",
                      "description": "one organised or supported an event the other attended"},
    "co-attended": {"label": "Attended the same event", "strength": "weak", "color": "#c7c7c7",
                    "description": "both took part in the same event"},
}
STRENGTHS = ("strong", "weak")

#: Why links are weighted as they are (shown on the page and written into exports).
WEIGHTING = ("Each shared activity of n agents adds 1/(n−1) to the weight of each of its "
             "n(n−1)/2 links (Newman 2001, collaboration networks): a bilateral agreement "
             "adds 1, a ceremony of nine adds 1/8 to each of its 36 links. So every activity "
             "adds exactly 1 to the weighted degree of each agent taking part, and a large "
             "gathering cannot outweigh a bilateral commitment. n counts the agents the "
             "activity links in the network being built (after the relation and people "
             "switches, before the country and kind filters).")

_ORGANISERS = frozenset({"organiser", "supporter"})
_FUNDERS = frozenset({"funder"})
_RECEIVERS = frozenset({"recipient", "implementer", "party", "partner"})


def tie_kind(family: str, roles_u: Iterable[str], roles_v: Iterable[str]) -> str:
    """The kind of tie (a key of :data:`TIE_KINDS`) one activity of *family* makes between
    agents taking the roles *roles_u* and *roles_v* in it (order does not matter)."""
    ru, rv = frozenset(roles_u), frozenset(roles_v)
    if family == "membership":
        return "member-of"
    if family == "event":
        if ru & _ORGANISERS and rv & _ORGANISERS:
            return "co-organised"
        if ru & _ORGANISERS or rv & _ORGANISERS:
            return "organised-for"
        return "co-attended"
    # agreements and programmes
    fu, fv = bool(ru & _FUNDERS), bool(rv & _FUNDERS)
    if fu and fv:
        return "co-funded"
    if (fu and rv & _RECEIVERS) or (fv and ru & _RECEIVERS):
        return "funded"
    if family == "agreement":
        return "co-signed"
    if "supporter" in ru or "supporter" in rv:
        return "supported"
    return "co-implemented"


def tie_strength(kind: str) -> str:
    return TIE_KINDS[kind]["strength"]

NETWORK_KINDS = ("partnership", "bipartite", "activity", "ego")
#: Node metrics, in table order. Numeric ones can size nodes.
METRICS: tuple[str, ...] = ("degree", "weighted_degree", "betweenness", "eigenvector",
                            "community", "component", "brokerage", "country_brokerage")
SIZE_METRICS: tuple[str, ...] = ("degree", "weighted_degree", "betweenness", "eigenvector",
                                 "brokerage", "country_brokerage")
METRIC_LABELS = {
    "degree": "Degree", "weighted_degree": "Weighted degree", "betweenness": "Betweenness",
    "eigenvector": "Eigenvector", "community": "Community", "component": "Component",
    "brokerage": "Brokerage (communities)", "country_brokerage": "Brokerage (countries)",
}

#: Betweenness is exact up to this many nodes, sampled above.
EXACT_BETWEENNESS_MAX = 1500
#: Sampled sources for approximate betweenness: as many as fit a budget of node+edge
#: visits (one BFS per source visits every node and edge), between these bounds. The
#: choice depends only on the graph's size, so the metrics stay deterministic.
BETWEENNESS_SAMPLE = 64
BETWEENNESS_SAMPLE_MIN = 8
BETWEENNESS_BUDGET = 4_000_000


def betweenness_sample_size(n: int, m: int) -> int:
    """The default ``k`` of sampled betweenness for a graph of *n* nodes and *m* edges."""
    return max(BETWEENNESS_SAMPLE_MIN, min(BETWEENNESS_SAMPLE, BETWEENNESS_BUDGET // max(1, n + m), n))
SEED = 42

METRICS_GRAPH = WCID_DEFAULT + "graph/metrics"
YEAR_MIN, YEAR_MAX = 1900, 2100


class UnknownFocus(ParameterError):
    """A focus entity (``--focus``, ``/network/{kind}/{slug}``) that names no organisation
    or person of the graph; carries the closest matches."""

    def __init__(self, value: str, close_matches: list[tuple[str, str]]):
        self.value = value
        self.close_matches = close_matches
        hint = ("did you mean: " + "; ".join(f"{label} <{iri}>" for label, iri in close_matches)
                if close_matches else "give an organisation or person IRI, slug or label "
                                      "(`wckg search TEXT` finds them)")
        super().__init__("focus", f"no organisation or person matches {value!r}", hint=hint)


# ======================================================================================
# the data: agents, activities, incidences
# ======================================================================================

@dataclass
class Agent:
    iri: str
    label: str
    kind: str                       # a key of ORG_KINDS
    country: str | None = None
    country_label: str | None = None
    alt_labels: tuple[str, ...] = ()

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


@dataclass
class Activity:
    iri: str
    family: str                     # agreement | event | programme
    type: str                       # most specific class local name (GrantAgreement, Meeting…)
    label: str
    date: str | None = None         # as written (2025-04-10, 2025-04, 2025) or "2021–2025"
    year_from: int | None = None
    year_to: int | None = None
    source: str | None = None
    topics: frozenset[str] = frozenset()


@dataclass
class GraphData:
    """What the networks are built from: fetched once, filtered many times."""

    agents: dict[str, Agent]
    activities: dict[str, Activity]
    #: (activity, role, agent), sorted; ``chair-organisation`` rows are derived.
    incidences: list[tuple[str, str, str]]
    topics: dict[str, str]          # topic IRI → label
    countries: dict[str, str]       # country IRI → label
    #: activity → its ``wc:evidence`` sentences (the sentences about it as a whole)
    sentences: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: (subject, object) → quotes of the ``wc:StatementEvidence`` of statements linking them
    statement_quotes: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: (subject, object) → the ``wc:mentionText`` values: how a quote names the object
    mentions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    #: organisation → the organisation it is a unit of (``org:subOrganizationOf``; the
    #: first by IRI when there are several)
    parents: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""
    fetch_seconds: float = 0.0
    #: unique per fetch in this process (a cache key that, unlike id(), is never reused)
    serial: int = 0

    def years(self) -> tuple[int, int] | None:
        ys = [y for a in self.activities.values() for y in (a.year_from, a.year_to) if y is not None]
        return (min(ys), max(ys)) if ys else None


_PROLOGUE = sparql_prologue({k: PREFIXES[k] for k in ("wc", "skos", "prov", "org", "rdfs", "rdf")})

Q_AGENTS = _PROLOGUE + """
SELECT ?agent ?type ?label ?lang ?country ?countryLabel WHERE {
  { ?type rdfs:subClassOf* wc:Organisation . ?agent a ?type . }
  UNION
  { ?agent a wc:Person . BIND(wc:Person AS ?type) }
  UNION
  { ?agent a wc:State . BIND(wc:State AS ?type) }
  OPTIONAL { ?agent skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }
  OPTIONAL { ?agent wc:country ?country .
             OPTIONAL { ?country skos:prefLabel ?countryLabel
                        FILTER(LANGMATCHES(LANG(?countryLabel), "en")) } }
}"""

#: every altLabel (the agents' are picked in Python: a type join costs more than the rows)
Q_ALT_LABELS = _PROLOGUE + """
SELECT ?agent ?alt WHERE { ?agent skos:altLabel ?alt . }"""

#: One query per relation family: its activities and their attributes.
Q_ACTIVITIES = {
    family: _PROLOGUE + """
SELECT ?act ?type ?label ?lang ?date ?start ?end ?signedDate ?src WHERE {
  ?type rdfs:subClassOf* wc:%s .
  ?act a ?type .
  OPTIONAL { ?act skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }
  OPTIONAL { ?act wc:date ?date }
  OPTIONAL { ?act wc:startDate ?start }
  OPTIONAL { ?act wc:endDate ?end }
  OPTIONAL { ?act wc:signedAt ?signing . ?signing wc:date ?signedDate }
  OPTIONAL { ?act prov:wasDerivedFrom ?src }
}""" % cls
    for family, cls in (("agreement", "Agreement"), ("event", "Event"), ("programme", "Programme"))
}

Q_INCIDENCES = _PROLOGUE + """
SELECT ?act ?p ?agent WHERE {
  VALUES ?p { %s }
  ?act ?p ?agent .
  FILTER(isIRI(?agent))
}""" % " ".join(f"wc:{p}" for p in _ROLE_PROPERTIES)

Q_TOPICS = _PROLOGUE + """
SELECT ?act ?topic ?label WHERE {
  ?act wc:topic ?topic .
  OPTIONAL { ?topic skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
}"""

Q_MEMBERSHIPS = _PROLOGUE + """
SELECT ?m ?person ?org ?asOf ?start ?end ?src ?label ?lang WHERE {
  ?m org:member ?person ; org:organization ?org .
  OPTIONAL { ?m wc:asOf ?asOf }
  OPTIONAL { ?m wc:startDate ?start }
  OPTIONAL { ?m wc:endDate ?end }
  OPTIONAL { ?m prov:wasDerivedFrom ?src }
  OPTIONAL { ?m skos:prefLabel ?label . BIND(LANG(?label) AS ?lang) }
}"""

#: the sentences stating a resource as a whole (filtered to activities in Python)
Q_SENTENCES = _PROLOGUE + """
SELECT ?act ?text WHERE { ?act wc:evidence ?text . FILTER(isLiteral(?text)) }"""

#: statement-level evidence (vocabulary 0.2): the quote of each statement
Q_STATEMENT_EVIDENCE = _PROLOGUE + """
SELECT ?s ?o ?quote ?mention WHERE {
  ?se a wc:StatementEvidence ; rdf:subject ?s ; rdf:object ?o ; wc:quote ?quote .
  OPTIONAL { ?se wc:mentionText ?mention }
}"""

Q_PARENTS = _PROLOGUE + """
SELECT ?unit ?parent WHERE { ?unit org:subOrganizationOf ?parent . FILTER(isIRI(?parent)) }"""

_WC = str(WC)
_SERIALS = itertools.count(1)
_YEAR_RE = re.compile(r"^\s*(-?\d{4})")


def _year(value: Any) -> int | None:
    if value is None:
        return None
    m = _YEAR_RE.match(str(value))
    return int(m.group(1)) if m else None


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1]


def _slug_label(iri: str) -> str:
    return _local(iri).replace("-", " ").strip() or iri


def _pick_label(labels: dict[str, str], iri: str) -> str:
    """English label, else an untagged one, else any (sorted), else the IRI's slug."""
    if not labels:
        return _slug_label(iri)
    for lang in ("en", ""):
        if lang in labels:
            return labels[lang]
    en_variant = sorted(k for k in labels if k.startswith("en-"))
    if en_variant:
        return labels[en_variant[0]]
    return labels[sorted(labels)[0]]


def _select(backend, text: str) -> list[dict[str, str]]:
    """Rows of a SELECT as plain strings (the network needs no typed terms). Reads the
    engine's SPARQL JSON directly when the backend offers ``query()`` (rdflib terms cost
    more than the query at a million triples); otherwise ``select()``."""
    query = getattr(backend, "query", None)
    if query is not None:
        res = query(text)
        if getattr(res, "kind", None) == "select" and isinstance(getattr(res, "payload", None), (bytes, str)):
            bindings = json.loads(res.payload)["results"]["bindings"]
            return [{k: v["value"] for k, v in b.items()} for b in bindings]
    return [{k: str(v) for k, v in row.items()} for row in backend.select(text)]


def _run_all(backend, queries: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The queries, one after the other. Not in threads: the store's safety check parses
    each query with rdflib's SPARQL grammar, and pyparsing is not thread-safe (parallel
    parses corrupted later ones).

    On the embedded store the queries — fixed texts of this module, no user input — run on
    a read-only handle of the current build in this process: at a million triples that
    saves a third of the fetch (no JSON encoding, no pipe between processes)."""
    native = _native_store(backend)
    if native is not None:
        try:
            return {name: _native_select(native, text) for name, text in queries.items()}
        finally:
            del native
    return {name: _select(backend, text) for name, text in queries.items()}


def _native_store(backend):
    """A read-only pyoxigraph handle in this process, from a backend with the
    ``local-store`` capability (:mod:`graph.backend`); None for any other."""
    from ..backend import LOCAL_STORE
    if LOCAL_STORE not in getattr(backend, "capabilities", frozenset()):
        return None
    return backend.local_store()


def _native_select(store, text: str) -> list[dict[str, str]]:
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in res]


def fetch_graph_data(backend) -> GraphData:
    """Run the network queries against *backend* (anything with ``select(text)``, or the
    store API's ``query(text)``) — a fixed handful, one per relation family, never one per
    node — and assemble :class:`GraphData`."""
    t0 = time.perf_counter()
    results = _run_all(backend, {"agents": Q_AGENTS, "alt": Q_ALT_LABELS, "topics": Q_TOPICS,
                                 "incidences": Q_INCIDENCES, "posts": Q_MEMBERSHIPS,
                                 "sentences": Q_SENTENCES, "statements": Q_STATEMENT_EVIDENCE,
                                 "parents": Q_PARENTS,
                                 **{"act-" + f: q for f, q in Q_ACTIVITIES.items()}})
    # --- agents -------------------------------------------------------------------------
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    types: dict[str, set[str]] = defaultdict(set)
    country: dict[str, str] = {}
    countries: dict[str, str] = {}
    for row in results["agents"]:
        a = str(row["agent"])
        types[a].add(str(row["type"]))
        if "label" in row:
            labels[a].setdefault(str(row.get("lang", "")), str(row["label"]))
        if "country" in row:
            c = str(row["country"])
            country.setdefault(a, c)
            if "countryLabel" in row:
                countries[c] = str(row["countryLabel"])
            else:
                countries.setdefault(c, _slug_label(c))
    alts: dict[str, set[str]] = defaultdict(set)
    for row in results["alt"]:
        alts[str(row["agent"])].add(str(row["alt"]))
    agents: dict[str, Agent] = {}
    for a, ts in types.items():
        agents[a] = Agent(iri=a, label=_pick_label(labels.get(a, {}), a), kind=_agent_kind(ts),
                          country=country.get(a), country_label=countries.get(country.get(a, ""), None),
                          alt_labels=tuple(sorted(alts.get(a, ()))))

    # --- activities, one query per family ------------------------------------------------
    activities: dict[str, Activity] = {}
    for family in Q_ACTIVITIES:
        acc: dict[str, dict[str, Any]] = {}
        for row in results["act-" + family]:
            act = str(row["act"])
            if act in activities:           # typed in two families: the first one wins
                continue
            d = acc.setdefault(act, {"types": set(), "labels": {}, "date": None, "start": None,
                                     "end": None, "signed": None, "src": set()})
            d["types"].add(str(row["type"]))
            if "label" in row:
                d["labels"].setdefault(str(row.get("lang", "")), str(row["label"]))
            for key, var in (("date", "date"), ("start", "start"), ("end", "end"), ("signed", "signedDate")):
                if var in row and (d[key] is None or str(row[var]) < d[key]):
                    d[key] = str(row[var])
            if "src" in row:
                d["src"].add(str(row["src"]))
        for act, d in acc.items():
            date = d["date"] or d["signed"]
            if date:
                y_from = y_to = _year(date)
            else:
                y_from, y_to = _year(d["start"]), _year(d["end"])
                if y_from is None:
                    y_from = y_to
                if y_to is None:
                    y_to = y_from
                if d["start"] or d["end"]:
                    date = f"{d['start'] or '?'}–{d['end'] or ''}".rstrip("–") if d["end"] != d["start"] else d["start"]
            activities[act] = Activity(
                iri=act, family=family, type=_most_specific(d["types"], family),
                label=_pick_label(d["labels"], act), date=date, year_from=y_from, year_to=y_to,
                source=min(d["src"]) if d["src"] else None)

    # --- topics ------------------------------------------------------------------------
    topics: dict[str, str] = {}
    act_topics: dict[str, set[str]] = defaultdict(set)
    for row in results["topics"]:
        t = str(row["topic"])
        topics[t] = str(row["label"]) if "label" in row else topics.get(t, _slug_label(t))
        act_topics[str(row["act"])].add(t)
    for act, ts in act_topics.items():
        if act in activities:
            activities[act].topics = frozenset(ts)

    # --- incidences ----------------------------------------------------------------------
    inc: set[tuple[str, str, str]] = set()
    for row in results["incidences"]:
        act, agent = str(row["act"]), str(row["agent"])
        a = activities.get(act)
        if a is None:
            continue
        role = str(row["p"])[len(_WC):]
        if role not in FAMILIES[a.family]:
            continue
        if agent not in agents:
            # used as an agent but not typed: an organisation we know nothing else about
            if role == "chair":
                continue
            agents[agent] = Agent(iri=agent, label=_slug_label(agent), kind="organisation")
        inc.add((act, role, agent))

    # --- memberships: a person's posts; an organisation's membership of a body -------------
    posts: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    org_members: dict[str, dict[str, Any]] = {}
    for row in results["posts"]:
        member = str(row["person"])
        if member in agents and agents[member].is_person:
            posts[member].append((str(row["org"]), _year(row.get("asOf"))))
            continue
        if member not in agents or str(row["org"]) == member:
            continue
        d = org_members.setdefault(str(row["m"]), {"member": member, "body": str(row["org"]), "dates": set(),
                                                   "src": set(), "labels": {}})
        for var in ("asOf", "start", "end"):
            if var in row:
                d["dates"].add((var, str(row[var])))
        if "src" in row:
            d["src"].add(str(row["src"]))
        if "label" in row:
            d["labels"].setdefault(str(row.get("lang", "")), str(row["label"]))
    for m, d in sorted(org_members.items()):
        if m in activities:
            continue
        if d["body"] not in agents:
            agents[d["body"]] = Agent(iri=d["body"], label=_slug_label(d["body"]), kind="organisation")
        starts = sorted(v for k, v in d["dates"] if k in ("start", "asOf"))
        ends = sorted(v for k, v in d["dates"] if k in ("end", "asOf"))
        y0 = _year(starts[0]) if starts else None
        y1 = _year(ends[-1]) if ends else None
        label = (_pick_label(d["labels"], m) if d["labels"] else
                 f"{agents[d['member']].label} member of {agents[d['body']].label}")
        activities[m] = Activity(iri=m, family="membership", type="Membership", label=label,
                                 date=starts[0] if starts else None,
                                 year_from=y0 if y0 is not None else y1, year_to=y1 if y1 is not None else y0,
                                 source=min(d["src"]) if d["src"] else None)
        inc.add((m, "member", d["member"]))
        inc.add((m, "body", d["body"]))

    # --- the chair's organisation ---------------------------------------------------------
    for act, role, agent in list(inc):
        if role != "chair" or agent not in posts:
            continue
        year = activities[act].year_from
        for org in _closest_posts(posts[agent], year):
            if org not in agents:
                agents[org] = Agent(iri=org, label=_slug_label(org), kind="organisation")
            inc.add((act, "chair-organisation", org))

    # --- evidence: sentences about each activity, quotes of each statement ----------------
    sentences: dict[str, set[str]] = defaultdict(set)
    for row in results["sentences"]:
        if str(row["act"]) in activities:
            sentences[str(row["act"])].add(str(row["text"]))
    quotes: dict[tuple[str, str], set[str]] = defaultdict(set)
    mentions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in results["statements"]:
        key = (str(row["s"]), str(row["o"]))
        quotes[key].add(str(row["quote"]))
        if "mention" in row:
            mentions[key].add(str(row["mention"]))
    parents: dict[str, str] = {}
    for row in sorted(results["parents"], key=lambda r: (str(r["unit"]), str(r["parent"]))):
        parents.setdefault(str(row["unit"]), str(row["parent"]))

    return GraphData(agents=agents, activities=activities, incidences=sorted(inc),
                     topics=topics, countries=dict(sorted(countries.items())),
                     sentences={k: tuple(sorted(v)) for k, v in sentences.items()},
                     statement_quotes={k: tuple(sorted(v)) for k, v in quotes.items()},
                     mentions={k: tuple(sorted(v)) for k, v in mentions.items()},
                     parents=dict(sorted(parents.items())),
                     fetched_at=_now(), fetch_seconds=time.perf_counter() - t0, serial=next(_SERIALS))


def _closest_posts(posts: list[tuple[str, int | None]], year: int | None) -> list[str]:
    """The organisations of the posts nearest in time to *year* (all when undated)."""
    if year is None or all(y is None for _, y in posts):
        return sorted({o for o, _ in posts})
    best = min(abs(y - year) for _, y in posts if y is not None)
    return sorted({o for o, y in posts if y is None or abs(y - year) == best})


def _agent_kind(types: set[str]) -> str:
    if _WC + "Person" in types:
        return "person"
    if _WC + "State" in types:
        return "state"
    specific = sorted(_CLASS_TO_KIND[t[len(_WC):]] for t in types
                      if t.startswith(_WC) and t[len(_WC):] in _CLASS_TO_KIND
                      and t[len(_WC):] not in ("Organisation", "Person"))
    return specific[0] if specific else "organisation"


_FAMILY_ROOT = {"agreement": "Agreement", "event": "Event", "programme": "Programme"}


def _most_specific(types: set[str], family: str) -> str:
    names = sorted(t[len(_WC):] for t in types if t.startswith(_WC))
    root = _FAMILY_ROOT[family]
    specific = [n for n in names if n != root]
    return specific[0] if specific else root


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------
# a small cache so that a web app fetches once per store build
# --------------------------------------------------------------------------------------

_CACHE: dict[tuple[int, str], tuple[float, GraphData]] = {}
_CACHE_TTL_UNVERSIONED = 60.0


def cached_graph_data(backend) -> GraphData:
    """:func:`fetch_graph_data`, remembered per backend and store build (``backend.info()``
    build id); without a build id, for a minute."""
    build = None
    info = getattr(backend, "info", None)
    if info is not None:
        try:
            i = info()
            build = getattr(i, "build_id", None) or getattr(i, "id", None)
        except WckgError:
            build = None
    key = (id(backend), str(build))
    hit = _CACHE.get(key)
    now = time.monotonic()
    if hit and (build is not None or now - hit[0] < _CACHE_TTL_UNVERSIONED):
        return hit[1]
    data = fetch_graph_data(backend)
    for k in [k for k in _CACHE if k[0] == id(backend)]:
        del _CACHE[k]
    _CACHE[key] = (now, data)
    return data


# ======================================================================================
# filters
# ======================================================================================

@dataclass(frozen=True)
class NetworkFilters:
    """Which part of the graph a network is built from. Empty sets mean "all"."""

    relations: frozenset[tuple[str, str]] = frozenset()   # (family, role)
    year_from: int | None = None
    year_to: int | None = None
    countries: frozenset[str] = frozenset()               # country IRIs
    org_kinds: frozenset[str] = frozenset()               # keys of ORG_KINDS
    topics: frozenset[str] = frozenset()                  # topic IRIs
    people: bool = False
    #: the weak layer (organiser–participant, co-attendance) on top of the strong ties
    weak: bool = False
    #: units (country offices, departments: ``org:subOrganizationOf``) count as the
    #: organisation at the top of their chain (the focus of an ego network stays itself)
    rollup: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "relations": sorted(f"{f}:{r}" for f, r in self.relations),
            "from": self.year_from, "to": self.year_to,
            "countries": sorted(self.countries), "org_kinds": sorted(self.org_kinds),
            "topics": sorted(self.topics), "people": self.people,
            "weak": self.weak, "rollup": self.rollup,
        }


def parse_relations(values: Iterable[str]) -> frozenset[tuple[str, str]]:
    """``event``, ``party``, ``programme:funder`` → (family, role) pairs. Raises
    :class:`ParameterError` naming a value that is neither."""
    out: set[tuple[str, str]] = set()
    for raw in values:
        for v in (x.strip().lower() for x in str(raw).split(",")):
            if not v:
                continue
            if v in FAMILIES:
                out |= {(v, r) for r in FAMILIES[v]}
            elif ":" in v:
                fam, role = v.split(":", 1)
                if fam not in FAMILIES or role not in FAMILIES[fam]:
                    raise ParameterError("relation", f"unknown relation {v!r}",
                                         hint=_relations_hint())
                out.add((fam, role))
            elif v in ROLES:
                out |= {(f, v) for f, rs in FAMILIES.items() if v in rs}
            else:
                raise ParameterError("relation", f"unknown relation {v!r}", hint=_relations_hint())
    return frozenset(out)


def _relations_hint() -> str:
    return ("use a family (" + ", ".join(FAMILIES) + "), a role (" + ", ".join(ROLES)
            + ") or family:role such as programme:funder")


def parse_year(name: str, value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    s = str(value).strip()
    if not re.fullmatch(r"\d{4}", s) or not YEAR_MIN <= int(s) <= YEAR_MAX:
        raise ParameterError(name, f"{s!r} is not a year", hint=f"give a four-digit year between {YEAR_MIN} and {YEAR_MAX}")
    return int(s)


def parse_org_kinds(values: Iterable[str]) -> frozenset[str]:
    out = set()
    for raw in values:
        for v in (x.strip() for x in str(raw).split(",")):
            if not v:
                continue
            key = v.lower().replace("_", "-").replace(" ", "-")
            if key in ORG_KINDS:
                out.add(key)
                continue
            by_class = {d["class"].lower(): k for k, d in ORG_KINDS.items()}
            if v.lower() in by_class:
                out.add(by_class[v.lower()])
                continue
            raise ParameterError("org_kind", f"unknown organisation kind {v!r}",
                                 hint="use one of " + ", ".join(ORG_KINDS))
    return frozenset(out)


def _resolve_named(name: str, values: Iterable[str], known: Mapping[str, str], what: str) -> frozenset[str]:
    """Country or topic values (IRI, slug or label) → IRIs of *known* (IRI → label)."""
    out = set()
    for raw in values:
        for v in (x.strip() for x in str(raw).split(",")):
            if not v:
                continue
            if v in known:
                out.add(v)
                continue
            low = v.lower()
            hits = [iri for iri, label in known.items()
                    if _local(iri).lower() == low or label.lower() == low]
            if hits:
                out.update(hits)
                continue
            close = _close_matches(v, {iri: [label] for iri, label in known.items()})
            hint = ("did you mean: " + "; ".join(f"{label} ({_local(i)})" for label, i in close)
                    if close else f"known {what}: " + ", ".join(sorted(_local(i) for i in known)[:20]))
            raise ParameterError(name, f"no {what} matches {v!r}", hint=hint)
    return frozenset(out)


def make_filters(data: GraphData, *, relations: Iterable[str] = (), year_from: Any = None,
                 year_to: Any = None, countries: Iterable[str] = (), org_kinds: Iterable[str] = (),
                 topics: Iterable[str] = (), people: bool = False, weak: bool = False,
                 rollup: bool = False) -> NetworkFilters:
    """Validate user-given filter values against the data; every error names its parameter."""
    yf, yt = parse_year("from", year_from), parse_year("to", year_to)
    if yf is not None and yt is not None and yf > yt:
        raise ParameterError("from", f"the period starts ({yf}) after it ends ({yt})",
                             hint="give from ≤ to")
    return NetworkFilters(
        relations=parse_relations(relations), year_from=yf, year_to=yt,
        countries=_resolve_named("country", countries, data.countries, "country"),
        org_kinds=parse_org_kinds(org_kinds),
        topics=_resolve_named("topic", topics, data.topics, "topic"),
        people=bool(people), weak=bool(weak), rollup=bool(rollup))


def _activity_ok(a: Activity, f: NetworkFilters) -> bool:
    if f.year_from is not None or f.year_to is not None:
        if a.year_from is None:
            return False
        lo = f.year_from if f.year_from is not None else YEAR_MIN
        hi = f.year_to if f.year_to is not None else YEAR_MAX
        if a.year_to < lo or a.year_from > hi:
            return False
    if f.topics and not (a.topics & f.topics):
        return False
    return True


def _agent_ok(g: Agent, f: NetworkFilters) -> bool:
    if g.is_person:
        return f.people
    if f.org_kinds and g.kind not in f.org_kinds:
        return False
    if f.countries and g.country not in f.countries:
        return False
    return True


def rollup_map(data: GraphData, keep: Iterable[str] = ()) -> dict[str, str]:
    """organisation → the organisation it counts as when units roll up: the top of its
    ``org:subOrganizationOf`` chain (a country office → its agency's top organisation, a
    department → its ministry → the government), stopping at any organisation of *keep*
    (an ego network's focus keeps its identity and takes its units' links). Only
    organisations that change are in the map; cycles stop where they close."""
    keep = set(keep)
    out: dict[str, str] = {}
    for unit in data.parents:
        if unit in keep or unit not in data.agents or data.agents[unit].is_person:
            continue
        seen = {unit}
        top = unit
        while top not in keep:
            parent = data.parents.get(top)
            if parent is None or parent in seen or parent not in data.agents:
                break
            seen.add(parent)
            top = parent
        if top != unit:
            out[unit] = top
    return out


@dataclass
class Incidences:
    """The filtered incidences of the activities: ``members[act][node]`` = the roles of
    *node* (after roll-up) in *act*; ``originals[act][node]`` = the agents it stands for;
    ``size[act]`` = n, the number of agents the activity links (see :data:`WEIGHTING`)."""

    members: dict[str, dict[str, list[str]]]
    originals: dict[str, dict[str, set[str]]]
    size: dict[str, int]


def group_incidences(data: GraphData, f: NetworkFilters, *, keep: Iterable[str] = ()) -> Incidences:
    """The incidences that pass the filters, grouped by activity, with units rolled up
    (``f.rollup``; *keep*: organisations that stay themselves)."""
    members: dict[str, dict[str, list[str]]] = {}
    originals: dict[str, dict[str, set[str]]] = {}
    seen_agents: dict[str, set[str]] = defaultdict(set)
    act_ok: dict[str, bool] = {}
    agent_ok: dict[str, bool] = {}
    up = rollup_map(data, keep) if f.rollup else {}
    for act, role, agent in data.incidences:
        a = data.activities[act]
        if f.relations and (a.family, role) not in f.relations:
            continue
        ok = act_ok.get(act)
        if ok is None:
            ok = act_ok[act] = _activity_ok(a, f)
        if not ok:
            continue
        g = data.agents[agent]
        if g.is_person and not f.people:
            continue
        node = up.get(agent, agent)
        seen_agents[act].add(node)
        ok = agent_ok.get(node)
        if ok is None:
            ok = agent_ok[node] = _agent_ok(data.agents[node], f)
        if not ok:
            continue
        members.setdefault(act, {}).setdefault(node, []).append(role)
        originals.setdefault(act, {}).setdefault(node, set()).add(agent)
    size = {act: len(seen_agents[act]) for act in members}
    return Incidences(members, originals, size)


def filtered_incidences(data: GraphData, f: NetworkFilters) -> dict[str, dict[str, list[str]]]:
    """activity → {agent → [roles]} after the filters (and the roll-up)."""
    return group_incidences(data, f).members


# ======================================================================================
# builders
# ======================================================================================

def _agent_attrs(g: Agent) -> dict[str, Any]:
    return {"label": g.label, "node_type": "person" if g.is_person else "organisation",
            "kind": g.kind, "kind_label": ORG_KINDS[g.kind]["label"],
            "country": g.country or "", "country_label": g.country_label or ""}


def _activity_attrs(a: Activity) -> dict[str, Any]:
    return {"label": a.label, "node_type": "activity", "kind": a.family, "kind_label": a.family.title(),
            "type": a.type, "date": a.date or "", "source": a.source or ""}


def partnership_network(data: GraphData, filters: NetworkFilters = NetworkFilters(), *,
                        keep: Iterable[str] = ()) -> nx.Graph:
    """Organisations (and people, when ``filters.people``) linked by shared activities.

    Every shared activity makes a *tie* of a kind (:data:`TIE_KINDS`, from the family and
    the two roles); only strong ties unless ``filters.weak``. Each link carries
    ``weight`` (the sum over its activities of 1/(n−1), :data:`WEIGHTING`), ``count``
    (shared activities), ``strength`` (strong when any of its ties is), ``ties`` (the
    kinds), ``kinds`` (the families), ``first_year``/``last_year``, and ``evidence``: one
    entry per activity, oldest first, with the tie, the roles, the activity's weight and
    ``sentence``: a sentence that names both ends (a statement's quote, else a sentence
    about the activity), or None when no sentence of the graph names both; then
    ``quotes``, when both ends' statements have evidence: the quote of each end's
    statement (each names its end)."""
    inc = group_incidences(data, filters, keep=keep)
    by_act = inc.members
    edges: dict[tuple[str, str], list] = {}
    nodes: set[str] = set()
    acts = data.activities
    finder = _SentenceFinder(data)
    # oldest first (undated last), then by IRI: every evidence list comes out sorted, and
    # the insertion order (hence every metric) depends on the data only
    order = sorted(by_act, key=lambda x: (acts[x].date is None, acts[x].date or "", x))
    for act in order:
        members = by_act[act]
        a = acts[act]
        agents = sorted(members)
        if len(agents) == 1:
            nodes.update(agents)
            continue
        share = 1.0 / max(1, inc.size[act] - 1)
        role = {g: "+".join(sorted(set(rs))) for g, rs in members.items()}
        roleset = {g: frozenset(rs) for g, rs in members.items()}
        shared: dict[tuple, dict[str, Any]] = {}
        bit = _FAMILY_BITS[a.family]
        y0, y1 = a.year_from, a.year_to
        for i, u in enumerate(agents):
            ru = role[u]
            for v in agents[i + 1:]:
                tie = tie_kind(a.family, roleset[u], roleset[v])
                if not filters.weak and TIE_KINDS[tie]["strength"] == "weak":
                    continue
                rv = role[v]
                sentence = finder.sentence(act, inc.originals[act][u], inc.originals[act][v])
                quotes = None
                if sentence is None:
                    # no one sentence names both: the quote of each end's own statement
                    qu = finder.statement_quote(act, inc.originals[act][u], roleset[u])
                    qv = finder.statement_quote(act, inc.originals[act][v], roleset[v])
                    if qu and qv:
                        quotes = (qu, qv)
                key = (ru, rv, tie, sentence, quotes)
                entry = shared.get(key)
                if entry is None:
                    entry = shared[key] = {
                        "kind": a.family, "type": a.type, "resource": act, "label": a.label,
                        "date": a.date, "year_from": y0, "year_to": y1, "source": a.source,
                        "roles": [ru, rv], "tie": tie, "strength": TIE_KINDS[tie]["strength"],
                        "weight": round(share, 6), "sentence": sentence}
                    if quotes:
                        entry["quotes"] = list(quotes)
                nodes.add(u)
                nodes.add(v)
                rec = edges.get((u, v))
                if rec is None:
                    edges[(u, v)] = [[entry], bit, y0, y1, share, {tie}]
                else:
                    rec[0].append(entry)
                    rec[1] |= bit
                    rec[4] += share
                    rec[5].add(tie)
                    if y0 is not None:
                        if rec[2] is None or y0 < rec[2]:
                            rec[2] = y0
                        if rec[3] is None or y1 > rec[3]:
                            rec[3] = y1
    G = nx.Graph(network="partnership", filters=json.dumps(filters.describe(), sort_keys=True),
                 weighting="newman-1/(n-1)")
    up_units: dict[str, set[str]] = defaultdict(set)
    for origs in inc.originals.values():
        for node, agents_ in origs.items():
            up_units[node].update(x for x in agents_ if x != node)
    for n in sorted(nodes):
        attrs = _agent_attrs(data.agents[n])
        if up_units.get(n):
            attrs["units"] = sorted(up_units[n])
        G.add_node(n, **attrs)
    G.add_edges_from((u, v, {"weight": round(rec[4], 6), "count": len(rec[0]), "evidence": rec[0],
                             "kinds": _KINDS_OF_BITS[rec[1]], "ties": ",".join(sorted(rec[5])),
                             "strength": "strong" if any(TIE_KINDS[t]["strength"] == "strong" for t in rec[5])
                                         else "weak",
                             "first_year": rec[2], "last_year": rec[3]})
                     for (u, v), rec in edges.items())
    return G


_FAMILY_BITS = {"agreement": 1, "event": 2, "programme": 4, "membership": 8}
_KINDS_OF_BITS = {bits: ",".join(f for f, b in sorted(_FAMILY_BITS.items()) if bits & b) for bits in range(16)}


# --------------------------------------------------------------------------------------
# the sentence behind a link
# --------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-",
                         "\u00a0": " "})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_text(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form for finding a name in a sentence:
    ``" ministry of water "``-style, padded with spaces so that a name matches whole words."""
    import unicodedata
    t = unicodedata.normalize("NFKD", str(text).translate(_QUOTES))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return " " + _NON_WORD.sub(" ", t).strip() + " "


def names_in(text_norm: str, names: Iterable[str]) -> bool:
    """Whether the normalised sentence *text_norm* contains one of *names* (normalised)."""
    return any(n in text_norm for n in names if len(n) > 3)


class _SentenceFinder:
    """For an activity and two sets of agents, the first sentence that names one of each:
    first the quotes of the activity's statements (``wc:StatementEvidence``), then its
    ``wc:evidence`` sentences. Caches per activity, so each sentence is normalised once."""

    def __init__(self, data: GraphData):
        self.data = data
        self._candidates: dict[str, list[tuple[str, str]]] = {}
        self._names: dict[tuple[str, str], tuple[str, ...]] = {}
        self._hits: dict[tuple[str, str], frozenset[int]] = {}

    def candidates(self, act: str) -> list[tuple[str, str]]:
        c = self._candidates.get(act)
        if c is None:
            texts: list[str] = []
            for _pair, qs in self._statement_quotes(act):
                texts.extend(qs)
            texts.extend(self.data.sentences.get(act, ()))
            seen: set[str] = set()
            c = []
            for t in texts:
                if t not in seen:
                    seen.add(t)
                    c.append((t, normalise_text(t)))
            self._candidates[act] = c
        return c

    def _statement_quotes(self, act: str):
        idx = getattr(self, "_by_subject", None)
        if idx is None:
            idx = self._by_subject = defaultdict(list)
            for key, qs in sorted(self.data.statement_quotes.items()):
                idx[key[0]].append((key, qs))
        return idx.get(act, [])

    def names(self, act: str, agent: str) -> tuple[str, ...]:
        key = (act, agent)
        n = self._names.get(key)
        if n is None:
            g = self.data.agents.get(agent)
            raw = [g.label, *g.alt_labels] if g is not None else []
            raw += list(self.data.mentions.get(key, ()))
            n = self._names[key] = tuple(sorted({normalise_text(x) for x in raw if x}))
        return n

    def hits(self, act: str, agent: str) -> frozenset[int]:
        key = (act, agent)
        h = self._hits.get(key)
        if h is None:
            names = self.names(act, agent)
            h = self._hits[key] = frozenset(i for i, (_t, norm) in enumerate(self.candidates(act))
                                            if names_in(norm, names))
        return h

    def statement_quote(self, act: str, agents: Iterable[str], roles: Iterable[str] = ()) -> str | None:
        """The first quote of a statement of *act* about one of *agents* (the validator
        checks that such a quote names its object). An organisation that takes part only
        as the chair's organisation (an inferred role) is shown by the quote about the
        chair."""
        for x in sorted(agents):
            qs = self.data.statement_quotes.get((act, x))
            if qs:
                return qs[0]
        if "chair-organisation" in set(roles):
            chairs = getattr(self, "_chairs", None)
            if chairs is None:
                chairs = self._chairs = defaultdict(list)
                for a, role, agent in self.data.incidences:
                    if role == "chair":
                        chairs[a].append(agent)
            for person in sorted(chairs.get(act, ())):
                qs = self.data.statement_quotes.get((act, person))
                if qs:
                    return qs[0]
        return None

    def sentence(self, act: str, us: Iterable[str], vs: Iterable[str]) -> str | None:
        hu: set[int] = set()
        for u in us:
            hu |= self.hits(act, u)
        if not hu:
            return None
        hv: set[int] = set()
        for v in vs:
            hv |= self.hits(act, v)
        both = hu & hv
        return self.candidates(act)[min(both)][0] if both else None


def bipartite_network(data: GraphData, filters: NetworkFilters = NetworkFilters()) -> nx.Graph:
    """Agents (``bipartite`` = 0) and activities (``bipartite`` = 1); each edge the
    agent's ``role`` (several joined with ``+``)."""
    by_act = filtered_incidences(data, filters)
    G = nx.Graph(network="bipartite", filters=json.dumps(filters.describe(), sort_keys=True))
    agents = sorted({g for m in by_act.values() for g in m})
    for n in agents:
        G.add_node(n, bipartite=0, **_agent_attrs(data.agents[n]))
    for act in sorted(by_act):
        G.add_node(act, bipartite=1, **_activity_attrs(data.activities[act]))
    for act in sorted(by_act):
        a = data.activities[act]
        for agent in sorted(by_act[act]):
            G.add_edge(agent, act, role="+".join(sorted(set(by_act[act][agent]))), weight=1,
                       kind=a.family, date=a.date or "", source=a.source or "")
    return G


def activity_network(data: GraphData, filters: NetworkFilters = NetworkFilters()) -> nx.Graph:
    """The projection on activities: linked when they share an agent; ``weight`` = shared
    agents, ``evidence`` = those agents."""
    by_act = filtered_incidences(data, filters)
    by_agent: dict[str, list[str]] = defaultdict(list)
    for act in sorted(by_act):
        for agent in by_act[act]:
            by_agent[agent].append(act)
    edges: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for agent in sorted(by_agent):
        acts = by_agent[agent]
        g = data.agents[agent]
        for i, u in enumerate(acts):
            for v in acts[i + 1:]:
                edges[(u, v)].append({"kind": "agent", "type": g.kind, "resource": agent,
                                      "label": g.label, "date": None, "source": None,
                                      "roles": ["+".join(sorted(set(by_act[u][agent]))),
                                                "+".join(sorted(set(by_act[v][agent])))]})
    G = nx.Graph(network="activity", filters=json.dumps(filters.describe(), sort_keys=True))
    for act in sorted(by_act):
        G.add_node(act, **_activity_attrs(data.activities[act]))
    for (u, v) in sorted(edges):
        G.add_edge(u, v, weight=len(edges[(u, v)]), evidence=edges[(u, v)], kinds="agent")
    return G


def resolve_focus(data: GraphData, value: str, base: str = WCID_DEFAULT) -> str:
    """An organisation or person from an IRI, ``kind/slug``, a slug, or a label/altLabel
    (case-insensitive); :class:`UnknownFocus` with close matches otherwise."""
    v = (value or "").strip()
    if v in data.agents:
        return v
    if v.startswith(base) and v in data.agents:
        return v
    for candidate in (base + v, base + "organisation/" + v, base + "person/" + v):
        if candidate in data.agents:
            return candidate
    low = v.lower()
    hits = sorted(a.iri for a in data.agents.values()
                  if a.label.lower() == low or any(x.lower() == low for x in a.alt_labels)
                  or _local(a.iri).lower() == low)
    if len(hits) == 1:
        return hits[0]
    if hits:
        # ambiguous: prefer an organisation over a person, then the first by IRI
        orgs = [h for h in hits if not data.agents[h].is_person]
        return (orgs or hits)[0]
    choices = {a.iri: [a.label, *a.alt_labels, _local(a.iri)] for a in data.agents.values()}
    raise UnknownFocus(v, _close_matches(v, choices, labels={a.iri: a.label for a in data.agents.values()}))


def _close_matches(value: str, choices: dict[str, list[str]], labels: dict[str, str] | None = None,
                   limit: int = 5) -> list[tuple[str, str]]:
    """(label, IRI) of the best fuzzy matches of *value* among every name of each IRI."""
    from rapidfuzz import fuzz, process, utils
    names: list[str] = []
    owners: list[str] = []
    for iri, ns in choices.items():
        for n in ns:
            names.append(n)
            owners.append(iri)
    if not names or not value.strip():
        return []
    scored = process.extract(value, names, scorer=fuzz.WRatio, processor=utils.default_process,
                             limit=limit * 4, score_cutoff=60)
    out: list[tuple[str, str]] = []
    seen = set()
    for _name, _score, idx in scored:
        iri = owners[idx]
        if iri in seen:
            continue
        seen.add(iri)
        out.append(((labels or {}).get(iri, choices[iri][0]), iri))
        if len(out) == limit:
            break
    return out


def ego_network(data: GraphData, focus: str, depth: int = 1,
                filters: NetworkFilters = NetworkFilters()) -> nx.Graph:
    """The partnership network within *depth* (1–3) steps of *focus* (an IRI of
    ``data.agents``). People are included when the focus is a person. The focus is
    always a node, even when the filters leave it no partner."""
    if not isinstance(depth, int) or not 1 <= depth <= 3:
        raise ParameterError("depth", f"{depth!r} is not a depth between 1 and 3", hint="give 1, 2 or 3")
    if focus not in data.agents:
        raise UnknownFocus(focus, [])
    if data.agents[focus].is_person and not filters.people:
        filters = replace(filters, people=True)
    G = partnership_network(data, filters, keep=(focus,))
    if focus not in G:
        H = nx.Graph(**G.graph)
        H.add_node(focus, **_agent_attrs(data.agents[focus]))
    else:
        H = nx.ego_graph(G, focus, radius=depth).copy()
    H.graph.update(network="ego", focus=focus, depth=depth)
    for n in H:
        H.nodes[n]["focus"] = n == focus
    return H


def build_network(data: GraphData, kind: str = "partnership", filters: NetworkFilters = NetworkFilters(),
                  *, focus: str | None = None, depth: int = 1) -> nx.Graph:
    if kind == "partnership":
        return partnership_network(data, filters)
    if kind == "bipartite":
        return bipartite_network(data, filters)
    if kind == "activity":
        return activity_network(data, filters)
    if kind == "ego":
        if not focus:
            raise ParameterError("focus", "an ego network needs a focus organisation or person",
                                 hint="give --focus IRI_OR_LABEL")
        return ego_network(data, focus, depth, filters)
    raise ParameterError("kind", f"unknown network kind {kind!r}", hint="use one of " + ", ".join(NETWORK_KINDS))


def organisation_count(G: nx.Graph) -> int:
    return sum(1 for _, d in G.nodes(data=True) if d.get("node_type") == "organisation")

