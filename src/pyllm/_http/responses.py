"""Responses at the HTTP edge, sync and async: bodies read under a deadline, streamed bytes,
the drain that hands a finished stream's connection back to the pool, and httpx failures as
pyllm errors. ``transport`` sends; this module reads. (httpx is imported inside the functions:
only ``transport`` imports it at module level, and it is loaded by the time these run.)
"""

from __future__ import annotations

from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Iterable,
    Iterator,
)
from contextlib import suppress
from typing import TYPE_CHECKING, Any, NamedTuple

from .._status_codes import api_error
from ..errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ConfigurationError,
    Error,
    InvalidResponseError,
)
from .wire import DRAIN_LIMIT, check_deadline, redirect_error

if TYPE_CHECKING:
    from types import TracebackType

    import httpx

    from .._engine.retry import Deadline
    from .._engine.steps import Send
    from ..providers.base import Provider
    from .transport import AsyncHttp

__all__ = [
    "AsyncStream",
    "Body",
    "aread_body",
    "close_at_loop_shutdown",
    "drain",
    "http_error",
    "iter_bytes",
    "read_body",
    "status_error",
]


class Body(NamedTuple):
    """An open streamed response: its bytes as they arrive, and its ``Content-Type``."""

    pieces: Any  # Iterator[bytes] or AsyncIterator[bytes]
    content_type: str | None


def status_error(provider: Provider, url: str, response: httpx.Response, body: bytes) -> APIError:
    """The typed error for a 3xx (never followed) or a 4xx/5xx response with its ``body``."""
    status = response.status_code
    if status < 400:
        return redirect_error(provider.name, url, status, response.headers.get("location"))
    details = provider.extract_error(status, response.headers, body)
    return api_error(status, details, provider=provider.name)


def http_error(exc: Exception, url: str, provider: str | None = None) -> Error:
    """An httpx failure as a pyllm error that says where and what. Only failures of the
    connection are :class:`APIConnectionError` (retried); a body that cannot be decoded and a
    request that cannot be sent (bad header, bad URL scheme) are not worth another try."""
    import httpx

    kind = type(exc).__name__
    detail = str(exc) or kind
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{kind} talking to {url}: {detail}")
    if isinstance(exc, httpx.DecodingError):
        reason = f"the response body could not be decoded ({detail})"
        return InvalidResponseError(reason, status=200, provider=provider)
    if isinstance(exc, (httpx.LocalProtocolError, httpx.UnsupportedProtocol)):
        return ConfigurationError(
            f"pyllm could not send a request to {url} ({kind}: {detail}); check the provider's "
            "base URL and any custom headers"
        )
    return APIConnectionError(f"{kind} talking to {url}: {detail}")


def read_body(
    response: httpx.Response, url: str, deadline: Deadline, provider: str | None = None
) -> bytes:
    """The whole body; with a total timeout, checked between reads (a body may trickle)."""
    import httpx

    try:
        if deadline.at is None:
            return response.read()
        parts = []
        for data in response.iter_bytes():
            parts.append(data)
            check_deadline(deadline, url)
        return b"".join(parts)
    except httpx.HTTPError as exc:
        raise http_error(exc, url, provider) from exc


async def aread_body(
    response: httpx.Response, url: str, deadline: Deadline, provider: str | None = None
) -> bytes:
    """Async twin of :func:`read_body`."""
    import httpx

    try:
        if deadline.at is None:
            return await response.aread()
        parts = []
        async for data in response.aiter_bytes():
            parts.append(data)
            check_deadline(deadline, url)
        return b"".join(parts)
    except httpx.HTTPError as exc:
        raise http_error(exc, url, provider) from exc


def _identity(response: httpx.Response) -> bool:
    """No content coding: the raw stream can be read as is, skipping two generator layers."""
    coding: str = response.headers.get("content-encoding", "identity")
    return coding.lower() == "identity"


def iter_bytes(response: httpx.Response, url: str, deadline: Deadline) -> Iterator[bytes]:
    """A streamed body's bytes as they arrive (errors mapped, the deadline checked)."""
    import httpx

    source: Iterable[bytes] = response.iter_bytes()
    if _identity(response) and isinstance(response.stream, httpx.SyncByteStream):
        source = response.stream  # errors arrive mapped to httpx's, as with iter_bytes
    try:
        for data in source:
            yield data
            if deadline.at is not None:
                check_deadline(deadline, url)
    except httpx.HTTPError as exc:
        raise http_error(exc, url) from exc


def drain(pieces: Iterator[bytes]) -> None:
    """After a stream's end marker, read the rest of its body (normally just the chunked
    terminator) so the connection goes back to the pool; past :data:`DRAIN_LIMIT`, give up."""
    size = 0
    with suppress(Error):
        for data in pieces:
            size += len(data)
            if size > DRAIN_LIMIT:
                return


async def aiter_bytes(
    response: httpx.Response, url: str, deadline: Deadline
) -> AsyncIterator[bytes]:
    import httpx

    source: AsyncIterable[bytes] = response.aiter_bytes()
    if _identity(response) and isinstance(response.stream, httpx.AsyncByteStream):
        source = response.stream
    try:
        async for data in source:
            yield data
            if deadline.at is not None:
                check_deadline(deadline, url)
    except httpx.HTTPError as exc:
        raise http_error(exc, url) from exc


async def adrain(pieces: AsyncIterator[bytes]) -> None:
    size = 0
    with suppress(Error):
        async for data in pieces:
            size += len(data)
            if size > DRAIN_LIMIT:
                return


class AsyncStream:
    """``async with http.stream(...) as body``: one streamed attempt, a class rather than an
    ``asynccontextmanager``. An async generator there is closed both by ``asyncio.run`` at
    shutdown and by the ``async with`` around it, and the two collide ("asynchronous generator
    is already running") when the caller left a stream open (``async for ...: break``)."""

    def __init__(
        self, http: AsyncHttp, send: Send, request: tuple[str, dict[str, str], bytes | None]
    ) -> None:
        self.http, self.send, self.request = http, send, request
        self.response: httpx.Response | None = None
        self.pieces: AsyncIterator[bytes] | None = None

    async def __aenter__(self) -> Body:
        url, headers, content = self.request
        send = self.send
        self.response = await self.http.open_response(
            send.provider, "POST", url, headers, content, send.deadline
        )
        self.pieces = aiter_bytes(self.response, url, send.deadline)
        return Body(self.pieces, self.response.headers.get("content-type"))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.response is not None
        assert self.pieces is not None
        try:
            if exc_type is None:
                await adrain(self.pieces)
        finally:
            await self.response.aclose()


def close_at_loop_shutdown(http: AsyncHttp) -> AsyncGenerator[None, None]:
    """An async generator the running loop tracks, so ``asyncio.run`` closes it at shutdown
    (``loop.shutdown_asyncgens``) and, with it, ``http``'s pool: a client nobody closed (the
    module-level API inside ``asyncio.run``) leaves no open sockets behind."""

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await http.aclose()

    generator = closer()
    with suppress(StopIteration):  # run it to its yield now: the loop's first-use hook sees it
        generator.asend(None).send(None)
    return generator
