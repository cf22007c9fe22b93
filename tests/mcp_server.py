"""A real MCP server for the tests, built with the official SDK's server framework (MCPServer).

    python tests/mcp_server.py          # stdio
    python tests/mcp_server.py http     # streamable HTTP on 127.0.0.1, a free port, printed first

Its tools cover what pyllm.mcp converts: text, structured values, images, embedded text and
binary resources, links, server-side errors, and calls that only finish when they overlap.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import sys

from mcp.server.mcpserver import Context, Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import (
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

server = MCPServer(
    "pyllm-test-server", instructions="Tools for pyllm's tests.", log_level="WARNING"
)
_arrived = 0
_everyone_here = asyncio.Event()


@server.tool()
def add(a: int, b: int) -> int:
    """Add two whole numbers."""
    return a + b


@server.tool(name="weather.today")
def weather_today(city: str, unit: str = "C") -> str:
    """Today's weather in a city (a name with a dot, which model APIs refuse)."""
    return f"{city}: 15°{unit}"


@server.tool()
def chart(title: str) -> list[TextContent | Image]:
    """A chart: a caption and a PNG image."""
    return [TextContent(type="text", text=f"Chart: {title}"), Image(data=PNG, format="png")]


@server.tool()
def documents() -> list[EmbeddedResource | ResourceLink | TextContent]:
    """Embedded resources: a text file, a PDF, an archive, and a link."""
    return [
        TextContent(type="text", text="Two documents:"),
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri="file:///notes.md", mime_type="text/markdown", text="# Notes\nAll good."
            ),
        ),
        EmbeddedResource(
            type="resource",
            resource=BlobResourceContents(
                uri="file:///report.pdf",
                mime_type="application/pdf",
                blob=base64.b64encode(PDF).decode(),
            ),
        ),
        EmbeddedResource(
            type="resource",
            resource=BlobResourceContents(
                uri="file:///backup.zip",
                mime_type="application/zip",
                blob=base64.b64encode(b"PK\x03\x04 not really a zip").decode(),
            ),
        ),
        ResourceLink(
            type="resource_link",
            uri="https://example.com/manual",
            name="manual",
            description="The manual",
        ),
    ]


@server.tool()
def stats() -> CallToolResult:
    """Only structured content, no content blocks."""
    return CallToolResult(content=[], structured_content={"mean": 2.5, "values": [1, 4]})


@server.tool()
def fail(reason: str) -> str:
    """Always fails on the server side."""
    raise ToolError(f"the server refused: {reason}")


@server.tool()
async def gather(parties: int) -> str:
    """Finishes only once ``parties`` calls are running at the same time (or after 10 s)."""
    global _arrived
    _arrived += 1
    if _arrived >= parties:
        _everyone_here.set()
    try:
        await asyncio.wait_for(_everyone_here.wait(), 10)
    except asyncio.TimeoutError:
        return "alone"
    return "together"


@server.tool()
def header(name: str, ctx: Context) -> str:
    """The value of an HTTP request header (empty over stdio)."""
    return (ctx.headers or {}).get(name.lower(), "")


@server.tool()
def pid() -> int:
    """The server's process id."""
    return os.getpid()


def _serve_http() -> None:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)  # the test reads the port from the first line
    app = server.streamable_http_app()
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    if sys.argv[1:] == ["http"]:
        _serve_http()
    else:
        server.run()
