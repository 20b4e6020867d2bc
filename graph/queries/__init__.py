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

One module per part: ``model`` (NamedQuery, QueryParam, values → terms), ``parse`` (the
``.rq`` files and their checks, :func:`bind_as_values`), ``library`` (``queries/`` loaded and
cached, lookup, files and stdin). Everything is re-exported here.
"""
from __future__ import annotations

from .library import cached_library, close_matches, get, load_library, resolve
from .model import (HEADER_KEYS, NAME_RE, PARAM_KEYS, PARAM_TYPES, STDIN, TYPE_HINTS, NamedQuery, ParamType,
                    QueryForm, QueryParam, convert_value)
from .parse import bind_as_values, bind_params, parse_named_query, syntax_error, undeclared_prefix

__all__ = [
    "QueryParam", "NamedQuery", "PARAM_TYPES", "TYPE_HINTS", "convert_value", "parse_named_query",
    "load_library", "cached_library", "get", "resolve", "close_matches", "syntax_error", "undeclared_prefix",
    "bind_as_values", "bind_params", "STDIN", "HEADER_KEYS", "PARAM_KEYS", "NAME_RE", "ParamType", "QueryForm",
]
