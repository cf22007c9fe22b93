"""HTTP headers, pure: the ones pyllm sends are checked when they are set (not when a request
is sent), and :func:`parse_retry_after` reads how long a server asks to wait.

A value with a line break would end the header early (httpx refuses it as a protocol error,
which used to be retried like a dropped connection); a non-ASCII value cannot be encoded at all.
Both are the caller's mistake, so they fail at once with a :class:`~pyllm.ConfigurationError`.

>>> check_headers({"X-Session-Id": "abc"}, "with_headers")
{'X-Session-Id': 'abc'}
>>> check_headers({"X-Note": "caf\\u00e9"}, "with_headers")
Traceback (most recent call last):
...
pyllm.errors.ConfigurationError: with_headers: the value of header 'X-Note' is not ASCII ...
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

from .errors import ConfigurationError

__all__ = ["check_headers", "parse_retry_after"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 field-name
_FORBIDDEN = re.compile(r"[\r\n\x00]")


def check_headers(headers: Mapping[str, str], where: str) -> dict[str, str]:
    """``headers`` as a plain dict, or :class:`~pyllm.ConfigurationError` naming the bad one.

    ``where`` names the setting or method the headers came from, for the message.
    """
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ConfigurationError(
                f"{where}: {name!r} is not a valid HTTP header name (use ASCII letters, digits "
                "and '-', e.g. 'X-Session-Id')"
            )
        if not isinstance(value, str):
            raise ConfigurationError(
                f"{where}: the value of header {name!r} must be a string, "
                f"got {type(value).__name__}"
            )
        if _FORBIDDEN.search(value):
            raise ConfigurationError(
                f"{where}: the value of header {name!r} contains a line break or NUL, which "
                "would split the request; remove it"
            )
        if not value.isascii():
            raise ConfigurationError(
                f"{where}: the value of header {name!r} is not ASCII ({value!r}); HTTP headers "
                "carry ASCII only, so percent-encode or base64-encode it"
            )
        checked[name] = value
    return checked


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait, from the first usable of ``retry-after-ms`` (milliseconds),
    ``Retry-After`` (seconds or an HTTP date) and ``X-RateLimit-Reset`` (an epoch time in
    milliseconds, as OpenRouter sends, or seconds). Negative and NaN values count as absent.

    >>> parse_retry_after({"retry-after": "7"})
    7.0
    >>> parse_retry_after({"retry-after-ms": "1500", "retry-after": "2"})  # the finer one wins
    1.5
    >>> parse_retry_after({"retry-after": "-1"}) is None
    True
    >>> parse_retry_after({"x-ratelimit-reset": "1700000010000"}, now=1700000000.0)
    10.0
    """
    current = time.time() if now is None else now
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = _seconds(lowered.get("retry-after-ms", ""))
    if millis is not None:
        return millis / 1000.0
    value = lowered.get("retry-after", "").strip()
    if value:
        seconds = _seconds(value)
        if seconds is not None:
            return seconds
        import email.utils  # here: at the top it adds ~8 ms to every first import of _headers

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - current)
    stamp = _seconds(lowered.get("x-ratelimit-reset", ""))
    if stamp is None:
        return None
    if stamp > 1e11:  # milliseconds since the epoch
        stamp /= 1000.0
    if stamp > 1e9:  # an absolute time
        return max(0.0, stamp - current)
    return stamp  # already a number of seconds


def _seconds(text: str) -> float | None:
    """A non-negative number (infinity included) from a header value; ``None`` otherwise."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number >= 0 else None  # False for NaN
