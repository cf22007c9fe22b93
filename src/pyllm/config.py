"""Settings: explicit argument > ``Client(...)`` / ``pyllm.configure(...)`` > environment > default.

>>> s = Settings.resolve({"openrouter_api_key": "sk-or-test"}, environ={})
>>> s.openrouter_api_key
Secret('********')
>>> s.openrouter_api_key.reveal()
'sk-or-test'
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from ._headers import check_headers
from ._presets import PRESETS
from ._redact import MASK, display_url, is_credential_header, remember
from .errors import ConfigurationError

__all__ = ["ENV_VARIABLES", "Secret", "Settings", "apply_log_level", "check_settings"]


class Secret:
    """A string that never shows itself in ``repr``, ``str``, logs or tracebacks.

    >>> key = Secret("sk-or-v1-abc")
    >>> print(key, [key])
    ******** [Secret('********')]
    >>> key.reveal()
    'sk-or-v1-abc'
    """

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        remember(self)  # from now on, errors blank it out wherever a server echoes it

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> Any:  # pickling keeps the value; repr never shows it
        return (Secret, (self._value,))


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting pyllm reads. ``None`` means "not set": the provider's default applies."""

    openrouter_api_key: Secret | None = None
    openrouter_base_url: str | None = None
    openrouter_app_url: str | None = None
    openrouter_app_title: str | None = None
    openai_api_key: Secret | None = None
    openai_base_url: str | None = None
    openai_organization: str | None = None
    openai_project: str | None = None
    anthropic_api_key: Secret | None = None
    anthropic_base_url: str | None = None
    default_model: str | None = None
    models_cache_path: str | None = None
    timeout: float = 600.0
    connect_timeout: float = 10.0
    total_timeout: float | None = None
    max_retries: int = 3
    retry_backoff: float = 0.5
    retry_budget_s: float = 120.0
    max_retry_wait: float = 60.0
    max_connections: int = 100
    max_tool_rounds: int = 25
    raise_tool_errors: bool = False
    log_level: str | None = None
    default_headers: Mapping[str, str] = field(default_factory=dict)
    download_timeout: float = 60.0
    allow_private_downloads: bool = False
    # issue 13: the OpenAI-compatible presets of pyllm._presets.PRESETS (one pair each)
    ollama_api_key: Secret | None = None
    ollama_base_url: str | None = None
    lmstudio_api_key: Secret | None = None
    lmstudio_base_url: str | None = None
    vllm_api_key: Secret | None = None
    vllm_base_url: str | None = None
    llamacpp_api_key: Secret | None = None
    llamacpp_base_url: str | None = None
    groq_api_key: Secret | None = None
    groq_base_url: str | None = None
    together_api_key: Secret | None = None
    together_base_url: str | None = None
    deepseek_api_key: Secret | None = None
    deepseek_base_url: str | None = None
    mistral_api_key: Secret | None = None
    mistral_base_url: str | None = None
    xai_api_key: Secret | None = None
    xai_base_url: str | None = None
    fireworks_api_key: Secret | None = None
    fireworks_base_url: str | None = None
    cerebras_api_key: Secret | None = None
    cerebras_base_url: str | None = None
    gemini_api_key: Secret | None = None
    gemini_base_url: str | None = None
    download_attachments: bool = False
    """Download every remote attachment and send its bytes, even to providers that fetch URLs
    themselves (per attachment: ``pyllm.Attachment(url, download=True)``)."""
    budget_usd: float | None = None
    allow_unknown_prices: bool = False

    def __repr__(self) -> str:  # keys show as Secret('********'); URL passwords masked too
        shown = ", ".join(f"{name}={_shown(name, getattr(self, name))!r}" for name in self.names())
        return f"Settings({shown})"

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def resolve(
        cls, overrides: Mapping[str, Any], *, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, then the environment, then ``overrides`` (``None`` values are skipped)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, variable in ENV_VARIABLES.items():
            text = env.get(variable, "").strip()
            if text and overrides.get(name) is None:  # an argument wins, even over a bad value
                values[name] = _coerce(name, text, f"the environment variable {variable}")
        values.update(check_settings(overrides))
        return cls(**values)

    def updated(self, overrides: Mapping[str, Any]) -> Settings:
        """A copy with ``overrides`` applied on top (``None`` values are skipped)."""
        return replace(self, **check_settings(overrides))


def _shown(name: str, value: Any) -> Any:
    if name in _URLS and isinstance(value, str):
        return display_url(value)
    if name == "default_headers":
        return {k: MASK if is_credential_header(k) else v for k, v in value.items()}
    return value


ENV_VARIABLES: dict[str, str] = {
    "openrouter_api_key": "OPENROUTER_API_KEY",
    "openrouter_base_url": "OPENROUTER_BASE_URL",
    "openrouter_app_url": "OPENROUTER_APP_URL",
    "openrouter_app_title": "OPENROUTER_APP_TITLE",
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "openai_organization": "OPENAI_ORGANIZATION",
    "openai_project": "OPENAI_PROJECT",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
    "anthropic_base_url": "ANTHROPIC_BASE_URL",
    "default_model": "PYLLM_DEFAULT_MODEL",
    "models_cache_path": "PYLLM_MODELS_CACHE",
    "timeout": "PYLLM_TIMEOUT",
    "max_retries": "PYLLM_MAX_RETRIES",
    "log_level": "PYLLM_LOG_LEVEL",
    "allow_private_downloads": "PYLLM_ALLOW_PRIVATE_DOWNLOADS",
    **{p.key_setting: p.key_variable for p in PRESETS},
    **{p.url_setting: p.url_variable for p in PRESETS},
    "download_attachments": "PYLLM_DOWNLOAD_ATTACHMENTS",
}
"""Setting name -> environment variable. Empty strings count as unset."""

_SECRETS = frozenset(
    {"openrouter_api_key", "openai_api_key", "anthropic_api_key", *(p.key_setting for p in PRESETS)}
)
_URLS = frozenset(
    {
        "openrouter_base_url",
        "openai_base_url",
        "anthropic_base_url",
        *(p.url_setting for p in PRESETS),
    }
)
_POSITIVE = frozenset(
    {
        "timeout",
        "connect_timeout",
        "retry_backoff",
        "retry_budget_s",
        "max_retry_wait",
        "download_timeout",
    }
)
_COUNTS = {"max_retries": 0, "max_connections": 1, "max_tool_rounds": 1}
_FLAGS = frozenset(
    {"raise_tool_errors", "allow_private_downloads", "download_attachments", "allow_unknown_prices"}
)


def check_settings(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``overrides`` checked and converted (``None`` values left out): what ``configure()``,
    ``Client(...)`` and ``with_retries()`` run when a value is set, so a bad one raises
    :class:`~pyllm.ConfigurationError` at once, naming the argument.

    >>> check_settings({"timeout": "30", "max_retries": None})
    {'timeout': 30.0}
    >>> check_settings({"max_retries": -1})
    Traceback (most recent call last):
    ...
    pyllm.errors.ConfigurationError: max_retries must be at least 0, got -1
    """
    return {
        name: _coerce(name, value, name)
        for name, value in check_names(overrides).items()
        if value is not None
    }


def check_names(overrides: Mapping[str, Any]) -> Mapping[str, Any]:
    """Reject unknown setting names with a "did you mean" hint."""
    known = Settings.names()
    for name in overrides:
        if name not in known:
            import difflib  # only for error messages: keeps imports light

            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(f"unknown setting {name!r}{hint}")
    return overrides


def _coerce(name: str, value: Any, source: str) -> Any:
    """``value`` for setting ``name`` as pyllm keeps it; errors name ``source`` (the argument,
    or the environment variable the value came from)."""
    if name in _SECRETS:
        if isinstance(value, Secret):
            return value
        if not isinstance(value, str):
            raise ConfigurationError(f"{source} must be a string API key")
        return Secret(value.strip()) if value.strip() else None
    if name in _URLS:
        if not isinstance(value, str) or not value.startswith(("http://", "https://")):
            raise ConfigurationError(f"{source} must be an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")
    if name in _POSITIVE or name == "total_timeout":
        return _number(source, value)
    if name in _COUNTS:
        return _count(source, value, _COUNTS[name])
    if name == "budget_usd":  # issue 16: the client's budget
        from ._limits import check_usd

        try:
            return check_usd(value, source)
        except TypeError as exc:
            raise ConfigurationError(str(exc)) from None
    if name in _FLAGS:
        return _flag(source, value)
    if name == "models_cache_path" and isinstance(value, os.PathLike):
        return os.fspath(value)
    if name == "default_headers":
        if not isinstance(value, Mapping):
            raise ConfigurationError(f"{source} must be a mapping of header names to values")
        return check_headers(value, source)
    if not isinstance(value, str):
        raise ConfigurationError(f"{source} must be a string, got {type(value).__name__}")
    if name == "log_level" and value.strip().upper() not in _LEVELS:
        raise ConfigurationError(f"{source} must be one of {', '.join(_LEVELS)}, got {value!r}")
    return value


def _number(source: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{source} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ConfigurationError(f"{source} must be a positive number of seconds, got {value!r}")
    return number


def _flag(source: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{source} must be true or false, got {value!r}")


def _count(source: str, value: Any, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{source} must be a whole number, got {value!r}") from None
    if isinstance(value, float) and not value.is_integer():
        raise ConfigurationError(f"{source} must be a whole number, got {value!r}")
    if number < minimum:
        raise ConfigurationError(f"{source} must be at least {minimum}, got {value!r}")
    return number


_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def apply_log_level(level: str) -> None:
    """Set the ``pyllm`` logger to ``level`` (``log_level`` / ``PYLLM_LOG_LEVEL``) and, if the
    application configured no handler for it, print its records to stderr."""
    import logging

    logger = logging.getLogger("pyllm")
    logger.setLevel(level.upper())
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s pyllm %(levelname)s %(message)s"))
        logger.addHandler(handler)
