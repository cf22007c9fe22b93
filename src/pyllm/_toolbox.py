"""A chat's tools and how one call runs: look up, check arguments, run (sync or async), report.

Checking and reporting are shared; only the two ``run`` methods differ (how they await).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .errors import ToolError
from .tools import FunctionTool, Tool, ToolResult, failed, finished, run_coroutine

if TYPE_CHECKING:
    from ._loop import Hooks
    from .message import ToolCall
    from .request import ToolDefinition

__all__ = ["Toolbox"]

_CHOICES = ("auto", "none", "required")


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
        self.choice: str | None = None
        self.parallel: bool | None = None
        self.max_rounds: int | None = None
        self.raise_errors: bool | None = None

    def add(self, items: Iterable[Any]) -> None:
        for item in items:
            added = as_tool(item)
            added.definition()  # fail now on a bad name or an undescribable parameter
            self.tools[added.name] = added

    def clear(self) -> None:
        self.tools.clear()
        self.choice = None

    def set_choice(self, choice: str | None) -> None:
        if choice is not None and choice not in _CHOICES and choice not in self.tools:
            known = ", ".join([*_CHOICES, *self.tools])
            raise ValueError(f"tool choice {choice!r} is not one of: {known}")
        self.choice = choice

    def definitions(self) -> tuple[ToolDefinition, ...]:
        return tuple(t.definition() for t in self.tools.values())

    def forced_choice(self) -> bool:
        """``required`` or a tool name: applies to the first request of a call only, so the
        model can answer once the tool has run."""
        return self.choice is not None and self.choice not in ("auto", "none")

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
        for hook in hooks.tool_result:
            hook(result)
        return result

    def run(self, call: ToolCall, hooks: Hooks, *, raise_errors: bool) -> ToolResult:
        """Run one call in the sync loop (async tools run on a private event loop)."""
        prepared = self._prepare(call, hooks)
        if isinstance(prepared, ToolResult):
            return self._report(prepared, hooks, raise_errors)
        found, arguments = prepared
        try:
            value = found.function(**arguments)
            if inspect.isawaitable(value):
                value = run_coroutine(_awaited(value))
            result = finished(call, value)
        except Exception as exc:
            result = failed(call, exc)
        return self._report(result, hooks, raise_errors)

    async def arun(self, call: ToolCall, hooks: Hooks, *, raise_errors: bool) -> ToolResult:
        """Run one call in the async loop (sync tools run in a worker thread)."""
        prepared = self._prepare(call, hooks)
        if isinstance(prepared, ToolResult):
            return self._report(prepared, hooks, raise_errors)
        found, arguments = prepared
        try:
            if found.is_async:
                value = await found.function(**arguments)
            else:
                value = await asyncio.to_thread(_call, found.function, arguments)
                if inspect.isawaitable(value):
                    value = await value
            result = finished(call, value)
        except Exception as exc:
            result = failed(call, exc)
        return self._report(result, hooks, raise_errors)


def _call(function: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    return function(**arguments)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
