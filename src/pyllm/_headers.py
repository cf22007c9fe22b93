"""Checking HTTP header names and values when they are set, not when a request is sent. Pure.

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
from collections.abc import Mapping

from .errors import ConfigurationError

__all__ = ["check_headers"]

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
