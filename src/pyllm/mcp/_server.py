"""One connection to an MCP server: :class:`Server`, what :func:`pyllm.mcp.connect` returns.

The session runs on a private event loop in a daemon thread (:class:`~._loop.LoopThread`),
held open by one task from connect to close (the SDK's sessions belong to the task that opened
them). Tool calls reach it thread-safely from anywhere: the sync tool loop's worker threads,
or any event loop, including the caller's own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import MCPError
from ._convert import MCPTool, parameters, tool_name, tool_return
from ._loop import LoopThread

if TYPE_CHECKING:
    from typing_extensions import Self

    from ..content import Content

__all__ = ["Server"]

_INSTALL = "pyllm.mcp needs the MCP SDK: pip install 'pyllm[mcp]'"
_CLOSE_TIMEOUT = 10.0


class Server:
    """A connection to an MCP server: ``with`` (sync code) or ``async with`` (async code).

    Inside the block, ``server.tools`` are the server's tools as :class:`pyllm.Tool` values,
    for ``chat.with_tools(*server.tools)``, in any of the four modes. Leaving the block closes
    the session (and ends a server started with ``command``).
    """

    def __init__(
        self,
        *,
        command: Sequence[str] | None,
        url: str | None,
        env: Mapping[str, str] | None,
        cwd: str | Path | None,
        headers: Mapping[str, str] | None,
        prefix: str,
        timeout: float,
    ) -> None:
        self._command = list(command) if command is not None else None
        self._url = url
        self._env = dict(env) if env is not None else None
        self._cwd = cwd
        self._headers = dict(headers) if headers is not None else None
        self._prefix = prefix
        self._timeout = timeout
        self._loop: LoopThread | None = None
        self._client: Any = None
        self._closing: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._tools: tuple[MCPTool, ...] = ()
        self.name: str | None = None
        """The name the server gives itself (``None`` if it gives none)."""
        self.instructions: str | None = None
        """What the server says about how to use it, if anything (good in a system prompt)."""

    def __repr__(self) -> str:
        state = "open" if self._client is not None else "closed"
        where = self._url or " ".join(self._command or ())
        return f"<pyllm.mcp.Server {self.name or where!r} ({state}, {len(self._tools)} tools)>"

    @property
    def tools(self) -> tuple[MCPTool, ...]:
        """The server's tools, listed when the connection opened."""
        if self._client is None:
            raise MCPError(
                "this MCP server is not connected: use it inside "
                "'with pyllm.mcp.connect(...) as server:' (or 'async with')"
            )
        return self._tools

    # ---- opening and closing ------------------------------------------------------------

    def _start(self) -> concurrent.futures.Future[None]:
        """The loop thread and the task holding the session; done once the session is open."""
        if self._loop is not None:
            raise MCPError("this MCP connection is open already (or was closed): connect again")
        try:
            import mcp  # noqa: F401  (only to tell a missing SDK from a failing server)
        except ImportError as exc:
            raise MCPError(_INSTALL) from exc
        self._loop = LoopThread(f"pyllm-mcp-{self._describe()}")
        opened: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._loop.submit(self._hold(opened))
        return opened

    def _failed(self, exc: BaseException) -> MCPError:
        if isinstance(exc, (TimeoutError, concurrent.futures.TimeoutError, asyncio.TimeoutError)):
            return MCPError(
                f"the MCP server {self._describe()} did not answer within {self._timeout:g} "
                "seconds (connect(..., timeout=...) waits longer)"
            )
        return MCPError(f"could not connect to the MCP server {self._describe()}: {_reason(exc)}")

    def open(self) -> Self:
        """Start the server (or reach it), open the session and list its tools."""
        opened = self._start()
        try:
            opened.result(self._timeout)
        except BaseException as exc:  # a failure, a time-out, or Ctrl-C: nothing left running
            self.close()
            if not isinstance(exc, Exception):
                raise
            raise self._failed(exc) from exc
        return self

    async def aopen(self) -> Self:
        """Async twin of :meth:`open`."""
        opened = self._start()
        try:
            await asyncio.wait_for(asyncio.wrap_future(opened), self._timeout)
        except BaseException as exc:  # a failure, a time-out, or cancellation
            await asyncio.shield(self.aclose())
            if not isinstance(exc, Exception):
                raise
            raise self._failed(exc) from exc
        return self

    async def _hold(self, opened: concurrent.futures.Future[None]) -> None:
        """The one task that owns the session: open it, list the tools, wait for close."""
        from mcp import Client

        self._task = asyncio.current_task()
        self._closing = asyncio.Event()
        try:
            async with contextlib.AsyncExitStack() as stack:
                client = await stack.enter_async_context(Client(await self._target(stack)))
                listed = await _list_tools(client)
                info = client.server_info
                self.name = getattr(info, "name", None) or None
                self.instructions = client.instructions
                self._tools = self._as_tools(listed)
                self._client = client
                opened.set_result(None)
                await self._closing.wait()
        except BaseException as exc:
            if not opened.done():
                opened.set_exception(exc)
            elif not isinstance(exc, Exception):
                raise
        finally:
            self._client = None

    async def _shut(self) -> None:
        """Leave the session's block (the SDK closes it, and ends a server it started), or
        stop connecting; wait for that, a while."""
        task = self._task
        if task is None or task.done():
            return
        if self._client is not None and self._closing is not None:
            self._closing.set()
        else:
            task.cancel()
        done, _ = await asyncio.wait({task}, timeout=_CLOSE_TIMEOUT)
        if not done:  # a server that hangs on exit: give up on it
            task.cancel()
            await asyncio.wait({task}, timeout=_CLOSE_TIMEOUT)

    def close(self) -> None:
        """Close the session (and end a server started with ``command``); idempotent."""
        loop = self._loop
        if loop is None or loop.loop.is_closed():
            return
        loop.run(self._shut())
        self._client = None
        loop.stop()

    async def aclose(self) -> None:
        """Async twin of :meth:`close` (waits without blocking the caller's event loop)."""
        loop = self._loop
        if loop is None or loop.loop.is_closed():
            return
        await loop.arun(self._shut())
        self._client = None
        loop.stop()

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return await self.aopen()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _target(self, stack: contextlib.AsyncExitStack) -> Any:
        """What ``mcp.Client`` connects to: a URL, a transport with our headers (its HTTP
        client closed with ``stack``), or the command to start."""
        if self._url is not None:
            if self._headers:
                import httpx2
                from mcp.client.streamable_http import streamable_http_client

                timeout = httpx2.Timeout(30.0, read=300.0)  # the SDK's own defaults
                http = httpx2.AsyncClient(headers=self._headers, timeout=timeout)
                await stack.enter_async_context(http)
                return streamable_http_client(self._url, http_client=http)
            return self._url
        from mcp import StdioServerParameters

        assert self._command
        program, *arguments = self._command
        return StdioServerParameters(command=program, args=arguments, env=self._env, cwd=self._cwd)

    # ---- calling ------------------------------------------------------------------------

    def _as_tools(self, listed: list[Any]) -> tuple[MCPTool, ...]:
        tools: dict[str, MCPTool] = {}
        for spec in listed:
            name = tool_name(spec.name, self._prefix)
            while name in tools:  # two names that differ only in characters models refuse
                name = f"{name[:60]}_{len(tools)}"
            schema = parameters(spec.input_schema)
            tools[name] = MCPTool(name, spec.name, spec.description or "", schema, self.acall)
        return tuple(tools.values())

    async def acall(self, name: str, arguments: Mapping[str, Any] | None = None) -> str | Content:
        """Call the server's tool ``name`` (its own name) from any event loop; its result as
        text, or ``pyllm.Content`` with files. ``ToolError`` when the server reports an
        error; ``MCPError`` when the connection is closed."""
        if self._loop is None or self._client is None:
            raise MCPError(f"the MCP server {self._describe()} is not connected (closed?)")
        return await self._loop.arun(self._call(name, dict(arguments or {})))

    def call(self, name: str, arguments: Mapping[str, Any] | None = None) -> str | Content:
        """Sync twin of :meth:`acall` (not from inside the server's own event loop)."""
        if self._loop is None or self._client is None:
            raise MCPError(f"the MCP server {self._describe()} is not connected (closed?)")
        return self._loop.run(self._call(name, dict(arguments or {})))

    async def _call(self, name: str, arguments: dict[str, Any]) -> str | Content:
        client = self._client
        if client is None:
            raise MCPError(f"the MCP server {self._describe()} closed")
        from mcp import MCPError as SDKError

        try:
            result = await client.call_tool(name, arguments)
        except SDKError as exc:  # a protocol-level error: unknown tool, bad request...
            raise MCPError(f"the MCP server refused the call to {name!r}: {exc}") from None
        return tool_return(result)

    def _describe(self) -> str:
        if self._url is not None:
            return repr(self._url)
        return repr(" ".join(self._command or ()))


async def _list_tools(client: Any) -> list[Any]:
    listed: list[Any] = []
    cursor: str | None = None
    for _ in range(1000):  # pages, with a bound on a server that never stops paging
        page = await client.list_tools(cursor=cursor)
        listed.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            break
    return listed


def _reason(exc: BaseException) -> str:
    """The innermost useful message of ``exc`` (anyio groups wrap the real error)."""
    while getattr(exc, "exceptions", None):  # an exception group (anyio's task groups)
        exc = exc.exceptions[0]  # type: ignore[attr-defined]
    text = str(exc) or type(exc).__name__
    return text if len(text) < 500 else text[:497] + "..."
