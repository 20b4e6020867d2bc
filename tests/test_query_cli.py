"""`wckg query` and `wckg queries`, run through `graph.cli.main` (as the installed command
does): formats, typed --param values, exit codes and messages for every kind of bad input."""
from __future__ import annotations

import csv
import io
import json
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from graph.namespaces import WCID
from graph.queries import load_library

EVENT = "wcid:event/2020-11-20-nwpd-interministerial-council-6"
SPARQL_RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@dataclass
class Run:
    code: int
    out: str
    err: str


class _SharedBackend:
    """The session's backend for `with open_backend(...)`, not closed by the command."""

    def __init__(self, backend):
        self.backend = backend

    def __enter__(self):
        return self.backend

    def __exit__(self, *exc):
        return False


@pytest.fixture
def cli(monkeypatch, capsys, settings, backend):
    """Run `wckg ARGS...` in-process against the session's store; returns exit code and output."""
    import graph.cli.query_cmds as query_cmds
    import graph.store

    monkeypatch.setattr(query_cmds, "get_settings", lambda: settings)
    monkeypatch.setattr(graph.store, "open_backend", lambda s: _SharedBackend(backend))
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps tables at the terminal width

    def run(*args: str, stdin: str | None = None) -> Run:
        from graph.cli import main
        monkeypatch.setattr(sys, "argv", ["wckg", *args])
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err, captured.err
        return Run(code, captured.out, captured.err)

    return run


# --- listing --------------------------------------------------------------------------------

def test_queries_lists_names_titles_and_typed_parameters(cli, settings):
    r = cli("queries")
    assert r.code == 0
    for name in load_library(settings.queries_dir):
        assert name in r.out
    assert "org: iri" in r.out and "units?: boolean" in r.out and "from?: year" in r.out


def test_queries_as_json(cli, settings):
    r = cli("queries", "--format", "json")
    assert r.code == 0
    listed = json.loads(r.out)
    assert [q["name"] for q in listed] == list(load_library(settings.queries_dir))
    cq4 = next(q for q in listed if q["name"] == "cq4-event-chair")
    assert cq4["params"][0]["name"] == "event" and cq4["params"][0]["type"] == "iri" and cq4["form"] == "select"


# --- SELECT and its formats --------------------------------------------------------------------

def test_table_shows_labels_beside_shortened_iris(cli):
    r = cli("query", "cq4-event-chair", "--param", f"event={EVENT}", "--format", "table")
    assert r.code == 0, r.err
    assert "Yerlan Nysanbayev" in r.out and "wcid:person/yerlan-nysanbayev" in r.out
    assert "chairLabel" not in r.out, "a ?xLabel column is folded into ?x"
    assert "│ event" not in r.out.replace("┃", "│"), "the parameter's own column is left out of the table"
    assert "https://w3id.org" not in r.out, "IRIs are shortened with the prefix map"
    assert "1 row" in r.err


def test_table_does_not_interpret_markup_in_values(cli):
    r = cli("query", "-", stdin='SELECT ?x WHERE { BIND("[bold red]not markup[/]" AS ?x) }')
    assert r.code == 0 and "[bold red]not markup[/]" in r.out


def test_json_csv_tsv_xml(cli, backend, settings):
    q = load_library(settings.queries_dir)["cq1-timeline"]
    expected = backend.query(q.text)
    r = cli("query", "cq1-timeline", "--format", "json")
    assert r.code == 0
    data = json.loads(r.out)
    assert data["head"]["vars"] == expected.variables
    assert len(data["results"]["bindings"]) == len(expected.rows)
    assert data["results"]["bindings"][0]["event"]["value"] == str(expected.rows[0]["event"])

    r = cli("query", "cq1-timeline", "-f", "csv")
    rows = list(csv.reader(io.StringIO(r.out)))
    assert r.code == 0 and rows[0] == expected.variables and len(rows) == len(expected.rows) + 1

    r = cli("query", "cq1-timeline", "-f", "tsv")
    assert r.code == 0 and r.out.splitlines()[0].split("\t") == [f"?{v}" for v in expected.variables]

    r = cli("query", "cq1-timeline", "-f", "xml")
    root = ET.fromstring(r.out)
    assert r.code == 0 and len(root.findall(f".//{SPARQL_RESULTS_NS}result")) == len(expected.rows)


