"""The interactive view of a network: vis-network data with positions computed here, and a
standalone offline HTML page.

* pyvis ``Network`` is filled node by node and edge by edge (never ``from_nx``, which is
  quadratic); it is created ``directed=True`` only to skip pyvis's own duplicate-edge scan
  (also quadratic: the graph has no duplicate edges), and every edge says ``arrows: off``.
* Positions come from the server (:func:`community_layout`: communities placed by size on a
  sunflower spiral, members on a smaller spiral around the most central one). Up to
  :data:`PHYSICS_MAX` nodes the browser relaxes that layout with physics and then stops;
  above, physics is off from the start.
* Past :data:`MAX_NODES` nodes (or :data:`MAX_EDGES` edges) the view keeps the top nodes by
  the size metric and the strongest edges, and says so (``aggregated``).
* No label or evidence text ever reaches the page as HTML: the data travels as JSON inside
  ``<script type="application/json">`` (``<``, ``>`` and ``&`` escaped) and
  ``network-view.js`` builds every tooltip as DOM elements filled with ``textContent``.
* vis-network itself is the copy pyvis ships (``pyvis/templates/lib/vis-9.1.2``); the web
  app serves it under ``/static/vendor/vis-network/``, the standalone page inlines it.
  Nothing is loaded from a CDN.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import ParameterError
from ..namespaces import KINDS, WCID_DEFAULT
from .vocab import ACTIVITY_COLORS, METRIC_LABELS, ORG_KINDS, SIZE_METRICS, TIE_KINDS
from .export import evidence_summary
from .metrics import Metrics

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
VIEW_JS = TEMPLATE_DIR / "network-view.js"

#: Physics (force layout in the browser) only up to this many nodes.
PHYSICS_MAX = 300
#: The view aggregates past these sizes.
MAX_NODES = 1500
MAX_EDGES = 10000
#: Nodes that show their label on the canvas when the graph is large (all do when small).
LABELLED_MAX = 60


def vis_network_dir() -> Path:
    """The vis-network copy pyvis ships (vis-network.min.js and vis-network.css)."""
    import pyvis
    return Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"


def entity_url(iri: str, base: str = WCID_DEFAULT) -> str | None:
    """``{base}{kind}/{slug}`` → ``/id/{kind}/{slug}`` (the site's entity page)."""
    if not iri.startswith(base):
        return None
    kind, _, slug = iri[len(base):].partition("/")
    if kind not in KINDS or not slug:
        return None
    from urllib.parse import quote
    return "/id/" + quote(f"{kind}/{slug}", safe="/-_.~")


GOLDEN = math.pi * (3 - math.sqrt(5))


def community_layout(G: nx.Graph, metrics: Metrics | None, size_by: str = "degree",
                     spacing: float = 28.0) -> dict[str, tuple[float, float]]:
    """Deterministic positions in O(n): communities (largest first) on a sunflower spiral
    whose radius grows with the area already used; inside a community its members on a
    sunflower spiral, most central first."""
    if metrics is not None:
        comm = {n: metrics.nodes[n].get("community", 0) for n in G}
        score = {n: float(metrics.nodes[n].get(size_by, 0)) for n in G}
    else:
        comm = {n: 0 for n in G}
        score = {n: float(G.degree(n)) for n in G}
    groups: dict[Any, list[str]] = {}
    for n in sorted(G):
        groups.setdefault(comm[n], []).append(n)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0]))
    pos: dict[str, tuple[float, float]] = {}
    used_area = 0.0
    for j, members in enumerate(ordered):
        r_c = spacing * math.sqrt(len(members)) * 0.9
        if j == 0:
            cx = cy = 0.0
        else:
            radius = math.sqrt(used_area / math.pi) + r_c + spacing
            cx, cy = radius * math.cos(j * GOLDEN * 7.3), radius * math.sin(j * GOLDEN * 7.3)
        used_area += math.pi * (r_c + spacing) ** 2 * 1.6
        members = sorted(members, key=lambda n: (-score[n], n))
        for i, n in enumerate(members):
            r = spacing * 0.9 * math.sqrt(i)
            pos[n] = (round(cx + r * math.cos(i * GOLDEN), 2), round(cy + r * math.sin(i * GOLDEN), 2))
    return pos


