"""OpenRouter: one key, hundreds of models. pyllm's first-class provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from ..protocols.openrouter import OpenRouterDialect
from .base import Provider

if TYPE_CHECKING:
    from ..config import Settings
    from ..model import Model
    from ..request import ChatRequest

__all__ = ["DEFAULT_BASE_URL", "OpenRouter"]

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"


class OpenRouter(Provider):
    """``OPENROUTER_API_KEY`` / ``OPENROUTER_BASE_URL``; attribution headers only when set."""

    name = "openrouter"
    display_name: str = "OpenRouter"
    api_key_setting: ClassVar[str | None] = "openrouter_api_key"
    api_key_env: ClassVar[str | None] = "OPENROUTER_API_KEY"
    models_path: ClassVar[str] = "/models?output_modalities=all"  # else text models only
    models_need_key: ClassVar[bool] = False
    complete_listing: ClassVar[bool] = True
    gateway: ClassVar[bool] = True
    server_fallbacks: ClassVar[bool] = True  # the request's ``models`` list
    url_attachments: ClassVar[frozenset[str]] = frozenset({"image", "pdf", "video"})
    key_path: ClassVar[str] = "/key"
    """``GET``: the calling key's label, limit and usage (``client.openrouter.key()``)."""
    credits_path: ClassVar[str] = "/credits"
    """``GET``: credits bought and used (``client.openrouter.credits()``)."""
    generation_path: ClassVar[str] = "/generation"
    """``GET ?id=``: one generation's stats (``client.openrouter.generation(id)``)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenRouter:
        headers: dict[str, str] = {}
        if settings.openrouter_app_url:
            headers["HTTP-Referer"] = settings.openrouter_app_url
        if settings.openrouter_app_title:
            headers["X-OpenRouter-Title"] = settings.openrouter_app_title
        headers.update(settings.default_headers)
        return cls(
            base_url=settings.openrouter_base_url or DEFAULT_BASE_URL,
            api_key=settings.openrouter_api_key,
            protocol=OpenRouterDialect(cls.name),
            headers=headers,
        )

    def parse_models(self, body: Any) -> list[Model]:
        """OpenRouter's rich listing: prices, limits, modalities, supported parameters."""
        from ..protocols.model_listings import parse_openrouter_models

        return parse_openrouter_models(body, self.name)

    def chat_routing(self, request: ChatRequest) -> Mapping[str, Any] | None:
        """The chat's ``provider`` preferences, with ``require_parameters`` on when it uses
        tools or a schema (so routing picks only endpoints that honour them)."""
        routing = dict(request.routing or {})
        if (request.tools or request.schema is not None) and "require_parameters" not in routing:
            routing["require_parameters"] = True
        return routing or None

    def image_endpoint(self, known: Model | None) -> str:
        """Image-only models (no text output) are served at ``/images``."""
        if known is not None and "text" not in known.output_modalities:
            return "images"
        return "chat"
