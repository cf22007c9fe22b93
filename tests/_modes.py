"""One call to a chat in each of its four ways, for tests that must hold for all of them."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyllm

MODES = ["sync", "async", "stream", "astream"]
_ALIASES = {"ask": "sync", "aask": "async"}


def talk(chat: pyllm.Chat, mode: str, content: str, **options: Any) -> pyllm.Message:
    """``chat.ask`` (``"sync"``/``"ask"``), ``aask`` (``"async"``/``"aask"``), ``stream`` or
    ``astream`` of ``content``, read to the end; the final message."""
    mode = _ALIASES.get(mode, mode)
    if mode == "sync":
        return chat.ask(content, **options)
    if mode == "async":
        return asyncio.run(chat.aask(content, **options))
    if mode == "stream":
        with chat.stream(content, **options) as stream:
            for _ in stream:
                pass
        assert stream.message is not None
        return stream.message
    assert mode == "astream", mode

    async def consume() -> pyllm.Message:
        async with chat.astream(content, **options) as stream:
            async for _ in stream:
                pass
        assert stream.message is not None
        return stream.message

    return asyncio.run(consume())
