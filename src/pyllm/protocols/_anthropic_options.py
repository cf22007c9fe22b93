"""The request options of issue 14 on Anthropic's Messages API: what it takes is rendered,
what it has no field for is refused before anything is sent (never dropped in silence). Pure;
:mod:`._anthropic_render` calls :func:`render_options`.

==========================  ==============================================================
option                      what Anthropic gets
==========================  ==============================================================
``with_stop``               ``stop_sequences``
``with_user``               ``metadata.user_id``
``with_web_search``         the ``web_search`` server tool (:data:`WEB_SEARCH_TOOL`)
a ``web_search_*`` tool     that server tool, its parameters as given
``with_seed``               refused: the Messages API has no seed
``with_logprobs``           refused: the Messages API gives no log probabilities
OpenRouter's own options    refused (plugins, session, metadata, preset, transforms)
==========================  ==============================================================

>>> from pyllm.request import ChatRequest, WebSearch
>>> payload = {}
>>> render_options(ChatRequest("m", (), stop=("END",), user="u-42"), payload, "anthropic")
>>> payload
{'stop_sequences': ['END'], 'metadata': {'user_id': 'u-42'}}
>>> web_search_tool(WebSearch(max_uses=3, allowed_domains=("ruby-lang.org",)), "anthropic")
... # doctest: +NORMALIZE_WHITESPACE
{'type': 'web_search_20260318', 'name': 'web_search', 'allowed_callers': ['direct'],
'max_uses': 3, 'allowed_domains': ['ruby-lang.org']}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import UnsupportedError
from ._options import reject_gateway_options, reject_server_tool

if TYPE_CHECKING:
    from ..request import ChatRequest, ServerTool, WebSearch

__all__ = ["WEB_SEARCH_TOOL", "render_options", "server_tool", "web_search_tool"]

WEB_SEARCH_TOOL = "web_search_20260318"
"""The version of Anthropic's web search tool ``with_web_search`` asks for (the newest, as the
recorded traffic sends it), called by the model itself (``allowed_callers: ["direct"]``), never
from code execution, so its results come back as blocks pyllm reads. An older version is a
``ServerTool("web_search_20250305", {...})`` away."""

_ANTHROPIC_SEARCH = re.compile(r"web_search_\d{8}")
_OPENROUTER_SEARCH = "openrouter:web_search"


def render_options(request: ChatRequest, payload: dict[str, Any], provider: str) -> None:
    """Stop sequences, the end-user id, web search and server tools into ``payload``;
    :class:`~pyllm.UnsupportedError` for an option Anthropic has no field for."""
    reject_gateway_options(request, provider)
    if request.seed is not None:
        raise UnsupportedError(
            f"a seed (with_seed) is not something the {provider} provider takes: Anthropic's "
            "Messages API has no seed, so its answers cannot be made repeatable. Remove it "
            "with chat.with_seed(None), or use provider='openrouter' or 'openai' for models "
            "that take one"
        )
    if request.logprobs:
        raise UnsupportedError(
            f"log probabilities (with_logprobs) are not something the {provider} provider "
            "gives: Anthropic's Messages API has no logprobs. Remove them with "
            "chat.without_logprobs(), or ask a model that gives them (OpenAI's, through "
            "provider='openai' or 'openrouter')"
        )
    if request.stop:
        payload["stop_sequences"] = list(request.stop)
    if request.user is not None:
        payload["metadata"] = {"user_id": request.user}
    if not request.server_tools and request.web_search is None:
        return  # the usual case
    tools = [server_tool(t, provider) for t in request.server_tools]
    if request.web_search is not None:
        tools.append(web_search_tool(request.web_search, provider))
    if len(tools) > 1:
        raise UnsupportedError(
            "Anthropic takes one web search tool per request; this chat has "
            f"{len(tools)} (with_web_search and server tools): keep one"
        )
    if tools:
        payload.setdefault("tools", []).extend(tools)


def web_search_tool(search: WebSearch, provider: str) -> dict[str, Any]:
    """``with_web_search(...)`` as Anthropic's ``web_search`` tool: ``max_uses``, the allowed
    or blocked domains and the user's location go as they are; what only OpenRouter's or
    OpenAI's search takes is refused."""
    if search.engine not in (None, "native"):
        raise _search_refusal(f"engine={search.engine!r}", provider, "the search engine")
    for name, value, what in (
        ("max_results", search.max_results, "a number of results per search"),
        ("search_prompt", search.search_prompt, "a prompt to introduce the results"),
        ("context_size", search.context_size, "a context size"),
    ):
        if value is not None:
            raise _search_refusal(f"{name}={value!r}", provider, what)
    if search.allowed_domains and search.blocked_domains:
        raise UnsupportedError(
            "Anthropic's web search takes allowed_domains or blocked_domains, not both; "
            "keep one of them in chat.with_web_search(...)"
        )
    tool = _search_tool()
    if search.max_uses is not None:
        tool["max_uses"] = search.max_uses
    for name in ("allowed_domains", "blocked_domains"):
        if domains := getattr(search, name):
            tool[name] = list(domains)
    if search.user_location:
        tool["user_location"] = {"type": "approximate", **search.user_location}
    return tool


def server_tool(tool: ServerTool, provider: str) -> dict[str, Any]:
    """A server tool Anthropic runs: its own ``web_search_*`` (parameters as given), or
    ``pyllm.openrouter.web_search(...)`` made into it. Any other is refused: pyllm reads no
    other server tool's results (code execution, web fetch...)."""
    if _ANTHROPIC_SEARCH.fullmatch(tool.type):
        return {"type": tool.type, "name": "web_search", **tool.parameters}
    if tool.type != _OPENROUTER_SEARCH:
        raise reject_server_tool(tool, provider)
    parameters = dict(tool.parameters)
    rendered = _search_tool()
    for name in ("allowed_domains", "blocked_domains"):
        if name in parameters:
            rendered[name] = parameters.pop(name)
    if isinstance(parameters.get("user_location"), Mapping):
        rendered["user_location"] = {"type": "approximate", **parameters.pop("user_location")}
    if parameters.get("engine") == "native":
        del parameters["engine"]
    if parameters:
        given = ", ".join(f"{k}={v!r}" for k, v in parameters.items())
        raise _search_refusal(given, provider, "these parameters")
    return rendered


def _search_tool() -> dict[str, Any]:
    return {"type": WEB_SEARCH_TOOL, "name": "web_search", "allowed_callers": ["direct"]}


def _search_refusal(given: str, provider: str, what: str) -> UnsupportedError:
    return UnsupportedError(
        f"web search with {given}: the {provider} provider runs Anthropic's own search, which "
        f"takes no {what}. Leave it out, limit the searches with "
        "chat.with_web_search(max_uses=...), or use provider='openrouter' for its search options"
    )
