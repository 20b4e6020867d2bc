"""How long landing one reviewed article takes (`wckg review land`), and where the time goes.

    python bench/bench_landing.py                       # the curated data (5 articles)
    python bench/bench_landing.py --data /tmp/wckg-bench/100k   # data of bench/generate.py

In one run, on a private copy of the data (nothing of the checkout is touched):

1. the store is built from the data (``--validate none``): the set-up, reported as is;
2. the fixture draft (tests/fixtures/review/: one event, one new organisation, one new
   person, one post, six statements with evidence) is queued and every fact accepted;
3. **landing** is timed (:func:`graph.review.land.land`), with the build's own split
   (validation, load, search index) — ``--runs`` times, each on a fresh copy;
4. the **baseline** of the same run: a full ``wckg build --force --validate full`` of the
   data as it is after landing (what landing would cost if it rebuilt and re-validated
   everything).

Prints a JSON object (``--out FILE`` also writes it).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.config import PROJECT_ROOT, Settings  # noqa: E402

FIX = ROOT / "tests" / "fixtures" / "review"
SLUG = "workshop-basin-planning-astana-2021"


def settings_for(work: Path, data: Path) -> Settings:
    return Settings(_env_file=None, store=work / "store", data_dir=data, drafts_dir=work / "drafts",
                    ontology_dir=PROJECT_ROOT / "ontology", queries_dir=PROJECT_ROOT / "queries",
                    backend="embedded", query_workers=1)


def count_triples(s: Settings) -> int:
    from graph.store import StoreLayout
    return int(StoreLayout(s.store).manifest()["triples"])


def one_landing(src_data: Path, store_template: Path, work: Path) -> dict:
    from graph.review.land import land
    from graph.review.queue import ReviewQueue, SourceMeta
    data = work / "data"
    shutil.copytree(src_data, data, ignore=shutil.ignore_patterns("drafts", "all.nq", "manifest.json"))
    shutil.copytree(store_template, work / "store", symlinks=True)
    s = settings_for(work, data)
    q = ReviewQueue(s)
    q.add((FIX / "draft.trig").read_bytes(), (FIX / "article.txt").read_text(encoding="utf-8"),
          SourceMeta(title="CAREC and UNDP hold a workshop on basin planning in Astana", published="2021-03-03"))
    q.decide_above(SLUG, 0.0)
    t0 = time.perf_counter()
    report = land(s, SLUG)
    total = time.perf_counter() - t0
    b = report.build
    return {"total_s": round(total, 3), "validate_s": round(b.validate_seconds, 3), "load_s": round(b.load_seconds, 3),
            "index_s": round(b.index_seconds, 3), "changed_graphs": len(b.changed_graphs),
            "other_s": round(total - b.validate_seconds - b.load_seconds - b.index_seconds, 3),
            "triples_after": b.triples, "settings": s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=PROJECT_ROOT / "data", help="data directory (default: the curated data)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true", help="skip the full rebuild baseline")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    from graph.build import build
    result: dict = {"data": str(args.data), "runs": args.runs, "loadavg": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="wckg-bench-landing-") as tmp:
        tmp = Path(tmp)
        # the store's manifest names files relative to the data folder's parent: the template
        # and every run use a copy called data/, so a run's store is up to date with its files
        shutil.copytree(args.data, tmp / "template" / "data",
                        ignore=shutil.ignore_patterns("drafts", "all.nq", "manifest.json"))
        template = settings_for(tmp / "template", tmp / "template" / "data")
        t0 = time.perf_counter()
        build(template, validate="none")
        result["setup_build_s"] = round(time.perf_counter() - t0, 3)
        result["triples_before"] = count_triples(template)
        runs = []
        last = None
        for i in range(args.runs):
            r = one_landing(template.data_dir, template.store, tmp / f"run{i}")
            last = r.pop("settings")
            runs.append(r)
            print(f"run {i + 1}: {json.dumps(r)}", file=sys.stderr)
            if i < args.runs - 1:
                shutil.rmtree(tmp / f"run{i}")
        result["landing"] = runs
        result["landing_median_s"] = statistics.median(r["total_s"] for r in runs)
        if not args.no_baseline:
            t0 = time.perf_counter()
            rep = build(last, force=True, validate="full")
            result["baseline_full_rebuild_s"] = round(time.perf_counter() - t0, 3)
            result["baseline_split"] = {"validate_s": round(rep.validate_seconds, 3), "load_s": round(rep.load_seconds, 3),
                                        "index_s": round(rep.index_seconds, 3)}
        result["loadavg_after"] = os.getloadavg()
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
