"""RDFS entailment cost (graph.entail), as in BENCHMARKS.md:

    python bench/entail_cost.py /tmp/wckg-bench/100k/all.nq /tmp/wckg-bench/1m/all.nq

Per file: load it in memory, compute the entailed graph twice, then count the organisations
with `?x a wc:Organisation` (entailed types) and with `a/rdfs:subClassOf*` (DISTINCT).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from graph import entail  # noqa: E402

WC_ORG = "<https://w3id.org/wckg/ontology#Organisation>"
QUERIES = {
    "a wc:Organisation": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a {WC_ORG} }}",
    "a/rdfs:subClassOf* DISTINCT": "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE "
                                   f"{{ ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {WC_ORG} }}",
}


def main(paths: list[str]) -> None:
    for path in paths:
        store = ox.Store()
        t0 = time.perf_counter()
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
        load = time.perf_counter() - t0
        first, again = entail.entail(store), entail.entail(store)
        line = [f"{path}: {len(store):,} quads (load {load:.1f} s); entail {first}, again {again}"]
        for name, text in QUERIES.items():
            t0 = time.perf_counter()
            n = list(store.query(text, use_default_graph_as_union=True))[0]["n"].value  # type: ignore[index]
            line.append(f"{name}: {n} in {(time.perf_counter() - t0) * 1000:.0f} ms")
        print("; ".join(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
