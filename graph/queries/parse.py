"""Reading ``.rq`` files: the grlc-style YAML header, the checks a query must pass so that
binding by substitution works on every backend, syntax errors with their position, and
:func:`bind_as_values` for servers without substitutions."""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib.term import BNode, Node

from ..errors import InputError, Location, ParameterError, QuerySyntaxError
from ..namespaces import PREFIXES
from ..sparqltext import inline_bindings
from .model import (HEADER_KEYS, PARAM_KEYS, PARAM_TYPES, NamedQuery, QueryForm,
                    QueryParam, convert_value)


_PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
#: pyoxigraph reports "error at LINE:COL: message".
_OX_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:?\s*(.*)", re.S)
_BOUND_CALL = re.compile(r"\bBOUND\s*\(\s*[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\)", re.IGNORECASE)


def _split_header(text: str, where: str) -> str:
    """The YAML of the leading ``#+`` lines (a ``#+`` line further down is an error)."""
    lines = text.splitlines()
    yaml_lines: list[str] = []
    n = 0
    for line in lines:
        m = _HEADER_LINE.match(line)
        if not m:
            break
        yaml_lines.append(m.group(1))
        n += 1
    for i, line in enumerate(lines[n:], start=n + 1):
        if _HEADER_LINE.match(line):
            raise InputError("a `#+` header line after the query started",
                             location=Location(where, i, 1),
                             hint="keep every `#+` line together at the top of the file")
    return "\n".join(yaml_lines)


def _header_error(where: str, message: str, line: int | None = None, hint: str | None = None) -> InputError:
    return InputError(f"query header: {message}", location=Location(where, line), hint=hint)


def _param_line(yaml_text: str, key: str) -> int | None:
    """The 1-based line of a parameter or header key in the header (for error locations)."""
    for i, line in enumerate(yaml_text.splitlines(), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*:", line):
            return i
    return None


def _parse_params(spec: Any, where: str, yaml_text: str) -> list[QueryParam]:
    if spec is None:
        return []
    if not isinstance(spec, dict):
        raise _header_error(where, "`params` must be a mapping of parameter name to {type: ...}",
                            _param_line(yaml_text, "params"))
    params: list[QueryParam] = []
    for pname, pspec in spec.items():
        line = _param_line(yaml_text, str(pname))
        if not isinstance(pname, str) or not _PARAM_NAME_RE.match(pname):
            raise _header_error(where, f"parameter name {pname!r} is not a SPARQL variable name", line)
        if isinstance(pspec, str):
            pspec = {"type": pspec}
        if not isinstance(pspec, dict):
            raise _header_error(where, f"parameter {pname!r}: expected {{type: ..., example: ...}}", line)
        unknown = sorted(set(pspec) - set(PARAM_KEYS))
        if unknown:
            raise _header_error(where, f"parameter {pname!r}: unknown key(s) {', '.join(map(str, unknown))}", line,
                                hint="a parameter spec may hold " + ", ".join(PARAM_KEYS))
        ptype = pspec.get("type")
        if ptype not in PARAM_TYPES:
            raise _header_error(where, f"parameter {pname!r}: type {ptype!r} is not one of {', '.join(PARAM_TYPES)}",
                                line)
        required = pspec.get("required", pspec.get("default") is None)
        if not isinstance(required, bool):
            raise _header_error(where, f"parameter {pname!r}: `required` must be true or false", line)
        example = pspec.get("example")
        default = pspec.get("default")
        description = pspec.get("description")
        for key, val in (("example", example), ("default", default)):
            if val is None:
                continue
            if isinstance(val, (_dt.date,)):
                val = val.isoformat()
            try:
                convert_value(pname, ptype, str(val).lower() if isinstance(val, bool) else str(val))
            except ParameterError as e:
                raise _header_error(where, f"parameter {pname!r}: {key} {val!r} is not a valid {ptype}: {e.message}",
                                    line) from None
        params.append(QueryParam(
            name=pname, type=ptype, required=required,
            example=_as_text(example), description=None if description is None else str(description),
            default=_as_text(default),
        ))
    return params


def _as_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, _dt.date):
        return v.isoformat()
    return str(v)


