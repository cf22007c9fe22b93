"""Files a tool returned, for protocols that cannot send them inside a tool result. Pure.

A tool's result may carry files (``Message.tool(..., attachments=...)``: a chart, a PDF). Where
they go is the protocol's to say, by its ``tool_result_attachments`` attribute:

- ``True`` (Anthropic Messages): inside the tool result itself, as content blocks the
  protocol renders next to the result's text;
- ``False`` (Chat Completions, whose ``tool`` messages carry text only): :func:`lift_files`
  moves them into one user message right after the round's results, which every provider
  accepts.

>>> from pyllm.content import Attachment
>>> from pyllm.message import Message, ToolCall
>>> chart = Attachment(data=b"\\x89PNG\\r\\n\\x1a\\n...")
>>> asked = Message("assistant", tool_calls=(ToolCall("c1", "chart"), ToolCall("c2", "sum")))
>>> results = (Message.tool("c1", "A chart.", attachments=(chart,)), Message.tool("c2", "3"))
>>> for m in lift_files((asked, *results)):
...     print(m.role, repr(m.content), len(m.attachments))
assistant '' 0
tool 'A chart.' 0
tool '3' 0
user 'Attachments from tool call c1:' 1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..message import Message

__all__ = ["lift_files"]


def lift_files(messages: Sequence[Message]) -> tuple[Message, ...]:
    """``messages`` with the files of each run of tool results moved out of them, into a user
    message per result (labelled with its call id) right after the run. Nothing else changes;
    without such files, the same messages."""
    if not any(m.attachments for m in messages if m.role == "tool"):
        return tuple(messages)
    lifted: list[Message] = []
    files: list[Message] = []
    for message in messages:
        if message.role != "tool":
            lifted.extend(files)
            files.clear()
            lifted.append(message)
            continue
        if message.attachments:
            label = f"Attachments from tool call {message.tool_call_id}:"
            files.append(type(message).user(label, message.attachments))
            message = message.replace(attachments=())
        lifted.append(message)
    lifted.extend(files)
    return tuple(lifted)
