"""What a :class:`~pyllm.Registry` needs from the session that owns it: a narrow view, never
the Client (the catalog sits below the face and cannot import it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .config import Settings
    from .providers.base import Provider

__all__ = ["RegistryHost"]


class RegistryHost(Protocol):
    """What a :class:`Registry` needs from the session that owns it (never the Client): the
    settings (the cache path), which providers exist and which have keys, a provider by name,
    and one request through the HTTP edge, retried (for a refresh)."""

    @property
    def settings(self) -> Settings: ...

    def builtin_names(self) -> tuple[str, ...]: ...

    def custom_names(self) -> tuple[str, ...]: ...

    def configured_providers(self) -> list[str]: ...

    def provider(self, name: str) -> Provider: ...

    def request(
        self, provider: Provider, path: str, *, method: str, authenticated: bool
    ) -> Any: ...

    async def arequest(
        self, provider: Provider, path: str, *, method: str, authenticated: bool
    ) -> Any: ...
