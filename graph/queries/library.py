"""The library of named queries: ``queries/*.rq`` loaded (and cached until a file
changes), looked up by name with suggestions, or read from a file or stdin."""
from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Mapping
from pathlib import Path


from ..load import read_input
from ..errors import InputError, Location, UnknownQuery
from .model import NAME_RE, STDIN, NamedQuery
from .parse import parse_named_query


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
        from ..config import get_settings
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
