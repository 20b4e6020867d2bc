"""Which part of the graph a network shows: :class:`NetworkFilters`, made from user input
by :func:`make_filters` (every error names its parameter), the incidences that pass them
(:func:`group_incidences`, with units rolled up), and :func:`resolve_focus`."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


from ..errors import ParameterError
from ..namespaces import WCID_DEFAULT
from .data import Activity, Agent, GraphData, _local
from .vocab import FAMILIES, ORG_KINDS, ROLES, YEAR_MAX, YEAR_MIN, UnknownFocus


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
        year_to = a.year_to if a.year_to is not None else a.year_from
        if year_to < lo or a.year_from > hi:
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
