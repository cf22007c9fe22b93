"""OpenAI's own API (Chat Completions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..protocols.chat_completions import ChatCompletions
from .base import Provider

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["DEFAULT_BASE_URL", "OpenAI"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAI(Provider):
    """``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` / ``OPENAI_ORGANIZATION``."""

    name = "openai"
    display_name: str = "OpenAI"
    api_key_setting: ClassVar[str | None] = "openai_api_key"
    api_key_env: ClassVar[str | None] = "OPENAI_API_KEY"

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAI:
        headers = dict(settings.default_headers)
        if settings.openai_organization:
            headers["OpenAI-Organization"] = settings.openai_organization
        return cls(
            base_url=settings.openai_base_url or DEFAULT_BASE_URL,
            api_key=settings.openai_api_key,
            protocol=ChatCompletions(cls.name),
            headers=headers,
        )
