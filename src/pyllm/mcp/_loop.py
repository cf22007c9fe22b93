"""A private event loop in a daemon thread: where an MCP session lives, whoever calls it.

The MCP SDK is async (anyio) and its sessions belong to the task that opened them. pyllm's
tools run from sync code (worker threads with private loops) and from async code (the caller's
loop), so a session is kept on a loop of its own and every call is handed to it thread-safely:
:meth:`LoopThread.run` blocks a thread until the result is in, :meth:`LoopThread.arun` awaits
it from any other event loop (cancelling it there if the waiter is cancelled).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """An event loop running in its own daemon thread until :meth:`stop`."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def submit(self, work: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``work`` on the loop; its future."""
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def run(self, work: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``work`` on the loop and wait (``TimeoutError`` after ``timeout`` seconds, and
        ``work`` is cancelled)."""
        future = self.submit(work)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    async def arun(self, work: Coroutine[Any, Any, T]) -> T:
        """Await ``work``, run on the loop, from another event loop (or from this one)."""
        return await asyncio.wrap_future(self.submit(work))

    def stop(self) -> None:
        """Stop the loop once what runs on it now yields, and wait for the thread to end."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        if threading.current_thread() is not self._thread:
            self._thread.join()
