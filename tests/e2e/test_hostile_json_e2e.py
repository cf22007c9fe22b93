"""Issue 11, item 10, through real sockets: structured output nested too deeply to read.

(Deep bodies, error bodies and stream events: tests/reliability/scenarios.py; deep tool
arguments: tests/e2e/test_tools_e2e.py.)
"""

from __future__ import annotations

import asyncio

import pytest

from pyllm.testing import FakeOpenRouter, text

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_deep_structured_output_leaves_parsed_empty(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text('{"a": ' + DEEP + "}", chunks=3))
    chat = server.chat().with_schema({"type": "object", "properties": {"a": {}}})
    if mode == "sync":
        reply = chat.ask("go")
    elif mode == "async":
        reply = asyncio.run(chat.aask("go"))
    else:
        stream = chat.stream("go")
        stream.text()
        assert stream.message is not None
        reply = stream.message
    assert reply.parsed is None and reply.content.startswith('{"a": [[[')
    assert [m.role for m in chat.messages] == ["user", "assistant"]
