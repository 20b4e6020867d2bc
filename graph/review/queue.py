"""The review queue: drafts waiting for a curator, and the curator's decisions, on disk.

Layout (``WCKG_DRAFTS_DIR``, default ``{data_dir}/drafts``, not committed)::

    {drafts}/{slug}/draft.trig       the machine draft (docs/model.md §5)
    {drafts}/{slug}/source.txt       the article text the draft's offsets refer to (verbatim)
    {drafts}/{slug}/meta.json        title, published, publisher, url, language, text hash
    {drafts}/{slug}/decisions.json   per fact: accept / reject / correct; mention relinks
    {drafts}/{slug}/.lock            one writer at a time (CLI and web app alike)
    {drafts}/.landed/{slug}/         an entry after it landed (kept for the record)

Every file is written whole (temporary file, fsync, rename), so a crash leaves the old or
the new version, never half of one. Decisions are keyed by fact id, which is stable for
the same statement: re-queueing a re-run of the extractor keeps them, so a rejected fact
stays rejected.
"""
from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..atomic import atomic_write
from ..config import Settings
from ..errors import InputError, WckgError
from .draft import SLUG_RE, Draft

ACTIONS = ("accept", "reject", "correct")


class ReviewError(WckgError):
    """A review action that cannot be done (unknown draft or fact, bad target): exit 2 on
    the command line, ``status`` on the web (404 unknown draft, 409 conflict, 422 otherwise)."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, status: int = 422):
        self.status = status
        super().__init__(message, hint=hint)


@dataclass
class SourceMeta:
    """What is known about the article besides its text."""

    title: str | None = None
    published: str | None = None       # YYYY-MM-DD
    publisher: str | None = None       # an IRI or a name
    url: str | None = None
    language: str = "en"
    sha256: str | None = None          # of the text
    queued_at: str | None = None

    def validate(self, where: str = "the article") -> None:
        if self.published is not None:
            try:
                date.fromisoformat(self.published)
            except ValueError:
                raise InputError(f"{where}: publication date {self.published!r} is not a date YYYY-MM-DD",
                                 hint="give --published YYYY-MM-DD (a real day)") from None

    @classmethod
    def from_json(cls, d: dict) -> "SourceMeta":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


@dataclass
class Decision:
    action: str                           # accept | reject | correct
    object: str | None = None             # correct: the statement's new object IRI
    label: str | None = None              # correct: the resource's new skos:prefLabel
    at: str = ""

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Decisions:
    facts: dict[str, Decision] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)   # mentioned IRI -> IRI it really is

    @classmethod
    def from_json(cls, d: dict) -> "Decisions":
        return cls({k: Decision(**v) for k, v in d.get("facts", {}).items()}, dict(d.get("links", {})))

    def to_json(self) -> dict:
        return {"facts": {k: v.to_json() for k, v in sorted(self.facts.items())}, "links": dict(sorted(self.links.items()))}


def _is_literal(t) -> bool:
    from rdflib import Literal
    return isinstance(t, Literal)


def _check_value(value: str, old, fid: str) -> None:
    """A corrected literal must be a valid value of the drafted one's datatype."""
    from rdflib import Literal

    from ..validate import _quiet_rdflib_terms
    with _quiet_rdflib_terms():
        new = Literal(value, lang=old.language, datatype=old.datatype)
        bad = bool(getattr(new, "ill_typed", False)) or not value.strip()
    if bad:
        kind = str(old.datatype).rsplit("#", 1)[-1] if old.datatype else "value"
        raise ReviewError(f"{value!r} is not a valid {kind} (fact {fid} has {str(old)!r})",
                          hint="give the value in the drafted form, e.g. 2014-09-08 for a date")


