"""A remote SPARQL 1.1 server as the store (``WCKG_BACKEND=remote``): queries over the
SPARQL 1.1 Protocol, builds over the Graph Store HTTP Protocol. ``graph.store`` re-exports
:class:`RemoteStore`."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from .atomic import atomic_write
from .config import Settings
from .errors import ConfigError, QuerySyntaxError, QueryTimeout, RemoteStoreError, ValidationFailed
from .load import DataFile, discover, iter_quads
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE
from .results import ask_json, select_json
from .safety import check_query
from .sparqltext import query_dataset
from .storebase import BuildInfo, BuildReport, StoreLayout, _Backend, _new_build_id, changed_graphs, file_manifest, rebase

class RemoteStore(_Backend):
    """Any server speaking the SPARQL 1.1 Protocol (query, update) and the Graph Store
    HTTP Protocol: Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune, QLever.

    The default graph must be the union of the named graphs on the server (see README).
    Parameters are sent as a ``VALUES`` block of N-Triples terms serialised by pyoxigraph,
    placed just inside the outermost ``WHERE {`` (see :func:`graph.queries.bind_as_values`):
    the values a user typed never become query text.
    """

    backend = "remote"
    capabilities = frozenset({"query-timeout"})

    def __init__(self, settings: Settings):
        self.settings = settings
        if not settings.remote_query_url:
            raise ConfigError("WCKG_REMOTE_QUERY_URL is not set",
                              hint="set it to the server's SPARQL query endpoint, e.g. http://localhost:7878/query")
        auth = None
        if settings.remote_user:
            pw = settings.remote_password.get_secret_value() if settings.remote_password else ""
            auth = httpx.BasicAuth(settings.remote_user, pw)
        #: the query endpoint (checked above)
        self.query_url: str = settings.remote_query_url
        self._client = httpx.Client(auth=auth, timeout=settings.remote_timeout, follow_redirects=False)
        self.layout = StoreLayout(settings.store)

    @property
    def search_index_path(self) -> Path:
        return self.layout.root / "remote-search.sqlite"

    def _request(self, method: str, url: str, **kw) -> httpx.Response:
        try:
            r = self._client.request(method, url, **kw)
        except httpx.TimeoutException:
            raise QueryTimeout(f"{url} did not answer within the time limit") from None
        except httpx.HTTPError as e:
            raise RemoteStoreError(f"cannot reach the SPARQL server at {url}: {e}",
                                   hint="check WCKG_REMOTE_QUERY_URL and that the server is running") from None
        if r.status_code == 400:
            raise QuerySyntaxError(f"the server at {url} rejected the query: {r.text[:500]}")
        if r.status_code >= 400:
            raise RemoteStoreError(f"{method} {url} failed with HTTP {r.status_code}: {r.text[:300]}",
                                   hint="check the URL, credentials and the server's log")
        return r

    def _execute(self, text, params, timeout, limit, default_graphs, named_graphs, max_bytes=None, lane="site"):
        # a remote server cannot be sandboxed from here: the lexical check is the guard
        # (configure the server itself to refuse SERVICE, see README)
        check_query(text)
        if params:
            # a VALUES block inside the outermost WHERE, so the query's FILTERs see the
            # values as they do with pyoxigraph's substitutions (a trailing VALUES would not)
            from .queries import bind_as_values
            text = bind_as_values(text, params)
        if not default_graphs and not named_graphs:
            # the server's union default graph would replace the query's FROM / FROM NAMED:
            # send them as the Protocol's dataset parameters, which it honours
            ds = query_dataset(text)
            if ds is not None:
                default_graphs, named_graphs = ds.default, ds.named
        form_params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs]
        form_params += [("named-graph-uri", g) for g in named_graphs]
        headers = {"Content-Type": "application/sparql-query",
                   "Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
        r = self._request("POST", self.query_url, content=text.encode(), headers=headers,
                          params=form_params, timeout=timeout or self.settings.remote_timeout)
        if max_bytes and len(r.content) > max_bytes * 2:
            return "too-large", str(len(r.content)).encode(), False
        ctype = r.headers.get("content-type", "").split(";")[0].strip()
        if ctype in ("application/sparql-results+json", "application/json"):
            data = r.json()
            if "boolean" in data:
                return "ask", ask_json(data["boolean"]), False
            rows = data["results"]["bindings"]
            truncated = limit is not None and len(rows) > limit
            return "select", select_json(data["head"].get("vars", []), rows[:limit] if truncated else rows), truncated
        if ctype in ("application/n-triples", "text/plain"):
            lines = list(dict.fromkeys(line for line in r.text.splitlines(keepends=True) if line.strip()))
            truncated = limit is not None and len(lines) > limit
            return "graph", "".join(lines[:limit] if truncated else lines).encode(), truncated
        raise RemoteStoreError(f"{self.query_url} answered with unexpected type {ctype!r}")

    def health(self, timeout: float) -> dict:
        """Ask the server directly (never a cache) within *timeout* seconds."""
        out: dict[str, Any] = {"backend": "remote"}
        t0 = time.perf_counter()
        try:
            r = self._client.post(self.query_url, content=b"ASK { GRAPH ?g { ?s ?p ?o } }",
                                  headers={"Content-Type": "application/sparql-query",
                                           "Accept": "application/sparql-results+json"}, timeout=timeout)
            r.raise_for_status()
            has_data = bool(r.json().get("boolean"))
        except (httpx.HTTPError, ValueError) as e:
            return {**out, "ok": False, "failing": "store", "error": type(e).__name__,
                    "ms": round((time.perf_counter() - t0) * 1000, 1)}
        return {**out, "ok": has_data, "store": True, "has_data": has_data,
                "ms": round((time.perf_counter() - t0) * 1000, 1), **({} if has_data else {"failing": "store"})}

    def ready(self) -> dict:
        return {"ok": True, "store": True}

    def info(self) -> BuildInfo:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        graphs = {str(r["g"]): int(r["n"]) for r in rows}
        manifest = self._local_manifest()
        return BuildInfo(build_id=manifest.get("build_id", "remote"), built_at=manifest.get("built_at", ""),
                         triples=sum(graphs.values()), graphs=graphs, files=manifest.get("files", {}),
                         backend="remote", location=self.query_url)

    def _manifest_path(self) -> Path:
        import hashlib
        key = hashlib.sha256((self.settings.remote_gsp_url or self.query_url).encode()).hexdigest()[:12]
        return self.layout.root / f"remote-{key}.json"

    def _local_manifest(self) -> dict:
        p = self._manifest_path()
        return json.loads(p.read_text()) if p.is_file() else {}

    def build(self, *, force: bool = False, validate: str = "changed",
              progress: Callable[[str, int, int], None] | None = None,
              files: Sequence[DataFile] | None = None) -> BuildReport:
        """Validate locally, then PUT each changed named graph over the Graph Store Protocol.
        Each PUT replaces one graph atomically on the server; nothing is sent when the
        validation fails."""
        if not self.settings.remote_gsp_url:
            raise ConfigError("WCKG_REMOTE_GSP_URL is not set",
                              hint="set it to the server's Graph Store Protocol endpoint, e.g. http://localhost:7878/store")
        files = list(files) if files is not None else discover(self.settings)
        new_manifest = file_manifest(files, self.settings)
        old = self._local_manifest()
        changed, removed = changed_graphs(old.get("files", {}), new_manifest)
        if force or not old:
            changed = {f.graph for f in files}
        t0 = time.perf_counter()
        report = None
        if validate != "none" and (changed or removed):
            from .validate import validate as run_validation
            scope = None if (validate == "full" or force or not old or
                             changed & {str(GRAPH_ONTOLOGY), str(GRAPH_REFERENCE)}) else set(changed)
            report = run_validation(self.settings, files, graphs=scope)
            if not report.conforms:
                raise ValidationFailed(report)
        validate_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i, g in enumerate(sorted(changed), 1):
            quads = [q for f in files if f.graph == g for q in iter_quads(f, base_iri=self.settings.base_iri)]
            body = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                                format=ox.RdfFormat.N_TRIPLES)
            self._request("PUT", self._gsp_url(), params={"graph": rebase(g, self.settings.base_iri)},
                          content=body,
                          headers={"Content-Type": "application/n-triples"})
            if progress:
                progress(f"PUT {g}", i, len(changed))
        for g in sorted(removed):
            self._request("DELETE", self._gsp_url(), params={"graph": rebase(g, self.settings.base_iri)})
        if changed or removed:
            self._put_derived(files)
        load_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        from . import search
        self.layout.root.mkdir(parents=True, exist_ok=True)
        search.build_index_from_backend(self, self.search_index_path, base=self.settings.base_iri)
        index_seconds = time.perf_counter() - t0
        build_id = _new_build_id(new_manifest)
        info_graphs = self.info().graphs
        manifest = {"build_id": build_id, "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "files": new_manifest, "graphs": info_graphs, "triples": sum(info_graphs.values())}
        atomic_write(self._manifest_path(), json.dumps(manifest, indent=2, sort_keys=True))
        return BuildReport(build_id, sorted(changed), sorted(set(info_graphs) - changed), sorted(removed),
                           sum(info_graphs.values()), load_seconds, validate_seconds, index_seconds, validation=report,
                           up_to_date=not changed and not removed)

    def _gsp_url(self) -> str:
        if not self.settings.remote_gsp_url:
            raise ConfigError("WCKG_REMOTE_GSP_URL is not set",
                              hint="set it to the server's Graph Store Protocol endpoint, e.g. http://localhost:7878/store")
        return self.settings.remote_gsp_url

    def _put_derived(self, files: Sequence[DataFile]) -> None:
        """The derived graph (graph.derived) and the RDFS entailments (graph.entail) of the
        files, computed here on an in-memory copy and PUT like any other graph (replacing
        those of the previous build)."""
        from . import derived
        mem = ox.Store()
        mem.bulk_extend(q for f in files for q in iter_quads(f, base_iri=self.settings.base_iri))
        from . import entail
        derived.derive(mem, self.settings.base_iri)   # computes the entailed graph too
        for g in (derived.graph_name(self.settings.base_iri), entail.graph_name(self.settings.base_iri)):
            body = ox.serialize((ox.Triple(q.subject, q.predicate, q.object)
                                 for q in mem.quads_for_pattern(None, None, None, g)),
                                format=ox.RdfFormat.N_TRIPLES)
            self._request("PUT", self._gsp_url(), params={"graph": g.value}, content=body,
                          headers={"Content-Type": "application/n-triples"})

    def close(self) -> None:
        self._client.close()
