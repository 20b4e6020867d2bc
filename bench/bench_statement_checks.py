"""What the checks of evidence per statement (graph/checks.py) add to `wckg validate`.

usage: python bench/bench_statement_checks.py [--scale 20k] [--repeat 2]

Generates synthetic data (bench/generate.py, which writes a wc:StatementEvidence for every
statement), then validates it twice per round: with the Python checks of graph.checks
(PYTHON_CHECKS) and without them (the baseline, same data, same run). Prints one JSON line:
quads, statement evidence nodes, seconds with and without the checks (best of the rounds),
and the time of the checks alone run over the units.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from bench.generate import parse_scale
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=parse_scale, default=parse_scale("20k"))
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    import graph.validate as V
    from graph import checks
    from graph.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "data"
        import subprocess
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", str(args.scale),
                        "--out", str(out), "--quiet", "--no-curated"], check=True)
        settings = Settings(_env_file=None, data_dir=out, ontology_dir=ROOT / "ontology")
        quads = sum(1 for _ in open(out / "all.nq", encoding="utf-8"))
        evidence = sum(1 for line in open(out / "all.nq", encoding="utf-8")
                       if line.split(" ", 3)[2] == "<https://w3id.org/wckg/ontology#StatementEvidence>")
        with_checks, without = [], []
        saved = list(V.CHECKS)
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            report = V.validate(settings)
            with_checks.append(time.perf_counter() - t0)
            V.CHECKS[:] = [c for c in saved if c not in checks.PYTHON_CHECKS]
            try:
                t0 = time.perf_counter()
                V.validate(settings)
                without.append(time.perf_counter() - t0)
            finally:
                V.CHECKS[:] = saved
        print(json.dumps({
            "quads": quads, "statement_evidence": evidence, "violations": len(report.violations),
            "validate_s": round(min(with_checks), 2), "validate_without_statement_checks_s": round(min(without), 2),
            "checks": [c.__name__ for c in checks.PYTHON_CHECKS],
        }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
