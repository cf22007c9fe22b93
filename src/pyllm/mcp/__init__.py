"""Tools from MCP servers (Model Context Protocol), for any chat: ``pyllm[mcp]``.

Connect to a server (a command pyllm starts and talks to over stdio, or a streamable HTTP
URL), and hand its tools to a chat; they run in every mode, like any pyllm tool::

    async with pyllm.mcp.connect(command=["python", "weather_server.py"]) as server:
        chat.with_tools(*server.tools)
        reply = await chat.aask("Weather in Lisbon?")

    with pyllm.mcp.connect(url="http://127.0.0.1:8000/mcp") as server:   # sync code
        chat.with_tools(*server.tools)
        reply = chat.ask("Weather in Lisbon?")

Uses the official MCP SDK (``pip install 'pyllm[mcp]'``), imported only when you connect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from ._convert import MCPTool
from ._server import Server

__all__ = ["MCPTool", "Server", "connect"]


def connect(
    *,
    command: str | Sequence[str] | None = None,
    url: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    headers: Mapping[str, str] | None = None,
    prefix: str = "",
    timeout: float = 30.0,
) -> Server:
    """An MCP server to open with ``with`` or ``async with`` (see the module docstring).

    Give ``command`` (the program and its arguments, a list, or one string split on spaces)
    to start the server and talk over its stdin/stdout, with ``env`` (added to a minimal
    environment) and ``cwd``; or ``url`` for a server already running (streamable HTTP), with
    ``headers`` (e.g. ``{"Authorization": "Bearer ..."}``). ``prefix`` goes before every tool
    name (to tell two servers' tools apart); ``timeout`` is how long connecting may take.

    >>> server = connect(command=["python", "weather_server.py"], prefix="weather_")
    >>> server
    <pyllm.mcp.Server 'python weather_server.py' (closed, 0 tools)>
    """
    if (command is None) == (url is None):
        raise TypeError("connect needs a command (to start a server) or a url, not both")
    if isinstance(command, str):
        command = command.split()
    if command is not None and (not command or not all(isinstance(a, str) for a in command)):
        raise TypeError(f"command must be a program and its arguments, got {command!r}")
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"url must be an http:// or https:// address, got {url!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return Server(
        command=command,
        url=url,
        env=env,
        cwd=cwd,
        headers=headers,
        prefix=prefix,
        timeout=float(timeout),
    )
