"""Article input: a plain-text article (UTF-8) and its metadata.

Metadata come from keyword arguments (the CLI options ``--title``, ``--published``,
``--publisher``, ``--url``, ``--language``, ``--slug``) or from a header block at the top
of the file: lines ``# key: value`` followed by a blank line. Known keys are ``title``,
``published`` (also ``date``), ``publisher``, ``source``/``url``, ``language``/``lang``
and ``slug``; other keys are kept in :attr:`Article.header` and otherwise ignored. A
trailing remark after a value (``2014-09-08 (stated)``) is ignored; a ``published``
value that is not a date at all (``not stated in captured text``) means "unknown", while
a date that does not exist (``2014-02-30``) is an error.

The article *body* (the text after the header block) is what is kept verbatim as
``data/sources/{slug}.txt``; every character offset of the extraction is into it.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import InputError, Location
from ..load import read_input

_HEADER_LINE = re.compile(r"^#\s*([A-Za-z][\w -]*?)\s*:\s*(.*?)\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_HTML = re.compile(r"<\s*(!doctype|html|head|body|div|p|span|script|table|br)\b", re.I)


@dataclass
class Article:
    """One article: its verbatim body and its metadata."""

    text: str                              #: the body, verbatim (offsets are into it)
    slug: str
    title: str | None = None
    published: date | None = None
    publisher: str | None = None
    url: str | None = None
    language: str = "en"
    path: Path | None = None
    header: dict[str, str] = field(default_factory=dict)
    body_offset: int = 0                   #: where the body starts in the file (characters)
    published_note: str | None = None      #: how the publication date was found, when not given

    @property
    def sha256(self) -> str:
        """Checksum of the body (finds an article already ingested under another name)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def slugify(text: str, max_len: int = 60) -> str:
    """Lower-case ASCII, digits and hyphens (the identifier rule of the core model),
    cut at a word boundary to at most *max_len* characters."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > max_len:
        cut = s[:max_len + 1].rsplit("-", 1)[0] if "-" in s[:max_len + 1] else s[:max_len]
        s = cut.strip("-")
    return s


def parse_date_value(value: str, *, where: Location | None = None, what: str = "date") -> date | None:
    """A date written ``YYYY-MM-DD``, ``8 September 2014`` or ``September 8, 2014`` at the
    start of *value* (anything after it is a remark). None when *value* does not start with
    a date; :class:`InputError` when it does but the date does not exist."""
    v = value.strip()
    m = _ISO_DATE.match(v)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.match(r"^(\d{1,2})\s+([A-Za-z]+)\.?,?\s+(\d{4})\b", v) or None
        if m and m.group(2).lower() in _MONTHS:
            d, mo, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
        else:
            m = re.match(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b", v)
            if not (m and m.group(1).lower() in _MONTHS):
                return None
            mo, d, y = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    try:
        return date(y, mo, d)
    except ValueError:
        raise InputError(f"impossible {what} {v.split()[0]!r}: no such day",
                         location=where, hint="write the date as YYYY-MM-DD, e.g. 2014-09-08") from None


def decode_text(data: bytes, path: Path | str) -> str:
    """UTF-8 text of a file the user gave as an article, or an :class:`InputError` saying
    why it is not one (empty, binary, not UTF-8, HTML)."""
    if not data.strip():
        raise InputError("the article is empty", location=Location(path),
                         hint="give a plain-text (UTF-8) file with the article's text")
    if b"\x00" in data[:8192]:
        raise InputError("this is a binary file, not a plain-text article", location=Location(path),
                         hint="save the article as plain text (UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[e.start]:02x} cannot be decoded)",
                         location=Location(path, line, col),
                         hint="convert the file to UTF-8, e.g. `iconv -f cp1251 -t utf-8`") from None
    head = text.lstrip()[:4000]
    if head.startswith("<") and _HTML.search(head) or len(_HTML.findall(text[:20000])) >= 3:
        raise InputError("this looks like HTML, not a plain-text article", location=Location(path),
                         hint="extract the article's text first (copy it from the browser, or save the page as text)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_header(text: str, path: Path | str = "<article>") -> tuple[dict[str, tuple[str, int]], int]:
    """The ``# key: value`` header (key → (value, line number)) and where the body starts."""
    header: dict[str, tuple[str, int]] = {}
    lines = text.split("\n")
    if not lines or not _HEADER_LINE.match(lines[0]):
        return header, 0
    offset = 0
    for i, line in enumerate(lines):
        if not line.strip():
            offset += len(line) + 1
            # the body starts after the blank line(s) that end the header
            rest = lines[i + 1:]
            for r in rest:
                if r.strip():
                    break
                offset += len(r) + 1
            return header, offset
        m = _HEADER_LINE.match(line)
        if not m:
            # a header must end with a blank line; a line that is not `# key: value` ends it too
            return header, offset
        header[m.group(1).strip().lower()] = (m.group(2), i + 1)
        offset += len(line) + 1
    return header, len(text)


