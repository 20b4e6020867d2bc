"""Landing a reviewed draft: the accepted facts become curated files and the store is rebuilt.

:func:`materialise` applies the decisions to a draft (pure: graphs in, graphs out):

* rejected facts never land; a statement about a rejected resource is dropped with it;
* a corrected statement gets its new object; its evidence keeps the quote and records how
  the quote names the object (``wc:mentionText``), so it still passes the evidence rules;
* a relinked mention (``links``) replaces the drafted IRI everywhere; what the draft said
  to describe an entity the graph already holds (its ``skos:prefLabel``) is dropped;
* what only a machine draft carries (``wc:confidence``, ``prov:wasGeneratedBy``, the
  extraction activity) is stripped;
* new organisations, people, places, policy documents and topics go to
  ``data/reference/ingested-{kind}.ttl``; everything else to ``data/articles/{slug}.ttl``;
  the source document to ``data/sources/{slug}.ttl`` and its text to ``{slug}.txt``.

:func:`land` writes those files as one transaction (each whole; any failure, including
a validation failure of the rebuilt store, restores every file as it was) and rebuilds the
store incrementally (:func:`graph.build.build` validates before it writes anything).
"""
from __future__ import annotations

import contextlib
import re
import fcntl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD
from rdflib.term import Node

from ..atomic import atomic_write
from ..config import Settings
from ..errors import ValidationFailed
from ..namespaces import GRAPH_REFERENCE, OUTPUT_PREFIXES, SCHEMA, WC, WCID_DEFAULT, graph_iri, kind_of
from ..storebase import BuildReport
from .draft import DRAFT_ONLY_PREDICATES, Draft
from .queue import Decisions, ReviewError, ReviewQueue, SourceMeta

#: Kinds of shared entities: new ones go to data/reference/ingested-{file}.ttl.
REFERENCE_FILES = {"organisation": "organisations", "person": "people", "place": "places",
                   "policy": "policies", "topic": "topics"}


@dataclass
class Materialised:
    """What a reviewed draft lands as."""

    article: Graph
    reference: dict[str, Graph]          # kind -> new entities of that kind
    source: Graph
    landed: list[str] = field(default_factory=list)     # fact ids
    rejected: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)   # fact id -> why it does not land
    pending: list[str] = field(default_factory=list)


def _graph() -> Graph:
    g = Graph()
    for p, iri in OUTPUT_PREFIXES.items():
        g.bind(p, iri, override=True, replace=True)
    return g


def source_iri(slug: str) -> URIRef:
    return URIRef(f"{WCID_DEFAULT}source/{slug}")


def source_graph(slug: str, meta: SourceMeta, draft: Draft, exists: Callable[[str], bool]) -> Graph:
    """The wc:SourceDocument of the article (``data/sources/{slug}.ttl``)."""
    g = _graph()
    src = source_iri(slug)
    g.add((src, RDF.type, WC.SourceDocument))
    lang = meta.language or "en"
    if meta.title:
        g.add((src, DCTERMS.title, Literal(meta.title, lang=lang)))
        g.add((src, SKOS.prefLabel, Literal(meta.title, lang=lang)))
    if meta.published:
        g.add((src, DCTERMS.issued, Literal(meta.published, datatype=XSD.date)))
    if meta.publisher:
        if meta.publisher.startswith(("http://", "https://")) and exists(meta.publisher):
            g.add((src, DCTERMS.publisher, URIRef(meta.publisher)))
        else:
            g.add((src, SKOS.note, Literal(f"Publisher as given at ingestion: {meta.publisher}", lang="en")))
    if meta.url:
        g.add((src, SCHEMA.url, URIRef(meta.url)))
    g.add((src, DCTERMS.language, Literal(lang)))
    g.add((URIRef(graph_iri(slug)), PROV.wasDerivedFrom, src))
    # what the draft itself says about its source, where the metadata above is silent
    for p, o in draft.graph.predicate_objects(src):
        if p in DRAFT_ONLY_PREDICATES or (src, p, None) in g:
            continue
        g.add((src, p, o))
    return g


