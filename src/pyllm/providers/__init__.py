"""Providers pyllm knows by name. Add your own with ``Client.register_provider``.

:data:`BUILTIN` is the one list of built-in providers, in resolution order. Reading it loads no
provider (a client needs the names long before its first request); a class loads when first
used, as do the names below.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

from .._presets import PRESETS

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..config import Settings
    from .anthropic import Anthropic as Anthropic
    from .base import Provider as Provider
    from .openai import OpenAI as OpenAI
    from .openai_compatible import OpenAICompatible as OpenAICompatible
    from .openrouter import OpenRouter as OpenRouter
    from .presets import PresetProvider as PresetProvider

    BUILTIN_PROVIDERS: dict[str, Callable[[Settings], Provider]]

__all__ = [
    "BUILTIN",
    "BUILTIN_PROVIDERS",
    "Anthropic",
    "OpenAI",
    "OpenAICompatible",
    "OpenRouter",
    "PresetProvider",
    "Provider",
    "builtin_factory",
    "builtin_gateway",
]

BUILTIN: dict[str, tuple[str, str]] = {
    "anthropic": ("anthropic", "Anthropic"),  # a vendor's own API before the gateway to it
    "openai": ("openai", "OpenAI"),
    **{preset.name: ("presets", "PresetProvider") for preset in PRESETS},
    "openrouter": ("openrouter", "OpenRouter"),  # the gateway comes last: see below
}
"""Built-in provider name -> (its module in ``pyllm.providers``, its class), in resolution
order: providers with their own API, then the OpenAI-compatible presets
(:data:`pyllm._presets.PRESETS`), then the gateway (OpenRouter), so a model you hold a direct
key for is served directly. To add one, see docs/providers/add-a-provider.md."""

_CLASSES = {
    "Anthropic": "anthropic",
    "Provider": "base",
    "OpenAI": "openai",
    "OpenAICompatible": "openai_compatible",
    "OpenRouter": "openrouter",
    "PresetProvider": "presets",
}


def _load(module: str, name: str) -> Any:
    qualified = f"{__name__}.{module}"
    __import__(qualified)  # importlib.import_module would import importlib
    return getattr(sys.modules[qualified], name)


def builtin_factory(name: str) -> Callable[[Settings], Provider] | None:
    """What makes the built-in provider ``name`` from settings (its class's
    :meth:`~pyllm.providers.Provider.factory`); ``None`` if none is called that."""
    where = BUILTIN.get(name)
    if where is None:
        return None
    factory: Callable[[Settings], Provider] = _load(*where).factory(name)
    return factory


@functools.cache
def builtin_gateway() -> str | None:
    """The built-in provider that declares itself a gateway (``"openrouter"``: it takes any
    ``vendor/model`` id); loads the provider classes, so it is asked only when needed.

    >>> builtin_gateway()
    'openrouter'
    """
    return next((name for name, where in BUILTIN.items() if _load(*where).gateway), None)


def __getattr__(name: str) -> Any:
    if name in _CLASSES:
        return _load(_CLASSES[name], name)
    if name == "BUILTIN_PROVIDERS":  # name -> factory from settings, in resolution order
        return {provider: builtin_factory(provider) for provider in BUILTIN}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