class Entry:
    """One draft in the queue."""

    def __init__(self, root: Path):
        self.dir = root
        self.slug = root.name

    @property
    def draft_path(self) -> Path:
        return self.dir / "draft.trig"

    @property
    def text_path(self) -> Path:
        return self.dir / "source.txt"

    def draft(self) -> Draft:
        return Draft.read(self.draft_path, expected_slug=self.slug)

    def text(self) -> str:
        return self.text_path.read_text(encoding="utf-8")

    def meta(self) -> SourceMeta:
        p = self.dir / "meta.json"
        return SourceMeta.from_json(json.loads(p.read_text())) if p.is_file() else SourceMeta()

    def decisions(self) -> Decisions:
        p = self.dir / "decisions.json"
        if not p.is_file():
            return Decisions()
        try:
            return Decisions.from_json(json.loads(p.read_text()))
        except (ValueError, TypeError) as e:
            raise InputError(f"{p}: unreadable decisions ({e})", hint="fix or delete the file") from None

    @contextlib.contextmanager
    def locked(self):
        """Exclusive use of this entry (a second writer waits)."""
        with open(self.dir / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def save_decisions(self, d: Decisions) -> None:
        atomic_write(self.dir / "decisions.json", (json.dumps(d.to_json(), indent=2, ensure_ascii=False) + "\n").encode())

    def status(self, draft: Draft | None = None, decisions: Decisions | None = None) -> dict[str, int]:
        draft = draft or self.draft()
        decisions = decisions or self.decisions()
        counts = {"facts": len(draft.facts), "pending": 0, "accept": 0, "reject": 0, "correct": 0}
        for fid in draft.facts:
            d = decisions.facts.get(fid)
            counts[d.action if d else "pending"] += 1
        return counts


class ReviewQueue:
    """The drafts waiting for review (see the module docstring)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = settings.drafts_path

    def entries(self) -> list[Entry]:
        if not self.root.is_dir():
            return []
        return [Entry(d) for d in sorted(self.root.iterdir())
                if d.is_dir() and not d.name.startswith(".") and (d / "draft.trig").is_file()]

    def get(self, slug: str) -> Entry:
        e = self.root / slug
        if SLUG_RE.match(slug or "") and (e / "draft.trig").is_file():
            return Entry(e)
        names = [x.slug for x in self.entries()]
        close = difflib.get_close_matches(slug, names, n=3)
        if (self.root / ".landed" / slug).is_dir():
            raise ReviewError(f"the draft {slug!r} has already landed (data/articles/{slug}.ttl)", status=404)
        raise ReviewError(f"no draft {slug!r} in the review queue {self.root}",
                          hint=("did you mean: " + ", ".join(close)) if close else
                          ("`wckg review list` shows the drafts" if names else "the queue is empty: run `wckg ingest ARTICLE`"),
                          status=404)

    def add(self, draft_bytes: bytes, text: str, meta: SourceMeta, *, replace: bool = False,
            where: str = "the draft") -> Entry:
        """Queue a draft with its article text. With *replace*, a re-run of the extractor
        replaces the draft of a queued article and keeps the decisions made so far."""
        from ..namespaces import WCID_DEFAULT
        if self.settings.base_iri != WCID_DEFAULT:
            # drafts, like the curated files, are kept in the published base (the store rebases)
            draft_bytes = draft_bytes.replace(self.settings.base_iri.encode(), WCID_DEFAULT.encode())
        draft = Draft.parse(draft_bytes, where=where)
        from .draftshapes import ensure_conforms
        ensure_conforms(draft.bookkeeping, self.settings, where)
        meta.validate(where)
        slug = draft.slug
        meta.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        meta.queued_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.check_not_ingested(slug, text, meta, allow_queued=replace)
        entry = Entry(self.root / slug)
        entry.dir.mkdir(parents=True, exist_ok=True)
        with entry.locked():
            atomic_write(entry.text_path, text.encode("utf-8"))
            atomic_write(entry.dir / "meta.json", (json.dumps(asdict(meta), indent=2, ensure_ascii=False) + "\n").encode())
            atomic_write(entry.draft_path, draft_bytes)   # last: an entry is listed once its draft exists
        return entry

    def check_not_ingested(self, slug: str, text: str, meta: SourceMeta, *, allow_queued: bool = False) -> None:
        """Refuse an article already in the graph or the queue (same slug, same text, same address)."""
        data = self.settings.data_dir
        if (data / "articles" / f"{slug}.ttl").exists() or (data / "sources" / f"{slug}.ttl").exists():
            raise ReviewError(f"an article {slug!r} is already in the graph (data/articles/{slug}.ttl)",
                              hint="choose another slug, or remove that article first", status=409)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        sources = data / "sources"
        if sources.is_dir():
            for p in sorted(sources.glob("*.txt")):
                if hashlib.sha256(p.read_bytes()).hexdigest() == digest:
                    raise ReviewError(f"the same text is already in the graph as {p.relative_to(data)}",
                                      hint="this article has been ingested before", status=409)
            if meta.url:
                for p in sorted(sources.glob("*.ttl")):
                    if f"<{meta.url}>" in p.read_text(encoding="utf-8", errors="replace"):
                        raise ReviewError(f"an article with the address {meta.url} is already in the graph ({p.relative_to(data)})",
                                          hint="this article has been ingested before", status=409)
        for e in self.entries():
            if e.slug == slug:
                if not allow_queued:
                    raise ReviewError(f"a draft {slug!r} is already in the review queue",
                                      hint="review it (`wckg review show`), or re-queue with --replace", status=409)
                continue
            m = e.meta()
            if m.sha256 == digest or (meta.url and m.url == meta.url):
                raise ReviewError(f"the same article is already in the review queue as {e.slug!r}", status=409)

    def retire(self, entry: Entry) -> None:
        """Move a landed entry under ``.landed/`` (kept for the record, out of the queue)."""
        dest = self.root / ".landed" / entry.slug
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(entry.dir, dest)

    # ------------------------------------------------------------------ decisions
    def decide(self, slug: str, fact_ids: list[str], action: str, *, object: str | None = None,
               label: str | None = None, exists=None) -> list[str]:
        """Record a decision on facts; returns the ids decided. *exists(iri) -> bool* says
        whether an IRI is in the graph (for a corrected object)."""
        if action not in ACTIONS:
            raise ReviewError(f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}")
        entry = self.get(slug)
        with entry.locked():
            draft = entry.draft()
            decisions = entry.decisions()
            missing = [f for f in fact_ids if f not in draft.facts]
            if missing:
                raise ReviewError(f"no fact {', '.join(repr(m) for m in missing)} in the draft {slug!r}",
                                  hint=f"`wckg review show {slug}` lists the facts and their ids")
            if action == "correct":
                if object is None and label is None:
                    raise ReviewError("a correction needs --object IRI (a statement) or --label TEXT (a resource)")
                for fid in fact_ids:
                    f = draft.facts[fid]
                    if object is not None and f.kind != "statement":
                        raise ReviewError(f"fact {fid} is a resource, not a statement: correct its label, or relink it with `wckg review link`")
                    if label is not None and f.kind != "resource":
                        raise ReviewError(f"fact {fid} is a statement: --label corrects a resource fact")
                    if label is not None and not label.strip():
                        raise ReviewError("the new label is empty")
                if object is not None:
                    literal_facts = [fid for fid in fact_ids if _is_literal(draft.facts[fid].object)]
                    if literal_facts:
                        for fid in literal_facts:
                            _check_value(object, draft.facts[fid].object, fid)
                    if len(literal_facts) < len(fact_ids):
                        self._check_target(object, draft, exists)
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for fid in fact_ids:
                decisions.facts[fid] = Decision(action, object, label.strip() if label else None, now)
            entry.save_decisions(decisions)
        return fact_ids

    def decide_above(self, slug: str, threshold: float, action: str = "accept") -> list[str]:
        """Decide every pending fact whose confidence is at least *threshold*."""
        entry = self.get(slug)
        draft, decisions = entry.draft(), entry.decisions()
        ids = [f.id for f in draft.facts.values() if f.id not in decisions.facts
               and f.confidence is not None and f.confidence >= threshold]
        return self.decide(slug, ids, action) if ids else []

    def link(self, slug: str, mentioned: str, target: str | None, *, exists=None) -> None:
        """Say that *mentioned* (an IRI the draft uses) is really *target* (None undoes it)."""
        entry = self.get(slug)
        with entry.locked():
            draft = entry.draft()
            decisions = entry.decisions()
            from rdflib import URIRef
            used = {str(t) for tr in draft.graph for t in (tr[0], tr[2]) if isinstance(t, URIRef)}
            if mentioned not in used and not any(m.refers_to == mentioned for m in draft.mentions):
                raise ReviewError(f"the draft {slug!r} does not mention {mentioned}",
                                  hint=f"`wckg review show {slug}` lists the mentions and the IRIs they link to")
            if target is None:
                decisions.links.pop(mentioned, None)
            else:
                if target == mentioned:
                    raise ReviewError("a mention cannot be linked to itself")
                self._check_target(target, draft, exists)
                decisions.links[mentioned] = target
            entry.save_decisions(decisions)

    @staticmethod
    def _check_target(iri: str, draft: Draft, exists) -> None:
        from rdflib import URIRef
        if not iri.startswith(("http://", "https://")) or any(c in iri for c in ' <>"{}|\\^`'):
            raise ReviewError(f"{iri!r} is not an IRI", hint="give the full IRI, e.g. https://w3id.org/wckg/id/organisation/undp")
        if URIRef(iri) in draft.resources():
            return
        if exists is None or not exists(iri):
            raise ReviewError(f"{iri} is not in the graph", hint="link to an IRI the graph holds (find it with the site's search or `wckg query`)")
