"""Any host that speaks OpenAI Chat Completions: a provider with no protocol code of its own.

>>> local = OpenAICompatible("local", base_url="http://127.0.0.1:8000/v1")
>>> local.url(local.chat_path)
'http://127.0.0.1:8000/v1/chat/completions'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..config import Secret
from ..protocols.chat_completions import ChatCompletions
from .base import Provider

if TYPE_CHECKING:
    from ..protocols.base import ChatProtocol

__all__ = ["OpenAICompatible"]


class OpenAICompatible(Provider):
    """A Chat Completions host: vLLM, Ollama, LM Studio, Groq, Together, a gateway...

    ``requires_key=True`` refuses a request without ``api_key`` before it is sent (by default
    a key is optional: local servers rarely want one). Register it on a client and use its
    name as ``provider=``::

        client.register_provider(OpenAICompatible("local", base_url="http://127.0.0.1:8000/v1"))
        client.chat("llama-3.1-8b", provider="local").ask("Hi")
    """

    def __init__(
        self,
        name: str,
        *,
        base_url: str,
        api_key: str | Secret | None = None,
        headers: Mapping[str, str] | None = None,
        protocol: ChatProtocol | None = None,
        requires_key: bool = False,
    ) -> None:
        self.name = name
        self.display_name = name
        key = Secret(api_key) if isinstance(api_key, str) else api_key
        super().__init__(
            base_url=base_url,
            api_key=key,
            protocol=protocol or ChatCompletions(name),
            headers=headers,
            requires_key=requires_key,
        )
