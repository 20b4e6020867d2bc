"""The lexical pre-check of every query: SERVICE, LOAD and updates are refused, and so are
queries nested or chained deeper than the engine can parse without crashing.

It is a second line. The first is the sandbox of the query workers (:mod:`graph.sandbox`):
they cannot open a network socket, so a SERVICE that got past this check still reaches
nothing. This check exists to answer a clear 403 early, and to protect remote backends,
which wckg cannot sandbox.

Why lexical and not a parser: two parsers that disagree let a query through (rdflib
expands ``\\u0022`` before parsing, per the SPARQL spec, while Oxigraph reads it as an
escaped quote inside a string, so ``BIND("\\u0022" AS ?x) SERVICE <…> {…} BIND("\\u0022" AS ?y)``
was harmless text to one and a federated call to the other; issue 17). So the check reads
the text the way each engine might, and refuses when *any* reading finds a forbidden
keyword outside strings, IRIs and comments:

* as Oxigraph reads it: escapes stay escapes inside strings and IRIs and are not expanded
  elsewhere (comments end at CR or LF);
* as the SPARQL spec reads it: every ``\\uXXXX`` / ``\\UXXXXXXXX`` expanded first (rdflib,
  Jena, and what a remote server may do).

Oxigraph also takes a keyword glued to what follows (``SERVICEex:a {…}`` is SERVICE to
``ex:a``), so any word or prefixed name that *starts* with SERVICE is refused. An
unterminated string or IRI is read as code (what follows it is checked too): when unsure,
refuse. The scan is linear in the text (regular expressions, no backtracking parser, no
lock) and has no dependency beyond the standard library, so it runs inside the query
worker, under the query's time limit.
"""
from __future__ import annotations

import re
from typing import Literal

from .errors import ForbiddenQuery, QueryTooComplex

QueryForm = Literal["select", "ask", "construct", "describe", "unknown"]

#: Deepest nesting of ( { [ accepted. Oxigraph's recursive parser overflows its stack near
#: 3,000 nested braces (the worker dies); real queries stay under 20.
MAX_NESTING = 200
#: Most operators (+ - * / && || = != < > <= >= ! UNION MINUS OPTIONAL) in one query.
#: A chain of 10,000 ``1+1+…`` or ``{} UNION {}`` overflows Oxigraph's stack; 5,000 parse in ~1 s.
MAX_OPERATORS = 2000

_SERVICE_REFUSAL = "SERVICE is not allowed: this endpoint never calls other servers"
_SERVICE_HINT = "query the remote endpoint directly, or load its data into wckg"
_UPDATE_REFUSAL = ("updates (INSERT, DELETE, LOAD, CLEAR, ...) are not allowed here: the endpoint is read-only")
_UPDATE_HINT = "use `wckg build` to change the data"
_LOAD_REFUSAL = "LOAD is not allowed: the endpoint is read-only and never fetches data from the network"

#: Words that only SPARQL Update has (LOAD among them).
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
_FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}

_HEX = "[0-9A-Fa-f]"
_ESCAPE = re.compile(rf"\\u({_HEX}{{4}})|\\U({_HEX}{{8}})")
_NAME_CHAR = r"[\w\u00B7\u0300-\u036F\u203F\u2040]"
_PN_PREFIX = r"[^\W\d_](?:[\w.\-\u00B7\u0300-\u036F\u203F\u2040]*[\w\-\u00B7\u0300-\u036F\u203F\u2040])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = rf"(?:[\w:.\-\u00B7\u0300-\u036F\u203F\u2040]|{_PLX})*"

