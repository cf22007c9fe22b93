"""Type-checked (not run) by tests/contract: user code over the public API must pass
``mypy --strict``, so every name here has to be explicitly exported by ``pyllm``."""

from __future__ import annotations

import pyllm
from pyllm.openrouter import Routing
from pyllm.testing import FakeOpenRouter, text


@pyllm.tool
def weather(city: str) -> str:
    """Weather."""
    return city


async def main() -> None:
    with FakeOpenRouter() as server:
        server.reply(text("hi"))
        client: pyllm.Client = server.client()
        chat: pyllm.Chat = client.chat("openai/gpt-4.1-mini")
        chat.with_tools(weather).with_routing(Routing(sort="price")).with_fallbacks("a/b")
        reply: pyllm.Message = chat.ask("hello")
        usage: pyllm.Usage | None = reply.usage
        cost: float | None = usage.cost if usage else None
        for chunk in chat.stream("again"):
            piece: str = chunk.content
            del piece
        other: pyllm.Message = await chat.aask("async")
        async for chunk in chat.astream("async stream"):
            del chunk
        emb: pyllm.Embedding = pyllm.embed("x")
        image = pyllm.paint("a kite")
        del cost, other, emb, image
        try:
            pyllm.chat("x").ask("y")
        except pyllm.RateLimitError as exc:
            wait: float | None = exc.retry_after
            del wait
        except pyllm.Error:
            pass
