"""Running one tool function within a time limit.

A sync tool runs in a daemon worker thread, so a tool that hangs can be given up on (Python
cannot stop a thread: it keeps running, but nobody waits for it and it never holds up exit).
An async tool in the async loop runs under ``asyncio.wait_for``, which cancels it. Either way
``ToolTimeout`` says the limit passed; the tool's own exceptions come out as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import queue
import threading
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["ToolTimeout", "call_async", "call_sync"]

Outcome = tuple[bool, Any]
"""``(True, value)`` when the tool returned, ``(False, exception)`` when it raised."""


class ToolTimeout(Exception):
    """The tool did not finish within ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish within {seconds:g} seconds")
        self.seconds = seconds


def call_sync(function: Callable[..., Any], arguments: dict[str, Any], limit: float | None) -> Any:
    """``function(**arguments)`` from sync code, awaited on a private loop if it is async."""
    box: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
    _start(function, arguments, box.put, limit, run_awaitables=True)
    try:
        outcome = box.get(timeout=limit)
    except queue.Empty:
        raise ToolTimeout(limit or 0) from None
    return _unpack(outcome)


async def call_async(
    function: Callable[..., Any], arguments: dict[str, Any], limit: float | None, *, is_async: bool
) -> Any:
    """``function(**arguments)`` from the event loop: awaited if async, else in a thread."""
    if is_async:
        return await _bounded(function(**arguments), limit)
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Outcome] = loop.create_future()

    def deliver(outcome: Outcome) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(_settle, future, outcome)

    started = loop.time()
    _start(function, arguments, deliver, limit, run_awaitables=False)
    try:
        outcome = await asyncio.wait_for(future, limit)
    except asyncio.TimeoutError:
        raise ToolTimeout(limit or 0) from None
    value = _unpack(outcome)
    if inspect.isawaitable(value):  # a sync function that returned an awaitable
        remaining = None if limit is None else max(0.0, limit - (loop.time() - started))
        return await _bounded(value, remaining)
    return value


def _start(
    function: Callable[..., Any],
    arguments: dict[str, Any],
    deliver: Callable[[Outcome], None],
    limit: float | None,
    *,
    run_awaitables: bool,
) -> None:
    context = contextvars.copy_context()

    def work() -> None:
        try:
            value = context.run(function, **arguments)
            if run_awaitables and inspect.isawaitable(value):
                value = asyncio.run(_bounded(value, limit))
        except BaseException as exc:  # delivered to the waiting side, which re-raises it
            deliver((False, exc))
        else:
            deliver((True, value))

    name = getattr(function, "__name__", "tool")
    threading.Thread(target=work, name=f"pyllm-tool-{name}", daemon=True).start()


async def _bounded(awaitable: Awaitable[Any], limit: float | None) -> Any:
    try:
        outcome = await asyncio.wait_for(_outcome(awaitable), limit)
    except asyncio.TimeoutError:  # only the limit: the tool's own errors are in the outcome
        raise ToolTimeout(limit or 0) from None
    return _unpack(outcome)


async def _outcome(awaitable: Awaitable[Any]) -> Outcome:
    try:
        return True, await awaitable
    except Exception as exc:
        return False, exc


def _settle(future: asyncio.Future[Outcome], outcome: Outcome) -> None:
    if not future.done():  # not given up on (timed out or cancelled)
        future.set_result(outcome)


def _unpack(outcome: Outcome) -> Any:
    ok, value = outcome
    if ok:
        return value
    raise value
