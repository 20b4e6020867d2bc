"""`wckg network`: who works with whom — build a network, compute its metrics, export it."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..errors import InputError, ParameterError, WckgError
from .base import app, err, fail, out


def _settings(store: Path | None):
    from ..config import get_settings
    s = get_settings()
    return s.model_copy(update={"store": store.expanduser()}) if store else s


@app.command()
def network(
    out_file: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="write the network: .html (interactive, offline), .gexf, .graphml, "
                            ".json (node-link), .csv (edges + FILE-nodes.csv), .ttl/.trig (metrics as RDF)")] = None,
    kind: Annotated[str, typer.Option(help="partnership (organisation–organisation), bipartite "
                                           "(organisation–activity), activity (activity–activity) or ego")] = "partnership",
    focus: Annotated[Optional[str], typer.Option(help="ego network around this organisation or person: "
                                                      "IRI, kind/slug, slug or label")] = None,
    depth: Annotated[int, typer.Option(min=1, max=3, help="ego network depth (1–3)")] = 1,
    year_from: Annotated[Optional[int], typer.Option("--from", help="first year of the period")] = None,
    year_to: Annotated[Optional[int], typer.Option("--to", help="last year of the period")] = None,
    relation: Annotated[Optional[list[str]], typer.Option(
        help="relation kinds to keep: a family (agreement, event, programme), a role (party, funder, "
             "recipient, organiser, participant, supporter, chair, chair-organisation, implementer, "
             "partner) or family:role; repeat or separate with commas")] = None,
    country: Annotated[Optional[list[str]], typer.Option(help="keep organisations of this country (IRI, slug or name)")] = None,
    org_kind: Annotated[Optional[list[str]], typer.Option(
        "--org-kind", help="keep organisations of this kind: government-body, international-organisation, "
                           "financial-institution, company, civil-society-organisation, "
                           "cooperation-platform, organisation")] = None,
    topic: Annotated[Optional[list[str]], typer.Option(help="keep activities on this topic (IRI, slug or label)")] = None,
    people: Annotated[bool, typer.Option("--people/--no-people", help="include people as nodes")] = False,
    weak: Annotated[bool, typer.Option("--weak/--strong-only", help="add the weak layer (organiser–participant, "
                                       "co-attendance of an event) to the strong ties")] = False,
    rollup: Annotated[bool, typer.Option("--rollup/--no-rollup", help="units (country offices, departments: "
                                         "org:subOrganizationOf) count as the organisation at the top of "
                                         "their chain; an ego network's focus stays itself")] = False,
    metric: Annotated[str, typer.Option(help="sort the table and size the nodes by this metric: degree, "
                                             "weighted_degree, betweenness, eigenvector, brokerage, "
                                             "country_brokerage (community, component sort only)")] = "degree",
    top: Annotated[Optional[int], typer.Option(min=1, help="print the top N rows of the metrics table")] = None,
    metrics_csv: Annotated[Optional[Path], typer.Option("--metrics-csv", help="write the metrics table as CSV")] = None,
    rdf: Annotated[Optional[Path], typer.Option(help="write the metrics as RDF (.ttl or .trig)")] = None,
    per_year: Annotated[Optional[Path], typer.Option("--per-year", help="write metrics per year (CSV), one slice per year")] = None,
    betweenness_sample: Annotated[Optional[int], typer.Option(
        min=2, help="sources sampled for approximate betweenness on large networks (default: 8–64 by size)")] = None,
    store: Annotated[Optional[Path], typer.Option("--store", help="store directory")] = None,
) -> None:
    """Build the partnership network (or bipartite, activity, ego), compute its metrics
    (degree, weighted degree, betweenness, eigenvector, Louvain communities, brokerage,
    components) and write it. Every link carries the activities that make it."""
    try:
        _run(out_file, kind, focus, depth, year_from, year_to, relation or [], country or [], org_kind or [],
             topic or [], people, metric, top, metrics_csv, rdf, per_year, betweenness_sample, store,
             weak=weak, rollup=rollup)
    except WckgError as e:
        fail(e)


def _check_suffix(path: Path | None, allowed: tuple[str, ...], option: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        raise InputError(f"{option} {path}: unsupported file type {path.suffix or '(none)'!r}",
                         hint="use one of " + ", ".join(allowed))


# long: one command's options to one network request, then each output format
def _run(out_file, kind, focus, depth, year_from, year_to, relation, country, org_kind, topic, people,  # noqa: C901 (one command's options to one network request)
         metric, top, metrics_csv, rdf, per_year, betweenness_sample, store, *, weak=False,
         rollup=False) -> None:
    from .. import netview
    from .. import network as N
    from ..build import ensure_built
    from ..store import open_backend

    # everything that can be checked without the store, first
    if kind not in N.NETWORK_KINDS:
        raise ParameterError("kind", f"unknown network kind {kind!r}", hint="use one of " + ", ".join(N.NETWORK_KINDS))
    if metric not in N.METRICS:
        raise ParameterError("metric", f"unknown metric {metric!r}", hint="use one of " + ", ".join(N.METRICS))
    if out_file is not None:
        N.export_format(out_file)
    _check_suffix(metrics_csv, (".csv",), "--metrics-csv")
    _check_suffix(per_year, (".csv",), "--per-year")
    _check_suffix(rdf, (".ttl", ".trig"), "--rdf")
    if focus and kind == "partnership":
        kind = "ego"
    if focus and kind != "ego":
        raise ParameterError("focus", f"--focus builds an ego network, not a {kind} network",
                             hint="drop --kind, or use --kind ego")
    if kind == "ego" and not focus:
        raise ParameterError("focus", "an ego network needs a focus", hint="give --focus IRI_OR_LABEL")
    size_by = metric if metric in N.SIZE_METRICS else "degree"

    settings = _settings(store)
    ensure_built(settings)
    t0 = time.perf_counter()
    with open_backend(settings) as backend:
        data = N.fetch_graph_data(backend)
    filters = N.make_filters(data, relations=relation, year_from=year_from, year_to=year_to,
                             countries=country, org_kinds=org_kind, topics=topic, people=people,
                             weak=weak, rollup=rollup)
    focus_iri = N.resolve_focus(data, focus, settings.base_iri) if focus else None
    G = N.build_network(data, kind, filters, focus=focus_iri, depth=depth)
    t_build = time.perf_counter() - t0
    what = {"partnership": "partnership network", "bipartite": "organisation–activity network",
            "activity": "activity network", "ego": f"ego network of {data.agents[focus_iri].label if focus_iri else ''} (depth {depth})"}[kind]
    if G.number_of_nodes() == 0 or (kind != "activity" and N.organisation_count(G) == 0 and not people):
        err.print(f"No organisations match these filters ({_describe(filters)}): nothing written.", markup=False)
        raise SystemExit(1)

    t1 = time.perf_counter()
    metrics = N.compute_metrics(G, betweenness_sample=betweenness_sample)
    t_metrics = time.perf_counter() - t1
    b = metrics.params["betweenness"]
    err.print(f"{what}: {G.number_of_nodes()} nodes, {G.number_of_edges()} links, "
              f"{metrics.params['louvain']['communities']} communities, {metrics.params['components']} components "
              f"(built in {t_build:.1f} s, metrics in {t_metrics:.1f} s; betweenness "
              + ("exact" if b["exact"] else f"sampled over k={b['sample_size']} sources") + ")", markup=False)

    written: list[Path] = []
    if out_file is not None:
        html = None
        if out_file.suffix.lower() == ".html":
            html = netview.render_standalone(G, metrics, title=what[:1].upper() + what[1:], size_by=size_by,
                                             base=settings.base_iri, site=settings.public_url,
                                             filters=filters.describe())
        written += N.write_network(G, out_file, metrics=metrics, html=html, sort_by=metric)
    if metrics_csv is not None:
        metrics_csv.parent.mkdir(parents=True, exist_ok=True)
        metrics_csv.write_text(N.nodes_csv(G, metrics, metric), encoding="utf-8")
        written.append(metrics_csv)
    if rdf is not None:
        rdf.parent.mkdir(parents=True, exist_ok=True)
        rdf.write_bytes(N.metrics_rdf_bytes(G, metrics, "trig" if rdf.suffix.lower() == ".trig" else "turtle"))
        written.append(rdf)
    if per_year is not None:
        slices = N.yearly_slices(data, filters, kind=kind, focus=focus_iri, depth=depth,
                                 betweenness_sample=betweenness_sample)
        per_year.parent.mkdir(parents=True, exist_ok=True)
        per_year.write_text(N.yearly_csv(slices), encoding="utf-8")
        written.append(per_year)
        table = Table(title="Per year", header_style="bold")
        for col in ("year", "organisations", "edges", "components", "communities", "density"):
            table.add_column(col, justify="right")
        for s in slices:
            row = s.summary()
            table.add_row(*(str(row[c]) for c in ("year", "organisations", "edges", "components", "communities", "density")))
        err.print(table)
    for p in written:
        err.print(f"wrote {p}", markup=False)

    if top is not None or not written:
        rows = metrics.table(G, metric)[: top or 20]
        table = Table(title=f"{what} — top {len(rows)} by {N.METRIC_LABELS[metric].lower()}", header_style="bold")
        table.add_column("name", overflow="fold")
        table.add_column("kind")
        table.add_column("country")
        for m in N.METRICS:
            table.add_column(m, justify="right", no_wrap=True)
        for r in rows:
            # Text(): a label is data, not Rich markup
            table.add_row(Text(r["label"]), Text(r["kind"]), Text(r["country"]),
                          *(f"{r[m]:.4f}" if isinstance(r[m], float) else str(r[m]) for m in N.METRICS))
        # the table goes to stdout (data), the messages above to stderr
        if out.is_terminal:
            out.print(table)
        else:  # a pipe or a file: no terminal width to respect
            from rich.console import Console
            Console(width=220, highlight=False).print(table)


def _describe(filters) -> str:
    d = filters.describe()
    parts = [f"{k}={v}" for k, v in d.items() if v not in (None, [], False)]
    return ", ".join(parts) or "no filters"
