"""Developer mistakes at ``ask`` and in ``with_*`` (issue 11, item 24): refused before any
request, by one rule: TypeError for the wrong type, ConfigurationError (a ValueError) for a bad
value, each naming the argument and what it accepts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, text


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t "])
def test_an_empty_prompt_is_refused_before_any_request(server: FakeOpenRouter, prompt: str) -> None:
    chat = server.chat()
    with pytest.raises(ValueError, match="the message is empty"):
        chat.ask(prompt)
    with pytest.raises(ValueError, match="the message is empty"):
        chat.stream(prompt)
    assert server.requests == [] and chat.messages == []


def test_ask_with_no_argument_after_an_answer_sends_it_as_a_prefill(
    server: FakeOpenRouter,
) -> None:
    """Documented (guides/chat.md): the history goes as it is; a trailing assistant message is
    what OpenRouter continues from."""
    server.reply(text("The capital of France"), text(" is Paris."))
    chat = server.chat()
    chat.ask("Name the capital of France in a sentence.")
    reply = chat.ask()
    sent = server.requests[-1].json["messages"]
    assert sent[-1] == {"role": "assistant", "content": "The capital of France"}
    assert reply.content == " is Paris."
    assert [m.role for m in chat.messages] == ["user", "assistant", "assistant"]


@pytest.mark.parametrize("schema", [int, str, bool, float])
def test_a_schema_that_is_not_an_object_is_refused(schema: type) -> None:
    chat = pyllm.Client(openrouter_api_key="sk-or-test").chat("a/b")
    with pytest.raises(TypeError, match=f"{schema.__name__} is not one: use a pydantic model"):
        chat.with_schema(schema)


def test_thinking_efforts_are_checked_and_named(server: FakeOpenRouter) -> None:
    chat = server.chat()
    with pytest.raises(pyllm.ConfigurationError) as caught:
        chat.with_thinking("extreme")
    assert "'minimal', 'low', 'medium', 'high'" in str(caught.value)
    assert "'extreme'" in str(caught.value)
    chat.with_thinking(" HIGH ").ask("hi")
    assert server.requests[-1].json["reasoning"] == {"effort": "high"}


MISTAKES: list[tuple[str, Callable[[pyllm.Chat], Any], type[Exception], str]] = [
    ("temperature 5", lambda c: c.with_temperature(5), pyllm.ConfigurationError, "temperature"),
    ("temperature nan", lambda c: c.with_temperature(float("nan")), pyllm.ConfigurationError, "temperature"),
    ("retries -1", lambda c: c.with_retries(-1), pyllm.ConfigurationError, "max_retries"),
    ("timeout 0", lambda c: c.with_timeout(0), pyllm.ConfigurationError, "total timeout"),
    ("tool rounds 0", lambda c: c.with_tools(max_tool_rounds=0), pyllm.ConfigurationError, "max_tool_rounds"),
    ("budget 0", lambda c: c.with_thinking(budget=0), pyllm.ConfigurationError, "budget"),
    ("effort and budget", lambda c: c.with_thinking("high", budget=9), pyllm.ConfigurationError, "not both"),
    ("effort extreme", lambda c: c.with_thinking("extreme"), pyllm.ConfigurationError, "effort"),
    ("temperature 'hot'", lambda c: c.with_temperature("hot"), TypeError, "temperature"),
    ("timeout 'soon'", lambda c: c.with_timeout("soon"), TypeError, "total timeout"),
    ("tool rounds '3'", lambda c: c.with_tools(max_tool_rounds="3"), TypeError, "max_tool_rounds"),
    ("effort 3", lambda c: c.with_thinking(3), TypeError, "effort"),
    ("schema 42", lambda c: c.with_schema(42), TypeError, "with_schema"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "call", "error", "names"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_one_rule_for_mistakes_in_with_methods(
    label: str, call: Callable[[pyllm.Chat], Any], error: type[Exception], names: str
) -> None:
    chat = pyllm.Client(openrouter_api_key="sk-or-test").chat("a/b")
    with pytest.raises(error, match=names) as caught:
        call(chat)
    assert type(caught.value) is error  # not a plain ValueError for some and not for others
    if error is pyllm.ConfigurationError:
        assert isinstance(caught.value, ValueError)
