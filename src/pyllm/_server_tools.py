"""OpenRouter's server-side tools as values for ``chat.with_tools(...)``: they run on
OpenRouter's side during the request (pyllm never runs them), and their results reach the
answer as text, ``citations`` and ``usage.web_search_requests``. ``pyllm.openrouter`` exports
them. Pure; arguments are checked when the tool is made.

>>> web_search(max_results=5, engine="exa").parameters
{'max_results': 5, 'engine': 'exa'}
>>> datetime()
ServerTool(type='openrouter:datetime', parameters={})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._arguments import whole
from .errors import ConfigurationError
from .request import ServerTool

__all__ = [
    "SERVER_TOOL_PREFIX",
    "datetime",
    "image_generation",
    "server_tool",
    "web_fetch",
    "web_search",
]

SERVER_TOOL_PREFIX = "openrouter:"
"""What the ``type`` of every OpenRouter server tool starts with."""

_CONTEXT_SIZES = ("low", "medium", "high")


def server_tool(name: str, **parameters: Any) -> ServerTool:
    """Any OpenRouter server tool by name (``"web_search"`` or ``"openrouter:web_search"``),
    with its parameters sent as they are: for tools pyllm has no function for yet.

    >>> server_tool("apply_patch").type
    'openrouter:apply_patch'
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"a server tool name is a string like 'web_search', got {name!r}")
    name = name.strip()
    kind = name if name.startswith(SERVER_TOOL_PREFIX) else SERVER_TOOL_PREFIX + name
    return ServerTool(kind, {k: v for k, v in parameters.items() if v is not None})


def web_search(
    *,
    max_results: int | None = None,
    max_total_results: int | None = None,
    engine: str | None = None,
    search_context_size: str | None = None,
    allowed_domains: Sequence[str] | None = None,
    blocked_domains: Sequence[str] | None = None,
) -> ServerTool:
    """``openrouter:web_search``: the model searches the web when it needs to, as often as it
    needs (``max_results`` per search, ``max_total_results`` in all), and cites what it found
    (``reply.citations``; the searches are counted in ``usage.web_search_requests``)."""
    for name, value in (("max_results", max_results), ("max_total_results", max_total_results)):
        if value is not None:
            whole(name, value, "a positive number of results")
    if search_context_size is not None and search_context_size not in _CONTEXT_SIZES:
        raise ConfigurationError(
            f"search_context_size must be one of {', '.join(_CONTEXT_SIZES)}, "
            f"got {search_context_size!r}"
        )
    return server_tool(
        "web_search",
        max_results=max_results,
        max_total_results=max_total_results,
        engine=_text("engine", engine),
        search_context_size=search_context_size,
        allowed_domains=_domains("allowed_domains", allowed_domains),
        blocked_domains=_domains("blocked_domains", blocked_domains),
    )


def web_fetch(
    *,
    max_uses: int | None = None,
    max_content_tokens: int | None = None,
    allowed_domains: Sequence[str] | None = None,
    blocked_domains: Sequence[str] | None = None,
) -> ServerTool:
    """``openrouter:web_fetch``: the model reads web pages it chooses (at most ``max_uses``
    times, ``max_content_tokens`` of each)."""
    for name, value in (("max_uses", max_uses), ("max_content_tokens", max_content_tokens)):
        if value is not None:
            whole(name, value, "a positive number")
    return server_tool(
        "web_fetch",
        max_uses=max_uses,
        max_content_tokens=max_content_tokens,
        allowed_domains=_domains("allowed_domains", allowed_domains),
        blocked_domains=_domains("blocked_domains", blocked_domains),
    )


def datetime() -> ServerTool:
    """``openrouter:datetime``: the model can ask for the current date and time."""
    return server_tool("datetime")


def image_generation(*, model: str | None = None, **parameters: Any) -> ServerTool:
    """``openrouter:image_generation``: the model can paint images with ``model`` (the answer's
    ``images``)."""
    return server_tool("image_generation", model=_text("model", model), **parameters)


def _text(name: str, value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise TypeError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _domains(name: str, value: Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
        raise TypeError(f"{name} must be a list of domains like ['example.com'], got {value!r}")
    return list(value)
