"""The OpenAI-compatible hosts pyllm knows by name: data, one row each. Pure values.

A preset is a name (what ``provider=`` takes), a default base URL, the environment variable
of its key and whether it needs one. Its settings are ``<name>_api_key`` and
``<name>_base_url`` (``<NAME>_API_KEY`` / ``<NAME>_BASE_URL`` in the environment), read like
every other setting. :data:`pyllm.providers.BUILTIN`, the one list of built-in providers,
takes its presets from here.

>>> PRESETS_BY_NAME["ollama"].base_url, PRESETS_BY_NAME["ollama"].needs_key
('http://localhost:11434/v1', False)
>>> PRESETS_BY_NAME["groq"].key_variable, PRESETS_BY_NAME["groq"].url_variable
('GROQ_API_KEY', 'GROQ_BASE_URL')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PRESETS", "PRESETS_BY_NAME", "Preset"]


@dataclass(frozen=True, slots=True)
class Preset:
    """One OpenAI-compatible host: its ``provider=`` name, how messages name it, its default
    base URL, the variable holding its key, and whether a request without a key is refused
    before it is sent (local servers need none)."""

    name: str
    display_name: str
    base_url: str
    key_variable: str
    needs_key: bool = True

    @property
    def url_variable(self) -> str:
        """The environment variable that overrides the base URL: ``<NAME>_BASE_URL``."""
        return f"{self.name.upper()}_BASE_URL"

    @property
    def key_setting(self) -> str:
        """The setting holding the key: ``<name>_api_key``."""
        return f"{self.name}_api_key"

    @property
    def url_setting(self) -> str:
        """The setting holding the base URL: ``<name>_base_url``."""
        return f"{self.name}_base_url"


PRESETS: tuple[Preset, ...] = (
    # local servers: no key needed
    Preset("ollama", "Ollama", "http://localhost:11434/v1", "OLLAMA_API_KEY", needs_key=False),
    Preset(
        "lmstudio", "LM Studio", "http://localhost:1234/v1", "LMSTUDIO_API_KEY", needs_key=False
    ),
    Preset("vllm", "vLLM", "http://localhost:8000/v1", "VLLM_API_KEY", needs_key=False),
    Preset(
        "llamacpp", "llama.cpp", "http://localhost:8080/v1", "LLAMACPP_API_KEY", needs_key=False
    ),
    # hosted APIs: a key is needed
    Preset("groq", "Groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    Preset("together", "Together AI", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    Preset("deepseek", "DeepSeek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
    Preset("mistral", "Mistral AI", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    Preset("xai", "xAI", "https://api.x.ai/v1", "XAI_API_KEY"),
    Preset(
        "fireworks", "Fireworks AI", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"
    ),
    Preset("cerebras", "Cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
    Preset(
        "gemini",
        "Gemini",
        "https://generativelanguage.googleapis.com/v1beta/openai",
        "GEMINI_API_KEY",
    ),
)
"""Every preset, in resolution order (after the providers with their own API, before the
gateway)."""

PRESETS_BY_NAME: dict[str, Preset] = {preset.name: preset for preset in PRESETS}
