"""/downloads after a build (a benchmark, not a test): the page reads the release bundle
that ``wckg build`` wrote; before issue 15 the first GET published it (validation, dumps,
VoID, catalogue) inside the request.

    python bench/downloads.py [--store DIR] [--repeat 20]

Uses the project's curated data (or WCKG_DATA_DIR). Prints, for the same store in the same
run: the time ``wckg build`` spends writing the release (what the first GET used to cost),
the first request of the process (any page: the app's own warm-up), then the first and the median of *repeat* GETs of /downloads (HTML and JSON), /catalog and
/downloads/manifest.json through the ASGI app (Starlette's TestClient, no network).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=None, help="store directory (default: a temporary one)")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    from graph.config import get_settings
    settings = get_settings()
    scratch = None if args.store else tempfile.mkdtemp(prefix="wckg-bench-dl-")
    try:
        run(settings.model_copy(update={"store": args.store or Path(scratch) / "store"}), args.repeat)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)   # a temporary store goes with the run


def run(settings, repeat: int) -> None:
    from graph.build import build, make_release
    t0 = time.perf_counter()
    report = build(settings, validate="none", release=False)
    print(f"data: {report.triples} triples; build without release {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    make_release(settings, validate=True)
    print(f"baseline (what the first GET /downloads did before): validate + publish {time.perf_counter() - t0:.2f} s")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from app.main import create_app
    with TestClient(create_app(settings)) as client:
        t0 = time.perf_counter()
        client.get("/-/version")
        print(f"first request of the process (/-/version): {(time.perf_counter() - t0) * 1000:.1f} ms")
        for path, accept in (("/downloads", "text/html"), ("/downloads", "application/json"),
                             ("/catalog", "text/html"), ("/downloads/manifest.json", "*/*")):
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                r = client.get(path, headers={"accept": accept})
                times.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (path, r.status_code)
            print(f"GET {path:26} {accept:17} first {times[0]:7.1f} ms   median {statistics.median(times):7.1f} ms")


if __name__ == "__main__":
    main()