_DATE_LINE = re.compile(r"^\s*(?:(?:publication\s+date|published(?:\s+on)?|date|posted(?:\s+on)?)\s*:?\s*)?(.+?)\s*$", re.I)


def date_line(text: str, max_lines: int = 6) -> tuple[date, str] | None:
    """A publication date written on a line of its own near the top of the body
    ("September 8, 2014", "Publication date: 21 November 2017", "date 2025-04-10 …")."""
    for line in [ln for ln in text.split("\n") if ln.strip()][:max_lines]:
        m = _DATE_LINE.match(line)
        if not m:
            continue
        value = m.group(1)
        try:
            d = parse_date_value(value)
        except InputError:
            continue
        if d is None:
            continue
        rest = value.strip()
        # the date must be the line (or open it, as in "date 2025-04-10 Participants …" after a label)
        labelled = m.group(0).strip().lower().startswith(("publication", "published", "date", "posted"))
        if labelled or len(rest) <= 30:
            return d, line.strip()[:80]
    return None


def read_article(path: Path | str, *, text: str | None = None, title: str | None = None,
                 published: date | str | None = None, publisher: str | None = None,
                 url: str | None = None, language: str | None = None,
                 slug: str | None = None) -> Article:
    """Read an article file (or take *text*) with its metadata; options override the header."""
    p = Path(path)
    raw = text if text is not None else decode_text(read_input(p, what="an article", hint="give the path of a .txt article"), p)
    if text is not None:
        raw = decode_text(text.encode("utf-8"), p)
    header, body_start = split_header(raw, p)
    body = raw[body_start:]
    if not body.strip():
        raise InputError("the article has a header but no text", location=Location(p),
                         hint="put the article's text after the header and one blank line")

    def hv(*keys: str) -> tuple[str | None, int | None]:
        for k in keys:
            if k in header:
                return header[k]
        return None, None

    if isinstance(published, str):
        published = parse_date_value(published, what="--published date")
        if published is None:
            raise InputError("--published is not a date", hint="write it as YYYY-MM-DD")
    if published is None:
        value, line = hv("published", "date", "publication date")
        if value:
            published = parse_date_value(value, where=Location(p, line), what="publication date")
    published_note = None
    if published is None:
        found = date_line(body)
        if found:
            published, date_text = found
            published_note = f"The publication date is the date line of the text ('{date_text}')."
    if published is not None and not (1900 <= published.year <= 2100):
        raise InputError(f"implausible publication date {published.isoformat()}", location=Location(p),
                         hint="check the year")
    h_title, _ = hv("title")
    h_url, _ = hv("url", "source", "address")
    h_pub, _ = hv("publisher")
    h_lang, _ = hv("language", "lang")
    h_slug, _ = hv("slug")
    if h_title:
        h_title = re.sub(r"\s+\((?:title taken|not in|inferred|supplied)[^)]*\)\s*$", "", h_title).strip()
    if h_url:
        h_url = h_url.split()[0]
        if not re.match(r"^https?://", h_url):
            h_url = None
    final_slug = slugify(slug or h_slug or p.stem)
    if not final_slug:
        raise InputError("cannot make an identifier from the file name", location=Location(p),
                         hint="pass --slug with lower-case letters, digits and hyphens")
    return Article(
        text=body, slug=final_slug, title=title or h_title or None, published=published,
        publisher=publisher or h_pub or None, url=url or h_url or None,
        language=(language or (h_lang.split()[0] if h_lang else None) or "en").lower(),
        path=p, header={k: v for k, (v, _) in header.items()}, body_offset=body_start,
        published_note=published_note,
    )
