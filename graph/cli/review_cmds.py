"""`wckg review …`: the review queue of machine drafts (list, show, decide, relink, land)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..errors import ValidationFailed
from .base import app, err, out
from .data_cmds import StoreOpt, progress_bar, settings_for

review_app = typer.Typer(name="review", help="Review machine drafts: accept, correct or reject each fact, then land them.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")

SlugArg = Annotated[str, typer.Argument(metavar="SLUG", help="the draft (its article slug; `wckg review list`)")]
FactsArg = Annotated[Optional[list[str]], typer.Argument(metavar="FACT...", help="fact ids (`wckg review show SLUG`)")]


def _queue(store: Path | None = None):
    from ..review.queue import ReviewQueue
    settings = settings_for(store)
    return settings, ReviewQueue(settings)


def _short(iri: str) -> str:
    from ..namespaces import OUTPUT_PREFIXES
    for p, ns in OUTPUT_PREFIXES.items():
        if p != "wcid" and iri.startswith(ns) and len(iri) > len(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


def _term(t) -> str:
    from rdflib import Literal
    if isinstance(t, Literal):
        return repr(str(t)) + (f"@{t.language}" if t.language else "")
    return _short(str(t))


@review_app.command("list")
def list_cmd(
    store: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """The drafts waiting for review, with how many facts are decided."""
    _, queue = _queue(store)
    rows = []
    for e in queue.entries():
        meta = e.meta()
        rows.append({"slug": e.slug, "title": meta.title, "published": meta.published, **e.status()})
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    if not rows:
        err.print(f"The review queue {queue.root} is empty.", markup=False)
        return
    t = Table(header_style="bold")
    for c in ("draft", "published", "facts", "pending", "accepted", "corrected", "rejected", "title"):
        t.add_column(c, justify="right" if c in ("facts", "pending", "accepted", "corrected", "rejected") else "left")
    for r in rows:
        t.add_row(Text(r["slug"]), Text(r["published"] or ""), str(r["facts"]), str(r["pending"]), str(r["accept"]),
                  str(r["correct"]), str(r["reject"]), Text(r["title"] or ""))
    out.print(t)


# long: a Typer command: one draft's sections printed in order
@review_app.command("show")
def show_cmd(
    slug: SlugArg,
    store: StoreOpt = None,
    pending: Annotated[bool, typer.Option("--pending", help="only facts not decided yet")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Every drafted fact with its evidence, confidence, decision; the mentions and their link candidates."""
    _, queue = _queue(store)
    entry = queue.get(slug)
    draft, decisions = entry.draft(), entry.decisions()
    facts = []
    for f in draft.facts.values():
        d = decisions.facts.get(f.id)
        if pending and d is not None:
            continue
        facts.append({
            "id": f.id, "kind": f.kind, "subject": str(f.subject),
            "predicate": str(f.predicate) if f.predicate is not None else None,
            "object": str(f.object) if f.object is not None else None,
            "label": draft.label(f.subject) if f.kind == "resource" else
                     f"{draft.label(f.subject)} — {_short(str(f.predicate))} → {draft.label(f.object)}",
            "confidence": f.confidence, "decision": d.to_json() if d else None,
            "evidence": [e.__dict__ for e in f.evidence], "warnings": list(f.warnings),
        })
    mentions = [{"text": m.text, "begin": m.begin, "end": m.end, "refers_to": m.refers_to, "status": m.status,
                 "relinked_to": decisions.links.get(m.refers_to or ""),
                 "candidates": [c.__dict__ for c in m.candidates]} for m in draft.mentions]
    if as_json:
        sys.stdout.write(json.dumps({"slug": slug, "meta": entry.meta().__dict__, "facts": facts,
                                     "mentions": mentions, "links": decisions.links}, indent=2, ensure_ascii=False) + "\n")
        return
    meta = entry.meta()
    out.print(Text(f"{slug}: {meta.title or '(no title)'} ({meta.published or 'no date'})", style="bold"))
    for f in facts:
        d = f["decision"]
        state = d["action"] if d else "pending"
        conf = f"{f['confidence']:.2f}" if f["confidence"] is not None else "  — "
        line = Text()
        line.append(f"{f['id']}  ", style="cyan")
        line.append(f"[{state}] ", style={"accept": "green", "correct": "yellow", "reject": "red"}.get(state, "magenta"))
        line.append(f"{conf}  {f['kind']:9} ")
        line.append(f["label"])
        if d and d.get("object"):
            line.append(f"  ⇒ {_short(d['object'])}", style="yellow")
        if d and d.get("label"):
            line.append(f"  ⇒ label {d['label']!r}", style="yellow")
        out.print(line)
        for w in f["warnings"]:
            out.print(Text(f"      ⚠ {w}", style="yellow"))
        for e in f["evidence"][:2]:
            out.print(Text(f"      “{e['quote']}”", style="dim"))
    if mentions:
        out.print(Text("Mentions", style="bold"))
        for m in mentions:
            line = Text(f"  {m['text']!r} → {_short(m['refers_to'] or '?')} ({m['status'] or '?'})")
            if m["relinked_to"]:
                line.append(f"  relinked to {_short(m['relinked_to'])}", style="yellow")
            if m["candidates"]:
                line.append("  candidates: " + ", ".join(f"{_short(c['iri'])} {c['score']:.2f}" for c in m["candidates"][:4]),
                            style="dim")
            out.print(line)
    c = entry.status(draft, decisions)
    err.print(f"{c['facts']} facts: {c['pending']} pending, {c['accept']} accepted, {c['correct']} corrected, "
              f"{c['reject']} rejected", markup=False)


