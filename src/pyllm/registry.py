"""The model registry: ``pyllm.models``, queries over it, model resolution, cost from prices.

>>> import pyllm
>>> pyllm.models.find("claude-haiku-4-5", provider="openrouter").id
'anthropic/claude-haiku-4.5'
>>> cheap = pyllm.models.chat_models().by_provider("openrouter").supporting("tools", "vision")
>>> cheap.sort_by("input_price")[0].input_price is not None
True

Data comes from the bundled snapshot, with the listings :meth:`Registry.refresh` cached for the
base URLs this client talks to (``models_cache_path`` / ``PYLLM_MODELS_CACHE``); it loads on
first use, never at import. A registry knows its client only through a narrow
:class:`~pyllm._catalog.directory.ProviderDirectory` (provider names, base URLs, live listings).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from ._catalog.index import Catalog, is_vendor_id, log_unknown
from ._pricing import price_usage
from .model import Model, check_capabilities, split_variant

if TYPE_CHECKING:
    import os
    from pathlib import Path

    from ._catalog.directory import Listing, ProviderDirectory
    from .errors import ModelNotFoundError

    CachePath = str | os.PathLike[str] | None
    models: Registry  # the default client's registry, served by __getattr__ below

__all__ = ["SORT_KEYS", "Models", "Registry", "price_usage", "resolve"]

SORT_KEYS = (
    "id",
    "name",
    "provider",
    "family",
    "context_window",
    "max_output_tokens",
    "input_price",
    "output_price",
    "created_at",
)
"""What :meth:`Models.sort_by` accepts."""


def builtin_gateway() -> str | None:
    """The built-in provider that takes any ``vendor/model`` id (``"openrouter"``), as the one
    list of built-in providers declares it; loads them, so it is asked only when needed."""
    from .providers import builtin_gateway as declared

    return declared()


def resolve(
    name: str,
    provider: str | None,
    *,
    configured: Sequence[str],
    custom: Collection[str] = (),
    catalog: Callable[[], Catalog],
    builtin: Collection[str] = (),
    gateway: Callable[[], str | None] = builtin_gateway,
    unknown: Callable[[str, str], None] | None = None,
) -> tuple[str, str]:
    """``(model id, provider)`` for what the user asked; see "Resolution order" in the README.

    ``configured`` lists the providers with credentials in order (registered custom providers
    first), ``custom`` the registered ones, ``builtin`` those pyllm ships (for error hints),
    ``gateway`` the provider that takes any ``vendor/model`` id (OpenRouter); ``catalog`` is
    called only when data is needed. With ``provider`` given, a name the registry does not
    know there is sent as given, told to ``unknown(name, provider)``: only a bare name on the
    gateway, or a model the registry places on other providers only, does not resolve.
    """
    router = gateway()
    if provider is not None:
        if provider in custom or (provider == router and is_vendor_id(name)):
            return name, provider
        data = catalog()
        model_id = data.translate(name, provider)
        if model_id is not None:
            return model_id, provider
        if provider == router or data.elsewhere(name, provider):
            raise data.not_found(name, provider, configured=configured, builtin=builtin)
        if unknown is not None:
            unknown(name, provider)
        return name, provider
    if router is not None and is_vendor_id(name) and (router in configured or not configured):
        return name, router
    data = catalog()
    for candidate in configured:
        model_id = data.translate(name, candidate)
        if model_id is not None:
            return model_id, candidate
    if custom:
        return name, next(p for p in configured if p in custom)
    model_id = None
    if router is not None:
        model_id = data.translate(name, router) or (name if is_vendor_id(name) else None)
    if model_id is None or router is None:
        raise data.not_found(name, configured=configured, builtin=builtin)
    return model_id, router


class Models:
    """An immutable, chainable, sortable collection of :class:`~pyllm.Model` values.

    >>> import pyllm
    >>> embedders = pyllm.models.embedding_models().by_provider("openrouter")
    >>> all(m.supports("embeddings") for m in embedders)
    True
    """

    def __init__(self, models: Iterable[Model] = (), *, catalog: Catalog | None = None) -> None:
        self._items = tuple(models)
        self._catalog = (
            catalog if catalog is not None else Catalog(self._items, {}, gateway=builtin_gateway)
        )

    def _view(self) -> tuple[Catalog, tuple[Model, ...]]:
        return self._catalog, self._items

    def _derive(self, models: Iterable[Model]) -> Models:
        return Models(models, catalog=self._view()[0])

    def _preferred(self) -> Sequence[str]:
        return ()

    # ---- sequence -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Model]:
        return iter(self._view()[1])

    def __len__(self) -> int:
        return len(self._view()[1])

    @overload
    def __getitem__(self, index: int) -> Model: ...
    @overload
    def __getitem__(self, index: slice) -> Models: ...
    def __getitem__(self, index: int | slice) -> Model | Models:
        items = self._view()[1]
        return self._derive(items[index]) if isinstance(index, slice) else items[index]

    def __repr__(self) -> str:
        items = self._view()[1]
        shown = ", ".join(f"{m.provider}:{m.id}" for m in items[:3])
        more = ", ..." if len(items) > 3 else ""
        return f"<Models: {len(items)} models [{shown}{more}]>"

    # ---- lookups --------------------------------------------------------------------------

    def get(self, name: str, provider: str | None = None) -> Model | None:
        """Like :meth:`find`, but ``None`` instead of an error."""
        catalog, items = self._view()
        preferred = () if provider is not None else self._preferred()  # asked only when used
        if items is catalog.models:
            return next(catalog.candidates(name, provider, preferred), None)
        members = {(m.provider, split_variant(m.id)[0]) for m in items}
        if provider is None:
            preferred = [p for p in catalog.order(preferred) if any(k[0] == p for k in members)]
        for model in catalog.candidates(name, provider, preferred):
            if (model.provider, split_variant(model.id)[0]) in members:
                return model
        return None

    def find(self, name: str, provider: str | None = None) -> Model:
        """The model an id or alias names (on ``provider`` when given).

        Without ``provider``, configured providers are searched first, then OpenRouter, then
        the rest. OpenRouter variants (``:free``, ``:online``...) take their base's data.

        >>> import pyllm
        >>> pyllm.models.find("anthropic/claude-haiku-4.5:online").context_window
        200000
        """
        model = self.get(name, provider)
        if model is None:
            raise self._not_found(name, provider)
        return model

    def _not_found(self, name: str, provider: str | None) -> ModelNotFoundError:
        return self._view()[0].not_found(name, provider)

    # ---- queries --------------------------------------------------------------------------

    def where(self, predicate: Callable[[Model], bool]) -> Models:
        """The models for which ``predicate(model)`` is true."""
        return self._derive(m for m in self if predicate(m))

    def chat_models(self) -> Models:
        """Models that answer with text."""
        return self.where(lambda m: "text" in m.output_modalities)

    def embedding_models(self) -> Models:
        """Models that turn text into vectors."""
        return self.where(lambda m: "embeddings" in m.output_modalities)

    def image_models(self) -> Models:
        """Models that paint images."""
        return self.where(lambda m: "image" in m.output_modalities)

    def by_provider(self, *providers: str) -> Models:
        """Models of these providers (``"openrouter"``, ``"openai"``, ``"anthropic"``...)."""
        return self.where(lambda m: m.provider in providers)

    def by_family(self, *families: str) -> Models:
        """Models of these families (``"claude-haiku"``, ``"gpt-4.1"``...)."""
        return self.where(lambda m: m.family in families)

    def supporting(self, *capabilities: str) -> Models:
        """Models with every capability named (see :data:`pyllm.model.CAPABILITIES`)."""
        check_capabilities(capabilities)
        wanted = frozenset(capabilities)
        return self.where(lambda m: wanted <= m.capabilities)

    def search(self, text: str) -> Models:
        """Models whose id or name contains ``text`` (case-insensitive)."""
        needle = text.lower()
        return self.where(lambda m: needle in m.id.lower() or needle in m.name.lower())

    def sort_by(self, key: str, *, reverse: bool = False) -> Models:
        """Sorted by one of :data:`SORT_KEYS`; models without a value come last either way.

        >>> few = Models([Model("a", "x", context_window=8), Model("b", "x"),
        ...               Model("c", "x", context_window=9)])
        >>> [m.id for m in few.sort_by("context_window", reverse=True)]
        ['c', 'a', 'b']
        """
        if key not in SORT_KEYS:
            import difflib  # only for error messages: keeps imports light

            close = difflib.get_close_matches(key, SORT_KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(SORT_KEYS)}"
            raise ValueError(f"cannot sort models by {key!r}; {hint}")
        valued = [m for m in self if getattr(m, key) is not None]
        missing = [m for m in self if getattr(m, key) is None]
        valued.sort(key=lambda m: getattr(m, key), reverse=reverse)
        return self._derive([*valued, *missing])


class Registry(Models):
    """Every model pyllm knows, for one client: ``pyllm.models`` or ``client.models``.

    Loads on first use (the refreshed cache when there is one, else the bundled snapshot);
    ``source`` says which. :meth:`refresh` fetches the providers' live catalogs.

    A client builds its own; to build one yourself, give it a ``directory`` (the providers'
    names, base URLs and live listings: :class:`~pyllm._catalog.directory.ProviderDirectory`)
    and the ``cache_path`` setting (a path, or a function giving the current one; ``None``: the
    platform's cache directory).
    """

    def __init__(  # no super().__init__: _view() loads lazily
        self,
        directory: ProviderDirectory,
        *,
        cache_path: CachePath | Callable[[], CachePath] = None,
    ) -> None:
        self._directory = directory
        self._cache_setting = cache_path
        self._current: Catalog | None = None
        self.source: str | None = None
        self._told: set[tuple[str, str]] = set()  # unknown ids sent as given, logged once

    def _view(self) -> tuple[Catalog, tuple[Model, ...]]:
        catalog = self._loaded()
        return catalog, catalog.models

    def _preferred(self) -> Sequence[str]:
        return self._directory.names().configured

    def _loaded(self) -> Catalog:
        catalog = self._current
        if catalog is None:
            from ._catalog.files import read_aliases
            from ._catalog.merge import load_models

            models, self.source = load_models(self.cache_path, self._directory.base_urls)
            catalog = self._current = Catalog(models, read_aliases(), gateway=builtin_gateway)
        return catalog

    def _not_found(self, name: str, provider: str | None) -> ModelNotFoundError:
        """With the client's keys known, the error can say how to reach the model."""
        names = self._directory.names()
        return self._loaded().not_found(
            name, provider, configured=names.configured, builtin=names.builtin
        )

    def __repr__(self) -> str:
        if self._current is None:
            return "<Registry: not loaded yet>"
        return f"<Registry: {len(self._current.models)} models from the {self.source}>"

    @property
    def cache_path(self) -> Path:
        """Where :meth:`refresh` saves and later processes load: ``models_cache_path`` /
        ``PYLLM_MODELS_CACHE``, else the platform's cache dir + ``pyllm/models.json``."""
        from pathlib import Path

        from ._catalog.files import default_cache_path

        setting = self._cache_setting
        configured = setting() if callable(setting) else setting
        return Path(configured).expanduser() if configured else default_cache_path()

    @property
    def aliases(self) -> Mapping[str, Mapping[str, str]]:
        """Friendly name -> {provider: that provider's id}; every target is in the registry."""
        return self._loaded().aliases

    def resolve(self, name: str, provider: str | None = None) -> tuple[str, str]:
        """``(model id, provider)`` for ``client.chat(name, provider=...)``."""
        names = self._directory.names()
        return resolve(
            name,
            provider,
            configured=names.configured,
            custom=names.custom,
            catalog=self._loaded,
            builtin=names.builtin,
            unknown=lambda model, host: log_unknown(self._told, model, host),
        )

    def forget(self) -> None:
        """Drop the loaded data; the next use loads it again (e.g. after a cache path change)."""
        self._current = None
        self.source = None

    def clear_cache(self) -> None:
        """Delete the cache file (every provider's and base URL's listings); this client and
        later processes go back to the bundled snapshot until the next :meth:`refresh`."""
        self.cache_path.unlink(missing_ok=True)
        self.forget()

    # ---- refresh --------------------------------------------------------------------------

    def _install(self, listings: list[Listing]) -> Registry:
        """Merge the listings, save them in the cache, and use the result (only once every
        listing arrived and parsed: a failed refresh changes nothing)."""
        import warnings

        from ._catalog.files import write_listings
        from ._catalog.merge import merge

        models = list(self._loaded().models)
        for listing in listings:
            models = merge(models, listing.provider, listing.models, authoritative=listing.complete)
        catalog = Catalog(models, self._loaded().aliases, gateway=builtin_gateway)
        cached = {
            (listing.provider, listing.base_url): [
                m for m in catalog.models if m.provider == listing.provider
            ]
            for listing in listings
        }
        path = self.cache_path
        try:
            write_listings(path, cached)
        except OSError as exc:
            warnings.warn(
                f"could not save the model cache at {path}: {exc}", RuntimeWarning, stacklevel=3
            )
        self._current, self.source = catalog, "refresh"
        return self

    def refresh(self, *, providers: Iterable[str] | None = None) -> Registry:
        """Fetch live catalogs, merge them into the registry and save the cache.

        By default: OpenRouter's ``GET /models`` (no key needed) and the listings of the other
        configured built-in providers. Each listing is cached for its provider *at its base
        URL* and replaces only that provider's models, for clients talking to that URL. On any
        failure the old data stays and the typed error (:class:`~pyllm.APIConnectionError`,
        :class:`~pyllm.APIError`, :class:`~pyllm.InvalidResponseError`...) is raised.
        """
        return self._install(self._directory.listings(providers))

    async def arefresh(self, *, providers: Iterable[str] | None = None) -> Registry:
        """Async twin of :meth:`refresh`."""
        return self._install(await self._directory.alistings(providers))


def __getattr__(name: str) -> Any:
    if name == "models":
        from .client import default_client

        return default_client().models
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
