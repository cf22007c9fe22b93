"""``Client``: an isolated context with its own settings, providers and connection pools.

The module-level functions (``pyllm.chat``, ``pyllm.configure``...) use one default client.

>>> client = Client(openrouter_api_key="sk-or-test", openrouter_base_url="http://127.0.0.1:9/api/v1")
>>> client
Client(providers=['openrouter'], base_url='http://127.0.0.1:9/api/v1')
>>> client.chat("openai/gpt-4.1-mini").provider
'openrouter'
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from ._redact import display_url
from .config import Settings, apply_log_level, check_settings
from .errors import ConfigurationError, UnsupportedError

if TYPE_CHECKING:
    import asyncio
    from types import TracebackType

    from ._http.transport import AsyncHttp, SyncHttp
    from .conversation import Chat
    from .embedding import Embedding
    from .image import Image
    from .providers.base import Provider
    from .registry import Registry

__all__ = ["DEFAULT_MODEL", "Client", "configure", "default_client"]

BUILTIN_PROVIDER_NAMES = ("openrouter", "openai")
"""``pyllm.providers.BUILTIN_PROVIDERS``'s names, in resolution order, without importing them."""

DEFAULT_MODEL = "openai/gpt-4.1-mini"
"""The model ``pyllm.chat()`` uses when none is given (``PYLLM_DEFAULT_MODEL`` overrides)."""


