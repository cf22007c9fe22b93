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


async def kept() -> None:  # issue 16: saved chats, stores, budgets
    client = pyllm.Client(budget_usd=5.0)
    spent: float = client.spent
    chat: pyllm.Chat = client.chat("openai/gpt-4.1-mini").with_budget(1.0).with_limits(requests=3)
    data: dict[str, object] = chat.to_dict()
    again: pyllm.Chat = client.chat_from(data, tools=[weather])
    message: pyllm.Message = pyllm.Message.from_dict(again.messages[0].to_dict())
    store = pyllm.SQLStore("chats.db", client=client)
    stored: pyllm.Chat = store.chat("openai/gpt-4.1-mini")
    key: str | None = stored.id
    loaded: pyllm.Chat = await store.aload(key or "", tools=[weather])
    listed: list[pyllm.stores.ChatInfo] = store.chats(text="hi")
    costs: list[pyllm.stores.CostRow] = store.costs()
    try:
        loaded.ask("x")
    except pyllm.BudgetExceededError as exc:
        estimate: float | None = exc.estimate
        del estimate
    except (pyllm.UsageLimitError, pyllm.StoreError, pyllm.FormatError):
        pass
    del spent, message, listed, costs
