"""Pure helpers of the HTTP edge: request bodies and headers, redirect errors, deadline
checks. No I/O here; ``transport`` does the sending.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import RedirectError

if TYPE_CHECKING:
    from .._engine.retry import Deadline
    from .._engine.steps import Send
    from ..providers.base import Provider

__all__ = [
    "DRAIN_LIMIT",
    "check_deadline",
    "encode_json",
    "prepare",
    "prepared",
    "redirect_error",
]


def encode_json(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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


def prepared(send: Send, *, stream: bool = False) -> tuple[str, dict[str, str], bytes | None]:
    """What one attempt sends: its URL, headers and body (``chat.render`` shows the same)."""
    return prepare(
        send.provider,
        send.path,
        send.payload,
        send.headers,
        authenticated=send.authenticated,
        stream=stream,
    )


DRAIN_LIMIT = 64 * 1024
"""After a stream's end marker, the most bytes pyllm reads to hand its connection back to the
pool (the rest of the body is normally a few bytes; past this the connection is closed)."""


def redirect_error(provider: str, url: str, status: int, location: str | None) -> RedirectError:
    """A 3xx from the API: never followed (it would carry the API key), never retried."""
    where = f"to {location}" if location else "without a Location"
    return RedirectError(
        f"{url} answered with a redirect {where}, which pyllm does not follow",
        status=status,
        provider=provider,
        metadata={"location": location} if location else None,
    )


def check_deadline(deadline: Deadline, url: str) -> None:
    if deadline.expired():
        raise deadline.error(url)
