"""The validator: every shape and constraint, the evidence check, the report, the CLI.

Fixtures (tests/fixtures/shapes/):

* ``vocab/`` and ``data/``: a small project that conforms with no warning;
* ``invalid/*.ttl``: resources that each break one constraint; the file's ``# expect:``
  lines list every violation it must produce, as ``focus | shape | path | constraint``
  (the focus relative to https://w3id.org/wckg/id/, ``-`` for no path);
* ``warnings/*.ttl``: the same for recommendations (sh:Warning), with no violation;
* ``cli/*.ttl``: input for the exit codes of ``wckg validate``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from graph.config import PROJECT_ROOT, Settings
from graph.load import classify
from graph.namespaces import graph_iri
from graph.checks import COVERAGE_CHECK
from graph.validate import ValidationReport, load_shapes, validate, validate_rdflib

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
BASE = "https://w3id.org/wckg/id/"
VIOLATION_SHAPES = PROJECT_ROOT / "ontology" / "shapes" / "wckg-shapes.ttl"
RECOMMENDATION_SHAPES = PROJECT_ROOT / "ontology" / "shapes" / "wckg-recommendations.ttl"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Settings:
    """The project's ontology and shapes with the fixture vocabulary and data."""
    root = tmp_path_factory.mktemp("project")
    (root / "ontology" / "shapes").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "ontology" / "wckg.ttl", root / "ontology" / "wckg.ttl")
    for f in (PROJECT_ROOT / "ontology" / "shapes").glob("*.ttl"):
        shutil.copy(f, root / "ontology" / "shapes" / f.name)
    shutil.copytree(FIXTURES / "vocab", root / "ontology" / "vocab")
    shutil.copytree(FIXTURES / "data", root / "data")
    return Settings(data_dir=root / "data", ontology_dir=root / "ontology")