def test_limit_cuts_and_says_so(cli):
    r = cli("query", "cq1-timeline", "-f", "json", "--limit", "2")
    assert r.code == 0
    assert len(json.loads(r.out)["results"]["bindings"]) == 2
    assert "cut at 2 rows" in r.err


def test_optional_parameters_filter(cli):
    every = json.loads(cli("query", "events-by-country-and-period", "-f", "json").out)["results"]["bindings"]
    r = cli("query", "events-by-country-and-period", "-f", "json", "-p", "from=2020", "-p", "to=2020")
    some = json.loads(r.out)["results"]["bindings"]
    assert r.code == 0 and 0 < len(some) < len(every)
    assert all(b["date"]["value"].startswith("2020") for b in some)


def test_prefixed_name_as_iri_value(cli):
    full = cli("query", "cq4-event-chair", "-f", "json", "-p", f"event={WCID}event/2020-11-20-nwpd-interministerial-council-6")
    short = cli("query", "cq4-event-chair", "-f", "json", "-p", f"event={EVENT}")
    assert full.code == short.code == 0 and json.loads(full.out) == json.loads(short.out)


# --- ASK and CONSTRUCT --------------------------------------------------------------------------

def test_ask(cli):
    args = ("query", "are-partners", "-p", "a=wcid:organisation/carec", "-p", "b=wcid:organisation/iucn")
    r = cli(*args)
    assert r.code == 0 and r.out.strip() == "yes"
    r = cli(*args, "-f", "json")
    assert r.code == 0 and json.loads(r.out)["boolean"] is True


@pytest.mark.parametrize("fmt, rdflib_format", [
    (None, "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"), ("rdfxml", "xml"),
])
def test_construct_formats_give_the_same_graph(cli, backend, settings, fmt, rdflib_format):
    q = load_library(settings.queries_dir)["entity-description"]
    expected = backend.query(q.text, params=q.bind({"entity": "wcid:place/astana"})).graph
    args = ["query", "entity-description", "-p", "entity=wcid:place/astana"]
    if fmt:
        args += ["--format", fmt]
    r = cli(*args)
    assert r.code == 0, r.err
    got = Graph().parse(data=r.out, format=rdflib_format)
    assert len(got) > 0 and isomorphic(got, expected)


# --- bad input: exit codes and messages -----------------------------------------------------------

def test_graph_format_on_a_select_names_the_option(cli):
    r = cli("query", "cq1-timeline", "--format", "turtle")
    assert r.code == 2 and "--format" in r.err and "SELECT" in r.err


def test_result_format_on_a_construct_names_the_option(cli):
    r = cli("query", "entity-description", "-p", "entity=wcid:place/astana", "--format", "csv")
    assert r.code == 2 and "--format" in r.err and "CONSTRUCT" in r.err


def test_unknown_format(cli):
    r = cli("query", "cq1-timeline", "--format", "yaml")
    assert r.code == 2 and "--format" in r.err and "'yaml' is not a format" in r.err


@pytest.mark.parametrize("param, name, fragment", [
    ("from=abc", "from", "'abc' is not a year"),
    ("country=javascript:alert(1)", "country", "scheme 'javascript:' is not allowed"),
    ("country=https://w3id.org/wckg/id/place/kaza khstan", "country", "contains a space"),
    ("colour=red", "colour", "no such parameter"),
    ("from", "from", "expected NAME=VALUE"),
])
def test_wrong_parameter_exits_2_naming_it(cli, param, name, fragment):
    r = cli("query", "events-by-country-and-period", "--param", param)
    assert r.code == 2
    assert f"parameter {name!r}" in r.err and fragment in r.err
    assert r.out == ""


def test_missing_required_parameter(cli):
    r = cli("query", "cq4-event-chair")
    assert r.code == 2 and "parameter 'event'" in r.err and "required" in r.err
    assert "event=VALUE" in r.err and "example: https://w3id.org/wckg/id/event/" in r.err


def test_unknown_name_gives_close_matches(cli):
    r = cli("query", "partners")
    assert r.code == 2
    assert "no named query 'partners'" in r.err and "cq7-partners-of-organisation" in r.err


