"""Prompt-cache breakpoints through OpenRouter: ``cache_control`` inside content parts, for the
models that cache only where told (Anthropic's, Gemini), at most 4, checked before sending."""

from __future__ import annotations

from typing import Any

import pytest

import pyllm
from pyllm.message import Message, ToolCall
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.request import Caching, ChatRequest, ToolDefinition

ROUTER = OpenRouterDialect("openrouter")
EPHEMERAL = {"type": "ephemeral"}
HISTORY = (
    Message.system("Be terse."),
    Message.user("What is Ruby?"),
    Message("assistant", "A language."),
    Message.user("Who made it?"),
)


def render(model: str, messages: tuple[Message, ...], **fields: Any) -> dict[str, Any]:
    return ROUTER.render_chat(ChatRequest(model, messages, **fields))


def marks(payload: dict[str, Any]) -> list[int]:
    """The indexes of the messages that carry a breakpoint."""
    found = []
    for index, message in enumerate(payload["messages"]):
        content = message["content"]
        if isinstance(content, list) and any("cache_control" in p for p in content):
            found.append(index)
    return found


def test_system_prompt_and_history_get_a_breakpoint_for_anthropic_models() -> None:
    sent = render("anthropic/claude-haiku-4.5", HISTORY, caching=Caching())
    assert marks(sent) == [0, 3]
    assert sent["messages"][0]["content"] == [
        {"type": "text", "text": "Be terse.", "cache_control": EPHEMERAL}
    ]
    assert sent["messages"][3]["content"][0]["cache_control"] == EPHEMERAL
    assert sent["messages"][1]["content"] == "What is Ruby?"  # unmarked messages stay strings


def test_gemini_too_and_the_ttl_is_sent() -> None:
    sent = render("google/gemini-2.5-pro", HISTORY, caching=Caching(system=False, ttl="1h"))
    assert marks(sent) == [3]
    assert sent["messages"][3]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}


@pytest.mark.parametrize("model", ["openai/gpt-4.1-mini", "deepseek/deepseek-chat", "x/y"])
def test_models_that_cache_on_their_own_get_no_breakpoints(model: str) -> None:
    sent = render(model, HISTORY, caching=Caching())
    assert marks(sent) == []


def test_marked_messages_add_breakpoints_on_their_last_text_part() -> None:
    picture = pyllm.Attachment(data=b"\x89PNG\r\n\x1a\n...")
    marked = Message.user("Describe it", (picture,)).replace(cache=True)
    history = (*HISTORY[:2], marked, Message("assistant", "A dot."), Message.user("Why?"))
    sent = render("anthropic/claude-sonnet-4.5", history)  # no policy: only the marker
    assert marks(sent) == [2]
    parts = sent["messages"][2]["content"]
    assert parts[0] == {"type": "text", "text": "Describe it", "cache_control": EPHEMERAL}
    assert "cache_control" not in parts[1]


def test_tool_results_become_parts_and_tools_get_no_breakpoint_of_their_own() -> None:
    call = ToolCall("call_1", "weather", {"city": "Oslo"})
    history = (
        Message.user("Weather?"),
        Message("assistant", "", tool_calls=(call,)),
        Message.tool("call_1", "sunny"),
    )
    tools = (ToolDefinition("weather", "The weather.", {"type": "object"}),)
    sent = render("anthropic/claude-haiku-4.5", history, tools=tools, caching=Caching())
    assert sent["messages"][2]["content"] == [
        {"type": "text", "text": "sunny", "cache_control": EPHEMERAL}
    ]
    assert all("cache_control" not in tool for tool in sent["tools"])


def test_more_breakpoints_than_allowed_raise_before_sending() -> None:
    marked = tuple(Message.user(f"doc {i}").replace(cache=True) for i in range(4))
    with pytest.raises(pyllm.ConfigurationError, match=r"5 prompt-cache breakpoints.*at most 4"):
        render("anthropic/claude-haiku-4.5", (Message.system("s"), *marked), caching=Caching())


def test_the_request_is_not_changed_by_rendering() -> None:
    request = ChatRequest("anthropic/claude-haiku-4.5", HISTORY, caching=Caching())
    first, second = ROUTER.render_chat(request), ROUTER.render_chat(request)
    assert first == second and request.messages == HISTORY


def test_plain_chat_completions_leaves_caching_to_the_provider() -> None:
    request = ChatRequest("gpt-4.1-mini", HISTORY, caching=Caching())
    assert marks(ChatCompletions("openai").render_chat(request)) == []
