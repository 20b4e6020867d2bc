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

