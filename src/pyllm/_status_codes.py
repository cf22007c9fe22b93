"""The HTTP status an in-band error code stands for: errors in a 200 body or a stream often
carry a word (``"rate_limit_exceeded"``) or a number as text instead of a status. Pure;
:func:`pyllm.errors.api_error` uses it to choose the error class.
"""

from __future__ import annotations

__all__ = ["status_from_code"]

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
