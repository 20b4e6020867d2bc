"""`wckg query` (run a named query, a .rq file or stdin) and `wckg queries` (list the library)."""
from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rdflib import BNode, Literal, URIRef
from rich.table import Table
from rich.text import Text

from ..config import get_settings
from ..errors import ParameterError
from ..namespaces import PREFIXES
from ..queries import NamedQuery, cached_library, resolve
from ..results import RDF_OUTPUT_FORMATS, RESULT_FORMATS
from .base import app, err, out

#: Formats for SELECT/ASK results (SPARQL 1.1 result formats, plus a table for people).
TABLE_FORMATS = ("table", *RESULT_FORMATS)
#: Formats for CONSTRUCT/DESCRIBE results.
GRAPH_FORMATS = tuple(RDF_OUTPUT_FORMATS)
ALL_FORMATS = (*TABLE_FORMATS, *GRAPH_FORMATS)

_PREFIXES_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def shorten(iri: str) -> str:
    """An IRI as a prefixed name of the project's prefix map, or ``<iri>`` when none fits."""
    for prefix, ns in _PREFIXES_LONGEST_FIRST:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return f"<{iri}>"


def term_text(term) -> str:
    """A result term for a person: prefixed IRIs, literal values without datatype noise."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return str(term)
    return str(term)


def table_columns(variables: list[str]) -> list[tuple[str, str | None]]:
    """(column, label column) pairs: a variable ``?x`` with a sibling ``?xLabel`` becomes one
    column showing both; the ``?xLabel`` column itself is not repeated."""
    names = set(variables)
    folded = {f"{v}Label" for v in variables if f"{v}Label" in names}
    return [(v, f"{v}Label" if f"{v}Label" in names else None) for v in variables if v not in folded]


def render_table(variables: list[str], rows: list[dict], hide: frozenset[str] | set[str] = frozenset()) -> Table:
    """A rich table of SELECT rows; *hide* names columns left out (a query's parameters,
    which it projects only so that the engine can bind them)."""
    table = Table(show_lines=False, header_style="bold", expand=False)
    columns = [c for c in table_columns(variables) if c[0] not in hide]
    for var, _label in columns:
        table.add_column(var, overflow="fold")
    for row in rows:
        cells = []
        for var, label_var in columns:
            term, label = row.get(var), row.get(label_var) if label_var else None
            if label is not None and term is not None and str(label) != str(term):
                cell = Text(str(label))
                cell.append("\n" + term_text(term), style="dim")
            elif label is not None:
                cell = Text(str(label))
            else:
                cell = Text(term_text(term))  # Text(): values are never read as rich markup
            cells.append(cell)
        table.add_row(*cells)
    return table


def _tsv_cell(text: str) -> str:
    """A value as one TSV cell: backslash, tab, newline and carriage return escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def plain_rows(variables: list[str], rows: list[dict]) -> str:
    """SELECT rows for a pipe or a file: a header of the variable names, then one line per
    row, tab-separated, every column kept and every value whole (IRIs in full, literals by
    their lexical form, blank nodes as ``_:id``); no colour, no box drawing, no wrapping."""
    lines = ["\t".join(variables)]
    for row in rows:
        cells = []
        for v in variables:
            term = row.get(v)
            if term is None:
                cells.append("")
            elif isinstance(term, BNode):
                cells.append(_tsv_cell(f"_:{term}"))
            else:
                cells.append(_tsv_cell(str(term)))
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``name=value`` strings (repeatable ``--param``) as a dict; the first ``=`` splits."""
    params: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise ParameterError(pair, "expected NAME=VALUE", hint="e.g. --param org=wcid:organisation/undp")
        if name in params:
            raise ParameterError(name, "given twice", hint="give each parameter once")
        params[name] = value
    return params


def check_format(fmt: str | None, query: NamedQuery) -> str:
    """The output format for *query*: the default for its form, or *fmt* when it fits."""
    graph_form = query.form in ("construct", "describe")
    if fmt is None:
        # a table for a person at a terminal; whole values, tab-separated, for a pipe or file
        return "turtle" if graph_form else ("table" if _stdout_is_terminal() else "plain")
    fmt = fmt.lower()
    if fmt == "plain" and not graph_form:
        return fmt
    if fmt not in ALL_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is not a format; use one of {', '.join(ALL_FORMATS)}",
                                 param_hint="'--format'")
    if graph_form and fmt not in GRAPH_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is a SELECT/ASK result format, but {query.name} is a "
                                 f"{query.form.upper()} query; use one of {', '.join(GRAPH_FORMATS)}",
                                 param_hint="'--format'")
    if not graph_form and fmt not in TABLE_FORMATS:
        raise typer.BadParameter(f"{fmt!r} is an RDF graph format, but {query.name} is a "
                                 f"{query.form.upper()} query; use one of {', '.join(TABLE_FORMATS)}",
                                 param_hint="'--format'")
    return fmt


@app.command("query")
def query_cmd(
    query: Annotated[str, typer.Argument(
        metavar="NAME|FILE.rq|-", help="a named query (see `wckg queries`), a FILE.rq, or - for stdin")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", metavar="NAME=VALUE", help="a parameter value, typed by the query's header (repeatable)")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", metavar="FORMAT", help="table|plain|csv|tsv|json|xml for SELECT/ASK (default: table "
                               "on a terminal, plain (tab-separated whole values) when piped); "
                               "turtle|ntriples|jsonld|rdfxml|trig|nquads for CONSTRUCT/DESCRIBE (default turtle)",
        show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, metavar="N", help="at most this many rows/triples (default: the max_rows setting)")] = None,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.001, metavar="SECONDS", help="seconds before the query is stopped (default: the query_timeout setting)")] = None,
) -> None:
    """Run a SPARQL query on the store: a named query with typed parameters, a file, or stdin."""
    settings = get_settings()
    library = cached_library(settings.queries_dir)
    named = resolve(query, library)
    fmt = check_format(fmt, named)
    params = named.bind(parse_params(param))

    from ..store import open_backend
    with open_backend(settings) as backend:
        res = backend.query(named.text, params=params, timeout=timeout or settings.query_timeout,
                            limit=limit or settings.max_rows)
    if fmt in ("table", "plain"):
        if res.kind == "ask":
            sys.stdout.write("yes\n" if res.boolean else "no\n")
        elif fmt == "plain":
            sys.stdout.write(plain_rows(res.variables, res.rows))
        else:
            # on a terminal the table fits its width; into a pipe or file it is never wrapped
            table = render_table(res.variables, res.rows, hide=set(named.param_names))
            if _stdout_is_terminal():
                out.print(table)
            else:
                from rich.console import Console
                Console(file=sys.stdout, width=100_000, highlight=False, emoji=False, color_system=None).print(table)
        if res.kind != "ask":
            err.print(f"{len(res.rows)} row{'s' if len(res.rows) != 1 else ''} in {res.elapsed * 1000:.0f} ms",
                      style="dim")
    else:
        data = res.serialize(fmt)
        sys.stdout.buffer.write(data)
        if data and not data.endswith(b"\n"):
            sys.stdout.buffer.write(b"\n")
        sys.stdout.flush()
    if res.truncated:
        err.print(f"[yellow]note:[/] the result was cut at {res.limit} rows; raise --limit to see more")


@app.command("queries")
def queries_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT",
                                     help="table (plain, tab-separated, when piped), plain or json")] = "table",
) -> None:
    """List the named queries: name, title, parameters and their types."""
    if fmt not in ("table", "plain", "json"):
        raise typer.BadParameter(f"{fmt!r} is not a format; use table, plain or json", param_hint="'--format'")
    library = cached_library(get_settings().queries_dir)
    if fmt == "plain" or (fmt == "table" and not _stdout_is_terminal()):
        rows = [{"name": Literal(q.name), "title": Literal(q.title),
                 "parameters": Literal(", ".join(f"{p.name}{'' if p.required else '?'}: {p.type}" for p in q.params))}
                for q in library.values()]
        sys.stdout.write(plain_rows(["name", "title", "parameters"], rows))
        return
    if fmt == "json":
        sys.stdout.write(json.dumps([q.to_dict() for q in library.values()], indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(header_style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("title")
    table.add_column("parameters")
    for q in library.values():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}: {p.type}" for p in q.params)
        table.add_row(Text(q.name), Text(q.title), Text(params or "—"))
    out.print(table)
    err.print(f"{len(library)} queries in {get_settings().queries_dir}; `?` marks an optional parameter",
              style="dim")
