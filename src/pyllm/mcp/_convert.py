"""MCP's values as pyllm's: tool definitions as :class:`MCPTool`, call results as tool returns.

A tool's input schema is JSON Schema already; it is sent as the server wrote it, minus what
model APIs refuse (``$schema``), with ``type: object`` and ``properties`` made explicit. Names
keep to what model APIs accept (letters, digits, ``_``, ``-``; 64 at most): others become ``_``,
and the server is always called by the tool's own name.

A result's content blocks become what a pyllm tool returns: text joined by line breaks, images
and audio as attachments, embedded resources as text (text resources) or attachments (files
pyllm can send), links and anything else described in words. A result marked ``isError``
raises :class:`~pyllm.ToolError` with the server's text, so the model reads it as a failed call.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..content import Attachment, Content
from ..errors import AttachmentError, ToolError
from ..tools import Tool, ToolResult

if TYPE_CHECKING:
    from ..message import ToolCall

__all__ = ["MCPTool", "parameters", "tool_name", "tool_return"]

_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def tool_name(name: str, prefix: str = "") -> str:
    """``prefix + name`` as a name model APIs accept.

    >>> tool_name("weather.today"), tool_name("search", "docs_")
    ('weather_today', 'docs_search')
    """
    return _UNSAFE.sub("_", prefix + name)[:64] or "tool"


def parameters(schema: Mapping[str, Any] | None) -> dict[str, Any]:
    """An MCP input schema as tool parameters.

    >>> parameters({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"})
    {'type': 'object', 'properties': {}}
    """
    converted = {k: v for k, v in (schema or {}).items() if k != "$schema"}
    converted["type"] = "object"
    converted.setdefault("properties", {})
    return converted


class MCPTool(Tool):
    """A tool of an MCP server: calling it calls the server (see :func:`pyllm.mcp.connect`).

    ``remote_name`` is the tool's name on the server (``name`` may differ: see
    :func:`tool_name`). Arguments go to the server as the model sent them; the server checks
    them against its schema, and its complaint reaches the model as the call's error.
    """

    def __init__(
        self,
        name: str,
        remote_name: str,
        description: str,
        schema: dict[str, Any],
        call: Callable[[str, dict[str, Any]], Awaitable[Any]],
    ) -> None:
        self.name = name
        self.remote_name = remote_name
        self.description = description
        self._schema = schema
        self._call = call

    @property
    def parameters(self) -> dict[str, Any]:
        return self._schema

    @property
    def function(self) -> Callable[..., Any]:
        return self._run

    async def _run(self, **arguments: Any) -> Any:
        return await self._call(self.remote_name, arguments)

    def prepare(self, call: ToolCall) -> dict[str, Any] | ToolResult:
        if call.arguments_error:
            message = f"{call.arguments_error}. Send the arguments as a JSON object."
            return ToolResult(call, f"Error: {message}", is_error=True)
        return dict(call.arguments)


def tool_return(result: Any) -> str | Content:
    """What an MCP ``CallToolResult`` gives the model: its text, and its files when it has any.
    ``ToolError`` (the server's words) for a result marked as an error."""
    texts: list[str] = []
    files: list[Attachment] = []
    for block in result.content:
        _read_block(block, texts, files)
    if not result.content and result.structured_content is not None:
        texts.append(json.dumps(result.structured_content, ensure_ascii=False))
    text = "\n".join(texts)
    if result.is_error:
        raise ToolError(text or "the MCP server reported an error without a message")
    return Content(text, files) if files else text


def _read_block(block: Any, texts: list[str], files: list[Attachment]) -> None:
    kind = getattr(block, "type", None)
    if kind == "text":
        texts.append(block.text)
    elif kind in ("image", "audio"):
        _file(block.data, block.mime_type, None, f"an {kind}", texts, files)
    elif kind == "resource":
        resource = block.resource
        uri = str(resource.uri)
        if getattr(resource, "text", None) is not None:
            texts.append(f"[resource {uri}]\n{resource.text}")
        else:
            _file(resource.blob, resource.mime_type, uri, f"resource {uri}", texts, files)
    elif kind == "resource_link":
        about = f": {block.description}" if getattr(block, "description", None) else ""
        texts.append(f"[resource link {block.uri} ({block.name}){about}]")
    else:
        texts.append(f"[content of type {kind!r} that pyllm cannot show]")


def _file(
    data: str,
    mime_type: str | None,
    uri: str | None,
    what: str,
    texts: list[str],
    files: list[Attachment],
) -> None:
    """A base64 file as an attachment, or a line saying why it cannot be sent."""
    name = uri.rstrip("/").rsplit("/", 1)[-1] or None if uri else None
    try:
        attachment = Attachment(
            data=base64.b64decode(data, validate=True), mime_type=mime_type, filename=name
        ).check()
    except (binascii.Error, ValueError, AttachmentError) as exc:
        reason = "its data is not valid base64" if isinstance(exc, binascii.Error) else str(exc)
        texts.append(f"[{what} ({mime_type or 'unknown type'}) not sent: {reason}]")
        return
    files.append(attachment)
