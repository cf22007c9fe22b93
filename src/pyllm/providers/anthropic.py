"""Anthropic's own API: Claude through the Messages API (``POST {base}/messages``).

>>> from pyllm.config import Settings
>>> settings = Settings.resolve({"anthropic_api_key": "sk-ant-x"}, environ={})
>>> claude = Anthropic.from_settings(settings)
>>> claude.url(claude.chat_path), claude.headers()["anthropic-version"]
('https://api.anthropic.com/v1/messages', '2023-06-01')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from ..errors import ErrorDetails, InvalidResponseError
from ..model import Model
from .base import Provider

if TYPE_CHECKING:
    from ..config import Settings

__all__ = ["DEFAULT_BASE_URL", "Anthropic"]

DEFAULT_BASE_URL = "https://api.anthropic.com/v1"
_PAGE = 1000  # models per listing page (Anthropic's largest)
_COUNTED = ("model", "messages", "system", "tools", "tool_choice", "thinking")


class Anthropic(Provider):
    """``ANTHROPIC_API_KEY`` / ``ANTHROPIC_BASE_URL``; the key goes in ``x-api-key`` and every
    request says ``anthropic-version: 2023-06-01``. ``anthropic-beta`` is sent only when you ask
    for it: ``chat.with_headers(anthropic_beta="...")``."""

    name = "anthropic"
    display_name: str = "Anthropic"
    api_key_setting: ClassVar[str | None] = "anthropic_api_key"
    api_key_env: ClassVar[str | None] = "ANTHROPIC_API_KEY"
    chat_path: ClassVar[str] = "/messages"
    models_path: ClassVar[str] = f"/models?limit={_PAGE}"
    embeddings_path: ClassVar[str | None] = None
    images_path: ClassVar[str | None] = None
    max_tokens_required: ClassVar[bool] = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Anthropic:
        from ..protocols.anthropic import API_VERSION, AnthropicMessages

        return cls(
            base_url=settings.anthropic_base_url or DEFAULT_BASE_URL,
            api_key=settings.anthropic_api_key,
            protocol=AnthropicMessages(cls.name),
            headers={"anthropic-version": API_VERSION, **settings.default_headers},
        )

    def auth_headers(self, key: str) -> dict[str, str]:
        return {"x-api-key": key}

    def extract_error(self, status: int, headers: Mapping[str, str], body: bytes) -> ErrorDetails:
        """The body's details, with the ``request-id`` header in ``metadata["request_id"]``
        (``error.request_id``) when the body did not say it."""
        details = super().extract_error(status, headers, body)
        request_id = next((v for k, v in headers.items() if k.lower() == "request-id"), None)
        if not request_id or details.metadata.get("request_id"):
            return details
        metadata = {**details.metadata, "request_id": request_id}
        return ErrorDetails(
            message=details.message,
            code=details.code,
            metadata=metadata,
            upstream=details.upstream,
            upstream_message=details.upstream_message,
            error_type=details.error_type,
            raw=details.raw,
            generation_id=details.generation_id,
            retry_after=details.retry_after,
        )

    def count_tokens_request(self, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """``POST /messages/count_tokens`` with what it counts (not ``max_tokens``, ``stream``
        and the sampling settings, which it refuses)."""
        return "/messages/count_tokens", {k: v for k, v in payload.items() if k in _COUNTED}

    def parse_models(self, body: Any) -> list[Model]:
        """One page of ``GET /models``: ids, display names and ISO ``created_at`` dates (a
        refresh adds the models pyllm did not know and keeps the prices it has)."""
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list):
            raise InvalidResponseError(
                'the model listing has no "data" list', provider=self.name, raw=body
            )
        return [
            Model(
                id=entry["id"],
                provider=self.name,
                name=entry["display_name"] if isinstance(entry.get("display_name"), str) else "",
                created_at=_date(entry.get("created_at")),
            )
            for entry in data
            if isinstance(entry, Mapping) and isinstance(entry.get("id"), str)
        ]

    def next_models_path(self, body: Any) -> str | None:
        """The next page of the listing (``has_more`` and ``last_id``), else ``None``."""
        if not isinstance(body, Mapping) or body.get("has_more") is not True:
            return None
        last = body.get("last_id")
        if not isinstance(last, str) or not last:
            return None
        return f"/models?limit={_PAGE}&after_id={quote(last, safe='')}"


def _date(value: Any) -> datetime | None:
    """An ISO 8601 date (``2025-10-15T00:00:00Z``), ``None`` when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
