"""Who works with whom: networks of organisations (and people) built from the graph, their
metrics, and their exports.

Networks
========

Everything starts from :class:`GraphData`, the *incidences* of the graph — which agent
(organisation or person) takes which role in which activity (event, agreement,
programme) — fetched with a handful of SPARQL SELECTs, one per relation family, never one
per node (:func:`fetch_graph_data`). Filters are then applied in Python, so one fetch
serves every filter combination (the web app caches it per store build).

``partnership``  organisation–organisation: two agents are linked when they share an
                 activity (agreement parties/funder/recipient; event organiser,
                 participant, supporter, the chair's organisation; programme funder,
                 implementer, partner, supporter). Each edge carries ``weight`` (number of
                 shared activities) and ``evidence``: one entry per shared activity
                 ``{kind, type, resource, label, date, source, roles}`` so that every edge
                 can be explained.
``bipartite``    agent–activity, ``bipartite`` = 0 for agents and 1 for activities, the
                 edge's ``role``.
``activity``     the projection on activities: two activities are linked when they share
                 an agent.
``ego``          the partnership network around one organisation or person, to depth 1–3.

Filters (:class:`NetworkFilters`): relation kinds (a family ``event``, a role
``party`` or both ``programme:funder``), a period (activities dated in or overlapping
``year_from``..``year_to``; undated ones are left out as soon as a period is given),
countries and organisation kinds of the organisations, topics of the activities, people
in or out.

Metrics
=======

:func:`compute_metrics` — degree, weighted degree, betweenness (exact up to
:data:`EXACT_BETWEENNESS_MAX` nodes, otherwise sampled over ``k`` sources with a fixed
seed; the sample size is recorded in the result), eigenvector centrality (weighted),
Louvain communities (``seed=42``: deterministic), connected components, and brokerage:
``brokerage`` = number of *other* communities among a node's neighbours,
``country_brokerage`` = number of countries other than its own among its neighbours'.
:func:`yearly_slices` computes them per year so that change shows.

Exports
=======

GEXF and GraphML hold scalar attributes only: the evidence list becomes
``evidence_json`` (a JSON string), ``evidence_count`` and ``evidence_summary`` (readable);
node-link JSON keeps the list; CSV edge and node lists (the node list is the metrics
table). :func:`metrics_dataset` states the metrics in RDF, in the named graph
``wcid:graph/metrics`` with the computation's date and parameters (vocabulary:
``ontology/metrics.ttl``).
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import json
import math
import os
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from .errors import InputError, ParameterError, WckgError
from .namespaces import PREFIXES, WC, WCID_DEFAULT, sparql_prologue

# ======================================================================================
# vocabulary of the networks
# ======================================================================================

#: Relation families and the roles an agent can take in each (role = property local
#: name, except ``chair-organisation``: the organisation of the person who chaired).
FAMILIES: dict[str, tuple[str, ...]] = {
    "agreement": ("party", "funder", "recipient"),
    "event": ("organiser", "participant", "supporter", "chair", "chair-organisation"),
    "programme": ("funder", "implementer", "partner", "supporter"),
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
    "person": {"class": "Person", "label": "Person", "color": "#e377c2"},
}
_CLASS_TO_KIND = {v["class"]: k for k, v in ORG_KINDS.items()}
#: Colours of activity nodes in bipartite views.
ACTIVITY_COLORS = {"event": "#bcbd22", "agreement": "#8c564b", "programme": "#aec7e8"}

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
SELECT ?person ?org ?asOf WHERE {
  ?m org:member ?person ; org:organization ?org .
  OPTIONAL { ?m wc:asOf ?asOf }
}"""

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
    """A read-only pyoxigraph handle on an embedded store's current build, or None (any
    other backend, or a layout this module does not know)."""
    if getattr(backend, "backend", None) != "embedded":
        return None
    try:
        import pyoxigraph as ox
        layout = backend.layout
        build = layout.current_build()
        return ox.Store.read_only(str(layout.db(build))) if build is not None else None
    except Exception:  # a changed store layout: the generic path still works
        return None


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

    # --- the chair's organisation ---------------------------------------------------------
    posts: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for row in results["posts"]:
        posts[str(row["person"])].append((str(row["org"]), _year(row.get("asOf"))))
    for act, role, agent in list(inc):
        if role != "chair" or agent not in posts:
            continue
        year = activities[act].year_from
        for org in _closest_posts(posts[agent], year):
            if org not in agents:
                agents[org] = Agent(iri=org, label=_slug_label(org), kind="organisation")
            inc.add((act, "chair-organisation", org))

    return GraphData(agents=agents, activities=activities, incidences=sorted(inc),
                     topics=topics, countries=dict(sorted(countries.items())),
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

    def describe(self) -> dict[str, Any]:
        return {
            "relations": sorted(f"{f}:{r}" for f, r in self.relations),
            "from": self.year_from, "to": self.year_to,
            "countries": sorted(self.countries), "org_kinds": sorted(self.org_kinds),
            "topics": sorted(self.topics), "people": self.people,
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
            hint = ("did you mean: " + "; ".join(f"{l} ({_local(i)})" for l, i in close)
                    if close else f"known {what}: " + ", ".join(sorted(_local(i) for i in known)[:20]))
            raise ParameterError(name, f"no {what} matches {v!r}", hint=hint)
    return frozenset(out)


def make_filters(data: GraphData, *, relations: Iterable[str] = (), year_from: Any = None,
                 year_to: Any = None, countries: Iterable[str] = (), org_kinds: Iterable[str] = (),
                 topics: Iterable[str] = (), people: bool = False) -> NetworkFilters:
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
        people=bool(people))


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


def filtered_incidences(data: GraphData, f: NetworkFilters) -> dict[str, dict[str, list[str]]]:
    """activity → {agent → [roles]} after the filters."""
    out: dict[str, dict[str, list[str]]] = {}
    act_ok: dict[str, bool] = {}
    agent_ok: dict[str, bool] = {}
    for act, role, agent in data.incidences:
        a = data.activities[act]
        if f.relations and (a.family, role) not in f.relations:
            continue
        ok = act_ok.get(act)
        if ok is None:
            ok = act_ok[act] = _activity_ok(a, f)
        if not ok:
            continue
        ok = agent_ok.get(agent)
        if ok is None:
            ok = agent_ok[agent] = _agent_ok(data.agents[agent], f)
        if not ok:
            continue
        out.setdefault(act, {}).setdefault(agent, []).append(role)
    return out


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


def partnership_network(data: GraphData, filters: NetworkFilters = NetworkFilters()) -> nx.Graph:
    """Organisations (and people, when ``filters.people``) linked by shared activities;
    ``weight`` = number of shared activities, ``evidence`` = one entry per activity, oldest
    first. Entries with the same activity and roles are one shared (read-only) dict: a
    meeting of 40 participants makes 780 links but one entry."""
    by_act = filtered_incidences(data, filters)
    # per link: [evidence entries, bit set of families, first year, last year]
    edges: dict[tuple[str, str], list] = {}
    nodes: set[str] = set()
    acts = data.activities
    # oldest first (undated last), then by IRI: every evidence list comes out sorted, and
    # the insertion order (hence every metric) depends on the data only
    order = sorted(by_act, key=lambda x: (acts[x].date is None, acts[x].date or "", x))
    for act in order:
        members = by_act[act]
        a = acts[act]
        agents = sorted(members)
        nodes.update(agents)
        role = {g: "+".join(sorted(set(rs))) for g, rs in members.items()}
        shared: dict[tuple[str, str], dict[str, Any]] = {}
        bit = _FAMILY_BITS[a.family]
        y0, y1 = a.year_from, a.year_to
        for i, u in enumerate(agents):
            ru = role[u]
            for v in agents[i + 1:]:
                rv = role[v]
                entry = shared.get((ru, rv))
                if entry is None:
                    entry = shared[(ru, rv)] = {
                        "kind": a.family, "type": a.type, "resource": act, "label": a.label,
                        "date": a.date, "source": a.source, "roles": [ru, rv]}
                rec = edges.get((u, v))
                if rec is None:
                    edges[(u, v)] = [[entry], bit, y0, y1]
                else:
                    rec[0].append(entry)
                    rec[1] |= bit
                    if y0 is not None:
                        if rec[2] is None or y0 < rec[2]:
                            rec[2] = y0
                        if rec[3] is None or y1 > rec[3]:
                            rec[3] = y1
    G = nx.Graph(network="partnership", filters=json.dumps(filters.describe(), sort_keys=True))
    G.add_nodes_from((n, _agent_attrs(data.agents[n])) for n in sorted(nodes))
    G.add_edges_from((u, v, {"weight": len(rec[0]), "evidence": rec[0], "kinds": _KINDS_OF_BITS[rec[1]],
                             "first_year": rec[2], "last_year": rec[3]})
                     for (u, v), rec in edges.items())
    return G


_FAMILY_BITS = {"agreement": 1, "event": 2, "programme": 4}
_KINDS_OF_BITS = {bits: ",".join(f for f, b in sorted(_FAMILY_BITS.items()) if bits & b) for bits in range(8)}


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
    G = partnership_network(data, filters)
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


# ======================================================================================
# metrics
# ======================================================================================

@dataclass
class Metrics:
    """Per-node metrics and how they were computed."""

    nodes: dict[str, dict[str, float | int]]
    params: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def table(self, G: nx.Graph, sort_by: str = "degree", descending: bool = True) -> list[dict[str, Any]]:
        """Rows ``{iri, label, kind, country, <metrics>}`` sorted by *sort_by* (ties by label)."""
        if sort_by not in METRICS:
            raise ParameterError("metric", f"unknown metric {sort_by!r}", hint="use one of " + ", ".join(METRICS))
        rows = []
        for n, m in self.nodes.items():
            d = G.nodes[n] if n in G else {}
            rows.append({"iri": n, "label": d.get("label", n), "kind": d.get("kind", ""),
                         "country": d.get("country_label", ""), **m})
        sign = -1 if descending else 1
        rows.sort(key=lambda r: (sign * float(r[sort_by]), r["label"].lower(), r["iri"]))
        return rows


def compute_metrics(G: nx.Graph, *, betweenness_sample: int | None = None,
                    exact_max: int = EXACT_BETWEENNESS_MAX, seed: int = SEED,
                    set_attributes: bool = True) -> Metrics:
    """Every metric of :data:`METRICS` for every node of *G* (deterministic for a fixed
    *seed*). Betweenness is exact up to *exact_max* nodes and sampled over
    ``k = betweenness_sample`` sources above (default: :func:`betweenness_sample_size`); it
    counts hops (weights are strengths, not distances). Eigenvector centrality is
    weighted; on a graph of several components it concentrates on the dominant one."""
    t: dict[str, float] = {}
    n, m = G.number_of_nodes(), G.number_of_edges()
    nodes = sorted(G)
    res: dict[str, dict[str, float | int]] = {v: {} for v in nodes}

    # Louvain runs on the graph relabelled to integers (sorted node order), so nothing
    # depends on string hashes (which change between processes), and the same job can run
    # in a second process: on large graphs it does, while this one computes the rest.
    t0 = time.perf_counter()
    index = {v: i for i, v in enumerate(nodes)}
    wedges = [(index[u], index[v], d.get("weight", 1)) for u, v, d in G.edges(data=True)]
    louvain_job, louvain_pool = None, None
    if m >= PARALLEL_LOUVAIN_MIN_EDGES and (os.cpu_count() or 1) > 1:
        try:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor
            louvain_pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver"))
            louvain_job = louvain_pool.submit(_louvain_job, n, wedges, seed)
        except Exception:  # no second process here: run it in this one below
            louvain_job = None
    t["louvain_start"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for v in nodes:
        res[v]["degree"] = G.degree(v)
        res[v]["weighted_degree"] = int(G.degree(v, weight="weight"))
    t["degree"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if n <= exact_max:
        k = None
        bc = nx.betweenness_centrality(G, normalized=True) if n else {}
    else:
        k = min(n, betweenness_sample or betweenness_sample_size(n, m))
        bc = nx.betweenness_centrality(G, k=k, normalized=True, seed=seed)
    for v in nodes:
        res[v]["betweenness"] = round(float(bc.get(v, 0.0)), 8)
    t["betweenness"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    converged = True
    if m == 0:
        ec = {v: 0.0 for v in nodes}
    else:
        ec, converged = eigenvector_centrality(G, tol=1e-8 if n < 5000 else 1e-6)
    for v in nodes:
        res[v]["eigenvector"] = round(float(ec.get(v, 0.0)), 8)
    t["eigenvector"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    parallel = False
    comms_idx = None
    if louvain_job is not None:
        try:
            comms_idx = louvain_job.result()
            parallel = True
        except Exception:  # the helper process failed: compute here
            comms_idx = None
        finally:
            louvain_pool.shutdown(wait=False)
    if comms_idx is None:
        comms_idx = _louvain_job(n, wedges, seed) if n else []
    # number communities by size (largest = 1), ties by their first member: stable ids
    comms = sorted((sorted(nodes[i] for i in c) for c in comms_idx), key=lambda c: (-len(c), c[0]))
    community = {v: i + 1 for i, c in enumerate(comms) for v in c}
    t["louvain_wait" if parallel else "louvain"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    comps = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    component = {v: i + 1 for i, c in enumerate(comps) for v in c}
    for v in nodes:
        res[v]["community"] = community.get(v, 0)
        res[v]["component"] = component.get(v, 0)
        own_country = G.nodes[v].get("country") or None
        cs, ks = set(), set()
        for u in G.adj[v]:
            if community.get(u) != community.get(v):
                cs.add(community.get(u))
            c = G.nodes[u].get("country") or None
            if c and c != own_country:
                ks.add(c)
        res[v]["brokerage"] = len(cs)
        res[v]["country_brokerage"] = len(ks)
    t["components_brokerage"] = time.perf_counter() - t0

    if set_attributes:
        for v in nodes:
            G.nodes[v].update(res[v])
    params = {
        "computed_at": _now(), "nodes": n, "edges": m, "seed": seed,
        "betweenness": {"exact": k is None, "sample_size": k, "normalized": True, "weighted": False},
        "eigenvector": {"weighted": True, "converged": converged},
        "louvain": {"seed": seed, "resolution": 1.0, "weighted": True, "communities": len(comms),
                    "separate_process": parallel},
        "components": len(comps),
    }
    return Metrics(nodes=res, params=params, timings=t)


#: Louvain runs in a second process, alongside the other metrics, from this many edges.
PARALLEL_LOUVAIN_MIN_EDGES = 100_000


def _louvain_job(n: int, edges: list[tuple[int, int, float]], seed: int) -> list[list[int]]:
    """Louvain communities of the graph of nodes 0..n-1 and weighted *edges* (top level:
    it runs in a helper process too)."""
    H = nx.Graph()
    H.add_nodes_from(range(n))
    H.add_weighted_edges_from(edges)
    return [sorted(c) for c in nx.community.louvain_communities(H, weight="weight", seed=seed)]


def eigenvector_centrality(G: nx.Graph, *, weight: str = "weight", max_iter: int = 1000,
                           tol: float = 1e-6) -> tuple[dict[str, float], bool]:
    """Weighted eigenvector centrality by power iteration on (A + I), as
    ``nx.eigenvector_centrality`` computes it (same start vector, normalisation and stopping
    rule), over integer adjacency lists: two to three times faster on large graphs.
    Returns the values and whether the iteration converged (all zero when it did not)."""
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return {}, True
    index = {v: i for i, v in enumerate(nodes)}
    adj = [[(index[u], float(d.get(weight, 1))) for u, d in G.adj[v].items()] for v in nodes]
    x = [1.0 / n] * n
    for _ in range(max_iter):
        xlast = x
        x = list(xlast)
        for i, row in enumerate(adj):
            xi = xlast[i]
            if xi:
                for j, w in row:
                    x[j] += xi * w
        norm = math.sqrt(sum(v * v for v in x)) or 1.0
        x = [v / norm for v in x]
        if sum(abs(a - b) for a, b in zip(x, xlast)) < n * tol:
            return {v: x[i] for i, v in enumerate(nodes)}, True
    return {v: 0.0 for v in nodes}, False


@dataclass
class YearSlice:
    year: int
    graph: nx.Graph
    metrics: Metrics

    def summary(self) -> dict[str, Any]:
        G = self.graph
        return {"year": self.year, "organisations": organisation_count(G), "nodes": G.number_of_nodes(),
                "edges": G.number_of_edges(), "components": self.metrics.params["components"],
                "communities": self.metrics.params["louvain"]["communities"],
                "density": round(nx.density(G), 6) if G.number_of_nodes() > 1 else 0.0}


def yearly_slices(data: GraphData, filters: NetworkFilters = NetworkFilters(), *,
                  kind: str = "partnership", focus: str | None = None, depth: int = 1,
                  betweenness_sample: int | None = None) -> list[YearSlice]:
    """One network and its metrics per year of the period (the filters' period, else every
    year the data has), so that change shows. Undated activities belong to no slice."""
    span = data.years()
    if span is None:
        return []
    lo = filters.year_from if filters.year_from is not None else span[0]
    hi = filters.year_to if filters.year_to is not None else span[1]
    out = []
    for y in range(lo, hi + 1):
        G = build_network(data, kind, replace(filters, year_from=y, year_to=y), focus=focus, depth=depth)
        out.append(YearSlice(y, G, compute_metrics(G, betweenness_sample=betweenness_sample)))
    return out


def yearly_rows(slices: list[YearSlice]) -> list[dict[str, Any]]:
    """One row per (year, node) of the slices, for CSV."""
    rows = []
    for s in slices:
        for r in s.metrics.table(s.graph, "weighted_degree"):
            rows.append({"year": s.year, **r})
    return rows


# ======================================================================================
# evidence text and scalar attributes
# ======================================================================================

def evidence_summary(evidence: list[dict[str, Any]], limit: int = 5) -> str:
    """``GrantAgreement “…” (2025-04-10); Meeting “…” (2020-11-20); +3 more`` (plain text)."""
    parts = []
    for e in evidence[:limit]:
        s = f"{e.get('type') or e.get('kind')} “{e.get('label')}”"
        if e.get("date"):
            s += f" ({e['date']})"
        parts.append(s)
    if len(evidence) > limit:
        parts.append(f"+{len(evidence) - limit} more")
    return "; ".join(parts)


_NODE_DEFAULTS: dict[str, Any] = {"label": "", "node_type": "", "kind": "", "kind_label": "",
                                  "country": "", "country_label": ""}


def scalar_graph(G: nx.Graph) -> nx.Graph:
    """A copy of *G* whose attributes are all scalars (str, int, float, bool), the same
    set on every node and every edge (GEXF and GraphML need that): ``evidence`` becomes
    ``evidence_json``, ``evidence_count`` and ``evidence_summary``; missing values become
    ``""`` (text) or 0."""
    H = nx.Graph()
    H.graph.update({k: v if isinstance(v, (str, int, float, bool)) else json.dumps(v, sort_keys=True)
                    for k, v in G.graph.items() if v is not None})
    node_keys: dict[str, Any] = dict(_NODE_DEFAULTS)
    for _, d in G.nodes(data=True):
        for k, v in d.items():
            if k not in node_keys:
                node_keys[k] = _zero_like(v)
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: _scalar(d.get(k), default) for k, default in node_keys.items()})
    edge_keys: dict[str, Any] = {}
    for _, _, d in G.edges(data=True):
        for k, v in d.items():
            if k != "evidence" and k not in edge_keys:
                edge_keys[k] = _zero_like(v)
    has_evidence = any("evidence" in d for _, _, d in G.edges(data=True))
    for u, v, d in G.edges(data=True):
        attrs = {k: _scalar(d.get(k), default) for k, default in edge_keys.items()}
        if has_evidence:
            ev = d.get("evidence") or []
            attrs.update(evidence_json=json.dumps(ev, ensure_ascii=False, sort_keys=True),
                         evidence_count=len(ev), evidence_summary=evidence_summary(ev))
        H.add_edge(u, v, **attrs)
    return H


def _zero_like(v: Any) -> Any:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return 0
    if isinstance(v, float):
        return 0.0
    return ""


def _scalar(v: Any, default: Any) -> Any:
    if v is None:
        return default
    if isinstance(default, bool):
        return bool(v)
    if isinstance(default, float) and isinstance(v, (int, float)):
        return float(v)
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(v, (int, float)):
        return int(v) if float(v).is_integer() else v
    if isinstance(v, (str, int, float, bool)):
        return v if isinstance(default, (int, float)) or isinstance(v, str) else str(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


# ======================================================================================
# exports
# ======================================================================================

EXPORT_FORMATS: dict[str, str] = {
    ".html": "interactive view (vis-network, offline)",
    ".gexf": "GEXF 1.2 (Gephi)",
    ".graphml": "GraphML (Cytoscape, yEd)",
    ".json": "node-link JSON",
    ".csv": "CSV edge list (and FILE-nodes.csv: the node list with metrics)",
    ".ttl": "metrics as RDF (Turtle)",
    ".trig": "metrics as RDF in the named graph wcid:graph/metrics (TriG)",
}


def export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise InputError(f"{path}: unsupported output type {suffix or '(none)'!r}",
                         hint="use one of " + ", ".join(EXPORT_FORMATS))
    return suffix


def gexf_bytes(G: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_gexf(scalar_graph(G), buf)
    return buf.getvalue()


def graphml_bytes(G: nx.Graph) -> bytes:
    buf = io.BytesIO()
    nx.write_graphml(scalar_graph(G), buf, named_key_ids=True)
    return buf.getvalue()


def node_link(G: nx.Graph, metrics: Metrics | None = None) -> dict[str, Any]:
    """Node-link JSON (networkx ``node_link_data`` with ``edges="edges"``); evidence stays
    a list; ``graph.metrics`` says how metrics were computed."""
    d = nx.node_link_data(G, edges="edges")
    g = dict(d.get("graph", {}))
    if isinstance(g.get("filters"), str):
        g["filters"] = json.loads(g["filters"])
    if metrics is not None:
        g["metrics"] = metrics.params
    d["graph"] = g
    return d


def node_link_bytes(G: nx.Graph, metrics: Metrics | None = None) -> bytes:
    return json.dumps(node_link(G, metrics), ensure_ascii=False, indent=1, default=str).encode()


def edges_csv(G: nx.Graph) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "target", "source_label", "target_label", "weight", "kinds",
                "first_year", "last_year", "evidence_count", "evidence_summary", "evidence_json"])
    for u, v, d in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
        ev = d.get("evidence") or []
        w.writerow([u, v, G.nodes[u].get("label", ""), G.nodes[v].get("label", ""),
                    d.get("weight", 1), d.get("kinds", d.get("role", "")),
                    d.get("first_year") or "", d.get("last_year") or "", len(ev), evidence_summary(ev),
                    json.dumps(ev, ensure_ascii=False, sort_keys=True)])
    return buf.getvalue()


def nodes_csv(G: nx.Graph, metrics: Metrics | None = None, sort_by: str = "degree") -> str:
    """The node list; with *metrics* it is the metrics table, sorted by *sort_by*."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = ["iri", "label", "node_type", "kind", "country", "country_label"]
    mcols = list(METRICS) if metrics else []
    w.writerow(cols + mcols)
    order = ([r["iri"] for r in metrics.table(G, sort_by)] if metrics else sorted(G))
    for n in order:
        d = G.nodes[n]
        w.writerow([n] + [d.get(c, "") for c in cols[1:]] + [metrics.nodes[n][c] for c in mcols])
    return buf.getvalue()


def yearly_csv(slices: list[YearSlice]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    cols = ["year", "iri", "label", "kind", "country", *METRICS]
    w.writerow(cols)
    for r in yearly_rows(slices):
        w.writerow([r.get(c, "") for c in cols])
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# metrics as RDF
# --------------------------------------------------------------------------------------

def metrics_dataset(G: nx.Graph, metrics: Metrics, *, graph_iri: str = METRICS_GRAPH,
                    kind: str | None = None):
    """The metrics as RDF in the named graph *graph_iri* (an rdflib Dataset)::

        GRAPH wcid:graph/metrics {
          wcid:graph/metrics a wc:NetworkMetrics ; prov:generatedAtTime "…"^^xsd:dateTime ;
              wc:networkKind "partnership" ; wc:betweennessSampleSize 64 ; … .
          wcid:organisation/undp wc:degree 12 ; wc:weightedDegree 15 ; wc:betweenness 0.21 ;
              wc:eigenvector 0.4 ; wc:community 1 ; wc:component 1 ; wc:brokerage 2 ;
              wc:countryBrokerage 1 .
        }
    """
    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import PROV, RDF, RDFS, XSD

    from .namespaces import bind_prefixes

    ds = Dataset()
    bind_prefixes(ds)
    g = ds.graph(URIRef(graph_iri))
    run = URIRef(graph_iri)
    p = metrics.params
    g.add((run, RDF.type, WC.NetworkMetrics))
    g.add((run, RDFS.label, Literal("Network metrics of the partnership network", lang="en")))
    g.add((run, PROV.generatedAtTime, Literal(p["computed_at"], datatype=XSD.dateTime)))
    g.add((run, WC.networkKind, Literal(kind or G.graph.get("network", "partnership"))))
    filters = G.graph.get("filters")
    if filters:
        g.add((run, WC.networkFilters, Literal(filters if isinstance(filters, str)
                                                else json.dumps(filters, sort_keys=True))))
    g.add((run, WC.nodeCount, Literal(p["nodes"])))
    g.add((run, WC.edgeCount, Literal(p["edges"])))
    g.add((run, WC.randomSeed, Literal(p["seed"])))
    g.add((run, WC.betweennessExact, Literal(bool(p["betweenness"]["exact"]))))
    if p["betweenness"]["sample_size"] is not None:
        g.add((run, WC.betweennessSampleSize, Literal(p["betweenness"]["sample_size"])))
    g.add((run, WC.communityCount, Literal(p["louvain"]["communities"])))
    if "focus" in G.graph:
        g.add((run, WC.focus, URIRef(G.graph["focus"])))
    props = {"degree": WC.degree, "weighted_degree": WC.weightedDegree, "betweenness": WC.betweenness,
             "eigenvector": WC.eigenvector, "community": WC.community, "component": WC.component,
             "brokerage": WC.brokerage, "country_brokerage": WC.countryBrokerage}
    for n in sorted(metrics.nodes):
        if not (n.startswith("http://") or n.startswith("https://") or n.startswith("urn:")):
            continue
        s = URIRef(n)
        for key, prop in props.items():
            val = metrics.nodes[n][key]
            if isinstance(val, float):
                g.add((s, prop, Literal(repr(float(val)) if not math.isnan(val) else "NaN", datatype=XSD.double)))
            else:
                g.add((s, prop, Literal(int(val))))
    return ds


def metrics_rdf_bytes(G: nx.Graph, metrics: Metrics, fmt: str = "turtle") -> bytes:
    """``fmt`` = ``turtle`` (the triples of the metrics graph) or ``trig`` (with the graph)."""
    from rdflib import URIRef
    ds = metrics_dataset(G, metrics)
    if fmt == "trig":
        return ds.serialize(format="trig").encode()
    g = ds.graph(URIRef(METRICS_GRAPH))
    from .namespaces import bind_prefixes
    bind_prefixes(g)
    return g.serialize(format="turtle").encode()


def write_network(G: nx.Graph, path: Path, *, metrics: Metrics | None = None, html: str | None = None,
                  sort_by: str = "degree") -> list[Path]:
    """Write *G* to *path* in the format its suffix names (:data:`EXPORT_FORMATS`);
    returns the files written (CSV writes two)."""
    fmt = export_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == ".gexf":
        path.write_bytes(gexf_bytes(G))
    elif fmt == ".graphml":
        path.write_bytes(graphml_bytes(G))
    elif fmt == ".json":
        path.write_bytes(node_link_bytes(G, metrics))
    elif fmt == ".csv":
        nodes_path = path.with_name(path.stem + "-nodes.csv")
        path.write_text(edges_csv(G), encoding="utf-8")
        nodes_path.write_text(nodes_csv(G, metrics, sort_by), encoding="utf-8")
        return [path, nodes_path]
    elif fmt in (".ttl", ".trig"):
        if metrics is None:
            metrics = compute_metrics(G)
        path.write_bytes(metrics_rdf_bytes(G, metrics, "trig" if fmt == ".trig" else "turtle"))
    elif fmt == ".html":
        if html is None:
            raise InputError("no HTML view was rendered for this network")
        path.write_text(html, encoding="utf-8")
    return [path]


__all__ = [
    "FAMILIES", "ROLES", "ORG_KINDS", "NETWORK_KINDS", "METRICS", "SIZE_METRICS", "METRICS_GRAPH",
    "Agent", "Activity", "GraphData", "NetworkFilters", "Metrics", "YearSlice", "UnknownFocus",
    "fetch_graph_data", "cached_graph_data", "make_filters", "parse_relations",
    "partnership_network", "bipartite_network", "activity_network", "ego_network", "build_network",
    "resolve_focus", "compute_metrics", "yearly_slices", "scalar_graph", "node_link",
    "gexf_bytes", "graphml_bytes", "node_link_bytes", "edges_csv", "nodes_csv", "yearly_csv",
    "metrics_dataset", "metrics_rdf_bytes", "write_network", "export_format", "EXPORT_FORMATS",
    "evidence_summary", "organisation_count",
]
