"""The OpenAI-compatible hosts pyllm knows by name (Ollama, Groq, Gemini...): one class, a row
of data each (:data:`pyllm._presets.PRESETS`).

>>> from pyllm.config import Settings
>>> ollama = PresetProvider.factory("ollama")(Settings())
>>> ollama.url(ollama.chat_path), ollama.requires_key
('http://localhost:11434/v1/chat/completions', False)
>>> PresetProvider.factory("groq")(Settings(groq_base_url="http://127.0.0.1:9/v1")).base_url
'http://127.0.0.1:9/v1'
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from .._presets import PRESETS_BY_NAME
from .base import missing_key
from .openai_compatible import OpenAICompatible

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._presets import Preset
    from ..config import Settings
    from ..errors import ConfigurationError
    from .base import Provider

__all__ = ["PresetProvider"]


class PresetProvider(OpenAICompatible):
    """A host of :data:`~pyllm._presets.PRESETS`, made from the settings: its base URL from
    ``<name>_base_url`` (``<NAME>_BASE_URL``) else the preset's, its key from ``<name>_api_key``
    (``<NAME>_API_KEY``); the settings' ``default_headers`` on every request."""

    def __init__(self, preset: Preset, settings: Settings) -> None:
        values: dict[str, Any] = {
            "base_url": getattr(settings, preset.url_setting) or preset.base_url,
            "api_key": getattr(settings, preset.key_setting),
        }
        super().__init__(
            preset.name, headers=settings.default_headers, requires_key=preset.needs_key, **values
        )
        self.preset = preset
        self.display_name = preset.display_name

    @classmethod
    def factory(cls, name: str) -> Callable[[Settings], Provider]:
        """The preset called ``name``, made from the settings when called."""
        return functools.partial(cls, PRESETS_BY_NAME[name])

    def missing_key(self) -> ConfigurationError:
        preset = self.preset
        return missing_key(preset.display_name, preset.key_setting, preset.key_variable)
