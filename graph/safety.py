"""Refuse what must never reach a query engine: SERVICE (federated calls to any host),
LOAD and every other update on the read-only path.

pyoxigraph and rdflib both execute ``SERVICE`` against any host with no timeout, so the
check runs before any engine sees the text. It walks the algebra of rdflib's parse (which
expands ``\\uXXXX`` escapes first, so ``\\u0053ERVICE`` is caught); when rdflib cannot parse
a query that another engine might accept, a conservative lexical scan (escapes expanded,
comments, strings and IRIs removed) refuses any SERVICE keyword instead.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Literal

from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import ForbiddenQuery

_PARSER_LOCK = threading.Lock()

QueryForm = Literal["select", "ask", "construct", "describe", "unknown"]

_SERVICE_REFUSAL = "SERVICE is not allowed: this endpoint never calls other servers"
_SERVICE_HINT = "query the remote endpoint directly, or load its data into wckg"


@lru_cache(maxsize=512)
def check_query(text: str) -> QueryForm:
    """Raise :class:`ForbiddenQuery` for updates and for SERVICE anywhere in the query;
    return the query form when rdflib recognises it ("unknown" when only the engine can tell)."""
    try:
        with _PARSER_LOCK:  # pyparsing's grammar objects are not thread-safe
            parsed = parseQuery(text)
    except ParseException:
        if _parses_as_update(text):
            raise ForbiddenQuery("updates (INSERT, DELETE, LOAD, CLEAR, ...) are not allowed here: the endpoint is read-only",
                                 hint="use `wckg build` to change the data") from None
        _lexical_service_check(text)
        return "unknown"  # a syntax error: the engine reports it with line and column
    except Exception:  # rdflib's parser raising something else on exotic input
        _lexical_service_check(text)
        return "unknown"
    try:
        with _PARSER_LOCK:
            algebra = translateQuery(parsed)
    except Exception:
        _lexical_service_check(text)
        return "unknown"
    if _has_service(algebra.algebra):
        raise ForbiddenQuery(_SERVICE_REFUSAL, hint=_SERVICE_HINT)
    name = algebra.algebra.name
    return {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
            "DescribeQuery": "describe"}.get(name, "unknown")


def _parses_as_update(text: str) -> bool:
    try:
        with _PARSER_LOCK:
            parseUpdate(text)
        return True
    except Exception:
        return False


def _has_service(node) -> bool:
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, CompValue):
            if n.name in ("ServiceGraphPattern", "Service"):
                return True
            stack.extend(n.values())
        elif isinstance(n, (list, tuple, set)):
            stack.extend(n)
        elif isinstance(n, dict):
            stack.extend(n.values())
    return False


_STRIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>" r"|#[^\n]*",
)
_SERVICE_WORD = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)
_LOAD_WORD = re.compile(r"(?<![\w:?$])LOAD(?![\w:])", re.IGNORECASE)


def _lexical_service_check(text: str) -> None:
    bare = _STRIP.sub(" ", expandUnicodeEscapes(text))
    if _SERVICE_WORD.search(bare):
        raise ForbiddenQuery(_SERVICE_REFUSAL, hint=_SERVICE_HINT)
    if _LOAD_WORD.search(bare):
        raise ForbiddenQuery("LOAD is not allowed: this endpoint never fetches data from the network")
