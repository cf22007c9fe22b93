"""Plain-httpx helpers for the fake Anthropic's tests: requests with a key and the API version,
SSE events, and the shape of JSON values (compared with the recorded traffic)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from pyllm.testing import FakeAnthropic

HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
HI = {
    "model": "claude-haiku-4-5",
    "max_tokens": 50,
    "messages": [{"role": "user", "content": "Hi"}],
}
CALL = {"type": "tool_use", "id": "toolu_1", "name": "weather", "input": {"city": "Oslo"}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "15°C"}


def post(
    fake: FakeAnthropic, body: Any = HI, path: str = "/messages", **headers: str
) -> httpx.Response:
    """``body`` posted with the key and version (a header given as "" is left out)."""
    sent = {k: v for k, v in {**HEADERS, **headers}.items() if v}
    return httpx.post(fake.url + path, headers=sent, json=body, timeout=10)


def get(fake: FakeAnthropic, path: str) -> httpx.Response:
    return httpx.get(fake.url + path, headers=HEADERS, timeout=10)


def streamed(fake: FakeAnthropic, body: Any = HI) -> list[tuple[str, Any]]:
    """The events of ``body`` sent with ``stream: true``."""
    with httpx.stream(
        "POST", fake.url + "/messages", headers=HEADERS, json={**body, "stream": True}, timeout=10
    ) as response:
        assert response.status_code == 200
        return events(response.read())


def refused(answer: httpx.Response) -> tuple[int, str, str]:
    """An error answer's status, type and message (its envelope and request id checked)."""
    envelope = answer.json()
    assert envelope["type"] == "error" and envelope["request_id"] == answer.headers["request-id"]
    return answer.status_code, envelope["error"]["type"], envelope["error"]["message"]


def turns(*contents: list[dict[str, Any]]) -> dict[str, Any]:
    """A request whose messages have these contents, from the user and the assistant in turn."""
    roles = ("user", "assistant")
    return {
        **HI,
        "messages": [{"role": roles[i % 2], "content": c} for i, c in enumerate(contents)],
    }


def events(body: bytes) -> list[tuple[str, Any]]:
    """The ``(event, data)`` pairs of an SSE body."""
    found = []
    for block in body.decode().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


def shape(value: Any) -> Any:
    """What a JSON value looks like: keys and value types, with every ``type`` value kept;
    a list as its distinct item shapes, in order."""
    if isinstance(value, dict):
        return {k: (v if k == "type" else shape(v)) for k, v in value.items()}
    if isinstance(value, list):
        shapes: list[Any] = []
        for item in value:
            if shape(item) not in shapes:
                shapes.append(shape(item))
        return shapes
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "null" if value is None else type(value).__name__