# One token of the code at a time; the alternatives are tried in order at each position.
_TOKEN = re.compile(
    "|".join([
        r"(?P<comment>\#[^\r\n]*)",
        r'(?P<long>"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*''')",
        r'(?P<short>"(?:[^"\\\r\n]|\\.)*"' r"|'(?:[^'\\\r\n]|\\.)*')",
        rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|\\u{_HEX}{{4}}|\\U{_HEX}{{8}})*>)",
        rf"(?P<var>[?$]{_NAME_CHAR}+)",
        rf"(?P<blank>_:{_PN_LOCAL})",
        r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
        rf"(?P<pname>(?:{_PN_PREFIX})?:{_PN_LOCAL})",
        r"(?P<word>[^\W\d_]\w*)",
        r"(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)",
        r"(?P<op>&&|\|\||!=|<=|>=|[-+*/=<>!])",
        r"(?P<open>[({\[])",
        r"(?P<close>[)}\]])",
        r"(?P<space>\s+)",
        r"(?P<other>.)",
    ]),
    re.DOTALL,
)
_OPERATOR_WORDS = frozenset({"UNION", "MINUS", "OPTIONAL"})


def expand_escapes(text: str) -> str:
    """*text* with every ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by its character (the
    SPARQL spec's first step; an escape of a surrogate or beyond U+10FFFF stays as is)."""
    def repl(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return m.group(0)
        return chr(code)
    return _ESCAPE.sub(repl, text)


def refusal(text: str) -> tuple[str, bytes, bool] | None:
    """:func:`check_query`'s refusal of *text* as a worker's answer tuple ("forbidden" or
    "too-complex", the message, False), or None when the text may run."""
    try:
        check_query(text)
    except ForbiddenQuery as e:
        return "forbidden", e.message.encode(), False
    except QueryTooComplex as e:
        return "too-complex", e.message.encode(), False
    return None


def check_query(text: str) -> QueryForm:
    """Raise :class:`ForbiddenQuery` for SERVICE, LOAD and updates in any reading of *text*,
    :class:`QueryTooComplex` for nesting or chains the engine cannot parse; return the query
    form when the text shows it ("unknown" otherwise: the engine reports syntax errors)."""
    readings = [text]
    expanded = expand_escapes(text)
    if expanded != text:
        readings.append(expanded)
    form: QueryForm = "unknown"
    for i, reading in enumerate(readings):
        found = _scan(reading)
        if i == 0:
            form = found
    return form


def _scan(text: str) -> QueryForm:  # noqa: C901 (one tokenizer loop)
    depth = max_depth = operators = 0
    form: QueryForm = "unknown"
    pos, n = 0, len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        assert m is not None  # the token pattern's last alternative matches any one character
        kind = m.lastgroup
        if kind == "word" or kind == "pname":
            word = m.group()
            upper = word.upper()
            if upper.startswith("SERVICE"):
                raise ForbiddenQuery(_SERVICE_REFUSAL, hint=_SERVICE_HINT)
            if kind == "word":
                if upper == "LOAD":
                    raise ForbiddenQuery(_LOAD_REFUSAL, hint=_UPDATE_HINT)
                if upper in UPDATE_WORDS:
                    raise ForbiddenQuery(_UPDATE_REFUSAL, hint=_UPDATE_HINT)
                if form == "unknown" and upper in _FORMS:
                    form = _FORMS[upper]  # type: ignore[assignment]
                if upper in _OPERATOR_WORDS:
                    operators += 1
        elif kind == "open":
            depth += 1
            if depth > max_depth:
                max_depth = depth
                if max_depth > MAX_NESTING:
                    raise QueryTooComplex(f"the query nests brackets or braces more than {MAX_NESTING} deep",
                                          hint="flatten the query (fewer nested groups or parentheses)")
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "op":
            operators += 1
            if operators > MAX_OPERATORS:
                raise QueryTooComplex(f"the query has more than {MAX_OPERATORS} operators",
                                      hint="split the query, or use VALUES or IN (…) instead of long chains")
        pos = m.end()
    if operators > MAX_OPERATORS:
        raise QueryTooComplex(f"the query has more than {MAX_OPERATORS} operators",
                              hint="split the query, or use VALUES or IN (…) instead of long chains")
    return form


__all__ = ["check_query", "expand_escapes", "QueryForm", "MAX_NESTING", "MAX_OPERATORS", "UPDATE_WORDS"]
