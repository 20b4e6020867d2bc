"""`wckg build` from scratch against `oxigraph load`, and the rebuild after one changed article.

    python bench/bench_build.py --data /tmp/wckg-bench/1m [--out bench/out/build-1m.json]

In one run, one step after the other, each in its own process under ``/usr/bin/time``:

1. ``oxigraph load`` of the data's ``all.nq`` into a fresh directory (the baseline);
2. ``wckg build --validate none --no-release`` into a fresh store (from scratch);
3. one article changed (a statement added), ``wckg build --no-release`` (validates that
   article, updates the derived graph and the label index), then the change reverted and
   ``wckg build --validate none --no-release``.

For each build: wall time, peak RSS, the build's own load and index seconds, and from the
manifest the derived graph's and the label index's mode and seconds. The load average is
recorded before and after every step (the machine is shared).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, ROOT, log, parse_build_output, timed, wckg  # noqa: E402


def _manifest(store: Path) -> dict:
    return json.loads((store / "current" / "manifest.json").read_text())


def _build(env: dict, *args: str) -> dict:
    r = timed(wckg("build", "--no-release", *args), env=env)
    r.update(parse_build_output(r.pop("_stderr", "")))
    if r.get("exit") != 0:
        raise SystemExit(f"wckg build failed: {r.get('stderr_tail')}")
    m = _manifest(Path(env["WCKG_STORE"]))
    r.update(derived_mode=m.get("derived_mode"), index_mode=m.get("index_mode"), derived=m.get("derived"),
             triples=m.get("triples"), loadavg=os.getloadavg())
    r.pop("stdout_tail", None)
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="a bench/generate.py output directory")
    ap.add_argument("--work", default="/tmp/wckg-bench-build", help="scratch directory (stores)")
    ap.add_argument("--out", default=None, help="JSON results (default: bench/out/build-<data name>.json)")
    ap.add_argument("--skip-scratch", action="store_true", help="reuse the store of an earlier run")
    args = ap.parse_args(argv)
    data, work = Path(args.data), Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    store = work / "store"
    env = {"WCKG_DATA_DIR": str(data), "WCKG_STORE": str(store), "WCKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
           "WCKG_QUERIES_DIR": str(ROOT / "queries")}
    res: dict = {"data": str(data), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "loadavg_start": os.getloadavg(), "cpus": os.cpu_count()}
    out = Path(args.out or ROOT / "bench" / "out" / f"build-{data.name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)

    if not args.skip_scratch:
        ox_dir = work / "ox"
        shutil.rmtree(ox_dir, ignore_errors=True)
        log("oxigraph load")
        r = timed([str(BIN / "oxigraph"), "load", "--location", str(ox_dir), "--file", str(data / "all.nq")])
        r.update(loadavg=os.getloadavg())
        r.pop("_stderr", None)
        res["oxigraph_load"] = r
        shutil.rmtree(ox_dir, ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
        log("wckg build --validate none (from scratch)")
        res["scratch"] = _build(env, "--validate", "none")
        res["scratch_ratio"] = round(res["scratch"]["wall_s"] / res["oxigraph_load"]["wall_s"], 2)
        if res["scratch"].get("cpu_s") and res["oxigraph_load"].get("cpu_s"):
            res["scratch_cpu_ratio"] = round(res["scratch"]["cpu_s"] / res["oxigraph_load"]["cpu_s"], 2)

    articles = sorted((data / "articles").glob("synthetic-*.ttl")) or sorted((data / "articles").glob("*.ttl"))
    target = articles[len(articles) // 2]
    original = target.read_bytes()
    try:
        target.write_bytes(original + b'\n<https://w3id.org/wckg/id/organisation/undp> '
                           b'<http://www.w3.org/2004/02/skos/core#note> "changed by bench_build.py" .\n')
        log(f"rebuild after one changed article ({target.name})")
        res["rebuild"] = _build(env)
        res["rebuild"]["changed_file"] = target.name
    finally:
        target.write_bytes(original)
    log("rebuild, change reverted, --validate none")
    res["rebuild_no_validation"] = _build(env, "--validate", "none")
    res["loadavg_end"] = os.getloadavg()
    out.write_text(json.dumps(res, indent=2, default=str) + "\n")
    for k in ("oxigraph_load", "scratch", "rebuild", "rebuild_no_validation"):
        if k in res:
            r = res[k]
            print(f"{k}: {r.get('wall_s')} s wall, {r.get('cpu_s')} s CPU, {r.get('peak_rss_mib')} MiB; load {r.get('load_s')} s, "
                  f"index {r.get('index_s')} s ({r.get('index_mode')}), derived {r.get('derived_mode')} "
                  f"{json.dumps(r.get('derived'))}; loadavg {r.get('loadavg')}")
    if "scratch_ratio" in res:
        print(f"wckg build / oxigraph load = {res['scratch_ratio']}x (wall), {res.get('scratch_cpu_ratio')}x (CPU)")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