def _replace(t, mapping: dict):
    return mapping.get(t, t)


_DATED_SLUG = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?-(.+)$")


def redated_iri(iri: str, new_date: str) -> str | None:
    """The IRI of a dated resource (``event/2021-03-02-…``) for *new_date*, when the date
    it begins with is not a prefix of *new_date*; None when it needs no change."""
    head, _, slug = iri.rpartition("/")
    m = _DATED_SLUG.match(slug)
    if not m or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", new_date or ""):
        return None
    first = "-".join(x for x in m.groups()[:3] if x)
    if new_date.startswith(first):
        return None
    return f"{head}/{new_date}-{m.group(4)}"


# long: a draft's decisions applied fact by fact in one pass
def materialise(draft: Draft, decisions: Decisions, meta: SourceMeta, *, exists: Callable[[str], bool],
                drop_pending: bool = False) -> Materialised:
    """Apply *decisions* to *draft* (see the module docstring). *exists(iri)* says whether
    the graph (the store) already holds an IRI."""
    src = source_iri(draft.slug)
    links: dict[Node, URIRef] = {URIRef(k): URIRef(v) for k, v in decisions.links.items()}
    out = Materialised(_graph(), {}, source_graph(draft.slug, meta, draft, exists))
    facts = [f for f in draft.facts.values() if f.subject != src]

    rejected_resources = set()
    for f in facts:
        d = decisions.facts.get(f.id)
        if d is None:
            out.pending.append(f.id)
        elif d.action == "reject":
            out.rejected.append(f.id)
            if f.kind == "resource":
                rejected_resources.add(f.subject)
    if out.pending and not drop_pending:
        raise ReviewError(f"{len(out.pending)} fact(s) of {draft.slug!r} are not reviewed yet: "
                          + ", ".join(out.pending[:8]) + (" …" if len(out.pending) > 8 else ""),
                          hint=f"accept, correct or reject them (`wckg review show {draft.slug}`), "
                               "or land with --drop-pending to leave them out", status=409)

    existing_cache: dict[str, bool] = {}

    def in_graph(iri) -> bool:
        s = str(iri)
        if s not in existing_cache:
            existing_cache[s] = exists(s)
        return existing_cache[s]

    # a corrected date that contradicts the date an identifier begins with: a resource new
    # to the graph gets the identifier of its right date (the IRI begins with the date as
    # first known, docs/model.md §4); one the graph holds keeps its IRI and the validator
    # says why the date cannot change
    for f in facts:
        d = decisions.facts.get(f.id)
        if (f.kind == "statement" and f.predicate == WC.date and d is not None and d.action == "correct"
                and d.object and isinstance(f.subject, URIRef) and f.subject not in links):
            renamed = redated_iri(str(f.subject), d.object)
            if renamed is not None and not in_graph(f.subject):
                links[f.subject] = URIRef(renamed)

    # new entities that land: described by an accepted resource fact and not relinked away
    described = {f.subject for f in facts if f.kind == "resource" and f.subject not in rejected_resources
                 and f.subject not in links and decisions.facts.get(f.id) is not None
                 and decisions.facts[f.id].action != "reject"}

    def mention_text(obj, quote: str) -> str | None:
        m = draft.mention_for(str(obj), quote)
        if m is not None and m.text in quote:
            return m.text
        lab = draft.graph.value(obj, SKOS.prefLabel)
        return str(lab) if lab is not None and str(lab) in quote else None

    for f in facts:
        d = decisions.facts.get(f.id)
        if d is None or d.action == "reject":
            continue
        involved = {f.subject} | ({f.object} if f.kind == "statement" else set())
        gone = involved & rejected_resources
        if gone:
            out.dropped[f.id] = f"it is about {draft.label(next(iter(gone)))}, which was rejected"
            continue
        triples = set(f.triples)
        mapping: dict[Node, Node] = dict(links)
        if f.kind == "statement" and d.object is not None:
            mapping[cast(Node, f.object)] = (Literal(d.object, lang=f.object.language, datatype=f.object.datatype)
                                 if isinstance(f.object, Literal) else URIRef(d.object))
        if f.kind == "resource" and f.subject in links:
            linked = links[f.subject]
            if kind_of(str(linked)) in REFERENCE_FILES or in_graph(linked):
                # the graph (or this draft) already describes it: keep only what this article adds
                triples = {t for t in triples if t[1] not in (RDF.type, SKOS.prefLabel, SKOS.altLabel)}
        if f.kind == "resource" and d.label is not None:
            lang = next((o.language for o in draft.graph.objects(f.subject, SKOS.prefLabel) if isinstance(o, Literal)), "en")
            triples = {t for t in triples if not (t[0] == f.subject and t[1] == SKOS.prefLabel)}
            triples.add((f.subject, SKOS.prefLabel, Literal(d.label, lang=lang)))
        new = set()
        for s, p, o in triples:
            if p in DRAFT_ONLY_PREDICATES:
                continue
            s2, o2 = _replace(s, mapping), _replace(o, mapping)
            if p == RDF.object and o2 != o and isinstance(s, BNode) and (s, RDF.type, WC.StatementEvidence) in draft.graph:
                # the evidence now names a resource its quote may not name by label
                quote = draft.graph.value(s, WC.quote)
                if draft.graph.value(s, WC.mentionText) is None and quote is not None:
                    mt = mention_text(o, str(quote))
                    if mt:
                        new.add((s, WC.mentionText, Literal(mt)))
            new.add((s2, p, o2))
        subject: Node = _replace(f.subject, mapping) if f.kind == "resource" else f.subject
        subject = links.get(f.subject, subject)
        # an entity the graph already holds keeps its own preferred label
        if isinstance(subject, URIRef) and subject not in described and in_graph(subject):
            new = {t for t in new if not (t[0] == subject and t[1] == SKOS.prefLabel)}
        kind = kind_of(str(subject)) if isinstance(subject, URIRef) else None
        dest = out.article
        if kind in REFERENCE_FILES and subject in described and not in_graph(subject):
            dest = out.reference.setdefault(kind, _graph())
        for t in new:
            dest.add(t)
        out.landed.append(f.id)
    for g in (out.article, *out.reference.values()):
        _drop_orphans(g)
    return out