def parse_named_query(text: str, *, name: str, path: Path | None = None,
                      require_header: bool = True) -> NamedQuery:
    """Parse the text of one ``.rq`` file: header, parameters, and the query itself.

    Raises :class:`InputError` (file and line) for a malformed header and
    :class:`QuerySyntaxError` (file, line and column) for a query that does not parse.
    """
    where = str(path) if path is not None else name
    yaml_text = _split_header(text, where)
    meta: dict[str, Any] = {}
    if yaml_text.strip():
        try:
            meta = yaml.safe_load(yaml_text) or {}
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(e, "problem", None) or str(e)
            raise _header_error(where, f"not valid YAML: {problem}", line,
                                hint="the header is YAML written in `#+ ` comment lines") from None
        if not isinstance(meta, dict):
            raise _header_error(where, "expected `key: value` lines (title, description, params, tags)", 1)
        unknown = sorted(set(map(str, meta)) - set(HEADER_KEYS))
        if unknown:
            raise _header_error(where, f"unknown key(s) {', '.join(unknown)}", _param_line(yaml_text, unknown[0]),
                                hint="a header may hold " + ", ".join(HEADER_KEYS))
    elif require_header:
        raise _header_error(where, "no `#+` header", 1,
                            hint="start the file with `#+ title: ...` and `#+ description: ...` lines")
    title = meta.get("title")
    description = meta.get("description")
    if require_header:
        for key, val in (("title", title), ("description", description)):
            if not isinstance(val, str) or not val.strip():
                raise _header_error(where, f"`{key}` is missing or empty", _param_line(yaml_text, key) or 1)
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, (str, int)) for t in tags):
        raise _header_error(where, "`tags` must be a list of words", _param_line(yaml_text, "tags"))
    params = _parse_params(meta.get("params"), where, yaml_text)

    form, variables = _check_query(text, params, where)
    return NamedQuery(
        name=name, title=str(title or name).strip(), description=str(description or "").strip(),
        params=params, tags=[str(t) for t in tags], text=text, path=path, form=form, variables=variables,
    )


def syntax_error(e: BaseException, where: str, text: str | None = None) -> QuerySyntaxError:
    """A :class:`QuerySyntaxError` naming file, line and column from a pyoxigraph SyntaxError
    (whose "expected one of ..." lists, with their Unicode ranges, are cut short). An
    undeclared prefix, which pyoxigraph often reports as something else, is named as such."""
    msg = str(getattr(e, "msg", None) or e)
    m = _OX_POSITION.match(msg)
    if not m:
        return QuerySyntaxError(f"{where}: syntax error: {_shorten(msg)}")
    line, col, what = int(m.group(1)), int(m.group(2)), m.group(3).strip()
    undeclared = undeclared_prefix(text or "")
    if undeclared is not None and (undeclared[1], undeclared[2]) <= (line, col):
        prefix, line, col = undeclared
        known = PREFIXES.get(prefix)
        return QuerySyntaxError(
            f"{Location(where, line, col)}: syntax error: undeclared prefix {prefix + ':'!r}",
            hint=(f"add `PREFIX {prefix}: <{known}>` at the top of the query" if known
                  else "declare it with a PREFIX line at the top of the query"))
    return QuerySyntaxError(f"{Location(where, line, col)}: syntax error: {_shorten(what)}",
                            hint="fix the query at that line and column")


