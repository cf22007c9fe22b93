"""One ``ask``/``stream`` call as a transaction over the chat's history. Pure; no I/O.

Messages are *staged* and reach ``chat.messages`` only at safe points: when the answer is
complete, or when a tool round (an assistant message and a result for each of its calls) is
whole. A failure drops what is staged, so the history is exactly as before the call, or ends at
the last whole tool round (``chat.ask()`` with no argument resumes from there). A stream the
caller stops early keeps what arrived as a message marked ``finish_reason="incomplete"``.

A call may also end with tool calls *open* (``with_tools(execute=False)``: the caller runs
them): the history then ends with that assistant message, and the results the caller adds
follow it. :func:`open_calls` reads which calls are still waiting from the history alone. A
new message while calls are open answers them first with a "not run" result, so what is sent
is always a valid conversation.
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

__all__ = ["Exchange", "Hooks", "open_calls"]

NOT_RUN = (
    "Error: this call did not run: the conversation moved on (a new message came) before its "
    "result was given."
)
"""The result a call still open gets when a new message comes instead of its result."""


def open_calls(history: list[Message]) -> list[ToolCall]:
    """The tool calls of the history's last assistant message that have no result yet, if
    only tool results follow it (``with_tools(execute=False)`` leaves them for the caller).

    >>> from pyllm.message import ToolCall
    >>> asked = Message("assistant", tool_calls=(ToolCall("c1", "a"), ToolCall("c2", "b")))
    >>> [c.id for c in open_calls([Message.user("hi"), asked, Message.tool("c1", "done")])]
    ['c2']
    """
    answered: set[str | None] = set()
    for message in reversed(history):
        if message.role == "tool":
            answered.add(message.tool_call_id)
        elif message.role == "assistant":
            return [call for call in message.tool_calls if call.id not in answered]
        else:
            return []
    return []


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
        "_first",
        "_halt",
        "_usages",
        "corrections",
        "finished",
        "history",
        "hooks",
        "max_rounds",
        "on_commit",
        "parser",
        "pending",
        "result",
        "rounds",
        "staged",
    )

    def __init__(
        self,
        history: list[Message],
        hooks: Hooks,
        first: Message | None,
        *,
        max_rounds: int = 25,
        on_commit: Callable[[tuple[Message, ...]], Any] | None = None,
    ) -> None:
        self.history = history
        self.on_commit = on_commit
        """Told the messages of each commit, right after they reach the history (a store)."""
        self.hooks = hooks
        self.pending: list[ToolCall] = open_calls(history)  # left open by an earlier call
        self.staged: list[Message] = []
        self._first: Message | None = first
        if first is not None:  # a new message: calls still open are answered "not run" first
            self.staged = [Message.tool(c.id, NOT_RUN, is_error=True) for c in self.pending]
            self.staged.append(first)
            self.pending = []
        self.parser: StreamParser | None = None
        self.result: Message | None = None
        self.finished = False
        self.rounds = 0
        self.corrections = 0  # answers re-asked for because they did not fit the schema
        self.max_rounds = max_rounds
        self._halt: Message | None = None
        self._usages: list[Usage] = []  # of every answer accepted in this call

    def outcome(self) -> Message:
        """The message the finished call returns (the answer, a halting tool's result, or
        the partial answer kept when the caller stopped early)."""
        if self.result is None:
            raise RuntimeError("the call has not finished")
        return self.result

    def new_files(self) -> tuple[Attachment, ...]:
        """The attachments of the message this call adds."""
        first = self._first
        return first.attachments if first is not None and first.role == "user" else ()

    def downloads(self, url_kinds: frozenset[str]) -> list[tuple[int, str]]:
        """``(attachment index, url)`` of the new message's attachments to download first:
        the remote ones not sent as their URL (``url_kinds``: what the provider fetches)."""
        first = self._first
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
        first = self._first
        assert first is not None
        files = list(first.attachments)
        files[index] = files[index].downloaded(data, content_type, url_kinds).check()
        self._first = first.replace(attachments=tuple(files))
        self.staged[self.staged.index(first)] = self._first

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

    def correct(self, answer: Message, feedback: str) -> None:
        """An answer that did not fit the chat's schema: stage it with ``feedback`` (a user
        message saying what was wrong) for the model to try again."""
        self._check_open()
        self.parser = None
        if answer.usage is not None:
            self._usages.append(answer.usage)
        self.staged.append(answer)
        for hook in self.hooks.end_message:
            hook(answer)
        self.staged.append(Message.user(feedback))
        self.corrections += 1

    def leave_open(self) -> None:
        """End the call at the message just accepted, its tool calls left for the caller to
        run (``execute=False``): committed, so their results can follow it in the history."""
        self._check_open()
        self._finish(self.staged[-1])

    def record(self, result: ToolResult) -> Message:
        """Stage a tool's result (its files go with it: the protocol decides where they are
        sent); a round whose calls all have results is committed."""
        self._check_open()
        message = Message.tool(
            result.call.id, result.content, is_error=result.is_error, attachments=result.attachments
        )
        if result.halted:
            message = message.replace(parsed=result.value)
            self._halt = self._halt or message
        self.staged.append(message)
        self.pending = [c for c in self.pending if c is not result.call]
        if not self.pending:
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
        """The safe point: what is staged reaches the history (and ``on_commit`` hears of it)."""
        committed = tuple(self.staged)
        self.history.extend(committed)
        self.staged.clear()
        if self.on_commit is not None and committed:
            self.on_commit(committed)

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
