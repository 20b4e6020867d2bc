"""Named queries: ``queries/*.rq`` files with a grlc-style YAML header, typed parameters,
and binding of parameter values as RDF terms (the engine substitutes them; values are
never pasted into query text).

A named query is one file, ``queries/{name}.rq``, where ``name`` is kebab-case and is also
the URL slug. Its header is YAML in ``#+`` comment lines at the top of the file::

    #+ title: Partners of an organisation
    #+ description: Organisations that share an event, agreement or programme with ?org.
    #+ params:
    #+   org: {type: iri, example: "https://w3id.org/wckg/id/organisation/undp"}
    #+ tags: [network, organisation]

Parameter types (:data:`PARAM_TYPES`) and the RDF term a value becomes:

==========  ==========================================================================
``iri``     an absolute ``http(s)``/``urn`` IRI, or a prefixed name of the project's
            prefix map (``wcid:organisation/undp``) → ``URIRef``
``string``  any text up to 1,000 characters → plain literal (``xsd:string``)
``integer`` ``-12``, ``42`` → ``xsd:integer``
``year``    a four-digit year ``2017`` → ``xsd:integer`` (not ``xsd:gYear``: queries
            compare it with ``YEAR(?date)`` / the first four characters of a date, which
            are integers; ``xsd:gYear`` values do not compare with integers)
``date``    ``YYYY-MM-DD`` → ``xsd:date``
``boolean`` ``true``/``false`` (also ``1``/``0``, ``yes``/``no``) → ``xsd:boolean``
==========  ==========================================================================

A parameter is required unless its spec says ``required: false`` or gives a ``default``.
An optional parameter with no value is left unbound, and the query must then mean "any".

Rules a query must follow so that binding by substitution works on every backend (they
are checked when the library is loaded, see :func:`parse_named_query`):

* every parameter appears as ``?name`` in the query, and a SELECT query projects it
  (pyoxigraph substitutes only projected variables; the column also documents the value);
* never test a parameter with ``BOUND(?p)``: pyoxigraph 0.5.13 evaluates ``BOUND`` of a
  substituted variable as false. Write an optional comparison as
  ``FILTER(COALESCE(?year >= ?from, true))`` (unbound ``?from`` → error → true), and an
  optional pattern as ``FILTER(IF(COALESCE(sameTerm(?p, ?p), false), EXISTS {...}, true))``
  (``IF`` evaluates only the branch it takes; ``!bound || EXISTS {...}`` runs the EXISTS
  with ``?p`` unbound, which on a disk store costs seconds);
* use parameters in the outermost group (triple patterns or FILTERs), not only inside a
  sub-SELECT: a server without substitutions gets them as a ``VALUES`` block at the top
  of the outermost group (:func:`bind_as_values`), which a sub-SELECT does not see.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal as TypingLiteral

import pyoxigraph as ox
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .load import read_input
from .errors import InputError, Location, ParameterError, QuerySyntaxError, UnknownQuery
from .namespaces import PREFIXES

ParamType = TypingLiteral["iri", "string", "integer", "year", "date", "boolean"]
QueryForm = TypingLiteral["select", "ask", "construct", "describe"]

PARAM_TYPES: tuple[str, ...] = ("iri", "string", "integer", "year", "date", "boolean")

#: Keys a header may hold, and keys a parameter spec may hold.
HEADER_KEYS = ("title", "description", "params", "tags")
PARAM_KEYS = ("type", "required", "example", "description", "default")

#: What each type accepts, as shown in error messages and in `wckg queries`.
TYPE_HINTS: dict[str, str] = {
    "iri": "an absolute IRI such as https://w3id.org/wckg/id/organisation/undp (or wcid:organisation/undp)",
    "string": "any text (at most 1000 characters)",
    "integer": "a whole number such as 42",
    "year": "a four-digit year such as 2017",
    "date": "a date written YYYY-MM-DD, such as 2020-11-20",
    "boolean": "true or false",
}

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PARAM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
_IRI_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.S)
_ALLOWED_SCHEMES = ("http", "https", "urn")
#: Characters that cannot appear in an IRI (RFC 3987 / the SPARQL IRIREF production).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_YEAR_RE = re.compile(r"^[0-9]{4}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_MAX_STRING = 1000
#: pyoxigraph reports "error at LINE:COL: message".
_OX_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?:?\s*(.*)", re.S)
_BOUND_CALL = re.compile(r"\bBOUND\s*\(\s*[?$]([A-Za-z_][A-Za-z0-9_]*)\s*\)", re.IGNORECASE)

STDIN = "-"


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter of a named query."""

    name: str
    type: ParamType
    required: bool = True
    example: str | None = None
    description: str | None = None
    default: str | None = None

    def convert(self, raw: str) -> Node:
        """The RDF term for a value given as text; :class:`ParameterError` when it is not of this type."""
        return convert_value(self.name, self.type, raw)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "required": self.required, "example": self.example,
                "description": self.description, "default": self.default}


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library (or an ad-hoc query read from a file or stdin)."""

    name: str
    title: str
    description: str
    params: list[QueryParam]
    tags: list[str]
    text: str
    path: Path | None
    form: QueryForm = "select"
    variables: list[str] = field(default_factory=list)

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]

    def param(self, name: str) -> QueryParam:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def bind(self, raw: Mapping[str, str] | None) -> dict[str, Node]:
        """Check and convert parameter values given as text into RDF terms.

        Raises :class:`ParameterError` for a parameter the query does not declare, a
        required parameter without a value, or a value of the wrong type. Optional
        parameters without value or default are left out (unbound in the query).
        """
        raw = dict(raw or {})
        known = {p.name: p for p in self.params}
        for name in raw:
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
                if known:
                    hint = (f"did you mean {', '.join(close)}? " if close else "") + \
                        f"parameters of {self.name}: " + ", ".join(f"{p.name} ({p.type})" for p in self.params)
                else:
                    hint = f"{self.name} takes no parameters (a query declares them in a `#+ params:` header)"
                raise ParameterError(name, f"{self.name} has no such parameter", hint=hint)
        bound: dict[str, Node] = {}
        for p in self.params:
            value = raw.get(p.name)
            if value is None or (value == "" and p.type != "string"):
                if p.default is not None:
                    value = p.default
                elif p.required:
                    raise ParameterError(p.name, f"required by {self.name} but not given",
                                         hint=f"give {p.name}=VALUE, {TYPE_HINTS[p.type]}"
                                         + (f" (example: {p.example})" if p.example else ""))
                else:
                    continue
            bound[p.name] = p.convert(value)
        return bound

    def example_params(self) -> dict[str, str]:
        """The example value of every parameter that has one (used by tests and the web form)."""
        return {p.name: p.example for p in self.params if p.example is not None}

    def example_bindings(self) -> dict[str, Node]:
        """The example (or default) value of every parameter that has one, as RDF terms;
        values that do not convert are left out."""
        out: dict[str, Node] = {}
        for p in self.params:
            raw = p.example if p.example is not None else p.default
            if raw is None:
                continue
            try:
                out[p.name] = convert_value(p.name, p.type, raw)
            except ParameterError:
                continue
        return out

    def to_dict(self) -> dict[str, Any]:
        """Metadata for listings and the web API (no file system path)."""
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.to_dict() for p in self.params], "tags": list(self.tags),
                "form": self.form, "variables": list(self.variables)}


# --- parameter values ----------------------------------------------------------------

def convert_value(name: str, type_: str, raw: str) -> Node:
    """Convert the text *raw* of parameter *name* into an RDF term of *type_*."""
    if not isinstance(raw, str):
        raw = str(raw)
    value = raw.strip() if type_ != "string" else raw
    if type_ == "iri":
        return URIRef(_check_iri(name, value))
    if type_ == "string":
        if len(value) > _MAX_STRING:
            raise ParameterError(name, f"text of {len(value)} characters is too long (at most {_MAX_STRING})")
        if "\x00" in value:
            raise ParameterError(name, "text contains a NUL character")
        return Literal(value)
    if type_ == "integer":
        if not _INT_RE.match(value):
            raise ParameterError(name, f"{raw!r} is not an integer", hint=f"give {TYPE_HINTS['integer']}")
        return Literal(int(value), datatype=XSD.integer)
    if type_ == "year":
        if not _YEAR_RE.match(value):
            raise ParameterError(name, f"{raw!r} is not a year", hint=f"give {TYPE_HINTS['year']}")
        return Literal(int(value), datatype=XSD.integer)
    if type_ == "date":
        if not _DATE_RE.match(value):
            raise ParameterError(name, f"{raw!r} is not a date", hint=f"give {TYPE_HINTS['date']}")
        try:
            d = _dt.date.fromisoformat(value)
        except ValueError as e:
            raise ParameterError(name, f"{raw!r} is not a valid date ({e})", hint=f"give {TYPE_HINTS['date']}") from None
        return Literal(d.isoformat(), datatype=XSD.date)
    if type_ == "boolean":
        b = _BOOL.get(value.lower())
        if b is None:
            raise ParameterError(name, f"{raw!r} is not a boolean", hint="give true or false")
        return Literal(b)
    raise ParameterError(name, f"unknown parameter type {type_!r}", hint="use one of " + ", ".join(PARAM_TYPES))


def _check_iri(name: str, value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if not value:
        raise ParameterError(name, "the IRI is empty", hint=f"give {TYPE_HINTS['iri']}")
    m = _IRI_SCHEME.match(value)
    if not m:
        raise ParameterError(name, f"{value!r} is not an absolute IRI (no scheme)", hint=f"give {TYPE_HINTS['iri']}")
    scheme, rest = m.group(1), m.group(2)
    if scheme in PREFIXES and scheme.lower() not in _ALLOWED_SCHEMES:
        value = PREFIXES[scheme] + rest  # a prefixed name of the project's prefix map
        m = _IRI_SCHEME.match(value)
        scheme = m.group(1) if m else ""
    if scheme.lower() not in _ALLOWED_SCHEMES:
        raise ParameterError(name, f"IRI scheme {scheme + ':'!r} is not allowed (only http:, https:, urn:)",
                             hint=f"give {TYPE_HINTS['iri']}")
    bad = _IRI_FORBIDDEN.search(value)
    if bad:
        what = "a space" if bad.group() == " " else f"the character {bad.group()!r}"
        raise ParameterError(name, f"{value!r} is not a valid IRI: it contains {what}",
                             hint="percent-encode it (a space is %20)")
    if scheme.lower() in ("http", "https") and not value.split(":", 1)[1].startswith("//"):
        raise ParameterError(name, f"{value!r} is not a valid {scheme} IRI (expected {scheme}://host/...)")
    return value


# --- parsing .rq files -----------------------------------------------------------------

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
    from .safety import check_query
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
    from .terms import to_oxigraph
    return to_oxigraph(term)


_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.I)


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


# --- the library -----------------------------------------------------------------------

def load_library(queries_dir: Path | str) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of *queries_dir*, by name (sorted). The first bad file raises
    (:class:`InputError` or :class:`QuerySyntaxError`, naming the file and line)."""
    queries_dir = Path(queries_dir)
    if not queries_dir.is_dir():
        raise InputError(f"no query folder at {queries_dir}",
                         hint="run from a checkout of the repository, or set WCKG_QUERIES_DIR")
    library: dict[str, NamedQuery] = {}
    for path in sorted(queries_dir.glob("*.rq")):
        name = path.stem
        if not NAME_RE.match(name):
            raise InputError(f"query file name {path.name!r} is not kebab-case (lower-case words joined by '-')",
                             location=Location(path), hint="rename it, e.g. partners-of-organisation.rq")
        library[name] = parse_named_query(_read_text(path), name=name, path=path)
    return library