#: IRIs, strings and comments, which may hold ':' without being prefixed names.
_MASK = re.compile(r'<[^<>"{}|^`\\\s]*>|"""(?:[^"\\]|\\.|"(?!""))*"""|' r"'''(?:[^'\\]|\\.|'(?!''))*'''"
                   r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'|#[^\n]*")
_PREFIXED_NAME = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:(?=[\w%-])")


def _mask(text: str) -> str:
    """*text* with IRIs, strings and comments blanked out (lines and columns kept)."""
    return _MASK.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def undeclared_prefix(text: str) -> tuple[str, int, int] | None:
    """The first prefixed name whose prefix no PREFIX line declares: (prefix, line, column)."""
    masked = _mask(text)
    declared = {p or "" for p in re.findall(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", masked, re.I)}
    for m in _PREFIXED_NAME.finditer(masked):
        prefix = m.group(1) or ""
        if prefix in declared or re.search(r"\bPREFIX\s*$", masked[max(0, m.start() - 40):m.start()], re.I):
            continue
        line = masked.count("\n", 0, m.start()) + 1
        col = m.start() - (masked.rfind("\n", 0, m.start()) + 1) + 1
        return prefix, line, col
    return None


def _shorten(what: str, limit: int = 160) -> str:
    what = " ".join(what.split())
    return what if len(what) <= limit else what[:limit].rsplit(" ", 1)[0] + " …"


def _check_query(text: str, params: list[QueryParam], where: str) -> tuple[QueryForm, list[str]]:
    """Parse and run the query on an empty store with every parameter substituted: this
    catches syntax errors (with line and column) and parameters the engine cannot bind.
    A query that mentions SERVICE or LOAD goes through the safety check first (an ASK is
    evaluated at once, and pyoxigraph would call the service)."""
    from ..safety import check_query
    check_query(text)  # ForbiddenQuery, QueryTooComplex: before the engine below sees the text
    for m in _BOUND_CALL.finditer(text):
        if m.group(1) in {p.name for p in params}:
            line = text.count("\n", 0, m.start()) + 1
            raise QuerySyntaxError(
                f"{Location(where, line)}: BOUND(?{m.group(1)}) on a parameter is always false in pyoxigraph",
                hint=f"write the optional test as FILTER(COALESCE(<condition on ?{m.group(1)}>, true))")
    mentioned = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", _mask(text)))
    for p in params:
        if p.name not in mentioned:
            raise InputError(f"query header: parameter {p.name!r} is declared but ?{p.name} is not in the query",
                             location=Location(where), hint=f"use ?{p.name} in the query or remove it from `params`")
    subs = {ox.Variable(p.name): _to_ox(convert_value(p.name, p.type, p.example or p.default or _dummy(p.type)))
            for p in params}
    try:
        result = ox.Store().query(text, substitutions=subs)
    except SyntaxError as e:
        raise syntax_error(e, where, text) from None
    except (RuntimeError, ValueError, OSError) as e:
        msg = str(e)
        hint = ("project every parameter in the SELECT clause (pyoxigraph substitutes only projected variables)"
                if "projection" in msg else None)
        raise QuerySyntaxError(f"{where}: the query cannot be prepared: {msg}", hint=hint) from None
    if isinstance(result, ox.QueryBoolean):
        return "ask", []
    if isinstance(result, ox.QuerySolutions):
        return "select", [v.value for v in result.variables]
    return ("describe" if re.search(r"\bDESCRIBE\b", _mask(text), re.I) else "construct"), []


def _dummy(type_: str) -> str:
    return {"iri": "urn:wckg:dummy", "string": "x", "integer": "0", "year": "2000",
            "date": "2000-01-01", "boolean": "false"}[type_]


def _to_ox(term: Node):
    from ..terms import to_oxigraph
    return to_oxigraph(term)


_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.I)


def bind_params(text: str, params: Mapping[str, Node]) -> str:
    """*text* as the engines get it with *params*: each IRI or literal written into the
    triple patterns where it stands for its variable (:func:`graph.sparqltext.inline_bindings`:
    planned from, where a substitution or a ``VALUES`` block is not), and all of them as a
    ``VALUES`` block (:func:`bind_as_values`), so every other use of a variable (the
    projection, expressions, sub-selects) sees its value. Answers the same as
    substitution alone (tests/test_query_shapes.py)."""
    if not params:
        return text
    terms = {k: str(_to_ox(v)) for k, v in params.items() if not isinstance(v, BNode)}
    return bind_as_values(inline_bindings(text, terms), params)


def bind_as_values(text: str, params: Mapping[str, Node]) -> str:
    """*text* with *params* as a ``VALUES`` block at the start of the query's outermost
    group (just inside ``WHERE {``), for servers that take no substitutions.

    There, unlike in a trailing ``VALUES`` clause (joined after the whole WHERE clause has
    been evaluated and filtered), the values are bound when the group's FILTERs run, as
    with pyoxigraph's substitutions: ``FILTER(COALESCE(?year >= ?from, true))`` then
    filters instead of letting every row through. Values are N-Triples terms serialised
    by pyoxigraph, never the text a user typed.
    """
    if not params:
        return text
    masked = _mask(text)
    form = _FORM.search(masked)
    if form is None:
        raise QuerySyntaxError("not a SELECT, CONSTRUCT, DESCRIBE or ASK query: parameters cannot be bound")
    where = re.compile(r"\bWHERE\b", re.I).search(masked, form.end())
    brace = masked.find("{", where.end() if where else form.end())
    if brace < 0:
        raise QuerySyntaxError("the query has no WHERE clause: parameters cannot be bound")
    names = list(params)
    block = (" VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(str(_to_ox(params[n])) for n in names) + ") } ")
    return text[:brace + 1] + block + text[brace + 1:]
