"""Pure helpers of the HTTP edge: request bodies and headers, the retry policy from settings,
download size limits, deadline checks. No I/O here; ``_http.py`` does the sending.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._retry import Deadline, RetryPolicy
from .errors import AttachmentError

if TYPE_CHECKING:
    from .config import Settings
    from .providers.base import Provider

__all__ = [
    "DOWNLOAD_LIMIT",
    "Download",
    "check_deadline",
    "download_failed",
    "encode_json",
    "prepare",
    "retry_policy",
]


def encode_json(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_retries=settings.max_retries,
        base_delay=settings.retry_backoff,
        max_retry_wait=settings.max_retry_wait,
        budget_s=settings.retry_budget_s,
    )


def prepare(
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


DOWNLOAD_LIMIT = 50_000_000
"""The most bytes pyllm downloads for one remote attachment."""


def download_failed(url: str, reason: str) -> AttachmentError:
    return AttachmentError(f"could not download the attachment {url}: {reason}")


class Download:
    """The body of one attachment download, refused past :data:`DOWNLOAD_LIMIT`."""

    def __init__(self, url: str, status: int, content_type: str | None) -> None:
        if status >= 400:
            raise download_failed(url, f"HTTP {status}")
        self.url, self.content_type = url, content_type
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > DOWNLOAD_LIMIT:
            raise download_failed(self.url, f"larger than {DOWNLOAD_LIMIT // 1_000_000} MB")
        self.parts.append(data)

    def result(self) -> tuple[bytes, str | None]:
        return b"".join(self.parts), self.content_type


def check_deadline(deadline: Deadline, url: str) -> None:
    if deadline.expired():
        raise deadline.error(url)
