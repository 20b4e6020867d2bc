"""The named-query library: every .rq file is valid and runs on the curated store; parameters
are typed and bound by the engine; bad headers, bad queries and unknown names are clear errors."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

from graph.config import PROJECT_ROOT
from graph.errors import InputError, ParameterError, QuerySyntaxError, UnknownQuery
from graph.namespaces import WCID
from graph.queries import (PARAM_TYPES, NamedQuery, QueryParam, bind_as_values, bind_params, cached_library,
                           convert_value, get, load_library, parse_named_query, resolve)

QUERIES_DIR = PROJECT_ROOT / "queries"
LIBRARY = load_library(QUERIES_DIR)
NAMES = sorted(LIBRARY)

#: What an analyst needs, by name (the web app and the docs link to these slugs).
REQUIRED_QUERIES = {
    "cq1-timeline", "cq2-signatories", "cq3-funded-programmes", "cq4-event-chair", "cq5-events-at-place",
    "cq6-evidence", "cq7-partners-of-organisation", "agreements", "events-by-country-and-period",
    "funding-flows", "people-and-posts", "organisation-timeline", "link-evidence",
    "organisations-by-partner-count", "label-lookup",
}


def test_library_has_the_required_queries():
    assert REQUIRED_QUERIES <= set(LIBRARY), REQUIRED_QUERIES - set(LIBRARY)


@pytest.mark.parametrize("name", NAMES)
def test_header_is_complete(name):
    q = LIBRARY[name]
    assert q.path == QUERIES_DIR / f"{name}.rq"
    assert q.title and q.description and len(q.description) > 40
    assert q.tags, "tags group the queries in listings"
    for p in q.params:
        assert p.type in PARAM_TYPES
        # every parameter can be tried: the web form pre-fills the example
        assert p.example is not None, f"{name}: parameter {p.name} has no example"


@pytest.mark.parametrize("name", NAMES)
def test_query_parses_with_rdflib_too(name):
    """pyoxigraph checks the library at load time; rdflib (the second engine, used by the
    safety check and by remote servers' peers) must accept it as well."""
    prepareQuery(LIBRARY[name].text)


#: Queries whose facts the five seed articles do not state (no amount of money, no named
#: basin): they run here, and tests/test_model_queries.py checks their answers on a fixture.
EMPTY_ON_THE_SEEDS = {"amounts-by-currency", "basin-activities"}


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_on_the_curated_store_with_its_examples(name, backend):
    q = LIBRARY[name]
    res = backend.query(q.text, params=q.bind(q.example_params()), timeout=10)
    if q.form == "select":
        assert res.kind == "select"
        assert res.variables == q.variables
        if name not in EMPTY_ON_THE_SEEDS:
            assert res.rows, f"{name} returned no rows for its example parameters"
    elif q.form == "ask":
        assert res.boolean is True
    else:
        assert res.kind == "graph" and len(res.graph) > 0


@pytest.mark.parametrize("name", [n for n in NAMES if LIBRARY[n].form == "select"])
def test_labels_beside_iris(name, backend):
    """A column of resource IRIs has its ?xLabel sibling (parameters and graph names excepted)."""
    q = LIBRARY[name]
    res = backend.query(q.text, params=q.bind(q.example_params()), timeout=10)
    exempt = set(q.param_names) | {"graph"}
    iri_columns = {v for row in res.rows for v, t in row.items()
                   if isinstance(t, URIRef) and str(t).startswith(str(WCID)) and v not in exempt}
    missing = sorted(v for v in iri_columns if f"{v}Label" not in res.variables)
    assert not missing, f"{name}: no label column for {missing}"


def test_required_queries_without_parameters_run_as_is(backend):
    """Defaults fill optional parameters: the CQ queries answer without any --param."""
    for name in ("cq1-timeline", "cq2-signatories", "cq3-funded-programmes", "cq5-events-at-place"):
        q = LIBRARY[name]
        assert backend.query(q.text, params=q.bind({}), timeout=10).rows, name


# --- parameter typing --------------------------------------------------------------------

@pytest.mark.parametrize("type_, raw, expected", [
    ("iri", "https://w3id.org/wckg/id/organisation/undp", URIRef("https://w3id.org/wckg/id/organisation/undp")),
    ("iri", "<https://w3id.org/wckg/id/organisation/undp>", URIRef("https://w3id.org/wckg/id/organisation/undp")),
    ("iri", "wcid:organisation/undp", URIRef("https://w3id.org/wckg/id/organisation/undp")),
    ("iri", "wc:Communique", URIRef("https://w3id.org/wckg/ontology#Communique")),
    ("iri", "urn:isbn:0451450523", URIRef("urn:isbn:0451450523")),
    ("string", "  UNDP ", Literal("  UNDP ")),
    ("integer", "-12", Literal(-12, datatype=XSD.integer)),
    ("year", "2017", Literal(2017, datatype=XSD.integer)),
    ("date", "2025-04-10", Literal("2025-04-10", datatype=XSD.date)),
    ("boolean", "true", Literal(True)),
    ("boolean", "No", Literal(False)),
])
def test_values_become_typed_terms(type_, raw, expected):
    term = convert_value("p", type_, raw)
    assert term == expected and type(term) is type(expected)
    if isinstance(expected, Literal):
        assert term.datatype == expected.datatype


@pytest.mark.parametrize("type_, raw, fragment", [
    ("year", "abc", "is not a year"),
    ("year", "17", "is not a year"),
    ("year", "2017.0", "is not a year"),
    ("integer", "1.5", "is not an integer"),
    ("integer", "", "is not an integer"),
    ("date", "2025-02-30", "is not a valid date"),
    ("date", "10/04/2025", "is not a date"),
    ("boolean", "maybe", "is not a boolean"),
    ("iri", "javascript:alert(1)", "scheme 'javascript:' is not allowed"),
    ("iri", "https://w3id.org/wckg/id/organisation/un dp", "contains a space"),
    ("iri", "https://example.org/a>b", "contains the character '>'"),
    ("iri", "organisation/undp", "not an absolute IRI"),
    ("iri", "file:///etc/passwd", "scheme 'file:' is not allowed"),
    ("iri", "http:foo", "not a valid http IRI"),
    ("string", "x" * 1001, "too long"),
])
def test_wrong_values_name_the_parameter(type_, raw, fragment):
    with pytest.raises(ParameterError) as e:
        convert_value("when", type_, raw)
    assert e.value.name == "when"
    assert "parameter 'when'" in str(e.value)
    assert fragment in str(e.value)


def test_bind_checks_names_and_presence():
    q = LIBRARY["link-evidence"]
    with pytest.raises(ParameterError) as e:
        q.bind({"a": "wcid:organisation/undp"})
    assert e.value.name == "b" and "required" in str(e.value)
    with pytest.raises(ParameterError) as e:
        q.bind({"a": "wcid:organisation/undp", "b": "wcid:organisation/oecd", "c": "x"})
    assert e.value.name == "c" and "no such parameter" in str(e.value)
    assert "a (iri)" in str(e.value)  # the hint lists the parameters
    with pytest.raises(ParameterError) as e:
        LIBRARY["cq1-timeline"].bind({"org": "x"})
    assert "takes no parameters" in str(e.value)


def test_bind_applies_defaults_and_leaves_optional_parameters_unbound():
    q = LIBRARY["events-by-country-and-period"]
    assert q.bind({}) == {}
    assert q.bind({"from": "2020"}) == {"from": Literal(2020, datatype=XSD.integer)}
    assert LIBRARY["cq2-signatories"].bind({}) == {"issued": Literal("2025-04-10", datatype=XSD.date)}
    # an empty value for a non-string parameter means "not given"
    assert q.bind({"to": ""}) == {}


def test_values_are_bound_by_the_engine_not_pasted(backend):
    """A value that would break out of a string literal if pasted into the text is just text."""
    q = LIBRARY["label-lookup"]
    hostile = 'x")) } UNION { ?entity ?p ?matched } #'
    res = backend.query(q.text, params=q.bind({"q": hostile}), timeout=10)
    assert res.rows == []
    assert hostile not in q.text


def test_optional_filters_narrow_the_result(backend):
    """Optional parameters filter when given and do nothing when not (the COALESCE idiom)."""
    q = LIBRARY["events-by-country-and-period"]
    every = backend.query(q.text, params=q.bind({}), timeout=10).rows
    in_2017 = backend.query(q.text, params=q.bind({"from": "2017", "to": "2017"}), timeout=10).rows
    assert every and in_2017 and len(in_2017) < len(every)
    assert all(str(r["date"]).startswith("2017") for r in in_2017)
    nothing = backend.query(q.text, params=q.bind({"from": "1990", "to": "1991"}), timeout=10).rows
    assert nothing == []
    turkmenistan = backend.query(q.text, params=q.bind({"country": "wcid:place/turkmenistan"}), timeout=10).rows
    assert {str(r["eventCountry"]) for r in turkmenistan} == {str(WCID["place/turkmenistan"])}


def _concat_parts(v) -> str:
    """A GROUP_CONCAT cell ("a / b", "a; b") with its parts sorted: SPARQL leaves their
    order to the engine, which follows the order of the solutions."""
    text = v.n3()
    if isinstance(v, Literal):
        for sep in ("; ", " / "):
            if sep in str(v):
                return Literal(sep.join(sorted(str(v).split(sep))), lang=v.language, datatype=v.datatype).n3()
    return text


def _answer(res):
    if res.kind == "select":
        return sorted(tuple(sorted((k, _concat_parts(v)) for k, v in row.items())) for row in res.rows)
    return res.boolean if res.kind == "ask" else sorted(t.n3() if hasattr(t, "n3") else str(t) for t in res.graph)


@pytest.mark.parametrize("name", NAMES)
def test_values_block_gives_what_substitution_gives(name, backend):
    """For servers without substitutions, parameters go in a VALUES block at the top of the
    outermost group and are written into the triple patterns (graph.queries.bind_params,
    as graph.remote sends them); every named query must answer the same there."""
    q = LIBRARY[name]
    for raw in (q.example_params(), {p.name: p.example for p in q.params if p.required}):
        params = q.bind(raw)
        substituted = backend.query(q.text, params=params, timeout=10)
        inlined = backend.query(bind_params(q.text, params), timeout=10)
        assert _answer(inlined) == _answer(substituted), (name, raw)


def test_a_trailing_values_clause_would_not_filter(backend):
    """Why the block goes inside WHERE: a VALUES clause after the query is joined after the
    FILTERs ran, so an optional parameter filters nothing (regression guard)."""
    q = LIBRARY["events-by-country-and-period"]
    params = q.bind({"from": "2020", "to": "2020"})
    inside = backend.query(bind_as_values(q.text, params), timeout=10).rows
    trailing = backend.query(q.text + '\nVALUES (?from ?to) { (2020 2020) }', timeout=10).rows
    assert inside and all(str(r["date"]).startswith("2020") for r in inside)
    assert len(trailing) > len(inside)


def test_bind_as_values_leaves_strings_comments_and_templates_alone():
    text = '# WHERE { in a comment\nCONSTRUCT { ?s <urn:p> "WHERE {" } WHERE { ?s ?p ?o }'
    out = bind_as_values(text, {"s": URIRef("urn:x")})
    assert out.endswith('WHERE { VALUES (?s) { (<urn:x>) }  ?s ?p ?o }')
    assert bind_as_values(text, {}) == text
    hostile = Literal('") } } DROP ALL #')
    assert '"\\") } } DROP ALL #"' in bind_as_values("SELECT ?q WHERE { ?s ?p ?q }", {"q": hostile})


# --- unknown names -------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("partners", "cq7-partners-of-organisation"),
    ("timeline", "cq1-timeline"),
    ("cq4-event-chiar", "cq4-event-chair"),
    ("agreement", "agreements"),
])
def test_unknown_name_offers_close_matches(name, expected):
    with pytest.raises(UnknownQuery) as e:
        get(name, LIBRARY)
    assert expected in e.value.close_matches
    assert f"no named query {name!r}" in str(e.value) and expected in str(e.value)


