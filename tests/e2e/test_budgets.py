"""Spend and usage limits end to end (issue 16), counting the requests the fake server saw:
once a limit is reached, it sees none; what was refused left the history as it was.

Prices come from the bundled registry: anthropic/claude-haiku-4.5 costs $1 / $5 per million
input / output tokens and answers in at most 64,000 tokens, so a request's worst case is
about $0.32 without ``max_tokens`` and about $0.0005 with ``max_tokens=100``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, text, tool_call

MODEL = "anthropic/claude-haiku-4.5"
UNPRICED = "acme/unknown-model"  # any vendor/model id works on OpenRouter, without prices


def costing(usd: float, content: str = "ok") -> Any:
    return text(content, usage={"prompt_tokens": 10, "completion_tokens": 5, "cost": usd})


def chat_requests(server: FakeOpenRouter) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/chat/completions"))


@pytest.mark.parametrize("mode", ["ask", "stream", "aask", "astream"])
def test_a_chat_budget_stops_requests_before_they_are_sent(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(costing(0.0004), costing(0.0004))
    chat = server.chat(MODEL).with_max_tokens(100).with_budget(0.001)
    send(chat, mode, "one")
    send(chat, mode, "two")  # $0.0008 spent; the next could cost up to about $0.0005
    history = list(chat.messages)
    with pytest.raises(pyllm.BudgetExceededError) as caught:
        send(chat, mode, "three")
    assert chat_requests(server) == 2  # the third never reached the server
    assert chat.messages == history
    err = caught.value
    assert (err.limit, err.spent) == (0.001, 0.0008)
    assert err.estimate is not None and 0.0008 + err.estimate > 0.001
    assert isinstance(err, pyllm.UsageLimitError) and err.kind == "usd"


def send(chat: pyllm.Chat, mode: str, content: str) -> pyllm.Message:
    if mode == "ask":
        return chat.ask(content)
    if mode == "aask":
        return asyncio.run(chat.aask(content))
    if mode == "stream":
        stream = chat.stream(content)
        for _ in stream:
            pass
        assert stream.message is not None
        return stream.message

    async def consume() -> pyllm.Message:
        async with chat.astream(content) as stream:
            async for _ in stream:
                pass
        assert stream.message is not None
        return stream.message

    return asyncio.run(consume())


def test_without_max_tokens_the_models_longest_answer_is_the_worst_case(
    server: FakeOpenRouter,
) -> None:
    chat = server.chat(MODEL).with_budget(0.10)
    with pytest.raises(pyllm.BudgetExceededError, match="64,000 output tokens") as caught:
        chat.ask("hi")
    assert caught.value.estimate == pytest.approx(0.32, abs=0.001)
    assert chat_requests(server) == 0 and chat.messages == []
    chat.with_max_tokens(1000)
    server.reply(costing(0.0001))
    assert chat.ask("hi").content == "ok"


def test_a_tool_loop_stops_at_the_budget_with_the_last_whole_round_kept(
    server: FakeOpenRouter,
) -> None:
    @pyllm.tool
    def lookup(key: str) -> str:
        """Look a key up."""
        return key.upper()

    usage = {"prompt_tokens": 10, "completion_tokens": 5, "cost": 0.0006}
    server.reply(
        tool_call("lookup", {"key": "a"}, usage=usage),
        tool_call("lookup", {"key": "b"}, usage=usage),
    )
    chat = server.chat(MODEL).with_tools(lookup).with_max_tokens(100).with_budget(0.0015)
    with pytest.raises(pyllm.BudgetExceededError):
        chat.ask("go")
    assert chat_requests(server) == 2
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant", "tool"]
    assert chat.used is not None and chat.used.spent == 0.0012


def test_unknown_prices_are_refused_by_default_and_allowed_with_the_flag(
    server: FakeOpenRouter,
) -> None:
    chat = server.chat(UNPRICED).with_budget(1.0)
    with pytest.raises(
        pyllm.BudgetExceededError, match="prices of acme/unknown-model are unknown"
    ) as caught:
        chat.ask("hi")
    assert caught.value.estimate is None and chat_requests(server) == 0 and chat.messages == []
    chat.with_budget(1.0, allow_unknown_prices=True)
    server.reply(costing(0.75), costing(0.5))
    chat.ask("one")
    chat.ask("two")  # its worst case is unknown: it goes, and what it reports is counted
    assert chat.used is not None and chat.used.spent == 1.25
    with pytest.raises(pyllm.BudgetExceededError):
        chat.ask("three")
    assert chat_requests(server) == 2


def test_spending_without_a_reported_cost_is_priced_from_the_registry(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("ok", usage={"prompt_tokens": 1000, "completion_tokens": 200}))
    chat = server.chat(MODEL).with_max_tokens(300).with_budget(1.0)
    chat.ask("hi")
    assert chat.used is not None and chat.used.spent == 0.002  # 1000 x $1/M + 200 x $5/M


# ---- the client's budget --------------------------------------------------------------------


def test_a_client_budget_is_shared_by_chats_embed_and_paint(server: FakeOpenRouter) -> None:
    client = server.client(budget_usd=0.002)
    server.reply(costing(0.0006), costing(0.0006))
    client.chat(MODEL).with_max_tokens(50).ask("a")
    client.chat(MODEL).with_max_tokens(50).ask("b")
    emb = client.embed("hello world", model="openai/text-embedding-3-small")
    assert emb.cost == 4e-08 and client.spent == 0.00120004  # exact: no float noise
    with pytest.raises(pyllm.BudgetExceededError, match=r"this client has a budget of \$0\.002"):
        client.paint("a kite", model="google/gemini-2.5-flash-image")  # 8,192 x $2.5/M
    with pytest.raises(pyllm.BudgetExceededError):
        client.chat(MODEL).with_max_tokens(200).ask("c")
    assert chat_requests(server) == 2
    assert not any(r.path.endswith("/images") for r in server.requests)


def test_a_chat_budget_and_the_client_budget_both_apply(server: FakeOpenRouter) -> None:
    client = server.client(budget_usd=0.0008)
    server.reply(costing(0.0006))
    chat = client.chat(MODEL).with_max_tokens(100).with_budget(5.0)
    chat.ask("a")
    with pytest.raises(pyllm.BudgetExceededError, match="this client"):
        chat.ask("b")
    assert chat_requests(server) == 1 and client.spent == 0.0006


def priced_at_registry() -> Any:
    """An answer whose cost the registry prices: 5 input tokens and 1 output token of
    claude-haiku-4.5, $0.00001, exactly the worst case of ``ask("x")`` with ``max_tokens=1``."""
    return text("ok", usage={"prompt_tokens": 5, "completion_tokens": 1})


def test_threads_sharing_a_client_budget_never_cross_it(server: FakeOpenRouter) -> None:
    """The budget allows ten answers; eight threads ask forty times: exactly ten are sent (a
    request in flight holds its worst case until its answer settles it)."""
    client = server.client(budget_usd=0.0001)
    for _ in range(40):
        server.reply(priced_at_registry().but(delay=0.01))
    refused: list[Exception] = []

    def worker() -> None:
        for _ in range(5):
            try:
                client.chat(MODEL).with_max_tokens(1).ask("x")
            except pyllm.BudgetExceededError as exc:
                refused.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert chat_requests(server) == 10 and len(refused) == 30
    assert client.spent == 0.0001


async def test_tasks_sharing_a_client_budget_never_cross_it(server: FakeOpenRouter) -> None:
    client = server.client(budget_usd=0.00005)
    for _ in range(12):
        server.reply(priced_at_registry().but(delay=0.02))

    async def one() -> str:
        try:
            return (await client.chat(MODEL).with_max_tokens(1).aask("x")).content
        except pyllm.BudgetExceededError:
            return "refused"

    results = await asyncio.gather(*(one() for _ in range(12)))
    assert results.count("ok") == chat_requests(server) == 5
    assert client.spent == 0.00005
    await client.aclose()


def test_client_spent_and_chat_cost_are_exact(server: FakeOpenRouter) -> None:
    client = server.client()
    chat = client.chat(MODEL)
    for cost in (0.1, 0.2, 0.0001, 0.0002):
        server.reply(costing(cost))
        chat.ask("x")
    assert client.spent == 0.3003 and chat.cost == 0.3003  # not 0.30030000000000007


def test_a_bad_client_budget_is_a_configuration_error() -> None:
    with pytest.raises(pyllm.ConfigurationError, match="budget_usd must be zero or more"):
        pyllm.Client(budget_usd=-1)
    with pytest.raises(pyllm.ConfigurationError, match="budget_usd must be a number"):
        pyllm.Client(budget_usd="lots")


# ---- usage limits ---------------------------------------------------------------------------


def test_a_request_limit_counts_every_attempt(server: FakeOpenRouter) -> None:
    from pyllm.testing import error

    server.reply(error(503), text("one"), text("two"))
    chat = server.chat(MODEL).with_retries(2).with_limits(requests=2)
    chat.ask("a")  # a 503 and its retry: two requests
    with pytest.raises(
        pyllm.UsageLimitError, match="may make at most 2 requests and has made 2"
    ) as caught:
        chat.ask("b")
    assert caught.value.kind == "requests" and chat_requests(server) == 2
    assert [m.content for m in chat.messages] == ["a", "one"]


def test_a_tool_call_limit_runs_no_tool_of_a_round_that_would_cross_it(
    server: FakeOpenRouter,
) -> None:
    ran: list[str] = []

    @pyllm.tool
    def lookup(key: str) -> str:
        """Look a key up."""
        ran.append(key)
        return key.upper()

    two = tool_call(
        "lookup", {"key": "b"}, tool_calls=[pyllm.testing.ToolCallSpec("lookup", {"key": "c"})]
    )
    server.reply(tool_call("lookup", {"key": "a"}), two)
    chat = server.chat(MODEL).with_tools(lookup).with_limits(tool_calls=2)
    with pytest.raises(pyllm.UsageLimitError, match="no tool ran") as caught:
        chat.ask("go")
    assert caught.value.kind == "tool_calls" and ran == ["a"]
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool"]
    assert chat_requests(server) == 2


def test_an_input_token_limit_is_checked_before_each_request(server: FakeOpenRouter) -> None:
    server.reply(text("ok", usage={"prompt_tokens": 30, "completion_tokens": 1}))
    chat = server.chat(MODEL).with_limits(input_tokens=50)
    chat.ask("short")
    with pytest.raises(
        pyllm.UsageLimitError, match="may send at most 50 input tokens and has sent 30"
    ):
        chat.ask("x" * 200)  # about 50 tokens more
    assert chat_requests(server) == 1


def test_an_output_token_limit_lowers_max_tokens_and_stops_when_spent(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("ok", usage={"prompt_tokens": 3, "completion_tokens": 70}))
    chat = server.chat(MODEL).with_max_tokens(500).with_limits(output_tokens=100)
    chat.ask("a")
    assert server.requests[-1].json["max_tokens"] == 100
    server.reply(text("ok", usage={"prompt_tokens": 3, "completion_tokens": 30}))
    chat.ask("b")
    assert server.requests[-1].json["max_tokens"] == 30
    with pytest.raises(pyllm.UsageLimitError, match="may receive at most 100 output tokens"):
        chat.ask("c")
    assert chat_requests(server) == 2


def test_limits_and_what_was_used_are_saved_with_the_chat(server: FakeOpenRouter) -> None:
    client = server.client()
    server.reply(costing(0.0004))
    chat = client.chat(MODEL).with_max_tokens(100).with_budget(0.0008).with_limits(requests=5)
    chat.ask("a")
    again = client.chat_from(chat.to_dict())
    assert again.budget == 0.0008 and again.limits.requests == 5
    with pytest.raises(pyllm.BudgetExceededError) as caught:
        again.ask("b")
    assert caught.value.spent == 0.0004 and chat_requests(server) == 1
