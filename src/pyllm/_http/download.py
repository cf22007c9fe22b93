"""Downloading remote attachments, sync and async: one GET per hop, every hop checked.

pyllm follows redirects itself (at most :data:`MAX_REDIRECTS`) so that each hop is checked
before it is requested: ``http``/``https`` only, and, unless the ``allow_private_downloads``
setting is on, never a private, loopback, link-local or otherwise non-public address (a URL the
model or a web page chose must not reach ``127.0.0.1`` or a cloud metadata service). No API key
is ever sent. A download is refused past :data:`DOWNLOAD_LIMIT` bytes and past the
``download_timeout`` setting (and ``total_timeout``, when set).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import AttachmentError

if TYPE_CHECKING:
    import httpx

    from .._engine.retry import Deadline
    from .transport import AsyncHttp, SyncHttp

__all__ = [
    "DOWNLOAD_LIMIT",
    "MAX_REDIRECTS",
    "Download",
    "afetch",
    "check_addresses",
    "fetch",
]

DOWNLOAD_LIMIT = 50_000_000
"""The most bytes pyllm downloads for one remote attachment."""

MAX_REDIRECTS = 5
"""The most redirects one attachment download follows."""

Addresses = Iterable[tuple[Any, ...]]  # what getaddrinfo returns


def download_failed(url: str, reason: str) -> AttachmentError:
    return AttachmentError(f"could not download the attachment {url}: {reason}")


def check_addresses(url: str, host: str, addresses: Addresses) -> None:
    """Refuse ``host`` when any address it resolves to is not public.

    >>> check_addresses("http://x/a.pdf", "x", [(2, 1, 6, "", ("93.184.216.34", 80))])
    >>> check_addresses("http://x/a.pdf", "x", [(2, 1, 6, "", ("169.254.169.254", 80))])
    Traceback (most recent call last):
    ...
    pyllm.errors.AttachmentError: could not download the attachment http://x/a.pdf: ...
    """
    for *_, sockaddr in addresses:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise download_failed(
                url,
                f"{host} is a private, loopback or link-local address ({address}); pyllm "
                "downloads only from public addresses unless the allow_private_downloads "
                "setting is on (pyllm.configure(allow_private_downloads=True))",
            )


class Hop:
    """One URL on the way to the file: checked, requested, maybe redirected onwards."""

    def __init__(self, url: str) -> None:
        import httpx

        self.original = url
        try:
            self.url = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise download_failed(url, f"not a valid URL ({exc})") from None
        self.count = 0

    def check(self) -> tuple[str, int]:
        """``(host, port)`` to resolve; refuses schemes other than http(s)."""
        if self.url.scheme not in ("http", "https") or not self.url.host:
            raise download_failed(
                self.original, f"{self.url} is not an http:// or https:// URL; it is not followed"
            )
        return self.url.host, self.url.port or (443 if self.url.scheme == "https" else 80)

    def next(self, response: httpx.Response) -> bool:
        """Move to where a redirect points (True), or False when ``response`` is the file."""
        import httpx

        status = response.status_code
        location = response.headers.get("location")
        if not 300 <= status < 400:
            return False
        if not location:
            raise download_failed(self.original, f"HTTP {status} without a Location")
        self.count += 1
        if self.count > MAX_REDIRECTS:
            raise download_failed(self.original, f"more than {MAX_REDIRECTS} redirects")
        try:
            self.url = self.url.join(location)
        except httpx.InvalidURL as exc:
            raise download_failed(self.original, f"it redirects to a bad URL ({exc})") from None
        return True


class Download:
    """The body of one attachment download, refused past :data:`DOWNLOAD_LIMIT` or the deadline."""

    def __init__(self, url: str, response: httpx.Response, deadline: Deadline) -> None:
        if response.status_code >= 300:
            raise download_failed(url, f"HTTP {response.status_code}")
        self.url, self.deadline = url, deadline
        self.content_type: str | None = response.headers.get("content-type")
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > DOWNLOAD_LIMIT:
            raise download_failed(self.url, f"larger than {DOWNLOAD_LIMIT // 1_000_000} MB")
        self.parts.append(data)
        check_deadline(self.url, self.deadline)

    def result(self) -> tuple[bytes, str | None]:
        return b"".join(self.parts), self.content_type


def check_deadline(url: str, deadline: Deadline) -> None:
    if deadline.expired():
        raise download_failed(
            url,
            f"it took longer than {deadline.total:g}s (the download_timeout setting, or "
            "total_timeout when that is shorter)",
        )


def _failure(url: str, deadline: Deadline, exc: Exception) -> AttachmentError:
    """A transport error, or the deadline when that is what ran out (a read timed out)."""
    check_deadline(url, deadline)
    return download_failed(url, str(exc) or type(exc).__name__)


def fetch(http: SyncHttp, url: str, deadline: Deadline) -> tuple[bytes, str | None]:
    """GET ``url`` for an attachment: ``(body, content type)``, or :class:`AttachmentError`."""
    import httpx

    hop = Hop(url)
    while True:
        check_deadline(url, deadline)
        host, port = hop.check()
        if not http.settings.allow_private_downloads:
            try:
                addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                raise download_failed(url, f"cannot resolve {host} ({exc})") from None
            check_addresses(url, host, addresses)
        try:
            request = http.client.build_request("GET", hop.url, timeout=http.timeout_for(deadline))
            response = http.client.send(request, stream=True)
            try:
                if not hop.next(response):
                    download = Download(url, response, deadline)
                    for data in response.iter_bytes():
                        download.add(data)
                    return download.result()
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise _failure(url, deadline, exc) from exc


async def afetch(http: AsyncHttp, url: str, deadline: Deadline) -> tuple[bytes, str | None]:
    """Async twin of :func:`fetch`."""
    import httpx

    hop = Hop(url)
    while True:
        check_deadline(url, deadline)
        host, port = hop.check()
        if not http.settings.allow_private_downloads:
            loop = asyncio.get_running_loop()
            try:
                addresses = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError as exc:
                raise download_failed(url, f"cannot resolve {host} ({exc})") from None
            check_addresses(url, host, addresses)
        try:
            request = http.client.build_request("GET", hop.url, timeout=http.timeout_for(deadline))
            response = await http.client.send(request, stream=True)
            try:
                if not hop.next(response):
                    download = Download(url, response, deadline)
                    async for data in response.aiter_bytes():
                        download.add(data)
                    return download.result()
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise _failure(url, deadline, exc) from exc
