"""The one I/O edge: HTTP requests and streams over httpx, with retries and typed errors.

Everything here is thin: statuses become errors through :func:`pyllm.errors.api_error`, retry
decisions come from :class:`pyllm._retry.RetryPolicy`, bodies are parsed by protocols. Only the
sync and async send loops exist twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._retry import RetryPolicy
from .errors import APIConnectionError, APIError, APITimeoutError, Error, api_error
from .protocols.base import decode_json

if TYPE_CHECKING:
    from .config import Settings
    from .providers.base import Provider

__all__ = ["AsyncHttp", "SyncHttp"]

T = TypeVar("T")

logger = logging.getLogger("pyllm")


def encode_json(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_retries=settings.max_retries,
        max_retry_wait=settings.max_retry_wait,
        budget_s=settings.retry_budget_s,
    )


def _timeout(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.timeout,
        write=settings.timeout,
        pool=settings.timeout,
    )


def _limits(settings: Settings) -> httpx.Limits:
    return httpx.Limits(
        max_connections=settings.max_connections,
        max_keepalive_connections=settings.max_connections,
    )


def status_error(provider: Provider, response: httpx.Response) -> APIError:
    """The typed error for a non-2xx response (its body already read)."""
    status = response.status_code
    details = provider.extract_error(status, response.headers, response.content)
    return api_error(status, details, provider=provider.name)


def transport_error(exc: Exception, url: str) -> APIConnectionError:
    """An httpx transport failure as a pyllm error that says where and what."""
    kind = type(exc).__name__
    detail = str(exc) or kind
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{kind} talking to {url}: {detail}")
    return APIConnectionError(f"{kind} talking to {url}: {detail}")


def _log(request: httpx.Request, outcome: str, started: float) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = time.perf_counter() - started
        logger.debug("%s %s -> %s in %.3fs", request.method, request.url, outcome, elapsed)


class _HttpBase:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: Any = None,
        http_client: Any = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.policy = policy or retry_policy(settings)
        self._transport = transport
        self._http_client = http_client
        self._owns_client = http_client is None

    def _retry_wait(self, error: Error, attempt: int, started: float, url: str) -> float | None:
        wait = self.policy.delay(error, attempt=attempt, elapsed=time.monotonic() - started)
        if wait is not None:
            logger.info("retrying %s in %.2fs after %s", url, wait, type(error).__name__)
        return wait


def _prepare(
    provider: Provider,
    path: str,
    payload: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    *,
    authenticated: bool = True,
    stream: bool = False,
) -> tuple[str, dict[str, str], bytes | None]:
    request_headers = provider.headers(authenticated=authenticated)
    if stream or headers:
        request_headers = {**request_headers, **(headers or {})}
        if stream:
            request_headers["Accept"] = "text/event-stream"
    content = encode_json(payload) if payload is not None else None
    return provider.url(path), request_headers, content


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

    def _retrying(self, url: str, attempt_once: Callable[[], T]) -> T:
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                return attempt_once()
            except Error as error:
                wait = self._retry_wait(error, attempt, started, url)
                if wait is None:
                    raise
            time.sleep(wait)
            attempt += 1

    def _send(self, request: httpx.Request, provider: Provider, *, stream: bool) -> httpx.Response:
        """One attempt: a 2xx response, or the typed error for whatever happened."""
        began = time.perf_counter()
        try:
            response = self.client.send(request, stream=stream)
            if response.status_code >= 400 and stream:
                response.read()
        except httpx.HTTPError as exc:
            _log(request, type(exc).__name__, began)
            raise transport_error(exc, str(request.url)) from None
        _log(request, str(response.status_code), began)
        if response.status_code >= 400:
            response.close()
            raise status_error(provider, response)
        return response

    def request_json(
        self,
        provider: Provider,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        authenticated: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send, retry per policy, and return the parsed JSON body of a 2xx answer."""
        url, request_headers, content = _prepare(
            provider, path, payload, headers, authenticated=authenticated
        )

        def attempt_once() -> httpx.Response:
            request = self.client.build_request(
                method, url, content=content, headers=request_headers
            )
            return self._send(request, provider, stream=False)

        response = self._retrying(url, attempt_once)
        return decode_json(response.content, provider=provider.name, status=response.status_code)

    @contextmanager
    def stream(
        self,
        provider: Provider,
        path: str,
        payload: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[Iterator[bytes]]:
        """Open a 2xx streaming response (retrying per policy) and yield its byte iterator."""
        url, request_headers, content = _prepare(provider, path, payload, headers, stream=True)

        def attempt_once() -> httpx.Response:
            request = self.client.build_request(
                "POST", url, content=content, headers=request_headers
            )
            return self._send(request, provider, stream=True)

        response = self._retrying(url, attempt_once)
        try:
            yield _iter_bytes(response, url)
        finally:
            response.close()


def _iter_bytes(response: httpx.Response, url: str) -> Iterator[bytes]:
    try:
        yield from response.iter_bytes()
    except httpx.HTTPError as exc:
        raise transport_error(exc, url) from exc


class AsyncHttp(_HttpBase):
    """Non-blocking twin of :class:`SyncHttp`."""

    @property
    def client(self) -> httpx.AsyncClient:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                transport=self._transport,
                timeout=_timeout(self.settings),
                limits=_limits(self.settings),
            )
        client: httpx.AsyncClient = self._http_client
        return client

    async def aclose(self) -> None:
        if self._http_client is not None and self._owns_client:
            await self._http_client.aclose()
            self._http_client = None

    async def _retrying(self, url: str, attempt_once: Callable[[], Awaitable[T]]) -> T:
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                return await attempt_once()
            except Error as error:
                wait = self._retry_wait(error, attempt, started, url)
                if wait is None:
                    raise
            await asyncio.sleep(wait)
            attempt += 1

    async def _send(
        self, request: httpx.Request, provider: Provider, *, stream: bool
    ) -> httpx.Response:
        began = time.perf_counter()
        try:
            response = await self.client.send(request, stream=stream)
            if response.status_code >= 400 and stream:
                await response.aread()
        except httpx.HTTPError as exc:
            _log(request, type(exc).__name__, began)
            raise transport_error(exc, str(request.url)) from None
        _log(request, str(response.status_code), began)
        if response.status_code >= 400:
            await response.aclose()
            raise status_error(provider, response)
        return response

    async def request_json(
        self,
        provider: Provider,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        authenticated: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        url, request_headers, content = _prepare(
            provider, path, payload, headers, authenticated=authenticated
        )

        async def attempt_once() -> httpx.Response:
            request = self.client.build_request(
                method, url, content=content, headers=request_headers
            )
            return await self._send(request, provider, stream=False)

        response = await self._retrying(url, attempt_once)
        return decode_json(response.content, provider=provider.name, status=response.status_code)

    @asynccontextmanager
    async def stream(
        self,
        provider: Provider,
        path: str,
        payload: Mapping[str, Any],
        *,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[AsyncIterator[bytes]]:
        url, request_headers, content = _prepare(provider, path, payload, headers, stream=True)

        async def attempt_once() -> httpx.Response:
            request = self.client.build_request(
                "POST", url, content=content, headers=request_headers
            )
            return await self._send(request, provider, stream=True)

        response = await self._retrying(url, attempt_once)
        try:
            yield _aiter_bytes(response, url)
        finally:
            await response.aclose()


async def _aiter_bytes(response: httpx.Response, url: str) -> AsyncIterator[bytes]:
    try:
        async for data in response.aiter_bytes():
            yield data
    except httpx.HTTPError as exc:
        raise transport_error(exc, url) from exc
