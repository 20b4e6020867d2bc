"""The partnership network: ``/network`` (whole graph, with filters) and
``/network/{kind}/{slug}`` (ego network of an organisation or person).

Each URL answers HTML, node-link JSON, GEXF, GraphML, CSV (edges; ``.nodes.csv``: nodes
with metrics) or the metrics as RDF, chosen by suffix (``/network.gexf``,
``/network/organisation/undp.json``) or by ``Accept``. The filters are GET parameters:
``relation`` (repeatable: a family, a role, or family:role), ``from``, ``to``, ``country``,
``org_kind``, ``topic`` (repeatable), ``people``, ``metric`` (size and sort), ``depth``
(ego, 1–3). A bad value → 422 naming the parameter; an unknown entity → 404 with the
closest names; no organisation left → an explicit "no organisations match" page.

vis-network is the copy pyvis ships, served at ``/static/vendor/vis-network/``; the view
script at ``/network/assets/network-view.js``. The page has no inline script (CSP).
"""
from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from app.deps import BackendDep, SettingsDep
from app.errors import error_response, wants_html
from app.negotiation import PAGE_OFFERS, choose
from app.templating import render
from graph import netview
from graph import network as N
from graph.errors import ParameterError

router = APIRouter(tags=["network"])

#: suffix → (format, media type)
FORMATS: dict[str, tuple[str, str]] = {
    "json": ("json", "application/json"),
    "gexf": ("gexf", "application/gexf+xml"),
    "graphml": ("graphml", "application/graphml+xml"),
    "csv": ("csv", "text/csv; charset=utf-8"),
    "nodes.csv": ("nodes.csv", "text/csv; charset=utf-8"),
    "ttl": ("ttl", "text/turtle; charset=utf-8"),
    "trig": ("trig", "application/trig"),
    "view.json": ("view.json", "application/json"),
    "years.csv": ("years.csv", "text/csv; charset=utf-8"),
}
#: Per-year slices are computed for the page up to this many nodes (the CSV always).
YEARS_ON_PAGE_MAX = N.YEARS_ON_PAGE_MAX
#: What ``Accept`` can choose (app.negotiation.choose): HTML first, so it is the default.
ACCEPT: list[tuple[str, str]] = [
    *PAGE_OFFERS, ("application/gexf+xml", "gexf"), ("application/graphml+xml", "graphml"),
    ("text/csv", "csv"), ("text/turtle", "ttl"), ("application/trig", "trig"),
]
VIS_FILES = {"vis-network.min.js": "application/javascript", "vis-network.css": "text/css"}
EGO_KINDS = ("organisation", "person")


# --------------------------------------------------------------------------------------
# assets
# --------------------------------------------------------------------------------------

