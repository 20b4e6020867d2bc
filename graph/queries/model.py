"""What a named query is (:class:`NamedQuery`, :class:`QueryParam`) and how a parameter
value given as text becomes an RDF term of its declared type (:func:`convert_value`)."""
from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal as TypingLiteral

from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from ..errors import ParameterError
from ..namespaces import PREFIXES


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
_IRI_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.S)
_ALLOWED_SCHEMES = ("http", "https", "urn")
#: Characters that cannot appear in an IRI (RFC 3987 / the SPARQL IRIREF production).
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f]')
_INT_RE = re.compile(r"^[+-]?[0-9]+$")
_YEAR_RE = re.compile(r"^[0-9]{4}$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_MAX_STRING = 1000

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
