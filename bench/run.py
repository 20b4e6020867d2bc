"""The wckg benchmark: build, validation, opening, named queries, search, pages, network.

    python bench/run.py --scale 1m --rdflib --out bench/out/1m.json

In one run, on the data of ``bench/generate.py`` (generated into ``--data`` when missing):

* ``wckg build --validate none`` into a fresh store, against ``oxigraph load`` of the same
  quads (``all.nq``), each in its own process under ``/usr/bin/time -v`` (wall time, peak
  RSS); the build's own "load" figure (what the issue's 1.5x target counts) is parsed from
  its output. For reference, one ``Store.bulk_extend`` over every file in one call (what
  the build could do) is timed the same way.
* the incremental path: one article file changed, ``wckg build`` (validates that article)
  and, beside it, a full ``wckg validate`` (time-capped);
* opening the built store and answering a first query in a fresh process, at this scale
  and on the curated data;
* every named query of ``queries/`` (``graph.queries.load_library``) through
  ``open_backend(settings).query`` (warm, ``--runs`` times: median and p95), in variants:
  ``example`` (the header's example/default values), ``hub`` (IRI parameters replaced by
  the most connected resource of the same kind: the worst realistic lookup) and
  ``unbound`` (optional parameters left out: the whole-graph form). The same queries are
  also timed in-process on the read-only on-disk store (engine time without the worker
  round trip) and on an in-memory copy of the store (``pyoxigraph.Store()``);
* the ``example`` variants on rdflib's own engine (``rdflib.Dataset(default_union=True)``
  parsed from ``all.nq``) in a child process with a time budget per query (``--rdflib``;
  refused above 2 M triples);
* label search (``graph.search.SearchIndex``) one keystroke at a time;
* pages (home, an entity page, a query page) through ``create_app`` on the curated store
  and on the benchmark store;
* the partnership network (``graph.network``): fetch, build, metrics.

Results go to a JSON file; ``--markdown`` prints the tables BENCHMARKS.md is made of.
Nothing here runs two heavy jobs at once: every step waits for the previous one.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
WCID = "https://w3id.org/wckg/id/"
RDFLIB_MAX_TRIPLES = 2_000_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def stats(samples: list[float]) -> dict[str, Any]:
    """Median, p95 (nearest rank), min, max in milliseconds."""
    if not samples:
        return {"n": 0}
    s = sorted(samples)
    p95 = s[min(len(s) - 1, max(0, math.ceil(0.95 * len(s)) - 1))]
    return {"n": len(s), "median_ms": round(statistics.median(s) * 1000, 3), "p95_ms": round(p95 * 1000, 3),
            "min_ms": round(s[0] * 1000, 3), "max_ms": round(s[-1] * 1000, 3)}


# ======================================================================================
# Processes under /usr/bin/time -v
# ======================================================================================

def timed(cmd: list[str], env: dict | None = None, timeout: float | None = None) -> dict[str, Any]:
    """Run *cmd* under GNU time: wall seconds, peak RSS (MiB), exit code, output tail."""
    full_env = dict(os.environ, **(env or {}))
    tv = Path("/usr/bin/time")
    wrapped = [str(tv), "-v", *cmd] if tv.exists() else cmd
    t0 = time.perf_counter()
    # its own process group, so that a time-out stops the measured command too, not only GNU time
    proc = subprocess.Popen(wrapped, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        stdout, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        import signal
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            stdout, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, err = proc.communicate()
        return {"cmd": " ".join(cmd), "timed_out": True, "wall_s": round(time.perf_counter() - t0, 2),
                "timeout_s": timeout, "stderr_tail": (err or "")[-2000:]}
    wall = time.perf_counter() - t0
    rss = None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    if m:
        rss = round(int(m.group(1)) / 1024, 1)
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    if m:
        wall = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    own = err.split("\tCommand being timed:")[0]
    # CPU seconds (user + system, children included): on a shared machine, what wall time hides
    cpu = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err)]
    return {"cmd": " ".join(cmd), "exit": proc.returncode, "wall_s": round(wall, 2), "peak_rss_mib": rss,
            "cpu_s": round(sum(cpu), 2) if cpu else None,
            "stdout_tail": stdout[-1500:], "stderr_tail": own[-2500:], "_stderr": own}


def wckg(*args: str) -> list[str]:
    exe = BIN / "wckg"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "graph.cli", *args]


def parse_build_output(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    m = re.search(r"Built (\S+): (\d+) triples.*?\(load ([\d.]+) s, index ([\d.]+) s\)", text, re.S)
    if m:
        out.update(build_id=m.group(1), triples=int(m.group(2)), load_s=float(m.group(3)),
                   index_s=float(m.group(4)))
    m = re.search(r"Validation: (.*?) \(([\d.]+) s\)", text)
    if m:
        out.update(validation=m.group(1), validate_s=float(m.group(2)))
    return out


# ======================================================================================
# Steps
# ======================================================================================

class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.scale = args.scale
        self.work = Path(args.work)
        self.data = Path(args.data) if args.data else self.work / self.scale
        self.store = self.work / f"store-{self.scale}"
        self.oxdir = self.work / f"ox-{self.scale}"
        self.res: dict[str, Any] = {"scale": self.scale, "data": str(self.data), "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                    "notes": []}

    def env(self, store: Path | None = None, data: Path | None = None) -> dict[str, str]:
        return {"WCKG_DATA_DIR": str(data or self.data), "WCKG_STORE": str(store or self.store),
                "WCKG_ONTOLOGY_DIR": str(ROOT / "ontology"), "WCKG_QUERIES_DIR": str(ROOT / "queries")}

    def settings(self, store: Path | None = None, data: Path | None = None):
        from graph.config import Settings
        return Settings(data_dir=data or self.data, store=store or self.store, ontology_dir=ROOT / "ontology",
                        queries_dir=ROOT / "queries")

    def note(self, text: str) -> None:
        log("note: " + text)
        self.res["notes"].append(text)

    def save(self) -> None:
        out = Path(self.args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        def clean(x):
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items() if not str(k).startswith("_")}
            if isinstance(x, list):
                return [clean(v) for v in x]
            return x
        out.write_text(json.dumps(clean(self.res), indent=2, default=str) + "\n")

    # --- environment -----------------------------------------------------------------------

    def versions(self) -> None:
        import pyoxigraph
        import rdflib
        v = {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__,
             "cpus": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release()}
        try:
            v["oxigraph_cli"] = subprocess.run([str(BIN / "oxigraph"), "--version"], capture_output=True,
                                               text=True).stdout.strip()
        except OSError:
            v["oxigraph_cli"] = None
        for mod in ("pyshacl", "networkx"):
            try:
                v[mod] = __import__(mod).__version__
            except Exception:
                v[mod] = None
        try:
            v["mem_total_gib"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
        except (ValueError, OSError):
            pass
        v["git_head"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                       capture_output=True, text=True).stdout.strip()
        v["loadavg_start"] = os.getloadavg()
        self.res["versions"] = v

    def generate(self) -> None:
        if (self.data / "manifest.json").is_file() and (self.data / "all.nq").is_file():
            manifest = json.loads((self.data / "manifest.json").read_text())
            log(f"using generated data in {self.data} ({manifest['quads']:,} quads)")
        else:
            log(f"generating {self.scale} into {self.data}")
            r = timed([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", self.scale, "--out",
                       str(self.data), "--quiet"])
            if r.get("exit") != 0:
                raise SystemExit(f"generation failed: {r.get('stderr_tail')}")
            manifest = json.loads((self.data / "manifest.json").read_text())
            manifest["generate_wall_s"] = r["wall_s"]
            manifest["generate_peak_rss_mib"] = r["peak_rss_mib"]
        files = {sub: sum(1 for _ in (self.data / sub).glob("*.ttl")) for sub in ("reference", "sources", "articles")}
        manifest["ttl_files"] = files
        manifest["all_nq_mib"] = round((self.data / "all.nq").stat().st_size / 2**20, 1)
        self.res["data_manifest"] = manifest

    # --- load -------------------------------------------------------------------------------

    def load(self) -> None:
        shutil.rmtree(self.oxdir, ignore_errors=True)
        log("oxigraph load")
        ox = timed([str(BIN / "oxigraph"), "load", "--location", str(self.oxdir), "--file", str(self.data / "all.nq")])
        self.res["oxigraph_load"] = ox
        shutil.rmtree(self.oxdir, ignore_errors=True)

        shutil.rmtree(self.store, ignore_errors=True)
        log("wckg build --validate none")
        b = timed(wckg("build", "--validate", "none"), env=self.env())
        b.update(parse_build_output(b.pop("_stderr", "")))
        self.res["wckg_build"] = b
        if b.get("exit") != 0:
            raise SystemExit(f"wckg build failed: {b.get('stderr_tail')}")
        self.res["triples"] = b.get("triples")

        if not self.args.no_alt_load:
            alt = self.work / f"alt-{self.scale}"
            shutil.rmtree(alt, ignore_errors=True)
            log("reference: one Store.bulk_extend over every file")
            r = timed([sys.executable, str(Path(__file__)), "--internal-bulk-extend", str(self.data), str(alt)])
            try:
                r.update(json.loads(r["stdout_tail"].strip().splitlines()[-1]))
            except (ValueError, IndexError, KeyError):
                pass
            self.res["bulk_extend_one_call"] = r
            shutil.rmtree(alt, ignore_errors=True)

    # --- incremental build and validation ---------------------------------------------------------

    def incremental(self) -> None:
        articles = sorted((self.data / "articles").glob("synthetic-*.ttl")) or sorted((self.data / "articles").glob("*.ttl"))
        if not articles:
            self.note("no article file to change: incremental build skipped")
            return
        target = articles[len(articles) // 2]
        original = target.read_bytes()
        try:
            target.write_bytes(original + f"\n# changed by bench/run.py at {time.time()}\n".encode())
            log(f"incremental wckg build (changed {target.name})")
            # without the release bundle (rewritten whole: 13 min at 1 M), measured apart
            r = timed(wckg("build", "--no-release"), env=self.env(), timeout=self.args.validate_timeout)
            r.update(parse_build_output(r.pop("_stderr", "")))
            r["changed_file"] = target.name
            self.res["incremental_build"] = r
            if r.get("exit") not in (0, None):
                self.note(f"the incremental build exited {r.get('exit')}: {r.get('stderr_tail', '')[-400:]}")
            log("incremental wckg build --validate none (same change reverted: the reload alone)")
            target.write_bytes(original)
            r2 = timed(wckg("build", "--validate", "none"), env=self.env())
            r2.update(parse_build_output(r2.pop("_stderr", "")))
            self.res["incremental_build_no_validation"] = r2
        finally:
            target.write_bytes(original)

        if self.args.skip_full_validate:
            self.note("full validation skipped (--skip-full-validate)")
            return
        log(f"full wckg validate (capped at {self.args.validate_timeout:.0f} s)")
        r = timed(wckg("validate"), env=self.env(), timeout=self.args.validate_timeout)
        self.res["full_validate"] = r
        if "No such command" in r.get("stderr_tail", ""):
            self.note("`wckg validate` does not exist yet: full validation not measured")

    # --- opening ------------------------------------------------------------------------------------

    def open_first_query(self, store: Path, data: Path, key: str) -> None:
        code = (
            "import json, time\n"
            "t0 = time.perf_counter()\n"
            "from graph.config import Settings\n"
            "from graph.store import open_backend\n"
            "t1 = time.perf_counter()\n"
            f"s = Settings(store={str(store)!r}, data_dir={str(data)!r})\n"
            "b = open_backend(s)\n"
            "q = 'SELECT ?label WHERE { <https://w3id.org/wckg/id/organisation/undp> "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }'\n"
            "rows = b.query(q).rows\n"
            "t2 = time.perf_counter()\n"
            "rows2 = b.query(q).rows\n"
            "t3 = time.perf_counter()\n"
            "b.close()\n"
            "print(json.dumps({'imports_s': t1 - t0, 'open_and_first_query_s': t2 - t1, 'second_query_s': t3 - t2,"
            " 'rows': len(rows)}))\n")
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                self.note(f"open+first query ({key}) failed: {p.stderr[-500:]}")
                return
            d = json.loads(p.stdout.strip().splitlines()[-1])
            d["process_wall_s"] = wall
            samples.append(d)
        self.res.setdefault("open_first_query", {})[key] = {
            "runs": samples,
            "median_process_wall_s": round(statistics.median(s["process_wall_s"] for s in samples), 3),
            "median_open_and_first_query_s": round(statistics.median(s["open_and_first_query_s"] for s in samples), 3)}

    def curated_store(self) -> Path:
        store = self.work / "store-curated"
        shutil.rmtree(store, ignore_errors=True)
        log("build the curated store")
        r = timed(wckg("build", "--validate", "none"), env=self.env(store=store, data=ROOT / "data"))
        r.update(parse_build_output(r.pop("_stderr", "")))
        self.res["curated_build"] = r
        return store

    # --- named queries ---------------------------------------------------------------------

    def query_variants(self) -> list[dict[str, Any]]:
        from graph.queries import load_library
        lib = load_library(ROOT / "queries")
        hubs = self.hubs()
        variants = []
        for name, q in lib.items():
            base: dict[str, str] = {}
            missing = []
            for p in q.params:
                value = p.example if p.example is not None else p.default
                if value is None and p.required:
                    missing.append(p)
                elif value is not None:
                    base[p.name] = value
            for p in missing:
                kind = self.kind_of(p.name, None)
                if kind in hubs:
                    base[p.name] = hubs[kind][0]
                else:
                    self.note(f"{name}: required parameter {p.name} has no example and no hub: query skipped")
                    break
            else:
                always = [p for p in q.params if p.required or p.default is not None]
                category = "lookup" if any(p.name in base for p in always if p.type in ("iri", "date")) else "aggregate"
                variants.append({"query": name, "variant": "example", "category": category, "raw": dict(base),
                                 "nq": q})
                iri_params = [p for p in q.params if p.type == "iri" and p.name in base]
                if iri_params:
                    hub_raw = dict(base)
                    used: dict[str, int] = {}
                    for p in iri_params:
                        kind = self.kind_of(p.name, base[p.name])
                        if kind in hubs and hubs[kind]:
                            i = used.get(kind, 0)
                            hub_raw[p.name] = hubs[kind][min(i, len(hubs[kind]) - 1)]
                            used[kind] = i + 1
                    if hub_raw != base:
                        variants.append({"query": name, "variant": "hub", "category": category, "raw": hub_raw, "nq": q})
                optional = [p for p in q.params if not p.required and p.default is None and p.name in base]
                if optional:
                    raw = {k: v for k, v in base.items() if k not in {p.name for p in optional}}
                    cat = "lookup" if any(p.name in raw for p in always if p.type in ("iri", "date")) else "aggregate"
                    variants.append({"query": name, "variant": "unbound", "category": cat, "raw": raw, "nq": q})
        for v in variants:
            v["params"] = v["nq"].bind(v["raw"])
        return variants

    @staticmethod
    def kind_of(name: str, example: str | None) -> str | None:
        if example and example.startswith(WCID):
            return example[len(WCID):].split("/", 1)[0]
        n = name.lower()
        for key, kind in (("org", "organisation"), ("funder", "organisation"), ("party", "organisation"),
                          ("recipient", "organisation"), ("person", "person"), ("chair", "person"),
                          ("event", "event"), ("place", "place"), ("country", "place"), ("programme", "programme"),
                          ("agreement", "agreement"), ("topic", "topic"), ("resource", "event"), ("entity", "organisation"),
                          ("a", "organisation"), ("b", "organisation")):
            if n == key or n.startswith(key):
                return kind
        return None

    def hubs(self) -> dict[str, list[str]]:
        """The most connected resources of each kind (in-process, read-only store)."""
        import pyoxigraph as ox
        from graph.store import StoreLayout
        build = StoreLayout(self.store).current_build()
        st = ox.Store.read_only(str(build / "oxigraph"))
        hubs: dict[str, list[str]] = {}
        t0 = time.perf_counter()
        for kind in ("organisation", "person", "place", "programme", "topic", "policy"):
            extra = ('?x <http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/wckg/id/topic/scheme> .'
                     if kind == "topic" else "")
            q = (f'SELECT ?x (COUNT(*) AS ?n) WHERE {{ ?s ?p ?x . {extra} FILTER(STRSTARTS(STR(?x), "{WCID}{kind}/")) }} '
                 f'GROUP BY ?x ORDER BY DESC(?n) LIMIT 3')
            hubs[kind] = [r["x"].value for r in st.query(q, use_default_graph_as_union=True)]
        q = ('PREFIX wc: <https://w3id.org/wckg/ontology#> SELECT ?e (COUNT(?p) AS ?n) WHERE { ?e wc:chair ?c ; '
             'wc:participant ?p } GROUP BY ?e ORDER BY DESC(?n) LIMIT 3')
        hubs["event"] = [r["e"].value for r in st.query(q, use_default_graph_as_union=True)]
        q = ('PREFIX wc: <https://w3id.org/wckg/ontology#> SELECT ?a (COUNT(?p) AS ?n) WHERE { ?a wc:party ?p } '
             'GROUP BY ?a ORDER BY DESC(?n) LIMIT 3')
        hubs["agreement"] = [r["a"].value for r in st.query(q, use_default_graph_as_union=True)]
        del st
        self.res["hubs"] = {"iris": hubs, "seconds": round(time.perf_counter() - t0, 2)}
        return hubs

    def run_queries(self) -> list[dict[str, Any]]:  # noqa: C901 (variants, then the worker, disk and memory timings in one pass)
        from graph.store import _run_on_store, open_backend, StoreLayout
        from graph.terms import to_oxigraph
        import pyoxigraph as ox
        variants = self.query_variants()
        settings = self.settings()
        backend = open_backend(settings)
        limit = settings.max_rows
        results = []
        try:
            backend.query("ASK { ?s ?p ?o }")  # start the worker pool
            trivial = "SELECT ?x WHERE { VALUES ?x { 1 } }"
            rt = []
            for _ in range(50):
                t0 = time.perf_counter()
                backend.query(trivial)
                rt.append(time.perf_counter() - t0)
            import pyoxigraph as _ox
            mem0 = _ox.Store()
            inproc = []
            for _ in range(50):
                t0 = time.perf_counter()
                list(mem0.query(trivial))
                inproc.append(time.perf_counter() - t0)
            self.res["worker_round_trip"] = {"query": trivial, "through_worker": stats(rt), "in_process": stats(inproc)}
            log(f"worker round trip: {self.res['worker_round_trip']['through_worker'].get('median_ms')} ms")
            for v in variants:
                res = {k: v[k] for k in ("query", "variant", "category", "raw")}
                try:
                    from graph.safety import check_query
                    t0 = time.perf_counter()
                    for _ in range(3):
                        check_query(v["nq"].text)
                    res["safety_check_ms"] = round((time.perf_counter() - t0) / 3 * 1000, 2)
                except Exception as e:  # noqa: BLE001
                    res["safety_check_ms"] = f"{type(e).__name__}: {e}"
                log(f"query {v['query']} [{v['variant']}]")
                try:
                    t0 = time.perf_counter()
                    r = backend.query(v["nq"].text, params=v["params"], timeout=self.args.query_timeout, limit=limit)
                    first = time.perf_counter() - t0
                    res["first_run_s"] = round(first, 3)
                    res["rows"] = len(r.rows) if r.kind == "select" else None
                    res["truncated"] = r.truncated
                    samples = []
                    t_end = time.perf_counter() + max(0.0, self.args.query_budget - first)
                    for _ in range(self.args.runs):
                        t0 = time.perf_counter()
                        backend.query(v["nq"].text, params=v["params"], timeout=self.args.query_timeout, limit=limit)
                        samples.append(time.perf_counter() - t0)
                        if time.perf_counter() > t_end and (len(samples) >= 3 or first > self.args.query_budget / 3):
                            break
                    res["store"] = stats(samples)
                except Exception as e:  # noqa: BLE001 - a failing or stopped query is a result too
                    res["error"] = f"{type(e).__name__}: {e}"
                results.append(res)
        finally:
            backend.close()

        # the same queries in-process: on the read-only on-disk store, and on an in-memory copy
        # (--inprocess-max-ms 0: through the worker only, without the copy)
        if self.args.inprocess_max_ms <= 0:
            self.res["queries"] = results
            return variants
        build = StoreLayout(self.store).current_build()
        disk = ox.Store.read_only(str(build / "oxigraph"))
        t0 = time.perf_counter()
        mem = ox.Store()
        mem.bulk_extend(disk)
        self.res["in_memory_copy"] = {"fill_s": round(time.perf_counter() - t0, 2), "quads": len(mem)}
        for label, st in (("disk_inprocess", disk), ("memory_inprocess", mem)):
            for v, res in zip(variants, results):
                if "error" in res or res.get("store", {}).get("median_ms", 0) > self.args.inprocess_max_ms:
                    res[label] = {"skipped": "failed or slower than --inprocess-max-ms through the worker"}
                    continue
                params = {k: to_oxigraph(x) for k, x in v["params"].items()}
                samples = []
                t_end = time.perf_counter() + self.args.query_budget
                try:
                    for _ in range(self.args.runs + 1):
                        t0 = time.perf_counter()
                        _run_on_store(st, v["nq"].text, params, None, None, limit)
                        samples.append(time.perf_counter() - t0)
                        if time.perf_counter() > t_end and len(samples) >= 3:
                            break
                    res[label] = stats(samples[1:] or samples)
                    log(f"  {label} {v['query']} [{v['variant']}] {res[label].get('median_ms')} ms")
                except Exception as e:  # noqa: BLE001
                    res[label] = {"error": f"{type(e).__name__}: {e}"}
        del mem, disk
        self.res["queries"] = results
        return variants

    # --- rdflib ---------------------------------------------------------------------------------

    def rdflib(self, variants: list[dict[str, Any]]) -> None:
        triples = self.res.get("triples") or 0
        if triples > RDFLIB_MAX_TRIPLES:
            self.note(f"rdflib not run at {triples:,} triples (over {RDFLIB_MAX_TRIPLES:,})")
            return
        failed = {q["query"] for q in self.res.get("queries", []) if q["variant"] == "example" and "error" in q}
        todo = [v for v in variants if v["variant"] == "example" and v["query"] not in failed]
        out_skipped = sorted(failed)
        ctx = multiprocessing.get_context("spawn")
        out: dict[str, Any] = {"per_query": {}, "budget_s": self.args.rdflib_budget, "cap_s": self.args.rdflib_cap,
                               "not_run_because_the_store_failed": out_skipped}
        self.res["rdflib"] = out
        i = 0
        while i < len(todo):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_rdflib_worker, args=(str(self.data / "all.nq"), child), daemon=True)
            proc.start()
            log("rdflib: parsing all.nq")
            if not parent.poll(self.args.rdflib_cap * 4):
                proc.kill()
                self.note("rdflib did not finish parsing in time")
                return
            msg = parent.recv()
            out.setdefault("parse", msg)
            while i < len(todo):
                v = todo[i]
                log(f"rdflib query {v['query']}")
                parent.send((v["query"], v["nq"].text, v["params"], self.args.rdflib_runs, self.args.rdflib_budget))
                if not parent.poll(self.args.rdflib_cap):
                    proc.kill()
                    proc.join()
                    out["per_query"][v["query"]] = {"timed_out": True, "over_s": self.args.rdflib_cap}
                    i += 1
                    break  # restart the child (re-parse) for the rest
                r = parent.recv()
                if "samples" in r:
                    r["stats"] = stats(r.pop("samples"))
                out["per_query"][v["query"]] = r
                i += 1
            else:
                parent.send(None)
                proc.join(timeout=30)
        self.save()

    # --- search --------------------------------------------------------------------------

    def search(self, store: Path, key: str) -> None:
        from graph.search import SearchIndex
        from graph.store import StoreLayout
        build = StoreLayout(store).current_build()
        path = build / "search.sqlite"
        if not path.is_file():
            self.note(f"no search index at {path}")
            return
        idx = SearchIndex(path)
        words = ["ministry of water", "undp", "kazakh", "aral sea", "european union", "asian development bank",
                 "aigerim", "water code", "groundwater", "memorandum", "nur-sultan", "zh"]
        samples, per_word = [], {}
        idx.search("warm")
        for w in words:
            ws = []
            for i in range(1, len(w) + 1):
                t0 = time.perf_counter()
                hits = idx.search(w[:i])
                ws.append(time.perf_counter() - t0)
            per_word[w] = {"keystrokes": len(ws), "max_ms": round(max(ws) * 1000, 2), "hits_last": len(hits)}
            samples += ws
        self.res.setdefault("search", {})[key] = {"overall": stats(samples), "per_word": per_word}
        idx.close()

    # --- pages -----------------------------------------------------------------------------

    def pages(self, store: Path, data: Path, key: str, entity: str) -> None:
        try:
            from fastapi.testclient import TestClient
            from app.main import create_app
        except Exception as e:  # noqa: BLE001
            self.note(f"pages not measured: the app does not import ({e})")
            return
        settings = self.settings(store=store, data=data)
        out: dict[str, Any] = {}
        with TestClient(create_app(settings)) as client:
            for label, url in (("home", "/"), ("entity", entity), ("query page", "/queries/cq5-events-at-place"),
                               ("query list", "/queries"), ("search page", "/search?q=water")):
                try:
                    r = client.get(url, headers={"Accept": "text/html"})
                except Exception as e:  # noqa: BLE001
                    out[label] = {"url": url, "error": f"{type(e).__name__}: {e}"}
                    continue
                if r.status_code >= 400:
                    out[label] = {"url": url, "status": r.status_code, "skipped": "page does not exist yet or failed"}
                    continue
                samples = []
                for _ in range(self.args.page_runs):
                    t0 = time.perf_counter()
                    client.get(url, headers={"Accept": "text/html"})
                    samples.append(time.perf_counter() - t0)
                out[label] = {"url": url, "status": r.status_code, "bytes": len(r.content), **stats(samples)}
        self.res.setdefault("pages", {})[key] = out

    # --- network -------------------------------------------------------------------------------

    def network(self) -> None:
        code = (
            "import json, time\n"
            "from graph.config import Settings\n"
            "from graph.store import open_backend\n"
            "from graph import network as N\n"
            f"s = Settings(store={str(self.store)!r}, data_dir={str(self.data)!r})\n"
            "b = open_backend(s)\n"
            "t0 = time.perf_counter(); data = N.fetch_graph_data(b); t1 = time.perf_counter()\n"
            "G = N.partnership_network(data); t2 = time.perf_counter()\n"
            "m = N.compute_metrics(G); t3 = time.perf_counter()\n"
            "b.close()\n"
            "print(json.dumps({'fetch_s': t1 - t0, 'build_s': t2 - t1, 'metrics_s': t3 - t2, 'total_s': t3 - t0,"
            " 'nodes': G.number_of_nodes(), 'edges': G.number_of_edges(),"
            " 'metric_timings': getattr(m, 'timings', None)}, default=str))\n")
        log("network: fetch + build + metrics")
        r = timed([sys.executable, "-c", code], timeout=self.args.network_timeout)
        try:
            r.update(json.loads(r["stdout_tail"].strip().splitlines()[-1]))
        except (ValueError, IndexError, KeyError):
            pass
        self.res["network"] = r

    # --- all --------------------------------------------------------------------------------

    PHASES = ("load", "open", "queries", "rdflib", "search", "network", "curated", "incremental")

    def run(self) -> None:
        phases = set(self.args.phases.split(",")) if self.args.phases else set(self.PHASES)
        unknown = phases - set(self.PHASES)
        if unknown:
            raise SystemExit(f"unknown phase(s) {', '.join(sorted(unknown))}: choose from {', '.join(self.PHASES)}")
        out = Path(self.args.out)
        if self.args.merge and out.is_file():
            previous = json.loads(out.read_text())
            previous["notes"] = previous.get("notes", []) + [f"phases {','.join(sorted(phases))} re-run at "
                                                             f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}"]
            self.res = {**previous, "notes": previous["notes"]}
        self.versions()
        self.generate()
        self.save()
        if "load" in phases:
            self.load()
            self.save()
        else:
            from graph.store import StoreLayout
            manifest = StoreLayout(self.store).manifest()
            if not manifest:
                raise SystemExit(f"no store at {self.store}: run the load phase first")
            self.res["triples"] = manifest.get("triples")
        if "open" in phases:
            self.open_first_query(self.store, self.data, self.scale)
            self.save()
        variants = None
        if "queries" in phases:
            variants = self.run_queries()
            self.save()
        if "rdflib" in phases and self.args.rdflib:
            self.rdflib(variants if variants is not None else self.query_variants())
            self.save()
        if "search" in phases:
            self.search(self.store, self.scale)
            self.save()
        if "network" in phases and not self.args.skip_network:
            self.network()
            self.save()
        if "curated" in phases:
            curated = self.curated_store()
            self.open_first_query(curated, ROOT / "data", "curated")
            self.search(curated, "curated")
            self.pages(curated, ROOT / "data", "curated", "/id/organisation/undp")
            hubs = self.res.get("hubs", {}).get("iris", {}).get("organisation") or []
            entity = "/id/" + hubs[0][len(WCID):] if hubs else "/id/organisation/undp"
            self.pages(self.store, self.data, self.scale, entity)
            self.save()
        if "incremental" in phases and not self.args.skip_incremental:
            self.incremental()
            self.save()
        self.res["versions"]["loadavg_end"] = os.getloadavg()
        self.res["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.save()
        if not self.args.keep:
            shutil.rmtree(self.store, ignore_errors=True)
            shutil.rmtree(self.work / "store-curated", ignore_errors=True)
        log(f"results in {self.args.out}")


def _rdflib_worker(nq_path: str, conn) -> None:
    """Child process: parse all.nq into an rdflib Dataset (default graph = union), then
    answer (name, text, params, runs, budget) requests with timings."""
    import rdflib
    t0 = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(nq_path, format="nquads")
    import resource
    conn.send({"parse_s": round(time.perf_counter() - t0, 1), "quads": len(ds),
               "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
    while True:
        task = conn.recv()
        if task is None:
            return
        name, text, params, runs, budget = task
        samples, rows, err = [], None, None
        t_end = time.perf_counter() + budget
        try:
            for _ in range(runs):
                t0 = time.perf_counter()
                res = ds.query(text, initBindings=params)
                rows = len(list(res)) if res.type == "SELECT" else None
                samples.append(time.perf_counter() - t0)
                if time.perf_counter() > t_end:
                    break
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {str(e)[:300]}"
        conn.send({"samples": samples, "rows": rows, "error": err})


def _bulk_extend(data: str, dest: str) -> None:
    """One Store.bulk_extend over every file the build discovers (what `wckg build` could do)."""
    import itertools
    import pyoxigraph as ox
    from graph.config import Settings
    from graph.load import discover, rdf_format
    t0 = time.perf_counter()
    files = discover(Settings(data_dir=Path(data), ontology_dir=ROOT / "ontology"))

    def quads():
        for f in files:
            g = ox.NamedNode(f.graph)
            for q in ox.parse(path=str(f.path), format=rdf_format(f.path)):
                yield ox.Quad(q.subject, q.predicate, q.object, g)

    st = ox.Store(dest)
    st.bulk_extend(quads())
    st.flush()
    n = len(st)
    del st
    print(json.dumps({"files": len(files), "quads": n, "load_s": round(time.perf_counter() - t0, 2)}))
    del itertools


# ======================================================================================
# Markdown tables from result files
# ======================================================================================

def fmt_ms(d: dict | None) -> str:
    if not d or "median_ms" not in d:
        return "–"
    return f"{d['median_ms']:.1f} / {d['p95_ms']:.1f}"


def targets(r: dict) -> list[tuple[str, str, str, str]]:
    """(target, measured, met?, scale) rows for one result file."""
    rows = []
    sc = r.get("scale")
    b, o = r.get("wckg_build", {}), r.get("oxigraph_load", {})
    if b.get("load_s") and o.get("wall_s"):
        ratio = b["load_s"] / o["wall_s"]
        rows.append(("build (load alone) within 1.5x of `oxigraph load`",
                     f"{b['load_s']:.1f} s vs {o['wall_s']:.1f} s = {ratio:.2f}x (whole command {b.get('wall_s')} s "
                     f"= {b.get('wall_s', 0) / o['wall_s']:.2f}x)", "yes" if ratio <= 1.5 else "no", sc))
    if b.get("peak_rss_mib"):
        rows.append(("build peak memory under 2 GiB", f"{b['peak_rss_mib']:.0f} MiB",
                     "yes" if b["peak_rss_mib"] < 2048 else "no", sc))
    qs = [q for q in r.get("queries", [])]
    for cat, limit in (("lookup", 10.0), ("aggregate", 500.0)):
        sel = [q for q in qs if q["category"] == cat]
        if not sel:
            continue
        ok = [q for q in sel if q.get("store", {}).get("median_ms", 1e12) < limit]
        miss = [f"{q['query']}[{q['variant']}] " + (f"{q['store']['median_ms']:.0f} ms" if "store" in q else "stopped")
                for q in sel if q not in ok]
        rows.append((f"{cat} queries: median under {limit:g} ms, `open_backend().query` repeated (as served: "
                     f"the store's answer cache, when it has one, answers repeats)",
                     f"{len(ok)} of {len(sel)} variants" + (f"; missed: {', '.join(miss)}" if miss else ""),
                     "yes" if not miss else "no", sc))
        ok_first = [q for q in sel if q.get("first_run_s") is not None and q["first_run_s"] * 1000 < limit]
        miss_first = [f"{q['query']}[{q['variant']}] " + (f"{q['first_run_s'] * 1000:.0f} ms" if q.get("first_run_s")
                                                           is not None else "stopped")
                      for q in sel if q not in ok_first]
        rows.append((f"{cat} queries: first answer (new parameters, nothing cached) under {limit:g} ms",
                     f"{len(ok_first)} of {len(sel)} variants" + (f"; missed: {', '.join(miss_first)}" if miss_first else ""),
                     "yes" if not miss_first else "no", sc))
        ok_mem = [q for q in sel if q.get("memory_inprocess", {}).get("median_ms", 1e12) < limit]
        rows.append((f"{cat} queries under {limit:g} ms on an in-memory copy, in-process (variant)",
                     f"{len(ok_mem)} of {len(sel)} variants", "yes" if len(ok_mem) == len(sel) else "no", sc))
    rq = r.get("rdflib", {}).get("per_query", {})
    pairs = []
    for q in qs:
        if q["variant"] != "example" or q["query"] not in rq or "store" not in q:
            continue
        x = rq[q["query"]]
        if x.get("stats", {}).get("n"):
            pairs.append((q["store"]["median_ms"], x["stats"]["median_ms"], False))
        elif x.get("timed_out"):
            pairs.append((q["store"]["median_ms"], x["over_s"] * 1000, True))
    if pairs:
        ours = statistics.median(p[0] for p in pairs)
        theirs = statistics.median(p[1] for p in pairs)
        mem = [q.get("memory_inprocess", {}).get("median_ms") for q in qs
               if q["variant"] == "example" and q["query"] in rq and "store" in q]
        mem = [m for m in mem if m is not None]
        lb = any(p[2] for p in pairs)
        firsts = [q.get("first_run_s") for q in qs if q["variant"] == "example" and q["query"] in rq and "store" in q
                  and (rq[q["query"]].get("stats", {}).get("n") or rq[q["query"]].get("timed_out"))]
        firsts = [f * 1000 for f in firsts if f is not None]
        if firsts:
            rows.append(("library median at least 20x faster than rdflib's engine, first (uncached) answers",
                         f"{statistics.median(firsts):.0f} ms vs rdflib {theirs:.0f} ms = "
                         f"{theirs / statistics.median(firsts):.1f}x", "yes" if theirs / statistics.median(firsts) >= 20
                         else "no", sc))
        rows.append(("library median at least 20x faster than rdflib's engine",
                     f"median of medians over {len(pairs)} queries: {ours:.2f} ms vs rdflib {theirs:.0f} ms"
                     f"{' (a lower bound: some rdflib runs were stopped)' if lb else ''} = {theirs / ours:.1f}x"
                     + (f"; in-memory in-process {statistics.median(mem):.0f} ms = {theirs / statistics.median(mem):.1f}x"
                        if mem else ""),
                     "yes" if theirs / ours >= 20 else "no", sc))
    for key, limit in (("curated", 1.0), (sc, 10.0)):
        d = r.get("open_first_query", {}).get(key)
        if d:
            rows.append((f"open the store and answer a first query ({key}) under {limit:g} s",
                         f"{d['median_open_and_first_query_s']:.2f} s after imports; {d['median_process_wall_s']:.2f} s "
                         f"from process start", "yes" if d["median_open_and_first_query_s"] < limit else "no", key))
    for key, pages in r.get("pages", {}).items():
        for label, d in pages.items():
            if "median_ms" in d:
                rows.append((f"page `{d['url']}` under 200 ms ({key})", f"median {d['median_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms",
                             "yes" if d["median_ms"] < 200 else "no", key))
            else:
                rows.append((f"page {label} ({key})", d.get("skipped") or d.get("error", "?"), "not measured", key))
    for key, d in r.get("search", {}).items():
        o = d["overall"]
        rows.append((f"search under 20 ms per keystroke ({key})", f"median {o['median_ms']:.1f} ms, p95 {o['p95_ms']:.1f} ms, "
                     f"max {o['max_ms']:.1f} ms over {o['n']} keystrokes", "yes" if o["p95_ms"] < 20 else "no", key))
    n = r.get("network")
    if n:
        if "total_s" in n:
            rows.append(("network build + metrics under 30 s", f"{n['total_s']:.1f} s (fetch {n['fetch_s']:.1f}, build "
                         f"{n['build_s']:.1f}, metrics {n['metrics_s']:.1f}; {n['nodes']} nodes, {n['edges']} edges)",
                         "yes" if n["total_s"] < 30 else "no", sc))
        else:
            rows.append(("network build + metrics under 30 s", "failed or stopped: " + (n.get("stderr_tail") or "")[-200:],
                         "no", sc))
    inc = r.get("incremental_build")
    if inc:
        rows.append(("rebuild after one changed article (validates that article)",
                     f"{inc.get('wall_s')} s whole command; validation {inc.get('validate_s')} s, load {inc.get('load_s')} s, "
                     f"index {inc.get('index_s')} s; {inc.get('validation', '')}", "reported", sc))
    fv = r.get("full_validate")
    if fv:
        rows.append(("full `wckg validate` (separate step)",
                     (f"stopped after {fv['timeout_s']:.0f} s" if fv.get("timed_out") else
                      f"{fv.get('wall_s')} s, peak {fv.get('peak_rss_mib')} MiB, exit {fv.get('exit')}"), "reported", sc))
    return rows


def markdown(paths: list[Path]) -> str:
    out = []
    for path in paths:
        r = json.loads(path.read_text())
        out.append(f"#### Targets at {r['scale']}\n\n| target | measured | met |\n| --- | --- | --- |")
        out += [f"| {t} | {m} | {ok} |" for t, m, ok, _ in targets(r)]
        out.append("")
    for path in paths:
        r = json.loads(path.read_text())
        v = r.get("versions", {})
        out.append(f"### Scale {r['scale']}: {r.get('triples') or 0:,} triples ({path.name})\n")
        out.append(f"Python {v.get('python')}, pyoxigraph {v.get('pyoxigraph')}, {v.get('oxigraph_cli')}, "
                   f"rdflib {v.get('rdflib')}, pyshacl {v.get('pyshacl')}, networkx {v.get('networkx')}; "
                   f"{v.get('cpus')} cores, {v.get('mem_total_gib')} GiB; commit {v.get('git_head')}; "
                   f"load average at start {tuple(round(x, 1) for x in v.get('loadavg_start', []))}, "
                   f"at end {tuple(round(x, 1) for x in v.get('loadavg_end', []))}.\n")
        m = r.get("data_manifest", {})
        out.append(f"Data: {m.get('quads', 0):,} quads generated, {m.get('ttl_files')} Turtle files, "
                   f"all.nq {m.get('all_nq_mib')} MiB.\n")
        b, o, a = r.get("wckg_build", {}), r.get("oxigraph_load", {}), r.get("bulk_extend_one_call", {})
        out.append("| load | wall (s) | load alone (s) | peak RSS (MiB) |\n| --- | ---: | ---: | ---: |")
        out.append(f"| `oxigraph load` all.nq | {o.get('wall_s')} | {o.get('wall_s')} | {o.get('peak_rss_mib')} |")
        out.append(f"| `wckg build --validate none` | {b.get('wall_s')} | {b.get('load_s')} | {b.get('peak_rss_mib')} |")
        if a:
            out.append(f"| one `Store.bulk_extend` over every file (reference) | {a.get('wall_s')} | {a.get('load_s')} "
                       f"| {a.get('peak_rss_mib')} |")
        out.append("")
        if r.get("queries"):
            out.append("| query | variant | class | rows | first answer ms | repeated: median / p95 ms | engine on disk "
                       "(in-process) | engine in memory | rdflib median ms |\n"
                       "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            rq = r.get("rdflib", {}).get("per_query", {})
            for q in r["queries"]:
                rl = ""
                if q["variant"] == "example" and q["query"] in rq:
                    x = rq[q["query"]]
                    rl = (f"> {x['over_s']} s (stopped)" if x.get("timed_out") else
                          f"error: {x['error'][:60]}" if x.get("error") else
                          f"{x['stats']['median_ms']:.0f} (n={x['stats']['n']})" if x.get("stats", {}).get("n") else "–")
                rows = q.get("rows")
                rows = f"{rows}{'+' if q.get('truncated') else ''}" if rows is not None else "–"
                first = f"{q['first_run_s'] * 1000:.0f}" if q.get("first_run_s") is not None else "–"
                out.append(f"| {q['query']} | {q['variant']} | {q['category']} | {rows} | {first} | "
                           f"{fmt_ms(q.get('store')) if 'error' not in q else 'error: ' + q['error'].splitlines()[0][:70]} | "
                           f"{fmt_ms(q.get('disk_inprocess'))} | {fmt_ms(q.get('memory_inprocess'))} | {rl} |")
            out.append("")
        rp = r.get("rdflib", {}).get("parse")
        if rp:
            out.append(f"rdflib: parsing all.nq took {rp.get('parse_s')} s ({rp.get('quads'):,} triples in the union, "
                       f"peak {rp.get('peak_rss_mib')} MiB); each query at most {r['rdflib'].get('cap_s')} s.\n")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="100k", help="100k, 1m, 5m (the generator's scale)")
    ap.add_argument("--data", help="generated data directory (default WORK/SCALE; generated when missing)")
    ap.add_argument("--work", default="/tmp/wckg-bench", help="where data, stores and scratch go")
    ap.add_argument("--out", help="JSON results (default bench/out/SCALE.json)")
    ap.add_argument("--rdflib", action="store_true", help="also time rdflib's engine (refused above 2 M triples)")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per query (after one warm-up)")
    ap.add_argument("--query-budget", type=float, default=20.0, help="seconds per query variant before fewer runs")
    ap.add_argument("--query-timeout", type=float, default=60.0, help="stop a query (its worker) after this")
    ap.add_argument("--inprocess-max-ms", type=float, default=5000.0,  # 0: no in-process timings
                    help="skip the in-process (disk, memory) timings of queries slower than this through the worker")
    ap.add_argument("--rdflib-runs", type=int, default=3)
    ap.add_argument("--rdflib-budget", type=float, default=60.0, help="stop repeating an rdflib query after this")
    ap.add_argument("--rdflib-cap", type=float, default=180.0, help="kill an rdflib query after this many seconds")
    ap.add_argument("--validate-timeout", type=float, default=900.0)
    ap.add_argument("--network-timeout", type=float, default=600.0)
    ap.add_argument("--page-runs", type=int, default=20)
    ap.add_argument("--skip-incremental", action="store_true")
    ap.add_argument("--skip-full-validate", action="store_true")
    ap.add_argument("--skip-network", action="store_true")
    ap.add_argument("--no-alt-load", action="store_true", help="skip the one-call bulk_extend reference load")
    ap.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    ap.add_argument("--phases", help="comma-separated subset of: " + ", ".join(Bench.PHASES)
                    + " (default all; without load, the store of an earlier --keep run is used)")
    ap.add_argument("--merge", action="store_true", help="update the --out file of an earlier run instead of replacing it")
    ap.add_argument("--markdown", nargs="+", type=Path, help="print the tables of these result files and exit")
    ap.add_argument("--internal-bulk-extend", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.internal_bulk_extend:
        _bulk_extend(*args.internal_bulk_extend)
        return 0
    if args.markdown:
        print(markdown(args.markdown))
        return 0
    args.out = args.out or str(ROOT / "bench" / "out" / f"{args.scale}.json")
    Bench(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