def _drop_orphans(g: Graph) -> None:
    """Remove what no longer hangs on anything: a blank node (a signature, an amount) that
    no kept triple points at, and the evidence of a statement that did not land."""
    changed = True
    while changed:
        changed = False
        for b in {s for s in g.subjects() if isinstance(s, BNode)}:
            if (b, RDF.type, WC.StatementEvidence) in g:
                st = (g.value(b, RDF.subject), g.value(b, RDF.predicate), g.value(b, RDF.object))
                orphan = None in st or st not in g
            else:
                orphan = not any(x != b and p not in (RDF.subject, RDF.object) for x, p in g.subject_predicates(b))
            if orphan:
                g.remove((b, None, None))
                changed = True


# ======================================================================================
# Writing: one transaction over the data files
# ======================================================================================

def turtle(g: Graph, header: str) -> bytes:
    """Clean, sorted Turtle (rdflib's serializer orders subjects and predicates)."""
    body = g.serialize(format="turtle")
    return (header + "\n" + body).encode("utf-8")


class FileTransaction:
    """Replace several files so that either all of them change or none: each is written
    whole; :meth:`rollback` puts back every earlier version (or removes a new file)."""

    def __init__(self) -> None:
        self._saved: list[tuple[Path, bytes | None]] = []

    def write(self, path: Path, data: bytes) -> None:
        old = path.read_bytes() if path.exists() else None
        self._saved.append((path, old))
        atomic_write(path, data)

    def rollback(self) -> None:
        for path, old in reversed(self._saved):
            with contextlib.suppress(OSError):
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    atomic_write(path, old)
        self._saved.clear()


