"""The story pyllm exists for, end to end: with both ``ANTHROPIC_API_KEY`` and
``OPENROUTER_API_KEY`` set, ``pyllm.chat("claude-haiku-4-5")`` talks to Anthropic directly; when
Anthropic answers 429, 529 or 5xx, the same conversation (history, tools, thinking, files)
continues on ``anthropic/claude-haiku-4.5`` through OpenRouter, and the next turn is Anthropic's
again. Both sides are ``pyllm.testing`` fakes on 127.0.0.1 (``FakeAnthropic`` checks what it is
sent as the real API does, thinking signatures included), reached through real sockets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import pyllm
from pyllm.testing import FakeAnthropic, FakeOpenRouter, error, text, tool_call
from tests._modes import talk

if TYPE_CHECKING:
    from collections.abc import Iterator

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
THOUGHT = "Paris: I should look it up."
FAULTS = {
    429: pyllm.RateLimitError,
    529: pyllm.OverloadedError,
    503: pyllm.ServiceUnavailableError,
    500: pyllm.ServerError,
}
SIGNED_DETAIL = {
    "type": "reasoning.text",
    "text": THOUGHT,
    "signature": FakeAnthropic.signature(THOUGHT),
    "format": "anthropic-claude-v1",
    "index": 0,
}
"""Turn 1's thinking as a reasoning detail (what OpenRouter gets back)."""


def fault(status: int) -> Any:
    return error(status, f"fake {status}", retry_after=0)


@pytest.fixture
def sides(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeAnthropic, FakeOpenRouter]]:
    """Both keys and both base URLs in the environment, as a user would have them."""
    with FakeAnthropic() as anthropic, FakeOpenRouter() as openrouter:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-story")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", anthropic.url)
        monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-story")
        monkeypatch.setenv("OPENROUTER_BASE_URL", openrouter.url)
        monkeypatch.setattr("pyllm.client._default", None)  # the default client reads them
        yield anthropic, openrouter
        pyllm.default_client().close()
        assert not anthropic.errors and not openrouter.errors


@pyllm.tool
def weather(city: str) -> str:
    """Weather for a city."""
    return f"15°C in {city}"


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
@pytest.mark.parametrize("status", FAULTS)
def test_rate_limited_by_anthropic_the_conversation_goes_on_through_openrouter(
    sides: tuple[FakeAnthropic, FakeOpenRouter], status: int, mode: str
) -> None:
    anthropic, openrouter = sides
    chat = pyllm.chat("claude-haiku-4-5")
    assert (chat.model, chat.provider) == ("claude-haiku-4-5", "anthropic")
    chat.with_fallbacks(via="openrouter").with_tools(weather).with_thinking(budget=1024)
    chat.with_retries(1)
    moves: list[tuple[type[Exception], str, str]] = []
    chat.on_fallback(lambda error, a, b: moves.append((type(error), str(a), str(b))))

    # 1. Anthropic answers: thinking (signed), a tool call, then the answer
    anthropic.reply(
        tool_call("weather", {"city": "Paris"}, id="toolu_1", reasoning=THOUGHT), text("15°C.")
    )
    first = talk(chat, mode, "Weather in Paris?")
    assert (first.provider, first.model, first.content) == (
        "anthropic",
        "claude-haiku-4-5",
        "15°C.",
    )

    # 2. Anthropic fails (and again on its retry): OpenRouter answers, with the whole history
    anthropic.reply(fault(status), fault(status))
    openrouter.reply(text("A red square."))
    second = talk(chat, mode, "And this picture?", attachments=[PNG])
    assert (second.provider, second.model) == ("openrouter", "anthropic/claude-haiku-4.5")
    assert second.content == "A red square."
    assert moves == [
        (
            FAULTS[status],
            "claude-haiku-4-5 via anthropic",
            "anthropic/claude-haiku-4.5 via openrouter",
        )
    ]
    assert len(anthropic.requests) == 4  # two for the first turn, the try and its retry
    sent = openrouter.requests[0].json
    assert sent["model"] == "anthropic/claude-haiku-4.5" and "max_tokens" not in sent
    assert sent["reasoning"] == {"max_tokens": 1024}
    assert [t["function"]["name"] for t in sent["tools"]] == ["weather"]
    assert sent["messages"] == [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city": "Paris"}'},
                }
            ],
            "reasoning_details": [
                SIGNED_DETAIL
            ],  # OpenRouter hands Claude's signatures back to Claude
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "15°C in Paris"},
        {"role": "assistant", "content": "15°C."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "And this picture?"},
                {"type": "image_url", "image_url": {"url": pyllm.Attachment(data=PNG).data_url()}},
            ],
        },
    ]

    # 3. The next turn is Anthropic's again, with what OpenRouter answered in its history
    anthropic.reply(text("You're welcome."))
    third = talk(chat, mode, "Thanks!")
    assert (third.provider, third.content) == ("anthropic", "You're welcome.")
    assert len(openrouter.requests) == 1 and len(moves) == 1
    back = anthropic.requests[-1].json
    assert back["model"] == "claude-haiku-4-5" and back["max_tokens"] == 64000
    assert back["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert back["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": THOUGHT, "signature": SIGNED_DETAIL["signature"]},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "weather",
                    "input": {"city": "Paris"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [{"type": "text", "text": "15°C in Paris"}],
                }
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "15°C."}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "And this picture?"},
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": "image/png",
                        "data": "iVBORw0KGgoAAAAAAAAAAA==",
                    },
                },
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "A red square."}]},
        {"role": "user", "content": [{"type": "text", "text": "Thanks!"}]},
    ]
    assert [m.provider for m in chat.messages if m.role == "assistant"] == [
        "anthropic",
        "anthropic",
        "openrouter",
        "anthropic",
    ]
    assert chat.cost is not None and chat.cost > 0  # Anthropic's priced from the registry


def test_a_tool_round_begun_on_openrouter_ends_on_anthropic(
    sides: tuple[FakeAnthropic, FakeOpenRouter],
) -> None:
    """Each answer of a tool loop starts from the chat's own route: after OpenRouter's tool
    call, Anthropic (back again) gets the call and its result, with OpenRouter's call id made to
    fit Anthropic's rules."""
    anthropic, openrouter = sides
    chat = pyllm.chat("claude-haiku-4-5").with_fallbacks(via="openrouter").with_tools(weather)
    chat.with_retries(0)
    anthropic.reply(fault(429), text("Oslo: 15°C."))
    openrouter.reply(tool_call("weather", {"city": "Oslo"}, id="call:oslo.1"))
    reply = chat.ask("Weather in Oslo?")
    assert (reply.provider, reply.content) == ("anthropic", "Oslo: 15°C.")
    turns = anthropic.requests[-1].json["messages"]
    assert turns[1:] == [
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "call_oslo_1",
                    "name": "weather",
                    "input": {"city": "Oslo"},
                }
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "call_oslo_1",
                    "content": [{"type": "text", "text": "15°C in Oslo"}],
                }
            ],
        },
    ]
    assert [m.provider for m in chat.messages if m.role == "assistant"] == [
        "openrouter",
        "anthropic",
    ]


def test_errors_that_are_the_callers_do_not_fall_back(
    sides: tuple[FakeAnthropic, FakeOpenRouter],
) -> None:
    anthropic, openrouter = sides
    chat = pyllm.chat("claude-haiku-4-5").with_fallbacks(via="openrouter")
    anthropic.reply(error(400, "bad"))
    with pytest.raises(pyllm.BadRequestError):
        chat.ask("Hi")
    assert openrouter.requests == [] and chat.messages == []
