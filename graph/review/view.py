"""What a review page shows, computed from a queue entry (no web framework here): the article
text cut into plain and mention segments, and each fact with its quotes, the words that name
its object marked, its decision and the mentions' link candidates."""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal

from .draft import Draft, Fact, Mention
from .queue import Decision, Decisions, Entry


@dataclass
class TextSegment:
    text: str
    mention: int | None = None      # index into the page's mentions
    begin: int = 0


@dataclass
class QuoteView:
    parts: list[tuple[str, bool]]   # (text, marked)
    begin: int | None
    end: int | None


@dataclass
class FactView:
    id: str
    kind: str
    subject: str
    subject_label: str
    predicate: str | None
    object: str | None
    object_label: str | None
    object_is_iri: bool
    confidence: float | None
    decision: Decision | None
    quotes: list[QuoteView] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.decision.action if self.decision else "pending"


@dataclass
class MentionView:
    index: int
    mention: Mention
    relinked_to: str | None


@dataclass
class ReviewPage:
    slug: str
    meta: object
    segments: list[TextSegment]
    facts: list[FactView]
    mentions: list[MentionView]
    counts: dict[str, int]
    links: dict[str, str]


def text_segments(text: str, mentions: list[Mention]) -> list[TextSegment]:
    """*text* cut at the mentions (overlapping or out-of-range mentions are left unmarked)."""
    out: list[TextSegment] = []
    pos = 0
    for i, m in sorted(enumerate(mentions), key=lambda t: (t[1].begin if t[1].begin is not None else -1)):
        if m.begin is None or m.end is None or m.begin < pos or m.end > len(text) or m.end <= m.begin:
            continue
        if text[m.begin:m.end] != m.text:
            continue  # offsets that do not match the text: do not mark the wrong words
        if m.begin > pos:
            out.append(TextSegment(text[pos:m.begin], None, pos))
        out.append(TextSegment(m.text, i, m.begin))
        pos = m.end
    if pos < len(text):
        out.append(TextSegment(text[pos:], None, pos))
    return out


def mark(quote: str, names: list[str]) -> list[tuple[str, bool]]:
    """*quote* with the first occurrence of each of *names* marked (case-insensitive)."""
    spans: list[tuple[int, int]] = []
    low = quote.lower()
    for n in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        i = low.find(n.lower())
        if i >= 0 and not any(i < e and i + len(n) > b for b, e in spans):
            spans.append((i, i + len(n)))
    spans.sort()
    parts, pos = [], 0
    for b, e in spans:
        if b > pos:
            parts.append((quote[pos:b], False))
        parts.append((quote[b:e], True))
        pos = e
    if pos < len(quote):
        parts.append((quote[pos:], False))
    return parts


def _names(draft: Draft, node) -> list[str]:
    if node is None or isinstance(node, Literal):
        return [str(node)] if node is not None else []
    names = [m.text for m in draft.mentions if m.refers_to == str(node)]
    from rdflib.namespace import SKOS
    names += [str(o) for o in draft.graph.objects(node, SKOS.prefLabel)]
    names += [str(o) for o in draft.graph.objects(node, SKOS.altLabel)]
    return names


def fact_view(draft: Draft, f: Fact, d: Decision | None) -> FactView:
    names = _names(draft, f.object if f.kind == "statement" else f.subject)
    quotes = []
    for e in f.evidence:
        quotes.append(QuoteView(mark(e.quote, ([e.mention_text] if e.mention_text else []) + names), e.begin, e.end))
    return FactView(
        f.id, f.kind, str(f.subject), draft.label(f.subject), str(f.predicate) if f.predicate is not None else None,
        str(f.object) if f.object is not None else None, draft.label(f.object) if f.object is not None else None,
        f.object is not None and not isinstance(f.object, Literal), f.confidence, d, quotes, list(f.warnings))


def review_page(entry: Entry) -> ReviewPage:
    draft, decisions = entry.draft(), entry.decisions()
    try:
        text = entry.text()
    except OSError:
        text = ""
    facts = [fact_view(draft, f, decisions.facts.get(f.id)) for f in draft.facts.values()]
    # resources first (what the article is about), then statements; each by confidence
    facts.sort(key=lambda v: (v.kind != "resource", v.subject_label.lower(), -(v.confidence or 0), v.id))
    mentions = [MentionView(i, m, decisions.links.get(m.refers_to or "")) for i, m in enumerate(draft.mentions)]
    return ReviewPage(entry.slug, entry.meta(), text_segments(text, draft.mentions), facts, mentions,
                      entry.status(draft, decisions), dict(decisions.links))


__all__ = ["review_page", "text_segments", "mark", "ReviewPage", "FactView", "MentionView", "TextSegment",
           "Decisions"]
