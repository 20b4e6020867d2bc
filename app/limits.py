"""Bounds on what one request and one client may take (issue 17).

* :class:`BodyLimitMiddleware`: no request body larger than ``WCKG_MAX_REQUEST_BYTES``
  (512 KiB) is read, whether it says its length or comes chunked: a declared length over
  the limit is refused before reading, a chunked body is counted as it arrives and refused
  (413) as soon as it passes the limit, so a 300 MiB upload costs 512 KiB of memory.
* :class:`QueryGate`: every public query (``/sparql``, ``/queries/…``) takes a slot:
  a per-client rate (``WCKG_QUERY_RATE``, moving window, the ``limits`` library) and a
  per-client number of queries at once (``WCKG_CLIENT_QUERIES``) answer ``429`` with
  ``Retry-After``; past the public lane's workers plus ``WCKG_QUERY_QUEUE`` waiting, a
  query is answered ``503`` with ``Retry-After`` at once instead of queueing without end
  (queued work would go on after its client left). A query that hits a bound (time,
  memory, answer size, a crash, too complex) costs its client extra rate
  (:data:`PENALTY`): repeat offenders are slowed, others are not.

A client is its peer address (``proxy_headers`` stay off: a forwarded-for header is the
client's own word). Behind a reverse proxy, limit at the proxy as well.
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import Response
from limits import parse as parse_rate
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import errors

from .errors import error_response

#: Extra rate a client pays for a query that ran into a bound.
T = TypeVar("T")

PENALTY = 10
#: What costs :data:`PENALTY`: a query that hit a bound, and one refused as an attempt on the
#: network (SERVICE, LOAD: an SSRF prober is slowed like a crasher).
_COSTLY = (errors.QueryTimeout, errors.QueryResourceLimit, errors.QueryCrashed, errors.QueryTooComplex,
           errors.ForbiddenQuery)


class TooManyQueries(Exception):
    """A client over its rate or concurrency (429), or the public lane full (503)."""

    def __init__(self, message: str, *, status: int, retry_after: int, hint: str):
        self.message = message
        self.status = status
        self.retry_after = max(1, int(retry_after))
        self.hint = hint
        super().__init__(message)


class BodyLimitMiddleware:
    """Refuse request bodies over *max_bytes*, declared or chunked, without reading them whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        detail = (f"the request body is larger than {limit // 1024} KiB; "
                  f"send a shorter query (or run it on a downloaded copy of the data)")
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit or declared < 0:
                    await _plain(send, 413 if declared > limit else 400,
                                 detail if declared > limit else "the Content-Length header is not a number")
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, detail=detail)
            return message

        await self.app(scope, counted, send)


async def _plain(send: Send, status: int, text: str) -> None:
    body = f"{status} {'Request too large' if status == 413 else 'Bad request'}\n\n{text}\n".encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class QueryGate:
    """Per-client rate and concurrency, and the length of the public lane's queue."""

    def __init__(self, *, rate: str, client_queries: int, workers: int, queue: int) -> None:
        try:
            self.rate = parse_rate(rate)
        except ValueError:
            raise errors.ConfigError(f"WCKG_QUERY_RATE={rate!r} is not a rate",
                                     hint="write it as N/second, N/minute or N/hour, e.g. 120/minute") from None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.client_queries = client_queries
        self.capacity = workers + queue
        self.in_flight = 0
        self.per_client: dict[str, int] = defaultdict(int)

    @classmethod
    def from_settings(cls, settings) -> QueryGate:
        return cls(rate=settings.query_rate, client_queries=settings.client_queries,
                   workers=settings.query_workers, queue=settings.query_queue)

    def _retry_after(self, client: str) -> int:
        stats = self.limiter.get_window_stats(self.rate, "q", client)
        return math.ceil(max(1.0, stats.reset_time - time.time()))

    @asynccontextmanager
    async def slot(self, client: str) -> AsyncIterator[None]:
        """Hold one public query slot for *client* (raises :class:`TooManyQueries`)."""
        if self.per_client[client] >= self.client_queries:
            raise TooManyQueries(f"this client already has {self.client_queries} queries running",
                                 status=429, retry_after=1,
                                 hint="wait for your running queries to finish before sending more")
        if not self.limiter.hit(self.rate, "q", client):
            raise TooManyQueries(f"this client sent more than {self.rate.amount} queries per "
                                 f"{self.rate.GRANULARITY.name}", status=429,
                                 retry_after=self._retry_after(client),
                                 hint="slow down, or download the dataset and query it locally")
        if self.in_flight >= self.capacity:
            raise TooManyQueries("the public query service is busy: every worker is taken and the queue is full",
                                 status=503, retry_after=2, hint="try again in a few seconds")
        self.in_flight += 1
        self.per_client[client] += 1
        try:
            yield
        except _COSTLY:
            self.penalise(client)
            raise
        finally:
            self.in_flight -= 1
            self.per_client[client] -= 1
            if self.per_client[client] <= 0:
                del self.per_client[client]

    def penalise(self, client: str) -> None:
        remaining = self.limiter.get_window_stats(self.rate, "q", client).remaining
        cost = min(PENALTY, remaining)
        if cost > 0:
            self.limiter.hit(self.rate, "q", client, cost=cost)


