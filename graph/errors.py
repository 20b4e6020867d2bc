"""One exception tree for the library. Every error says what was wrong, where, and what to do.

::

    WckgError                      base; ``str()`` is the message shown to a user
    ├── InputError                 bad input from a file: carries file, line, column
    │   └── RdfSyntaxError         a data file that does not parse
    ├── ValidationFailed           data that does not conform to the shapes (carries the report)
    ├── ConfigError                a missing or wrong setting (names the setting)
    ├── NetworkBusy                a network page not computed in time (503, Retry-After)
    ├── StoreError                 the store cannot be opened, built or reached
    │   └── RemoteStoreError       a remote SPARQL server failed (names the URL and why)
    └── QueryError                 a query that cannot be run
        ├── QuerySyntaxError       the engine's message, with line and column
        ├── ForbiddenQuery         SERVICE, LOAD, updates on a read-only endpoint
        ├── QueryTimeout           ran past its time limit and was stopped
        ├── UnknownQuery           no named query of that name (carries close matches)
        ├── ParameterError         a parameter missing or of the wrong type (names it)
        ├── QueryTooComplex        nesting or operator chains beyond what the engine parses safely
        ├── QueryResourceLimit     stopped by a bound of its worker (memory) or answer (bytes)
        └── QueryCrashed           the worker running it died; it was replaced

The CLI maps every ``WckgError`` to a message and a non-zero exit (2 for unreadable
input, 1 otherwise); the web app maps them to 4xx responses. Nothing outside this tree
is expected to reach a user: anything else is a bug.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _rebuild(cls: type[Exception], args: tuple, state: dict) -> Exception:
    """A :class:`WckgError` from its pickled state (:meth:`WckgError.__reduce__`)."""
    e = cls.__new__(cls)
    e.args = args
    e.__dict__.update(state)
    return e


class WckgError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n  → {hint}")

    def __reduce__(self):
        # subclasses take other arguments than the message (a parameter's name, a report):
        # rebuilt from the instance's state, an error raised in a worker process (network,
        # queries) crosses back to the web process whole instead of breaking the pool
        return _rebuild, (type(self), self.args, self.__dict__)


@dataclass(frozen=True)
class Location:
    """Where in a file something is (1-based line and column; either may be unknown)."""

    file: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        s = str(self.file)
        if self.line is not None:
            s += f":{self.line}"
            if self.column is not None:
                s += f":{self.column}"
        return s


class InputError(WckgError):
    """Unreadable input: a missing file, a file that does not parse."""

    exit_code = 2

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        self.location = location
        super().__init__(f"{location}: {message}" if location else message, hint=hint)


class RdfSyntaxError(InputError):
    """A data file that does not parse as RDF."""


class ValidationFailed(WckgError):
    """The data does not conform to the shapes; ``report`` holds every result."""

    def __init__(self, report, message: str | None = None):
        self.report = report
        super().__init__(message or f"the graph does not conform: {report.summary()}",
                         hint="run `wckg validate` for the full report")


class ConfigError(WckgError):
    """A missing or wrong setting; the message names the setting."""

    exit_code = 2


class NetworkBusy(WckgError):
    """A network page whose computation (in the network worker) is still running or was
    stopped at its time limit: answered 503 with ``Retry-After``."""

    def __init__(self, message: str, *, retry_after: int = 10, stopped: bool = False):
        hint = ("narrow the network (filters, a smaller depth) or download the data"
                if stopped else f"try again in {retry_after} s: the answer is kept for you")
        super().__init__(message, hint=hint)
        self.retry_after = max(1, int(retry_after))
        self.stopped = stopped


class StoreError(WckgError):
    """The store cannot be opened, built or reached."""


class RemoteStoreError(StoreError):
    """A remote SPARQL server failed; the message names the URL and why."""


class QueryError(WckgError):
    """A query that cannot be run."""


class QuerySyntaxError(QueryError):
    """The engine's syntax error, with line and column where it gives them."""

    exit_code = 2


class ForbiddenQuery(QueryError):
    """SERVICE or LOAD (which would reach the network), or an update where only reads are allowed."""


class QueryTimeout(QueryError):
    """A query that ran past its time limit; it was stopped."""


class UnknownQuery(QueryError):
    """No named query of that name."""

    exit_code = 2

    def __init__(self, name: str, close_matches: list[str]):
        self.name = name
        self.close_matches = close_matches
        hint = ("did you mean: " + ", ".join(close_matches)) if close_matches else "run `wckg queries` to list them"
        super().__init__(f"no named query {name!r}", hint=hint)


class ParameterError(QueryError):
    """A query parameter missing, unknown, or of the wrong type; names the parameter."""

    exit_code = 2

    def __init__(self, name: str, message: str, *, hint: str | None = None):
        self.name = name
        super().__init__(f"parameter {name!r}: {message}", hint=hint)


# --- bounds of one query (issue 17); each names the bound it hit ------------------------

class QueryTooComplex(QueryError):
    """Nesting or operator chains beyond what the engine parses safely (refused before it runs)."""


class QueryResourceLimit(QueryError):
    """A query stopped by a per-query bound other than time: memory of its worker, bytes of
    its answer. ``limit`` names the bound (``"memory"``, ``"answer-bytes"``)."""

    def __init__(self, message: str, *, limit: str, hint: str | None = None):
        self.limit = limit
        super().__init__(message, hint=hint)


class QueryCrashed(QueryError):
    """The worker running the query died (the query crashed the engine); it was replaced."""


class QueryCancelled(QueryError):
    """The query's client went away; the query was stopped (its worker replaced)."""
