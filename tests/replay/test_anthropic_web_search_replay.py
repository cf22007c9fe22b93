"""Replay Claude's own web search (``provider="anthropic"``, ``with_web_search()``): pyllm
must send the recorded request (the ``web_search`` server tool, called directly) and read the
recorded answer: the text of every text block, each ``web_search_result_location`` citation as
a :class:`pyllm.Citation` spanning the text block that cites it, the searches counted in
``usage.web_search_requests``, blocking and streamed alike. Expected values are read from the
recorded bodies here, never through pyllm's parser."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import pyllm

from ._anthropic import anthropic_calls, anthropic_chat, recorded, serve_anthropic

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

PREFIX = "chat_web_search_with_anthropic_claude-haiku-4-5_"
BLOCKING = PREFIX + "searches_cites_and_reports_tool_usage.yml"
STREAMED = PREFIX + "streams_search_turns_and_reconstructs_them.yml"
CONTINUED = PREFIX + "replays_search_turns_so_the_conversation_can_continue.yml"


def recorded_blocks(raw: bytes | str, streamed: bool) -> list[dict[str, Any]]:
    """The content blocks of a recorded answer, a stream's put back together."""
    body = raw.decode() if isinstance(raw, bytes) else raw
    if not streamed:
        return list(json.loads(body)["content"])
    blocks: dict[int, dict[str, Any]] = {}
    for line in body.splitlines():
        if not line.startswith("data: "):
            continue
        data = json.loads(line[6:])
        if data["type"] == "content_block_start":
            blocks[data["index"]] = dict(data["content_block"])
        elif data["type"] == "content_block_delta" and data["delta"]["type"] == "text_delta":
            blocks[data["index"]]["text"] += data["delta"]["text"]
        elif data["type"] == "content_block_delta" and data["delta"]["type"] == "citations_delta":
            blocks[data["index"]]["citations"].append(data["delta"]["citation"])
    return [blocks[i] for i in sorted(blocks)]


def expected_citations(blocks: list[dict[str, Any]]) -> tuple[str, list[pyllm.Citation]]:
    text, found = "", []
    for block in blocks:
        if block["type"] != "text":
            continue
        start, text = len(text), text + block["text"]
        for cited in block.get("citations") or ():
            found.append(
                pyllm.Citation(cited["url"], cited["title"], cited["cited_text"], start, len(text))
            )
    return text, found


@pytest.mark.parametrize("name", [BLOCKING, STREAMED, CONTINUED])
def test_a_recorded_search_is_sent_and_read_as_recorded(server: FakeOpenRouter, name: str) -> None:
    item = anthropic_calls(recorded(name))[0]
    serve_anthropic(server, [item], write_size=23)  # events split across reads
    spec = item.request_body
    chat = anthropic_chat(server, spec["model"]).with_web_search()
    prompt = spec["messages"][0]["content"][0]["text"]
    if spec["stream"]:
        for _ in chat.stream(prompt):
            pass
        reply = chat.messages[-1]
    else:
        reply = chat.ask(prompt)
    assert server.requests[0].json == spec  # the whole body, key for key
    text, citations = expected_citations(recorded_blocks(item.body, spec["stream"]))
    assert reply.content == text
    assert list(reply.citations) == citations and len(citations) == 2
    assert citations[0].cited_text(reply.content) != ""
    assert reply.tool_calls == ()  # the search's query is not a call for pyllm to run
    assert reply.usage is not None and reply.usage.web_search_requests == 1
    assert reply.finish_reason == "stop"


def test_the_conversation_continues_after_a_search(server: FakeOpenRouter) -> None:
    first, second = anthropic_calls(recorded(CONTINUED))
    serve_anthropic(server, [first, second])
    chat = anthropic_chat(server, first.request_body["model"]).with_web_search()
    chat.ask(first.request_body["messages"][0]["content"][0]["text"])
    follow_up = second.request_body["messages"][-1]["content"][0]["text"]
    assert chat.ask(follow_up).content == "OK."
    sent = server.requests[1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"] == [{"type": "text", "text": chat.messages[1].content}]
