"""Building the store: ``wckg build`` (:func:`build`); the release bundle of a build is
:mod:`graph.release`'s (its names are re-exported here).

An embedded build (layout in :mod:`graph.store`) validates what changed, loads it into a
fresh directory beside the live one, computes optional network metrics, writes the label
index (:mod:`graph.search`) and, when asked, the release bundle (:mod:`graph.publish`:
dumps, ontology, VoID, DCAT-AP catalogue) into ``builds/{id}/release/``, then swaps the
``current`` symlink. A rebuild starts from a copy of the current build: it drops the changed
graphs and loads their files, then updates the derived graph for the subjects the change
affects (:class:`graph.derived.Update`, from the quads that went and came) and the previous
build's label index for the resources they mention (:mod:`graph.search_update`); the graph
counts of the kept graphs come from the current manifest. The site serves that bundle as it is (``/downloads``, ``/catalog``,
``/.well-known/void``): nothing is published inside a request. A remote build PUTs the
changed graphs to the server and keeps its bundle in ``{store}/release/``.
"""
from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import bulkload, derived, entail
from .atomic import fsync_path
from .config import Settings
from .errors import StoreError, ValidationFailed
from .load import DataFile, discover, iter_quads
from .namespaces import GRAPH_ONTOLOGY, GRAPH_REFERENCE, WCID_DEFAULT
from .release import RELEASE, make_release, publish_from, release_dir
from .store import (METRICS_GRAPH, BuildReport, RemoteStore, StoreLayout, _info_from_manifest, _new_build_id,
                    _OpenStore, changed_graphs, rebase)
from .terms import to_oxigraph, to_rdflib

#: Tables the derivations keep between builds (graph.derived), inside a build directory.
DERIVED_STATE = "derived-state"


# ======================================================================================
# The embedded store: building
# ======================================================================================

