"""Exports of a network: GEXF (static and dynamic), GraphML, node-link JSON, CSV, and
the metrics as RDF."""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import networkx as nx

from ..errors import InputError
from ..namespaces import WC
from .vocab import METRICS, METRICS_GRAPH
from .metrics import Metrics, YearSlice, compute_metrics, yearly_rows

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
    H: nx.Graph = nx.Graph()
    H.graph.update({k: v if isinstance(v, (str, int, float, bool)) else json.dumps(v, sort_keys=True)
                    for k, v in G.graph.items() if v is not None})
    node_keys: dict[str, Any] = dict(_NODE_DEFAULTS)
    for _, d in G.nodes(data=True):
        for k, v in d.items():
            if k not in node_keys or (node_keys[k] is None and v is not None):
                node_keys[k] = None if v is None else _zero_like(v)
    for n, d in G.nodes(data=True):
        H.add_node(n, **_scalars(d, node_keys))
    edge_keys: dict[str, Any] = {}
    for _, _, d in G.edges(data=True):
        for k, v in d.items():
            if k != "evidence" and (k not in edge_keys or (edge_keys[k] is None and v is not None)):
                edge_keys[k] = None if v is None else _zero_like(v)
    has_evidence = any("evidence" in d for _, _, d in G.edges(data=True))
    for u, v, d in G.edges(data=True):
        attrs = _scalars(d, edge_keys)
        if has_evidence:
            ev = d.get("evidence") or []
            attrs.update(evidence_json=json.dumps(ev, ensure_ascii=False, sort_keys=True),
                         evidence_count=len(ev), evidence_summary=evidence_summary(ev))
        H.add_edge(u, v, **attrs)
    return H


#: Year attributes stay integers: left out where unknown (never ``""``).
_YEAR_KEYS = frozenset({"first_year", "last_year", "year_from", "year_to"})


