"""What a :class:`~pyllm.Registry` is built from: a :class:`ProviderDirectory`, the narrow view
of its client's providers (their names, their base URLs, their live listings), and nothing else.

:class:`HttpDirectory` is the usual one: providers looked up by name, listings fetched through
the HTTP edge and parsed by each provider (:meth:`~pyllm.providers.Provider.parse_models`). A
test or a tool can hand a registry any other object with the same four methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..model import Model
    from ..providers.base import Provider

__all__ = ["HttpDirectory", "Listing", "ProviderDirectory", "ProviderNames"]


@dataclass(frozen=True, slots=True)
class ProviderNames:
    """The providers a client has, by name: ``builtin`` (pyllm's, in resolution order),
    ``custom`` (registered on the client) and ``configured`` (those with credentials, in
    resolution order: registered ones first)."""

    builtin: tuple[str, ...] = ()
    custom: tuple[str, ...] = ()
    configured: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Listing:
    """One provider's live ``GET /models``, parsed: what a refresh merges and caches.

    ``complete`` listings (full metadata) replace the provider's models; others add to them.
    """

    provider: str
    base_url: str
    models: tuple[Model, ...]
    complete: bool = False


class ProviderDirectory(Protocol):
    """What a registry asks of its client. Each call gives the answer as of now (settings and
    registered providers change); refresh calls raise the typed error of a failed request."""

    def names(self) -> ProviderNames:
        """The client's providers by name (asked by lookups: keep it cheap)."""
        ...

    def base_urls(self) -> Mapping[str, str]:
        """Provider name -> the base URL the client talks to (which cached listings apply)."""
        ...

    def listings(self, providers: Iterable[str] | None) -> list[Listing]:
        """The live listings of ``providers`` (``None``: every built-in provider the client
        can list: those with a key, and those whose listing needs none)."""
        ...

    async def alistings(self, providers: Iterable[str] | None) -> list[Listing]:
        """Async twin of :meth:`listings`."""
        ...


class Request(Protocol):
    """The one call of the HTTP edge a refresh makes: a ``GET``, retried, its JSON answer (or
    the typed error of a failed request)."""

    def __call__(
        self, provider: Provider, path: str, *, method: str, authenticated: bool
    ) -> Any: ...


class AsyncRequest(Protocol):
    """Async twin of :class:`Request`."""

    def __call__(
        self, provider: Provider, path: str, *, method: str, authenticated: bool
    ) -> Awaitable[Any]: ...


class HttpDirectory:
    """A :class:`ProviderDirectory` over providers looked up by name and the HTTP edge.

    ``names`` and ``provider`` answer for the client as it is when asked; ``request`` and
    ``arequest`` fetch a listing through the HTTP edge (the session's plain requests).
    """

    def __init__(
        self,
        names: Callable[[], ProviderNames],
        provider: Callable[[str], Provider],
        request: Request,
        arequest: AsyncRequest,
    ) -> None:
        self._names = names
        self._provider = provider
        self._request = request
        self._arequest = arequest

    def names(self) -> ProviderNames:
        return self._names()

    def base_urls(self) -> dict[str, str]:
        names = self._names()
        return {name: self._provider(name).base_url for name in (*names.builtin, *names.custom)}

    def _plan(self, providers: Iterable[str] | None) -> list[Provider]:
        if providers is not None:
            return [self._provider(name) for name in dict.fromkeys(providers)]
        names = self._names()
        chosen = [self._provider(name) for name in names.builtin if name not in names.custom]
        return [p for p in chosen if p.name in names.configured or not p.models_need_key]

    def listings(self, providers: Iterable[str] | None) -> list[Listing]:
        listings = []
        for provider in self._plan(providers):
            pages: list[Any] = []
            path: str | None = provider.models_path
            while path is not None:  # every page of a paginated listing, in turn
                auth = provider.models_need_key
                pages.append(self._request(provider, path, method="GET", authenticated=auth))
                path = _next_page(provider, pages)
            listings.append(_listing(provider, pages))
        return listings

    async def alistings(self, providers: Iterable[str] | None) -> list[Listing]:
        listings = []
        for provider in self._plan(providers):
            pages: list[Any] = []
            path: str | None = provider.models_path
            while path is not None:
                auth = provider.models_need_key
                pages.append(await self._arequest(provider, path, method="GET", authenticated=auth))
                path = _next_page(provider, pages)
            listings.append(_listing(provider, pages))
        return listings


MAX_PAGES = 100
"""A listing of more pages than this is cut there (a server that always says "more")."""


def _next_page(provider: Provider, pages: list[Any]) -> str | None:
    return provider.next_models_path(pages[-1]) if len(pages) < MAX_PAGES else None


def _listing(provider: Provider, pages: Sequence[Any]) -> Listing:
    models: list[Model] = []
    for body in pages:
        models.extend(provider.parse_models(body))
    return Listing(provider.name, provider.base_url, tuple(models), provider.complete_listing)