@router.get("/static/vendor/vis-network/{name}", include_in_schema=False)
def vis_network_asset(name: str) -> Response:
    """vis-network from the copy inside the installed pyvis package (no CDN)."""
    if name not in VIS_FILES:
        return JSONResponse({"error": "Not found", "status": 404,
                             "detail": f"no vis-network file {name!r}"}, status_code=404)
    return FileResponse(netview.vis_network_dir() / name, media_type=VIS_FILES[name],
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/network/assets/network-view.js", include_in_schema=False)
def network_view_js() -> Response:
    return FileResponse(netview.VIEW_JS, media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=3600"})


# --------------------------------------------------------------------------------------
# parameters and caching
# --------------------------------------------------------------------------------------

RelationQ = Annotated[list[str], Query(description="family, role or family:role (repeatable)")]
ListQ = Annotated[list[str], Query()]


class Params:
    def __init__(self, relation: list[str], year_from: str | None, year_to: str | None, country: list[str],
                 org_kind: list[str], topic: list[str], people: bool, metric: str, depth: int = 1,
                 weak: bool = False, rollup: bool = False):
        self.relation, self.year_from, self.year_to = relation, year_from, year_to
        self.country, self.org_kind, self.topic = country, org_kind, topic
        self.people, self.metric, self.depth = people, metric, depth
        self.weak, self.rollup = weak, rollup

    def query_string(self, **override: Any) -> str:
        items: list[tuple[str, str]] = []
        for r in self.relation:
            items.append(("relation", r))
        if self.year_from:
            items.append(("from", self.year_from))
        if self.year_to:
            items.append(("to", self.year_to))
        items += [("country", c) for c in self.country] + [("org_kind", k) for k in self.org_kind]
        items += [("topic", t) for t in self.topic]
        if self.people:
            items.append(("people", "true"))
        if self.weak:
            items.append(("weak", "true"))
        if self.rollup:
            items.append(("rollup", "true"))
        if self.metric != "degree":
            items.append(("metric", self.metric))
        if self.depth != 1:
            items.append(("depth", str(self.depth)))
        for k, v in override.items():
            items = [i for i in items if i[0] != k] + ([(k, str(v))] if v is not None else [])
        return ("?" + urlencode(items)) if items else ""


def _choose_format(request: Request, suffix: str | None) -> str:
    if suffix:
        if suffix not in FORMATS:
            raise ParameterError("format", f"unknown format {suffix!r}",
                                 hint="use one of " + ", ".join("." + s for s in FORMATS))
        return FORMATS[suffix][0]
    return choose(request, ACCEPT) or "html"


def _split_suffix(name: str) -> tuple[str, str | None]:
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith("." + suffix):
            return name[: -len(suffix) - 1], suffix
    return name, None


# --------------------------------------------------------------------------------------
# routes
# --------------------------------------------------------------------------------------

@router.get("/network", summary="The partnership network (HTML, JSON, GEXF, GraphML, CSV by Accept)")
def network_page(request: Request, backend: BackendDep, settings: SettingsDep,
                 relation: RelationQ = [], year_from: Annotated[str | None, Query(alias="from")] = None,
                 year_to: Annotated[str | None, Query(alias="to")] = None, country: ListQ = [],
                 org_kind: ListQ = [], topic: ListQ = [], people: bool = False, metric: str = "degree",
                 weak: Annotated[bool, Query(description="add the weak layer (organiser–participant, co-attendance)")] = False,
                 rollup: Annotated[bool, Query(description="units count as the organisation at the top of their chain")] = False,
                 kind: Annotated[str, Query(description="partnership, bipartite or activity")] = "partnership") -> Response:
    p = Params(relation, year_from, year_to, country, org_kind, topic, people, metric, weak=weak, rollup=rollup)
    return _answer(request, backend, settings, p, kind=kind, focus=None, suffix=None)


@router.get("/network.{suffix}", summary="The partnership network in one format",
            description="suffix: " + ", ".join(FORMATS))
def network_export(request: Request, suffix: str, backend: BackendDep, settings: SettingsDep,
                   relation: RelationQ = [], year_from: Annotated[str | None, Query(alias="from")] = None,
                   year_to: Annotated[str | None, Query(alias="to")] = None, country: ListQ = [],
                   org_kind: ListQ = [], topic: ListQ = [], people: bool = False, metric: str = "degree",
                 weak: Annotated[bool, Query(description="add the weak layer (organiser–participant, co-attendance)")] = False,
                 rollup: Annotated[bool, Query(description="units count as the organisation at the top of their chain")] = False,
                   kind: str = "partnership") -> Response:
    p = Params(relation, year_from, year_to, country, org_kind, topic, people, metric, weak=weak, rollup=rollup)
    return _answer(request, backend, settings, p, kind=kind, focus=None, suffix=suffix)


@router.get("/network/{entity_kind}/{slug}", summary="Ego network of an organisation or person")
def ego_page(request: Request, entity_kind: str, slug: str, backend: BackendDep, settings: SettingsDep,
             depth: Annotated[int, Query(ge=1, le=3, description="steps from the entity (1–3)")] = 1,
             relation: RelationQ = [], year_from: Annotated[str | None, Query(alias="from")] = None,
             year_to: Annotated[str | None, Query(alias="to")] = None, country: ListQ = [],
             org_kind: ListQ = [], topic: ListQ = [], people: bool = False,
             metric: str = "degree", weak: bool = False, rollup: bool = False) -> Response:
    name, suffix = _split_suffix(slug)
    p = Params(relation, year_from, year_to, country, org_kind, topic, people, metric, depth, weak=weak, rollup=rollup)
    iri = f"{settings.base_iri}{entity_kind}/{name}"
    data = N.catalogue_for(backend, settings)
    if entity_kind not in EGO_KINDS or iri not in data.agents:
        return _not_found(request, data, entity_kind, name)
    return _answer(request, backend, settings, p, kind="ego", focus=iri, suffix=suffix, data=data)


def _not_found(request: Request, data: N.GraphData, entity_kind: str, name: str) -> Response:
    query = name.replace("-", " ")
    try:
        N.resolve_focus(data, query)
        close: list[tuple[str, str]] = []
    except N.UnknownFocus as e:
        close = e.close_matches
    # an exact label match of another slug is the best suggestion of all
    try:
        exact = N.resolve_focus(data, query)
        close = [(data.agents[exact].label, exact)] + [c for c in close if c[1] != exact]
    except N.UnknownFocus:
        pass
    suggestions = [{"label": label, "iri": iri, "url": _ego_url(iri, data)} for label, iri in close]
    message = (f"There is no organisation or person {entity_kind}/{name} in the graph."
               if entity_kind in EGO_KINDS else
               f"Ego networks exist for organisations and people, not for {entity_kind!r}.")
    if wants_html(request):
        return render(request, "network.html", {"mode": "not-found", "message": message,
                                                "suggestions": suggestions}, status_code=404)
    return error_response(request, 404, "Not found", message, extra={"suggestions": suggestions})


def _ego_url(iri: str, data: N.GraphData) -> str | None:
    url = netview.entity_url(iri)
    return url.replace("/id/", "/network/", 1) if url else None


# long: every representation of a network (page, JSON, exports) chosen in one place
def _answer(request: Request, backend, settings, p: Params, *, kind: str, focus: str | None,
            suffix: str | None, data: N.GraphData | None = None) -> Response:
    fmt = _choose_format(request, suffix)
    if kind not in ("partnership", "bipartite", "activity", "ego"):
        raise ParameterError("kind", f"unknown network kind {kind!r}",
                             hint="use partnership, bipartite or activity (ego: /network/{kind}/{slug})")
    if p.metric not in N.METRICS:
        raise ParameterError("metric", f"unknown metric {p.metric!r}", hint="use one of " + ", ".join(N.METRICS))
    data = data or N.catalogue_for(backend, settings)
    filters = N.make_filters(data, relations=p.relation, year_from=p.year_from, year_to=p.year_to,
                             countries=p.country, org_kinds=p.org_kind, topics=p.topic, people=p.people,
                             weak=p.weak, rollup=p.rollup)
    # computed in the network worker (graph.network.pool), never in this process
    G, metrics = N.network_for(backend, settings, filters, kind, focus, p.depth)
    size_by = p.metric if p.metric in N.SIZE_METRICS else "degree"
    base_path = request.url.path
    for s in sorted(FORMATS, key=len, reverse=True):
        if base_path.endswith("." + s):
            base_path = base_path[: -len(s) - 1]
            break
    stem = "network" if focus is None else "network-" + focus.rstrip("/").rsplit("/", 1)[-1]
    links = {s: f"{base_path}.{s}{p.query_string()}" for s in FORMATS if s != "view.json"}
    link_header = ", ".join(f'<{links[s]}>; rel="alternate"; type="{FORMATS[s][1].split(";")[0]}"'
                            for s in ("json", "gexf", "graphml", "csv"))
    headers = {"Link": link_header, "Vary": "Accept"}

    if fmt == "json":
        return Response(N.node_link_bytes(G, metrics), media_type="application/json", headers=headers)
    if fmt == "view.json":
        return JSONResponse(netview.view_data(G, metrics, size_by=size_by, base=settings.base_iri)
                            | {"organisations": N.organisation_count(G)})
    if fmt == "gexf":
        return _download(N.gexf_bytes(G), "application/gexf+xml", f"{stem}.gexf", headers)
    if fmt == "graphml":
        return _download(N.graphml_bytes(G), "application/graphml+xml", f"{stem}.graphml", headers)
    if fmt == "csv":
        return _download(N.edges_csv(G).encode(), "text/csv; charset=utf-8", f"{stem}-edges.csv", headers)
    if fmt == "nodes.csv":
        return _download(N.nodes_csv(G, metrics, p.metric).encode(), "text/csv; charset=utf-8",
                         f"{stem}-nodes.csv", headers)
    if fmt == "years.csv":
        return _download(N.years_csv_for(backend, settings, filters, kind, focus, p.depth).encode(), "text/csv; charset=utf-8", f"{stem}-years.csv", headers)
    if fmt in ("ttl", "trig"):
        body = N.metrics_rdf_bytes(G, metrics, "trig" if fmt == "trig" else "turtle")
        return Response(body, media_type=FORMATS[fmt][1], headers=headers)

    # --- HTML ------------------------------------------------------------------------
    empty = N.organisation_count(G) == 0 and not (p.people and G.number_of_nodes())
    view = None if empty else netview.view_data(G, metrics, size_by=size_by, base=settings.base_iri)
    table = [] if empty else metrics.table(G, p.metric)[:200]
    for row in table:
        row["url"] = netview.entity_url(row["iri"], settings.base_iri)
    years = data.years() or (N.YEAR_MIN, N.YEAR_MAX)
    per_year = None
    if not empty and G.number_of_nodes() <= YEARS_ON_PAGE_MAX:
        per_year = N.years_for(backend, settings, filters, kind, focus, p.depth)
    ctx = {
        "mode": "ego" if focus else "whole",
        "focus": focus, "focus_label": data.agents[focus].label if focus else None,
        "focus_url": netview.entity_url(focus, settings.base_iri) if focus else None,
        "kind": kind, "params": p, "filters": filters, "empty": empty,
        "view_json": netview.json_for_script(view) if view else None, "view": view,
        "table": table, "table_total": G.number_of_nodes(), "metrics": metrics,
        "links": links, "years": years, "per_year": per_year,
        "families": N.FAMILIES, "roles": N.ROLES, "org_kinds": N.ORG_KINDS,
        "countries": data.countries, "topics": dict(sorted(data.topics.items(), key=lambda kv: kv[1].lower())),
        "metric_names": N.METRICS, "size_metrics": N.SIZE_METRICS, "metric_labels": N.METRIC_LABELS,
        "organisations": N.organisation_count(G), "edges": G.number_of_edges(),
        "weighting": N.WEIGHTING, "metric_explanations": N.METRIC_EXPLANATIONS,
        "tie_legend": _tie_legend(G),
        "slider": _slider_span(G, filters), "timeline_query": _timeline_query(focus, data),
        "cut": _cut(G),
    }
    return render(request, "network.html", ctx, headers=headers)


def _cut(G) -> dict[str, Any] | None:
    """What the node cap of an ego network left out (graph.network.ego), for the page."""
    if not G.graph.get("cut"):
        return None
    return {"shown": G.number_of_nodes(), "reached": G.graph["nodes_reached"],
            "depth_complete": G.graph["depth_complete"], "max_nodes": G.graph["max_nodes"]}


def _slider_span(G, filters: N.NetworkFilters) -> tuple[int, int] | None:
    """The years the year slider runs over: those of the links' activities, within the
    period filter; None when fewer than two years are dated."""
    years = [y for _, _, d in G.edges(data=True) for e in d.get("evidence") or []
             for y in (e.get("year_from"), e.get("year_to")) if y is not None]
    if not years:
        return None
    lo, hi = min(years), max(years)
    if filters.year_from is not None:
        lo = max(lo, filters.year_from)
    if filters.year_to is not None:
        hi = min(hi, filters.year_to)
    return (lo, hi) if lo < hi else None


def _timeline_query(focus: str | None, data: N.GraphData) -> str:
    """The timeline's filter for the same organisation (the slider adds from/to)."""
    return ("?" + urlencode({"organisation": focus})) if focus and not data.agents[focus].is_person else ""


def _tie_legend(G) -> list[dict[str, str]]:
    """The kinds of link present in *G*, strong first."""
    present = {t for _, _, d in G.edges(data=True) for t in str(d.get("ties", "")).split(",") if t}
    return [{"kind": k, **v} for k, v in sorted(N.TIE_KINDS.items(), key=lambda kv: (kv[1]["strength"] != "strong", kv[0]))
            if k in present]


def _download(body: bytes, media: str, filename: str, headers: dict[str, str]) -> Response:
    return Response(body, media_type=media,
                    headers={**headers, "Content-Disposition": f'attachment; filename="{filename}"'})
