"""chat.render(...): the exact request ask would send, built by the same code, sent nowhere.

Each test renders, then really sends, and compares with what the fake server received."""

from __future__ import annotations

import base64
import json

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, text, tool_call

MODEL = "openai/gpt-4.1-mini"
KEY = "sk-or-v1-render-secret-0123456789"


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def test_render_is_exactly_what_ask_sends(server: FakeOpenRouter) -> None:
    chat = server.chat(MODEL, openrouter_api_key=KEY).with_instructions("Be terse.")
    chat.with_temperature(0.2).with_max_tokens(40).with_tools(weather).with_headers(x_trace="t1")
    rendered = chat.render("Weather in Lima?")
    assert server.requests == [] and chat.messages[1:] == []  # nothing sent, nothing added
    chat.ask("Weather in Lima?")
    sent = server.requests[0]
    assert rendered.method == "POST" and rendered.url == f"{server.url}/chat/completions"
    assert rendered.json == sent.json
    assert rendered.body == sent.body
    assert json.loads(rendered.body) == sent.json
    for name, value in rendered.headers.items():
        if name == "Authorization":
            assert value == "********" and sent.headers["authorization"] == f"Bearer {KEY}"
        else:
            assert sent.headers[name.lower()] == value, name
    assert rendered.headers["x-trace"] == "t1"


def test_render_continues_the_history(server: FakeOpenRouter) -> None:
    server.reply(tool_call("weather", {"city": "Lima"}), text("Sunny."))
    chat = server.chat(MODEL).with_tools(weather)
    chat.ask("Weather in Lima?")
    before = list(chat.messages)
    rendered = chat.render("And in Quito?")
    assert chat.messages == before
    chat.ask("And in Quito?")
    assert rendered.json == server.requests[-1].json
    assert rendered.json["messages"][-1] == {"role": "user", "content": "And in Quito?"}


def test_render_with_no_message_shows_the_history_as_it_is(server: FakeOpenRouter) -> None:
    chat = server.chat(MODEL)
    chat.ask("Hi")
    rendered = chat.render()
    chat.ask()
    assert rendered.json == server.requests[-1].json


def test_render_of_a_stream_is_what_stream_sends(server: FakeOpenRouter) -> None:
    chat = server.chat(MODEL)
    rendered = chat.render("Hi", stream=True)
    list(chat.stream("Hi"))
    sent = server.requests[-1]
    assert rendered.json == sent.json and rendered.json["stream"] is True
    assert rendered.headers["Accept"] == sent.headers["accept"] == "text/event-stream"


def test_render_runs_no_hook_and_leaves_an_open_stream_alone(server: FakeOpenRouter) -> None:
    server.reply(text("one two three", chunks=3))
    called: list[str] = []
    chat = server.chat(MODEL).on_new_message(lambda: called.append("new"))
    stream = chat.stream("Count")
    next(iter(stream))
    called.clear()
    chat.render("Something else")
    assert called == []
    assert "".join(c.content for c in stream)  # the stream reads on: not superseded


def test_render_masks_every_secret(server: FakeOpenRouter) -> None:
    url = server.url.replace("http://", "http://alice:pa55word-render@", 1)
    chat = server.chat(MODEL, openrouter_api_key=KEY, openrouter_base_url=url)
    chat.with_headers(x_gateway_token="gw-token-0123456789")
    rendered = chat.render("Hi")
    shown = repr(rendered) + json.dumps(dict(rendered.headers)) + rendered.url
    assert KEY not in shown and "pa55word-render" not in shown and "gw-token" not in shown
    assert rendered.headers["x-gateway-token"] == "********"
    assert "alice" not in rendered.url  # sent as a Basic header, never in the URL


def test_render_needs_a_key_as_ask_does() -> None:
    chat = pyllm.Client(openrouter_base_url="http://127.0.0.1:9/api/v1").chat(
        MODEL, provider="openrouter"
    )
    with pytest.raises(pyllm.ConfigurationError, match="OPENROUTER_API_KEY"):
        chat.render("Hi")


def test_render_inlines_local_files_and_refuses_to_download(server: FakeOpenRouter) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 16
    chat = server.chat(MODEL)
    rendered = chat.render("What is this?", attachments=[png])
    image = rendered.json["messages"][0]["content"][1]["image_url"]["url"]
    assert image == "data:image/png;base64," + base64.b64encode(png).decode()
    remote = "https://example.com/report.pdf"
    by_url = chat.render("Read this", attachments=[remote])  # OpenRouter fetches PDFs itself
    assert remote in json.dumps(by_url.json)
    with pytest.raises(pyllm.AttachmentError, match="download"):
        chat.render("Read this", attachments=[pyllm.Attachment(remote, download=True)])
    assert server.requests == []


def test_render_checks_its_arguments_as_ask_does(server: FakeOpenRouter) -> None:
    chat = server.chat(MODEL)
    with pytest.raises(ValueError, match="nothing to send"):
        chat.render()
    with pytest.raises(TypeError):
        chat.render(42)  # type: ignore[arg-type]
