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


_PROJECTING = {"SELECT", "DESCRIBE"}


def _variable_uses(text: str):
    """Each variable of *text* as (match, where): ``"pattern"`` for a term of a triple
    pattern in the query's own scope inside a nested group (an ``OPTIONAL``, a ``UNION``
    branch, ``GRAPH``, ``EXISTS``; at parenthesis depth 0, not in a sub-SELECT, a ``VALUES``
    block or ``MINUS``), ``"outer"`` for one in the outermost group (left as it is: the
    caller's ``VALUES`` block binds it there), ``"top"`` for the projection and solution modifiers
    (outside every group), ``"other"`` for everything else (expressions, ``BIND``,
    ``VALUES`` headers, sub-SELECTs, ``MINUS``); None when the query projects ``*``."""
    uses = []
    # one frame per open brace: [kind, parenthesis depth inside it]; "group" may be
    # rewritten, "skip" (a sub-SELECT, VALUES data, MINUS) may not
    frames: list[list] = []
    projecting = False        # after SELECT/DESCRIBE, before the next brace
    after_values = False      # after VALUES or MINUS, before its block
    prev_open = False         # the previous token opened a brace
    for m in _TOKEN.finditer(text):
        kind, tok = m.lastgroup, m.group()
        if kind in ("ws", "comment"):
            continue
        word = tok.upper() if kind == "word" else ""
        if kind == "other" and tok == "*" and projecting and not frames:
            return None
        if word in _PROJECTING:
            if prev_open and frames:          # "{ SELECT": a sub-query, its own scope
                frames[-1][0] = "skip"
            projecting = True
        elif word in ("VALUES", "MINUS"):
            after_values = True
        prev_open = False
        if kind == "open":
            skip = after_values or bool(frames and frames[-1][0] == "skip")
            frames.append(["skip" if skip else "group", 0])
            projecting, after_values, prev_open = False, False, True
        elif kind == "close":
            if frames:
                frames.pop()
        elif kind == "other" and tok in "()" and frames:
            frames[-1][1] += 1 if tok == "(" else -1
        elif kind == "var":
            if not frames:
                uses.append((m, "top"))
            elif frames[-1] == ["group", 0] and not projecting and not after_values:
                # the outermost group is planned from the VALUES block already; a term written
                # there can only change the plan (organisation-timeline: 0.8 s -> 8 s at 1 M)
                uses.append((m, "pattern" if len(frames) > 1 and all(f[0] == "group" for f in frames)
                             else "outer"))
            else:
                uses.append((m, "other"))
    return uses


def inline_bindings(text: str, values: dict[str, str]) -> str:
    """*text* with the variables of *values* (name → an IRI or literal in N-Triples
    syntax) written as those terms in its triple patterns; the caller still binds them
    (a ``VALUES`` block and pyoxigraph ``substitutions``).

    Why: Oxigraph plans a query before it sees its substitutions, and plans an OPTIONAL
    apart from a ``VALUES`` block, so ``OPTIONAL { ?se rdf:subject ?x ; rdf:object ?s }``
    with ``?s`` bound that way is a hash join over every statement's evidence (seconds at
    1 M triples), where the same pattern with the IRI written in it is an index lookup
    (under a millisecond).

    A variable is written only where that cannot change an answer: when every use of it
    inside the query's groups is a triple-pattern term of the query's own scope; and only in
    nested groups, where the planner does not see the ``VALUES`` block (in the outermost
    group a written term can only change a plan that already starts from the values). One used
    in an expression, a ``BIND``, a sub-SELECT, ``VALUES`` or ``MINUS`` is left as it is
    everywhere (substitutions reach a ``FILTER`` but not a ``BIND`` or ``BOUND()`` of a
    group whose patterns no longer name the variable), as is every variable of a query
    projecting ``*`` (a written term would drop it from ``*``). Blank nodes are never
    written (in a pattern ``_:b`` is a variable).
    """
    if not values:
        return text
    uses = _variable_uses(text)
    if uses is None:
        return text
    names = {m.group()[1:] for m, where in uses if where == "pattern" and m.group()[1:] in values}
    names -= {m.group()[1:] for m, where in uses if where == "other"}
    if not names:
        return text
    out: list[str] = []
    pos = 0
    for m, where in uses:
        if where == "pattern" and m.group()[1:] in names:
            out += [text[pos:m.start()], values[m.group()[1:]]]
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


__all__ = ["QueryDataset", "inline_bindings", "query_dataset"]
