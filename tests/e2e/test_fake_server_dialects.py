"""The fake server's machinery is shared; what it speaks is a pluggable dialect (the seam the
Anthropic fake will use). A tiny dialect here, over real sockets on 127.0.0.1 (issue 12)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from pyllm.testing import RecordedRequest, Reply, drop, error, text
from pyllm.testing._server import FakeServer


class Said:
    """A rendering: the reply's text as one JSON body or as ``word`` events."""

    def __init__(self, reply: Reply) -> None:
        self.words = (reply.text or "echo").split()

    @property
    def headers(self) -> Mapping[str, str]:
        return {"Request-Id": "req-1"}

    def json_body(self) -> bytes:
        return json.dumps({"said": " ".join(self.words)}).encode()

    def sse_events(self) -> Iterator[bytes]:
        for word in self.words:
            if word == "boom":
                raise RuntimeError("cannot say boom")
            yield f"event: word\ndata: {json.dumps(word)}\n\n".encode()


class Plain:
    """A dialect with its own paths, key header, error envelope and keep-alive."""

    name = "plain"
    base_path = "/plain"
    chat_path = "/say"
    keepalive = b"event: ping\ndata: {}\n\n"

    def denied(self, request: RecordedRequest, api_key: str | None) -> Reply | None:
        if api_key is None or request.headers.get("x-api-key") == api_key:
            return None
        return Reply(status=401, body={"type": "error", "error": {"type": "authentication"}})

    def default_reply(self, request: RecordedRequest) -> Reply:
        if request.path.endswith(self.chat_path):
            return Reply(text="default answer")
        return Reply(status=404, body={"type": "error", "error": {"type": "not_found"}})

    def prepare(self, reply: Reply, request: RecordedRequest) -> Reply:
        if reply.error is not None:
            return reply.but(body={"type": "error", "error": {"type": reply.error["code"]}})
        return reply

    def render(self, reply: Reply, request: RecordedRequest) -> Said:
        return Said(reply)

    def failure_body(self, message: str) -> bytes:
        return json.dumps(
            {"type": "error", "error": {"type": "api_error", "message": message}}
        ).encode()

    def failure_event(self, message: str) -> bytes:
        return f"event: error\ndata: {json.dumps(message)}\n\n".encode()

    def client_settings(self, url: str, api_key: str | None) -> dict[str, Any]:
        return {"openai_base_url": url, "openai_api_key": api_key or "k"}


@pytest.fixture
def plain() -> Iterator[FakeServer]:
    with FakeServer(Plain(), api_key="k") as server:
        yield server


def post(server: FakeServer, path: str, body: dict[str, Any], key: str = "k") -> httpx.Response:
    return httpx.post(server.url + path, json=body, headers={"x-api-key": key}, timeout=5)


def stream(server: FakeServer) -> str:
    headers = {"x-api-key": "k"}
    with httpx.stream("POST", server.url + "/say", json={"stream": True}, headers=headers) as got:
        return got.read().decode()


def test_the_dialect_decides_paths_answers_and_keys(plain: FakeServer) -> None:
    assert plain.url.endswith("/plain") and plain.url.startswith("http://127.0.0.1:")
    assert post(plain, "/say", {}).json() == {"said": "default answer"}
    plain.reply(text("scripted words"))  # the dialect's chat path by default
    assert plain.pending() == 1
    answer = post(plain, "/say", {})
    assert (answer.json(), answer.headers["request-id"]) == ({"said": "scripted words"}, "req-1")
    refused = post(plain, "/say", {}, key="wrong")
    assert refused.status_code == 401 and refused.json()["error"]["type"] == "authentication"
    assert post(plain, "/elsewhere", {}).status_code == 404
    plain.reply(error(429, code="slow_down"))  # the dialect writes error() in its envelope
    assert post(plain, "/say", {}).json() == {"type": "error", "error": {"type": "slow_down"}}
    assert [r.path for r in plain.requests] == [
        *["/plain/say"] * 3,
        "/plain/elsewhere",
        "/plain/say",
    ]


def test_streams_get_the_dialects_keepalive_and_the_shared_faults(plain: FakeServer) -> None:
    plain.reply(text("one two three", keepalives=2), drop(after=2, text="a b c d"))
    body = stream(plain)
    assert body.startswith("event: ping\ndata: {}\n\n" * 2)
    assert body.count("event: word") == 3
    with pytest.raises(httpx.HTTPError):  # reset after two events
        stream(plain)


def test_failures_inside_the_server_use_the_dialects_envelopes(plain: FakeServer) -> None:
    def broken(request: RecordedRequest) -> Reply:
        raise ValueError("handler bug")

    plain.route("/broken", broken)
    failed = post(plain, "/broken", {})
    assert failed.status_code == 500
    assert "handler bug" in failed.json()["error"]["message"]
    plain.reply(text("fine boom"))
    body = stream(plain)
    failure = "pyllm.testing: the fake server failed: RuntimeError: cannot say boom"
    assert body.endswith(f'event: word\ndata: "fine"\n\nevent: error\ndata: "{failure}"\n\n')
    assert [type(e) for e in plain.errors] == [ValueError, RuntimeError]