_CACHE: dict[Path, tuple[tuple, dict[str, NamedQuery]]] = {}


def cached_library(queries_dir: Path | str | None = None) -> dict[str, NamedQuery]:
    """:func:`load_library`, reloaded only when a file of the folder changed (for the web app)."""
    if queries_dir is None:
        from .config import get_settings
        queries_dir = get_settings().queries_dir
    queries_dir = Path(queries_dir).resolve()
    try:
        stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(queries_dir.glob("*.rq")))
    except OSError:
        stamp = ()
    hit = _CACHE.get(queries_dir)
    if hit and hit[0] == stamp:
        return hit[1]
    library = load_library(queries_dir)
    _CACHE[queries_dir] = (stamp, library)
    return library


def close_matches(name: str, names: list[str], n: int = 5) -> list[str]:
    """Names like *name*: those containing it (or contained in it), then the nearest by spelling."""
    key = name.strip().lower()
    if key.endswith(".rq"):
        key = key[:-3]
    found = [c for c in names if key and (key in c or c in key)]
    words = set(re.split(r"[-_\s]+", key)) - {""}
    found += [c for c in names if c not in found and words & set(c.split("-"))]
    found += [c for c in difflib.get_close_matches(key, names, n=n, cutoff=0.5) if c not in found]
    return found[:n]


