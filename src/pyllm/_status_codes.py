"""From an HTTP status (or the in-band code that stands for one) to the error class: the one
table (:data:`STATUS_ERRORS`) and :func:`api_error`, which builds the typed error a provider's
error body describes. Errors in a 200 body or a stream often carry a word
(``"rate_limit_exceeded"``) or a number as text instead of a status. Pure.

>>> err = api_error(429, ErrorDetails(message="slow down", retry_after=2.0))
>>> type(err).__name__, err.status, err.retry_after
('RateLimitError', 429, 2.0)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ContextLengthExceededError,
    ErrorDetails,
    ModerationError,
    NotFoundError,
    OverloadedError,
    PayloadTooLargeError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ServiceUnavailableError,
    UnprocessableEntityError,
)

if TYPE_CHECKING:
    from .message import Message

__all__ = ["STATUS_ERRORS", "api_error", "status_from_code"]

_CODE_WORDS: dict[str, int] = {
    "invalid_request": 400,
    "invalid_request_error": 400,
    "context_length_exceeded": 400,
    "token_limit_exceeded": 400,
    "max_tokens_exceeded": 400,
    "authentication": 401,
    "authentication_error": 401,
    "payment_required": 402,
    "permission_denied": 403,
    "permission_error": 403,
    "content_policy_violation": 403,
    "not_found": 404,
    "not_found_error": 404,
    "timeout": 408,
    "payload_too_large": 413,
    "request_too_large": 413,
    "unprocessable": 422,
    "rate_limit_exceeded": 429,
    "rate_limit_error": 429,
    "server": 500,
    "server_error": 500,
    "api_error": 500,
    "provider_unavailable": 503,
    "provider_overloaded": 529,
    "overloaded_error": 529,
}


def status_from_code(code: object) -> int | None:
    """The HTTP status an in-band ``error.code`` stands for (``502``, ``"502"``, ``"timeout"``).

    >>> status_from_code("rate_limit_exceeded"), status_from_code(502), status_from_code("nope")
    (429, 502, None)
    """
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code if 100 <= code <= 599 else None
    if isinstance(code, str):
        text = code.strip()
        if text.isdigit():
            return status_from_code(int(text))
        return _CODE_WORDS.get(text.lower())
    return None


STATUS_ERRORS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    502: ServiceUnavailableError,
    503: ServiceUnavailableError,
    529: OverloadedError,
}
"""The one table mapping an HTTP status (or an in-band ``error.code``) to an error class."""

_CONTEXT_LENGTH = re.compile(
    r"context length|context window|context_length|maximum context|too many tokens|"
    r"prompt is too long|input is too long|reduce the length",
    re.IGNORECASE,
)


def _error_class(status: int | None, details: ErrorDetails) -> type[APIError]:
    if status is None:
        status = status_from_code(details.error_type) or status_from_code(details.code)
    cls = STATUS_ERRORS.get(status or 0)
    if cls is None:
        if status is not None and 500 <= status <= 599:
            cls = ServerError
        elif status is not None and 400 <= status <= 499:
            cls = BadRequestError
        else:
            cls = APIError
    if cls is BadRequestError and (
        details.error_type == "context_length_exceeded"
        or _CONTEXT_LENGTH.search(details.message)
        or _CONTEXT_LENGTH.search(details.upstream_message or "")
    ):
        return ContextLengthExceededError
    if cls is PermissionDeniedError and (
        "reasons" in details.metadata or "flagged_input" in details.metadata
    ):
        return ModerationError
    return cls


def api_error(
    status: int | None,
    details: ErrorDetails,
    *,
    provider: str | None = None,
    partial: Message | None = None,
) -> APIError:
    """Build the right :class:`APIError` subclass for ``status`` (or the in-band code).

    The message joins the server's text with the upstream provider's own text when present.
    """
    message = details.message.strip() or "no error message in the response"
    upstream_text = (details.upstream_message or "").strip()
    if upstream_text and upstream_text not in message:
        message = f"{message} - {upstream_text}"
    if status is None:
        status = status_from_code(details.code) or status_from_code(details.error_type)
    cls = _error_class(status, details)
    return cls(
        message,
        status=status,
        code=details.code,
        provider=provider,
        upstream=details.upstream,
        raw=details.raw,
        metadata=details.metadata,
        generation_id=details.generation_id,
        retry_after=details.retry_after,
        error_type=details.error_type,
        partial=partial,
    )
