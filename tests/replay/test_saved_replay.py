"""Every message shape in the recorded traffic survives the saved format (issue 16).

Each recorded chat response is read by the protocol of the provider that answered it (a
stream through the stream parser, a body through ``parse_chat``), then written with
``to_dict``, through JSON, and read back: every field must come back, ``raw`` and ``parsed``
included. Responses of a wire format pyllm does not speak yet (Anthropic's Messages API,
OpenAI's Responses API) are counted and skipped until a provider for them exists.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm._engine.parser import StreamParser
from pyllm.testing import text
from tests.conftest import fixtures_dir

from ._cassettes import Interaction, load, serve

ROOT = fixtures_dir()
WIRE = {  # where a response came from -> (provider, what it answers)
    "https://openrouter.ai/api/v1/chat/completions": "openrouter",
    "https://api.openai.com/v1/chat/completions": "openai",
    "https://api.anthropic.com/v1/messages": "anthropic",
}
CLIENT = pyllm.Client(
    openrouter_api_key="sk-or-test", openai_api_key="sk-test", anthropic_api_key="sk-ant-test"
)


def _cassettes() -> list[tuple[str, str]]:
    if ROOT is None:
        return []
    return [
        (folder.name, path.name)
        for folder in sorted(p for p in ROOT.iterdir() if p.is_dir() and p.name != "registry")
        for path in sorted(folder.glob("*.yml"))
    ]


def _protocol(provider: str) -> Any:
    try:
        return CLIENT.provider(provider).protocol
    except pyllm.ConfigurationError:
        return None  # no such provider in this pyllm (yet)


def messages_in(interactions: list[Interaction]) -> tuple[list[pyllm.Message], int]:
    """The assistant messages the recorded chat responses hold, and how many responses were
    left out because no provider of this pyllm reads them."""
    found, unread = [], 0
    for item in interactions:
        where = WIRE.get(item.uri.split("?")[0])
        if where is None or item.status >= 400:
            unread += item.uri.endswith(("/responses", "/messages"))
            continue
        protocol = _protocol(where)
        if protocol is None:
            unread += 1
            continue
        streamed = isinstance(item.request_body, dict) and item.request_body.get("stream")
        if streamed:
            parser = StreamParser(protocol)
            parser.expect(item.headers.get("Content-Type"))
            parser.feed(item.body)
            parser.finish()
            found.append(parser.message())
        else:
            found.append(protocol.parse_chat(json.loads(item.body)))
    return found, unread


def _same(saved: pyllm.Message, again: pyllm.Message, name: str) -> None:
    for f in dataclasses.fields(pyllm.Message):
        assert getattr(again, f.name) == getattr(saved, f.name), f"{name}: {f.name}"


@pytest.mark.parametrize("provider", ["openrouter", "openai", "anthropic"])
def test_every_recorded_message_round_trips(provider: str) -> None:
    names = [name for folder, name in _cassettes() if folder == provider]
    if not names:
        pytest.skip("recorded fixtures not found")
    checked, unread = 0, 0
    for name in names:
        found, skipped = messages_in(load(name, provider))
        unread += skipped
        for message in found:
            _round_trip(message, name)
            checked += 1
    if not checked:
        pytest.skip(
            f"all {unread} {provider} responses are in a wire format pyllm does not read yet"
        )


def _round_trip(message: pyllm.Message, name: str) -> None:
    data = json.loads(json.dumps(message.to_dict()))
    _same(message, pyllm.Message.from_dict(data), name)
    kept: dict[str, bytes] = {}

    def keep(attachment: pyllm.Attachment) -> str:
        key = f"blob{len(kept)}"
        kept[key] = attachment.data or b""
        return key

    by_reference = json.loads(json.dumps(message.to_dict(attachments=keep)))
    _same(message, pyllm.Message.from_dict(by_reference, attachments=kept.__getitem__), name)


def test_the_recordings_cover_the_shapes_that_matter() -> None:
    """The round trip above sees tool calls, reasoning and its details, annotations and usage
    with cost (else it would prove little; images in messages are covered by the unit test
    of every field: the recordings paint through /images)."""
    if ROOT is None:
        pytest.skip("recorded fixtures not found")
    seen: dict[str, int] = {}
    for provider, name in _cassettes():
        if provider != "openrouter":
            continue
        for message in messages_in(load(name, provider))[0]:
            for f in ("tool_calls", "reasoning_details", "annotations", "reasoning"):
                seen[f] = seen.get(f, 0) + bool(getattr(message, f))
            seen["cost"] = seen.get("cost", 0) + (message.cost is not None)
    wanted = ("tool_calls", "reasoning_details", "annotations", "reasoning", "cost")
    assert all(seen.get(f, 0) > 0 for f in wanted), seen


def test_a_replayed_conversation_saves_and_resumes(server: Any, tmp_path: Path) -> None:
    """A whole recorded tool conversation: saved mid-way, rebuilt, and it goes on."""
    interactions = load("chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools.yml")
    serve(server, interactions)

    @pyllm.tool
    def weather(latitude: str, longitude: str) -> str:
        """Gets current weather for a location"""
        return "Current weather at 52.5200, 13.4050: 15°C, Wind: 10 km/h"

    client = server.client()
    chat = client.chat("anthropic/claude-haiku-4.5").with_tools(weather)
    chat.ask("What's the weather in Berlin? (52.5200, 13.4050)")
    saved = json.loads(json.dumps(chat.to_dict()))
    (tmp_path / "chat.json").write_text(json.dumps(saved))
    again = client.chat_from(json.loads((tmp_path / "chat.json").read_text()), tools=[weather])
    assert again.messages == chat.messages
    assert [m.role for m in again.messages] == ["user", "assistant", "tool", "assistant"]
    server.reply(text("Still sunny."))
    assert again.ask("And now?").content == "Still sunny."
    sent = server.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant", "user"]
