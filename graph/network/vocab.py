"""The vocabulary of the networks: relation families and roles, organisation kinds, tie
kinds and strengths, network kinds, metrics and their defaults, and :class:`UnknownFocus`."""
from __future__ import annotations

from collections.abc import Iterable


from ..errors import ParameterError
from ..namespaces import WCID_DEFAULT


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

#: Betweenness is exact up to this many nodes, sampled above (the page says which). Exact
#: betweenness of the biggest hub's ego network at 1 M triples (1,426 nodes, 14,604 links)
#: took 16-18 s of its 46 s page; 500 nodes keep it near 2 s.
EXACT_BETWEENNESS_MAX = 500
#: Per-year summaries are computed for the page up to this many nodes (the CSV always).
YEARS_ON_PAGE_MAX = 3000
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
