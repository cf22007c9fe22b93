"""One ``ask``/``stream`` call as a transaction over the chat's history. Pure; no I/O.

Messages are *staged* and reach ``chat.messages`` only at safe points: when the answer is
complete, or when a tool round (an assistant message and a result for each of its calls) is
whole. A failure drops what is staged, so the history is exactly as before the call, or ends at
the last whole tool round (``chat.ask()`` with no argument resumes from there). A stream the
caller stops early keeps what arrived as a message marked ``finish_reason="incomplete"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ._stream import StreamParser

if TYPE_CHECKING:
    from .message import Message
    from .protocols.base import ChatProtocol

__all__ = ["Exchange", "Hooks"]


class Hooks:
    """Callbacks registered with ``chat.on_*``; each event may have several."""

    __slots__ = ("end_message", "new_message", "tool_call", "tool_result")

    def __init__(self) -> None:
        self.new_message: list[Callable[[], Any]] = []
        self.end_message: list[Callable[[Message], Any]] = []
        self.tool_call: list[Callable[[Any], Any]] = []
        self.tool_result: list[Callable[[Any], Any]] = []


class Exchange:
    """The messages of one call, staged until they can be committed to ``history``."""

    def __init__(self, history: list[Message], hooks: Hooks, first: Message | None) -> None:
        self.history = history
        self.hooks = hooks
        self.staged: list[Message] = [first] if first is not None else []
        self.parser: StreamParser | None = None
        self.result: Message | None = None
        self.finished = False

    def messages(self) -> tuple[Message, ...]:
        """What the next request sends: the history plus everything staged."""
        return (*self.history, *self.staged)

    def begin_message(self, protocol: ChatProtocol | None = None) -> StreamParser | None:
        """A new assistant message starts (``on_new_message``); for streams, its parser."""
        self._check_open()
        for hook in self.hooks.new_message:
            hook()
        self.parser = StreamParser(protocol) if protocol is not None else None
        return self.parser

    def accept(self, message: Message) -> bool:
        """Take a complete assistant message. True when the exchange is over."""
        self._check_open()
        self.parser = None
        self.staged.append(message)
        for hook in self.hooks.end_message:
            hook(message)
        self.commit()
        self.result = message
        self.finished = True
        return True

    def commit(self) -> None:
        self.history.extend(self.staged)
        self.staged.clear()

    def fail(self) -> None:
        """Drop everything not yet committed."""
        self.staged.clear()
        self.parser = None
        self.finished = True

    def abandon(self) -> None:
        """The caller stopped early: keep what arrived as an ``incomplete`` message."""
        if self.finished:
            return
        partial = self.parser.partial() if self.parser is not None else None
        if partial is None:
            self.fail()
            return
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

    @contextmanager
    def guard(self) -> Iterator[Exchange]:
        """Commit on success; drop on error; keep the partial when the caller stops early."""
        try:
            yield self
        except Exception:  # an API error, a broken stream, a failing hook: nothing half-done
            self.fail()
            raise
        except BaseException:  # GeneratorExit, cancellation, Ctrl-C: the caller stopped
            self.abandon()
            raise
