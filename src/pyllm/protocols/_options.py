"""The request options every Chat Completions host takes (``stop``, ``seed``, ``user``,
``logprobs``, ``web_search_options``), and a clear refusal of those only OpenRouter takes.
Pure; shared by ``chat_completions.py`` and its dialects.

>>> from pyllm.request import ChatRequest
>>> payload = {}
>>> request = ChatRequest("m", (), stop=("END",), seed=7, logprobs=True, top_logprobs=2)
>>> render_options(request, payload)
>>> payload
{'stop': ['END'], 'seed': 7, 'logprobs': True, 'top_logprobs': 2}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedError

if TYPE_CHECKING:
    from ..request import ChatRequest, ServerTool, WebSearch

__all__ = [
    "reject_gateway_options",
    "reject_search_fields",
    "reject_server_tool",
    "render_options",
    "web_search_options",
]

_GATEWAY_OPTIONS = (
    ("plugins", "plugins (with_pdf_engine, with_allowed_models)"),
    ("session_id", "a session id (with_session)"),
    ("metadata", "metadata (with_metadata)"),
    ("preset", "a preset (with_preset)"),
    ("transforms", "transforms (with_transforms)"),
)


def render_options(request: ChatRequest, payload: dict[str, Any]) -> None:
    """Stop sequences, seed, end-user id and log probabilities, when asked for."""
    if request.stop:
        payload["stop"] = list(request.stop)
    if request.seed is not None:
        payload["seed"] = request.seed
    if request.user is not None:
        payload["user"] = request.user
    if request.logprobs:
        payload["logprobs"] = True
        if request.top_logprobs is not None:
            payload["top_logprobs"] = request.top_logprobs


def web_search_options(search: WebSearch, provider: str = "openai") -> dict[str, Any]:
    """OpenAI's ``web_search_options`` (search models): the context size and the user's
    approximate location, when set; what a search model cannot take is refused."""
    reject_search_fields(search, provider, ("max_uses", "allowed_domains", "blocked_domains"))
    options: dict[str, Any] = {}
    if search.context_size:
        options["search_context_size"] = search.context_size
    if search.user_location:
        place = dict(search.user_location)
        options["user_location"] = {"type": "approximate", "approximate": place}
    return options


def reject_search_fields(search: WebSearch, provider: str, names: tuple[str, ...]) -> None:
    """:class:`~pyllm.UnsupportedError` for a ``with_web_search`` argument in ``names`` that
    ``search`` sets: the provider's search has no such setting."""
    for name in names:
        value = getattr(search, name)
        if value:
            raise UnsupportedError(
                f"web search with {name}={value!r}: the {provider} provider's search takes no "
                f"{name}. Leave it out of chat.with_web_search(...), or use provider="
                "'anthropic' for Claude's own search (max_uses, domains, user_location)"
            )


def reject_gateway_options(request: ChatRequest, provider: str) -> None:
    """:class:`~pyllm.UnsupportedError` for an option only OpenRouter takes, before sending."""
    given = request.plugins or request.session_id or request.metadata or request.preset
    if not given and request.transforms is None:
        return  # the usual case, checked at once
    for name, what in _GATEWAY_OPTIONS:
        value = getattr(request, name)
        if value or (name == "transforms" and value is not None):  # () turns the default off
            raise UnsupportedError(
                f"{what} is an OpenRouter option; the {provider} provider does not take it. "
                "Use provider='openrouter', or send the field with chat.with_params(...) if "
                "your host knows it"
            )


def reject_server_tool(tool: ServerTool, provider: str) -> UnsupportedError:
    """The error for a server-side tool ``provider`` does not run."""
    return UnsupportedError(
        f"the {provider} provider does not run the server-side tool {tool.type!r}; use it "
        "with the provider that offers it (provider='openrouter' for openrouter:* tools)"
    )
