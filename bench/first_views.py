"""The first view of pages on a built store, through a real uvicorn (issue 13: every page
answers fast the first time).

    python bench/first_views.py --store /work/bench-work/1m/store --data /work/bench-data/1m \\
        / /id/organisation/united-nations /timeline /ontology

Starts ``uvicorn app.main:create_app --factory`` on a free port of 127.0.0.1 on the store
(``WCKG_IN_MEMORY=false`` unless ``--memory``), waits for ``/-/health``, then asks each path
(HTML) ``--repeat`` times in a row, in the order given, and prints a Markdown table: status,
size, the first answer (nothing was cached for that page yet; the server's start-up costs go
to the first path) and the ones after. Stops the server at the end.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx

from attack import free_port, start_server   # bench/attack.py: a uvicorn on 127.0.0.1, healthy


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", type=Path, required=True, help="a built store (wckg build)")
    ap.add_argument("--data", type=Path, required=True, help="the data directory it was built from")
    ap.add_argument("--memory", action="store_true", help="query workers hold the store in memory")
    ap.add_argument("--repeat", type=int, default=3, help="requests per path (the first is the first view)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for one answer")
    ap.add_argument("paths", nargs="+", help="paths to ask, e.g. / /timeline")
    a = ap.parse_args(argv)
    if not (a.store / "current").exists():
        ap.error(f"--store {a.store}: no built store there (run `wckg build` with WCKG_STORE={a.store})")
    if not a.data.is_dir():
        ap.error(f"--data {a.data}: not a directory")
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    bad = [p for p in a.paths if not p.startswith("/")]
    if bad:
        ap.error(f"paths start with '/': {', '.join(bad)}")
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="wckg-first-views-", suffix=".log")[1])
    proc = start_server(a.store, a.data, port, log, {"WCKG_IN_MEMORY": "true" if a.memory else "false"})
    try:
        base = f"http://127.0.0.1:{port}"
        print("| path | status | bytes | first ms | then ms |\n| --- | ---: | ---: | ---: | --- |")
        with httpx.Client(base_url=base, timeout=a.timeout) as c:
            for path in a.paths:
                times, r = [], None
                for _ in range(a.repeat):
                    t = time.perf_counter()
                    r = c.get(path, headers={"Accept": "text/html"})
                    times.append(1000 * (time.perf_counter() - t))
                then = ", ".join(f"{x:,.1f}" for x in times[1:]) or "–"
                print(f"| `{path}` | {r.status_code} | {len(r.content):,} | {times[0]:,.1f} | {then} |", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