@contextlib.contextmanager
def _exclusive(layout: StoreLayout):
    layout.root.mkdir(parents=True, exist_ok=True)
    with open(layout.lock, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(f"another `wckg build` is running on {layout.root}",
                             hint="wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_orphans(layout: StoreLayout, keep: Iterable[Path | None]) -> list[Path]:
    """Remove half-built directories and builds older than the current and previous one."""
    keep = {p.resolve() for p in keep if p}
    removed: list[Path] = []
    if not layout.builds.is_dir():
        return removed
    for d in layout.builds.iterdir():
        if d.resolve() in keep:
            continue
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed




# (the steps before the load and the label index are functions of their own)
# long: one transaction from the load to the swap: its steps share the lock, the temporary directory, the open store and the clean-up on failure
def build(settings: Settings, *, force: bool = False, validate: str = "changed",  # noqa: C901 (as its # long: says)
          progress: Callable[[str, int, int], None] | None = None,
          files: Sequence[DataFile] | None = None, metrics: bool = False,
          release: bool = False, allow_removal: bool = False,
          append: Mapping[str, Sequence[DataFile]] | None = None) -> BuildReport:
    """Build (or incrementally rebuild) the embedded store; atomic (see the module docstring).

    ``validate``: "changed" validates the units of the changed graphs (all of them when the
    ontology or reference data changed), "full" every unit, "none" skips validation.
    ``progress(stage, done, total)`` is called as files load. ``metrics`` computes the
    partnership-network metrics on the new store and adds them as the named graph
    ``wcid:graph/metrics`` (queryable in SPARQL); without it a metrics graph of an earlier
    build is dropped, since it would describe data that changed. A build that would empty a
    graph of the current store, or drop most of one, raises :class:`graph.dataloss.DataLossError`
    unless ``allow_removal``. ``release`` also writes
    the release bundle (:func:`make_release`) of the new build into it, from the new
    store, behind the build's own validation; a build with ``validate="none"`` makes none.
    ``append`` (graph → files holding exactly the triples that graph gained) extends those
    graphs of the current build in place instead of reloading every file that feeds them:
    for a caller that knows its change only adds (a landed article's new entities, see
    graph.review.land); ignored by a first or forced build.
    """
    if settings.backend == "remote":
        remote = RemoteStore(settings).build(force=force, validate=validate, progress=progress, files=files)
        if release and validate != "none" and (not remote.up_to_date or release_dir(settings) is None):
            remote.release = make_release(settings, validate=False)
        return remote
    layout = StoreLayout(settings.store)
    files = list(files) if files is not None else discover(settings)
    with _exclusive(layout):
        current = layout.current_build()
        previous = _previous_build(layout)
        _clean_orphans(layout, [current, previous])
        old = (layout.manifest() or {}) if current else {}
        old_files = old.get("files", {})
        new_manifest = _file_manifest(files, settings, old_files)
        changed, removed = changed_graphs(old_files, new_manifest)
        if force or current is None:
            changed = {f.graph for f in files}
            removed = set()
        had_metrics = bool(old.get("metrics"))
        if (not changed and not removed and metrics == had_metrics
                and old.get("derived_version") == derived.signature()):
            assert current is not None  # (no current build: every graph counts as changed)
            return _up_to_date(settings, layout, current, old, release=release, validate=validate)

        # 1. validate what changed, before anything is written
        t0 = time.perf_counter()
        report = _validate_changes(settings, files, layout, current, changed, removed, validate=validate,
                                   force=force)
        validate_seconds = time.perf_counter() - t0

        # 2. load into a fresh directory beside the live one
        layout.builds.mkdir(parents=True, exist_ok=True)
        build_id = _new_build_id(new_manifest)
        tmp = layout.builds / f"tmp-{build_id}"
        store: ox.Store | None = None
        t0 = time.perf_counter()
        metrics_node = ox.NamedNode(rebase(METRICS_GRAPH, settings.base_iri))
        derived_node = derived.graph_name(settings.base_iri)
        try:
            tmp.mkdir()
            # what a rebuild changes, for the derived graph and the label index to follow
            # only that (graph.derived.Update, graph.search_update): None on a full build
            delta: _Delta | None = None
            if current is not None and not force:
                ox.Store.read_only(str(layout.db(current))).backup(str(layout.db(tmp)))
                store = ox.Store(str(layout.db(tmp)))
                appended = set(append or {}) & changed
                dropped = [ox.NamedNode(rebase(g, settings.base_iri)) for g in sorted((changed | removed) - appended)]
                to_load = [f for f in files if f.graph in changed and f.graph not in appended]
                to_load += [f for g in sorted(appended) for f in (append or {})[g]]
                delta = _Delta(store, settings.base_iri, old, dropped + [metrics_node],
                               list(_quads_of(to_load, settings.base_iri, progress)),
                               previous_state=current / DERIVED_STATE, state_dir=tmp / DERIVED_STATE)
                for node in dropped:
                    with contextlib.suppress(Exception):
                        store.remove_graph(node)
                # one bulk load for every changed file: RocksDB bulk loading has a fixed cost
                # per call (a transaction or bulk_load per file was 4.7x slower at 16k files)
                store.bulk_extend(delta.added)
            else:
                store = ox.Store(str(layout.db(tmp)))
                appended = set()
                bulkload.load_files(store, [f for f in files if f.graph in changed], settings.base_iri,
                                    tmp / "bulk", progress)
            store.flush()
            load_seconds = time.perf_counter() - t0
            with contextlib.suppress(Exception):
                store.remove_graph(metrics_node)
            if metrics:
                if progress:
                    progress("computing network metrics", 0, 1)
                _add_network_metrics(store, settings.base_iri)
                if delta is not None:
                    delta.added += store.quads_for_pattern(None, None, None, metrics_node)
            # derived data (graph.derived): updated for what changed, or computed again
            if delta is not None and delta.update is not None:
                delta.update.after(delta.net_added())
                derived_report = delta.update.apply(progress)
            else:
                derived_report = derived.derive(store, settings.base_iri, progress=progress,
                                                state_dir=tmp / DERIVED_STATE)
                if delta is not None:
                    delta.index_reusable = False  # which derived triples changed is unknown
            graphs = (delta.graph_counts([ox.NamedNode(rebase(g, settings.base_iri)) for g in changed | removed]
                                         + [metrics_node, derived_node, entail.graph_name(settings.base_iri)],
                                         updated={derived_node.value: derived_report,
                                                  entail.graph_name(settings.base_iri).value:
                                                      delta.update.entailed if delta.update is not None else None})
                      if delta is not None else _graph_counts(store))
            if old and not allow_removal:
                # before anything is swapped in: no graph of the current store emptied or
                # mostly dropped without --allow-removal (graph.dataloss)
                from . import dataloss
                dataloss.check(old.get("graphs", {}), graphs, old_files, new_manifest,
                               lambda g: rebase(g, settings.base_iri),
                               ignore=[rebase(METRICS_GRAPH, settings.base_iri),
                                       rebase(derived.DERIVED_GRAPH, settings.base_iri),
                                       rebase(entail.ENTAILED_GRAPH, settings.base_iri)])

            # 3. the label index (graph.search): the previous one updated for what changed
            # (graph.search_update), else built from the whole store
            t0 = time.perf_counter()
            reuse = (current / "search.sqlite" if delta is not None and current is not None and delta.index_reusable
                     and str(GRAPH_ONTOLOGY) not in changed | removed else None)
            index_mode = _write_search_index(store, tmp / "search.sqlite", settings.base_iri, reuse,
                                             delta.iris() if reuse is not None and delta is not None else set())
            index_seconds = time.perf_counter() - t0

            # 4. the network table (graph.network.table): on a full build; after a rebuild
            # the network worker computes it once, on the first network page, from the
            # previous build's rows patched for what changed (carried here)
            from .network import table as network_table_mod
            network_table: bool | str = delta is None
            if delta is None:
                if progress:
                    progress("computing the network table", 0, 1)
                network_table_mod.write(tmp, *network_table_mod.compute(store, build_id))
            elif current is not None and network_table_mod.carry(current, tmp, delta.network_change({rebase(g, settings.base_iri) for g in changed | removed})):
                network_table = "pending"

            # 5. the release bundle of this build, from the new store (not the files)
            if release and validate != "none":
                if progress:
                    progress("writing the release bundle", 0, 1)
                publish_from(settings, store, tmp / RELEASE)
            # what the derived update and the metrics wrote sits in RocksDB's write-ahead log: a
            # checkpoint of a read-only handle (the next rebuild's copy) leaves it out
            store.flush()
            del store
            gc.collect()  # closes RocksDB before the directory is renamed

            manifest: dict[str, Any] = {"build_id": build_id, "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "files": new_manifest, "graphs": graphs, "triples": sum(graphs.values()),
                        "changed_graphs": sorted(changed), "removed_graphs": sorted(removed),
                        "validation": validate, "metrics": metrics,
                        "derived_version": derived.signature(), "derived": derived_report,
                        "derived_mode": "incremental" if delta is not None and delta.update is not None else "full",
                        # what a rebuild changed in the entailed graph (graph.entail.update); a full pass otherwise
                        "entailed": delta.update.entailed if delta is not None and delta.update is not None else "full",
                        "index_mode": index_mode, "network_table": network_table,
                        "release": (tmp / RELEASE).is_dir()}
            (tmp / "manifest.json").write_text(json.dumps(manifest, sort_keys=True))
            fsync_path(tmp)
            final = layout.builds / build_id
            os.rename(tmp, final)
            _swap_current(layout, final)
        except BaseException:
            store = None  # noqa: F841 — close RocksDB first: an open store can write into the directory after rmtree
            gc.collect()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _clean_orphans(layout, [final, current])
        reused = sorted(set(graphs) - {rebase(g, settings.base_iri)
                                       for g in changed | {METRICS_GRAPH, derived.DERIVED_GRAPH}})
        return BuildReport(build_id, sorted(changed), reused, sorted(removed), manifest["triples"],
                           load_seconds, validate_seconds, index_seconds, validation=report,
                           metrics_triples=graphs.get(rebase(METRICS_GRAPH, settings.base_iri), 0),
                           release=release_dir(settings))


def _up_to_date(settings: Settings, layout: StoreLayout, current: Path, old: dict, *, release: bool,
                validate: str) -> BuildReport:
    """The report of a build that finds the current one up to date; its label index
    rebuilt when an older wckg wrote it, its release bundle made when asked and missing."""
    info = _info_from_manifest(old, layout)
    index_seconds = 0.0
    if not _index_is_current(current / "search.sqlite"):
        # an index written by an older wckg: rebuild it in place (atomic rename)
        t0 = time.perf_counter()
        _build_search_index(ox.Store.read_only(str(layout.db(current))), current / "search.sqlite",
                            settings.base_iri)
        index_seconds = time.perf_counter() - t0
    rel = release_dir(settings)
    if release and rel is None and validate != "none":
        rel = make_release(settings, validate=False)  # a build made without one
    return BuildReport(old["build_id"], [], sorted(info.graphs), [], info.triples, 0, 0, index_seconds,
                       up_to_date=True, release=rel)


def _validate_changes(settings: Settings, files: Sequence[DataFile], layout: StoreLayout, current: Path | None,
                      changed: set[str], removed: set[str], *, validate: str, force: bool):
    """Step 1 of a build: validate what changed ("changed"), everything ("full") or nothing
    ("none": None), before anything is written; raises ValidationFailed."""
    if validate == "none":
        return None
    from .validate import validate as run_validation
    scope = None
    if validate == "changed" and current is not None and not force:
        if changed & {str(GRAPH_ONTOLOGY), str(GRAPH_REFERENCE)}:
            scope = None  # context of every article changed: validate every unit
        else:
            scope = set(changed)
    if scope is not None and not removed and current is not None:
        # only article graphs changed: validate them against their context in the
        # current store rather than parsing every file of the project
        from .validate import validate_with_context
        report = validate_with_context(settings, [f for f in files if f.graph in scope],
                                       _StoreContext(layout.db(current), settings.base_iri), project=files)
    else:
        report = run_validation(settings, files, graphs=scope)
    if not report.conforms:
        raise ValidationFailed(report)
    return report


def _write_search_index(store: ox.Store, path: Path, base_iri: str, previous: Path | None,
                        iris: set[str]) -> str:
    """Step 3 of a build: the label index (graph.search) of the new *store* at *path*: the
    *previous* one updated for the resources *iris* (graph.search_update) when given and
    reusable, else built from the whole store; "incremental" or "full"."""
    if previous is not None and _update_search_index(store, previous, path, iris, base_iri):
        return "incremental"
    _build_search_index(store, path, base_iri)
    return "full"


def _updated_count(old: int | None, report: Any) -> int | None:
    """*old* plus the triples an update's *report* added, less those it removed: of one
    update (``{"removed": r, "added": a}``) or of each derivation's; None when a count is
    missing (a graph new to this build, a full pass)."""
    if old is None or not isinstance(report, dict) or not report:
        return None
    parts = [report] if "added" in report else list(report.values())
    if not all(isinstance(p, dict) and isinstance(p.get("added"), int) and isinstance(p.get("removed"), int)
               for p in parts):
        return None
    return old + sum(p["added"] - p["removed"] for p in parts)


def _file_manifest(files: Sequence[DataFile], settings: Settings, old: Mapping[str, dict]) -> dict[str, dict]:
    """:func:`graph.store.file_manifest` (the same keys and hashes), faster: folders are
    resolved once rather than every file, and a file whose size, inode, modification and
    change times are those the current manifest recorded keeps its recorded hash (as git's
    index does) rather than being read again (16,500 files: 9 s → under 1 s)."""
    roots = [str(r.resolve()) + os.sep for r in (settings.data_dir.parent, settings.ontology_dir.parent)]
    folders: dict[str, str] = {}
    out: dict[str, dict] = {}
    for f in files:
        path = str(f.path)
        if os.path.islink(path):
            resolved = os.path.realpath(path)
        else:
            parent, name = os.path.split(path)
            if parent not in folders:
                folders[parent] = os.path.realpath(parent or ".")
            resolved = os.path.join(folders[parent], name)
        key = next((resolved[len(root):] for root in roots if resolved.startswith(root)), resolved)
        try:
            st = os.stat(resolved)
            stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        except OSError:
            stamp = None
        before = old.get(key, {})
        sha = before.get("sha256") if stamp is not None and before.get("stat") == stamp else None
        out[key] = {"sha256": sha or f.sha256(), "graph": f.graph, "role": f.role, "stat": stamp}
    return out


def _quads_of(files: Sequence[DataFile], base_iri: str,
              progress: Callable[[str, int, int], None] | None,
              keep: list[ox.Quad] | None = None) -> Iterator[ox.Quad]:
    """The quads of *files*, in their graphs; each also appended to *keep* when given."""
    for i, f in enumerate(files, 1):
        if keep is None:
            yield from iter_quads(f, base_iri=base_iri)
        else:
            for q in iter_quads(f, base_iri=base_iri):
                keep.append(q)
                yield q
        if progress:
            progress(f"loading {f.path.name}", i, len(files))


class _Delta:
    """What a rebuild changes in the copy of the current store: the quads of the graphs it
    drops (read before they are dropped) and of the files it loads, the incremental update
    of the derived graph (None when a derivation cannot be updated per subject or the
    current build's derived graph was made by other derivations), and the graph counts of
    the current build for the graphs it keeps."""

    #: More changed resources than this and a full label index is faster than an update.
    MAX_INDEX_UPDATE = 20_000

    def __init__(self, store: ox.Store, base_iri: str, old: Mapping[str, Any], dropped: Sequence[ox.NamedNode],
                 added: list[ox.Quad], *, previous_state: Path, state_dir: Path):
        self.store = store
        self.old_counts: dict[str, int] = dict(old.get("graphs", {}))
        self.removed: list[ox.Quad] = [q for g in dropped for q in store.quads_for_pattern(None, None, None, g)]
        self.added = added
        self.update: derived.Update | None = None
        if derived.incremental() and old.get("derived_version") == derived.signature():
            self.update = derived.Update(store, base_iri, previous_state=previous_state, state_dir=state_dir)
            self.update.before(self.net_removed())  # the store as it was
        self.index_reusable = self.update is not None

    def net_removed(self) -> list[ox.Quad]:
        """The dropped quads that the new files do not state again (reloading an article
        that gained one statement changes one quad, not every quad of its graph)."""
        again = set(self.added)
        return [q for q in self.removed if q not in again]

    def net_added(self) -> list[ox.Quad]:
        before = set(self.removed)
        return [q for q in self.added if q not in before]

    def iris(self) -> set[str]:
        """Every IRI in subject or object position of a quad that went or came, or of a
        derived triple that changed: the resources whose index rows may change. Blank
        nodes are renamed on every parse, so quads with one are compared with the blank
        node left out (as many ``_ p <iri>`` before as after: that IRI's rows are the same)."""
        def key(q: ox.Quad) -> tuple:
            return (None if isinstance(q.subject, ox.BlankNode) else q.subject, q.predicate,
                    None if isinstance(q.object, ox.BlankNode) else q.object, q.graph_name)
        went = Counter(key(q) for q in self.net_removed())
        came = Counter(key(q) for q in self.net_added())
        out = {t.value for k in (went - came) + (came - went) for t in (k[0], k[2]) if isinstance(t, ox.NamedNode)}
        if self.update is not None:
            out |= self.update.changed_iris
        return out

    def network_change(self, graphs: set[str]):
        """What changed, for the network table's patch (graph.network.patch)."""
        from .network.patch import Change
        return Change.of([*self.net_removed(), *self.net_added()], graphs,
                         self.update.changed_iris if self.update is not None else ())

    def graph_counts(self, recount: Sequence[ox.NamedNode], updated: Mapping[str, Any] = {}) -> dict[str, int]:  # noqa: B006 (read only)
        """The triples per graph: the current build's counts, *recount* counted again, except
        a graph that an incremental update changed by the triples its report gives
        (*updated*: graph → the report of graph.derived.Update.apply or graph.entail.update):
        its count is the current build's plus those added, less those removed (at 5 M
        triples, counting the derived and entailed graphs again took seconds)."""
        counts = {g: n for g, n in self.old_counts.items() if g not in {x.value for x in recount}}
        for g in recount:
            n = _updated_count(self.old_counts.get(g.value), updated.get(g.value)) if self.update is not None else None
            if n is not None:
                if n:
                    counts[g.value] = n
                continue
            rows = self.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
            assert isinstance(rows, ox.QuerySolutions)
            n = int(next(iter(rows))["n"].value)
            if n:
                counts[g.value] = n
        return counts




class _StoreContext:
    """The validation context of an article from the current store: what the reference
    graph says about the IRIs it mentions (and the types of the objects of that), and the
    types other article graphs give those IRIs."""

    BATCH = 500

    def __init__(self, db: Path, base_iri: str = WCID_DEFAULT):
        self.db = db
        self.base_iri = base_iri

    def __call__(self, mentioned, graph_name: str):
        from rdflib import Graph
        store = ox.Store.read_only(str(self.db))
        g = Graph()
        iris = sorted(str(i) for i in mentioned)
        exclude = {rebase(x, self.base_iri) for x in
                   (graph_name, str(GRAPH_ONTOLOGY), str(GRAPH_REFERENCE), METRICS_GRAPH,
                    derived.DERIVED_GRAPH, entail.ENTAILED_GRAPH)}
        reference = rebase(str(GRAPH_REFERENCE), self.base_iri)
        for i in range(0, len(iris), self.BATCH):
            values = " ".join(str(ox.NamedNode(x)) for x in iris[i:i + self.BATCH])
            ref = (f"CONSTRUCT {{ ?s ?p ?o . ?o a ?t }} WHERE {{ VALUES ?s {{ {values} }} "
                   f"GRAPH <{reference}> {{ ?s ?p ?o OPTIONAL {{ ?o a ?t }} }} }}")
            triples = store.query(ref)
            assert isinstance(triples, ox.QueryTriples)
            for t in triples:
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            other = (f"SELECT ?s ?t ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?t }} }}")
            solutions = store.query(other)
            assert isinstance(solutions, ox.QuerySolutions)
            for r in solutions:
                if r["g"].value not in exclude:
                    g.add((to_rdflib(r["s"]), to_rdflib(ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")),
                           to_rdflib(r["t"])))
        del store
        return g




def _add_network_metrics(store: ox.Store, base_iri: str) -> None:
    """Partnership-network metrics of the data in *store*, added as ``wcid:graph/metrics``."""
    from . import network
    data = network.fetch_graph_data(_OpenStore(store))
    G = network.partnership_network(data)
    ds = network.metrics_dataset(G, network.compute_metrics(G), graph_iri=rebase(METRICS_GRAPH, base_iri))
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), to_oxigraph(g))
                 for s, p, o, g in ds.quads((None, None, None, None)))


