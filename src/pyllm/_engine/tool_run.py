"""Running tool functions within their time limits, several at once.

A sync tool runs in a daemon worker thread, so a tool that hangs can be given up on (Python
cannot stop a thread: it keeps running, but nobody waits for it and it never holds up exit).
An async tool in the async loop runs under ``asyncio.wait_for``, which cancels it. Either way
``ToolTimeout`` says the limit passed; the tool's own exceptions come out as they are.

:func:`call_many_sync` runs the calls of one assistant message at once, at most
``concurrency`` at a time (each in its own worker thread, each within its own limit);
:func:`gather_bounded` is its async twin over ``asyncio.gather``. Neither stops the others
when one fails: each outcome is kept, in call order.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

__all__ = ["Job", "ToolTimeout", "call_async", "call_many_sync", "call_sync", "gather_bounded"]

T = TypeVar("T")

Outcome = tuple[bool, Any]
"""``(True, value)`` when the tool returned, ``(False, exception)`` when it raised."""


class ToolTimeout(Exception):
    """The tool did not finish within ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish within {seconds:g} seconds")
        self.seconds = seconds


Job = tuple[Callable[..., Any], dict[str, Any], "float | None"]
"""One call to make: ``(function, keyword arguments, time limit in seconds or None)``."""


def call_sync(function: Callable[..., Any], arguments: dict[str, Any], limit: float | None) -> Any:
    """``function(**arguments)`` from sync code, awaited on a private loop if it is async."""
    return _unpack(call_many_sync([(function, arguments, limit)], 1)[0])


def call_many_sync(jobs: Sequence[Job], concurrency: int) -> list[Outcome]:
    """Run ``jobs`` from sync code, at most ``concurrency`` at once, each in a worker thread
    within its own limit (a timed-out job's outcome is ``(False, ToolTimeout)`` and its slot is
    free again). Outcomes in job order; async functions are awaited on private loops."""
    outcomes: list[Outcome | None] = [None] * len(jobs)
    box: queue.SimpleQueue[tuple[int, Outcome]] = queue.SimpleQueue()
    waiting = list(range(len(jobs)))[::-1]  # popped from the end: first job first
    running: dict[int, float | None] = {}  # job -> when its limit passes

    def launch(index: int) -> None:
        function, arguments, limit = jobs[index]
        running[index] = None if limit is None else time.monotonic() + limit
        _start(function, arguments, lambda o: box.put((index, o)), limit, run_awaitables=True)

    while waiting or running:
        while waiting and len(running) < concurrency:
            launch(waiting.pop())
        deadlines = [d for d in running.values() if d is not None]
        wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        try:
            index, outcome = box.get(timeout=wait)
        except queue.Empty:  # a limit passed: give up on every job past its own
            now = time.monotonic()
            for index, deadline in list(running.items()):
                if deadline is not None and deadline <= now:
                    del running[index]
                    outcomes[index] = (False, ToolTimeout(jobs[index][2] or 0))
            continue
        if index in running:  # not given up on already
            del running[index]
            outcomes[index] = outcome
    return outcomes  # type: ignore[return-value]  # every job has its outcome now


async def gather_bounded(
    factories: Sequence[Callable[[], Awaitable[T]]], concurrency: int
) -> list[T]:
    """Await what each factory makes, at most ``concurrency`` at once; results in order."""
    gate = asyncio.Semaphore(concurrency)

    async def bounded(factory: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await factory()

    return list(await asyncio.gather(*(bounded(factory) for factory in factories)))


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
