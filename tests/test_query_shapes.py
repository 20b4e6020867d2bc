"""The query-shape rewrite (speed issue) changed no answer.

Every named query of ``queries/`` is run, as the embedded store now runs it (substitutions
plus a VALUES block the planner sees), in every parameter variant of the benchmark
(example, hub, unbound), and compared with the text it had before the rewrite
(``tests/fixtures/queries-before``) run as the store ran it then (substitutions only):
the same columns and the same multiset of rows (ASK: the same boolean; CONSTRUCT: the
same triples). On the curated graph and on a 100-thousand-triple synthetic graph of
``bench/generate.py``.
"""
from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from graph.config import PROJECT_ROOT
from graph.queries import load_library

sys.path.insert(0, str(PROJECT_ROOT / "bench"))
import query_shapes as qs  # noqa: E402

BEFORE = load_library(PROJECT_ROOT / "tests" / "fixtures" / "queries-before")
NOW = load_library(PROJECT_ROOT / "queries")
#: queries that exist both before and now (new queries of other work have no "before")
COMMON = sorted(set(BEFORE) & set(NOW))


@pytest.fixture(scope="module")
def curated_store() -> ox.Store:
    return qs.memory_store_from_checkout()


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory) -> ox.Store:
    out = tmp_path_factory.mktemp("bench100k")
    subprocess.run([sys.executable, str(PROJECT_ROOT / "bench" / "generate.py"), "--scale", "100k", "--out", str(out),
                    "--quiet"], check=True, capture_output=True)
    return qs.memory_store_from_nq(out / "all.nq")


def _differences(store: ox.Store) -> list[str]:
    problems = []
    for v in qs.variants({n: NOW[n] for n in COMMON}, qs.hubs(store)):
        now, old = NOW[v["query"]], BEFORE[v["query"]]
        answer, _ = qs.run(store, now.text, now.bind(v["raw"]), "both")
        expected, _ = qs.run(store, old.text, old.bind({k: x for k, x in v["raw"].items() if k in old.param_names}),
                             "substitution")
        if answer != expected:
            problems.append(f"{v['query']} [{v['variant']}] {v['raw']}: {qs.describe_difference(answer, expected)}")
    return problems


def test_the_earlier_texts_are_kept_for_every_query_that_had_one():
    assert {"cq4-event-chair", "cq5-events-at-place", "cq7-partners-of-organisation"} <= set(COMMON)
    assert len(COMMON) >= 23


def test_same_answers_on_the_curated_graph(curated_store):
    assert _differences(curated_store) == []


def test_same_answers_on_a_100k_synthetic_graph(synthetic_store):
    assert len(synthetic_store) > 90_000
    assert _differences(synthetic_store) == []


def test_the_comparison_sees_a_changed_answer(curated_store):
    """The check can fail: a query that answers differently is reported."""
    old = BEFORE["cq4-event-chair"]
    params = old.bind(old.example_params())
    expected, _ = qs.run(curated_store, old.text, params, "substitution")
    narrowed, _ = qs.run(curated_store, old.text.replace("?event wc:chair ?chair .",
                                                         "?event wc:chair ?chair . FILTER(false)"), params,
                         "substitution")
    assert narrowed != expected
    assert qs.describe_difference(narrowed, expected).startswith("0 rows only now")