def _scalars(d: Mapping[str, Any], keys: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, default in keys.items():
        v = d.get(k)
        if k in _YEAR_KEYS:
            if v is not None:
                out[k] = int(v)
            continue
        out[k] = _scalar(v, "" if default is None else default)
    return out


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
    ".gexf": "GEXF 1.2, dynamic: spells of integer years on nodes and links, colours by kind (Gephi timeline)",
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


def static_gexf_bytes(G: nx.Graph) -> bytes:
    """Static GEXF 1.2 (every node and link at once, no time)."""
    buf = io.BytesIO()
    nx.write_gexf(scalar_graph(G), buf)
    return buf.getvalue()


def _merge_spells(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Year intervals merged where they overlap or touch: [(2017, 2017), (2018, 2020)] →
    [(2017, 2020)]."""
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _rgb(hex_color: str) -> dict[str, float]:
    h = hex_color.lstrip("#")
    return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16), "a": 1.0}


def dynamic_graph(G: nx.Graph) -> nx.Graph:
    """The scalar copy of *G* with time: every link gets the ``spells`` of its shared
    activities (integer years, inclusive; overlapping ones merged), every node the
    spells of its links, and colours (``viz``) by organisation kind and by kind of tie.
    Links whose activities are all undated get no spell (present throughout)."""
    from .vocab import ACTIVITY_COLORS, ORG_KINDS, TIE_KINDS
    H = scalar_graph(G)
    node_spans: dict[str, list[tuple[int, int]]] = {n: [] for n in G}
    for u, v, d in G.edges(data=True):
        spans = [(int(e["year_from"]), int(e["year_to"])) for e in d.get("evidence") or []
                 if e.get("year_from") is not None and e.get("year_to") is not None]
        if not spans and d.get("first_year") is not None:
            spans = [(int(d["first_year"]), int(d.get("last_year") or d["first_year"]))]
        spells = _merge_spells(spans)
        if spells:
            H.edges[u, v]["spells"] = spells
            node_spans[u] += spells
            node_spans[v] += spells
        ties = [t for t in str(d.get("ties", "")).split(",") if t in TIE_KINDS]
        if ties:
            main = min(ties, key=lambda t: (TIE_KINDS[t]["strength"] != "strong", t))
            H.edges[u, v]["viz"] = {"color": _rgb(TIE_KINDS[main]["color"])}
    for n, d in G.nodes(data=True):
        undated_link = any(not H.edges[n, x].get("spells") for x in G.adj[n])
        if node_spans[n] and not undated_link:
            H.nodes[n]["spells"] = _merge_spells(node_spans[n])
        kind = d.get("kind", "organisation")
        color = (ACTIVITY_COLORS.get(kind) if d.get("node_type") == "activity"
                 else ORG_KINDS.get(kind, ORG_KINDS["organisation"])["color"]) or "#7f7f7f"
        H.nodes[n]["viz"] = {"color": _rgb(color)}
    H.graph["mode"] = "dynamic"
    return H


def gexf_bytes(G: nx.Graph) -> bytes:
    """The GEXF export: dynamic (:func:`dynamic_gexf_bytes`)."""
    return dynamic_gexf_bytes(G)


def dynamic_gexf_bytes(G: nx.Graph) -> bytes:
    """Dynamic GEXF 1.2 for Gephi's timeline: spells of integer years on nodes and links
    (``timeformat="integer"``), colours by kind. networkx reads it back with ``int``
    spells."""
    buf = io.BytesIO()
    nx.write_gexf(dynamic_graph(G), buf, version="1.2draft")
    text = buf.getvalue()
    # networkx names integer time "long", which GEXF 1.2 does not know; "integer" is the
    # GEXF name, and networkx reads it as int too
    return text.replace(b'timeformat="long"', b'timeformat="integer"', 1)


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
    w.writerow(["source", "target", "source_label", "target_label", "weight", "count", "strength", "ties",
                "kinds", "first_year", "last_year", "evidence_count", "sentence", "evidence_summary",
                "evidence_json"])
    for u, v, d in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
        ev = d.get("evidence") or []
        sentence = next((e["sentence"] for e in ev if e.get("sentence")), "") or \
            next((" … ".join(e["quotes"]) for e in ev if e.get("quotes")), "")
        w.writerow([u, v, G.nodes[u].get("label", ""), G.nodes[v].get("label", ""),
                    d.get("weight", 1), d.get("count", len(ev) or 1), d.get("strength", ""), d.get("ties", ""),
                    d.get("kinds", d.get("role", "")),
                    d.get("first_year") or "", d.get("last_year") or "", len(ev), sentence, evidence_summary(ev),
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
        w.writerow([n] + [d.get(c, "") for c in cols[1:]] + ([metrics.nodes[n][c] for c in mcols] if metrics else []))
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

# long: the metrics vocabulary stated property by property (ontology/metrics.ttl)
def metrics_dataset(G: nx.Graph, metrics: Metrics, *, graph_iri: str = METRICS_GRAPH,  # noqa: C901 (the metrics vocabulary, property by property)
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

    from ..namespaces import bind_prefixes

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
    if "modularity" in p["louvain"]:
        g.add((run, WC.modularity, Literal(float(p["louvain"]["modularity"]), datatype=XSD.double)))
    # the edge table: one wc:NetworkLink per link
    import hashlib
    for u, v, d in sorted(G.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))):
        if not all(x.startswith(("http://", "https://", "urn:")) for x in (u, v)):
            continue
        a, b = sorted((u, v))
        link = URIRef(f"{graph_iri}/link/" + hashlib.sha1(f"{a} {b}".encode()).hexdigest()[:16])
        g.add((link, RDF.type, WC.NetworkLink))
        g.add((link, WC.linkEnd, URIRef(a)))
        g.add((link, WC.linkEnd, URIRef(b)))
        g.add((link, WC.linkWeight, Literal(float(d.get("weight", 1)), datatype=XSD.double)))
        ev = d.get("evidence") or []
        g.add((link, WC.sharedActivityCount, Literal(int(d.get("count", len(ev) or 1)))))
        for t in str(d.get("ties", "")).split(","):
            if t:
                g.add((link, WC.tieKind, Literal(t)))
        if d.get("strength"):
            g.add((link, WC.tieStrength, Literal(d["strength"])))
        for key, prop in (("first_year", WC.firstYear), ("last_year", WC.lastYear)):
            if d.get(key) is not None:
                g.add((link, prop, Literal(int(d[key]))))
        for e in ev:
            if str(e.get("resource", "")).startswith(("http://", "https://")):
                g.add((link, WC.sharedActivity, URIRef(e["resource"])))
    return ds


def metrics_rdf_bytes(G: nx.Graph, metrics: Metrics, fmt: str = "turtle") -> bytes:
    """``fmt`` = ``turtle`` (the triples of the metrics graph) or ``trig`` (with the graph)."""
    from rdflib import URIRef
    ds = metrics_dataset(G, metrics)
    if fmt == "trig":
        return ds.serialize(format="trig").encode()
    g = ds.graph(URIRef(METRICS_GRAPH))
    from ..namespaces import bind_prefixes
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
