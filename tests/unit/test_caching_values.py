"""The shared prompt-caching values: where breakpoints go, the limit, and the Chat API that
sets them (protocols render them: Anthropic, and OpenRouter for the models that need them)."""

from __future__ import annotations

import pytest

import pyllm
from pyllm.message import Message
from pyllm.protocols.caching import cache_points
from pyllm.request import Caching, ChatRequest, ToolDefinition
from pyllm.testing import FakeOpenRouter, text

TOOL = ToolDefinition("f", "d", {"type": "object"})
SYSTEM, USER, ANSWER = Message.system("s"), Message.user("u"), Message("assistant", "a")


def request(*messages: Message, caching: Caching | None = None, tools: bool = False) -> ChatRequest:
    return ChatRequest("m", messages, tools=(TOOL,) if tools else (), caching=caching)


def test_no_policy_and_no_marks_means_no_breakpoints() -> None:
    points = cache_points(request(SYSTEM, USER, tools=True), limit=4)
    assert points.count == 0 and not points.system and not points.tools


def test_the_policy_marks_system_tools_and_the_last_message() -> None:
    points = cache_points(
        request(SYSTEM, USER, ANSWER, USER, caching=Caching(), tools=True), limit=4
    )
    assert (points.system, points.tools, points.messages) == (True, True, frozenset({3}))


def test_parts_can_be_turned_off_and_ttl_travels() -> None:
    caching = Caching(system=False, tools=False, history=True, ttl="1h")
    points = cache_points(request(SYSTEM, USER, caching=caching, tools=True), limit=4)
    assert (points.system, points.tools, sorted(points.messages), points.ttl) == (
        False,
        False,
        [1],
        "1h",
    )


def test_tools_get_no_breakpoint_when_the_request_has_none() -> None:
    assert not cache_points(request(USER, caching=Caching()), limit=4).tools


def test_marked_messages_add_breakpoints_and_a_marked_system_counts_without_a_policy() -> None:
    marked = USER.replace(cache=True)
    points = cache_points(request(SYSTEM.replace(cache=True), marked, ANSWER, USER), limit=4)
    assert (points.system, points.messages) == (True, frozenset({1}))


def test_more_breakpoints_than_the_limit_is_refused_before_sending() -> None:
    marked = USER.replace(cache=True)
    many = request(SYSTEM, marked, marked, marked, USER, caching=Caching(), tools=True)
    with pytest.raises(pyllm.ConfigurationError, match=r"6 prompt-cache breakpoints.*at most 4"):
        cache_points(many, limit=4)


def test_with_caching_checks_its_arguments() -> None:
    chat = pyllm.Client(openrouter_api_key="sk-or-test").chat("anthropic/claude-haiku-4.5")
    with pytest.raises(pyllm.ConfigurationError, match="ttl must be one of '5m', '1h'"):
        chat.with_caching(ttl="2h")
    with pytest.raises(TypeError, match="history must be True or False"):
        chat.with_caching(history="yes")  # type: ignore[arg-type]
    assert chat.with_caching(ttl="1h", tools=False) is chat


def test_ask_with_cache_marks_the_message_it_sends_and_caching_reaches_the_request() -> None:
    with FakeOpenRouter() as server:
        server.reply(text("one"), text("two"))
        chat = server.chat("anthropic/claude-haiku-4.5").with_caching(ttl="1h")
        chat.ask("first", cache=True)
        chat.without_caching().ask("second")
    assert [m.cache for m in chat.messages] == [True, False, False, False]
    with pytest.raises(ValueError, match="cache=True marks the message you send"):
        chat.ask(cache=True)
    assert chat.messages[-1].content == "two"  # the refused call changed nothing
