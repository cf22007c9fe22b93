"""One attempt over httpx, sync and async: a request or a stream, typed errors, deadlines.

Each method here makes **one** attempt; statuses become errors through
:func:`pyllm.errors.api_error`. Nothing here retries: the engine's flows decide (through
:class:`~pyllm._engine.routing.Turn` for chats, :class:`~pyllm._engine.retry.Attempts` for
plain requests), and the drivers (:mod:`pyllm._http.drive`) perform their ``Send`` steps here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import httpx

from .._headers import check_headers
from ..errors import Error
from ..protocols.base import decode_json
from .responses import (
    AsyncStream,
    Body,
    aread_body,
    close_at_loop_shutdown,
    drain,
    http_error,
    iter_bytes,
    read_body,
    status_error,
)
from .wire import check_deadline, prepared

if TYPE_CHECKING:
    from .._engine.retry import Deadline
    from .._engine.steps import Send
    from ..config import Settings
    from ..providers.base import Provider

__all__ = ["AsyncHttp", "SyncHttp"]

logger = logging.getLogger("pyllm")

_parsed_url = lru_cache(maxsize=128)(httpx.URL)  # httpx parses str URLs per request (~30 us)


def _timeout(settings: Settings, deadline: Deadline | None = None) -> httpx.Timeout:
    read, connect = settings.timeout, settings.connect_timeout
    left = deadline.remaining() if deadline is not None else None
    if left is not None:
        read, connect = max(0.001, min(read, left)), max(0.001, min(connect, left))
    return httpx.Timeout(connect=connect, read=read, write=read, pool=read)


def _limits(settings: Settings) -> httpx.Limits:
    return httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )


def _log(request: httpx.Request, outcome: str, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = time.perf_counter() - started
        logger.debug("%s %s -> %s in %.3fs", request.method, request.url, outcome, elapsed)


class _HttpBase:
    def __init__(
        self, settings: Settings, *, transport: Any = None, http_client: Any = None
    ) -> None:
        self.settings = settings
        self._transport = transport
        self._http_client = http_client
        self._owns_client = http_client is None
        self._default_timeout: httpx.Timeout | None = None
        self._header_cache: dict[tuple[tuple[str, str], ...], httpx.Headers] = {}

    def timeout_for(self, deadline: Deadline) -> httpx.Timeout:
        if deadline.at is None:  # no total timeout: the same limits every time
            if self._default_timeout is None:
                self._default_timeout = _timeout(self.settings)
            return self._default_timeout
        return _timeout(self.settings, deadline)

    def _headers_for(self, headers: dict[str, str]) -> httpx.Headers:
        """The same few header sets recur: encode each once (httpx re-encodes a dict per call)."""
        key = tuple(headers.items())
        found = self._header_cache.get(key)
        if found is None:
            if len(self._header_cache) > 64:
                self._header_cache.clear()
            found = self._header_cache[key] = httpx.Headers(
                check_headers(headers, "request headers")
            )
        return found

    def _request(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        deadline: Deadline,
    ) -> httpx.Request:
        check_deadline(deadline, url)
        request: httpx.Request = self.client.build_request(
            method,
            _parsed_url(url),
            content=content,
            headers=self._headers_for(headers),
            timeout=self.timeout_for(deadline),
        )
        return request

    @property
    def client(self) -> Any:
        raise NotImplementedError


def _parsed(send: Send, body: bytes, status: int) -> Any:
    data = decode_json(body, provider=send.provider.name, status=status)
    return send.parse(data) if send.parse is not None else data


class SyncHttp(_HttpBase):
    """Blocking HTTP with one connection pool per client."""

    @property
    def client(self) -> httpx.Client:
        if self._http_client is None:
            self._http_client = httpx.Client(
                transport=self._transport,
                timeout=_timeout(self.settings),
                limits=_limits(self.settings),
            )
        client: httpx.Client = self._http_client
        return client

    def close(self) -> None:
        if self._http_client is not None and self._owns_client:
            self._http_client.close()
            self._http_client = None

    def open_response(
        self,
        provider: Provider,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        deadline: Deadline,
    ) -> httpx.Response:
        """One attempt: an open 2xx response, or the typed error for whatever happened."""
        request = self._request(method, url, headers, content, deadline)
        began = time.perf_counter()
        try:
            response = self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            _log(request, type(exc).__name__, began)
            raise http_error(exc, url) from None
        _log(request, str(response.status_code), began)
        if response.status_code >= 300:
            body = b""
            try:
                if response.status_code >= 400:
                    body = read_body(response, url, deadline)
            except Error:
                pass
            finally:
                response.close()
            raise status_error(provider, url, response, body)
        return response

    def send(self, send: Send) -> Any:
        """One attempt: the JSON body of a 2xx answer, through ``send.parse`` if given."""
        url, headers, content = prepared(send)
        deadline = send.deadline
        response = self.open_response(send.provider, send.method, url, headers, content, deadline)
        try:
            body = read_body(response, url, deadline, send.provider.name)
        finally:
            response.close()
        check_deadline(deadline, url)
        return _parsed(send, body, response.status_code)

    @contextmanager
    def stream(self, send: Send) -> Iterator[Body]:
        """One attempt: open a 2xx streaming response and yield its :class:`Body`. Leaving the
        block without an error reads what follows the end (see :func:`.responses.drain`)."""
        url, headers, content = prepared(send, stream=True)
        response = self.open_response(send.provider, "POST", url, headers, content, send.deadline)
        pieces = iter_bytes(response, url, send.deadline)
        try:
            yield Body(pieces, response.headers.get("content-type"))
            drain(pieces)
        finally:
            response.close()

    def fetch(self, url: str, deadline: Deadline) -> tuple[bytes, str | None]:
        """GET a public URL for an attachment (no API key is sent): ``(body, content type)``."""
        from .download import fetch

        return fetch(self, url, deadline)


class AsyncHttp(_HttpBase):
    """Non-blocking twin of :class:`SyncHttp`."""

    _closer: AsyncGenerator[None, None] | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                transport=self._transport,
                timeout=_timeout(self.settings),
                limits=_limits(self.settings),
            )
            if self._owns_client:
                self._closer = close_at_loop_shutdown(self)
        client: httpx.AsyncClient = self._http_client
        return client

    async def aclose(self) -> None:
        if self._http_client is not None and self._owns_client:
            await self._http_client.aclose()
            self._http_client = None

    async def open_response(
        self,
        provider: Provider,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        deadline: Deadline,
    ) -> httpx.Response:
        """Async twin of :meth:`SyncHttp.open_response`."""
        request = self._request(method, url, headers, content, deadline)
        began = time.perf_counter()
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            _log(request, type(exc).__name__, began)
            raise http_error(exc, url) from None
        _log(request, str(response.status_code), began)
        if response.status_code >= 300:
            body = b""
            try:
                if response.status_code >= 400:
                    body = await aread_body(response, url, deadline)
            except Error:
                pass
            finally:
                await response.aclose()
            raise status_error(provider, url, response, body)
        return response

    async def send(self, send: Send) -> Any:
        """Async twin of :meth:`SyncHttp.send`."""
        url, headers, content = prepared(send)
        deadline = send.deadline
        response = await self.open_response(
            send.provider, send.method, url, headers, content, deadline
        )
        try:
            body = await aread_body(response, url, deadline, send.provider.name)
        finally:
            await response.aclose()
        check_deadline(deadline, url)
        return _parsed(send, body, response.status_code)

    def stream(self, send: Send) -> AsyncStream:
        """``async with http.stream(send) as body``: the twin of :meth:`SyncHttp.stream`."""
        return AsyncStream(self, send, prepared(send, stream=True))

    async def fetch(self, url: str, deadline: Deadline) -> tuple[bytes, str | None]:
        """Async twin of :meth:`SyncHttp.fetch`."""
        from .download import afetch

        return await afetch(self, url, deadline)