def _decide(slug: str, facts: list[str] | None, action: str, store: Path | None, *, above: float | None = None,
            all_pending: bool = False) -> None:
    settings, queue = _queue(store)
    if above is not None:
        if facts:
            raise typer.BadParameter("give fact ids or --above, not both")
        ids = queue.decide_above(slug, above, action)
    elif all_pending:
        entry = queue.get(slug)
        decided = entry.decisions().facts
        ids = [f for f in entry.draft().facts if f not in decided]
        ids = queue.decide(slug, ids, action) if ids else []
    else:
        if not facts:
            raise typer.BadParameter("name at least one fact id (or --above / --all-pending)")
        ids = queue.decide(slug, facts, action)
    verb = {"accept": "Accepted", "reject": "Rejected"}[action]
    err.print(f"{verb} {len(ids)} fact(s) of {slug}.", markup=False)


@review_app.command("accept")
def accept_cmd(
    slug: SlugArg, facts: FactsArg = None, store: StoreOpt = None,
    above: Annotated[Optional[float], typer.Option("--above", min=0.0, max=1.0, help="every pending fact with at least this confidence")] = None,
    all_pending: Annotated[bool, typer.Option("--all-pending", help="every fact not decided yet")] = False,
) -> None:
    """Accept facts as drafted."""
    _decide(slug, facts, "accept", store, above=above, all_pending=all_pending)


@review_app.command("reject")
def reject_cmd(
    slug: SlugArg, facts: FactsArg = None, store: StoreOpt = None,
    below: Annotated[Optional[float], typer.Option("--below", min=0.0, max=1.0, help="every pending fact with less than this confidence")] = None,
    all_pending: Annotated[bool, typer.Option("--all-pending", help="every fact not decided yet")] = False,
) -> None:
    """Reject facts: they never land, and a re-run of the extractor does not propose them again."""
    if below is not None:
        settings, queue = _queue(store)
        entry = queue.get(slug)
        decided = entry.decisions().facts
        ids = [f.id for f in entry.draft().facts.values()
               if f.id not in decided and f.confidence is not None and f.confidence < below]
        if ids:
            queue.decide(slug, ids, "reject")
        err.print(f"Rejected {len(ids)} fact(s) of {slug}.", markup=False)
        return
    _decide(slug, facts, "reject", store, all_pending=all_pending)


@review_app.command("correct")
def correct_cmd(
    slug: SlugArg,
    fact: Annotated[str, typer.Argument(metavar="FACT", help="the fact id")],
    store: StoreOpt = None,
    object: Annotated[Optional[str], typer.Option("--object", metavar="IRI", help="a statement's right object: an IRI in the graph or the draft, or the right value of a literal (a date YYYY-MM-DD)")] = None,
    label: Annotated[Optional[str], typer.Option("--label", metavar="TEXT", help="a resource's right preferred label")] = None,
) -> None:
    """Accept a fact with a correction (its evidence is kept)."""
    from ..review.land import graph_lookup
    settings, queue = _queue(store)
    queue.decide(slug, [fact], "correct", object=object, label=label,
                 exists=graph_lookup(settings) if object else None)
    err.print(f"Corrected {fact} of {slug}.", markup=False)


