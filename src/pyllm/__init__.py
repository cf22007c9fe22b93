"""pyllm: one beautiful Python API for every large language model, OpenRouter first.

>>> import pyllm
>>> chat = pyllm.chat("anthropic/claude-haiku-4.5")     # doctest: +SKIP
>>> reply = chat.ask("Count from 1 to 3")               # doctest: +SKIP
>>> reply.content, reply.usage.cost                     # doctest: +SKIP
('1\\n2\\n3', 6e-05)

Importing pyllm is nearly free: names load on first use, and httpx only when a request is made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APITimeoutError": "errors",
    "AsyncChatStream": "_stream",
    "Attachment": "content",
    "AttachmentError": "errors",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "Chat": "conversation",
    "ChatStream": "_stream",
    "Chunk": "chunk",
    "Client": "client",
    "ConfigurationError": "errors",
    "Content": "content",
    "ContextLengthExceededError": "errors",
    "Embedding": "embedding",
    "Error": "errors",
    "Halt": "tools",
    "Image": "image",
    "IncompleteEmbeddingError": "embedding",
    "InvalidResponseError": "errors",
    "Message": "message",
    "Model": "model",
    "ModelNotFoundError": "errors",
    "Models": "registry",
    "ModerationError": "errors",
    "NotFoundError": "errors",
    "OverloadedError": "errors",
    "PayloadTooLargeError": "errors",
    "PaymentRequiredError": "errors",
    "PermissionDeniedError": "errors",
    "Pricing": "model",
    "RateLimitError": "errors",
    "Registry": "registry",
    "RequestTimeoutError": "errors",
    "ServerError": "errors",
    "Route": "_fallback",
    "ServiceUnavailableError": "errors",
    "Tool": "tools",
    "Settings": "config",
    "ToolCall": "message",
    "ToolError": "errors",
    "ToolResult": "tools",
    "TopProvider": "model",
    "UnprocessableEntityError": "errors",
    "UnsupportedError": "errors",
    "Usage": "message",
    "aembed": "client",
    "apaint": "client",
    "chat": "client",
    "configure": "client",
    "default_client": "client",
    "embed": "client",
    "models": "registry",
    "paint": "client",
    "tool": "tools",
}

_SUBMODULES = frozenset({"openrouter", "testing", "providers", "protocols"})

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        if name in _SUBMODULES:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module 'pyllm' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *_SUBMODULES])


if TYPE_CHECKING:
    from . import openrouter, protocols, providers, testing
    from ._fallback import Route
    from ._stream import AsyncChatStream, ChatStream
    from .chunk import Chunk
    from .client import Client, aembed, apaint, chat, configure, default_client, embed, paint
    from .config import Settings
    from .content import Attachment, Content
    from .conversation import Chat
    from .embedding import Embedding, IncompleteEmbeddingError
    from .errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AttachmentError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ContextLengthExceededError,
        Error,
        InvalidResponseError,
        ModelNotFoundError,
        ModerationError,
        NotFoundError,
        OverloadedError,
        PayloadTooLargeError,
        PaymentRequiredError,
        PermissionDeniedError,
        RateLimitError,
        RequestTimeoutError,
        ServerError,
        ServiceUnavailableError,
        ToolError,
        UnprocessableEntityError,
        UnsupportedError,
    )
    from .image import Image
    from .message import Message, ToolCall, Usage
    from .model import Model, Pricing, TopProvider
    from .registry import Models, Registry, models
    from .tools import Halt, Tool, ToolResult, tool