def get(name: str, library: Mapping[str, NamedQuery] | None = None) -> NamedQuery:
    """The named query *name*; :class:`UnknownQuery` with close matches when there is none."""
    if library is None:
        library = cached_library()
    try:
        return library[name]
    except KeyError:
        raise UnknownQuery(name, close_matches(name, sorted(library))) from None


def _read_text(path: Path) -> str:
    data = read_input(path, what="a query file", hint="check the path, or give the name of a named query")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path} is not UTF-8 text (byte {e.start})") from None


def resolve(ref: str, library: Mapping[str, NamedQuery] | None = None, *, stdin=None) -> NamedQuery:
    """A query given on the command line: ``-`` (read from stdin), a ``FILE.rq`` path, or
    the name of a named query. An ad-hoc file may carry the same ``#+`` header (then its
    parameters are typed and checked like a named query's); without one it takes none."""
    if ref == STDIN:
        stream = stdin if stdin is not None else sys.stdin
        text = stream.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="strict")
        if not text.strip():
            raise InputError("no query on standard input", hint="pipe a SPARQL query in, e.g. `wckg query - < q.rq`")
        return parse_named_query(text, name="<stdin>", path=None, require_header=False)
    path = Path(ref)
    if ref.endswith(".rq") or ref.endswith(".sparql") or "/" in ref or path.is_file():
        return parse_named_query(_read_text(path), name=path.name, path=path, require_header=False)
    return get(ref, library)


__all__ = [
    "QueryParam", "NamedQuery", "PARAM_TYPES", "TYPE_HINTS", "convert_value", "parse_named_query",
    "load_library", "cached_library", "get", "resolve", "close_matches", "syntax_error", "undeclared_prefix",
    "bind_as_values", "STDIN",
]
