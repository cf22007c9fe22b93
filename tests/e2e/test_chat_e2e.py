"""Chat end to end through real sockets against pyllm.testing, sync and async."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, Reply, drop, error, raw, stream_error, text
from tests._codes import STREAM_ERROR_CODES


def ask(chat: pyllm.Chat, mode: str, content: str | None = None) -> pyllm.Message:
    return chat.ask(content) if mode == "sync" else asyncio.run(chat.aask(content))


def stream(chat: pyllm.Chat, mode: str, content: str | None = None) -> list[pyllm.Chunk]:
    if mode == "sync":
        return list(chat.stream(content))

    async def run() -> list[pyllm.Chunk]:
        return [chunk async for chunk in chat.astream(content)]

    return asyncio.run(run())


def consume(chat: pyllm.Chat, mode: str, content: str, received: list[str]) -> None:
    """Stream into ``received`` so a test can see what arrived before an error."""
    if mode == "sync":
        for chunk in chat.stream(content):
            received.append(chunk.content)
        return

    async def run() -> None:
        async for chunk in chat.astream(content):
            received.append(chunk.content)

    asyncio.run(run())


MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
def test_ask_returns_a_typed_message_and_keeps_history(server: FakeOpenRouter, mode: str) -> None:
    server.reply(
        text("2 + 2 = 4", model="anthropic/claude-4.5-haiku-20251001", upstream="Amazon Bedrock"),
        text("Indeed."),
    )
    chat = server.chat("anthropic/claude-haiku-4.5")
    reply = ask(chat, mode, "What's 2 + 2?")
    assert reply.content == "2 + 2 = 4"
    assert reply.role == "assistant" and reply.finish_reason == "stop"
    assert reply.model == "anthropic/claude-4.5-haiku-20251001"
    assert reply.upstream == "Amazon Bedrock" and reply.provider == "openrouter"
    assert reply.id is not None and reply.id.startswith("gen-")
    assert reply.usage is not None and reply.usage.cost is not None and reply.usage.total_tokens > 0
    assert reply.raw["choices"][0]["message"]["content"] == "2 + 2 = 4"
    ask(chat, mode, "Sure?")
    sent = server.requests[-1].json
    assert sent["model"] == "anthropic/claude-haiku-4.5"
    assert sent["stream"] is False
    assert sent["messages"] == [
        {"role": "user", "content": "What's 2 + 2?"},
        {"role": "assistant", "content": "2 + 2 = 4"},
        {"role": "user", "content": "Sure?"},
    ]
    assert [m.role for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    assert chat.cost == pytest.approx(sum(m.cost or 0 for m in chat.messages))
    assert chat.usage.input_tokens == sum(m.usage.input_tokens for m in chat.messages if m.usage)


@pytest.mark.parametrize("mode", MODES)
def test_stream_equals_ask_for_the_same_exchange(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text("one two three four", chunks=4, keepalives=3), text("one two three four"))
    streamed_chat = server.chat()
    chunks = stream(streamed_chat, mode, "Count")
    assert [c.content for c in chunks if c.content] == [
        "one ",
        "two ",
        "thre",
        "e four",
    ] or "".join(c.content for c in chunks) == "one two three four"
    assert chunks[-1].usage is not None
    streamed = streamed_chat.messages[-1]
    asked = ask(server.chat(), mode, "Count")
    assert streamed.content == asked.content == "one two three four"
    assert streamed.usage == asked.usage and streamed.cost == asked.cost
    assert streamed.finish_reason == asked.finish_reason == "stop"
    sent = server.requests[0].json
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("usage_chunk", ["repeat", "separate"])
def test_final_usage_chunk_in_either_form_is_counted_once(
    server: FakeOpenRouter, usage_chunk: str
) -> None:
    server.reply(text("a b c", usage_chunk=usage_chunk))
    chat = server.chat()
    chunks = list(chat.stream("go"))
    assert "".join(c.content for c in chunks) == "a b c"
    assert chat.messages[-1].content == "a b c"
    assert chat.messages[-1].usage is not None and chat.messages[-1].finish_reason == "stop"


def test_a_stream_without_done_but_with_finish_reason_completes(server: FakeOpenRouter) -> None:
    server.reply(text("fine", done=False))
    chat = server.chat()
    list(chat.stream("go"))
    assert chat.messages[-1].content == "fine"


def test_breaking_out_keeps_a_partial_message_and_closes_the_connection(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("a b c d e f g h", chunk_delay=0.05))
    chat = server.chat()
    seen = ""
    with chat.stream("Tell me") as s:
        for chunk in s:
            seen += chunk.content
            if seen.count(" ") >= 2:
                break
    partial = chat.messages[-1]
    assert partial.finish_reason == "incomplete" and partial.partial
    assert partial.content == seen == "a b "
    assert s.message == partial
    assert [m.role for m in chat.messages] == ["user", "assistant"]
    server.reply(text("next"))
    assert chat.ask("Go on").content == "next"
    assert server.requests[-1].json["messages"][1] == {"role": "assistant", "content": "a b "}


def test_breaking_out_of_a_plain_for_loop_also_keeps_the_partial(server: FakeOpenRouter) -> None:
    server.reply(text("x y z", chunk_delay=0.02))
    chat = server.chat()
    for _ in chat.stream("go"):
        break
    assert chat.messages[-1].finish_reason == "incomplete"
    assert chat.messages[-1].content == "x "


async def test_async_break_with_async_with_keeps_partial(server: FakeOpenRouter) -> None:
    server.reply(text("x y z", chunk_delay=0.02))
    chat = server.chat()
    async with chat.astream("go") as s:
        async for _ in s:
            break
    assert chat.messages[-1].finish_reason == "incomplete"
    assert chat.messages[-1].content == "x "


async def test_a_new_request_supersedes_an_abandoned_async_stream(server: FakeOpenRouter) -> None:
    server.reply(text("x y z", chunk_delay=0.02), text("second"))
    chat = server.chat()
    abandoned = chat.astream("first")
    await abandoned.__anext__()
    reply = await chat.aask("second question")
    assert reply.content == "second"
    assert [(m.role, m.content) for m in chat.messages] == [
        ("user", "first"),
        ("assistant", "x "),
        ("user", "second question"),
        ("assistant", "second"),
    ]
    with pytest.raises(RuntimeError, match="superseded"):
        async for _ in abandoned:
            pass
    await abandoned.aclose()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("code", "cls"), STREAM_ERROR_CODES)
def test_mid_stream_error_raises_its_class_with_the_partial(
    server: FakeOpenRouter, mode: str, code: Any, cls: type
) -> None:
    chat = server.chat()
    before = list(chat.messages)
    server.reply(stream_error(code, "Provider disconnected", after=2, text="a b c d"))
    received: list[str] = []
    with pytest.raises(cls) as caught:
        consume(chat, mode, "go", received)
    error = caught.value
    assert error.message == "Provider disconnected"
    assert error.partial is not None and error.partial.content == "a b " == "".join(received)
    assert error.partial.finish_reason == "error"
    assert chat.messages == before  # nothing committed
    assert len(server.requests) == 1  # output reached the caller: never retried


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("reply", "cls", "fragment"),
    [
        (
            raw({"error": {"code": 402, "message": "Insufficient credits"}}),
            pyllm.PaymentRequiredError,
            "Insufficient credits",
        ),
        (raw({"error": "something odd"}), pyllm.APIError, "something odd"),
        (raw(b"{not json at all"), pyllm.InvalidResponseError, "not valid JSON"),
        (raw(b""), pyllm.InvalidResponseError, "empty"),
        (raw(b"\xff\xfe\xfd"), pyllm.InvalidResponseError, "UTF-8"),
        (raw(b'{"id": "gen-1", "choi'), pyllm.InvalidResponseError, "not valid JSON"),
        (
            raw(
                b"<html><title>502 Bad Gateway</title></html>", status=400, content_type="text/html"
            ),
            pyllm.BadRequestError,
            "HTML page: 502 Bad Gateway",
        ),
        (
            error(401, "No auth credentials found"),
            pyllm.AuthenticationError,
            "No auth credentials found",
        ),
        (
            error(
                403, "Input flagged", metadata={"reasons": ["harassment"], "flagged_input": "..."}
            ),
            pyllm.ModerationError,
            "Input flagged",
        ),
        (
            error(404, "No endpoints found for google/gemini-2.5-flash:free."),
            pyllm.NotFoundError,
            "No endpoints",
        ),
        (error(413, "too big"), pyllm.PayloadTooLargeError, "too big"),
        (
            raw(
                {
                    "error": {
                        "message": "Provider returned error",
                        "code": 400,
                        "metadata": "not json metadata",
                    }
                },
                status=400,
            ),
            pyllm.BadRequestError,
            "Provider returned error",
        ),
    ],
)
def test_error_bodies_give_clean_typed_errors(
    server: FakeOpenRouter, mode: str, reply: Reply, cls: type, fragment: str
) -> None:
    server.reply(reply)
    chat = server.chat()
    with pytest.raises(cls) as caught:
        ask(chat, mode, "hi")
    assert type(caught.value) is cls
    assert fragment in caught.value.message
    assert caught.value.provider == "openrouter"
    assert chat.messages == []
    assert len(server.requests) == 1  # none of these is retried


@pytest.mark.parametrize("mode", MODES)
def test_retries_honour_retry_after_and_count_requests(server: FakeOpenRouter, mode: str) -> None:
    server.reply(
        error(429, "slow down", retry_after=0.05),
        error(503, "busy", retry_after=0),
        text("finally"),
    )
    chat = server.chat()
    assert ask(chat, mode, "hi").content == "finally"
    assert len(server.requests) == 3
    assert [m.role for m in chat.messages] == ["user", "assistant"]


def test_retries_give_up_with_the_last_error(server: FakeOpenRouter) -> None:
    server.reply(error(503, "down", retry_after=0, repeat=10))
    chat = server.chat(max_retries=2)
    with pytest.raises(pyllm.ServiceUnavailableError) as caught:
        chat.ask("hi")
    assert caught.value.retry_after == 0
    assert len(server.requests) == 3
    assert server.client(max_retries=0).settings.max_retries == 0


@pytest.mark.parametrize("mode", MODES)
def test_dropped_connections_are_connection_errors(server: FakeOpenRouter, mode: str) -> None:
    server.reply(drop("before_headers"))
    chat = server.chat(max_retries=0)
    with pytest.raises(pyllm.APIConnectionError):
        ask(chat, mode, "hi")
    server.reply(drop(after=2, text="a b c d e"))
    received: list[str] = []
    with pytest.raises(pyllm.APIConnectionError) as caught:
        consume(chat, mode, "go", received)
    assert caught.value.partial is not None
    assert caught.value.partial.content == "".join(received) == "a b "
    assert chat.messages == []


def test_keepalives_only_then_close_is_an_incomplete_stream(server: FakeOpenRouter) -> None:
    server.reply(
        raw(
            b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\n",
            content_type="text/event-stream",
        )
    )
    chat = server.chat(max_retries=0)
    with pytest.raises(
        pyllm.APIConnectionError, match="ended before the response was complete"
    ) as caught:
        list(chat.stream("hi"))
    assert caught.value.partial is None


def test_invalid_utf8_in_a_stream_is_a_typed_error_with_the_partial(server: FakeOpenRouter) -> None:
    body = (
        b'data: {"choices":[{"delta":{"content":"ok "}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":"\xff"}}]}\n\n'
    )
    server.reply(raw(body, content_type="text/event-stream"))
    chat = server.chat()
    with pytest.raises(pyllm.InvalidResponseError, match="UTF-8") as caught:
        list(chat.stream("hi"))
    assert caught.value.partial is not None and caught.value.partial.content == "ok "


def test_read_timeout_is_an_api_timeout(server: FakeOpenRouter) -> None:
    server.reply(text("late", delay=1.0))
    chat = server.chat(timeout=0.2, max_retries=0)
    with pytest.raises(pyllm.APITimeoutError):
        chat.ask("hi")
    assert chat.messages == []


# ---- configuration and requests -------------------------------------------------------------


def test_instructions_temperature_params_and_headers_reach_the_wire(server: FakeOpenRouter) -> None:
    chat = (
        server.chat("openai/gpt-4.1-mini")
        .with_instructions("Be terse.")
        .with_instructions("Be very terse.")
        .with_instructions("Answer in English.", append=True)
        .with_temperature(0.2)
        .with_params(top_k=5, provider={"sort": "price"})
        .with_params(provider={"only": ["openai"]})
        .with_headers(x_session_id="abc")
    )
    chat.ask("Hi")
    request = server.requests[-1]
    assert request.json["messages"][:2] == [
        {"role": "system", "content": "Be very terse."},
        {"role": "system", "content": "Answer in English."},
    ]
    assert request.json["temperature"] == 0.2 and request.json["top_k"] == 5
    assert request.json["provider"] == {"sort": "price", "only": ["openai"]}
    assert request.headers["x-session-id"] == "abc"
    assert request.headers["authorization"] == "Bearer sk-or-fake-key"
    assert "http-referer" not in request.headers and "x-openrouter-title" not in request.headers


def test_attribution_headers_only_when_set(server: FakeOpenRouter) -> None:
    chat = server.chat(openrouter_app_url="https://myapp.example", openrouter_app_title="My App")
    chat.ask("Hi")
    headers = server.requests[-1].headers
    assert headers["http-referer"] == "https://myapp.example"
    assert headers["x-openrouter-title"] == "My App"


def test_with_model_switches_mid_chat_keeping_history(server: FakeOpenRouter) -> None:
    chat = server.chat("openai/gpt-4.1-mini")
    chat.ask("one")
    chat.with_model("anthropic/claude-haiku-4.5")
    chat.ask("two")
    assert server.requests[-1].json["model"] == "anthropic/claude-haiku-4.5"
    assert len(server.requests[-1].json["messages"]) == 3


def test_ask_without_content_sends_the_history_as_is(server: FakeOpenRouter) -> None:
    chat = server.chat()
    chat.messages.append(pyllm.Message.user("prefilled"))
    chat.messages.append(pyllm.Message("assistant", "{"))
    chat.ask()
    assert server.requests[-1].json["messages"] == [
        {"role": "user", "content": "prefilled"},
        {"role": "assistant", "content": "{"},
    ]
    with pytest.raises(ValueError, match="nothing to send"):
        server.chat().ask()


def test_bad_arguments_fail_before_any_request(server: FakeOpenRouter) -> None:
    chat = server.chat()
    with pytest.raises(TypeError, match="must be a string"):
        chat.ask(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="between 0 and 2"):
        chat.with_temperature(3)
    with pytest.raises(TypeError):
        chat.with_instructions(None)  # type: ignore[arg-type]
    with pytest.raises(pyllm.ConfigurationError, match="unknown provider 'nope'"):
        chat.with_model("x/y", provider="nope")
    assert server.requests == []


def test_hooks_fire_for_each_assistant_message(server: FakeOpenRouter) -> None:
    events: list[str] = []
    chat = (
        server.chat()
        .on_new_message(lambda: events.append("new"))
        .on_end_message(lambda m: events.append(f"end:{m.content}"))
    )
    server.reply(text("a"), text("b"))
    chat.ask("1")
    list(chat.stream("2"))
    assert events == ["new", "end:a", "new", "end:b"]


def test_missing_key_names_the_setting_and_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    client = pyllm.Client(openrouter_base_url="http://127.0.0.1:9/api/v1")
    with pytest.raises(pyllm.ConfigurationError) as caught:
        client.chat("openai/gpt-4.1-mini").ask("hi")
    assert "openrouter_api_key" in str(caught.value) and "OPENROUTER_API_KEY" in str(caught.value)


def test_environment_configures_the_client(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env")
    monkeypatch.setenv("OPENROUTER_BASE_URL", server.url)
    monkeypatch.setenv("PYLLM_DEFAULT_MODEL", "meta-llama/llama-3.3-70b-instruct")
    client = pyllm.Client()
    reply = client.chat().ask("hi")
    assert reply.content == "You said: hi"
    assert server.requests[-1].json["model"] == "meta-llama/llama-3.3-70b-instruct"
    assert server.requests[-1].headers["authorization"] == "Bearer sk-or-from-env"
    client.close()


def test_clients_are_isolated(server: FakeOpenRouter) -> None:
    with FakeOpenRouter() as other:
        a, b = server.client(), other.client(openrouter_api_key="sk-or-other")
        a.chat().ask("to a")
        b.chat().ask("to b")
        assert [r.json["messages"][-1]["content"] for r in server.requests] == ["to a"]
        assert [r.json["messages"][-1]["content"] for r in other.requests] == ["to b"]
        assert other.requests[0].headers["authorization"] == "Bearer sk-or-other"


def test_configure_changes_the_default_client(server: FakeOpenRouter) -> None:
    client = pyllm.configure(openrouter_api_key="sk-or-configured", openrouter_base_url=server.url)
    try:
        assert pyllm.chat("x/y").ask("hello").content == "You said: hello"
        assert server.requests[-1].headers["authorization"] == "Bearer sk-or-configured"
        assert client is pyllm.default_client()
    finally:
        client.close()
        pyllm.client._default = None


def test_the_api_key_never_reaches_errors_or_logs(
    server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-or-v1-topsecret"
    server.reply(error(401, f"Invalid key {key}"))
    chat = server.chat(openrouter_api_key=key)
    caplog.set_level("DEBUG", logger="pyllm")
    with pytest.raises(pyllm.AuthenticationError) as caught:
        chat.ask("hi")
    assert (
        key not in str(caught.value)
        and key not in caught.value.message
        and key not in repr(caught.value)
    )
    assert key not in caplog.text
    assert "********" in caught.value.message


async def test_one_client_works_across_event_loops(server: FakeOpenRouter) -> None:
    client = server.client()
    assert (await client.chat().aask("in pytest's loop")).content == "You said: in pytest's loop"
    other = await asyncio.to_thread(lambda: asyncio.run(client.chat().aask("in another loop")))
    assert other.content == "You said: in another loop"
    await client.aclose()


async def test_many_concurrent_async_asks_on_one_client(server: FakeOpenRouter) -> None:
    client = server.client(max_connections=10)
    replies = await asyncio.gather(*(client.chat().aask(f"q{i}") for i in range(100)))
    assert sorted(r.content for r in replies) == sorted(f"You said: q{i}" for i in range(100))
    assert len(server.requests) == 100
    await client.aclose()


def test_pyllm_log_level_prints_requests_without_the_key(server: FakeOpenRouter) -> None:
    import subprocess
    import sys

    code = "import pyllm; pyllm.chat('a/b').ask('hi')"
    env = {
        "OPENROUTER_API_KEY": "sk-or-v1-secret-in-env",
        "OPENROUTER_BASE_URL": server.url,
        "PYLLM_LOG_LEVEL": "debug",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "pyllm DEBUG POST http://127.0.0.1:" in result.stderr and "-> 200" in result.stderr
    assert "sk-or-v1-secret-in-env" not in result.stderr
    with pytest.raises(pyllm.ConfigurationError, match=r"log_level.*must be one of DEBUG"):
        pyllm.Client(log_level="LOUD").settings  # noqa: B018
