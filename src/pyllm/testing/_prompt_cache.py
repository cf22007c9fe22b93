"""The fake Anthropic's prompt cache, counted in words like the rest of its usage.

Like the real API: the prompt is read in order (tools, then the system blocks, then each message's
content blocks); every block with ``cache_control`` is a breakpoint. The longest prefix ending at
a breakpoint that an earlier request wrote is read from the cache; the rest up to the last
breakpoint is written (with the breakpoint's ``ttl``); what follows it is plain input. Unlike the
real API there is no minimum length and nothing expires while the server runs.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._chat_completions import _words

__all__ = ["CacheUse", "PromptCache", "prompt_words"]


@dataclass(frozen=True, slots=True)
class CacheUse:
    """How one request used the cache, in tokens (words)."""

    plain: int = 0  # input neither read from nor written to the cache
    read: int = 0
    written: int = 0
    ttl: str = "5m"  # of what was written


@dataclass(frozen=True, slots=True)
class _Block:
    key: str  # the block as the cache sees it: its role and content, without ``cache_control``
    words: int
    ttl: str | None  # None: not a breakpoint


class PromptCache:
    """The prefixes written so far (one cache per server; safe to share between threads)."""

    def __init__(self) -> None:
        self._written: set[str] = set()
        self._lock = threading.Lock()

    def use(self, request: Mapping[str, Any]) -> CacheUse:
        """Read and write the cache for ``request``, as the real API does."""
        blocks = list(_blocks(request))
        total = sum(block.words for block in blocks)
        digest, seen, prefixes = hashlib.sha256(), 0, []
        for block in blocks:
            digest.update(block.key.encode())
            seen += block.words
            if block.ttl is not None:
                prefixes.append((digest.hexdigest(), seen, block.ttl))
        if not prefixes:
            return CacheUse(plain=total)
        with self._lock:
            read = max((words for key, words, _ in prefixes if key in self._written), default=0)
            self._written.update(key for key, _, _ in prefixes)
        _, cached, ttl = prefixes[-1]
        return CacheUse(plain=total - cached, read=read, written=cached - read, ttl=ttl)


def prompt_words(request: Mapping[str, Any]) -> int:
    """The size of a request's prompt (tools, system, messages), in words."""
    return sum(block.words for block in _blocks(request))


def _blocks(request: Mapping[str, Any]) -> Iterator[_Block]:
    for tool in _listed(request.get("tools")):
        yield _block("tool", tool)
    system = request.get("system")
    for block in [system] if isinstance(system, str) else _listed(system):
        yield _block("system", block)
    for message in _listed(request.get("messages")):
        if isinstance(message, Mapping):
            content = message.get("content")
            role = str(message.get("role"))
            for block in [content] if isinstance(content, str) else _listed(content):
                yield _block(role, block)


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def _block(role: str, block: Any) -> _Block:
    if not isinstance(block, Mapping):
        text = block if isinstance(block, str) else json.dumps(block)
        return _Block(json.dumps([role, block]), _words(text), None)
    content = {k: v for k, v in block.items() if k != "cache_control"}
    said = content.get("text")
    words = _words(said if isinstance(said, str) else json.dumps(content))
    control = block.get("cache_control")
    ttl = None
    if isinstance(control, Mapping):
        ttl = str(control.get("ttl") or "5m")
    return _Block(json.dumps([role, content], sort_keys=True), words, ttl)