async def run_until_client_leaves(request: Request, call: Callable[[threading.Event], T]) -> T:
    """``call(cancel)`` in a worker thread, with *cancel* (a ``threading.Event``) set as soon
    as the client disconnects: a query whose client left stops instead of running on to its
    time limit (issue 17: queued work went on after the clients left)."""
    import threading

    import anyio
    from starlette.concurrency import run_in_threadpool
    cancel = threading.Event()
    result: list = []

    async def watch() -> None:
        while not cancel.is_set():
            if await request.is_disconnected():
                cancel.set()
                return
            await anyio.sleep(0.5)

    error: list[BaseException] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(watch)
        try:
            result.append(await run_in_threadpool(call, cancel))
        except Exception as e:  # raised below, itself (not inside an ExceptionGroup)
            error.append(e)
        finally:
            tg.cancel_scope.cancel()
    if error:
        raise error[0]
    return result[0]


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@asynccontextmanager
async def public_query(request: Request) -> AsyncIterator[None]:
    """``async with public_query(request):`` around one public query."""
    gate: QueryGate | None = getattr(request.app.state, "query_gate", None)
    if gate is None:
        yield
        return
    async with gate.slot(client_of(request)):
        yield


def install(app: FastAPI, settings) -> None:
    """The body limit, the query gate and the answer for :class:`TooManyQueries`."""
    app.state.query_gate = QueryGate.from_settings(settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)

    @app.exception_handler(errors.QueryResourceLimit)
    async def _resource(request: Request, exc: errors.QueryResourceLimit) -> Response:
        if exc.limit == "answer-bytes":
            return error_response(request, 413, "Answer too large", exc.message, hint=exc.hint,
                                  extra={"limit": exc.limit, "max_answer_bytes": settings.max_answer_bytes})
        return error_response(request, 503, "Query memory limit reached", exc.message, hint=exc.hint,
                              extra={"limit": exc.limit})

    @app.exception_handler(errors.QueryCrashed)
    async def _crashed(request: Request, exc: errors.QueryCrashed) -> Response:
        return error_response(request, 400, "Query failed", exc.message, hint=exc.hint)

    @app.exception_handler(errors.QueryTooComplex)
    async def _complex(request: Request, exc: errors.QueryTooComplex) -> Response:
        return error_response(request, 400, "Query too complex", exc.message, hint=exc.hint)

    @app.exception_handler(TooManyQueries)
    async def _too_many(request: Request, exc: TooManyQueries) -> Response:
        title = "Too many queries" if exc.status == 429 else "Service busy"
        return error_response(request, exc.status, title, exc.message, hint=exc.hint,
                              extra={"retry_after_seconds": exc.retry_after},
                              headers={"Retry-After": str(exc.retry_after)})


__all__ = ["BodyLimitMiddleware", "QueryGate", "TooManyQueries", "public_query", "install", "PENALTY",
           "run_until_client_leaves"]
