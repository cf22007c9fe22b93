"""Files returned by tools: kept on the tool message, placed on the wire by the protocol."""

from __future__ import annotations

from pyllm.content import Attachment
from pyllm.message import Message, ToolCall
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.protocols.tool_results import lift_files
from pyllm.request import ChatRequest

PNG = Attachment(data=b"\x89PNG\r\n\x1a\n...")
PDF = Attachment(data=b"%PDF-1.7 ...")


def round_of(*results: Message) -> tuple[Message, ...]:
    calls = tuple(ToolCall(r.tool_call_id or "", "t") for r in results)
    return (Message("assistant", tool_calls=calls), *results)


def test_files_follow_their_own_round_only() -> None:
    messages = (
        Message.user("go"),
        *round_of(Message.tool("a", "chart", attachments=(PNG,)), Message.tool("b", "plain")),
        *round_of(Message.tool("c", "report", attachments=(PDF, PNG))),
        Message("assistant", "done"),
    )
    lifted = lift_files(messages)
    assert [(m.role, m.tool_call_id or m.content) for m in lifted] == [
        ("user", "go"),
        ("assistant", ""),
        ("tool", "a"),
        ("tool", "b"),
        ("user", "Attachments from tool call a:"),
        ("assistant", ""),
        ("tool", "c"),
        ("user", "Attachments from tool call c:"),
        ("assistant", "done"),
    ]
    assert lifted[4].attachments == (PNG,) and lifted[7].attachments == (PDF, PNG)
    assert not any(m.attachments for m in lifted if m.role == "tool")


def test_without_files_nothing_changes() -> None:
    messages = (Message.user("go"), *round_of(Message.tool("a", "x")))
    assert lift_files(messages) == messages


def test_chat_completions_protocols_say_they_cannot_carry_files_in_results() -> None:
    for protocol in (ChatCompletions("openai"), OpenRouterDialect("openrouter")):
        assert protocol.tool_result_attachments is False
        request = ChatRequest(
            "m", (Message.user("go"), *round_of(Message.tool("a", "chart", attachments=(PNG,))))
        )
        sent = protocol.render_chat(request)["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "tool", "user"]
        assert sent[2]["content"] == "chart" and sent[3]["content"][1]["type"] == "image_url"