@contextlib.contextmanager
def data_lock(settings: Settings):
    """One landing at a time per data directory."""
    lock = settings.data_dir / ".landing.lock"
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                lock.unlink()


def graph_lookup(settings: Settings) -> Callable[[str], bool]:
    """``exists(iri)``: whether the store holds any triple about *iri* (as subject or object).
    The embedded store is read directly (read-only), without the query worker pool."""
    from ..build import ensure_built
    from ..store import StoreLayout, open_backend, rebase
    ensure_built(settings)
    cache: dict[str, bool] = {}
    query = "ASK { { ?s ?p ?o } UNION { ?x ?y ?s } }"

    if settings.backend == "embedded":
        import pyoxigraph as ox
        layout = StoreLayout(settings.store)
        current = layout.current_build()
        assert current is not None  # (ensure_built just made one)
        store = ox.Store.read_only(str(layout.db(current)))

        def ask(iri: str) -> bool:
            return bool(store.query(query, substitutions={ox.Variable("s"): ox.NamedNode(iri)},
                                    use_default_graph_as_union=True))
    else:
        def ask(iri: str) -> bool:
            with open_backend(settings) as backend:
                return bool(backend.query(query, params={"s": URIRef(iri)}).boolean)

    def exists(iri: str) -> bool:
        if iri not in cache:
            cache[iri] = ask(rebase(iri, settings.base_iri))
        return cache[iri]
    return exists


@dataclass
class LandingReport:
    slug: str
    files: list[Path]
    landed: int
    rejected: int
    dropped: dict[str, str]
    build: BuildReport | None = None
    seconds: float = 0.0


def _merge_reference(path: Path, new: Graph) -> bytes:
    g = _graph()
    if path.exists():
        from ..load import DataFile, parse_graph
        for t in parse_graph(DataFile(path, str(GRAPH_REFERENCE), "reference")):
            g.add(t)
    for t in new:
        g.add(t)
    kind = path.stem.removeprefix("ingested-")
    return turtle(g, f"# New {kind} from reviewed machine drafts (wckg review land); sorted by wckg.")


def validate_landing(settings: Settings, slug: str, m: Materialised):
    """Validate what lands as one unit, against its one-hop context read from the current
    store (:func:`graph.validate.validate_with_context`): the article graph, the source
    document and the new entities are its focus nodes, so every shape and Python check
    applies to each of them. Nothing else needs re-validating: what lands adds a new graph
    and new subjects only (entities the graph already holds are never redescribed), so no
    other unit changes. Findings point at the files as written in ``data/``. None when the
    store is not an embedded one (the build then validates as usual)."""
    import dataclasses
    import tempfile

    from ..load import DataFile
    from ..build import _StoreContext
    from ..store import StoreLayout
    from ..validate import Locator, validate_with_context
    layout = StoreLayout(settings.store)
    current = layout.current_build() if settings.backend == "embedded" else None
    if current is None:
        return None
    data, name = settings.data_dir, graph_iri(slug)
    files = [DataFile(data / "articles" / f"{slug}.ttl", name, "article"),
             DataFile(data / "sources" / f"{slug}.ttl", name, "article")]
    real: dict[Path, Path] = {}
    with tempfile.TemporaryDirectory(prefix="wckg-landing-") as tmp:
        for kind, g in sorted(m.reference.items()):
            p = Path(tmp) / f"new-{REFERENCE_FILES[kind]}.ttl"
            p.write_bytes(turtle(g, ""))
            files.append(DataFile(p, name, "article"))
            real[p] = data / "reference" / f"ingested-{REFERENCE_FILES[kind]}.ttl"
        report = validate_with_context(settings, files, _StoreContext(layout.db(current), settings.base_iri))
    if real:
        from ..namespaces import GRAPH_REFERENCE
        locator = Locator()
        report.results = [dataclasses.replace(r, file=real[r.file], graph=str(GRAPH_REFERENCE),
                                              line=locator.line_of(real[r.file], r.focus_node))
                          if r.file in real else r for r in report.results]
    return report


