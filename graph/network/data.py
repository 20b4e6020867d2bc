"""The data every network is built from: :class:`GraphData`, the incidences (which agent
takes which role in which activity), fetched with a fixed handful of SPARQL SELECTs
(:func:`fetch_graph_data`) and cached per store build (:func:`cached_graph_data`)."""
from __future__ import annotations

import datetime as _dt
import itertools
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


from ..errors import WckgError
from ..namespaces import PREFIXES, WC, sparql_prologue
from .vocab import _CLASS_TO_KIND, _ROLE_PROPERTIES, FAMILIES


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
    #: unique per fetch in this process (a cache key that, unlike id(), is never reused)
    serial: int = 0
    #: where each activity's and agent's incidences are (graph.network.ego), made on first use
    ego_index: Any = field(default=None, repr=False, compare=False)
    #: first and last year of the activities when they are not held (a catalogue, graph.network.table)
    span: tuple[int, int] | None = None

    def years(self) -> tuple[int, int] | None:
        if self.span is not None or not self.activities:
            return self.span
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
SELECT ?act ?type ?label ?lang ?date ?start ?end ?signing ?signedDate ?src WHERE {
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
  # roles as sources state them: an entailed wc:participant of a chair (graph.entail) is not another tie
  GRAPH ?g { ?act ?p ?agent }
  FILTER(isIRI(?agent) && !STRENDS(STR(?g), "/graph/entailed"))
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
SELECT ?se ?s ?o ?quote ?mention WHERE {
  ?se a wc:StatementEvidence ; rdf:subject ?s ; rdf:object ?o ; wc:quote ?quote .
  OPTIONAL { ?se wc:mentionText ?mention }
}"""

Q_PARENTS = _PROLOGUE + """
SELECT ?unit ?parent WHERE { ?unit org:subOrganizationOf ?parent . FILTER(isIRI(?parent)) }"""

_WC = str(WC)
#: the rows of each query of the fetch, by query name (:data:`QUERIES`)
Rows = dict[str, list[dict[str, str]]]
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


#: every query of the fetch, by name (the keys of :data:`Rows`)
QUERIES: dict[str, str] = {"agents": Q_AGENTS, "alt": Q_ALT_LABELS, "topics": Q_TOPICS,
                           "incidences": Q_INCIDENCES, "posts": Q_MEMBERSHIPS,
                           "sentences": Q_SENTENCES, "statements": Q_STATEMENT_EVIDENCE,
                           "parents": Q_PARENTS, **{"act-" + f: q for f, q in Q_ACTIVITIES.items()}}


def fetch_rows(backend) -> Rows:
    """The rows of every query of :data:`QUERIES` against *backend*."""
    return _run_all(backend, QUERIES)


def fetch_graph_data(backend) -> GraphData:
    """Run the network queries against *backend* (anything with ``select(text)``, or the
    store API's ``query(text)``) — a fixed handful, one per relation family, never one per
    node — and assemble :class:`GraphData`."""
    return assemble(fetch_rows(backend))


def assemble(results: Rows) -> GraphData:
    """:class:`GraphData` from the rows of :data:`QUERIES`, whatever their order (a fetch
    patched after a rebuild, :mod:`.patch`, gives the same data as a whole fetch)."""
    agents, countries = _agents(results)
    activities = _activities(results)
    topics = _topics(results, activities)
    inc = _incidences(results, activities, agents)
    posts = _memberships(results, agents, activities, inc)
    _chair_organisations(inc, posts, activities, agents)
    sentences, quotes, mentions, parents = _evidence(results, activities)
    return GraphData(agents=agents, activities=activities, incidences=sorted(inc),
                     topics=topics, countries=dict(sorted(countries.items())),
                     sentences={k: tuple(sorted(v)) for k, v in sentences.items()},
                     statement_quotes={k: tuple(sorted(v)) for k, v in quotes.items()},
                     mentions={k: tuple(sorted(v)) for k, v in mentions.items()},
                     parents=dict(sorted(parents.items())),
                     serial=next(_SERIALS))


def _agents(results: Rows) -> tuple[dict[str, Agent], dict[str, str]]:
    """Organisations, states and people with their labels, kinds and countries; and the
    countries' labels."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    types: dict[str, set[str]] = defaultdict(set)
    country: dict[str, str] = {}
    countries: dict[str, str] = {}
    unlabelled: set[str] = set()
    for row in results["agents"]:
        a = str(row["agent"])
        types[a].add(str(row["type"]))
        if "label" in row:
            _keep_min(labels[a], str(row.get("lang", "")), str(row["label"]))
        if "country" in row:
            c = str(row["country"])
            _keep_min(country, a, c)
            if "countryLabel" in row:
                _keep_min(countries, c, str(row["countryLabel"]))
            else:
                unlabelled.add(c)
    for c in unlabelled - countries.keys():
        countries[c] = _slug_label(c)
    alts: dict[str, set[str]] = defaultdict(set)
    for row in results["alt"]:
        alts[str(row["agent"])].add(str(row["alt"]))
    agents: dict[str, Agent] = {}
    for a, ts in types.items():
        agents[a] = Agent(iri=a, label=_pick_label(labels.get(a, {}), a), kind=_agent_kind(ts),
                          country=country.get(a), country_label=countries.get(country.get(a, ""), None),
                          alt_labels=tuple(sorted(alts.get(a, ()))))
    return agents, countries


def _activities(results: Rows) -> dict[str, Activity]:
    """Events, agreements and programmes, one query per family, with their dates and source."""
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
                _keep_min(d["labels"], str(row.get("lang", "")), str(row["label"]))
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
    return activities


def _topics(results: Rows, activities: dict[str, Activity]) -> dict[str, str]:
    """Topic labels; sets each activity's topics."""
    topics: dict[str, str] = {}
    unlabelled: set[str] = set()
    act_topics: dict[str, set[str]] = defaultdict(set)
    for row in results["topics"]:
        t = str(row["topic"])
        if "label" in row:
            _keep_min(topics, t, str(row["label"]))
        else:
            unlabelled.add(t)
        act_topics[str(row["act"])].add(t)
    for t in unlabelled - topics.keys():
        topics[t] = _slug_label(t)
    for act, ts in act_topics.items():
        if act in activities:
            activities[act].topics = frozenset(ts)
    return topics


def _incidences(results: Rows, activities: dict[str, Activity], agents: dict[str, Agent]) -> set[tuple[str, str, str]]:
    """(activity, role, agent) for every role an agent takes; an untyped agent becomes an
    organisation we know nothing else about."""
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
    return inc


def _memberships(results: Rows, agents: dict[str, Agent], activities: dict[str, Activity],
                 inc: set[tuple[str, str, str]]) -> dict[str, list[tuple[str, int | None]]]:
    """A person's posts (returned); an organisation's membership of a body becomes a
    ``membership`` activity with its two incidences."""
    posts: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    org_members: dict[str, dict[str, Any]] = {}
    # in a fixed order (a membership with two members or bodies takes the first): the rows
    # of a patched fetch (graph.network.table) come in another order than a full fetch's
    for row in sorted(results["posts"], key=_row_key):
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
            _keep_min(d["labels"], str(row.get("lang", "")), str(row["label"]))
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
    return posts


def _chair_organisations(inc: set[tuple[str, str, str]], posts: dict[str, list[tuple[str, int | None]]],
                         activities: dict[str, Activity], agents: dict[str, Agent]) -> None:
    """The organisation of the person who chaired, from their posts nearest in time."""
    for act, role, agent in list(inc):
        if role != "chair" or agent not in posts:
            continue
        year = activities[act].year_from
        for org in _closest_posts(posts[agent], year):
            if org not in agents:
                agents[org] = Agent(iri=org, label=_slug_label(org), kind="organisation")
            inc.add((act, "chair-organisation", org))


def _evidence(results: Rows, activities: dict[str, Activity]):
    """Sentences about each activity, quotes (and mention texts) of each statement, and
    each unit's parent organisation."""
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
    return sentences, quotes, mentions, parents


def _keep_min(d: dict[str, str], key: str, value: str) -> None:
    """d[key] = the least of the values met (not the first: rows come in any order)."""
    old = d.get(key)
    if old is None or value < old:
        d[key] = value


def _row_key(row: dict[str, str]) -> tuple:
    return tuple(sorted(row.items()))


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