# long: the page's whole JSON (nodes, edges, legend, caps) in the order the script reads it
def view_data(G: nx.Graph, metrics: Metrics | None = None, *, size_by: str = "degree",
              base: str = WCID_DEFAULT, max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES,
              physics_max: int = PHYSICS_MAX) -> dict[str, Any]:
    """Everything the page's script needs, JSON-serialisable. Labels and evidence are plain
    text here; the script puts them into the page as text."""
    from pyvis.network import Network

    if size_by not in SIZE_METRICS:
        raise ParameterError("metric", f"cannot size nodes by {size_by!r}",
                             hint="use one of " + ", ".join(SIZE_METRICS))
    total_nodes, total_edges = G.number_of_nodes(), G.number_of_edges()

    def score(n: str) -> float:
        if metrics is not None and n in metrics.nodes:
            return float(metrics.nodes[n].get(size_by, 0))
        return float(G.degree(n, weight="weight" if size_by == "weighted_degree" else None))

    keep = sorted(G, key=lambda n: (-score(n), G.nodes[n].get("label", ""), n))
    aggregated = None
    if len(keep) > max_nodes:
        keep = keep[:max_nodes]
    kept = set(keep)
    edges = [(u, v, d) for u, v, d in G.edges(data=True) if u in kept and v in kept]
    if len(edges) > max_edges:
        edges.sort(key=lambda e: (-e[2].get("weight", 1), e[0], e[1]))
        edges = edges[:max_edges]
    if len(kept) < total_nodes or len(edges) < total_edges:
        aggregated = {"nodes_shown": len(kept), "nodes_total": total_nodes,
                      "edges_shown": len(edges), "edges_total": total_edges,
                      "rule": f"the {len(kept)} nodes with the highest {METRIC_LABELS.get(size_by, size_by).lower()}"
                              + (f" and the {len(edges)} strongest links among them" if len(edges) < sum(
                                  1 for u, v in G.edges() if u in kept and v in kept) else "")}
    sub = G.subgraph(kept)
    pos = community_layout(sub, metrics, size_by)
    physics = len(kept) <= physics_max
    top = max((score(n) for n in kept), default=0.0) or 1.0
    labelled = set(keep[:LABELLED_MAX]) if len(kept) > LABELLED_MAX * 2 else kept

    net = Network(directed=True)   # directed only to skip pyvis's quadratic duplicate check
    net.node_ids = _IdList()       # pyvis tests membership in a list for every node and edge
    legend: dict[str, dict[str, str]] = {}
    for n in sorted(kept):
        d = G.nodes[n]
        ntype = d.get("node_type", "organisation")
        kind = d.get("kind", "organisation")
        if ntype == "activity":
            color = ACTIVITY_COLORS.get(kind, "#999999")
            kind_label = d.get("kind_label", kind)
            shape = "square"
        else:
            color = ORG_KINDS.get(kind, ORG_KINDS["organisation"])["color"]
            kind_label = ORG_KINDS.get(kind, ORG_KINDS["organisation"])["label"]
            shape = "dot"
        legend.setdefault(kind, {"kind": kind, "label": kind_label, "color": color})
        m = metrics.nodes.get(n, {}) if metrics is not None else {}
        x, y = pos[n]
        net.add_node(
            n, label=d.get("label", n) if n in labelled else " ", shape=shape, color=color,
            size=round(8 + 30 * math.sqrt(max(score(n), 0.0) / top), 2), x=x, y=y,
            physics=physics,
            # not a vis option: read by network-view.js for the tooltip and the click
            name=d.get("label", n), kind=kind, kindLabel=kind_label,
            country=d.get("country_label", ""), date=d.get("date", ""),
            url=entity_url(n, base), focus=bool(d.get("focus", False)),
            metrics={k: m[k] for k in ("degree", "weighted_degree", "betweenness", "eigenvector",
                                       "community", "brokerage", "country_brokerage") if k in m},
        )
    for u, v, d in sorted(edges, key=lambda e: (e[0], e[1])):
        w = d.get("weight", 1)
        ev = d.get("evidence") or []
        ties = [t for t in str(d.get("ties", "")).split(",") if t in TIE_KINDS]
        main_tie = min(ties, key=lambda t: (TIE_KINDS[t]["strength"] != "strong", t)) if ties else None
        weak_only = d.get("strength") == "weak"
        extra: dict[str, Any] = {}
        if main_tie:
            extra["color"] = {"color": TIE_KINDS[main_tie]["color"], "opacity": 0.55 if weak_only else 0.9}
            extra["dashes"] = weak_only
        net.add_edge(
            u, v, width=round(min(12.0, 1 + 3 * math.log2(1 + max(float(w), 0.0))), 2),
            arrows={"to": {"enabled": False}},
            weight=w, role=d.get("role", ""), ties=ties, strength=d.get("strength", ""),
            tieLabels=[TIE_KINDS[t]["label"] for t in ties],
            # years of the shared activities, for the year slider (undated: none)
            spans=sorted({(e["year_from"], e["year_to"]) for e in ev if e.get("year_from") is not None}),
            shares=[[e.get("year_from"), e.get("year_to"), e.get("weight", 1)] for e in ev],
            evidence=[{"type": e.get("type") or e.get("kind"), "label": e.get("label"),
                       "date": e.get("date") or "", "tie": TIE_KINDS.get(e.get("tie"), {}).get("label", ""),
                       "sentence": e.get("sentence") or "", "quotes": e.get("quotes") or []} for e in ev[:6]],
            evidenceCount=len(ev), summary=evidence_summary(ev), **extra,
        )
    return {
        "nodes": net.nodes, "edges": net.edges,
        "legend": sorted(legend.values(), key=lambda x: x["label"]),
        "physics": physics, "sizeBy": size_by, "sizeLabel": METRIC_LABELS.get(size_by, size_by),
        "aggregated": aggregated,
        "network": G.graph.get("network", "partnership"),
    }