# long: the landing's steps in order; on any failure every file is restored and the store left unchanged
def land(settings: Settings, slug: str, *, drop_pending: bool = False, exists: Callable[[str], bool] | None = None,
         progress=None) -> LandingReport:
    """Land the reviewed draft *slug* (see the module docstring). On any failure every file
    is as it was and the store is unchanged; :class:`graph.errors.ValidationFailed` carries
    the report of why."""
    import tempfile

    from ..load import DataFile
    from ..namespaces import GRAPH_REFERENCE
    from ..build import build
    from ..store import StoreLayout
    t0 = time.perf_counter()
    queue = ReviewQueue(settings)
    entry = queue.get(slug)
    exists = exists or graph_lookup(settings)
    data = settings.data_dir
    with data_lock(settings), entry.locked():
        for existing in (data / "articles" / f"{slug}.ttl", data / "sources" / f"{slug}.ttl"):
            if existing.exists():
                raise ReviewError(f"an article {slug!r} is already in the graph ({existing})",
                                  hint="it cannot land twice; remove the draft with `wckg review drop`", status=409)
        draft, decisions, meta = entry.draft(), entry.decisions(), entry.meta()
        m = materialise(draft, decisions, meta, exists=exists, drop_pending=drop_pending)
        if not m.landed:
            raise ReviewError(f"nothing to land: no fact of {slug!r} is accepted",
                              hint="accept or correct facts first (`wckg review accept`)", status=409)
        header = (f"# Article graph wcid:graph/{slug}: facts of data/sources/{slug}.txt drafted by wckg extract\n"
                  f"# and accepted in review (wckg review land); evidence is verbatim from the source text.")
        outputs: list[tuple[Path, bytes]] = [
            (data / "sources" / f"{slug}.txt", entry.text_path.read_bytes()),
            (data / "sources" / f"{slug}.ttl", turtle(m.source, f"# Source document {slug} (wckg review land)")),
            (data / "articles" / f"{slug}.ttl", turtle(m.article, header)),
        ]
        for kind, g in sorted(m.reference.items()):
            path = data / "reference" / f"ingested-{REFERENCE_FILES[kind]}.ttl"
            outputs.append((path, _merge_reference(path, g)))
        tx = FileTransaction()
        try:
            for path, content in outputs:
                tx.write(path, content)
            checked = validate_landing(settings, slug, m)
            if checked is not None and not checked.conforms:
                raise ValidationFailed(checked)
            # validated above (what lands, against its context): the build only loads; it
            # keeps what the current build has (network metrics, a release bundle)
            before = StoreLayout(settings.store).manifest() or {}
            with tempfile.TemporaryDirectory(prefix="wckg-landing-") as tmp:
                append = None
                if checked is not None:
                    # the reference graph only gains the source and the new entities: add
                    # those triples to it rather than reloading every reference file
                    ref = str(GRAPH_REFERENCE)
                    append = {ref: [DataFile(data / "sources" / f"{slug}.ttl", ref, "source")]}
                    for kind, g in sorted(m.reference.items()):
                        p = Path(tmp) / f"new-{REFERENCE_FILES[kind]}.ttl"
                        p.write_bytes(turtle(g, ""))
                        append[ref].append(DataFile(p, ref, "reference"))
                report = build(settings, validate="changed" if checked is None else "none", progress=progress,
                               metrics=bool(before.get("metrics")),
                               release=bool(before.get("release")) and checked is None, append=append)
            if checked is not None:
                report.validation, report.validate_seconds = checked, checked.seconds
                if before.get("release"):
                    from ..build import make_release
                    report.release = make_release(settings, validate=False)
        except BaseException:
            tx.rollback()
            raise
        queue.retire(entry)
    return LandingReport(slug, [p for p, _ in outputs], len(m.landed), len(m.rejected), m.dropped, report,
                         time.perf_counter() - t0)
