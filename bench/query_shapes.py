"""Named queries against their earlier texts: same answers, and how long each takes.

    python bench/query_shapes.py --data /tmp/wckg-bench/1m          # time + compare, in memory
    python bench/query_shapes.py --curated --check                   # compare only (curated data)
    python bench/query_shapes.py --data /tmp/wckg-bench/100k --only cq7-partners-of-organisation

The data (``all.nq`` of ``bench/generate.py``, or the curated files of the checkout with
``--curated``) is loaded into an in-memory pyoxigraph store in this process. Every named
query of ``--queries`` (default ``queries/``) runs in the variants ``bench/run.py`` uses
(``example``, ``hub``: IRI parameters replaced by the most connected resource of their
kind, ``unbound``: optional parameters left out), once with the query as it is and once
with the text of the same name in ``--before`` (default ``tests/fixtures/queries-before``,
the texts before the query-shape rewrite), and the two answers are compared (SELECT: the
same columns and the same multiset of rows; ASK: the same boolean; CONSTRUCT: the same set
of triples). Times are the engine alone, in-process (first run and best of ``--runs``),
which is the "best hand-written query on pyoxigraph in memory" column of BENCHMARKS.md
when the query is the hand-written one.

Exit status 1 when an answer differs (or a query fails), so the script doubles as a check.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WCID = "https://w3id.org/wckg/id/"
WC = "https://w3id.org/wckg/ontology#"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------

def memory_store_from_nq(path: Path) -> ox.Store:
    """The quads of *path* and the derived graph a build would add (graph.derived)."""
    from graph import derived
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    derived.derive(store)
    return store


def memory_store_from_checkout(data_dir: Path | None = None) -> ox.Store:
    """The curated data (and ontology) of the checkout, loaded as `wckg build` loads it."""
    from graph.config import Settings
    from graph.load import discover, iter_quads
    settings = Settings(_env_file=None, data_dir=data_dir or ROOT / "data", ontology_dir=ROOT / "ontology",
                        queries_dir=ROOT / "queries")
    from graph import derived
    store = ox.Store()
    store.bulk_extend(q for f in discover(settings) for q in iter_quads(f, base_iri=settings.base_iri))
    derived.derive(store, settings.base_iri)
    return store


# --------------------------------------------------------------------------------------
# variants
# --------------------------------------------------------------------------------------

def kind_of(name: str, example: str | None) -> str | None:
    """The kind of resource a parameter names (from its example IRI or its name)."""
    if example and example.startswith(WCID):
        return example[len(WCID):].split("/", 1)[0]
    n = name.lower()
    for key, kind in (("org", "organisation"), ("funder", "organisation"), ("party", "organisation"),
                      ("recipient", "organisation"), ("person", "person"), ("chair", "person"),
                      ("event", "event"), ("place", "place"), ("country", "place"), ("programme", "programme"),
                      ("agreement", "agreement"), ("topic", "topic"), ("resource", "event"),
                      ("entity", "organisation"), ("a", "organisation"), ("b", "organisation")):
        if n == key or n.startswith(key):
            return kind
    return None


def hubs(store: ox.Store) -> dict[str, list[str]]:
    """The most connected resources of each kind (as bench/run.py picks them)."""
    out: dict[str, list[str]] = {}
    for kind in ("organisation", "person", "place", "programme", "topic", "policy"):
        extra = (f'?x <http://www.w3.org/2004/02/skos/core#inScheme> <{WCID}topic/scheme> .'
                 if kind == "topic" else "")
        q = (f'SELECT ?x (COUNT(*) AS ?n) WHERE {{ ?s ?p ?x . {extra} FILTER(STRSTARTS(STR(?x), "{WCID}{kind}/")) }} '
             f'GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 3')
        out[kind] = [r["x"].value for r in store.query(q, use_default_graph_as_union=True)]
    q = (f'SELECT ?e (COUNT(?p) AS ?n) WHERE {{ ?e <{WC}chair> ?c ; <{WC}participant> ?p }} '
         'GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 3')
    out["event"] = [r["e"].value for r in store.query(q, use_default_graph_as_union=True)]
    q = f'SELECT ?a (COUNT(?p) AS ?n) WHERE {{ ?a <{WC}party> ?p }} GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 3'
    out["agreement"] = [r["a"].value for r in store.query(q, use_default_graph_as_union=True)]
    return out


def variants(library: dict, hub_iris: dict[str, list[str]]) -> list[dict[str, Any]]:
    """example / hub / unbound parameter sets of every query (raw text values)."""
    out = []
    for name, q in library.items():
        base: dict[str, str] = {}
        for p in q.params:
            value = p.example if p.example is not None else p.default
            if value is None and p.required:
                kind = kind_of(p.name, None)
                value = hub_iris.get(kind, [None])[0] if kind else None
            if value is not None:
                base[p.name] = value
        out.append({"query": name, "variant": "example", "raw": dict(base)})
        iri_params = [p for p in q.params if p.type == "iri" and p.name in base]
        if iri_params:
            hub_raw, used = dict(base), {}
            for p in iri_params:
                kind = kind_of(p.name, base[p.name])
                if hub_iris.get(kind):
                    i = used.get(kind, 0)
                    hub_raw[p.name] = hub_iris[kind][min(i, len(hub_iris[kind]) - 1)]
                    used[kind] = i + 1
            if hub_raw != base:
                out.append({"query": name, "variant": "hub", "raw": hub_raw})
        optional = [p.name for p in q.params if not p.required and p.default is None and p.name in base]
        if optional:
            out.append({"query": name, "variant": "unbound",
                        "raw": {k: v for k, v in base.items() if k not in optional}})
    return out


# --------------------------------------------------------------------------------------
# answers
# --------------------------------------------------------------------------------------

#: How the embedded store binds parameters (graph.store.EmbeddedStore._execute): both.
STORE_BIND = "both"


def run(store: ox.Store, text: str, params: dict, bind: str = STORE_BIND) -> tuple[Any, int]:
    """The canonical answer of *text* (comparable across query texts) and its size.

    *bind*: "substitution" (pyoxigraph substitutions only: the store before the rewrite),
    "values" (a VALUES block in the outermost group and the terms written into the triple
    patterns: a remote server), "both" (the same and the substitutions: the embedded
    store now), "values-block" (a VALUES block and the substitutions, without writing the
    values into the patterns: the embedded store before 6 December 2026)."""
    from graph.terms import to_oxigraph
    if bind == "values-block" and params:
        from graph.queries import bind_as_values
        subs = {ox.Variable(k): to_oxigraph(v) for k, v in params.items()}
        result = store.query(bind_as_values(text, params), use_default_graph_as_union=True, substitutions=subs)
    elif bind in ("values", "both") and params:
        from graph.queries import bind_params
        subs = {ox.Variable(k): to_oxigraph(v) for k, v in params.items()} if bind == "both" else None
        result = store.query(bind_params(text, params), use_default_graph_as_union=True, substitutions=subs)
    else:
        subs = {ox.Variable(k): to_oxigraph(v) for k, v in params.items()}
        result = store.query(text, use_default_graph_as_union=True, substitutions=subs or None)
    if isinstance(result, ox.QueryBoolean):
        return ("ask", bool(result)), 1
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = collections.Counter(tuple(str(sol[v]) if sol[v] is not None else None for v in variables)
                                   for sol in result)
        return ("select", tuple(variables), rows), sum(rows.values())
    triples = {f"{t.subject} {t.predicate} {t.object}" for t in result}
    return ("graph", frozenset(triples)), len(triples)


def describe_difference(a, b) -> str:
    if a[0] != b[0]:
        return f"form {a[0]} vs {b[0]}"
    if a[0] == "ask":
        return f"{a[1]} vs {b[1]}"
    if a[0] == "select":
        if a[1] != b[1]:
            return f"columns {a[1]} vs {b[1]}"
        only_a, only_b = a[2] - b[2], b[2] - a[2]
        return (f"{sum(only_a.values())} rows only now, {sum(only_b.values())} only before; "
                f"e.g. now {next(iter(only_a), None)} / before {next(iter(only_b), None)}")
    return f"{len(a[1] - b[1])} triples only now, {len(b[1] - a[1])} only before"


def timed(store, text, params, runs: int, budget: float, bind: str = STORE_BIND) -> tuple[Any, int, float, float]:
    t0 = time.perf_counter()
    answer, n = run(store, text, params, bind)
    first = time.perf_counter() - t0
    best = first
    t_end = time.perf_counter() + budget
    for _ in range(runs - 1):
        if time.perf_counter() > t_end:
            break
        t0 = time.perf_counter()
        run(store, text, params, bind)
        best = min(best, time.perf_counter() - t0)
    return answer, n, first, best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--data", type=Path, help="a bench/generate.py directory (its all.nq is loaded)")
    src.add_argument("--curated", action="store_true", help="the curated data of the checkout")
    ap.add_argument("--queries", type=Path, default=ROOT / "queries")
    ap.add_argument("--before", type=Path, default=ROOT / "tests" / "fixtures" / "queries-before",
                    help="the earlier texts to compare with ('' for none)")
    ap.add_argument("--only", nargs="*", help="query names")
    ap.add_argument("--check", action="store_true", help="compare answers only (one run each)")
    ap.add_argument("--no-before-timing", action="store_true",
                    help="run the earlier text once for its answer only (when it is very slow)")
    ap.add_argument("--bind", choices=("substitution", "values", "both", "values-block"), default=STORE_BIND,
                    help="how parameters reach the engine: pyoxigraph substitutions (as the embedded store) "
                         "or a VALUES block (as a remote server)")
    ap.add_argument("--before-bind", choices=("substitution", "values", "both", "values-block"), default="substitution",
                    help="binding of the earlier texts (default: substitution, as the store bound them)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=10.0, help="seconds of repeats per query at most")
    ap.add_argument("--json", type=Path, help="write the results here")
    args = ap.parse_args(argv)

    from graph.queries import load_library
    library = load_library(args.queries)
    before = load_library(args.before) if args.before and str(args.before) and args.before.is_dir() else {}
    if args.only:
        library = {k: v for k, v in library.items() if k in args.only}
    t0 = time.perf_counter()
    store = memory_store_from_checkout() if args.curated else memory_store_from_nq(args.data / "all.nq")
    log(f"loaded {len(store):,} quads in {time.perf_counter() - t0:.1f} s")
    hub_iris = hubs(store)
    results, failures = [], 0
    runs = 1 if args.check else args.runs
    for v in variants(library, hub_iris):
        q = library[v["query"]]
        params = q.bind(v["raw"])
        res: dict[str, Any] = {"query": v["query"], "variant": v["variant"], "raw": v["raw"]}
        try:
            answer, n, first, best = timed(store, q.text, params, runs, args.budget, args.bind)
            res.update(rows=n, now_first_ms=round(first * 1000, 1), now_best_ms=round(best * 1000, 1))
        except Exception as e:  # noqa: BLE001 - reported
            res["error"] = f"{type(e).__name__}: {e}"
            failures += 1
            results.append(res)
            log(f"{v['query']} [{v['variant']}] FAILED: {res['error']}")
            continue
        old = before.get(v["query"])
        if old is not None and (old.text != q.text or args.before_bind != args.bind):
            try:
                old_params = old.bind({k: x for k, x in v["raw"].items() if k in old.param_names})
                b_runs = 1 if (args.check or args.no_before_timing) else runs
                old_answer, _, bfirst, bbest = timed(store, old.text, old_params, b_runs, args.budget,
                                                     args.before_bind)
                res.update(before_first_ms=round(bfirst * 1000, 1), before_best_ms=round(bbest * 1000, 1))
                res["same"] = old_answer == answer
                if not res["same"]:
                    res["difference"] = describe_difference(answer, old_answer)
                    failures += 1
            except Exception as e:  # noqa: BLE001
                res["before_error"] = f"{type(e).__name__}: {e}"
        log(f"{v['query']} [{v['variant']}] rows={n} now {res['now_first_ms']}/{res['now_best_ms']} ms"
            + (f" before {res.get('before_first_ms')}/{res.get('before_best_ms')} ms same={res.get('same')}"
               if "same" in res else "") + (f" DIFF {res['difference']}" if res.get("difference") else ""))
        results.append(res)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"quads": len(store), "hubs": hub_iris, "results": results}, indent=2) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
