"""Providers pyllm knows by name. Add your own with ``Client.register_provider``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Provider
from .openai import OpenAI
from .openai_compatible import OpenAICompatible
from .openrouter import OpenRouter

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..config import Settings

__all__ = ["BUILTIN_PROVIDERS", "OpenAI", "OpenAICompatible", "OpenRouter", "Provider"]

BUILTIN_PROVIDERS: dict[str, Callable[[Settings], Provider]] = {
    "openrouter": OpenRouter.from_settings,
    "openai": OpenAI.from_settings,
}
"""Provider name -> factory from settings, in resolution order."""