def expectations(path: Path) -> set[tuple[str, str, str, str]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s*expect:\s*(.*)$", line)
        if m:
            focus, shape, rpath, constraint = (p.strip() for p in m.group(1).split(" | "))
            out.add((focus, shape, rpath, constraint))
    assert out, f"{path} has no '# expect:' line"
    return out


def found(results, expected: set | None = None) -> set[tuple[str, str, str, str]]:
    """The findings as expectation tuples. A fixture breaks one constraint per resource, so
    the statements its resources make have no evidence: a missing-evidence finding counts
    only where the fixture expects it."""
    out = {(r.focus_node.removeprefix(BASE), r.shape, r.path or "-", r.constraint) for r in results}
    if expected is not None:
        out = {f for f in out if f in expected
               or not (f[3] == COVERAGE_CHECK and "no supporting sentence" in _message(results, f))}
    return out


def _message(results, f) -> str:
    return next(r.message for r in results
                if (r.focus_node.removeprefix(BASE), r.shape, r.path or "-", r.constraint) == f)


def check_file(settings: Settings, path: Path) -> ValidationReport:
    return validate(settings, [classify(path, settings)])


# --------------------------------------------------------------------------------------
# Conforming data
# --------------------------------------------------------------------------------------

def test_conforming_fixture_has_an_instance_of_every_target_class(project):
    """Every class shape meets conforming data, not only failing data."""
    from graph.load import discover, parse_graph
    from graph.validate import class_hierarchy, load_ontology
    data = Graph()
    for f in discover(project):
        if f.role in ("vocab", "reference", "source", "article"):
            data += parse_graph(f)
    data += class_hierarchy(load_ontology(project))
    shapes = Graph().parse(VIOLATION_SHAPES)
    for cls in set(shapes.objects(None, SH.targetClass)):
        q = "ASK { ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }"
        assert data.query(q, initBindings={"c": cls}).askAnswer, f"no conforming instance of {cls}"


def test_conforming_fixture_has_no_violation_and_no_warning(project):
    report = validate(project)
    assert report.results == [], report.to_text()
    assert report.conforms
    assert report.units == 2  # the reference unit and the one article


# --------------------------------------------------------------------------------------
# Every constraint: its failing fixture gives exactly the expected findings
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", sorted((FIXTURES / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_invalid_fixture_gives_exactly_the_expected_violations(project, fixture):
    report = check_file(project, fixture)
    expected = expectations(fixture)
    assert found(report.violations, expected) == expected, report.to_text()
    assert not report.conforms


@pytest.mark.parametrize("fixture", sorted((FIXTURES / "warnings").glob("*.ttl")), ids=lambda p: p.stem)
def test_recommendation_fixture_gives_exactly_the_expected_warnings(project, fixture):
    report = check_file(project, fixture)
    expected = expectations(fixture)
    assert report.violations == [], report.to_text()
    assert found(report.warnings, expected) == expected, report.to_text()
    assert report.conforms  # warnings do not break conformance


def _shape_constraints(path: Path) -> set[tuple[str, str]]:
    """(shape as reported, constraint) for every constraint a shapes file declares:
    the identifier pattern of each NodeShape, every named property shape, every SPARQL constraint."""
    g = Graph().parse(path)
    wc = "https://w3id.org/wckg/ontology#"
    out = set()
    for ns in g.subjects(RDF.type, SH.NodeShape):
        if not isinstance(ns, URIRef):
            continue
        name = "wc:" + str(ns).removeprefix(wc)
        if (ns, SH.pattern, None) in g:
            out.add((name, "sh:PatternConstraintComponent"))
        if (ns, SH["or"], None) in g:
            out.add((name, "sh:OrConstraintComponent"))
        for ps in g.objects(ns, SH.property):
            out.add((f"{name} ({g.value(ps, SH.name)})", "*"))
        for c in g.objects(ns, SH.sparql):
            out.add((name, "wc:" + str(c).removeprefix(wc)))
    return out


@pytest.mark.parametrize("shapes_file,folder", [(VIOLATION_SHAPES, "invalid"), (RECOMMENDATION_SHAPES, "warnings")],
                         ids=["violations", "recommendations"])
def test_every_constraint_has_a_failing_fixture(shapes_file, folder):
    expected = set()
    for f in (FIXTURES / folder).glob("*.ttl"):
        expected |= expectations(f)
    covered = {(shape, constraint) for _, shape, _, constraint in expected}
    covered_names = {shape for _, shape, _, _ in expected}
    missing = []
    for shape, constraint in sorted(_shape_constraints(shapes_file)):
        if constraint == "*":
            if shape not in covered_names:
                missing.append(shape)
        elif (shape, constraint) not in covered:
            missing.append(f"{shape} {constraint}")
    assert not missing, "constraints without a failing fixture: " + ", ".join(missing)


def test_every_property_shape_has_a_name_and_a_message():
    for path in (VIOLATION_SHAPES, RECOMMENDATION_SHAPES):
        g = Graph().parse(path)
        for ns, ps in g.subject_objects(SH.property):
            if not isinstance(ns, URIRef):
                continue  # a helper inside sh:qualifiedValueShape: its finding is reported by its parent
            assert g.value(ps, SH.name) is not None, f"{path.name}: a property shape without sh:name"
            assert g.value(ps, SH.message) is not None, f"{path.name}: {g.value(ps, SH.name)} has no sh:message"
        # sh:shape is not a SHACL term (the DCAT-AP mistake): it would be silently ignored
        assert (None, URIRef(str(SH) + "shape"), None) not in g


def test_identifier_check_knows_every_kind():
    from graph.namespaces import KINDS
    from graph.validate import KIND_CLASSES
    assert set(KIND_CLASSES) | {"graph"} == set(KINDS)


def test_named_node_shape_for_every_class():
    g = Graph().parse(VIOLATION_SHAPES)
    wc = "https://w3id.org/wckg/ontology#"
    for cls in ("Agreement", "Event", "Programme", "PolicyDocument", "Organisation", "Person", "Place", "Country",
                "SourceDocument"):
        assert (URIRef(f"{wc}{cls}Shape"), SH.targetClass, URIRef(wc + cls)) in g
    assert (URIRef(f"{wc}MembershipShape"), SH.targetClass, URIRef("http://www.w3.org/ns/org#Membership")) in g
    assert (URIRef(f"{wc}ConceptShape"), SH.targetClass,
            URIRef("http://www.w3.org/2004/02/skos/core#Concept")) in g


# --------------------------------------------------------------------------------------
# The evidence check and locations
# --------------------------------------------------------------------------------------

def _line_of(path: Path, text: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(text):
            return i
    raise AssertionError(f"{text!r} not in {path}")


def test_evidence_not_in_the_article_is_reported_with_file_and_line(project):
    fixture = FIXTURES / "invalid" / "evidence.ttl"
    report = check_file(project, fixture)
    [r] = [r for r in report.violations if r.focus_node == BASE + "event/invented-sentence"]
    assert r.constraint == "wc:EvidenceInSourceCheck"
    assert r.path == "wc:evidence"
    assert r.value == '"The ministers agreed to build a dam."'
    assert r.file == fixture.resolve() or r.file == fixture
    assert r.line == _line_of(fixture, "ev:invented-sentence a wc:Meeting")
    assert "good-article.txt" in r.message
    assert r.graph == graph_iri("evidence")
    # the other sentence of the same event is in the article: one finding, not two
    assert len([x for x in report.violations if x.focus_node == r.focus_node]) == 1


def test_findings_of_reference_data_point_to_their_file(project, tmp_path):
    bad = tmp_path / "data"
    shutil.copytree(project.data_dir, bad)
    ref = bad / "reference" / "reference.ttl"
    ref.write_text(ref.read_text(encoding="utf-8").replace('    geo:lat 51.1694 ;', '    geo:lat "51.1694" ;'),
                   encoding="utf-8")
    report = validate(project.model_copy(update={"data_dir": bad}))
    [r] = [r for r in report.violations if r.shape == "wc:PlaceShape (latitude)"]
    assert r.file == ref
    assert r.line == _line_of(ref, "pl:astana a wc:Place")
    assert r.graph == BASE + "graph/reference"


def test_nested_shapes_see_values_that_are_not_focus_nodes(project):
    """Regression: with pyshacl's focus_nodes option, sh:or / sh:qualifiedValueShape were
    evaluated only on values that are themselves focus nodes, so a place as wc:participant
    and a literal wc:date passed. The validator must validate whole units."""
    report = check_file(project, FIXTURES / "invalid" / "event.ttl")
    shapes = {(r.focus_node.removeprefix(BASE), r.shape) for r in report.violations}
    assert ("event/participant-is-a-place", "wc:EventShape (participant class)") in shapes
    assert ("event/date-is-a-datetime", "wc:EventShape (date datatype)") in shapes


def test_given_reference_file_reports_only_its_subjects(project, tmp_path):
    """`wckg validate data/reference/x.ttl` checks that file with the rest as context and
    reports findings about the file's subjects only, not about the whole reference graph."""
    data = tmp_path / "data"
    shutil.copytree(project.data_dir, data)
    (data / "reference" / "more.ttl").write_text(
        "@prefix wc: <https://w3id.org/wckg/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/wckg/id/place/shymkent> a wc:Place ; skos:prefLabel \"Shymkent\" .\n",
        encoding="utf-8")
    settings = project.model_copy(update={"data_dir": data})
    ref = data / "reference" / "reference.ttl"
    ref.write_text(ref.read_text(encoding="utf-8").replace('    geo:lat 51.1694 ;', '    geo:lat "51.1694" ;'),
                   encoding="utf-8")
    report = validate(settings, [classify(data / "reference" / "more.ttl", settings)])
    assert {r.focus_node for r in report.results} == {BASE + "place/shymkent"}, report.to_text()
    assert ("place/shymkent", "wc:ResourceShape (preferred label language tag)", "skos:prefLabel",
            "sh:DatatypeConstraintComponent") in found(report.violations)
    assert all(r.graph == BASE + "graph/reference" for r in report.results)


def test_graphs_restricts_validation_to_their_units(project):
    report = validate(project, graphs={graph_iri("good-article")})
    assert report.units == 1
    report = validate(project, graphs={BASE + "graph/reference"})
    assert report.units == 1


def test_shapes_follow_the_configured_base_iri(project):
    other = project.model_copy(update={"base_iri": "https://example.org/kg/"})
    text = load_shapes(other).serialize(format="turtle")
    assert "https://w3id.org/wckg/id/" not in text
    assert "https://example.org/kg/event/" in text


def test_validate_rdflib_checks_a_graph_without_files(project):
    g = Graph().parse(data="""
        @prefix wc: <https://w3id.org/wckg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/wckg/id/agreement/x> a wc:Agreement ; skos:prefLabel "x"@en .
    """, format="turtle")
    report = validate_rdflib(g, project)
    assert ("agreement/x", "wc:AgreementShape (party required)", "wc:party",
            "sh:MinCountConstraintComponent") in found(report.violations)
    assert all(r.file is None for r in report.results)


def test_report_text_and_json(project):
    fixture = FIXTURES / "invalid" / "agreement.ttl"
    report = check_file(project, fixture)
    text = report.to_text()
    assert text.splitlines()[0] == str(fixture.resolve())
    line = _line_of(fixture, f"<{BASE}agreement/no-party>")
    assert any(l.strip().startswith(f"{fixture.resolve()}:{line}  Violation  {BASE}agreement/no-party  wc:party")
               for l in text.splitlines()), text
    assert "does not conform" in text.splitlines()[-1]
    data = json.loads(report.to_json())
    assert data["conforms"] is False
    assert data["violations"] == len(report.violations)
    assert {"severity", "focus_node", "path", "value", "message", "shape", "constraint", "graph", "file", "line"} \
        <= set(data["results"][0])


# --------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------

def run_cli(project: Settings, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCKG_")}
    env.update(WCKG_DATA_DIR=str(project.data_dir), WCKG_ONTOLOGY_DIR=str(project.ontology_dir))
    return subprocess.run([sys.executable, "-m", "graph.cli", "validate", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_whole_graph_conforms_exit_0(project, tmp_path):
    p = run_cli(project, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "conforms" in p.stderr
    assert "Traceback" not in p.stderr


def test_cli_syntax_error_exit_2_with_file_line_column(project, tmp_path):
    f = FIXTURES / "cli" / "syntax-error.ttl"
    p = run_cli(project, str(f), cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert re.search(re.escape(str(f)) + r":4:\d+", p.stderr), p.stderr
    assert "Traceback" not in p.stderr


def test_cli_unknown_prefix_exit_2(project, tmp_path):
    f = FIXTURES / "cli" / "unknown-prefix.ttl"
    p = run_cli(project, str(f), cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert re.search(re.escape(str(f)) + r":4:\d+", p.stderr), p.stderr
    assert "ev" in p.stderr


def test_cli_missing_file_exit_2(project, tmp_path):
    p = run_cli(project, str(tmp_path / "no-such-file.ttl"), cwd=tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "no such file" in p.stderr
    assert "Traceback" not in p.stderr


def test_cli_literal_with_wrong_datatype_exit_1(project, tmp_path):
    f = FIXTURES / "cli" / "wrong-datatype.ttl"
    p = run_cli(project, str(f), cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    line = _line_of(f, "pl:almaty")
    assert f"{f}:{line}  Violation  {BASE}place/almaty  geo:lat" in p.stdout
    assert "(wc:PlaceShape (latitude); sh:DatatypeConstraintComponent)" in p.stdout
    assert "does not conform" in p.stderr


def test_cli_agreement_without_parties_exit_1(project, tmp_path):
    f = FIXTURES / "cli" / "agreement-without-parties.ttl"
    p = run_cli(project, str(f), cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "wc:AgreementShape (party required)" in p.stdout
    assert "wc:party" in p.stdout


def test_cli_warnings_pass_unless_strict(project, tmp_path):
    f = FIXTURES / "cli" / "warnings-only.ttl"
    p = run_cli(project, str(f), cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Warning" in p.stdout and "geo:lat" in p.stdout
    p = run_cli(project, "--strict", str(f), cwd=tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "--strict" in p.stderr


def test_cli_json_format(project, tmp_path):
    f = FIXTURES / "cli" / "agreement-without-parties.ttl"
    p = run_cli(project, "--format", "json", str(f), cwd=tmp_path)
    assert p.returncode == 1
    data = json.loads(p.stdout)
    assert data["conforms"] is False
    assert any(r["shape"] == "wc:AgreementShape (party required)" and r["path"] == "wc:party"
               and r["constraint"] == "sh:MinCountConstraintComponent" for r in data["results"])


# --------------------------------------------------------------------------------------
# The real curated data: the acceptance test
# --------------------------------------------------------------------------------------

def test_curated_data_conforms():
    settings = Settings(data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology")
    report = validate(settings)
    assert report.units >= 2, "no curated article graphs found under data/articles"
    assert report.conforms, report.to_text(root=PROJECT_ROOT)


# --------------------------------------------------------------------------------------
# Vocabulary 0.2: evidence per statement, identifiers that keep their date
# --------------------------------------------------------------------------------------

def _good_article(project) -> Path:
    return project.data_dir / "articles" / "good-article.ttl"


def test_statement_without_evidence_is_reported_with_file_line_and_statement(project, tmp_path):
    """Removing one statement's evidence from the conforming article makes the check report
    exactly that statement (subject, predicate, object), located in the file."""
    from rdflib import Graph as G
    from rdflib.namespace import RDF as R
    src = _good_article(project)
    g = G().parse(src)
    WC_ = "https://w3id.org/wckg/ontology#"
    [ev] = [e for e in g.subjects(R.type, URIRef(WC_ + "StatementEvidence"))
            if g.value(e, R.predicate) == URIRef(WC_ + "chair")]
    g.remove((ev, None, None))
    root = tmp_path / "p"
    shutil.copytree(project.data_dir.parent, root)
    g.serialize(root / "data" / "articles" / "good-article.ttl", format="turtle")
    copy = Settings(data_dir=root / "data", ontology_dir=root / "ontology")
    report = validate(copy)
    missing = [r for r in report.results if r.constraint == COVERAGE_CHECK]
    assert [(r.focus_node, r.path, r.value) for r in missing] == [
        (BASE + "event/2020-11-20-water-council-2", "wc:chair", BASE + "person/aigerim-test")], report.to_text()
    assert missing[0].file is not None and missing[0].line


def test_every_statement_of_the_conforming_article_has_evidence(project):
    report = validate(project)
    assert not [r for r in report.results if r.constraint.startswith("wc:Statement")], report.to_text()


def test_names_are_matched_ignoring_case_accents_quotes_and_dashes():
    from graph.checks import names_in
    quote = "The EU \u2013 Central Asia project \u201cWECOOP\u201d met the Ministere de l\u2019Ecologie"
    assert names_in(quote, ["European Union - Central Asia", "EU - Central Asia"]) == ["EU - Central Asia"]
    assert names_in(quote, ["ministère de l'écologie"]) == ["ministère de l'écologie"]
    assert names_in(quote, ["\"wecoop\""]) == ["\"wecoop\""]
    assert names_in(quote, ["UNDP"]) == []


def test_curated_statements_all_have_evidence_and_quotes_are_source_slices():
    """The re-curated seeds: every statement has evidence (the check reports none), and every
    quote is exactly the slice of its source text at its offsets."""
    from rdflib import Graph as G
    from rdflib.namespace import PROV as P, RDF as R
    settings = Settings(data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology")
    report = validate(settings)
    assert not [r for r in report.results if r.constraint.startswith("wc:Statement")], report.to_text()
    WC_ = "https://w3id.org/wckg/ontology#"
    checked = 0
    for path in sorted((PROJECT_ROOT / "data" / "articles").glob("*.ttl")):
        g = G().parse(path)
        text = (PROJECT_ROOT / "data" / "sources" / f"{path.stem}.txt").read_text(encoding="utf-8")
        for ev in g.subjects(R.type, URIRef(WC_ + "StatementEvidence")):
            quote = str(g.value(ev, URIRef(WC_ + "quote")))
            b, e = int(g.value(ev, URIRef(WC_ + "beginIndex"))), int(g.value(ev, URIRef(WC_ + "endIndex")))
            assert text[b:e] == quote, f"{path.name}: {quote[:60]!r} is not the text at [{b}, {e})"
            assert str(g.value(ev, P.wasDerivedFrom)).endswith("/source/" + path.stem)
            checked += 1
    assert checked >= 80


def test_curated_inferred_statements_carry_a_reason():
    from rdflib import Graph as G, Literal as L
    WC_ = "https://w3id.org/wckg/ontology#"
    g = G()
    for path in (PROJECT_ROOT / "data" / "articles").glob("*.ttl"):
        g.parse(path)
    inferred = list(g.subjects(URIRef(WC_ + "inferred"), L(True)))
    assert inferred
    for ev in inferred:
        reason = g.value(ev, URIRef(WC_ + "inferenceReason"))
        assert reason is not None and reason.language == "en"