@review_app.command("link")
def link_cmd(
    slug: SlugArg,
    mentioned: Annotated[str, typer.Argument(metavar="DRAFTED_IRI", help="the IRI the draft linked a name to (or minted)")],
    target: Annotated[Optional[str], typer.Argument(metavar="IRI", help="the IRI it really is (in the graph)")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="forget an earlier relink of DRAFTED_IRI")] = False,
    store: StoreOpt = None,
) -> None:
    """Relink a mention: every use of DRAFTED_IRI in the draft becomes IRI."""
    from ..review.land import graph_lookup
    if (target is None) != undo:
        raise typer.BadParameter("give the target IRI, or --undo to forget the relink")
    settings, queue = _queue(store)
    queue.link(slug, mentioned, target, exists=graph_lookup(settings) if target else None)
    err.print(f"{'Unlinked' if undo else 'Linked'} {_short(mentioned)}{'' if target is None else ' → ' + _short(target)} in {slug}.",
              markup=False)


@review_app.command("land")
def land_cmd(
    slug: SlugArg,
    store: StoreOpt = None,
    drop_pending: Annotated[bool, typer.Option("--drop-pending", help="leave facts not decided out (default: refuse)")] = False,
) -> None:
    """Write the accepted facts into data/ (article, new reference entities, source) and rebuild
    the store; all or nothing: when validation fails nothing is written."""
    from ..review.land import land
    settings, _ = _queue(store)
    with progress_bar() as bar:
        task = bar.add_task("landing", total=None)
        try:
            report = land(settings, slug, drop_pending=drop_pending,
                          progress=lambda stage, done, total: bar.update(task, description=stage, completed=done, total=total))
        except ValidationFailed as e:
            bar.stop()
            err.print(e.report.to_text(), markup=False, highlight=False)
            err.print(f"Nothing of {slug} landed: data/ and the store are as they were.", markup=False)
            raise
    root = settings.data_dir.parent
    for p in report.files:
        try:
            shown = p.relative_to(root)
        except ValueError:
            shown = p
        err.print(f"  wrote {shown}", markup=False)
    for fid, why in report.dropped.items():
        err.print(f"  left out {fid}: {why}", markup=False)
    b = report.build
    built = f"store build {b.build_id}: {b.triples} triples" if b is not None else "no store build"
    err.print(f"Landed {report.landed} fact(s) of {slug} ({report.rejected} rejected) in {report.seconds:.1f} s; "
              f"{built}.", markup=False)


def _meta_of(article):
    from ..review.queue import SourceMeta
    return SourceMeta(title=article.title, published=article.published.isoformat() if article.published else None,
                      publisher=article.publisher, url=article.url, language=article.language or "en")


@review_app.command("add")
def add_cmd(
    draft: Annotated[Path, typer.Argument(metavar="DRAFT.trig", help="a draft made by `wckg extract`")],
    text: Annotated[Path, typer.Option("--text", metavar="ARTICLE.txt", help="the article the draft was made from (its `# key: value` header is read and left out)")],
    store: StoreOpt = None,
    title: Annotated[Optional[str], typer.Option("--title")] = None,
    published: Annotated[Optional[str], typer.Option("--published", metavar="YYYY-MM-DD")] = None,
    publisher: Annotated[Optional[str], typer.Option("--publisher", metavar="IRI|NAME")] = None,
    url: Annotated[Optional[str], typer.Option("--url")] = None,
    language: Annotated[Optional[str], typer.Option("--language")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="replace the queued draft of this article; decisions are kept")] = False,
) -> None:
    """Queue a draft for review (what `wckg ingest` does after extracting)."""
    from ..ingest import read_article
    from ..load import read_input
    _, queue = _queue(store)
    article = read_article(text, title=title, published=published, publisher=publisher, url=url, language=language)
    entry = queue.add(read_input(draft, what="a draft (TriG)"), article.text, _meta_of(article),
                      replace=replace, where=str(draft))
    c = entry.status()
    err.print(f"Queued {entry.slug}: {c['facts']} facts ({c['pending']} to review).", markup=False)


