"""OpenRouter's dialect of Chat Completions, pure.

Adds what OpenRouter has beyond OpenAI: ``reasoning`` settings, ``reasoning_details`` sent back
unchanged on assistant messages (required across tool turns), the server-side ``models``
fallback list, ``provider`` routing preferences, plugins (``web`` search, ``file-parser``,
``auto-router``), server-side tools (``openrouter:*``), sticky sessions, metadata, presets,
transforms, ``cache_control`` breakpoints, and error metadata (``provider_name``, the
upstream's own ``raw`` error text, ``availability.retry_after``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._json import loads
from .._server_tools import SERVER_TOOL_PREFIX
from ..errors import ErrorDetails
from ._cache_control import mark_cache_points
from ._options import reject_search_fields, reject_server_tool
from .base import as_float
from .chat_completions import ChatCompletions

if TYPE_CHECKING:
    from ..message import Message
    from ..request import ChatRequest, ServerTool, WebSearch

__all__ = ["OpenRouterDialect"]


class OpenRouterDialect(ChatCompletions):
    def render_extras(self, request: ChatRequest, payload: dict[str, Any]) -> None:
        thinking = request.thinking
        if thinking is not None:
            reasoning: dict[str, Any] = {}
            if thinking.budget is not None:
                reasoning["max_tokens"] = thinking.budget
            elif thinking.effort is not None:
                reasoning["effort"] = thinking.effort
            else:
                reasoning["enabled"] = True
            if thinking.exclude:
                reasoning["exclude"] = True
            payload["reasoning"] = reasoning
        if request.fallback_models:
            payload["models"] = [request.model, *request.fallback_models]
        if request.routing:
            payload["provider"] = dict(request.routing)
        if request.plugins or request.web_search is not None:
            self.render_plugins(request, payload)
        if request.session_id is not None:
            payload["session_id"] = request.session_id
        if request.preset is not None:
            payload["preset"] = request.preset
        if request.metadata:
            payload["metadata"] = dict(request.metadata)
        if request.transforms is not None:
            payload["transforms"] = list(request.transforms)
        if request.caching is not None or any(m.cache for m in request.messages):
            mark_cache_points(request, payload)

    def render_plugins(self, request: ChatRequest, payload: dict[str, Any]) -> None:
        """``plugins``: web search first, then the chat's own (file-parser, auto-router)."""
        plugins = [dict(p) for p in request.plugins]
        search = request.web_search
        if search is not None:
            plugins.insert(0, web_plugin(search))
            if search.context_size:
                payload["web_search_options"] = {"search_context_size": search.context_size}
        if plugins:
            payload["plugins"] = plugins

    def render_server_tool(self, tool: ServerTool) -> dict[str, Any]:
        if not tool.type.startswith(SERVER_TOOL_PREFIX):
            raise reject_server_tool(tool, self.provider)
        rendered: dict[str, Any] = {"type": tool.type}
        if tool.parameters:
            rendered["parameters"] = dict(tool.parameters)
        return rendered

    def render_tool_choice(self, choice: str) -> Any:
        if choice.startswith(SERVER_TOOL_PREFIX):
            return {"type": choice}
        return super().render_tool_choice(choice)

    def render_assistant_extras(self, message: Message, rendered: dict[str, Any]) -> None:
        if message.reasoning_details:
            rendered["reasoning_details"] = [dict(d) for d in message.reasoning_details]
        parsed = [dict(a) for a in message.annotations if a.get("type") == "file"]
        if parsed:  # files OpenRouter parsed: sent back, it skips parsing them again
            rendered["annotations"] = parsed

    def parse_error_extras(self, error: Mapping[str, Any], details: ErrorDetails) -> ErrorDetails:
        metadata = details.metadata
        upstream = metadata.get("provider_name")
        retry_after = None
        availability = error.get("availability")
        if isinstance(availability, Mapping):
            retry_after = as_float(availability.get("retry_after"))
        return ErrorDetails(
            message=details.message,
            code=details.code,
            metadata=metadata,
            upstream=upstream if isinstance(upstream, str) else None,
            upstream_message=_upstream_message(metadata.get("raw")),
            error_type=details.error_type,
            raw=details.raw,
            generation_id=details.generation_id,
            retry_after=retry_after,
        )


def web_plugin(search: WebSearch) -> dict[str, Any]:
    """OpenRouter's ``web`` plugin for ``search`` (unset fields left to OpenRouter).

    >>> from pyllm.request import WebSearch
    >>> web_plugin(WebSearch(max_results=3, engine="exa"))
    {'id': 'web', 'max_results': 3, 'engine': 'exa'}
    """
    plugin: dict[str, Any] = {"id": "web"}
    for name in ("max_results", "engine", "search_prompt"):
        value = getattr(search, name)
        if value is not None:
            plugin[name] = value
    if search.max_uses or search.user_location:
        reject_search_fields(search, "openrouter", ("max_uses", "user_location"))
    if search.allowed_domains:
        plugin["include_domains"] = list(search.allowed_domains)
    if search.blocked_domains:
        plugin["exclude_domains"] = list(search.blocked_domains)
    return plugin


def _upstream_message(raw: Any, depth: int = 0) -> str | None:
    """The upstream provider's own words from ``metadata.raw`` (a JSON string, object or text)."""
    if depth > 4 or raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        try:
            parsed = loads(text)
        except ValueError:
            return text if len(text) <= 500 else text[:497] + "..."
        return _upstream_message(parsed, depth + 1) if not isinstance(parsed, str) else parsed
    if isinstance(raw, Mapping):
        for key in ("error", "message", "detail", "error_message"):
            if key in raw:
                found = _upstream_message(raw[key], depth + 1)
                if found:
                    return found
        return None
    if isinstance(raw, list) and raw:
        return _upstream_message(raw[0], depth + 1)
    return None
