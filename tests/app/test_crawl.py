"""The whole site crawled as a client would: every link of every page (href, src and the
Link header's alternates, i.e. every twin in every format), from the home page, with no
4xx or 5xx answer except those meant (admin pages without a token)."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

#: Paths not followed: the admin review (401/403 without a token is meant), the API
#: explorer's own machinery, and the big vendored front-end files (checked by the browser tests).
SKIP = ("/review", "/static/vendor/", "/docs/oauth2-redirect")
#: Upper bound of fetched URLs (the curated site has a few hundred).
MAX_URLS = 8000
#: URLs fetched per path and set of query parameter names.
PER_SHAPE = 3
LINK_RE = re.compile(r'''(?:href|src)\s*=\s*["']([^"'#][^"']*)["']''', re.I)
LINK_HEADER_RE = re.compile(r"<([^>]+)>")


def _links(base: str, r) -> list[str]:
    out: list[str] = []
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("text/html"):
        out += [m.group(1) for m in LINK_RE.finditer(r.text)]
    out += LINK_HEADER_RE.findall(r.headers.get("link", ""))
    urls = []
    for u in out:
        u = urldefrag(urljoin(base, u.replace("&amp;", "&")))[0]
        parts = urlsplit(u)
        if parts.scheme in ("http", "https") and parts.netloc == "testserver":
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path.startswith("/") and not path.startswith(SKIP):
                urls.append(path)
    return urls


@pytest.mark.timeout(1200)
def test_every_link_of_every_page_answers(client):
    seen: set[str] = set()
    queue = deque(["/", "/graphs", "/sparql?query=ASK%7B%7D", "/downloads.json"])
    failures: list[str] = []
    fetched = 0
    shapes: dict[str, int] = {}
    while queue and fetched < MAX_URLS:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        # filters combine without end (a timeline or network by organisation, by year, by
        # both...): every path is fetched, and at most PER_SHAPE URLs per path and set of
        # parameter names
        base, _, qs = path.partition("?")
        if qs:
            shape = base + "?" + "&".join(sorted({kv.split("=")[0] for kv in qs.split("&")}))
            shapes[shape] = shapes.get(shape, 0) + 1
            if shapes[shape] > PER_SHAPE:
                continue
        r = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                       follow_redirects=True)
        fetched += 1
        if r.status_code >= 400:
            failures.append(f"{r.status_code} {path}")
            continue
        for u in _links(f"http://testserver{path}", r):
            if u not in seen:
                queue.append(u)
    assert fetched > 100, f"only {fetched} URLs reached"
    print(f"crawled {fetched} URLs")
    assert fetched < MAX_URLS, "the crawl hit its bound: raise MAX_URLS"
    assert not failures, f"{len(failures)} of {fetched} URLs failed:\n" + "\n".join(sorted(failures)[:60])
