"""``pyllm.testing`` itself (issue 11, item 22): scripted replies are checked when scripted, and
an exception inside the fake server is answered (a 500, or an in-band error mid-stream) rather
than a dropped connection that pyllm would retry into the next scripted reply."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, RecordedRequest, Reply, ToolCallSpec, text, tool_call


@pytest.mark.parametrize(
    ("script", "error", "says"),
    [
        (
            lambda: tool_call("a", {}, tool_calls=[("weather", {"city": "Oslo"})]),
            TypeError,
            "tool_calls must hold pyllm.testing.ToolCallSpec values, got ('weather'",
        ),
        (lambda: Reply(tool_calls="weather"), TypeError, "tool_calls must be a list"),
        (lambda: ToolCallSpec("weather", ["Oslo"]), TypeError, "a dict or a JSON string"),
        (lambda: ToolCallSpec("weather", {"when": object()}), TypeError, "must be JSON"),
        (lambda: ToolCallSpec("", {}), TypeError, "non-empty string"),
        (lambda: text(42), TypeError, "text must be a string or None, got 42 (int)"),
        (lambda: text("hi", usage=[1, 2]), TypeError, "usage must be a dict"),
        (lambda: text("hi", chunks=0), ValueError, "chunks must be a whole number >= 1"),
        (lambda: text("hi", delay=-1), ValueError, "delay must be a number of seconds"),
        (lambda: text("hi", usage_chunk="last"), ValueError, "usage_chunk must be one of"),
        (lambda: text("hi", images="data:image/png;base64,AA"), TypeError, "images must be"),
        (lambda: Reply(status=99), ValueError, "status must be an HTTP status"),
        (lambda: Reply(drop="later"), ValueError, "drop must be 'before_headers'"),
        (lambda: Reply(body=3.5), TypeError, "body must be bytes"),
        (lambda: text("hi").but(repeat=0), ValueError, "repeat must be a whole number >= 1"),
    ],
)
def test_a_bad_scripted_reply_fails_where_it_is_scripted(
    script: Any, error: type[Exception], says: str
) -> None:
    with pytest.raises(error) as raised:
        script()
    assert says in str(raised.value)


def test_good_scripts_still_work_and_lists_become_tuples(server: FakeOpenRouter) -> None:
    reply = tool_call("a", {"x": 1}, tool_calls=[ToolCallSpec("b", '{"y": 2}', id="call_b")])
    assert reply.tool_calls == (
        ToolCallSpec("a", {"x": 1}),
        ToolCallSpec("b", '{"y": 2}', "call_b"),
    )
    assert text("hi", images=["data:image/png;base64,AA"]).images == ("data:image/png;base64,AA",)
    server.reply(reply)
    chat = server.chat()
    chat.ask("go")  # no tools: each call is answered with an error, then the echo
    assert [(c.name, c.id) for c in chat.messages[1].tool_calls][1] == ("b", "call_b")
    assert [c.name for c in chat.messages[1].tool_calls] == ["a", "b"]


def _handler_bug(request: RecordedRequest) -> Reply:
    raise RuntimeError("the handler has a bug")


@pytest.mark.parametrize("stream", [False, True])
def test_an_exception_in_a_handler_answers_500_with_its_text(
    server: FakeOpenRouter, stream: bool
) -> None:
    server.route("/chat/completions", _handler_bug)
    chat = server.chat(max_retries=0)
    with pytest.raises(pyllm.ServerError) as raised:
        chat.stream("hi").text() if stream else chat.ask("hi")
    assert raised.value.status == 500
    assert "the fake server failed: RuntimeError: the handler has a bug" in str(raised.value)
    assert [str(e) for e in server.errors] == ["the handler has a bug"]
    raw = httpx.post(f"{server.url}/chat/completions", json={"model": "x", "messages": []})
    assert raw.status_code == 500 and "the handler has a bug" in raw.json()["error"]["message"]


def test_a_handler_returning_something_else_is_a_500_saying_what_to_return(
    server: FakeOpenRouter,
) -> None:
    server.route("/chat/completions", lambda request: "Hi!")  # type: ignore[arg-type,return-value]
    with pytest.raises(pyllm.ServerError, match=r"return a pyllm\.testing\.Reply, or None"):
        server.chat(max_retries=0).ask("hi")


def test_an_exception_mid_stream_is_an_in_band_error_with_the_partial_answer(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("a b c", usage={"prompt_tokens": 1, "cost": object()}))
    with pytest.raises(pyllm.ServerError, match="the fake server failed: TypeError") as raised:
        server.chat(max_retries=0).stream("hi").text()
    assert raised.value.partial is not None and raised.value.partial.content == "a b c"
    assert len(server.requests) == 1 and len(server.errors) == 1
