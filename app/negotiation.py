"""Content negotiation: one parser of ``Accept`` headers for every router.

Preference among the offered formats: the highest q; for equal q the more specific media
range (``text/turtle`` over ``text/*`` over ``*/*``), then the range written first in the
header, then the order of the offers (so the first offer is the default)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from graph.results import RDF_OUTPUT_FORMATS

T = TypeVar("T")


@dataclass(frozen=True)
class Format:
    """A format a page can answer in: its key, media type, URL suffix and title."""

    key: str
    media_type: str
    suffix: str
    title: str


HTML = Format("html", "text/html", "html", "HTML")

#: The RDF formats of resource and publishing pages (media types and suffixes from graph.results).
RDF_FORMATS: list[Format] = [
    Format(key, RDF_OUTPUT_FORMATS[key][1], RDF_OUTPUT_FORMATS[key][2], title)
    for key, title in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("rdfxml", "RDF/XML"), ("ntriples", "N-Triples"))
]
RDF_BY_SUFFIX: dict[str, Format] = {f.suffix: f for f in RDF_FORMATS}

#: Other names clients use for the same media types.
MEDIA_ALIASES: dict[str, Format] = {
    "application/xhtml+xml": HTML,
    "application/x-turtle": RDF_BY_SUFFIX["ttl"], "application/turtle": RDF_BY_SUFFIX["ttl"],
    "text/n3": RDF_BY_SUFFIX["ttl"], "application/json-ld": RDF_BY_SUFFIX["jsonld"],
    "application/xml": RDF_BY_SUFFIX["rdf"], "text/xml": RDF_BY_SUFFIX["rdf"], "text/plain": RDF_BY_SUFFIX["nt"],
}


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media: str) -> int:
        """Specificity of the match with *media* (-1: no match)."""
        t, _, s = media.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == t and self.subtype == "*":
            return 1
        if self.type == t and self.subtype == s:
            return 2
        return -1


def parse_accept(header: str | None) -> list[_Range]:
    """The media ranges of an ``Accept`` header (bad entries are skipped)."""
    ranges: list[_Range] = []
    for i, part in enumerate((header or "").split(",")):
        bits = [b.strip() for b in part.split(";")]
        media = bits[0].lower()
        if "/" not in media:
            continue
        t, _, s = media.partition("/")
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        ranges.append(_Range(t, s, q, i))
    return ranges


def negotiate(header: str | None, offers: list[tuple[str, T]]) -> tuple[str, T] | None:
    """The (media type, format) of *offers* the client prefers; the first offer when the
    client states nothing; None when nothing it accepts is offered.

    Preference: highest q; for equal q the more specific range, then the range written
    first in the header, then our order of *offers*."""
    ranges = parse_accept(header)
    if not ranges:
        return offers[0]
    best: tuple[tuple, tuple[str, T]] | None = None
    for pos, (media, fmt) in enumerate(offers):
        # the most specific range that matches this offer decides its q
        match = max(((r.matches(media), r) for r in ranges if r.matches(media) >= 0),
                    key=lambda t: t[0], default=None)
        if match is None or match[1].q <= 0:
            continue
        spec, r = match
        key = (r.q, spec, -r.order, -pos)
        if best is None or key > best[0]:
            best = (key, (media, fmt))
    return best[1] if best else None


