"""Span and metric attributes from pyllm's values, per the OpenTelemetry GenAI semantic
conventions (v1.41, the last release before the GenAI conventions moved to their own
repository). Pure: nothing here imports OpenTelemetry.

Names used: ``gen_ai.provider.name`` (which replaced the deprecated ``gen_ai.system``),
``gen_ai.operation.name``, ``gen_ai.request.*``, ``gen_ai.response.*``, ``gen_ai.usage.*``,
``gen_ai.tool.*``, ``error.type``, ``server.address`` / ``server.port``; pyllm's own under
``pyllm.*``. Content (``gen_ai.input.messages``, ``gen_ai.output.messages``,
``gen_ai.tool.call.arguments`` / ``.result``, ``gen_ai.tool.definitions``) is recorded as JSON
strings, only when asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ..content import Attachment
    from ..message import Message, ToolCall, Usage
    from ..request import ChatRequest

__all__ = [
    "Attributes",
    "error_type",
    "input_messages",
    "output_messages",
    "provider_name",
    "request_attributes",
    "response_attributes",
    "server_attributes",
    "tool_arguments",
    "tool_definitions",
    "usage_attributes",
]

Attributes = dict[str, Any]

# pyllm's provider names that the conventions spell differently (others are used as they are:
# "openai" and "anthropic" are the conventions' own, "openrouter" a custom value)
_PROVIDER_NAMES = {"mistral": "mistral_ai", "xai": "x_ai", "gemini": "gcp.gemini"}

# request parameters passed through ``with_params`` -> their attribute, and the type they need
_PARAMS: tuple[tuple[str, str, type | tuple[type, ...]], ...] = (
    ("top_p", "gen_ai.request.top_p", (int, float)),
    ("top_k", "gen_ai.request.top_k", (int, float)),
    ("frequency_penalty", "gen_ai.request.frequency_penalty", (int, float)),
    ("presence_penalty", "gen_ai.request.presence_penalty", (int, float)),
    ("seed", "gen_ai.request.seed", int),
)

_FINISH_REASONS = {"tool_calls": "tool_call"}  # the output messages schema's spelling


def provider_name(name: str) -> str:
    """``gen_ai.provider.name`` for a pyllm provider name.

    >>> provider_name("openai"), provider_name("openrouter"), provider_name("mistral")
    ('openai', 'openrouter', 'mistral_ai')
    """
    return _PROVIDER_NAMES.get(name, name)


@lru_cache(maxsize=64)
def server_attributes(base_url: str) -> tuple[tuple[str, Any], ...]:
    """``server.address`` and ``server.port`` of a provider's base URL.

    >>> server_attributes("https://openrouter.ai/api/v1")
    (('server.address', 'openrouter.ai'), ('server.port', 443))
    """
    parts = urlsplit(base_url)
    if not parts.hostname:
        return ()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (("server.address", parts.hostname), ("server.port", port))


def request_attributes(request: ChatRequest) -> Attributes:
    """The request parameters a chat request sends: model, sampling, length, streaming.

    >>> from pyllm.request import ChatRequest
    >>> request = ChatRequest("a/b", (), temperature=0.2, max_tokens=9, params={"top_p": 0.5})
    >>> request_attributes(request)
    {'gen_ai.request.model': 'a/b', 'gen_ai.request.temperature': 0.2, \
'gen_ai.request.max_tokens': 9, 'gen_ai.request.top_p': 0.5}
    """
    found: Attributes = {"gen_ai.request.model": request.model}
    if request.temperature is not None:
        found["gen_ai.request.temperature"] = request.temperature
    if request.max_tokens is not None:
        found["gen_ai.request.max_tokens"] = request.max_tokens
    params = request.params
    for name, attribute, kind in _PARAMS:
        value = params.get(name)
        if isinstance(value, kind) and not isinstance(value, bool):
            found[attribute] = value
    stop = params.get("stop")
    if isinstance(stop, str):
        stop = [stop]
    if isinstance(stop, list) and stop and all(isinstance(s, str) for s in stop):
        found["gen_ai.request.stop_sequences"] = stop
    choices = params.get("n")
    if isinstance(choices, int) and not isinstance(choices, bool) and choices != 1:
        found["gen_ai.request.choice.count"] = choices
    if request.stream:
        found["gen_ai.request.stream"] = True
    if request.schema is not None:
        found["gen_ai.output.type"] = "json"
    if request.fallback_models:  # the provider falls back to these itself (OpenRouter)
        found["pyllm.request.fallback_models"] = list(request.fallback_models)
    return found


def usage_attributes(usage: Usage | None) -> Attributes:
    """Token counts and cost of ``usage`` (cached and reasoning tokens when there are some).

    >>> from pyllm.message import Usage
    >>> usage_attributes(Usage(input_tokens=10, output_tokens=2, cached_tokens=4, cost=0.001))
    {'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 2, \
'gen_ai.usage.cache_read.input_tokens': 4, 'pyllm.cost': 0.001}
    """
    if usage is None:
        return {}
    found: Attributes = {
        "gen_ai.usage.input_tokens": usage.input_tokens,
        "gen_ai.usage.output_tokens": usage.output_tokens,
    }
    if usage.cached_tokens:
        found["gen_ai.usage.cache_read.input_tokens"] = usage.cached_tokens
    if usage.cache_write_tokens:
        found["gen_ai.usage.cache_creation.input_tokens"] = usage.cache_write_tokens
    if usage.reasoning_tokens:
        found["gen_ai.usage.reasoning.output_tokens"] = usage.reasoning_tokens
    if usage.cost is not None:
        found["pyllm.cost"] = usage.cost
        if usage.cost_source:
            found["pyllm.cost_source"] = usage.cost_source
    return found


def response_attributes(message: Message, usage: Usage | None) -> Attributes:
    """What an answer says about itself: the model that answered, its id, why it stopped,
    who served it, and ``usage``."""
    found: Attributes = {}
    if message.model:
        found["gen_ai.response.model"] = message.model
    if message.id:
        found["gen_ai.response.id"] = message.id
    if message.finish_reason:
        found["gen_ai.response.finish_reasons"] = [message.finish_reason]
    if message.upstream:
        found["pyllm.upstream"] = message.upstream
    found.update(usage_attributes(usage))
    return found


def error_type(error: BaseException) -> str:
    """``error.type``: the error's class, e.g. ``"RateLimitError"`` (low cardinality)."""
    return type(error).__qualname__


# ---- content (only with capture_content=True) -------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _attachment_part(attachment: Attachment) -> dict[str, Any]:
    """An attachment by reference, never its bytes: a ``uri`` part for a URL, else a
    description (type ``attachment``: MIME type, name and size)."""
    kind = attachment.kind
    modality = kind if kind in ("image", "video", "audio") else "file"
    if attachment.url and not attachment.url.startswith("data:"):
        return {
            "type": "uri",
            "modality": modality,
            "mime_type": attachment.mime_type,
            "uri": attachment.url,
        }
    return {
        "type": "attachment",
        "modality": modality,
        "mime_type": attachment.mime_type,
        "name": attachment.name,
        "size": len(attachment.data or b""),
    }


def _call_part(call: ToolCall) -> dict[str, Any]:
    arguments: Any = dict(call.arguments) if not call.arguments_error else call.raw_arguments
    return {"type": "tool_call", "id": call.id, "name": call.name, "arguments": arguments}


def _parts(message: Message) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [
            {"type": "tool_call_response", "id": message.tool_call_id, "response": message.content}
        ]
    parts: list[dict[str, Any]] = []
    if message.reasoning:
        parts.append({"type": "reasoning", "content": message.reasoning})
    if message.content:
        parts.append({"type": "text", "content": message.content})
    parts.extend(_attachment_part(a) for a in (*message.attachments, *message.images))
    parts.extend(_call_part(call) for call in message.tool_calls)
    return parts


def input_messages(messages: Iterable[Message]) -> str:
    """``gen_ai.input.messages``: the messages sent, in order, as the conventions' JSON.

    >>> from pyllm.message import Message
    >>> input_messages([Message.system("Be terse."), Message.user("Hi")])
    '[{"role": "system", "parts": [{"type": "text", "content": "Be terse."}]}, \
{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]'
    """
    return _dumps([{"role": m.role, "parts": _parts(m)} for m in messages])


def output_messages(message: Message) -> str:
    """``gen_ai.output.messages``: the answer, as the conventions' JSON."""
    reason = message.finish_reason or "stop"
    shown = {
        "role": "assistant",
        "parts": _parts(message),
        "finish_reason": _FINISH_REASONS.get(reason, reason),
    }
    return _dumps([shown])


def tool_definitions(request: ChatRequest) -> str | None:
    """``gen_ai.tool.definitions``: type, name and description of each tool offered."""
    if not request.tools:
        return None
    return _dumps(
        [{"type": "function", "name": t.name, "description": t.description} for t in request.tools]
    )


def tool_arguments(call: ToolCall) -> str:
    """``gen_ai.tool.call.arguments``: the arguments as parsed (the raw string if unparsable)."""
    return _dumps(_call_part(call)["arguments"])
