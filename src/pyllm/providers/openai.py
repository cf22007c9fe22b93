"""OpenAI's own API: Chat Completions (OpenAI's dialect), embeddings, ``/images/generations``."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..protocols.openai import OpenAIChat
from .base import Provider

if TYPE_CHECKING:
    from ..config import Settings
    from ..model import Model

__all__ = ["DEFAULT_BASE_URL", "OpenAI"]

DEFAULT_BASE_URL = "https://api.openai.com/v1"


class OpenAI(Provider):
    """``OPENAI_API_KEY`` / ``OPENAI_BASE_URL``; ``OPENAI_ORGANIZATION`` and ``OPENAI_PROJECT``
    are sent as the ``OpenAI-Organization`` and ``OpenAI-Project`` headers, only when set."""

    name = "openai"
    display_name: str = "OpenAI"
    api_key_setting: ClassVar[str | None] = "openai_api_key"
    api_key_env: ClassVar[str | None] = "OPENAI_API_KEY"
    images_path: ClassVar[str | None] = "/images/generations"
    image_references: ClassVar[bool] = False  # edits are /images/edits, multipart
    reads_model_info: ClassVar[bool] = True  # reasoning models: see pyllm.protocols.openai

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAI:
        headers = dict(settings.default_headers)
        if settings.openai_organization:
            headers["OpenAI-Organization"] = settings.openai_organization
        if settings.openai_project:
            headers["OpenAI-Project"] = settings.openai_project
        return cls(
            base_url=settings.openai_base_url or DEFAULT_BASE_URL,
            api_key=settings.openai_api_key,
            protocol=OpenAIChat(cls.name),
            headers=headers,
        )

    def image_endpoint(self, known: Model | None) -> str:
        """OpenAI paints only at ``/images/generations`` (gpt-image-1, dall-e-3...)."""
        return "images"
