"""What the text of a SPARQL query says about its dataset (``FROM`` / ``FROM NAMED``).

The store answers with the union of all named graphs as its default graph, but SPARQL
1.1 (section 13.2) gives a query that names its own dataset exactly that dataset:
``SELECT ... FROM <g> WHERE { ... }`` sees graph ``g`` alone. pyoxigraph's
``use_default_graph_as_union`` (and ``oxigraph serve --union-default-graph``) replace the
query's dataset, so the backends must know whether a query has a dataset clause before
they choose the union.

:func:`query_dataset` reads the top level of the query (outside every ``{ }``, string,
comment and IRI) with a small tokenizer: ``FROM`` elsewhere (a variable ``?from``, a
prefixed name ``ex:from``, a literal) never counts. Prefixed names after ``FROM`` are
expanded with the query's own ``PREFIX`` declarations and relative IRIs resolved
against its ``BASE``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(r"""
  (?P<ws>\s+)
| (?P<comment>\#[^\n\r]*)
| (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
            |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
| (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
| (?P<var>[?$]\w+)
| (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:%-]|\.(?=[\w:%-])|\\.)*)
| (?P<word>[^\W\d]\w*)
| (?P<open>\{)
| (?P<close>\})
| (?P<other>.)
""", re.VERBOSE | re.DOTALL | re.UNICODE)


@dataclass
class QueryDataset:
    """The IRIs of a query's ``FROM`` (default graph) and ``FROM NAMED`` clauses."""

    default: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)


def _tokens(text: str):
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        yield kind, m.group(), depth if kind != "close" else depth + 1


def query_dataset(text: str) -> QueryDataset | None:
    """The dataset a query names with ``FROM`` / ``FROM NAMED``; None when it names none
    (then the store's union default graph applies). A clause whose IRI cannot be read
    (an unknown prefix) is left to the engine, which reports it as a syntax error."""
    prefixes: dict[str, str] = {}
    base = ""
    ds = QueryDataset()
    found = False
    toks = [(k, v) for k, v, d in _tokens(text) if d == 0]
    i = 0
    while i < len(toks):
        kind, value = toks[i]
        upper = value.upper() if kind == "word" else ""
        if upper == "BASE" and i + 1 < len(toks) and toks[i + 1][0] == "iri":
            base = urljoin(base, toks[i + 1][1][1:-1])
            i += 2
            continue
        if upper == "PREFIX" and i + 2 < len(toks) and toks[i + 1][0] == "pname" \
                and toks[i + 1][1].endswith(":") and toks[i + 2][0] == "iri":
            prefixes[toks[i + 1][1][:-1]] = urljoin(base, toks[i + 2][1][1:-1])
            i += 3
            continue
        if upper == "FROM":
            found = True
            named = i + 1 < len(toks) and toks[i + 1][0] == "word" and toks[i + 1][1].upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < len(toks):
                iri = _expand(toks[j], prefixes, base)
                if iri is not None:
                    (ds.named if named else ds.default).append(iri)
            i = j + 1
            continue
        i += 1
    return ds if found else None


def _expand(token: tuple[str, str], prefixes: dict[str, str], base: str) -> str | None:
    kind, value = token
    if kind == "iri":
        return urljoin(base, value[1:-1]) if base else value[1:-1]
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)
    return None


__all__ = ["QueryDataset", "query_dataset"]