# long: a Typer command: its options, then each article through the pipeline with progress
@app.command()
def ingest(
    articles: Annotated[list[Path], typer.Argument(metavar="ARTICLE...", help="plain-text articles (UTF-8), optionally with a `# key: value` header")],
    store: StoreOpt = None,
    title: Annotated[Optional[str], typer.Option(help="the article's title (one article only)")] = None,
    published: Annotated[Optional[str], typer.Option(metavar="YYYY-MM-DD", help="publication date (one article only)")] = None,
    publisher: Annotated[Optional[str], typer.Option(metavar="IRI|NAME", help="who published it")] = None,
    url: Annotated[Optional[str], typer.Option(help="the article's address (one article only)")] = None,
    language: Annotated[Optional[str], typer.Option(help="language tag of the text (default en)")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="re-extract articles already in the queue; decisions (rejections too) are kept")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="the summary as JSON on stdout")] = False,
) -> None:
    """Extract, link and queue articles for review (`wckg review`): a progress bar and a summary."""
    from ..errors import InputError, WckgError
    from ..ingest import Extractor, read_article
    from ..ingest.gazetteer import load_gazetteer
    from ..review.queue import ReviewQueue
    settings = settings_for(store)
    if len(articles) > 1 and (title or published or url):
        raise InputError("--title, --published and --url apply to one article", hint="run ingest once per article")
    # read every article first: bad input stops before anything is queued
    read = [read_article(p, title=title, published=published, publisher=publisher, url=url, language=language)
            for p in articles]
    queue = ReviewQueue(settings)
    gazetteer, where = load_gazetteer(settings, require_store=store is not None)
    err.print(f"Linking names against {where} ({len(gazetteer.entries)} named resources).", markup=False)
    extractor = Extractor(gazetteer, model=getattr(settings, "spacy_model", None), base=settings.base_iri)
    rows: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    with progress_bar() as bar:
        task = bar.add_task("extracting", total=len(read))
        for path, article in zip(articles, read):
            bar.update(task, description=f"extracting {path.name}")
            try:
                queue.check_not_ingested(article.slug, article.text, _meta_of(article), allow_queued=replace)
                draft = extractor.extract(article)
                entry = queue.add(draft.trig(settings.base_iri), article.text, _meta_of(article), replace=replace,
                                  where=str(path))
            except WckgError as e:
                failed.append({"article": str(path), "error": str(e)})
                bar.advance(task)
                continue
            d = entry.draft()
            c = entry.status(d)
            statuses = [m.status for m in d.mentions]
            rows.append({"article": str(path), "slug": entry.slug, "facts": c["facts"], "pending": c["pending"],
                         "rejected_before": c["reject"],
                         "linked_existing": len({m.refers_to for m in d.mentions if m.status == "existing"}),
                         "new": len({m.refers_to for m in d.mentions if m.status == "new"}),
                         "low_confidence": sum(1 for f in d.facts.values() if f.confidence is not None and f.confidence < 0.7),
                         "mentions": len(statuses)})
            bar.advance(task)
    if as_json:
        sys.stdout.write(json.dumps({"queued": rows, "failed": failed}, indent=2, ensure_ascii=False) + "\n")
    else:
        if rows:
            t = Table(header_style="bold", title="Queued for review")
            for col in ("draft", "facts", "to review", "linked to existing", "new", "confidence < 0.7"):
                t.add_column(col, justify="left" if col == "draft" else "right", no_wrap=col == "draft")
            for r in rows:
                t.add_row(Text(r["slug"]), str(r["facts"]), str(r["pending"]), str(r["linked_existing"]), str(r["new"]),
                          str(r["low_confidence"]))
            out.print(t)
            err.print(f"{len(rows)} article(s) queued: {sum(r['facts'] for r in rows)} facts drafted, "
                      f"{sum(r['pending'] for r in rows)} to review. Next: `wckg review show SLUG` or /review.", markup=False)
        for f in failed:
            err.print(f"error: {f['error']}", style="bold red", markup=False)
    if failed:
        raise SystemExit(2)


@review_app.command("drop")
def drop_cmd(slug: SlugArg, store: StoreOpt = None) -> None:
    """Remove a draft from the queue (its decisions go with it)."""
    import shutil
    _, queue = _queue(store)
    entry = queue.get(slug)
    with entry.locked():
        shutil.rmtree(entry.dir)
    err.print(f"Removed {slug} from the review queue.", markup=False)