def test_unknown_name_without_any_match_points_to_the_listing():
    with pytest.raises(UnknownQuery) as e:
        get("zzzzqqq", LIBRARY)
    assert e.value.close_matches == [] and "wckg queries" in str(e.value)


def test_get_uses_the_configured_library_by_default():
    assert get("cq1-timeline").name == "cq1-timeline"
    assert cached_library(QUERIES_DIR) is cached_library(QUERIES_DIR)


# --- malformed files -------------------------------------------------------------------------

GOOD = """#+ title: T
#+ description: D
#+ params:
#+   org: {type: iri, example: "https://w3id.org/wckg/id/organisation/undp"}
#+ tags: [t]
SELECT ?org ?x WHERE { ?org ?p ?x }
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    d = tmp_path / "q"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def test_good_file_loads(tmp_path):
    lib = load_library(write(tmp_path, "good-one.rq", GOOD))
    q = lib["good-one"]
    assert q.params == [QueryParam("org", "iri", True, "https://w3id.org/wckg/id/organisation/undp")]
    assert q.form == "select" and q.variables == ["org", "x"] and q.tags == ["t"]


@pytest.mark.parametrize("text, line, fragment", [
    (GOOD.replace("#+ tags: [t]", "#+ tags: [t"), 5, "not valid YAML"),
    (GOOD.replace("type: iri", "type: uri"), 4, "type 'uri' is not one of"),
    (GOOD.replace("type: iri,", "type: iri, colour: red,"), 4, "unknown key(s) colour"),
    (GOOD.replace("#+ title: T\n", ""), 1, "`title` is missing"),
    (GOOD.replace("#+ tags: [t]", "#+ tags: [t]\n#+ author: me"), 6, "unknown key(s) author"),
    (GOOD.replace("example: \"https://w3id.org/wckg/id/organisation/undp\"", "example: \"not an iri\""), 4,
     "example 'not an iri' is not a valid iri"),
    ("SELECT * WHERE { ?s ?p ?o }\n", 1, "no `#+` header"),
    (GOOD + "#+ late: header\n", 7, "after the query started"),
])
def test_malformed_header_names_file_and_line(tmp_path, text, line, fragment):
    d = write(tmp_path, "bad-one.rq", text)
    with pytest.raises(InputError) as e:
        load_library(d)
    msg = str(e.value)
    assert f"bad-one.rq:{line}" in msg and fragment in msg


def test_declared_parameter_missing_from_the_query(tmp_path):
    d = write(tmp_path, "bad-one.rq", GOOD.replace("?org ?x WHERE { ?org ?p ?x }", "?x WHERE { ?s ?p ?x }"))
    with pytest.raises(InputError, match=r"bad-one.rq: query header: parameter 'org' is declared but \?org"):
        load_library(d)


def test_query_syntax_error_has_line_and_column(tmp_path):
    d = write(tmp_path, "bad-one.rq", GOOD.replace("SELECT ?org ?x WHERE { ?org ?p ?x }",
                                                   "SELECT ?org ?x WHERE {\n  ?org ?p ?x .\n  ?org ?q }"))
    with pytest.raises(QuerySyntaxError) as e:
        load_library(d)
    assert "bad-one.rq:8:11: syntax error: expected one of" in str(e.value)
    assert len(str(e.value)) < 400, "the engine's list of expected characters is cut short"


def test_undeclared_prefix_is_named_with_the_prefix_line_to_add(tmp_path):
    d = write(tmp_path, "bad-one.rq", GOOD.replace("?org ?p ?x", "?org skos:prefLabel ?x"))
    with pytest.raises(QuerySyntaxError) as e:
        load_library(d)
    assert "bad-one.rq:6:" in str(e.value) and "undeclared prefix 'skos:'" in str(e.value)
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in str(e.value)


def test_parameter_that_the_engine_cannot_bind_is_refused(tmp_path):
    """pyoxigraph substitutes only projected variables: an unprojected parameter would
    fail at every run, so loading refuses it."""
    d = write(tmp_path, "bad-one.rq", GOOD.replace("SELECT ?org ?x", "SELECT ?x"))
    with pytest.raises(QuerySyntaxError, match="project every parameter"):
        load_library(d)


def test_bound_on_a_parameter_is_refused(tmp_path):
    """Regression guard: pyoxigraph 0.5.13 evaluates BOUND() of a substituted variable as
    false, so `FILTER(!BOUND(?p) || ...)` silently ignores the parameter."""
    text = GOOD.replace("{ ?org ?p ?x }", "{ ?s ?p ?x FILTER(!BOUND(?org) || ?s = ?org) }")
    with pytest.raises(QuerySyntaxError, match=r"BOUND\(\?org\)"):
        load_library(write(tmp_path, "bad-one.rq", text))


def test_file_name_must_be_kebab_case(tmp_path):
    with pytest.raises(InputError, match="not kebab-case"):
        load_library(write(tmp_path, "Bad_Name.rq", GOOD))


def test_missing_folder(tmp_path):
    with pytest.raises(InputError, match="no query folder"):
        load_library(tmp_path / "nope")


# --- ad-hoc queries ----------------------------------------------------------------------------

def test_resolve_file_stdin_and_name(tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", encoding="utf-8")
    q = resolve(str(path), LIBRARY)
    assert isinstance(q, NamedQuery) and q.params == [] and q.form == "select"
    q = resolve("-", LIBRARY, stdin=io.StringIO("ASK { ?s ?p ?o }"))
    assert q.form == "ask"
    assert resolve("cq1-timeline", LIBRARY) is LIBRARY["cq1-timeline"]
    # an ad-hoc file may declare typed parameters in the same header
    path.write_text(GOOD, encoding="utf-8")
    assert resolve(str(path), LIBRARY).bind({"org": "wcid:organisation/undp"})["org"] == WCID["organisation/undp"]


def test_resolve_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        resolve(str(tmp_path / "missing.rq"), LIBRARY)
    with pytest.raises(InputError, match="no query on standard input"):
        resolve("-", LIBRARY, stdin=io.StringIO("  \n"))
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE {\n ?s ?p }", encoding="utf-8")
    with pytest.raises(QuerySyntaxError, match=r"bad.rq:2:\d+: syntax error"):
        resolve(str(bad), LIBRARY)


def test_service_is_refused_before_the_query_is_tried():
    """Loading evaluates an ASK at once on an empty store: a SERVICE in it would be called."""
    from graph.errors import ForbiddenQuery
    with pytest.raises(ForbiddenQuery, match="SERVICE is not allowed"):
        parse_named_query("ASK { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", name="x", require_header=False)
    # a variable or a string that only looks like the keyword is fine
    assert parse_named_query('SELECT ?service WHERE { ?service ?p "LOAD" }', name="x", require_header=False)


def test_parse_named_query_detects_forms():
    assert parse_named_query("CONSTRUCT WHERE { ?s ?p ?o }", name="x", require_header=False).form == "construct"
    assert parse_named_query("PREFIX a: <http://a/>\n# c\nDESCRIBE a:b", name="x", require_header=False).form == "describe"
