"""graph.sparqltext: which queries name their own dataset (FROM / FROM NAMED)."""
from __future__ import annotations

import pytest

from graph.sparqltext import inline_bindings, query_dataset

G = "https://w3id.org/wckg/id/graph/ontology"


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?from WHERE { ?from ?p ?o }",
    "PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:from ?o }",
    "SELECT * WHERE { ?s ?p 'FROM <x>' } # FROM <http://g>",
    "SELECT * WHERE { ?s ?p \"\"\"a\nFROM <http://g>\"\"\" }",
    "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
    "SELECT * WHERE { ?s <http://ex/FROM> ?o }",
])
def test_no_dataset_clause(text):
    assert query_dataset(text) is None


def test_from_and_from_named_with_iris_prefixes_and_base():
    ds = query_dataset(f"BASE <https://w3id.org/wckg/id/> PREFIX wg: <https://w3id.org/wckg/id/graph/>\n"
                       f"select (count(*) as ?n) from <{G}> From wg:reference FROM NAMED <graph/x>\n"
                       f"FROM named wg:y WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert ds is not None
    assert ds.default == [G, "https://w3id.org/wckg/id/graph/reference"]
    assert ds.named == ["https://w3id.org/wckg/id/graph/x", "https://w3id.org/wckg/id/graph/y"]


def test_construct_template_before_from():
    ds = query_dataset(f"CONSTRUCT {{ ?s ?p ?o }} FROM <{G}> WHERE {{ ?s ?p ?o }}")
    assert ds is not None and ds.default == [G] and ds.named == []


def test_from_with_unknown_prefix_still_counts_as_a_dataset():
    ds = query_dataset("SELECT * FROM nope:g WHERE { ?s ?p ?o }")
    assert ds is not None and ds.default == []


# --- inline_bindings: values written into triple patterns answer as substitutions do ----

def _inline_store():
    import pyoxigraph as ox
    st = ox.Store()
    ex = "http://ex/"
    for s, p, o in [("a", "p", "b"), ("b", "p", "a"), ("b", "p", "c"), ("c", "q", "a"), ("a", "name", '"A"')]:
        obj = ox.Literal(o.strip('"')) if o.startswith('"') else ox.NamedNode(ex + o)
        st.add(ox.Quad(ox.NamedNode(ex + s), ox.NamedNode(ex + p), obj, ox.NamedNode(ex + "g")))
    return st


_INLINE_CASES = [   # a substituted variable must be projected (pyoxigraph refuses it otherwise)
    "SELECT ?s ?o WHERE { ?s <http://ex/p> ?o }",
    "SELECT ?s ?o WHERE { ?x <http://ex/p> ?o OPTIONAL { ?o <http://ex/p> ?s } }",
    "SELECT ?s ?x WHERE { ?x ?p ?o MINUS { ?s <http://ex/p> ?x } }",
    "SELECT ?s ?o WHERE { ?s ?p ?o MINUS { ?s <http://ex/q> ?y } }",   # ?s the only shared variable
    "SELECT ?x ?s WHERE { ?x ?p ?o { SELECT ?s WHERE { ?s <http://ex/q> ?y } } }",
    "SELECT ?s ?x WHERE { ?x ?p ?o { SELECT * WHERE { ?s <http://ex/p> ?x } LIMIT 1 } }",
    "SELECT * WHERE { ?s <http://ex/p> ?o }",
    "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s",
    "SELECT ?s ?o ?t WHERE { ?s ?p ?o FILTER(BOUND(?s) && ?s != ?o) BIND(?s AS ?t) } ORDER BY ?s",
    "SELECT ?s ?x WHERE { ?x ?p ?o FILTER NOT EXISTS { ?o <http://ex/p> ?s } }",
    "SELECT ?s ?x ?g WHERE { GRAPH ?g { ?x <http://ex/p> ?s } }",
    "SELECT ?s ?o WHERE { VALUES ?x { <http://ex/a> <http://ex/b> } ?x <http://ex/p> ?o . ?o ?p2 ?s }",
    "SELECT ?s ?o WHERE { { ?s <http://ex/p> ?o } UNION { ?o <http://ex/q> ?s } }",
    "CONSTRUCT { ?s <http://ex/r> ?o } WHERE { ?s <http://ex/p> ?o }",
    "DESCRIBE ?s WHERE { ?s ?p ?o }",
    "ASK { ?s <http://ex/name> 'A' }",
    "SELECT ?s ?x WHERE { ?x ?p ?o } VALUES ?o { <http://ex/b> }",
    # substitutions reach a FILTER, but not a BIND or BOUND() of a group whose patterns do
    # not name the variable (are-partners: BIND(?a AS ?aActor) beside ?link ?aRole ?a)
    "SELECT ?s ?x ?t WHERE { { ?x <http://ex/p> ?s . BIND(?s AS ?t) } UNION { ?x <http://ex/q> ?s } }",
    "SELECT ?s ?x WHERE { { ?x <http://ex/p> ?s FILTER(BOUND(?s)) } }",
    "SELECT ?s ?x WHERE { ?x <http://ex/p> ?o OPTIONAL { ?o <http://ex/p> ?y FILTER(?y = ?s) } }",
]


def _answer(result):
    import pyoxigraph as ox
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return names, sorted(tuple(str(sol[n]) for n in names) for sol in result)
    return sorted(str(t) for t in result)


@pytest.mark.parametrize("text", _INLINE_CASES)
@pytest.mark.parametrize("value", ["http://ex/a", "http://ex/b", "http://ex/c", "http://ex/z"])
def test_inlined_values_answer_as_substitutions_do(text, value):
    """As the embedded store runs a query with parameters (graph.queries.bind_params: the
    values written into the patterns and a VALUES block, plus the substitutions) against
    substitutions alone."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from graph.queries import bind_params
    st = _inline_store()
    subs = {ox.Variable("s"): ox.NamedNode(value)}
    inlined = bind_params(text, {"s": URIRef(value)})
    assert _answer(st.query(inlined, substitutions=subs, use_default_graph_as_union=True)) == \
        _answer(st.query(text, substitutions=subs, use_default_graph_as_union=True)), inlined


def test_inline_bindings_writes_pattern_positions_only():
    v = {"s": "<http://x/a>"}
    # written in nested groups only: the outermost one is planned from the VALUES block
    assert inline_bindings("SELECT ?s WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?s } } ORDER BY ?s", v) == \
        "SELECT ?s WHERE { ?s ?p ?o OPTIONAL { ?o ?q <http://x/a> } } ORDER BY ?s"
    assert inline_bindings("SELECT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?o ?p ?s } } }", v) == \
        "SELECT ?s WHERE { { <http://x/a> ?p ?o } UNION { GRAPH ?g { ?o ?p <http://x/a> } } }"
    # a variable also used in an expression, a sub-select, MINUS or VALUES is left alone
    # everywhere, as are strings, comments and other variables with the same prefix
    for text in ["SELECT ?o WHERE { ?x ?p '?s' . ?ss ?p ?o } # ?s",
                 "SELECT ?s WHERE { ?s ?p ?o FILTER(?s != ?o) }",
                 "SELECT ?s WHERE { ?s ?p ?o { ?o ?q ?r BIND(?s AS ?t) } }",
                 "SELECT ?o WHERE { ?s ?p ?o { SELECT ?s WHERE { ?s ?p ?o } } }",
                 "SELECT ?o WHERE { ?s ?p ?o MINUS { ?s ?p ?o } }",
                 "SELECT ?o WHERE { VALUES ?s { <http://x/b> } ?s ?p ?o }",
                 "SELECT * WHERE { ?s ?p ?o }"]:
        assert inline_bindings(text, v) == text
    assert inline_bindings("SELECT ?o WHERE { ?s ?p ?o }", {}) == "SELECT ?o WHERE { ?s ?p ?o }"
