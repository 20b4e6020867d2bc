"""A remote SPARQL 1.1 server as the store (``WCKG_BACKEND=remote``): queries over the
SPARQL 1.1 Protocol, builds over the Graph Store HTTP Protocol. ``graph.store`` re-exports
:class:`RemoteStore`."""
from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator, Sequence
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
from .safety import refusal
from .sparqltext import query_dataset
from .storebase import BuildInfo, BuildReport, StoreLayout, _Backend, _new_build_id, changed_graphs, file_manifest, rebase
from .workers import AnswerCut, AnswerTooLarge, collect_answer

class RemoteStore(_Backend):
    """Any server speaking the SPARQL 1.1 Protocol (query, update) and the Graph Store
    HTTP Protocol: Oxigraph, Fuseki, GraphDB, Virtuoso, Neptune, QLever.

    The default graph must be the union of the named graphs on the server (see README).
    Parameters are sent as a ``VALUES`` block of N-Triples terms serialised by pyoxigraph,
    placed just inside the outermost ``WHERE {``, and written into the query's triple
    patterns (see :func:`graph.queries.bind_params`): the values a user typed never
    become query text, only terms serialised by pyoxigraph.
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
        """The query as the server will read it is checked (:mod:`graph.safety`), sent, and
        its answer read as a stream under the same bounds as the embedded store's: *timeout*
        for the whole exchange (not per read), *limit* rows and *max_bytes* counted row by
        row exactly as the embedded store counts them (:func:`graph.workers.collect_answer`),
        and never more than :func:`raw_cap` bytes read from the server. Past a bound the
        connection is closed."""
        if params:
            # a VALUES block inside the outermost WHERE, so the query's FILTERs see the
            # values as they do with pyoxigraph's substitutions (a trailing VALUES would not)
            from .queries import bind_params
            text = bind_params(text, params)
        # a remote server cannot be sandboxed from here: the lexical check of the text as
        # sent is the guard (firewall the server, and refuse SERVICE there: see README)
        kind = refusal(text)
        if kind is not None:
            return kind
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
        seconds = timeout or self.settings.remote_timeout
        stop = _Deadline(seconds, self.query_url)
        try:
            with self._client.stream("POST", self.query_url, content=text.encode(), headers=headers,
                                     params=form_params, timeout=seconds) as r:
                self._check_status(r, "POST", self.query_url)
                ctype = r.headers.get("content-type", "").split(";")[0].strip()
                body = _CappedStream(r.iter_bytes(), raw_cap(max_bytes), stop)
                try:
                    if ctype in ("application/sparql-results+json", "application/json"):
                        answer = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
                    elif ctype in ("application/n-triples", "text/plain"):
                        answer = ox.parse(body, ox.RdfFormat.N_TRIPLES)
                    else:
                        raise RemoteStoreError(f"{self.query_url} answered with unexpected type {ctype!r}")
                    return collect_answer(answer, limit, max_bytes, deadline=stop)
                except (AnswerTooLarge, AnswerCut) as e:  # AnswerCut: before the first row
                    return "too-large", str(e.size).encode(), False
                except SyntaxError as e:
                    raise RemoteStoreError(f"{self.query_url} sent an answer that does not parse: {e}") from None
        except httpx.TimeoutException:
            raise QueryTimeout(f"{self.query_url} did not answer within the time limit of {seconds:g} s") from None
        except httpx.HTTPError as e:
            raise RemoteStoreError(f"cannot reach the SPARQL server at {self.query_url}: {e}",
                                   hint="check WCKG_REMOTE_QUERY_URL and that the server is running") from None

    @staticmethod
    def _check_status(r: httpx.Response, method: str, url: str) -> None:
        """A streamed answer's error status, with the first KiB of its body (never all of it)."""
        if r.status_code < 400:
            return
        head = b""
        for chunk in r.iter_bytes():
            head += chunk
            if len(head) >= 1024:
                break
        text = head[:1024].decode("utf-8", "replace")
        if r.status_code == 400:
            raise QuerySyntaxError(f"the server at {url} rejected the query: {text[:500]}")
        raise RemoteStoreError(f"{method} {url} failed with HTTP {r.status_code}: {text[:300]}",
                               hint="check the URL, credentials and the server's log")

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


#: Bytes read from a remote server for one answer at most, beyond what the answer may
#: take once re-serialised (``max_bytes``): room for the server's own, wordier encoding.
RAW_CAP_FACTOR = 2
RAW_CAP_SLACK = 64 * 1024


def raw_cap(max_bytes: int | None) -> int | None:
    """How many bytes of a remote answer are read at most (None: no cap, the library's own queries)."""
    return max_bytes * RAW_CAP_FACTOR + RAW_CAP_SLACK if max_bytes else None


class _Deadline:
    """The time limit of one remote query as a whole (httpx's timeout is per read: a server
    that trickles bytes would never reach it)."""

    def __init__(self, seconds: float, url: str):
        self.at = time.monotonic() + seconds
        self.seconds = seconds
        self.url = url

    def __call__(self) -> None:
        if time.monotonic() > self.at:
            raise QueryTimeout(f"{self.url} did not finish its answer within the time limit of {self.seconds:g} s",
                               hint="narrow the query (filters, LIMIT) or raise --timeout")


class _CappedStream(io.RawIOBase):
    """A remote answer's bytes as a file for pyoxigraph's streaming parsers, stopping at
    *cap* bytes (:class:`graph.workers.AnswerCut`: the rows parsed before stand) or at the
    deadline (:class:`QueryTimeout`)."""

    def __init__(self, chunks: Iterator[bytes], cap: int | None, deadline: _Deadline):
        self.chunks = chunks
        self.cap = cap
        self.deadline = deadline
        self.read_so_far = 0
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self.pending:
            self.deadline()
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.read_so_far += len(chunk)
            if self.cap is not None and self.read_so_far > self.cap:
                raise AnswerCut(self.read_so_far)
            self.pending = chunk
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n
