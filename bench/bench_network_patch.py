"""The network table after a one-article rebuild: patched from the previous build's rows
(graph/network/patch.py) against computed whole, on the same store, in one run.

    python bench/bench_network_patch.py --data /work/bench-data/1m --store /work/bench-work/1m/store

*--store* is a store built from *--data* (``wckg build``, e.g. by bench/bench_build.py). The
script makes sure its current build has a network table (computing it whole when a rebuild
left none), changes one article (a note on UNDP, as bench_build.py does), rebuilds with
``--validate none``, then times the network worker's way to the new build's table
(:func:`graph.network.table.ensure`: the patch) and a whole computation on the same store,
checks that both give the same data, and puts the article back (a last rebuild).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rebuild(env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graph.cli", "build", "--no-release", "--validate", "none"],
                   env={**os.environ, **env}, check=True, capture_output=True)
    return time.perf_counter() - t0


def _table(store: Path):
    import pyoxigraph as ox

    from graph.network import table as T
    from graph.store import StoreLayout
    layout = StoreLayout(store)
    build_dir = layout.current_build()
    if build_dir is None:
        raise SystemExit(f"error: {store} holds no build: run `wckg build` first")
    t0 = time.perf_counter()
    table = T.ensure(build_dir, build_dir.name, layout.db(build_dir))
    seconds = time.perf_counter() - t0
    return T, ox, layout, build_dir, table, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="a bench/generate.py output directory")
    ap.add_argument("--store", type=Path, required=True, help="a store built from --data")
    ap.add_argument("--out", type=Path, help="JSON results")
    args = ap.parse_args(argv)
    if not (args.data / "articles").is_dir():
        ap.error(f"--data {args.data}: no articles/ folder (a bench/generate.py output directory?)")
    env = {"WCKG_DATA_DIR": str(args.data), "WCKG_STORE": str(args.store),
           "WCKG_ONTOLOGY_DIR": str(ROOT / "ontology"), "WCKG_QUERIES_DIR": str(ROOT / "queries")}
    res: dict = {"data": str(args.data), "loadavg_start": os.getloadavg()}
    T, ox, layout, build_dir, _, seconds = _table(args.store)
    res["table_before_s"] = round(seconds, 2)
    articles = sorted((args.data / "articles").glob("synthetic-*.ttl")) or sorted((args.data / "articles").glob("*.ttl"))
    target = articles[len(articles) // 3]
    original = target.read_bytes()
    try:
        target.write_bytes(original + b'\n<https://w3id.org/wckg/id/organisation/undp> '
                           b'<http://www.w3.org/2004/02/skos/core#note> "changed by bench_network_patch.py" .\n')
        res["rebuild_s"] = round(_rebuild(env), 2)
        res["pending"] = (layout.current_build() / T.DIRNAME / T.PENDING).is_file()
        T, ox, layout, build_dir, patched, seconds = _table(args.store)
        res["patched_s"] = round(seconds, 2)
        res["patched_timings"] = {k: round(v, 2) for k, v in patched.timings.items()}
        res["loadavg_patched"] = os.getloadavg()
        t0 = time.perf_counter()
        whole, _ = T.compute(ox.Store.read_only(str(layout.db(build_dir))), build_dir.name)
        res["whole_s"] = round(time.perf_counter() - t0, 2)
        res["whole_timings"] = {k: round(v, 2) for k, v in whole.timings.items()}
        res["same_data"] = replace(patched.data, serial=0) == replace(whole.data, serial=0)
        res["same_network"] = (dict(patched.network.nodes(data=True)) == dict(whole.network.nodes(data=True))
                               and {frozenset(e[:2]): e[2] for e in patched.network.edges(data=True)}
                               == {frozenset(e[:2]): e[2] for e in whole.network.edges(data=True)})
    finally:
        target.write_bytes(original)
        res["revert_rebuild_s"] = round(_rebuild(env), 2)
    res["loadavg_end"] = os.getloadavg()
    text = json.dumps(res, indent=2, default=str)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 0 if res["same_data"] and res["same_network"] else 1


if __name__ == "__main__":
    sys.exit(main())
