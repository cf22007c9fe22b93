"""The session and the drivers through real sockets: listeners see every attempt and tool
run, a chat's max_tokens reaches the wire, plain requests retry in their own flow."""

from __future__ import annotations

from typing import Any

import pytest

import pyllm
from pyllm._engine.steps import Call, Listener, RunTools, Send, Sent
from pyllm._session import Session
from pyllm.conversation import Chat
from pyllm.testing import FakeOpenRouter, error, text, tool_call
from tests._modes import MODES, talk


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class Recorder(Listener):
    def __init__(self) -> None:
        self.events: list[str] = []

    def attempt_started(self, call: Call, send: Send) -> None:
        self.events.append(f"start {send.path}")

    def attempt_ended(self, call: Call, send: Send, sent: Sent | None) -> None:
        outcome = type(sent.error).__name__ if sent and sent.error else "ok"
        self.events.append(f"end {outcome}")

    def tools_started(self, call: Call, run: RunTools) -> None:
        self.events.append(f"tools {[c.name for c in run.calls]}")

    def tools_ended(
        self,
        call: Call,
        run: RunTools,
        results: list[Any] | None,
        error: BaseException | None = None,
    ) -> None:
        self.events.append(f"ran {[r.content for r in results or ()]}")


def session_for(server: FakeOpenRouter, **settings: Any) -> Session:
    return Session(
        {"openrouter_api_key": "sk-or-test", "openrouter_base_url": server.url, **settings}, {}
    )


@pytest.mark.parametrize("mode", MODES)
def test_listeners_see_each_attempt_and_each_tool_run(server: FakeOpenRouter, mode: str) -> None:
    server.reply(error(503, "busy", retry_after=0), tool_call("weather", {"city": "Lima"}))
    server.reply(text("Sunny."))
    session = session_for(server)
    recorder = Recorder()
    session.listeners.append(recorder)
    chat = Chat(session, "openai/gpt-4.1-mini", "openrouter").with_tools(weather)
    assert talk(chat, mode, "Weather in Lima?").content == "Sunny."
    assert recorder.events == [
        "start /chat/completions",
        "end ServiceUnavailableError",
        "start /chat/completions",
        "end ok",
        "tools ['weather']",
        "ran ['sunny in Lima']",
        "start /chat/completions",
        "end ok",
    ]


def test_a_tool_that_raises_is_reported_to_listeners_as_ended(server: FakeOpenRouter) -> None:
    @pyllm.tool
    def broken() -> str:
        """Always fails."""
        raise LookupError("no")

    server.reply(tool_call("broken", {}))
    session = session_for(server, raise_tool_errors=True)
    recorder = Recorder()
    session.listeners.append(recorder)
    chat = Chat(session, "openai/gpt-4.1-mini", "openrouter").with_tools(broken)
    with pytest.raises(LookupError):
        chat.ask("go")
    assert recorder.events[-2:] == ["tools ['broken']", "ran []"]
    assert chat.messages == []


@pytest.mark.parametrize("mode", MODES)
def test_max_tokens_is_sent_and_checked(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text("Short."))
    chat = server.chat().with_max_tokens(64)
    talk(chat, mode, "Be brief")
    assert server.requests[-1].json["max_tokens"] == 64
    chat.with_max_tokens(None)
    server.reply(text("Long."))
    talk(chat, mode, "Go on")
    assert "max_tokens" not in server.requests[-1].json


def test_bad_max_tokens_fail_at_once() -> None:
    chat = pyllm.Client(openrouter_api_key="sk-or-test").chat("openai/gpt-4.1-mini")
    with pytest.raises(TypeError, match="max_tokens"):
        chat.with_max_tokens("100")  # type: ignore[arg-type]
    with pytest.raises(pyllm.ConfigurationError, match="max_tokens must be a positive"):
        chat.with_max_tokens(0)
    with pytest.raises(TypeError):
        chat.with_max_tokens(True)


def test_a_plain_request_retries_in_its_own_flow(server: FakeOpenRouter) -> None:
    server.reply(error(502, "bad gateway", retry_after=0), path="/models")
    session = session_for(server)
    recorder = Recorder()
    session.listeners.append(recorder)
    provider = session.provider("openrouter")
    listing = session.request(provider, "/models", method="GET", authenticated=False)
    assert isinstance(listing, dict) and listing["data"]
    assert recorder.events == [
        "start /models",
        "end ServiceUnavailableError",
        "start /models",
        "end ok",
    ]
    assert [r.path for r in server.requests] == ["/api/v1/models"] * 2
