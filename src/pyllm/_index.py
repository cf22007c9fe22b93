"""The registry's indexes: lookups by any provider's id, alias, or OpenRouter slug. Pure.

>>> from pyllm.model import Model
>>> index = Catalog([Model("anthropic/claude-haiku-4.5", "openrouter")],
...                 {"claude-haiku-4-5": {"openrouter": "anthropic/claude-haiku-4.5"}})
>>> index.translate("claude-haiku-4-5:online", "openrouter")
'anthropic/claude-haiku-4.5:online'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from .errors import ModelNotFoundError
from .model import Model, Pricing, split_variant

__all__ = ["OPENROUTER", "Catalog", "is_vendor_id"]

OPENROUTER = "openrouter"


def is_vendor_id(name: str) -> bool:
    """True for OpenRouter-style ``vendor/model`` ids (with or without a variant suffix)."""
    vendor, slash, rest = name.partition("/")
    return bool(slash and vendor and rest) and name.split(None, 1) == [name]  # no whitespace


class Catalog:
    """Models and aliases with the indexes lookups need (built once; variants are memoized)."""

    def __init__(self, models: Iterable[Model], aliases: Mapping[str, Mapping[str, str]]) -> None:
        self.models = tuple(models)
        self._by_key = {(m.provider, m.id): m for m in self.models}
        self.providers = tuple(dict.fromkeys(m.provider for m in self.models))
        self.aliases = {
            name: kept
            for name, targets in aliases.items()
            if (kept := {p: i for p, i in targets.items() if (p, i) in self._by_key})
        }
        alias_of: dict[str, str | None] = {}
        for name, targets in self.aliases.items():
            for target in targets.values():
                alias_of[target] = name if alias_of.get(target, name) == name else None
        self._alias_of = alias_of  # any provider's id -> its alias (None when ambiguous)
        slugs: dict[str, str | None] = {}
        for m in self.models:
            if m.provider == OPENROUTER and is_vendor_id(m.id) and ":" not in m.id:
                slug = m.id.partition("/")[2]
                slugs[slug] = m.id if slug not in slugs else None
        self._slugs = slugs  # OpenRouter id without its vendor -> id (None when ambiguous)
        self._orders: dict[tuple[str, ...], tuple[str, ...]] = {}

    def model(self, provider: str, model_id: str) -> Model | None:
        """The model ``provider`` calls ``model_id``; OpenRouter variants get their base's data."""
        found = self._by_key.get((provider, model_id))
        if found is None and provider == OPENROUTER:
            base_id, variant = split_variant(model_id)
            base = self._by_key.get((provider, base_id)) if variant else None
            if base is not None:
                free = ":free" in variant
                pricing = _free(base.pricing) if free else base.pricing
                found = self._by_key[provider, model_id] = replace(
                    base, id=model_id, pricing=pricing
                )
        return found

    def translate(self, name: str, provider: str) -> str | None:
        """The id ``provider`` uses for ``name`` (its own id, another provider's id, an alias)."""
        if (provider, name) in self._by_key:
            return name
        base, variant = split_variant(name) if provider == OPENROUTER else (name, "")
        if variant and (provider, base) in self._by_key:
            return name
        alias = base if base in self.aliases else self._alias_of.get(base)
        target = self.aliases[alias].get(provider) if alias else None
        if target is None and provider == OPENROUTER:
            target = self._slugs.get(base)
        return target + variant if target else None

    def order(self, preferred: Sequence[str]) -> tuple[str, ...]:
        """Providers to search without ``provider=``: preferred ones, OpenRouter, the rest."""
        key = tuple(preferred)
        found = self._orders.get(key)
        if found is None:
            found = self._orders[key] = tuple(dict.fromkeys((*key, OPENROUTER, *self.providers)))
        return found

    def candidates(
        self, name: str, provider: str | None, preferred: Sequence[str]
    ) -> Iterator[Model]:
        """Every model ``name`` may mean, best first."""
        for candidate in (provider,) if provider is not None else self.order(preferred):
            model_id = self.translate(name, candidate)
            model = self.model(candidate, model_id) if model_id else None
            if model is not None:
                yield model

    def not_found(self, name: str, provider: str | None = None) -> ModelNotFoundError:
        """The error for an unknown name, with the closest ids and aliases as suggestions."""
        known = {m.id for m in self.models if provider is None or m.provider == provider}
        known.update(a for a, t in self.aliases.items() if provider is None or provider in t)
        import difflib  # only for error messages: keeps imports light

        close = tuple(difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6))
        where = f" on {provider}" if provider else ""
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        return ModelNotFoundError(
            f"unknown model {name!r}{where}{hint} (`pyllm models` lists them; "
            "pyllm.models.refresh() fetches new ones)",
            suggestions=close,
        )


def _free(pricing: Pricing) -> Pricing:
    return Pricing(input=0.0, output=0.0, request=pricing.request and 0.0)
