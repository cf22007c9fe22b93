"""Replaying recorded Anthropic traffic: the recorded responses served at the Messages API's
paths by the fake server, a chat pointed at it with ``provider="anthropic"``, and a small
independent reader of Anthropic bodies (never pyllm's parser) for the expected values."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pyllm.testing import Reply

from ._cassettes import Interaction, load

if TYPE_CHECKING:
    import pyllm
    from pyllm.testing import FakeOpenRouter

API = "api.anthropic.com"


def anthropic_calls(interactions: list[Interaction]) -> list[Interaction]:
    return [i for i in interactions if API in i.uri]


def recorded(name: str) -> list[Interaction]:
    """Every interaction of an Anthropic cassette (downloads of files included)."""
    return load(name, "anthropic")


def serve_anthropic(
    server: FakeOpenRouter, interactions: list[Interaction], *, write_size: int | None = None
) -> None:
    """Queue each recorded Messages API response, byte for byte, under its path."""
    for item in anthropic_calls(interactions):
        keep = {k: v for k, v in item.headers.items() if k.lower() in ("request-id", "retry-after")}
        reply = Reply(
            status=item.status,
            body=item.body,
            content_type=item.headers.get("Content-Type", "application/json"),
            headers=keep,
            write_size=write_size,
        )
        server.reply(reply, path="/" + item.uri.split("/v1/", 1)[1])


def anthropic_client(server: FakeOpenRouter, **settings: Any) -> pyllm.Client:
    """A client whose Anthropic API (and OpenRouter) is the fake server."""
    client: pyllm.Client = server.client(
        anthropic_api_key="sk-ant-test", anthropic_base_url=server.url, **settings
    )
    return client


def anthropic_chat(server: FakeOpenRouter, model: str, **settings: Any) -> pyllm.Chat:
    """A chat with ``provider="anthropic"`` whose API is the fake server."""
    return anthropic_client(server, **settings).chat(model, provider="anthropic")


def registry_cost(server: FakeOpenRouter, model: str, usage: dict[str, Any]) -> float:
    """The recorded counts at the registry's prices (USD per million tokens): the prices are
    data, read from the registry; the arithmetic is done here."""
    prices = server.client().models.find(model, provider="anthropic").pricing
    fresh = usage["input_tokens"] * prices.input
    read = usage.get("cache_read_input_tokens", 0) * prices.cached_input
    written = usage.get("cache_creation_input_tokens", 0) * prices.cache_write
    return float((fresh + read + written + usage["output_tokens"] * prices.output) / 1_000_000)


def blocks_text(content: Any) -> str:
    """The text of a recorded message's content (a string or text blocks)."""
    if isinstance(content, str):
        return content
    return "".join(b["text"] for b in content if b.get("type") == "text")


def expected_answer(item: Interaction) -> dict[str, Any]:
    """What a recorded response says: text, thinking, tool calls, stop reason, usage, model,
    id, read straight from the JSON body or the event stream."""
    if not item.request_body.get("stream"):
        body = json.loads(item.body)
        return _summary(body, body["content"], body["stop_reason"], body["usage"])
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    stop, usage = None, {}
    for line in item.body.decode().splitlines():
        if not line.startswith("data: "):
            continue
        event = json.loads(line[6:])
        kind = event["type"]
        if kind == "message_start":
            message = event["message"]
            usage.update(message["usage"])
        elif kind == "content_block_start":
            blocks[event["index"]] = dict(event["content_block"], partial="")
        elif kind == "content_block_delta":
            block, delta = blocks[event["index"]], event["delta"]
            if delta["type"] == "text_delta":
                block["text"] += delta["text"]
            elif delta["type"] == "thinking_delta":
                block["thinking"] += delta["thinking"]
            elif delta["type"] == "signature_delta":
                block["signature"] = delta["signature"]
            elif delta["type"] == "input_json_delta":
                block["partial"] += delta["partial_json"]
        elif kind == "message_delta":
            stop = event["delta"]["stop_reason"]
            usage.update(event["usage"])
    for block in blocks.values():
        if block["type"] == "tool_use":
            block["input"] = json.loads(block["partial"] or "{}")
    content = [blocks[i] for i in sorted(blocks)]
    return _summary(message, content, stop, usage)


def _summary(
    message: dict[str, Any], content: list[dict[str, Any]], stop: Any, usage: dict[str, Any]
) -> dict[str, Any]:
    return {
        "model": message["model"],
        "id": message["id"],
        "text": "".join(b["text"] for b in content if b["type"] == "text"),
        "thinking": "".join(b["thinking"] for b in content if b["type"] == "thinking"),
        "signatures": [b["signature"] for b in content if b["type"] == "thinking"],
        "calls": [(b["id"], b["name"], b["input"]) for b in content if b["type"] == "tool_use"],
        "stop_reason": stop,
        "usage": usage,
    }


def serve_downloads(server: FakeOpenRouter, interactions: list[Interaction]) -> dict[str, str]:
    """Serve the recorded file downloads at their paths; returns recorded URL -> local URL."""
    urls = {}
    for item in interactions:
        if API in item.uri:
            continue
        path = "/" + item.uri.split("://", 1)[1].split("/", 1)[1]
        content_type = item.headers.get("Content-Type", "")
        server.reply(Reply(body=item.body, content_type=content_type), path=path)
        urls[item.uri] = server.url.rsplit("/api/v1", 1)[0] + path
    return urls


def without_strict(body: dict[str, Any]) -> dict[str, Any]:
    """A recorded request with ``"strict": true`` taken out of its tools' input schemas (where
    ruby_llm put it); the rest must match pyllm's request exactly."""
    if "tools" not in body:
        return body
    tools = [
        {**t, "input_schema": {k: v for k, v in t["input_schema"].items() if k != "strict"}}
        for t in body["tools"]
    ]
    return {**body, "tools": tools}
