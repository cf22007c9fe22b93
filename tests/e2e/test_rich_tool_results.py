"""Tools that return files, and values that cannot be sent (issue 15), in every mode."""

from __future__ import annotations

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, ToolCallSpec, text, tool_call

from .test_tool_approval import TINY_PNG
from .test_tools_e2e import MODES, run, weather


@pyllm.tool
def chart(metric: str) -> pyllm.Content:
    """A chart of a metric."""
    return pyllm.Content(f"The {metric} chart.", [pyllm.Attachment(data=TINY_PNG)])


@pyllm.tool
def text_as_dict() -> pyllm.Content:
    """Puts a dict where the text goes."""
    return pyllm.Content({"total": 3}, [])  # type: ignore[arg-type]


@pyllm.tool
def bare_list() -> list[pyllm.Attachment]:
    """Returns a list of files instead of pyllm.Content."""
    return [pyllm.Attachment(data=TINY_PNG)]


@pytest.mark.parametrize("mode", MODES)
def test_files_stay_with_their_result_and_follow_the_whole_round_on_the_wire(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(
        tool_call(
            "chart",
            {"metric": "sales"},
            tool_calls=[
                ToolCallSpec("weather", {"city": "Oslo"}),
                ToolCallSpec("chart", {"metric": "costs"}),
            ],
        ),
        text("Two charts."),
    )
    chat = server.chat().with_tools(chart, weather)
    run(chat, mode)
    results = [m for m in chat.messages if m.role == "tool"]
    assert [len(m.attachments) for m in results] == [1, 0, 1]
    assert [m.role for m in chat.messages] == [
        "user",
        "assistant",
        "tool",
        "tool",
        "tool",
        "assistant",
    ]
    sent = server.requests[-1].json["messages"]
    assert [m["role"] for m in sent] == [
        "user",
        "assistant",
        "tool",
        "tool",
        "tool",
        "user",
        "user",
    ]
    calls = chat.messages[1].tool_calls
    assert sent[5]["content"][0]["text"] == f"Attachments from tool call {calls[0].id}:"
    assert sent[6]["content"][0]["text"] == f"Attachments from tool call {calls[2].id}:"


@pytest.mark.parametrize("mode", MODES)
def test_content_whose_text_is_not_a_string_is_an_error_naming_its_type(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("text_as_dict", tool_calls=[ToolCallSpec("bare_list")]), text("ok"))
    chat = server.chat().with_tools(text_as_dict, bare_list)
    run(chat, mode)
    as_dict, as_list = (m for m in chat.messages if m.role == "tool")
    assert as_dict.is_error and "pyllm.Content whose text is a builtins.dict" in as_dict.content
    assert "{'total'" not in as_dict.content  # never its repr
    assert as_list.is_error and "a pyllm.Attachment inside another value has no" in as_list.content
    assert "pyllm.Content" in as_list.content  # what to return instead
    assert not as_dict.attachments and not as_list.attachments