class _IdList(list):
    """A list with set-speed ``in`` (pyvis checks ``node in self.node_ids`` per edge)."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set = set()

    def append(self, item) -> None:
        super().append(item)
        self._members.add(item)

    def __contains__(self, item) -> bool:
        return item in self._members


def json_for_script(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&`` and the
    line separators escaped, so that no label can close the element."""
    s = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_standalone(G: nx.Graph, metrics: Metrics | None = None, *, title: str = "Partnership network",
                      size_by: str = "degree", base: str = WCID_DEFAULT, site: str | None = None,
                      filters: dict[str, Any] | None = None, max_nodes: int = MAX_NODES,
                      max_edges: int = MAX_EDGES) -> str:
    """A self-contained HTML file (vis-network, its CSS and the view script inlined): it
    opens from disk with no network access. Entity links point at *site* (a public URL of
    the web app) when given."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup

    data = view_data(G, metrics, size_by=size_by, base=base, max_nodes=max_nodes, max_edges=max_edges)
    if site:
        for n in data["nodes"]:
            if n.get("url"):
                n["url"] = site.rstrip("/") + n["url"]
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    lib = vis_network_dir()
    table = metrics.table(G, size_by)[:100] if metrics is not None else []
    return env.get_template("network.html").render(
        title=title, data_json=Markup(json_for_script(data)), data=data, table=table,
        metric_labels=METRIC_LABELS, filters=filters or {},
        # scripts and styles are inlined verbatim: they are code, not text to escape
        vis_js=Markup(_script_text(lib / "vis-network.min.js")),
        vis_css=Markup((lib / "vis-network.css").read_text("utf-8").replace("</style", "<\\/style")),
        view_js=Markup(_script_text(VIEW_JS)),
    )


def _script_text(path: Path) -> str:
    text = path.read_text("utf-8")
    # inside <script>, only "</script" can end the element early
    return text.replace("</script", "<\\/script")


__all__ = ["view_data", "render_standalone", "community_layout", "json_for_script", "entity_url",
           "vis_network_dir", "PHYSICS_MAX", "MAX_NODES", "MAX_EDGES", "VIEW_JS"]
