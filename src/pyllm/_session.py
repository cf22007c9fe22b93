"""The narrow session: what ``Chat``, ``embed``, ``paint`` and the registry receive.

A :class:`~pyllm.Client` owns one and forwards to it. It holds the settings, the providers (by
name: the built-in ones of :data:`pyllm.providers.BUILTIN` and those registered), the
HTTP pools (one sync, one async per running event loop), the model registry, model resolution,
the capability checks, and the ``listeners`` the drivers tell about every attempt and tool run.
The drivers take their pool from it (:class:`~pyllm._http.drive.Pools`); it runs plain
requests. Nothing below it knows it exists: they see it through narrow protocols.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from ._engine.meter import Guard, Meter
from ._presets import PRESETS_BY_NAME
from .config import Settings, apply_log_level
from .errors import AttachmentError, ConfigurationError, UnsupportedError
from .providers import BUILTIN, builtin_factory  # the names only: providers load when used

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Mapping, Sequence

    from ._catalog.directory import ProviderNames
    from ._engine.retry import RetryPolicy
    from ._engine.spending import Spend
    from ._engine.steps import Flow, Listener, T
    from ._http.transport import AsyncHttp, SyncHttp
    from .content import Attachment
    from .events import RequestEvent
    from .message import Message, Usage
    from .model import Model
    from .providers.base import Provider
    from .registry import Registry

__all__ = ["DEFAULT_MODEL", "Session"]

DEFAULT_MODEL = "openai/gpt-4.1-mini"
"""The model ``pyllm.chat()`` uses when none is given (``PYLLM_DEFAULT_MODEL`` overrides)."""

BUILTIN_NAMES = tuple(BUILTIN)

EVERY_SESSION: list[Listener] = []
"""Listeners of every client's calls: ``pyllm.instrument()`` adds its own here."""


