"""``Client``: an isolated context with its own settings, providers and connection pools.

The module-level functions (``pyllm.chat``, ``pyllm.configure``...) use one default client.

>>> client = Client(openrouter_api_key="sk-or-test", openrouter_base_url="http://127.0.0.1:9/api/v1")
>>> client
Client(providers=['openrouter'], base_url='http://127.0.0.1:9/api/v1')
>>> client.chat("openai/gpt-4.1-mini").provider
'openrouter'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._redact import display_url
from ._session import DEFAULT_MODEL, Session
from .config import check_settings

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from ._openrouter_account import OpenRouterAccount
    from .config import Settings
    from .conversation import Chat
    from .embedding import Embedding
    from .events import RequestEvent
    from .image import Image
    from .providers.base import Provider
    from .registry import Registry

__all__ = ["DEFAULT_MODEL", "Client", "chat_from", "configure", "default_client"]


class Client:
    """Settings (explicit > ``Client(...)`` > environment > default), providers and HTTP pools.

    ``transport`` / ``async_transport`` inject httpx transports; ``http_client`` /
    ``async_http_client`` inject whole httpx clients (pyllm will not close those).
    Everything is held by the client's session, which chats, ``embed`` and ``paint`` share.
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
        transports = {
            "transport": transport,
            "async_transport": async_transport,
            "http_client": http_client,
            "async_http_client": async_http_client,
        }
        self._session = Session(settings, transports)

    def __repr__(self) -> str:
        session = self._session
        keyed = [name for name in session.builtin_names() if session.has_key(name)]
        names = sorted({*session.custom_names(), *keyed})
        primary = (keyed or session.builtin_names()[-1:])[0]  # else the gateway, listed last
        base = getattr(self.settings, f"{primary}_base_url", None)
        shown = f", base_url={display_url(base)!r})" if base else ")"
        return f"Client(providers={names!r}{shown}"

    @property
    def settings(self) -> Settings:
        """The resolved settings (the environment is read once, on first use)."""
        return self._session.settings

    def configure(self, **settings: Any) -> Client:
        """Change settings; later requests use them (open connections are recycled).

        Values are checked first: a bad one raises :class:`~pyllm.ConfigurationError` naming
        the argument, and nothing changes."""
        check_settings(settings)
        self._session.configure(settings)
        return self

    # ---- providers ------------------------------------------------------------------------

    def register_provider(self, provider: Provider) -> Client:
        """Make ``provider`` available by its ``name`` (e.g. an :class:`OpenAICompatible`)."""
        self._session.register(provider)
        return self

    def provider(self, name: str) -> Provider:
        """The provider called ``name`` ("anthropic", "openrouter", "openai", or one you
        registered)."""
        return self._session.provider(name)

    def configured_providers(self) -> list[str]:
        """Providers with credentials, in resolution order (registered ones first)."""
        return self._session.configured_providers()

    def resolve(self, model: str | None, provider: str | None = None) -> tuple[str, str]:
        """``(model id, provider name)`` for what the user asked: aliases become the provider's
        own id, and without ``provider`` the configured providers decide (README, "Resolution
        order"). Unknown names raise :class:`~pyllm.ModelNotFoundError` with suggestions.

        >>> Client(openrouter_api_key="sk-or-test").resolve("claude-haiku-4-5")
        ('anthropic/claude-haiku-4.5', 'openrouter')
        """
        return self._session.resolve(model, provider)

    @property
    def models(self) -> Registry:
        """This client's model registry (loaded on first use; see :class:`~pyllm.Registry`)."""
        return self._session.models

    def on_request(self, callback: Callable[[RequestEvent], Any]) -> Client:
        """Call ``callback(event)`` with a :class:`~pyllm.RequestEvent` after every HTTP
        attempt this client makes: each chat's (retries and fallbacks too), embeddings, images,
        model listings.

        >>> events = []
        >>> Client(openrouter_api_key="sk-or-test").on_request(events.append)
        Client(providers=['openrouter'])
        """
        self._session.on_request(callback)
        return self

    @property
    def openrouter(self) -> OpenRouterAccount:
        """OpenRouter's account routes: ``key()``, ``credits()``, ``generation(id)`` (and
        ``akey()``, ``acredits()``, ``ageneration(id)``)."""
        from ._openrouter_account import OpenRouterAccount

        return OpenRouterAccount(self._session)

    # ---- entry points ---------------------------------------------------------------------

    def chat(self, model: str | None = None, *, provider: str | None = None) -> Chat:
        """A new conversation with ``model`` on ``provider``.

        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> client.chat("anthropic/claude-haiku-4.5").model
        'anthropic/claude-haiku-4.5'
        """
        from .conversation import Chat

        return Chat(self._session, *self._session.resolve(model, provider))

    def embed(self, text: Any, model: str | None = None, **options: Any) -> Embedding:
        """Embed a string (``vectors`` is one vector) or a list of strings (a list of vectors,
        in input order). Options: ``provider``, ``dimensions``, ``batch_size``, ``concurrency``,
        ``progress`` (``True`` for a bar on stderr, or a ``callback(done, total)``)."""
        from .embedding import embed_sync

        return embed_sync(self._session, text, model=model, **options)

    async def aembed(self, text: Any, model: str | None = None, **options: Any) -> Embedding:
        """Async twin of :meth:`embed`."""
        from .embedding import embed_async

        return await embed_async(self._session, text, model=model, **options)

    def paint(self, prompt: str, model: str | None = None, **options: Any) -> Image | list[Image]:
        """Generate an image (a list of them when ``n > 1``). Options: ``provider``, ``size``
        (``"1024x1024"``), ``n``, ``attachments`` (reference images to edit), ``endpoint``
        (``"chat"`` or ``"images"``; chosen from the registry when left out), and any extra
        payload fields (``image_config={...}``, ``quality="high"``...)."""
        from .image import paint_sync

        return paint_sync(self._session, prompt, model=model, **options)

    async def apaint(
        self, prompt: str, model: str | None = None, **options: Any
    ) -> Image | list[Image]:
        """Async twin of :meth:`paint`."""
        from .image import paint_async

        return await paint_async(self._session, prompt, model=model, **options)

    def image_endpoint(self, model: str, provider: str) -> str:
        """``"images"`` for image-only models (OpenRouter serves them at ``/images``), else
        ``"chat"`` (chat completions with image output): the provider decides.

        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> client.image_endpoint("openai/gpt-image-1", "openrouter")
        'images'
        >>> client.image_endpoint("google/gemini-2.5-flash-image", "openrouter")
        'chat'
        """
        return self._session.image_endpoint(model, provider)

    def check_capability(self, model: str, provider: str, capability: str) -> None:
        """Raise :class:`~pyllm.UnsupportedError` when the registry knows that ``model`` lacks
        ``capability``, naming models that have it (unknown models get the benefit of the doubt).

        >>> from pyllm import UnsupportedError
        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> try:
        ...     client.check_capability("openai/gpt-4.1-mini", "openrouter", "image_generation")
        ... except UnsupportedError as exc:
        ...     print(str(exc)[:60])
        openai/gpt-4.1-mini on openrouter cannot do that (image_gene
        """
        self._session.check_capability(model, provider, capability)

    # ---- saved chats and spending (issue 16) ----------------------------------------------

    def chat_from(
        self,
        data: Mapping[str, Any],
        *,
        tools: Iterable[Any] = (),
        missing_tools: str = "raise",
        attachments: Callable[[str], bytes] | None = None,
    ) -> Chat:
        """Rebuild a chat saved with :meth:`Chat.to_dict` on this client: its model, provider,
        settings and messages. Tools are saved by name: give the functions again in ``tools``;
        a saved tool that is not given raises :class:`~pyllm.ToolError` unless
        ``missing_tools="drop"`` (the model is then no longer offered it).

        >>> client = Client(openrouter_api_key="sk-or-test")
        >>> saved = client.chat("openai/gpt-4.1-mini").with_max_tokens(100).to_dict()
        >>> client.chat_from(saved).to_dict() == saved
        True
        """
        from ._chat_codec import chat_from

        return chat_from(
            self._session, data, tools=tools, missing_tools=missing_tools, attachments=attachments
        )

    @property
    def spent(self) -> float:
        """USD this client has spent: every chat, ``embed`` and ``paint`` answer's reported
        cost (or its registry price), summed exactly. ``budget_usd`` caps it.

        >>> Client(openrouter_api_key="sk-or-test", budget_usd=5).spent
        0.0
        """
        return self._session.meter.spent

    # ---- HTTP -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the sync connection pool."""
        self._session.close()

    async def aclose(self) -> None:
        """Close the connection pools (sync, and the async one of the running loop)."""
        await self._session.aclose()

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


def chat_from(
    data: Mapping[str, Any],
    *,
    tools: Iterable[Any] = (),
    missing_tools: str = "raise",
    attachments: Callable[[str], bytes] | None = None,
) -> Chat:
    """:meth:`Client.chat_from` on the default client."""
    return default_client().chat_from(
        data, tools=tools, missing_tools=missing_tools, attachments=attachments
    )


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
