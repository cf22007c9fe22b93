"""pyllm: one beautiful Python API for every large language model, OpenRouter first.

>>> import pyllm
>>> chat = pyllm.chat("anthropic/claude-haiku-4.5")     # doctest: +SKIP
>>> reply = chat.ask("Count from 1 to 3")               # doctest: +SKIP
>>> reply.content, reply.usage.cost                     # doctest: +SKIP
('1\\n2\\n3', 6e-05)

Importing pyllm is nearly free: names load on first use, and httpx only when a request is made.
This module imports nothing at all (not even ``typing``, which costs as much as half a bare
interpreter start); ``tests/contract/test_import_cost.py`` keeps it that way.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APITimeoutError": "errors",
    "AsyncChatStream": "streams",
    "Attachment": "content",
    "AttachmentError": "errors",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "BudgetExceededError": "_limits",
    "Chat": "conversation",
    "ChatNotFoundError": "stores",
    "ChatStream": "streams",
    "Chunk": "chunk",
    "Citation": "citation",
    "Client": "client",
    "ConfigurationError": "errors",
    "Content": "content",
    "ContextLengthExceededError": "errors",
    "Embedding": "embedding",
    "Error": "errors",
    "FormatError": "_serial",
    "Halt": "tools",
    "Image": "image",
    "IncompleteEmbeddingError": "embedding",
    "Instrumentation": "_otel",
    "Limits": "_limits",
    "InvalidResponseError": "errors",
    "MCPError": "errors",
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
    "RedirectError": "errors",
    "Registry": "registry",
    "RenderedRequest": "rendered",
    "RequestEvent": "events",
    "RequestTimeoutError": "errors",
    "ServerError": "errors",
    "SQLStore": "stores",
    "StoreError": "stores",
    "Route": "_routes",
    "RouteAttempt": "_routes",
    "ServiceUnavailableError": "errors",
    "StructuredOutputError": "errors",
    "Tool": "tools",
    "Settings": "config",
    "TokenLogprob": "logprobs",
    "ToolCall": "message",
    "ToolError": "errors",
    "ToolResult": "tools",
    "TopProvider": "model",
    "UnprocessableEntityError": "errors",
    "UnsupportedError": "errors",
    "Usage": "message",
    "UsageLimitError": "_limits",
    "aembed": "client",
    "apaint": "client",
    "chat": "client",
    "chat_from": "client",
    "configure": "client",
    "default_client": "client",
    "embed": "client",
    "instrument": "_otel",
    "models": "registry",
    "paint": "client",
    "tool": "tools",
}

_SUBMODULES = frozenset({"openrouter", "testing", "providers", "protocols", "mcp", "stores"})

__all__ = sorted([*_EXPORTS, "__version__"])


def _import(module_name: str) -> Any:
    qualified = f"{__name__}.{module_name}"
    __import__(qualified)  # importlib.import_module would import importlib (and warnings)
    return sys.modules[qualified]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        if name in _SUBMODULES:
            return _import(name)
        raise AttributeError(f"module 'pyllm' has no attribute {name!r}")
    value = getattr(_import(module_name), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, *_SUBMODULES])


if TYPE_CHECKING:  # the same names for type checkers, re-exported explicitly
    from typing import Any

    from . import mcp as mcp
    from . import openrouter as openrouter
    from . import protocols as protocols
    from . import providers as providers
    from . import stores as stores
    from . import testing as testing
    from ._limits import BudgetExceededError as BudgetExceededError
    from ._limits import Limits as Limits
    from ._limits import UsageLimitError as UsageLimitError
    from ._otel import Instrumentation as Instrumentation
    from ._otel import instrument as instrument
    from ._routes import Route as Route
    from ._routes import RouteAttempt as RouteAttempt
    from ._serial import FormatError as FormatError
    from .chunk import Chunk as Chunk
    from .citation import Citation as Citation
    from .client import Client as Client
    from .client import aembed as aembed
    from .client import apaint as apaint
    from .client import chat as chat
    from .client import chat_from as chat_from
    from .client import configure as configure
    from .client import default_client as default_client
    from .client import embed as embed
    from .client import paint as paint
    from .config import Settings as Settings
    from .content import Attachment as Attachment
    from .content import Content as Content
    from .conversation import Chat as Chat
    from .embedding import Embedding as Embedding
    from .embedding import IncompleteEmbeddingError as IncompleteEmbeddingError
    from .errors import APIConnectionError as APIConnectionError
    from .errors import APIError as APIError
    from .errors import APITimeoutError as APITimeoutError
    from .errors import AttachmentError as AttachmentError
    from .errors import AuthenticationError as AuthenticationError
    from .errors import BadRequestError as BadRequestError
    from .errors import ConfigurationError as ConfigurationError
    from .errors import ContextLengthExceededError as ContextLengthExceededError
    from .errors import Error as Error
    from .errors import InvalidResponseError as InvalidResponseError
    from .errors import MCPError as MCPError
    from .errors import ModelNotFoundError as ModelNotFoundError
    from .errors import ModerationError as ModerationError
    from .errors import NotFoundError as NotFoundError
    from .errors import OverloadedError as OverloadedError
    from .errors import PayloadTooLargeError as PayloadTooLargeError
    from .errors import PaymentRequiredError as PaymentRequiredError
    from .errors import PermissionDeniedError as PermissionDeniedError
    from .errors import RateLimitError as RateLimitError
    from .errors import RedirectError as RedirectError
    from .errors import RequestTimeoutError as RequestTimeoutError
    from .errors import ServerError as ServerError
    from .errors import ServiceUnavailableError as ServiceUnavailableError
    from .errors import StructuredOutputError as StructuredOutputError
    from .errors import ToolError as ToolError
    from .errors import UnprocessableEntityError as UnprocessableEntityError
    from .errors import UnsupportedError as UnsupportedError
    from .events import RequestEvent as RequestEvent
    from .image import Image as Image
    from .logprobs import TokenLogprob as TokenLogprob
    from .message import Message as Message
    from .message import ToolCall as ToolCall
    from .message import Usage as Usage
    from .model import Model as Model
    from .model import Pricing as Pricing
    from .model import TopProvider as TopProvider
    from .registry import Models as Models
    from .registry import Registry as Registry
    from .registry import models as models
    from .rendered import RenderedRequest as RenderedRequest
    from .stores import ChatNotFoundError as ChatNotFoundError
    from .stores import SQLStore as SQLStore
    from .stores import StoreError as StoreError
    from .streams import AsyncChatStream as AsyncChatStream
    from .streams import ChatStream as ChatStream
    from .tools import Halt as Halt
    from .tools import Tool as Tool
    from .tools import ToolResult as ToolResult
    from .tools import tool as tool