def test_syntax_error_in_a_file_gets_line_and_column(cli, tmp_path):
    path = tmp_path / "bad.rq"
    path.write_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nSELECT ?s WHERE {\n  ?s skos:prefLabel }\n",
                    encoding="utf-8")
    r = cli("query", str(path))
    assert r.code == 2
    assert f"{path}:3:" in r.err and "syntax error" in r.err


def test_query_from_stdin(cli):
    r = cli("query", "-", "-f", "json", stdin="PREFIX wc: <https://w3id.org/wckg/ontology#>\n"
                                              "SELECT (COUNT(*) AS ?n) WHERE { ?e a wc:Meeting }")
    assert r.code == 0 and int(json.loads(r.out)["results"]["bindings"][0]["n"]["value"]) >= 3


def test_undeclared_prefix_on_stdin(cli):
    r = cli("query", "-", stdin="SELECT ?s WHERE {\n  ?s a wc:Meeting }")
    assert r.code == 2
    assert "<stdin>:2:8: syntax error: undeclared prefix 'wc:'" in r.err
    assert "PREFIX wc: <https://w3id.org/wckg/ontology#>" in r.err


def test_empty_stdin(cli):
    r = cli("query", "-", stdin="")
    assert r.code == 2 and "no query on standard input" in r.err


def test_missing_file(cli, tmp_path):
    r = cli("query", str(tmp_path / "nope.rq"))
    assert r.code == 2 and "no such file" in r.err


def test_service_is_refused(cli):
    r = cli("query", "-", stdin="SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert r.code == 1 and "SERVICE is not allowed" in r.err


def test_timeout_stops_the_query(cli):
    r = cli("query", "-", "--timeout", "0.5",
            stdin="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    assert r.code == 1 and "time limit" in r.err


def test_through_the_real_backend(monkeypatch, capsys, settings, built_store):
    """Once without the shared backend: the command opens (and closes) the store itself."""
    import graph.cli.query_cmds as query_cmds
    from graph.cli import main
    monkeypatch.setattr(query_cmds, "get_settings", lambda: settings)
    monkeypatch.setattr(sys, "argv", ["wckg", "query", "cq5-events-at-place", "-f", "csv"])
    with pytest.raises(SystemExit) as e:
        main()
    out = capsys.readouterr().out
    assert e.value.code in (0, None)
    assert len(list(csv.reader(io.StringIO(out)))) == 4  # header and three events


# --- output into a pipe or a file -------------------------------------------------------------

def test_piped_output_is_tab_separated_whole_values_with_every_column(cli, backend):
    from graph.queries import cached_library
    r = cli("query", "cq4-event-chair", "--param", f"event={EVENT}")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    header = lines[0].split("\t")
    assert "event" in header and "chairLabel" in header, "no column is dropped or folded"
    assert not any(ch in r.out for ch in "┏┃│━─"), "no box drawing"
    assert "\x1b[" not in r.out, "no colour"
    row = dict(zip(header, lines[1].split("\t")))
    assert row["chair"] == "https://w3id.org/wckg/id/person/yerlan-nysanbayev"   # the whole IRI
    assert row["chairLabel"] == "Yerlan Nysanbayev"
    assert all(len(line.split("\t")) == len(header) for line in lines[1:])


def test_piped_values_keep_tabs_and_newlines_escaped(cli):
    r = cli("query", "-", stdin='SELECT ?x ?y WHERE { BIND("a\\tb\\nc" AS ?x) }')
    assert r.code == 0, r.err
    assert r.out.splitlines() == ["x\ty", "a\\tb\\nc\t"]


def test_explicit_table_into_a_pipe_is_never_wrapped(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    r = cli("query", "cq4-event-chair", "--param", f"event={EVENT}", "--format", "table")
    assert r.code == 0, r.err
    assert "vice-minister of ecology, geology, and natural resources of the Republic of Kazakhstan" in r.out


def test_queries_listing_piped_is_tab_separated(cli):
    r = cli("queries")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == "name\ttitle\tparameters"
    assert any(line.startswith("cq4-event-chair\t") for line in lines)
    assert "│" not in r.out


def test_help_into_a_pipe_keeps_every_option_text_whole():
    import subprocess
    r = subprocess.run([sys.executable, "-m", "graph.cli", "network", "--help"], capture_output=True, text=True,
                       env={**__import__("os").environ, "COLUMNS": "80"}, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout and "╭" not in r.stdout
    assert "(organisation–organisation)" in r.stdout
