"""The catalog's lookup structure: models by any provider's id, alias, or gateway slug. Pure.

Which provider is the *gateway* (takes any ``vendor/model`` id with variant suffixes like
``:online``; OpenRouter) is what the providers declare (:attr:`Provider.gateway
<pyllm.providers.Provider.gateway>`): the registry passes it in, asked only when a lookup
needs it; the catalog never looks at providers itself.

>>> from pyllm.model import Model
>>> index = Catalog([Model("anthropic/claude-haiku-4.5", "openrouter")],
...                 {"claude-haiku-4-5": {"openrouter": "anthropic/claude-haiku-4.5"}},
...                 gateway=lambda: "openrouter")
>>> index.translate("claude-haiku-4-5:online", "openrouter")
'anthropic/claude-haiku-4.5:online'
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from ..config import ENV_VARIABLES
from ..errors import ModelNotFoundError
from ..model import Model, Pricing, split_variant

__all__ = ["Catalog", "is_vendor_id", "log_unknown"]


def is_vendor_id(name: str) -> bool:
    """True for gateway-style ``vendor/model`` ids (with or without a variant suffix)."""
    vendor, slash, rest = name.partition("/")
    return bool(slash and vendor and rest) and name.split(None, 1) == [name]  # no whitespace


def log_unknown(told: set[tuple[str, str]], name: str, provider: str) -> None:
    """Say once (``told`` remembers), at DEBUG, that ``name`` goes to ``provider`` as given,
    unknown to the registry."""
    if (name, provider) in told:
        return
    told.add((name, provider))
    import logging  # only when it is said: keeps imports light

    logging.getLogger("pyllm").debug(
        "%r is not in the registry for %s: sent as given, capabilities unknown "
        "(pyllm.models.refresh() fetches new models)",
        name,
        provider,
    )


class Catalog:
    """Models and aliases with the indexes lookups need (built once; variants are memoized).

    ``gateway`` names the provider that takes any ``vendor/model[:variant]`` id; it is called
    once, when a lookup first needs it.
    """

    def __init__(
        self,
        models: Iterable[Model],
        aliases: Mapping[str, Mapping[str, str]],
        *,
        gateway: Callable[[], str | None] = lambda: None,
    ) -> None:
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
        self._find_gateway = gateway
        self._gateway: tuple[str | None] | None = None  # asked once, when first needed
        self._slugs: dict[str, str | None] | None = None
        self._orders: dict[tuple[str, ...], tuple[str, ...]] = {}

    @property
    def gateway(self) -> str | None:
        """The provider that takes any ``vendor/model`` id, with variants (OpenRouter)."""
        if self._gateway is None:
            self._gateway = (self._find_gateway(),)
        return self._gateway[0]

    def _slug(self, slug: str) -> str | None:
        """The gateway id whose part after the vendor is ``slug`` (``None``: none or several)."""
        slugs = self._slugs
        if slugs is None:
            slugs = self._slugs = {}
            for m in self.models:
                if m.provider == self.gateway and is_vendor_id(m.id) and ":" not in m.id:
                    key = m.id.partition("/")[2]
                    slugs[key] = m.id if key not in slugs else None
        return slugs.get(slug)

    def model(self, provider: str, model_id: str) -> Model | None:
        """The model ``provider`` calls ``model_id``; gateway variants get their base's data."""
        found = self._by_key.get((provider, model_id))
        if found is None:
            base_id, variant = split_variant(model_id)
            base = self._by_key.get((provider, base_id)) if variant else None
            if base is not None and provider == self.gateway:
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
        base, variant = split_variant(name)
        if variant and provider != self.gateway:  # only the gateway's ids take variants
            base, variant = name, ""
        if variant and (provider, base) in self._by_key:
            return name
        alias = base if base in self.aliases else self._alias_of.get(base)
        target = self.aliases[alias].get(provider) if alias else None
        if target is None and provider == self.gateway:
            target = self._slug(base)
        return target + variant if target else None

    def elsewhere(self, name: str, provider: str) -> bool:
        """Whether ``name`` is a model the registry places on other providers only: one of its
        aliases, or the id of an aliased model, with no id on ``provider``, a provider it lists
        models of (hosts it knows nothing of serve whatever they serve)."""
        if provider not in self.providers or self.translate(name, provider) is not None:
            return False
        base = split_variant(name)[0]
        return base in self.aliases or self._alias_of.get(base) is not None

    def order(self, preferred: Sequence[str]) -> tuple[str, ...]:
        """Providers to search without ``provider=``: preferred ones, the gateway, the rest."""
        key = tuple(preferred)
        found = self._orders.get(key)
        if found is None:
            gateway = () if self.gateway is None else (self.gateway,)
            found = self._orders[key] = tuple(dict.fromkeys((*key, *gateway, *self.providers)))
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

    def not_found(
        self,
        name: str,
        provider: str | None = None,
        *,
        configured: Sequence[str] = (),
        builtin: Collection[str] = (),
    ) -> ModelNotFoundError:
        """The error for a name that does not resolve: where the model is listed and how to
        reach it (when ``builtin``, the providers pyllm ships, is given; ``configured`` ones have
        keys), and the closest ids and aliases (never ``name`` itself) as suggestions."""
        known = {m.id for m in self.models if provider is None or m.provider == provider}
        known.update(a for a, t in self.aliases.items() if provider is None or provider in t)
        known.discard(name)
        import difflib  # only for error messages: keeps imports light

        close = tuple(difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6))
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else ""
        where = f" on {provider}" if provider else ""
        reach = self._reach(name, provider, configured, builtin) if builtin else ""
        if reach:
            mine = f"on {provider}" if provider else f"from {', '.join(configured)}"
            if not provider and not configured:
                mine = "without a configured provider"
            text = f"{name!r} is not available {mine}: {reach}" + (f"; or {hint}" if hint else "")
        else:
            text = f"unknown model {name!r}{where}" + (f"; {hint}" if hint else "")
        return ModelNotFoundError(
            f"{text} (`pyllm models` lists them; pyllm.models.refresh() fetches new ones)",
            suggestions=close,
        )

    def _reach(
        self, name: str, provider: str | None, configured: Sequence[str], builtin: Collection[str]
    ) -> str:
        """How to reach ``name`` where it is listed, other than on ``provider``."""
        notes, unserved = [], []
        for other in self.order(configured):
            model_id = None if other == provider else self.translate(name, other)
            if model_id is None:
                continue
            calls = "lists it" if model_id == name else f"calls it {model_id!r}"
            if other in configured:
                notes.append(f"{other} {calls} (provider={other!r})")
            elif other in builtin:
                variable = ENV_VARIABLES.get(f"{other}_api_key", f"{other}_api_key")
                notes.append(f"{other} {calls}: set {variable} to use it")
            else:
                unserved.append(other)
        if unserved:
            who = ", ".join(unserved[:4]) + (", ..." if len(unserved) > 4 else "")
            lack = (
                f"lists it, but pyllm has no built-in {who} provider"
                if len(unserved) == 1
                else "list it, but pyllm has no built-in provider for them"
            )
            notes.append(
                f"{who} {lack}: register one, e.g. client.register_provider(OpenAICompatible("
                f"{unserved[0]!r}, base_url=..., api_key=...))"
            )
        return "; ".join(notes)


def _free(pricing: Pricing) -> Pricing:
    return Pricing(input=0.0, output=0.0, request=pricing.request and 0.0)
