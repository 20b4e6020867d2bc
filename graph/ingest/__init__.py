"""From an article to a draft of the facts it states (issue 11, extraction half).

The pipeline is a small set of named stages, each testable alone::

    article  (article.py)   text + metadata (options or a `# key: value` header)
    segment  (segment.py)   spaCy blank pipeline, rule-based sentences, character offsets
    mentions (mentions.py)  names of organisations, people, places, programmes, documents
    link     (link.py)      mentions → entities → existing IRIs (gazetteer) or new ones
    frames   (frames.py)    events, agreements, posts, programme facts, participation, claims
    rdf      (rdf.py)       the draft as TriG (docs/model.md §5)

:func:`extract` runs them; it is pure and deterministic (no store is written; the
gazetteer is read once and reused across articles).
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

from ..namespaces import WCID_DEFAULT
from .article import Article, read_article
from .gazetteer import Gazetteer

TOOL_NAME = "wckg-extract"


def tool_version() -> str:
    try:
        return metadata.version("wckg")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0.0.0"


@dataclass
class Draft:
    article: Article
    sentences: list
    mentions: list
    entities: list
    resources: dict

    def quads(self, base: str = WCID_DEFAULT):
        from .rdf import write_draft
        return write_draft(self.article, self.sentences, self.mentions, self.entities, self.resources,
                           tool_version=tool_version(), base=base)

    def dataset(self, base: str = WCID_DEFAULT):
        """The draft as an rdflib Dataset (two named graphs)."""
        return self.quads(base).dataset()

    def trig(self, base: str = WCID_DEFAULT) -> bytes:
        from .rdf import serialize
        return serialize(self.quads(base))

    def summary(self) -> dict[str, int]:
        kinds: dict[str, int] = {}
        for r in self.resources.values():
            kinds[r.kind] = kinds.get(r.kind, 0) + 1
        kinds["linked to existing"] = sum(1 for e in self.entities if e.status == "existing")
        kinds["new entities"] = sum(1 for e in self.entities if e.status == "new")
        return kinds


class Extractor:
    """The loaded pipeline: a gazetteer and its matchers, reused for many articles."""

    def __init__(self, gazetteer: Gazetteer, *, model: str | None = None, base: str = WCID_DEFAULT):
        from .mentions import MentionFinder
        from .segment import load_pipeline
        self.gazetteer = gazetteer
        self.model = model
        self.base = base
        self.nlp = load_pipeline(model)
        self.finder = MentionFinder(gazetteer, self.nlp.vocab)
        from .link import Linker
        self.linker = Linker(gazetteer, base)

    def extract(self, article: Article) -> Draft:
        from .frames import Frames
        from .link import group
        from .segment import segment
        doc, sentences = segment(article.text, self.model)
        mentions, _names = self.finder.find(doc, sentences, article.text)
        entities = group(mentions)
        linker = self.linker
        for e in entities:
            linker.country_office(e, entities)
        linker.link(entities)
        resources = Frames(article, sentences, mentions, entities, self.gazetteer, self.base).run()
        return Draft(article, sentences, mentions, entities, resources)


def extract(article: Article, gazetteer: Gazetteer, **kw) -> Draft:
    return Extractor(gazetteer, **kw).extract(article)


__all__ = ["Article", "read_article", "Gazetteer", "Extractor", "Draft", "extract", "TOOL_NAME", "tool_version"]
