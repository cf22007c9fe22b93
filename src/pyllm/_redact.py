"""Secrets never show in what pyllm raises, prints or logs. Pure.

Every :class:`~pyllm.config.Secret` (API keys, the password of a base URL, credential headers)
is remembered while it is alive, and :func:`redact` blanks each of them out of a value: text,
bytes, and the strings inside mappings, lists and tuples at any depth. ``errors.py`` runs it on
every field of every error it builds: the one place secrets are redacted. Passwords written in
URLs (``https://user:password@host``) are masked the same way, and :func:`display_url` masks
them where a URL is shown (``repr``, logs).

Values shorter than :data:`MIN_LENGTH` are never blanked out: no real key is that short, and
replacing every ``"k"`` in a message would destroy it.

>>> from pyllm.config import Secret
>>> key = Secret("sk-or-v1-0123456789")
>>> redact({"error": {"message": "bad key sk-or-v1-0123456789", "at": ["https://me:pw@host/x"]}})
{'error': {'message': 'bad key ********', 'at': ['https://me:********@host/x']}}
>>> display_url("https://me:pw@host/v1")
'https://me:********@host/v1'
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Secret

__all__ = [
    "MASK",
    "MIN_LENGTH",
    "display_url",
    "is_credential_header",
    "redact",
    "remember",
    "split_credentials",
]

MASK = "********"
"""What a secret is replaced with."""

MIN_LENGTH = 8
"""Secrets shorter than this are not looked for (no real key is this short)."""

# id(secret) -> (weak reference, the forms to look for); single dict operations: no lock needed
_live: dict[int, tuple[weakref.ref[Secret], frozenset[str]]] = {}

# the password of a URL: "://user:" then anything up to "@"; anchored on "://" to stay linear
_URL_PASSWORD = re.compile(r"(://[^/\s:@]*:)[^/\s@]*@")
_URL_PASSWORD_BYTES = re.compile(rb"(://[^/\s:@]*:)[^/\s@]*@")

_AUTHORITY_END = re.compile(r"[/?#]")  # after "://": the path, query or fragment
_CREDENTIAL_HEADER = re.compile(r"auth|key|token|secret|password|cookie|credential", re.I)


def remember(secret: Secret) -> None:
    """Blank ``secret`` out of every error from now on, for as long as it is alive."""
    value = secret.reveal()
    if not isinstance(value, str) or len(value) < MIN_LENGTH:
        return
    key, live = id(secret), _live  # the callback may run while the interpreter shuts down
    _live[key] = (weakref.ref(secret, lambda _: live.pop(key, None)), _forms(value))


def _forms(value: str) -> frozenset[str]:
    """``value`` as it may be written in text: as is, escaped by ``repr`` (of the text or of its
    bytes, as in an HTTP library's "Illegal header value b'...'") or inside a JSON string."""
    escaped = (repr(value)[1:-1], repr(value.encode("utf-8", "replace"))[2:-1])
    return frozenset(
        (value, *escaped, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1])
    )


def _secrets() -> tuple[str, ...]:
    """Every form of every live secret, longest first (a key that contains another goes whole)."""
    found = {form for ref, forms in _live_entries() if ref() is not None for form in forms}
    return tuple(sorted(found, key=len, reverse=True))


def _live_entries() -> tuple[tuple[weakref.ref[Secret], frozenset[str]], ...]:
    """A snapshot of ``_live``. Taking it allocates, which may start a garbage collection whose
    weakref callbacks take freed secrets out of ``_live`` meanwhile: then take it again."""
    while True:
        try:
            return tuple(_live.values())
        except RuntimeError:  # "dictionary changed size during iteration"
            continue


def _text(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    if "://" in text and "@" in text:
        masked, count = _URL_PASSWORD.subn(rf"\g<1>{MASK}@", text)
        return masked if count else text
    return text


def _bytes(data: bytes, secrets: tuple[str, ...]) -> bytes:
    masked = data
    for secret in secrets:
        encoded = secret.encode()
        if encoded in masked:
            masked = masked.replace(encoded, MASK.encode())
    if b"://" in masked and b"@" in masked:
        masked = _URL_PASSWORD_BYTES.sub(rb"\g<1>" + MASK.encode() + b"@", masked)
    return data if masked == data else masked


def _leaf(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return _text(value, secrets)
    if isinstance(value, (bytes, bytearray)):
        return _bytes(bytes(value), secrets)
    return value


_NESTED = (Mapping, list, tuple)


class _Level:
    """One container being rebuilt while :func:`redact` walks down (no recursion: a parsed
    body may be nested almost as deep as Python's recursion limit)."""

    __slots__ = ("changed", "items", "key", "mapping", "out", "source")

    def __init__(self, source: Any, key: Any) -> None:
        self.source, self.key = source, key
        self.mapping = isinstance(source, Mapping)
        self.items = iter(source.items() if self.mapping else enumerate(source))
        self.out: list[tuple[Any, Any]] = []
        self.changed = False

    def add(self, key: Any, old_key: Any, value: Any, old: Any) -> None:
        self.out.append((key, value))
        self.changed = self.changed or key is not old_key or value is not old

    def result(self) -> Any:
        if not self.changed:
            return self.source
        if self.mapping:
            return dict(self.out)
        values = [value for _, value in self.out]
        return values if isinstance(self.source, list) else tuple(values)


def redact(value: Any) -> Any:
    """``value`` with every live secret and URL password masked; unchanged parts are the same
    objects (``value`` itself when nothing needed masking). Mappings come back as dicts."""
    secrets = _secrets()
    if not isinstance(value, _NESTED):
        return _leaf(value, secrets)
    stack, on_path = [_Level(value, None)], {id(value)}
    while True:
        level = stack[-1]
        for key, item in level.items:
            if isinstance(item, _NESTED) and id(item) not in on_path:  # a cycle stays as is
                stack.append(_Level(item, key))
                on_path.add(id(item))
                break
            new_key = _leaf(key, secrets) if level.mapping else key
            level.add(new_key, key, _leaf(item, secrets), item)
        else:
            stack.pop()
            on_path.discard(id(level.source))
            done = level.result()
            if not stack:
                return done
            parent = stack[-1]
            key = _leaf(level.key, secrets) if parent.mapping else level.key
            parent.add(key, level.key, done, level.source)


def display_url(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part masked, for reprs and logs."""
    return _text(url, ())


def split_credentials(url: str) -> tuple[str, str, str] | None:
    """``(url without user:password@, user, password)``, percent-decoded; ``None`` if absent.

    >>> split_credentials("https://me:p%40ss@host:8080/v1")
    ('https://host:8080/v1', 'me', 'p@ss')
    """
    scheme, sep, rest = url.partition("://")
    authority = _AUTHORITY_END.split(rest, maxsplit=1)[0]
    if not sep or "@" not in authority:
        return None
    from urllib.parse import unquote  # only for URLs that carry credentials

    userinfo, _, host = authority.rpartition("@")
    user, _, password = userinfo.partition(":")
    return f"{scheme}://{host}{rest[len(authority) :]}", unquote(user), unquote(password)


def is_credential_header(name: str) -> bool:
    """Whether a header called ``name`` likely carries a credential (``X-Api-Key``, ``Cookie``...).

    >>> is_credential_header("X-Api-Key"), is_credential_header("HTTP-Referer")
    (True, False)
    """
    return _CREDENTIAL_HEADER.search(name) is not None
