"""A chat's tools and how the calls of one assistant message run: look up, check arguments,
ask ``confirm``, run them concurrently (sync or async) each within its time limit, shape the
results (files allowed, length capped), report.

The order, for the calls of one message (in call order unless said):

1. for each call: ``on_tool_call`` hooks, then (if the call is valid) ``confirm(call)``;
2. the allowed calls run at once, at most ``concurrency`` at a time; one failing, timing out
   or refused never stops the others;
3. for each call: ``on_tool_result`` hooks, once every call has finished.

Checking and reporting are shared; only :meth:`Toolbox.run_all` and :meth:`Toolbox.arun_all`
differ (how they await).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .._arguments import whole
from ..errors import ToolError
from ..message import Message
from ..request import ServerTool
from ..tools import (
    DEFAULT_MAX_RESULT_CHARS,
    DEFAULT_TOOL_CONCURRENCY,
    DEFAULT_TOOL_TIMEOUT,
    FilePolicy,
    FunctionTool,
    Halt,
    Tool,
    ToolResult,
    check_files,
    check_timeout,
    failed,
    finished,
    refused,
)
from .tool_run import ToolTimeout, call_async, call_many_sync, call_sync, gather_bounded

if TYPE_CHECKING:
    from ..message import ToolCall
    from ..request import ToolDefinition
    from .exchange import Hooks

Admitted = tuple[Tool, dict[str, Any]] | ToolResult
"""A call ready to run (its tool and arguments), or already answered (bad, unknown, refused)."""

__all__ = ["Toolbox", "is_forced"]

_CHOICES = ("auto", "none", "required")


def is_forced(choice: str | None) -> bool:
    """``required`` or a tool name: a choice that applies to the first request of a call only,
    so the model can answer once the tool has run.

    >>> is_forced("required"), is_forced("weather"), is_forced("auto"), is_forced(None)
    (True, True, False, False)
    """
    return choice is not None and choice not in ("auto", "none")


def as_tool(item: Any) -> Tool:
    """A ``Tool`` from a decorated function, a Tool instance or subclass, or a plain function."""
    if isinstance(item, Tool):
        return item
    if isinstance(item, type) and issubclass(item, Tool):
        try:
            return item()
        except TypeError as exc:
            raise ToolError(
                f"cannot create {item.__name__}() for you ({exc}); pass an instance"
            ) from exc
    if callable(item):
        return FunctionTool(item)
    raise ToolError(f"not a tool: {item!r}; use @pyllm.tool functions or pyllm.Tool subclasses")


class Toolbox:
    """The tools of one chat plus how the model may use them."""

    def __init__(self) -> None:
        self.tools: dict[str, Tool] = {}
        self.server_tools: dict[str, ServerTool] = {}  # run by the provider, never here
        self.choice: str | None = None
        self.parallel: bool | None = None
        self.max_rounds: int | None = None
        self.raise_errors: bool | None = None
        self.timeout: float | None = DEFAULT_TOOL_TIMEOUT
        self.max_result_chars: int = DEFAULT_MAX_RESULT_CHARS
        self.files: FilePolicy = False
        self.concurrency: int = DEFAULT_TOOL_CONCURRENCY
        self.confirm: Callable[[ToolCall], Any] | None = None
        self.execute: bool = True

    def add(self, items: Iterable[Any]) -> None:
        for item in items:
            if isinstance(item, ServerTool):
                self.server_tools[item.type] = item
                continue
            added = as_tool(item)
            added.definition()  # fail now on a bad name or an undescribable parameter
            check_timeout(added.timeout, f"the timeout of tool {added.name!r}")
            self.tools[added.name] = added

    def set_limits(
        self, *, timeout: Any = None, max_result_chars: Any = None, allow_files: Any = None
    ) -> None:
        """Change what is given (``None`` keeps a setting): the time limit of tools without
        their own, the longest result sent, which local files named by path may be sent."""
        if timeout is not None:
            self.timeout = check_timeout(timeout, "tool_timeout")
        if max_result_chars is not None:
            if (
                isinstance(max_result_chars, bool)
                or not isinstance(max_result_chars, int)
                or max_result_chars < 1
            ):
                raise ValueError(
                    f"max_result_chars must be a positive whole number, got {max_result_chars!r}"
                )
            self.max_result_chars = max_result_chars
        if allow_files is not None:
            self.files = check_files(allow_files)

    def configure(
        self,
        tools: Iterable[Any],
        *,
        choice: str | None = None,
        parallel: bool | None = None,
        max_rounds: int | None = None,
        raise_errors: bool | None = None,
        timeout: Any = None,
        max_result_chars: Any = None,
        allow_files: Any = None,
        concurrency: Any = None,
        confirm: Any = None,
        execute: Any = None,
    ) -> None:
        """``chat.with_tools(...)``: add ``tools`` and change what is given (``None`` keeps a
        setting)."""
        self.add(tools)
        self.set_control(concurrency=concurrency, confirm=confirm, execute=execute)
        self.set_limits(timeout=timeout, max_result_chars=max_result_chars, allow_files=allow_files)
        if choice is not None:
            self.set_choice(choice)
        if parallel is not None:
            self.parallel = bool(parallel)
        if max_rounds is not None:
            self.max_rounds = whole("max_tool_rounds", max_rounds)
        if raise_errors is not None:
            self.raise_errors = bool(raise_errors)

    def set_control(self, *, concurrency: Any, confirm: Any, execute: Any) -> None:
        """How many calls run at once, who approves each, and whether pyllm runs them at all
        (``execute=False``: the caller does, with ``chat.add_tool_result``)."""
        if concurrency is not None:
            self.concurrency = whole("concurrency", concurrency)
        if confirm is not None:
            if not callable(confirm):
                raise TypeError(
                    "confirm must be a function taking the pyllm.ToolCall and returning True, "
                    f"False or a reason (a string), got {type(confirm).__name__}"
                )
            self.confirm = confirm
        if execute is not None:
            if not isinstance(execute, bool):
                raise TypeError(f"execute must be True or False, got {execute!r}")
            self.execute = execute

    def clear(self) -> None:
        self.tools.clear()
        self.server_tools.clear()
        self.choice = None

    def set_choice(self, choice: str | None) -> None:
        named = choice in self.tools or choice in self.server_tools
        if choice is not None and choice not in _CHOICES and not named:
            known = ", ".join([*_CHOICES, *self.tools, *self.server_tools])
            raise ValueError(f"tool choice {choice!r} is not one of: {known}")
        self.choice = choice

    def definitions(self) -> tuple[ToolDefinition, ...]:
        return tuple(t.definition() for t in self.tools.values())

    def forced_choice(self) -> bool:
        """Whether the choice applies to the first request of a call only (:func:`is_forced`)."""
        return is_forced(self.choice)

    # ---- running ------------------------------------------------------------------------

    def _prepare(self, call: ToolCall, hooks: Hooks) -> tuple[Tool, dict[str, Any]] | ToolResult:
        for hook in hooks.tool_call:
            hook(call)
        found = self.tools.get(call.name)
        if found is None:
            available = ", ".join(self.tools) or "none"
            return ToolResult(
                call,
                f"Error: there is no tool named {call.name!r}. Available tools: {available}.",
                is_error=True,
            )
        arguments = found.prepare(call)
        if isinstance(arguments, ToolResult):
            return arguments
        return found, arguments

    def report(self, result: ToolResult, hooks: Hooks, raise_errors: bool) -> ToolResult:
        """``result`` capped to ``max_result_chars``, after the ``on_tool_result`` hooks saw it
        (with ``raise_errors``, a tool's exception is raised instead)."""
        if raise_errors and result.error is not None:
            raise result.error
        result = self._capped(result)
        for hook in hooks.tool_result:
            hook(result)
        return result

    def answered(self, call: ToolCall, value: Any, hooks: Hooks, *, is_error: bool) -> Message:
        """The tool message for ``value`` given by hand as ``call``'s result (manual tool
        loops), checked like a tool's own return value and reported to the hooks: a value with
        no JSON form raises ``TypeError``, local files the chat does not allow ``ToolError``."""
        if isinstance(value, Halt):
            raise TypeError("pyllm.Halt ends a tool loop from inside a tool; give the value itself")
        result = finished(call, value, self.files)
        if result.error is not None:  # no JSON form, or local files the chat does not allow
            raise result.error
        if is_error:
            result = dataclasses.replace(result, is_error=True)
        result = self.report(result, hooks, raise_errors=False)
        return Message.tool(
            call.id, result.content, is_error=result.is_error, attachments=result.attachments
        )

    def _capped(self, result: ToolResult) -> ToolResult:
        """``result`` with its text cut to ``max_result_chars`` and a note telling the model."""
        content, limit = result.content, self.max_result_chars
        if len(content) <= limit:
            return result
        note = (
            f"\n\n[pyllm: this tool result was truncated: it was {len(content):,} characters "
            f"and only the first {limit:,} are shown. Ask the tool for less if you need the rest.]"
        )
        return dataclasses.replace(result, content=content[:limit] + note)

    def _limit(self, tool: Tool) -> float | None:
        """Seconds ``tool`` may run: its own ``timeout``, else the chat's (``None``: no limit)."""
        limit = tool.timeout if tool.timeout is not None else self.timeout
        return None if limit is None or math.isinf(limit) else limit

    def _failed(self, call: ToolCall, exc: Exception) -> ToolResult:
        if not isinstance(exc, ToolTimeout):
            return failed(call, exc)
        message = (
            f"the tool {call.name!r} {exc} (its time limit), so pyllm stopped waiting for it. "
            "Try a smaller request, or answer without it"
        )
        return ToolResult(call, f"Error: {message}", is_error=True, error=ToolError(message))

    def _verdict(self, call: ToolCall, decision: Any) -> ToolResult | None:
        """What ``confirm`` decided: ``None`` to run the call, else the refusal result."""
        if decision is True:
            return None
        if decision is False or isinstance(decision, str):
            return refused(call, decision or None)
        raise TypeError(
            f"confirm must return True (run the call), False (refuse it) or a string (refuse "
            f"it, telling the model why), got {decision!r} for the call to {call.name!r}"
        )

    def _admit(self, call: ToolCall, hooks: Hooks) -> Admitted:
        """Hooks, checks and ``confirm`` for one call, in the sync loop (an async ``confirm``
        is awaited on a private event loop)."""
        prepared = self._prepare(call, hooks)
        if isinstance(prepared, ToolResult) or self.confirm is None:
            return prepared
        decision = self.confirm(call)
        if inspect.isawaitable(decision):
            decision = call_sync(lambda: decision, {}, None)
        return self._verdict(call, decision) or prepared

    async def _aadmit(self, call: ToolCall, hooks: Hooks) -> Admitted:
        """Async twin of :meth:`_admit`: an async ``confirm`` is awaited on the running loop."""
        prepared = self._prepare(call, hooks)
        if isinstance(prepared, ToolResult) or self.confirm is None:
            return prepared
        decision = self.confirm(call)
        if inspect.isawaitable(decision):
            decision = await decision
        return self._verdict(call, decision) or prepared

    def _finished(self, call: ToolCall, ok: bool, value: Any) -> ToolResult:
        return finished(call, value, self.files) if ok else self._failed(call, value)

    def run_all(
        self, calls: Iterable[ToolCall], hooks: Hooks, *, raise_errors: bool
    ) -> list[ToolResult]:
        """Run the calls of one message in the sync loop, at once (each in a worker thread,
        within its time limit; async tools on private event loops); results in call order."""
        admitted = [(call, self._admit(call, hooks)) for call in calls]
        ready = [(c, a) for c, a in admitted if not isinstance(a, ToolResult)]
        jobs = [(tool.function, arguments, self._limit(tool)) for _, (tool, arguments) in ready]
        outcomes = iter(call_many_sync(jobs, self.concurrency))
        results = [
            a if isinstance(a, ToolResult) else self._finished(c, *next(outcomes))
            for c, a in admitted
        ]
        return [self.report(result, hooks, raise_errors) for result in results]

    async def arun_all(
        self, calls: Iterable[ToolCall], hooks: Hooks, *, raise_errors: bool
    ) -> list[ToolResult]:
        """Async twin of :meth:`run_all`: ``asyncio.gather`` (sync tools in worker threads)."""
        admitted = [(call, await self._aadmit(call, hooks)) for call in calls]

        async def one(call: ToolCall, ready: Admitted) -> ToolResult:
            if isinstance(ready, ToolResult):
                return ready
            tool, arguments = ready
            try:
                value = await call_async(
                    tool.function, arguments, self._limit(tool), is_async=tool.is_async
                )
            except Exception as exc:
                return self._failed(call, exc)
            return finished(call, value, self.files)

        factories = [functools.partial(one, call, ready) for call, ready in admitted]
        results = await gather_bounded(factories, self.concurrency)
        return [self.report(result, hooks, raise_errors) for result in results]
