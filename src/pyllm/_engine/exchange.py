"""One ``ask``/``stream`` call as a transaction over the chat's history. Pure; no I/O.

Messages are *staged* and reach ``chat.messages`` only at safe points: when the answer is
complete, or when a tool round (an assistant message and a result for each of its calls) is
whole. A failure drops what is staged, so the history is exactly as before the call, or ends at
the last whole tool round (``chat.ask()`` with no argument resumes from there). A stream the
caller stops early keeps what arrived as a message marked ``finish_reason="incomplete"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import InvalidResponseError, ToolError
from ..message import Message, Usage
from .parser import StreamParser

if TYPE_CHECKING:
    from ..content import Attachment
    from ..message import ToolCall
    from ..protocols.base import ChatProtocol
    from ..tools import ToolResult

__all__ = ["Exchange", "Hooks"]


class Hooks:
    """Callbacks registered with ``chat.on_*``; each event may have several."""

    __slots__ = ("end_message", "fallback", "new_message", "tool_call", "tool_result")

    def __init__(self) -> None:
        self.fallback: list[Callable[[Exception, Any, Any], Any]] = []
        self.new_message: list[Callable[[], Any]] = []
        self.end_message: list[Callable[[Message], Any]] = []
        self.tool_call: list[Callable[[Any], Any]] = []
        self.tool_result: list[Callable[[Any], Any]] = []


def _check_call_ids(message: Message) -> None:
    """Each tool call needs its own id: every result is matched to its call by id."""
    if len(message.tool_calls) < 2:
        return
    ids = [call.id for call in message.tool_calls]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InvalidResponseError(
            f"the model asked for {len(ids)} tool calls but some share an id "
            f"({', '.join(map(repr, repeated))}), so their results could not be told apart; "
            "no tool ran and the history is unchanged. Ask again",
            status=200,
            provider=message.provider,
            generation_id=message.id,
        )


class Exchange:
    """The messages of one call, staged until they can be committed to ``history``."""

    __slots__ = (
        "_files",
        "_halt",
        "_usages",
        "finished",
        "history",
        "hooks",
        "max_rounds",
        "parser",
        "pending",
        "result",
        "rounds",
        "staged",
    )

    def __init__(
        self, history: list[Message], hooks: Hooks, first: Message | None, *, max_rounds: int = 25
    ) -> None:
        self.history = history
        self.hooks = hooks
        self.staged: list[Message] = [first] if first is not None else []
        self.parser: StreamParser | None = None
        self.result: Message | None = None
        self.finished = False
        self.pending: list[ToolCall] = []
        self.rounds = 0
        self.max_rounds = max_rounds
        self._halt: Message | None = None
        self._files: list[Message] = []
        self._usages: list[Usage] = []  # of every answer accepted in this call

    def outcome(self) -> Message:
        """The message the finished call returns (the answer, a halting tool's result, or
        the partial answer kept when the caller stopped early)."""
        if self.result is None:
            raise RuntimeError("the call has not finished")
        return self.result

    def new_files(self) -> tuple[Attachment, ...]:
        """The attachments of the message this call adds."""
        first = self.staged[0] if self.staged else None
        return first.attachments if first is not None and first.role == "user" else ()

    def downloads(self, url_kinds: frozenset[str]) -> list[tuple[int, str]]:
        """``(attachment index, url)`` of the new message's attachments to download first:
        the remote ones not sent as their URL (``url_kinds``: what the provider fetches)."""
        first = self.staged[0] if self.staged else None
        if first is None or first.role != "user":
            return []
        return [
            (i, a.url)
            for i, a in enumerate(first.attachments)
            if a.url and a.needs_download_for(url_kinds)
        ]

    def downloaded(
        self, index: int, data: bytes, content_type: str | None, url_kinds: frozenset[str]
    ) -> None:
        """Put the downloaded bytes of attachment ``index`` in place (checked like local ones);
        a kind in ``url_kinds`` keeps its URL unless its download was asked for."""
        first = self.staged[0]
        files = list(first.attachments)
        files[index] = files[index].downloaded(data, content_type, url_kinds).check()
        self.staged[0] = first.replace(attachments=tuple(files))

    def messages(self) -> tuple[Message, ...]:
        """What the next request sends: the history plus everything staged."""
        return (*self.history, *self.staged)

    def begin_message(self) -> None:
        """A new assistant message starts (``on_new_message``)."""
        self._check_open()
        for hook in self.hooks.new_message:
            hook()

    def start_stream(self, protocol: ChatProtocol) -> StreamParser:
        """A (new attempt at a) streamed message: its parser, kept for partials."""
        self._check_open()
        self.parser = StreamParser(protocol)
        return self.parser

    def accept(self, message: Message) -> bool:
        """Take a complete assistant message. True when the exchange is over; False when its
        tool calls (now in ``pending``) must run first."""
        self._check_open()
        _check_call_ids(message)
        self.parser = None
        if message.usage is not None:
            self._usages.append(message.usage)
        if not message.tool_calls:
            message = self._totalled(message)
        self.staged.append(message)
        for hook in self.hooks.end_message:
            hook(message)
        if message.tool_calls:
            self.rounds += 1
            if self.rounds > self.max_rounds:
                raise ToolError(
                    f"the model asked for tools {self.rounds} times without answering "
                    f"(max_tool_rounds={self.max_rounds}); raise the limit with "
                    "chat.with_tools(max_tool_rounds=...) or check what the tools return"
                )
            self.pending = list(message.tool_calls)
            return False
        self._finish(message)
        return True

    def record(self, result: ToolResult) -> Message:
        """Stage a tool's result; a round whose calls all have results is committed."""
        self._check_open()
        message = Message.tool(result.call.id, result.content, is_error=result.is_error)
        if result.halted:
            message = message.replace(parsed=result.value)
            self._halt = self._halt or message
        self.staged.append(message)
        if result.attachments:  # after every tool result of the round, as providers require
            label = f"Attachments from tool call {result.call.id}:"
            self._files.append(Message.user(label, result.attachments))
        self.pending = [c for c in self.pending if c is not result.call]
        if not self.pending:
            self.staged.extend(self._files)
            self._files.clear()
            if self._halt is not None:
                self._finish(self._halt)
            else:
                self.commit()
        return message

    def _finish(self, result: Message) -> None:
        if result.turn_usage is None:  # a tool's Halt ends the call: it carries the totals too
            totalled = self._totalled(result)
            self.staged[:] = [totalled if m is result else m for m in self.staged]
            result = totalled
        self.commit()
        self.result = result
        self.finished = True

    def _totalled(self, message: Message, *, own: bool = False) -> Message:
        """``message`` with ``turn_usage``: the usage of every answer of this call (and its own
        when it was not accepted, as a partial)."""
        usages = [*self._usages, message.usage] if own and message.usage else self._usages
        return message.replace(turn_usage=Usage.sum(usages)) if usages else message

    def commit(self) -> None:
        self.history.extend(self.staged)
        self.staged.clear()

    def fail(self) -> None:
        """Drop everything not yet committed."""
        self.staged.clear()
        self.parser = None
        self.finished = True

    def abandon(self, *, superseded: bool = False) -> None:
        """The caller stopped early (or, ``superseded``, a newer request on the same chat took
        over): keep what arrived as an ``incomplete`` message."""
        if self.finished:
            return
        if superseded and self.parser is not None:
            self.parser.superseded = True  # its stream, if read on, raises instead
        partial = self.parser.partial() if self.parser is not None else None
        if partial is None:
            self.fail()
            return
        partial = self._totalled(partial, own=True)
        self.staged.append(partial)
        for hook in self.hooks.end_message:
            hook(partial)
        self.commit()
        self.result = partial
        self.parser = None
        self.finished = True

    def _check_open(self) -> None:
        if self.finished:
            raise RuntimeError(
                "this stream was stopped, or superseded by a newer request on the same chat"
            )
