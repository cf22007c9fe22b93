"""The frozen description of one chat request, built by :class:`pyllm.Chat`, rendered by a protocol.

>>> from pyllm.message import Message
>>> r = ChatRequest(model="openai/gpt-4.1-mini", messages=(Message.user("Hi"),))
>>> r.stream, r.tools
(False, ())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._frozen import copy_with

if TYPE_CHECKING:
    from .message import Message
    from .model import Model

__all__ = [
    "CACHE_TTLS",
    "Caching",
    "ChatRequest",
    "ResponseSchema",
    "ServerTool",
    "Thinking",
    "ToolDefinition",
    "WebSearch",
]


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """What the model is told about a tool: name, description and a JSON Schema of parameters."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    strict: bool | None = None


@dataclass(frozen=True, slots=True)
class ResponseSchema:
    """A JSON Schema the answer must follow (structured output)."""

    name: str
    schema: Mapping[str, Any]
    strict: bool = True


@dataclass(frozen=True, slots=True)
class Thinking:
    """Reasoning settings: an ``effort`` level or a token ``budget``; ``exclude`` hides the text."""

    effort: str | None = None
    budget: int | None = None
    exclude: bool = False


CACHE_TTLS = ("5m", "1h")
"""How long a prompt-cache entry lives, where the provider lets you choose (Anthropic)."""


@dataclass(frozen=True, slots=True)
class Caching:
    """Where prompt-cache breakpoints go, for providers that cache only where told (Anthropic,
    and Anthropic or Gemini models through OpenRouter; OpenAI and most others cache on their
    own): after the system prompt, after the tool definitions, and after the last message of
    each request (``history``), so the next request reads the conversation so far from the
    cache. Messages marked ``cache=True`` add their own breakpoints. ``ttl`` is one of
    :data:`CACHE_TTLS` (``None``: the provider's default, 5 minutes).

    >>> Caching().ttl is None and Caching().history
    True
    """

    system: bool = True
    tools: bool = True
    history: bool = True
    ttl: str | None = None


@dataclass(frozen=True, slots=True)
class WebSearch:
    """Search the web before answering (``chat.with_web_search()``): at most ``max_results``
    results, from ``engine`` (OpenRouter: ``"native"``, ``"exa"``...), introduced to the model
    by ``search_prompt``; ``context_size`` (``"low"``, ``"medium"``, ``"high"``) is how much of
    the results a native search puts in the prompt. ``None`` leaves each to the provider.
    ``max_uses`` (how many searches at most), ``allowed_domains`` / ``blocked_domains`` and
    ``user_location`` (``city``, ``region``, ``country``, ``timezone``) are what a search the
    model runs when it needs to (Anthropic's) takes. A provider refuses what it cannot do."""

    max_results: int | None = None
    engine: str | None = None
    search_prompt: str | None = None
    context_size: str | None = None
    max_uses: int | None = None
    allowed_domains: tuple[str, ...] = ()
    blocked_domains: tuple[str, ...] = ()
    user_location: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ServerTool:
    """A tool the provider runs on its own side (OpenRouter's ``openrouter:web_search``...),
    given to ``chat.with_tools`` beside Python tools: its ``type`` and ``parameters`` go to the
    provider as they are, and pyllm never runs it. Made by ``pyllm.openrouter.web_search()``
    and its siblings.

    >>> ServerTool("openrouter:datetime").name
    'openrouter:datetime'
    """

    type: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """What ``with_tools(choice=...)`` calls it: its ``type``."""
        return self.type


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything one request sends. ``params`` is deep-merged into the payload last;
    ``headers`` are the chat's extra HTTP headers; ``max_tokens`` caps the answer's length.
    ``server_tools`` run on the provider's side; ``plugins`` are OpenRouter plugin objects as
    sent (``{"id": "file-parser", ...}``)."""

    model: str
    messages: tuple[Message, ...]
    stream: bool = False
    temperature: float | None = None
    tools: tuple[ToolDefinition, ...] = ()
    tool_choice: str | None = None
    parallel_tool_calls: bool | None = None
    schema: ResponseSchema | None = None
    thinking: Thinking | None = None
    fallback_models: tuple[str, ...] = ()
    routing: Mapping[str, Any] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    max_tokens: int | None = None
    caching: Caching | None = None
    model_info: Model | None = None
    """What the registry knows of ``model`` on the provider the request goes to, for providers
    whose wire format depends on it (``Provider.reads_model_info``); ``None``: unknown, or
    not asked."""
    # issue 14: sampling and tracking every Chat Completions host takes...
    stop: tuple[str, ...] = ()
    seed: int | None = None
    user: str | None = None
    logprobs: bool = False
    top_logprobs: int | None = None
    web_search: WebSearch | None = None
    server_tools: tuple[ServerTool, ...] = ()
    # ...and what only OpenRouter takes: plugins (file-parser, auto-router), sticky sessions,
    # metadata, presets, transforms
    plugins: tuple[Mapping[str, Any], ...] = ()
    session_id: str | None = None
    metadata: Mapping[str, str] | None = None
    preset: str | None = None
    transforms: tuple[str, ...] | None = None

    def for_route(
        self,
        model: str,
        messages: tuple[Message, ...],
        *,
        tool_choice: str | None,
        fallback_models: tuple[str, ...],
        routing: Mapping[str, Any] | None,
        model_info: Model | None = None,
    ) -> ChatRequest:
        """This request as one attempt sends it: to ``model`` (a route's), with the messages
        so far, the tool choice, server-side fallbacks and routing of that attempt, and what
        the registry knows of that model when the route's provider asks.

        >>> template = ChatRequest("a/b", (), temperature=0.5)
        >>> sent = template.for_route("c/d", (), tool_choice=None, fallback_models=(), routing=None)
        >>> sent.model, sent.temperature
        ('c/d', 0.5)
        """
        return copy_with(  # every other field carried over, whatever fields are added later
            self,
            {
                "model": model,
                "messages": messages,
                "tool_choice": tool_choice,
                "fallback_models": fallback_models,
                "routing": routing,
                "model_info": model_info,
            },
        )
