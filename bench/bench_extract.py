"""Extraction speed: articles per second on one core once loaded, and gazetteer build time.

    .venv/bin/python bench/bench_extract.py [--articles N] [--entities N]

Articles: the five seed texts (data/sources/*.txt), cycled to N, each ~2,000 characters
or more. Gazetteer: the curated graph plus N synthetic organisations, people and places
(four labels each: ~10 triples per entity) in an in-memory pyoxigraph store; the baseline
is the curated graph alone, measured in the same run.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyoxigraph as ox

from graph.config import PROJECT_ROOT, Settings
from graph.ingest import Extractor, read_article
from graph.ingest.gazetteer import Gazetteer
from graph.load import discover, iter_quads

WC = "https://w3id.org/wckg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def curated_store(settings) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(q for f in discover(settings) for q in iter_quads(f))
    return store


def add_synthetic(store: ox.Store, n: int) -> None:
    g = ox.NamedNode("https://w3id.org/wckg/id/graph/bench")
    kinds = [("organisation", "Organisation"), ("person", "Person"), ("place", "Place")]

    def quads():
        for i in range(n):
            kind, cls = kinds[i % 3]
            s = ox.NamedNode(f"https://w3id.org/wckg/id/{kind}/bench-{i}")
            yield ox.Quad(s, RDF_TYPE, ox.NamedNode(WC + cls), g)
            yield ox.Quad(s, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(f"Bench {cls} Number {i} Water", language="en"), g)
            yield ox.Quad(s, ox.NamedNode(SKOS + "altLabel"), ox.Literal(f"BENCH{i}", language="en"), g)
            yield ox.Quad(s, ox.NamedNode(SKOS + "altLabel"), ox.Literal(f"Bench {cls} {i}", language="en"), g)
            for k in range(6):
                yield ox.Quad(s, ox.NamedNode(WC + f"note{k}"), ox.Literal(f"filler {i} {k}"), g)
    store.bulk_extend(quads())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--entities", type=int, default=100_000, help="synthetic entities (~10 triples each)")
    args = ap.parse_args()
    settings = Settings(_env_file=None, data_dir=PROJECT_ROOT / "data", ontology_dir=PROJECT_ROOT / "ontology")

    store = curated_store(settings)
    from graph.ingest.gazetteer import world_places
    world_places()  # ISO 3166 + GeoNames, read once per process (measured apart)
    t, c = time.perf_counter(), time.process_time()
    base_gaz = Gazetteer.from_oxigraph(store)
    base_s, base_c = time.perf_counter() - t, time.process_time() - c
    base_triples = len(store)
    add_synthetic(store, args.entities)
    t, c = time.perf_counter(), time.process_time()
    big_gaz = Gazetteer.from_oxigraph(store)
    big_s, big_c = time.perf_counter() - t, time.process_time() - c
    print(f"gazetteer: curated {base_triples} triples {base_s:.2f} s wall / {base_c:.2f} s CPU ({len(base_gaz.entries)} named); "
          f"with synthetic {len(store)} triples {big_s:.2f} s wall / {big_c:.2f} s CPU ({len(big_gaz.entries)} named)")

    texts = [read_article(p) for p in sorted((PROJECT_ROOT / "data" / "sources").glob("*.txt"))]
    for name, gaz in (("curated gazetteer", base_gaz), ("large gazetteer", big_gaz)):
        t = time.perf_counter()
        ex = Extractor(gaz)
        load_s = time.perf_counter() - t
        ex.extract(texts[0])  # warm-up
        chars = 0
        t, c = time.perf_counter(), time.process_time()
        for i in range(args.articles):
            a = texts[i % len(texts)]
            ex.extract(a).trig()
            chars += len(a.text)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        print(f"{name}: load {load_s:.2f} s; {args.articles} articles ({chars // args.articles} chars avg): "
              f"wall {dt:.2f} s = {chars / dt / 2000:.1f}, CPU {dc:.2f} s = {chars / dc / 2000:.1f} "
              f"x 2,000-char articles/s")


if __name__ == "__main__":
    main()
