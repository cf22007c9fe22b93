"""OpenAI's dialect of Chat Completions (issue 13), pure: which models reason, what
``with_thinking`` becomes, how instructions and the length cap go, and the usage of images."""

from __future__ import annotations

import pytest

from pyllm.message import Message
from pyllm.model import Model
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.protocols.openai import OpenAIChat, is_reasoning_model, reasoning_effort
from pyllm.request import ChatRequest, Thinking

HISTORY = (Message.system("Be terse."), Message.system("Answer in French."), Message.user("Hi"))


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("o1", True),
        ("o1-mini", True),
        ("o3-pro-2025-06-10", True),
        ("o4-mini-deep-research", True),
        ("gpt-5", True),
        ("gpt-5.1-codex-mini", True),
        ("gpt-5-chat-latest", True),
        ("ft:o4-mini-2025-04-16:acme::abc123", True),
        ("gpt-4.1", False),
        ("gpt-4o-mini", False),
        ("omni-moderation-latest", False),
        ("ft:gpt-4o-mini:acme::abc", False),
        ("chatgpt-4o-latest", False),
    ],
)
def test_reasoning_models_by_id(model: str, reasoning: bool) -> None:
    assert is_reasoning_model(model) is reasoning


def test_the_registry_can_say_a_model_reasons_that_its_id_does_not() -> None:
    knows = Model("gpt-realtime-2.1", "openai", capabilities=frozenset({"reasoning"}))
    plain = Model("gpt-5.3-chat-latest", "openai")  # the registry says no: the id still says yes
    assert is_reasoning_model("gpt-realtime-2.1", knows)
    assert not is_reasoning_model("gpt-realtime-2.1", Model("gpt-realtime-2.1", "openai"))
    assert is_reasoning_model("gpt-5.3-chat-latest", plain)


def test_a_reasoning_model_gets_developer_messages_and_max_completion_tokens() -> None:
    payload = OpenAIChat("openai").render_chat(ChatRequest("o3", HISTORY, max_tokens=64))
    assert [m["role"] for m in payload["messages"]] == ["developer", "developer", "user"]
    assert payload["messages"][1]["content"] == "Answer in French."
    assert payload["max_completion_tokens"] == 64 and "max_tokens" not in payload


def test_other_models_keep_system_and_max_tokens() -> None:
    payload = OpenAIChat("openai").render_chat(ChatRequest("gpt-4.1", HISTORY, max_tokens=64))
    assert [m["role"] for m in payload["messages"]] == ["system", "system", "user"]
    assert payload["max_tokens"] == 64 and "max_completion_tokens" not in payload
    assert "max_completion_tokens" not in OpenAIChat("openai").render_chat(
        ChatRequest("o3", HISTORY)
    )  # no cap asked for: none sent


def test_registry_data_reaches_the_rendering() -> None:
    info = Model("house-reasoner", "openai", capabilities=frozenset({"reasoning"}))
    request = ChatRequest("house-reasoner", HISTORY, max_tokens=8, model_info=info)
    payload = OpenAIChat("openai").render_chat(request)
    assert payload["messages"][0]["role"] == "developer" and payload["max_completion_tokens"] == 8


def test_params_still_win() -> None:
    request = ChatRequest("o3", HISTORY, max_tokens=8, params={"max_completion_tokens": 99})
    assert OpenAIChat("openai").render_chat(request)["max_completion_tokens"] == 99


def test_other_hosts_speak_plain_chat_completions() -> None:
    """An OpenAI-compatible host serving an o-series id is not OpenAI: no developer role."""
    payload = ChatCompletions("groq").render_chat(ChatRequest("o3", HISTORY, max_tokens=8))
    assert payload["messages"][0]["role"] == "system" and payload["max_tokens"] == 8


@pytest.mark.parametrize(
    ("thinking", "effort"),
    [
        (None, None),
        (Thinking(), None),
        (Thinking(effort="none"), "none"),
        (Thinking(effort="high"), "high"),
        (Thinking(effort="xhigh"), "xhigh"),
        (Thinking(effort="max"), "xhigh"),
        (Thinking(budget=1), "low"),
        (Thinking(budget=2048), "low"),
        (Thinking(budget=2049), "medium"),
        (Thinking(budget=8192), "medium"),
        (Thinking(budget=8193), "high"),
        (Thinking(effort="low", exclude=True), "low"),
    ],
)
def test_reasoning_effort(thinking: Thinking | None, effort: str | None) -> None:
    assert reasoning_effort(thinking) == effort
    payload = OpenAIChat("openai").render_chat(ChatRequest("o3", HISTORY, thinking=thinking))
    assert payload.get("reasoning_effort") == effort


def test_usage_of_chat_and_of_images() -> None:
    protocol = OpenAIChat("openai")
    chat = protocol.parse_usage(
        {
            "prompt_tokens": 100,
            "completion_tokens": 40,
            "total_tokens": 140,
            "prompt_tokens_details": {"cached_tokens": 64},
            "completion_tokens_details": {"reasoning_tokens": 32},
        }
    )
    assert chat is not None
    assert (chat.input_tokens, chat.cached_tokens, chat.reasoning_tokens) == (100, 64, 32)
    image = protocol.parse_usage(
        {
            "input_tokens": 50,
            "output_tokens": 4160,
            "total_tokens": 4210,
            "input_tokens_details": {"text_tokens": 50, "image_tokens": 0, "cached_tokens": 7},
            "output_tokens_details": {"reasoning_tokens": "3"},
        }
    )
    assert image is not None
    assert (image.input_tokens, image.output_tokens, image.total_tokens) == (50, 4160, 4210)
    assert (image.cached_tokens, image.reasoning_tokens, image.cost) == (7, 3, None)
    broken = protocol.parse_usage({"input_tokens": -1, "input_tokens_details": "?"})
    assert broken is not None and broken.input_tokens == 0
    assert protocol.parse_usage(None) is None