def _graph_counts(store: ox.Store) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert isinstance(rows, ox.QuerySolutions)
    return {r["g"].value: int(r["n"].value) for r in rows}


def _index_is_current(path: Path) -> bool:
    from . import search
    return search.index_is_current(path)


def _update_search_index(store: ox.Store, previous: Path, path: Path, iris: set[str], base_iri: str) -> bool:
    """The previous build's label index updated for *iris* (graph.search_update); False
    when it cannot be (then the caller builds it whole)."""
    from . import search_update
    if len(iris) > _Delta.MAX_INDEX_UPDATE:
        return False
    try:
        search_update.update_index(previous, path, _OpenStore(store).select, iris, base=base_iri)
    except search_update.IndexNotReusable:
        return False
    return True


def _build_search_index(store: ox.Store, path: Path, base_iri: str) -> None:
    from . import search
    search.build_index_from_backend(_OpenStore(store), path, base=base_iri)


def _previous_build(layout: StoreLayout) -> Path | None:
    prev = layout.root / "previous"
    return prev.resolve() if prev.is_symlink() and prev.resolve().is_dir() else None


def _swap_current(layout: StoreLayout, build_dir: Path) -> None:
    """Point ``current`` at *build_dir* atomically (and ``previous`` at the old build)."""
    old = layout.current.resolve() if layout.current.is_symlink() else None
    rel = os.path.relpath(build_dir, layout.root)
    tmp_link = layout.root / f".current-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    os.symlink(rel, tmp_link)
    os.replace(tmp_link, layout.current)
    if old is not None and old != build_dir:
        prev_tmp = layout.root / f".previous-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            prev_tmp.unlink()
        os.symlink(os.path.relpath(old, layout.root), prev_tmp)
        os.replace(prev_tmp, layout.root / "previous")
    fsync_path(layout.root)




def is_up_to_date(settings: Settings) -> bool:
    """Whether the embedded store exists and was built from the files as they are now."""
    layout = StoreLayout(settings.store)
    manifest = layout.manifest()
    if not manifest:
        return False
    changed, removed = changed_graphs(manifest.get("files", {}),
                                      _file_manifest(discover(settings), settings, manifest.get("files", {})))
    current = layout.current_build()
    return (not changed and not removed and current is not None
            and manifest.get("derived_version") == derived.signature()
            and _index_is_current(current / "search.sqlite"))


def ensure_built(settings: Settings, progress: Callable[[str, int, int], None] | None = None, *,
                 release: bool = False) -> BuildReport | None:
    """Build the store when it is missing or out of date with the files (or, with
    *release*, lacks its release bundle); None when it was current."""
    if settings.backend == "remote":
        return None
    if is_up_to_date(settings) and (not release or release_dir(settings) is not None):
        return None
    return build(settings, progress=progress, release=release)


__all__ = ["build", "ensure_built", "is_up_to_date", "make_release", "release_dir", "RELEASE"]
