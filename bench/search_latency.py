"""Latency of the label index (graph/search/) per keystroke, on a synthetic index.

    python bench/search_latency.py                 # 25 000 resources = 50 000 labels
    python bench/search_latency.py --resources 100000

A benchmark, not a test: builds a throw-away index in a temporary directory and prints
median, p95 and max over every prefix of ten typical queries (what the autocomplete
sends while someone types), and the slowest prefixes. Labels are drawn from a small
water-sector vocabulary (so common words match thousands of labels: a hard case), each
resource with its acronym as an altLabel and a random number of links.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.search import SearchIndex, build_index  # noqa: E402

WORDS = ("water basin river ministry committee council agency development bank fund national regional "
         "international hydro meteorological service programme project dialogue commission association "
         "institute centre union environment energy resources management ecology geology irrigation "
         "climate adaptation groundwater flood forecasting digital tailings safety kazakhstan central asia "
         "syr darya amu aral sea ili balkhash irtysh ural caspian almaty astana shymkent taraz kyzylorda "
         "öskemen türkistan société générale ministère développement économie").split()
KINDS = ["organisation", "person", "event", "agreement", "programme", "place", "policy"]
TYPED = ["Eurasian Development Bank", "EDB", "kazakhstan water", "Ministère", "hydro met", "syr darya basin",
         "a", "x", "development", "ministry of energy"]
ID = "https://w3id.org/wckg/id/"


def rows(n: int, seed: int):
    rnd = random.Random(seed)
    for i in range(n):
        kind = rnd.choice(KINDS)
        iri = f"{ID}{kind}/r{i}"
        label = " ".join(rnd.choice(WORDS).capitalize() for _ in range(rnd.randint(2, 6)))
        links = rnd.randint(0, 200)
        yield iri, label, True, f"https://w3id.org/wckg/ontology#{kind.capitalize()}", links
        yield iri, "".join(w[0] for w in label.split()).upper(), False, None, links
    yield ID + "organisation/eurasian-development-bank", "Eurasian Development Bank", True, None, 50
    yield ID + "organisation/eurasian-development-bank", "EDB", False, None, 50


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--resources", type=int, default=25000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wckg-search-bench-") as tmp:
        path = Path(tmp) / "labels.sqlite"
        t0 = time.perf_counter()
        n = build_index(rows(args.resources, args.seed), path)
        print(f"built {n} labels in {time.perf_counter() - t0:.2f} s, {path.stat().st_size / 1e6:.1f} MB")
        index = SearchIndex(path)
        queries = [q[:i] for q in TYPED for i in range(1, len(q) + 1)]
        index.search("warm up")
        timed = []
        for q in queries:
            t0 = time.perf_counter()
            index.search(q, limit=8)
            timed.append(((time.perf_counter() - t0) * 1000, q))
        ms = sorted(t for t, _ in timed)
        print(f"{len(queries)} keystrokes: median {statistics.median(ms):.2f} ms, "
              f"p95 {ms[int(len(ms) * 0.95)]:.2f} ms, max {ms[-1]:.2f} ms")
        print("slowest:", ", ".join(f"{q!r} {t:.1f} ms" for t, q in sorted(timed)[-5:]))
        print("EDB ->", [h.label for h in index.search("EDB", limit=3)])
        index.close()


if __name__ == "__main__":
    main()
