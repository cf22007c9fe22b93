"""pyllm's own Anthropic provider against the fake Anthropic: chat, stream, a tool loop with
thinking sent back signed, retries, a typed mid-stream error (issue 13).
"""

from __future__ import annotations

import pytest

import pyllm
from pyllm.testing import FakeAnthropic, error, stream_error, text, tool_call


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"15°C in {city}"


def test_ask_and_stream_reach_the_fake(anthropic: FakeAnthropic) -> None:
    chat = anthropic.chat()
    assert chat.ask("Hello").content == "You said: Hello"
    assert "".join(chunk.content or "" for chunk in chat.stream("Again")) == "You said: Again"
    sent = anthropic.requests[-1]
    assert sent.path == "/v1/messages" and sent.headers["anthropic-version"] == "2023-06-01"
    assert sent.json["messages"][0]["role"] == "user" and sent.json["stream"] is True


def test_a_streamed_tool_loop_sends_thinking_back_as_it_was_signed(
    anthropic: FakeAnthropic,
) -> None:
    anthropic.reply(
        tool_call("weather", {"city": "Oslo"}, reasoning="I should look it up."),
        text("Mild in Oslo.", reasoning="The tool said 15°C."),
    )
    chat = anthropic.chat().with_tools(weather).with_thinking(budget=2048)
    list(chat.stream("Weather in Oslo?"))
    assert chat.messages[-1].content == "Mild in Oslo."
    returned = anthropic.requests[-1].json["messages"][1]["content"][0]
    assert returned["type"] == "thinking"
    assert returned["signature"] == FakeAnthropic.signature("I should look it up.")


def test_rate_limits_and_overload_are_retried(anthropic: FakeAnthropic) -> None:
    anthropic.reply(error(429, "slow down", retry_after=0.01), error(529, "Overloaded"), text("ok"))
    assert anthropic.chat(retry_backoff=0.01).ask("Hi").content == "ok"
    assert len(anthropic.requests) == 3


def test_an_error_event_after_content_is_typed_and_keeps_the_partial(
    anthropic: FakeAnthropic,
) -> None:
    anthropic.reply(stream_error(529, "Overloaded", after=1, text="a b c"))
    chat = anthropic.chat(retry_backoff=0.01)
    with pytest.raises(pyllm.OverloadedError) as raised:
        list(chat.stream("Go"))
    assert raised.value.partial is not None and raised.value.partial.content == "a "
    assert chat.messages == [] and len(anthropic.requests) == 1
