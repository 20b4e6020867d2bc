"""Content negotiation: every route picks its representation through :func:`choose`.

The ``Accept`` header is parsed by python-mimeparse. Preference among the offered formats:
the highest q; for equal q the more specific media range (``text/turtle`` over ``text/*``
over ``*/*``), then the order of the offers (so the first offer is the default)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import mimeparse
from starlette.requests import Request

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


#: What a page with a JSON twin offers: HTML first (a person following a link), then JSON;
#: XHTML, another name of the page, last (so ``application/*`` means JSON).
PAGE_OFFERS: list[tuple[str, str]] = [("text/html", "html"), ("application/json", "json"),
                                      ("application/xhtml+xml", "html")]


def parse_accept(header: str | None) -> list[tuple[str, str, dict[str, str]]]:
    """The media ranges of an ``Accept`` header, parsed by :mod:`mimeparse` (type, subtype,
    parameters with ``q``); entries that are not media ranges are skipped, not refused."""
    ranges = []
    for part in (header or "").lower().split(","):
        if not part.strip():
            continue
        try:
            ranges.append(mimeparse.parse_media_range(part))
        except (mimeparse.MimeTypeParseException, ValueError):
            continue
    return ranges


def negotiate(header: str | None, offers: Sequence[tuple[str, T]]) -> tuple[str, T] | None:
    """The (media type, value) of *offers* the client prefers; the first offer when the
    client states nothing; None when nothing it accepts is offered.

    The quality of an offer is the q of the most specific range that matches it (RFC 9110
    §12.5.1, computed by :func:`mimeparse.quality_and_fitness_parsed`); the highest q wins,
    for equal q the more specific match, then our order of *offers*. The order of the
    ranges in the header carries no meaning."""
    ranges = parse_accept(header)
    if not ranges:
        return offers[0] if offers else None
    best: tuple[tuple[float, float], tuple[str, T]] | None = None
    for media, value in offers:
        q, fitness = mimeparse.quality_and_fitness_parsed(media, ranges)
        if q <= 0:
            continue
        if best is None or (q, fitness) > best[0]:
            best = ((q, fitness), (media, value))
    return best[1] if best else None


def choose(request: Request, offers: Sequence[tuple[str, T]], *, suffix: T | None = None) -> T | None:
    """THE way a route picks its representation: the format named by the URL's suffix
    (already looked up by the route) when there is one, else the best of *offers* for the
    request's ``Accept`` header (:func:`negotiate`); None when the client accepts none of
    them (answer 406)."""
    if suffix is not None:
        return suffix
    chosen = negotiate(request.headers.get("accept"), offers)
    return chosen[1] if chosen else None


def named(request: Request, media: str) -> float:
    """The q the client gives *media* by naming it exactly (not through a wildcard); 0 when
    it does not name it."""
    q, fitness = mimeparse.quality_and_fitness_parsed(media, parse_accept(request.headers.get("accept")))
    return q if fitness >= _EXACT else 0.0


def accepted_media(request: Request) -> set[str]:
    """The media types the client names exactly with a q above 0 (no wildcards)."""
    return {f"{t}/{s}" for t, s, p in parse_accept(request.headers.get("accept"))
            if "*" not in (t, s) and float(p["q"]) > 0}


#: mimeparse's fitness of a range naming type and subtype without wildcards.
_EXACT = 110


__all__ = ["Format", "HTML", "RDF_FORMATS", "RDF_BY_SUFFIX", "MEDIA_ALIASES", "PAGE_OFFERS", "parse_accept", "negotiate",
           "choose", "named", "accepted_media"]
