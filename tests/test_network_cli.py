"""`wckg network` against the curated store: exports, tables, and bad input (exit codes and
messages, never a traceback)."""
from __future__ import annotations

import csv
import json
import re

import networkx as nx
import pytest
from rdflib import Dataset, URIRef
from typer.testing import CliRunner

from graph.cli import app

ID = "https://w3id.org/wckg/id/"
EDB = ID + "organisation/eurasian-development-bank"
IAC = ID + "organisation/information-and-analytical-center-for-water-resources"


@pytest.fixture(scope="module")
def run(settings, built_store):
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, ["network", "--store", str(settings.store), *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        return result
    return invoke


def test_gexf_export_has_the_grant_agreement_on_the_edb_iac_edge(run, tmp_path):
    out = tmp_path / "net.gexf"
    r = run("--out", str(out))
    assert r.exit_code == 0, r.output
    G = nx.read_gexf(out)
    edge = G.edges[EDB, IAC]
    evidence = json.loads(edge["evidence_json"])
    assert any(e["type"] == "GrantAgreement" for e in evidence)
    assert edge["evidence_count"] == len(evidence) == edge["weight"]
    assert "GrantAgreement" in edge["evidence_summary"]
    assert G.nodes[EDB]["label"] == "Eurasian Development Bank"
    assert "degree" in G.nodes[EDB]        # metrics travel as node attributes


def test_graphml_json_and_csv_exports(run, tmp_path):
    assert run("--out", str(tmp_path / "n.graphml")).exit_code == 0
    G = nx.read_graphml(tmp_path / "n.graphml")
    assert G.has_edge(EDB, IAC)
    assert run("--out", str(tmp_path / "n.json")).exit_code == 0
    d = json.loads((tmp_path / "n.json").read_text())
    assert {n["id"] for n in d["nodes"]} == set(G.nodes)
    assert run("--out", str(tmp_path / "n.csv")).exit_code == 0
    rows = list(csv.DictReader((tmp_path / "n.csv").open()))
    assert len(rows) == G.number_of_edges()
    assert (tmp_path / "n-nodes.csv").is_file()


def test_top_table_sorted_by_the_metric(run):
    r = run("--top", "3", "--metric", "weighted_degree")
    assert r.exit_code == 0, r.output
    assert "top 3 by weighted degree" in r.stdout
    assert len([line for line in r.stdout.splitlines() if line.startswith("│")]) == 3


def test_ego_by_label_writes_html_that_works_offline(run, tmp_path):
    out = tmp_path / "ego.html"
    r = run("--focus", "Eurasian Development Bank", "--depth", "1", "--out", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    data = json.loads(re.search(r'id="network-data">(.*?)</script>', html, re.S).group(1))
    ids = {n["id"] for n in data["nodes"]}
    assert EDB in ids and IAC in ids
    assert next(n for n in data["nodes"] if n["id"] == EDB)["focus"] is True


def test_unknown_focus_exits_2_with_close_matches(run):
    r = run("--focus", "Eurasian Devlopment Bnk")
    assert r.exit_code == 2
    assert "no organisation or person matches" in r.output
    assert "Eurasian Development Bank" in r.output and EDB in r.output


def test_unknown_output_type_exits_2_naming_the_supported_ones(run, tmp_path):
    r = run("--out", str(tmp_path / "net.pdf"))
    assert r.exit_code == 2
    assert ".pdf" in r.output and ".gexf" in r.output and ".graphml" in r.output
    assert not (tmp_path / "net.pdf").exists()


@pytest.mark.parametrize("args, word", [
    (["--relation", "friendship"], "relation"),
    (["--from", "2025", "--to", "2020"], "from"),
    (["--org-kind", "ministry"], "org_kind"),
    (["--metric", "pagerank"], "metric"),
    (["--kind", "tripartite"], "kind"),
])
def test_bad_options_exit_2_naming_the_option(run, args, word):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert word in r.output


def test_empty_result_says_no_organisations_match(run, tmp_path):
    r = run("--from", "2090", "--to", "2095", "--out", str(tmp_path / "x.gexf"))
    assert r.exit_code == 1
    assert "No organisations match" in r.output
    assert not (tmp_path / "x.gexf").exists()


def test_metrics_rdf_and_per_year(run, tmp_path):
    r = run("--rdf", str(tmp_path / "m.trig"), "--per-year", str(tmp_path / "years.csv"))
    assert r.exit_code == 0, r.output
    ds = Dataset()
    ds.parse(tmp_path / "m.trig", format="trig")
    g = ds.graph(URIRef(ID + "graph/metrics"))
    assert (URIRef(EDB), URIRef("https://w3id.org/wckg/ontology#degree"), None) in g
    years = list(csv.DictReader((tmp_path / "years.csv").open()))
    assert {int(r["year"]) for r in years} >= {2017, 2020, 2025}
    assert any(r["iri"] == EDB and r["year"] == "2025" for r in years)


def test_weak_layer_and_rollup_switches(run, tmp_path):
    strong, weak, rolled = (tmp_path / f"{n}.json" for n in ("strong", "weak", "rolled"))
    assert run("--focus", "undp", "--out", str(strong)).exit_code == 0
    assert run("--focus", "undp", "--weak", "--out", str(weak)).exit_code == 0
    assert run("--focus", "undp", "--rollup", "--out", str(rolled)).exit_code == 0
    n = {p.stem: nx.node_link_graph(json.loads(p.read_text()), edges="edges") for p in (strong, weak, rolled)}
    assert n["strong"].number_of_nodes() < n["weak"].number_of_nodes()
    assert {d["strength"] for _, _, d in n["weak"].edges(data=True)} == {"strong", "weak"}
    assert ID + "organisation/undp-kazakhstan" in n["rolled"].nodes[ID + "organisation/undp"]["units"]
    assert n["rolled"].graph["filters"]["rollup"] is True
