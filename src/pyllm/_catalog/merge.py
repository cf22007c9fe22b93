"""Combining the catalog's sources: the bundled snapshot, the cached listings that apply to
this client (by provider *and* base URL), and live listings fetched by a refresh.

>>> from pyllm.model import Model
>>> old = [Model("gpt-x", "openai", context_window=5)]
>>> [m.id for m in merge(old, "openai", [Model("gpt-x", "openai"), Model("gpt-y", "openai")],
...                      authoritative=False)]
['gpt-x', 'gpt-y']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any

from ..model import Model, Pricing
from .codec import decode
from .files import read_listings, read_snapshot

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["load_models", "merge"]


def load_models(
    cache: Path | None, bases: Callable[[], Mapping[str, str]] = dict
) -> tuple[list[Model], str]:
    """``(models, source)``: the bundled snapshot, with each provider's models replaced by the
    cached listing for the base URL ``bases()`` gives it (called only when the cache has
    listings). ``source`` is ``"cache"`` when a listing was used, else ``"snapshot"``.

    A cache that exists but cannot be read is ignored with a warning.
    """
    models = read_snapshot()
    if cache is None or not cache.exists():
        return models, "snapshot"
    try:
        listings = read_listings(cache)
        wanted = bases() if listings else {}
        cached = {
            name: [m for m in decode(entry["models"]) if m.provider == name]
            for entry in listings
            if wanted.get(name := entry["provider"]) == entry["base_url"]
        }
    except (OSError, ValueError) as exc:
        import warnings

        warnings.warn(
            f"ignoring the pyllm model cache {cache} ({exc}); using the bundled snapshot. "
            "pyllm.models.refresh() rewrites it.",
            RuntimeWarning,
            stacklevel=4,
        )
        return models, "snapshot"
    if not cached:
        return models, "snapshot"
    groups: dict[str, list[Model]] = {}
    for model in models:
        groups.setdefault(model.provider, []).append(model)
    groups.update(cached)  # a provider keeps its place; a new one comes last
    return [m for group in groups.values() for m in group], "cache"


_EMPTY: tuple[Any, ...] = (None, "", (), frozenset(), Pricing())


def _fill(new: Model, old: Model | None) -> Model:
    """``new`` with the fields it leaves empty taken from ``old``."""
    if old is None:
        return new
    missing = {
        f.name: getattr(old, f.name) for f in fields(Model) if getattr(new, f.name) in _EMPTY
    }
    return replace(new, **missing) if missing else new


def merge(
    current: Sequence[Model], provider: str, listed: Sequence[Model], *, authoritative: bool
) -> list[Model]:
    """``current`` updated with ``provider``'s live listing.

    An authoritative listing (with full metadata, like OpenRouter's) replaces that provider's
    models; fields it leaves empty keep their old values. Otherwise (ids only) the listing adds
    the models pyllm did not know and keeps the rest.
    """
    old = {m.id: m for m in current if m.provider == provider}
    kept = [m for m in current if m.provider != provider or not authoritative]
    fresh = {m.id: m for m in listed}.values()  # a listing may repeat an id
    if authoritative:
        return kept + [_fill(m, old.get(m.id)) for m in fresh]
    return kept + [m for m in fresh if m.id not in old]