class Client:
    """Settings (explicit > ``Client(...)`` > environment > default), providers and HTTP pools.

    ``transport`` / ``async_transport`` inject httpx transports; ``http_client`` /
    ``async_http_client`` inject whole httpx clients (pyllm will not close those).
    """

    def __init__(
        self,
        *,
        transport: Any = None,
        async_transport: Any = None,
        http_client: Any = None,
        async_http_client: Any = None,
        **settings: Any,
    ) -> None:
        check_settings(settings)  # a bad value raises here, naming the argument
        self._overrides: dict[str, Any] = dict(settings)
        self._transport = transport
        self._async_transport = async_transport
        self._http_client = http_client
        self._async_http_client = async_http_client
        self._settings: Settings | None = None
        self._providers: dict[str, Provider] = {}
        self._custom: dict[str, Provider] = {}
        self._configured: list[str] | None = None
        self._models: Registry | None = None
        self._sync: SyncHttp | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncHttp] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        names = sorted({*self._custom, *(n for n in self._builtin_names() if self._has_key(n))})
        base = self.settings.openrouter_base_url
        shown = f", base_url={display_url(base)!r})" if base else ")"
        return f"Client(providers={names!r}{shown}"

    @property
    def settings(self) -> Settings:
        """The resolved settings (the environment is read once, on first use)."""
        if self._settings is None:
            self._settings = Settings.resolve(self._overrides)
            if self._settings.log_level:
                apply_log_level(self._settings.log_level)
        return self._settings

    def configure(self, **settings: Any) -> Client:
        """Change settings; later requests use them (open connections are recycled).

        Values are checked first: a bad one raises :class:`~pyllm.ConfigurationError` naming
        the argument, and nothing changes."""
        check_settings(settings)
        self._overrides.update(settings)
        self._settings = None
        self._configured = None
        self._providers.clear()
        if self._models is not None and any(
            name == "models_cache_path" or name.endswith("_base_url") for name in settings
        ):
            self._models.forget()  # cached listings are per cache file and base URL
        if self._sync is not None:
            self._sync.close()
            self._sync = None
        self._async = weakref.WeakKeyDictionary()
        return self

    # ---- providers ------------------------------------------------------------------------

    def register_provider(self, provider: Provider) -> Client:
        """Make ``provider`` available by its ``name`` (e.g. an :class:`OpenAICompatible`)."""
        self._custom[provider.name] = provider
        self._configured = None
        if self._models is not None:
            self._models.forget()  # a listing cached for its base URL may now apply
        return self

    def provider(self, name: str) -> Provider:
        """The provider called ``name`` ("openrouter", "openai", or one you registered)."""
        if name in self._custom:
            return self._custom[name]
        provider = self._providers.get(name)
        if provider is None:
            from .providers import BUILTIN_PROVIDERS

            factory = BUILTIN_PROVIDERS.get(name)
            if factory is None:
                known = sorted({*BUILTIN_PROVIDERS, *self._custom})
                raise ConfigurationError(
                    f"unknown provider {name!r}; known providers: {', '.join(known)}"
                )
            provider = self._providers[name] = factory(self.settings)
        return provider

    def _builtin_names(self) -> tuple[str, ...]:
        return BUILTIN_PROVIDER_NAMES

    def _has_key(self, name: str) -> bool:
        value = getattr(self.settings, f"{name}_api_key", None)
        return value is not None

    def configured_providers(self) -> list[str]:
        """Providers with credentials, in resolution order (registered ones first)."""
        if self._configured is None:
            keyed = (n for n in self._builtin_names() if self._has_key(n))
            self._configured = [*self._custom, *keyed]
        return list(self._configured)

    def resolve(self, model: str | None, provider: str | None = None) -> tuple[str, str]:
        """``(model id, provider name)`` for what the user asked: aliases become the provider's
        own id, and without ``provider`` the configured providers decide (README, "Resolution
        order"). Unknown names raise :class:`~pyllm.ModelNotFoundError` with suggestions.

        >>> Client(openrouter_api_key="sk-or-test").resolve("claude-haiku-4-5")
        ('anthropic/claude-haiku-4.5', 'openrouter')
        """
        chosen = model or self.settings.default_model or DEFAULT_MODEL
        if not isinstance(chosen, str) or not chosen.strip():
            raise ValueError(f"the model must be a non-empty string, got {chosen!r}")
        if provider is not None:
            self.provider(provider)  # fail now, not at the first request
        return self.models.resolve(chosen.strip(), provider)

    @property
    def models(self) -> Registry:
        """This client's model registry (loaded on first use; see :class:`~pyllm.Registry`)."""
        if self._models is None:
            from .registry import Registry

            self._models = Registry(self)
        return self._models

    # ---- entry points ---------------------------------------------------------------------

    def chat(self, model: str | None = None, *, provider: str | None = None) -> Chat:
        """A new conversation with ``model`` on ``provider``.

        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> client.chat("anthropic/claude-haiku-4.5").model
        'anthropic/claude-haiku-4.5'
        """
        from .conversation import Chat

        model_id, provider_name = self.resolve(model, provider)
        return Chat(self, model_id, provider_name)

    def embed(self, text: Any, model: str | None = None, **options: Any) -> Embedding:
        """Embed a string (``vectors`` is one vector) or a list of strings (a list of vectors,
        in input order). Options: ``provider``, ``dimensions``, ``batch_size``, ``concurrency``,
        ``progress`` (``True`` for a bar on stderr, or a ``callback(done, total)``)."""
        from .embedding import embed_sync

        return embed_sync(self, text, model=model, **options)

    async def aembed(self, text: Any, model: str | None = None, **options: Any) -> Embedding:
        """Async twin of :meth:`embed`."""
        from .embedding import embed_async

        return await embed_async(self, text, model=model, **options)

    def paint(self, prompt: str, model: str | None = None, **options: Any) -> Image | list[Image]:
        """Generate an image (a list of them when ``n > 1``). Options: ``provider``, ``size``
        (``"1024x1024"``), ``n``, ``attachments`` (reference images to edit), ``endpoint``
        (``"chat"`` or ``"images"``; chosen from the registry when left out), and any extra
        payload fields (``image_config={...}``, ``quality="high"``...)."""
        from .image import paint_sync

        return paint_sync(self, prompt, model=model, **options)

    async def apaint(
        self, prompt: str, model: str | None = None, **options: Any
    ) -> Image | list[Image]:
        """Async twin of :meth:`paint`."""
        from .image import paint_async

        return await paint_async(self, prompt, model=model, **options)

    def image_endpoint(self, model: str, provider: str) -> str:
        """``"images"`` for image-only models (OpenRouter serves them at ``/images``), else
        ``"chat"`` (chat completions with image output).

        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> client.image_endpoint("openai/gpt-image-1", "openrouter")
        'images'
        >>> client.image_endpoint("google/gemini-2.5-flash-image", "openrouter")
        'chat'
        """
        known = self.models.get(model, provider) if provider == "openrouter" else None
        if known is not None and "text" not in known.output_modalities:
            return "images"
        return "chat"

    def check_capability(self, model: str, provider: str, capability: str) -> None:
        """Raise :class:`~pyllm.UnsupportedError` when the registry knows that ``model`` lacks
        ``capability``, naming models that have it (unknown models get the benefit of the doubt).

        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> try:
        ...     client.check_capability("openai/gpt-4.1-mini", "openrouter", "image_generation")
        ... except UnsupportedError as exc:
        ...     print(str(exc)[:60])
        openai/gpt-4.1-mini on openrouter cannot do that (image_gene
        """
        from .model import CAPABILITIES

        known = self.models.get(model, provider)
        if known is None or known.supports(capability):
            return
        able = (
            self.models.by_provider(provider)
            .supporting(capability)
            .sort_by("created_at", reverse=True)
        )
        names = ", ".join(m.id for m in list(able)[:5]) or "none known"
        raise UnsupportedError(
            f"{model} on {provider} cannot do that ({capability}: {CAPABILITIES[capability]}); "
            f"models that can: {names}"
        )

    # ---- HTTP -----------------------------------------------------------------------------

    @property
    def _http(self) -> SyncHttp:
        if self._sync is None:
            from ._http.transport import SyncHttp

            self._sync = SyncHttp(
                self.settings, transport=self._transport, http_client=self._http_client
            )
        return self._sync

    def _async_http(self) -> AsyncHttp:
        """The async pool of the running event loop (one per loop: pools cannot cross loops)."""
        import asyncio

        loop = asyncio.get_running_loop()
        http = self._async.get(loop)
        if http is None:
            from ._http.transport import AsyncHttp

            http = AsyncHttp(
                self.settings,
                transport=self._async_transport,
                http_client=self._async_http_client,
            )
            self._async[loop] = http
        return http

    def close(self) -> None:
        """Close the sync connection pool."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close the connection pools (sync, and the async one of the running loop)."""
        import asyncio

        self.close()
        http = self._async.pop(asyncio.get_running_loop(), None)
        if http is not None:
            await http.aclose()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


