"""A chat's tools and how one call runs: look up, check arguments, run (sync or async) within
the tool's time limit, shape the result (files allowed, length capped), report.

Checking and reporting are shared; only the two ``run`` methods differ (how they await).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._arguments import whole
from ..errors import ToolError
from ..request import ServerTool
from ..tools import (
    DEFAULT_MAX_RESULT_CHARS,
    DEFAULT_TOOL_TIMEOUT,
    FilePolicy,
    FunctionTool,
    Tool,
    ToolResult,
    check_files,
    check_timeout,
    failed,
    finished,
)
from .tool_run import ToolTimeout, call_async, call_sync

if TYPE_CHECKING:
    from ..message import ToolCall
    from ..request import ToolDefinition
    from .exchange import Hooks

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
    ) -> None:
        """``chat.with_tools(...)``: add ``tools`` and change what is given (``None`` keeps a
        setting)."""
        self.add(tools)
        self.set_limits(timeout=timeout, max_result_chars=max_result_chars, allow_files=allow_files)
        if choice is not None:
            self.set_choice(choice)
        if parallel is not None:
            self.parallel = bool(parallel)
        if max_rounds is not None:
            self.max_rounds = whole("max_tool_rounds", max_rounds)
        if raise_errors is not None:
            self.raise_errors = bool(raise_errors)

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

    def _report(self, result: ToolResult, hooks: Hooks, raise_errors: bool) -> ToolResult:
        if raise_errors and result.error is not None:
            raise result.error
        result = self._capped(result)
        for hook in hooks.tool_result:
            hook(result)
        return result

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

    def run(self, call: ToolCall, hooks: Hooks, *, raise_errors: bool) -> ToolResult:
        """Run one call in the sync loop: in a worker thread, within the tool's time limit
        (async tools run on a private event loop there)."""
        prepared = self._prepare(call, hooks)
        if isinstance(prepared, ToolResult):
            return self._report(prepared, hooks, raise_errors)
        found, arguments = prepared
        try:
            value = call_sync(found.function, arguments, self._limit(found))
        except Exception as exc:
            result = self._failed(call, exc)
        else:
            result = finished(call, value, self.files)
        return self._report(result, hooks, raise_errors)

    async def arun(self, call: ToolCall, hooks: Hooks, *, raise_errors: bool) -> ToolResult:
        """Run one call in the async loop within the tool's time limit (sync tools run in a
        worker thread)."""
        prepared = self._prepare(call, hooks)
        if isinstance(prepared, ToolResult):
            return self._report(prepared, hooks, raise_errors)
        found, arguments = prepared
        try:
            value = await call_async(
                found.function, arguments, self._limit(found), is_async=found.is_async
            )
        except Exception as exc:
            result = self._failed(call, exc)
        else:
            result = finished(call, value, self.files)
        return self._report(result, hooks, raise_errors)

    def run_all(
        self, calls: Iterable[ToolCall], hooks: Hooks, *, raise_errors: bool
    ) -> list[ToolResult]:
        """Run ``calls`` in the sync loop, one after another; their results in call order."""
        return [self.run(call, hooks, raise_errors=raise_errors) for call in calls]

    async def arun_all(
        self, calls: Iterable[ToolCall], hooks: Hooks, *, raise_errors: bool
    ) -> list[ToolResult]:
        """Async twin of :meth:`run_all`."""
        return [await self.arun(call, hooks, raise_errors=raise_errors) for call in calls]
