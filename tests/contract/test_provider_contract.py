"""The provider contract: ONE set of behaviour tests, run against every provider.

Chat, streaming (equal to the blocking answer), tools in the four modes, a thinking round-trip,
errors (retried, refused, broken mid-stream) and cost: what a user of ``pyllm.Chat`` may rely
on whichever provider answers. Each provider is one row of :data:`TARGETS`: how to start a fake
server speaking its API (real sockets on 127.0.0.1, ``pyllm.testing``), the client settings that
point pyllm at it, and the few things that differ on its wire (where its key goes, how it
reports usage, how it asks for reasoning). The behaviour tests know nothing else about it.

Adding a provider is adding a row. The Anthropic row, once ``FakeAnthropic`` (issue 13c) and
the Anthropic provider (issue 13a) are on main, has this shape::

    Target(
        name="anthropic",
        model="claude-haiku-4-5",
        fake=FakeAnthropic,
        settings=lambda fake: {"anthropic_api_key": KEY, "anthropic_base_url": fake.url},
        path="/messages",
        credentials=("x-api-key", KEY),
        usage=lambda prompt, completion, cost: {"input_tokens": prompt,
                                                "output_tokens": completion},
        cost_source="registry",           # Anthropic reports tokens, never a cost
        effort_sent=lambda sent: sent["thinking"]["budget_tokens"],   # effort -> budget
        effort_expected=<the budget "high" maps to>,
        sends_reasoning_back=True,        # thinking blocks go back, with their signatures
    )
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, stream_error, text, tool_call
from tests._modes import MODES, talk

KEY = "sk-contract-key"


def _chat_completions_usage(prompt: int, completion: int, cost: float | None) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    return usage if cost is None else {**usage, "cost": cost}


def _without_cost(prompt: int, completion: int, cost: float | None) -> dict[str, Any]:
    return _chat_completions_usage(prompt, completion, None)  # the host reports tokens only


@dataclass(frozen=True)
class Target:
    """One provider under contract: its fake, and what differs on its wire."""

    name: str  # provider=, and what reply.provider says
    model: str  # a model id it serves (known to the registry, or passed through)
    fake: Callable[[], Any]  # a fresh fake server speaking its API
    settings: Callable[[Any], dict[str, Any]]  # client settings pointing pyllm at the fake
    path: str  # where chat requests go, under the base URL
    credentials: tuple[str, str | None]  # the header carrying the key, and its value (None: none)
    usage: Callable[[int, int, float | None], Mapping[str, Any]]  # a scripted usage, its shape
    cost_source: str | None  # "provider" (reported), "registry" (priced by pyllm), None
    effort_sent: Callable[[Mapping[str, Any]], Any]  # the reasoning a request asked for
    effort_expected: Any  # ...when the chat says with_thinking("high")
    sends_reasoning_back: bool  # whether the reasoning text goes back in the next request


TARGETS = [
    Target(
        name="openrouter",
        model="anthropic/claude-haiku-4.5",
        fake=FakeOpenRouter,
        settings=lambda fake: {"openrouter_api_key": KEY, "openrouter_base_url": fake.url},
        path="/chat/completions",
        credentials=("authorization", f"Bearer {KEY}"),
        usage=_chat_completions_usage,
        cost_source="provider",
        effort_sent=lambda sent: sent["reasoning"],
        effort_expected={"effort": "high"},
        sends_reasoning_back=False,  # reasoning_details go back, the text does not
    ),
    Target(
        name="openai",
        model="gpt-4.1-mini",
        fake=FakeOpenRouter,  # it speaks Chat Completions; pointed at by OPENAI_BASE_URL
        settings=lambda fake: {"openai_api_key": KEY, "openai_base_url": fake.url},
        path="/chat/completions",
        credentials=("authorization", f"Bearer {KEY}"),
        usage=_without_cost,
        cost_source="registry",
        effort_sent=lambda sent: sent["reasoning_effort"],
        effort_expected="high",
        sends_reasoning_back=False,
    ),
    Target(
        name="ollama",  # an OpenAI-compatible preset: nothing registered, no key
        model="llama3.2",
        fake=FakeOpenRouter,
        settings=lambda fake: {"ollama_base_url": fake.url},
        path="/chat/completions",
        credentials=("authorization", None),
        usage=_without_cost,
        cost_source=None,  # a local model: no price anywhere
        effort_sent=lambda sent: sent["reasoning_effort"],
        effort_expected="high",
        sends_reasoning_back=False,
    ),
]


@dataclass
class Setup:
    target: Target
    fake: Any
    client: pyllm.Client

    def chat(self) -> pyllm.Chat:
        return self.client.chat(self.target.model, provider=self.target.name)


@pytest.fixture(params=TARGETS, ids=lambda t: t.name)
def setup(request: pytest.FixtureRequest) -> Iterator[Setup]:
    target: Target = request.param
    with target.fake() as fake:
        settings = {"openrouter_api_key": "", "retry_backoff": 0.01, **target.settings(fake)}
        client = fake.client(**settings)  # only the target's own key
        yield Setup(target, fake, client)


def test_chat(setup: Setup) -> None:
    target, fake = setup.target, setup.fake
    fake.reply(text("Hello there!", usage=target.usage(5, 3, 0.0001)))
    chat = setup.chat()
    reply = chat.ask("Hi")
    assert (reply.role, reply.content, reply.finish_reason) == ("assistant", "Hello there!", "stop")
    assert reply.provider == target.name
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (5, 3)
    assert [m.role for m in chat.messages] == ["user", "assistant"]
    sent = fake.requests[-1]
    assert sent.path.endswith(target.path)
    header, value = target.credentials
    assert sent.headers.get(header) == value
    assert b"Hi" in sent.body


def test_a_stream_gives_the_message_ask_gives(setup: Setup) -> None:
    usage = setup.target.usage(4, 6, 0.00012)
    setup.fake.reply(text("One two three", chunks=3, usage=usage))
    setup.fake.reply(text("One two three", usage=usage))
    streamed_chat, asked_chat = setup.chat(), setup.chat()
    chunks = list(streamed_chat.stream("Count"))
    streamed, asked = streamed_chat.messages[-1], asked_chat.ask("Count")
    assert "".join(c.content for c in chunks) == streamed.content == asked.content
    assert [c.content for c in chunks if c.content] == ["One t", "wo t", "hree"]
    assert streamed.usage == asked.usage and streamed.cost == asked.cost
    assert streamed.finish_reason == asked.finish_reason == "stop"
    assert streamed.provider == asked.provider == setup.target.name


# ---- tools --------------------------------------------------------------------------------

CALLS: list[str] = []


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    CALLS.append(city)
    return f"Sunny, 15 C in {city}"


@pytest.mark.parametrize("mode", MODES)
def test_tools(setup: Setup, mode: str) -> None:
    CALLS.clear()
    setup.fake.reply(tool_call("weather", {"city": "Paris"}), text("Sunny in Paris."))
    chat = setup.chat().with_tools(weather)
    reply = talk(chat, mode, "Weather in Paris?")
    assert CALLS == ["Paris"]
    assert reply.content == "Sunny in Paris."
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant"]
    call = chat.messages[1].tool_calls[0]
    assert (call.name, dict(call.arguments)) == ("weather", {"city": "Paris"})
    assert chat.messages[2].tool_call_id == call.id
    second = setup.fake.requests[1].body
    assert b"Sunny, 15 C in Paris" in second and call.id.encode() in second
    assert len(setup.fake.requests) == 2


# ---- thinking -----------------------------------------------------------------------------


def test_thinking_round_trip(setup: Setup) -> None:
    CALLS.clear()
    thought = "The user wants Paris weather; the tool knows it."
    setup.fake.reply(
        tool_call("weather", {"city": "Paris"}, reasoning=thought),
        text("Sunny.", reasoning="Tool said sunny."),
    )
    chat = setup.chat().with_tools(weather).with_thinking("high")
    reply = chat.ask("Weather in Paris?")
    assert reply.content == "Sunny." and reply.reasoning is not None
    assert chat.messages[1].reasoning is not None and thought in chat.messages[1].reasoning
    assert reply.usage.reasoning_tokens > 0
    first, second = (r.json for r in setup.fake.requests)
    target = setup.target
    assert target.effort_sent(first) == target.effort_sent(second) == target.effort_expected
    went_back = thought.encode() in setup.fake.requests[1].body
    assert went_back is target.sends_reasoning_back
    assert chat.messages[1].tool_calls[0].id.encode() in setup.fake.requests[1].body


# ---- errors -------------------------------------------------------------------------------


def test_a_rate_limit_is_retried(setup: Setup) -> None:
    setup.fake.reply(error(429, "slow down", retry_after=0), text("Made it."))
    reply = setup.chat().ask("Hi")
    assert reply.content == "Made it." and len(setup.fake.requests) == 2


def test_a_refused_key_is_an_authentication_error_and_changes_nothing(setup: Setup) -> None:
    setup.fake.reply(error(401, "bad key"))
    chat = setup.chat()
    with pytest.raises(pyllm.AuthenticationError) as caught:
        chat.ask("Hi")
    assert caught.value.status == 401 and caught.value.provider == setup.target.name
    assert "bad key" in str(caught.value)
    assert chat.messages == [] and len(setup.fake.requests) == 1  # never retried


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_an_error_mid_stream_is_typed_and_keeps_the_partial_answer(setup: Setup, mode: str) -> None:
    setup.fake.reply(stream_error(500, "upstream broke", after=2, text="a b c d"))
    chat = setup.chat()
    with pytest.raises(pyllm.ServerError) as caught:
        talk(chat, mode, "Hi")
    partial = caught.value.partial
    assert partial is not None and partial.content == "a b "
    assert len(setup.fake.requests) == 1  # output reached the caller: never retried
    assert chat.messages == []


# ---- cost ---------------------------------------------------------------------------------


def test_cost(setup: Setup) -> None:
    target = setup.target
    setup.fake.reply(text("Priced.", usage=target.usage(1_000_000, 500_000, 0.75)))
    reply = setup.chat().ask("Hi")
    assert reply.usage.cost_source == target.cost_source
    if target.cost_source == "provider":
        assert reply.usage.cost == 0.75  # exactly what the provider reported
    elif target.cost_source == "registry":
        prices = setup.client.models.find(target.model, target.name).pricing
        assert prices.input is not None and prices.output is not None
        assert reply.usage.cost == pytest.approx(prices.input + prices.output / 2)
    else:
        assert reply.usage.cost is None  # no reported cost, no known price: no guess
    assert reply.turn_cost == reply.usage.cost


def test_every_target_is_a_real_provider_of_a_fresh_client() -> None:
    """The rows name providers a client knows without registering anything."""
    client = pyllm.Client()
    assert {t.name for t in TARGETS} <= set(pyllm.providers.BUILTIN)
    for target in TARGETS:
        assert client.provider(target.name).name == target.name