_default: Client | None = None


def default_client() -> Client:
    """The client behind ``pyllm.chat``, ``pyllm.embed``... (created on first use)."""
    global _default
    if _default is None:
        _default = Client()
    return _default


def configure(**settings: Any) -> Client:
    """Configure the default client, e.g. ``pyllm.configure(openrouter_api_key="sk-or-...")``.

    Accepts every :class:`~pyllm.config.Settings` field; unknown names raise
    :class:`~pyllm.ConfigurationError` with a "did you mean".
    """
    return default_client().configure(**settings)


def chat(model: str | None = None, *, provider: str | None = None) -> Chat:
    """A new :class:`~pyllm.Chat` on the default client."""
    return default_client().chat(model, provider=provider)


def embed(text: Any, model: str | None = None, **options: Any) -> Embedding:
    """:meth:`Client.embed` on the default client."""
    return default_client().embed(text, model, **options)


async def aembed(text: Any, model: str | None = None, **options: Any) -> Embedding:
    """:meth:`Client.aembed` on the default client."""
    return await default_client().aembed(text, model, **options)


def paint(prompt: str, model: str | None = None, **options: Any) -> Image | list[Image]:
    """:meth:`Client.paint` on the default client."""
    return default_client().paint(prompt, model, **options)


async def apaint(prompt: str, model: str | None = None, **options: Any) -> Image | list[Image]:
    """:meth:`Client.apaint` on the default client."""
    return await default_client().apaint(prompt, model, **options)
