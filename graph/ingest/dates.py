"""Dates an article states, resolved against its publication date.

Explicit dates (``20 November 2020``, ``November 15, 2017``, ``2014-09-08``, ``in
September 2024``, ``in spring of 2013``, ``in 2012``) are read by patterns; dates relative
to the publication ("today", "yesterday", "last week", "on Tuesday", "June 15" without
a year) are resolved with ``dateparser`` against it. A day and month without a year in an
article whose publication date is unknown take the year in which that weekday falls when
the article names the weekday ("Friday, 6 December" → the year among those the article
mentions in which 6 December was a Friday), and are marked inferred; otherwise the date
is left out, never guessed.

A :class:`When` is an ISO date of the precision stated: ``2017-11-15``, ``2024-09`` or ``2013``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12})
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_M = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|" \
     r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_WD = r"(?:(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+(?:the\s+)?)?"
PATTERNS = [
    # a range of days is dated by its first: "24-25 November 2021", "November 24–25, 2021"
    ("dmy", re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?\s+" + _M + r",?\s+(?P<year>(?:19|20)\d\d)\b")),
    ("mdy", re.compile(r"\b" + _M + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b")),
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d\d)-(?P<day>\d\d)\b")),
    ("dmy", re.compile(_WD + r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _M + r",?\s+(?P<year>(?:19|20)\d\d)\b")),
    ("mdy", re.compile(_WD + r"\b" + _M + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b")),
    ("dm", re.compile(_WD + r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _M + r"(?!\w)(?!,?\s+(?:19|20)\d\d)")),
    ("md", re.compile(_WD + r"\b" + _M + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!,?\s+(?:19|20)\d\d)(?!\d)")),
    ("my", re.compile(r"\b(?:in\s+|of\s+|since\s+|from\s+|until\s+|by\s+)?" + _M + r",?\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b")),
    ("season", re.compile(r"\b(?:in\s+)?(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year>(?:19|20)\d\d)\b", re.I)),
    ("rel", re.compile(r"\b(?P<rel>today|yesterday|tomorrow|this week|last week|next week|last month|next month|"
                       r"(?:earlier |later )?this month|(?:earlier |later )?this year|last year|next year|"
                       r"(?:on|last|this|next)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b", re.I)),
    ("m", re.compile(r"\b(?:in|since|from|until|by|during|early|late|mid-?|end of|beginning of)\s+(?:the\s+)?" + _M +
                     r"(?!\s*\d)(?!,?\s+(?:of\s+)?(?:19|20)\d\d)")),
    ("y", re.compile(r"\b(?:in|since|from|by|until|during)\s+(?P<year>(?:19|20)\d\d)\b(?!\s*[-–]\s*\d)")),
]


@dataclass(frozen=True)
class When:
    value: str            #: ISO date, year-month or year
    start: int            #: character offsets of the expression in the article
    end: int
    text: str
    inferred: bool = False
    reason: str | None = None

    @property
    def precision(self) -> str:
        return {10: "day", 7: "month", 4: "year"}[len(self.value)]


def _weekday_year(day: int, month: int, weekday: str, years: list[int]) -> int | None:
    wd = WEEKDAYS.index(weekday.lower())
    fits = []
    for y in years:
        try:
            if date(y, month, day).weekday() == wd:
                fits.append(y)
        except ValueError:
            pass
    return min(fits) if fits else None


def years_mentioned(text: str) -> list[int]:
    return sorted({int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", text)})


def find_dates(text: str, start: int, end: int, published: date | None, article_text: str,
               *, future: bool = False) -> list[When]:
    """Every date expression in ``article_text[start:end]`` (a sentence), resolved."""
    span = article_text[start:end]
    found: list[When] = []
    taken: list[tuple[int, int]] = []

    def free(a, b):
        return not any(a < e and s < b for s, e in taken)

    for kind, rx in PATTERNS:
        for m in rx.finditer(span):
            a, b = m.start(), m.end()
            if not free(a, b):
                continue
            w = _resolve(kind, m, published, article_text, future)
            if w is None:
                continue
            value, inferred, reason = w
            taken.append((a, b))
            found.append(When(value, start + a, start + b, m.group(0), inferred, reason))
    found.sort(key=lambda w: w.start)
    return found


# long: one branch per kind of date expression (iso, dmy/mdy, dm/md, m, my, season/y, rel), read as a table
def _resolve(kind: str, m: re.Match, published: date | None, article_text: str, future: bool):
    g = m.groupdict()
    month = MONTHS.get((g.get("month") or "").lower().rstrip(".")) if g.get("month") else None
    if kind == "iso":
        try:
            return date(int(g["year"]), int(g["mnum"]), int(g["day"])).isoformat(), False, None
        except ValueError:
            return None
    if kind in ("dmy", "mdy"):
        try:
            return date(int(g["year"]), month, int(g["day"])).isoformat(), False, None
        except (ValueError, TypeError):
            return None
    if kind in ("dm", "md"):
        day = int(g["day"])
        if published is not None:
            cands = []
            for y in (published.year - 1, published.year, published.year + 1):
                try:
                    cands.append(date(y, month, day))
                except ValueError:
                    pass
            if not cands:
                return None
            best = min(cands, key=lambda d: abs((d - published).days))
            return best.isoformat(), False, None
        if g.get("weekday"):
            ys = years_mentioned(article_text)
            ys = sorted({y + k for y in ys for k in (-1, 0, 1)}) if ys else []
            y = _weekday_year(day, month, g["weekday"], ys)
            if y:
                return (date(y, month, day).isoformat(), True,
                        f"the year is not stated: {day} {m.group('month')} fell on a {g['weekday']} in {y}, "
                        f"the first such year near the years the article mentions")
        return None
    if kind == "m":
        # "in November" without a year: the November nearest the publication (the next one when the
        # sentence speaks of the future), marked inferred; unknown publication → no date
        if published is None or month is None:
            return None
        cands = [(y, month) for y in (published.year - 1, published.year, published.year + 1)]
        here = published.year * 12 + published.month

        def dist(c):
            k = c[0] * 12 + c[1] - here
            return (abs(k), -k if future else k)
        if future:
            cands = [c for c in cands if c[0] * 12 + c[1] >= here] or cands
        y, mo = min(cands, key=dist)
        return (f"{y:04d}-{mo:02d}", True,
                f"'{m.group(0).strip()}' without a year, in an article published on {published.isoformat()}")
    if kind == "my":
        return f"{int(g['year']):04d}-{month:02d}", False, None
    if kind in ("season", "y"):
        return f"{int(g['year']):04d}", False, None
    if kind == "rel":
        if published is None:
            return None
        rel = g["rel"].lower()
        if rel == "today":
            return published.isoformat(), True, "'today' in an article published on " + published.isoformat()
        if rel in ("this week", "last week", "next week", "last month", "next month"):
            return None  # a period, not a date: left out
        if rel.endswith("this month"):
            return (f"{published.year:04d}-{published.month:02d}", True,
                    f"'{g['rel']}' in an article published on {published.isoformat()}")
        if rel.endswith("year"):
            y = published.year + {"last": -1, "next": 1}.get(rel.split()[0], 0)
            return f"{y:04d}", True, f"'{g['rel']}' in an article published on {published.isoformat()}"
        import dateparser
        base = datetime(published.year, published.month, published.day)
        text = re.sub(r"^on\s+", "", rel)
        prefer = "future" if future or text.startswith("next") else "past"
        d = dateparser.parse(text, languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": prefer})
        if d is None:
            return None
        if text.startswith("last") and d.date() >= published:
            d -= timedelta(days=7)
        return d.date().isoformat(), True, f"'{g['rel']}' resolved against the publication date {published.isoformat()}"
    return None


def shift(value: str, days: int) -> str | None:
    """A day-precision date moved by *days* (None for month or year precision)."""
    if len(value) != 10:
        return None
    return (date.fromisoformat(value) + timedelta(days=days)).isoformat()