class Session:
    """Settings, providers, HTTP pools, registry and checks for one client. ``transports``
    holds what ``Client(...)`` was given: ``transport``, ``async_transport``, ``http_client``
    and ``async_http_client`` (injected clients are never closed by pyllm)."""

    def __init__(self, overrides: Mapping[str, Any], transports: Mapping[str, Any]) -> None:
        self._overrides = dict(overrides)
        self._transports = dict(transports)
        self._settings: Settings | None = None
        self._policy: RetryPolicy | None = None
        self._providers: dict[str, Provider] = {}
        self._custom: dict[str, Provider] = {}
        self._names: ProviderNames | None = None
        self._models: Registry | None = None
        self._sync: SyncHttp | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncHttp] = (
            weakref.WeakKeyDictionary()
        )
        self.listeners: list[Listener] = []
        """Told about every call, attempt and tool run (:class:`~pyllm._engine.steps.Listener`)."""
        self.meter = Meter()
        """What every chat, ``embed`` and ``paint`` of this client used (``client.spent``)."""
        self._guard: Guard | None = None

    # ---- settings -------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The resolved settings (the environment is read once, on first use)."""
        if self._settings is None:
            self._settings = Settings.resolve(self._overrides)
            if self._settings.log_level:
                apply_log_level(self._settings.log_level)
        return self._settings

    @property
    def policy(self) -> RetryPolicy:
        """The retry policy of the settings."""
        if self._policy is None:
            from ._engine.retry import policy_from

            self._policy = policy_from(self.settings)
        return self._policy

    def configure(self, settings: Mapping[str, Any]) -> None:
        """Apply ``settings`` (checked by the caller): later requests use them, open
        connections are recycled."""
        self._overrides.update(settings)
        self._settings = self._policy = self._names = self._guard = None
        self._providers.clear()
        if self._models is not None and any(
            name == "models_cache_path" or name.endswith("_base_url") for name in settings
        ):
            self._models.forget()  # cached listings are per cache file and base URL
        self.close()
        self._async = weakref.WeakKeyDictionary()

    # ---- providers ------------------------------------------------------------------------

    def builtin_names(self) -> tuple[str, ...]:
        """The providers pyllm ships, in resolution order (``BUILTIN_PROVIDERS``' names)."""
        return BUILTIN_NAMES

    def custom_names(self) -> tuple[str, ...]:
        """The providers registered on this client, in registration order."""
        return tuple(self._custom)

    def register(self, provider: Provider) -> None:
        self._custom[provider.name] = provider
        self._names = None
        if self._models is not None:
            self._models.forget()  # a listing cached for its base URL may now apply

    def provider(self, name: str) -> Provider:
        """The provider called ``name``; :class:`~pyllm.ConfigurationError` if none is."""
        found = self._custom.get(name) or self._providers.get(name)
        if found is None:
            factory = builtin_factory(name)
            if factory is None:
                known = sorted({*BUILTIN, *self._custom})
                raise ConfigurationError(
                    f"unknown provider {name!r}; known providers: {', '.join(known)}"
                )
            found = self._providers[name] = factory(self.settings)
        return found

    def has_key(self, name: str) -> bool:
        """Whether the settings hold credentials for the built-in provider ``name``: its API
        key or, for a host that needs none (a local server), its base URL."""
        settings = self.settings
        if getattr(settings, f"{name}_api_key", None) is not None:
            return True
        preset = PRESETS_BY_NAME.get(name)
        keyless = preset is not None and not preset.needs_key
        return keyless and getattr(settings, f"{name}_base_url", None) is not None

    def provider_names(self) -> ProviderNames:
        """Built-in, registered and configured provider names (what the registry asks; cached
        until the settings or the registered providers change)."""
        names = self._names
        if names is None:
            from ._catalog.directory import ProviderNames

            custom = tuple(self._custom)  # a registered provider hides a built-in of its name
            keyed = (n for n in self.builtin_names() if n not in custom and self.has_key(n))
            names = self._names = ProviderNames(self.builtin_names(), custom, (*custom, *keyed))
        return names

    def configured_providers(self) -> list[str]:
        """Providers with credentials, in resolution order (registered ones first)."""
        return list(self.provider_names().configured)

    # ---- models ---------------------------------------------------------------------------

    @property
    def models(self) -> Registry:
        """The model registry (loaded on first use)."""
        if self._models is None:
            from ._catalog.directory import HttpDirectory
            from .registry import Registry

            directory = HttpDirectory(
                self.provider_names, self.provider, self.request, self.arequest
            )
            self._models = Registry(directory, cache_path=lambda: self.settings.models_cache_path)
        return self._models

    def resolve(self, model: str | None, provider: str | None = None) -> tuple[str, str]:
        """``(model id, provider name)`` for what the user asked (see ``Client.resolve``)."""
        chosen = model or self.settings.default_model or DEFAULT_MODEL
        if not isinstance(chosen, str) or not chosen.strip():
            raise ValueError(f"the model must be a non-empty string, got {chosen!r}")
        if provider is not None:
            self.provider(provider)  # fail now, not at the first request
        return self.models.resolve(chosen.strip(), provider)

    def check_capability(self, model: str, provider: str, capability: str) -> None:
        """:class:`~pyllm.UnsupportedError` when the registry knows ``model`` lacks
        ``capability``, naming models that have it (unknown models get the benefit of the
        doubt)."""
        from .model import CAPABILITIES

        known = self.models.get(model, provider)
        if known is None or known.supports(capability):
            return
        able = self.models.by_provider(provider).supporting(capability)
        newest = able.sort_by("created_at", reverse=True)
        names = ", ".join(m.id for m in list(newest)[:5]) or "none known"
        raise UnsupportedError(
            f"{model} on {provider} cannot do that ({capability}: {CAPABILITIES[capability]}); "
            f"models that can: {names}"
        )

    def check_files(self, model: str, provider: str, files: tuple[Attachment, ...]) -> None:
        """Refuse, before any request, what the registry says the model cannot take: images
        without vision, audio without audio input, video without video input, text beyond the
        context window."""
        if not files:
            return
        kinds = {a.kind for a in files}
        checks = (("image", "vision"), ("audio", "audio_input"), ("video", "video_input"))
        for kind, capability in checks:
            if kind in kinds:
                self.check_capability(model, provider, capability)
        known = self.models.get(model, provider)
        window = known.context_window if known is not None else None
        tokens = sum(len(a.data or b"") // 4 for a in files if a.kind == "text")
        if window and tokens > window:
            raise AttachmentError(
                f"the text attachments are about {tokens:,} tokens; {model} reads at most "
                f"{window:,}. Send less, or pick a model with a larger context window"
            )

    def known(self, model: str, provider: str) -> Model | None:
        """What the registry knows of ``model`` on ``provider`` (``None``: nothing)."""
        return self.models.get(model, provider)

    def image_endpoint(self, model: str, provider: str) -> str:
        """``"images"`` or ``"chat"``: where ``provider`` paints ``model``."""
        return self.provider(provider).image_endpoint(self.models.get(model, provider))

    def priced(self, message: Message, model: str, provider: str) -> Message:
        """``message`` with a cost from registry prices when the provider reported none (the
        prices of whoever answered, after a fallback; else of ``model`` on ``provider``)."""
        usage = message.usage
        if usage is None or usage.cost is not None:
            return message
        from ._pricing import price_usage

        known = None
        if message.provider is not None and message.model is not None:
            known = self.models.get(message.model, message.provider)
        if known is None and message.provider in (None, provider):
            known = self.models.get(model, provider)
        priced = price_usage(known, usage)
        return message if priced is usage else message.replace(usage=priced)

    def guard(self) -> Guard:
        """The client's meter and budget (``budget_usd``), which every request counts on."""
        guard = self._guard
        if guard is None:
            from ._limits import Limits

            settings = self.settings
            limits = Limits(settings.budget_usd, allow_unknown_prices=settings.allow_unknown_prices)
            how = "pyllm.Client(budget_usd=..., allow_unknown_prices=...)"
            guard = self._guard = Guard(self.meter, limits, "this client", how)
        return guard

    def spend(
        self,
        model: str,
        provider: str,
        tokens: tuple[int, int | None],
        usage_of: Callable[[Any], Usage | None],
    ) -> Spend:
        """What a plain request to ``model`` is checked against: the client's budget, and its
        worst case from ``tokens`` (estimated input, output allowance or ``None``)."""
        from ._engine.spending import plain_spend

        return plain_spend(self.guard(), self.known, (model, provider), tokens, usage_of)

    # ---- HTTP -----------------------------------------------------------------------------

    def http(self) -> SyncHttp:
        """The sync connection pool."""
        if self._sync is None:
            from ._http.transport import SyncHttp

            transports = self._transports
            self._sync = SyncHttp(
                self.settings,
                transport=transports.get("transport"),
                http_client=transports.get("http_client"),
            )
        return self._sync

    def ahttp(self) -> AsyncHttp:
        """The async pool of the running event loop (one per loop: pools cannot cross loops)."""
        import asyncio

        loop = asyncio.get_running_loop()
        http = self._async.get(loop)
        if http is None:
            from ._http.transport import AsyncHttp

            transports = self._transports
            http = self._async[loop] = AsyncHttp(
                self.settings,
                transport=transports.get("async_transport"),
                http_client=transports.get("async_http_client"),
            )
        return http

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end on the sync pool; its result."""
        from ._http.drive import run  # here: a client that only lists models never loads it

        return run(flow, self, self.observers())

    async def arun(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its end on the running loop's pool; its result."""
        from ._http.drive import arun

        return await arun(flow, self, self.observers())

    def request(
        self,
        provider: Provider,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        method: str = "POST",
        parse: Callable[[Any], Any] | None = None,
        authenticated: bool = True,
        spend: Spend | None = None,
    ) -> Any:
        """One plain request (embeddings, images, a models listing), retried per the settings:
        its JSON answer, through ``parse`` if given; ``spend`` checks each attempt against the
        client's budget first."""
        return self.run(self._plain(provider, path, payload, method, parse, authenticated, spend))

    async def arequest(
        self,
        provider: Provider,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        method: str = "POST",
        parse: Callable[[Any], Any] | None = None,
        authenticated: bool = True,
        spend: Spend | None = None,
    ) -> Any:
        """Async twin of :meth:`request`."""
        flow = self._plain(provider, path, payload, method, parse, authenticated, spend)
        return await self.arun(flow)

    def _plain(
        self,
        provider: Provider,
        path: str,
        payload: Mapping[str, Any] | None,
        method: str,
        parse: Callable[[Any], Any] | None,
        authenticated: bool,
        spend: Spend | None = None,
    ) -> Flow[Any]:
        from ._engine.flow import request_flow
        from ._engine.retry import Deadline
        from ._engine.steps import Send

        deadline = Deadline(self.settings.total_timeout)
        send = Send(provider, path, payload, None, deadline, None, parse, method, authenticated)
        return request_flow(send, self.policy, spend)

    # ---- observers (issue 18) ----------------------------------------------------------

    def observers(self, extra: Sequence[Listener] = ()) -> Sequence[Listener]:
        """The listeners of a call: ``pyllm.instrument()``'s, this session's, then ``extra``
        (a chat's); ``()`` when nothing listens."""
        own = self.listeners
        if not (EVERY_SESSION or own or extra):
            return ()  # nothing listens: the drivers skip every notification
        return (*EVERY_SESSION, *own, *extra)

    def on_request(self, callback: Callable[[RequestEvent], object]) -> None:
        """Call ``callback(event)`` after every HTTP attempt of this session."""
        from ._observers import add_request_callback

        add_request_callback(self.listeners, callback)

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
