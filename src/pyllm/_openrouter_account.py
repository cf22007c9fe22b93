"""``client.openrouter``: the key's limits, the account's credits and a generation's stats,
from OpenRouter's account routes (``GET /key``, ``/credits``, ``/generation``), sync and async.

>>> from pyllm.testing import FakeOpenRouter
>>> with FakeOpenRouter() as fake:
...     client = fake.client()
...     reply = client.chat("openai/gpt-4.1-mini").ask("Hi")
...     stats = client.openrouter.generation(reply.id)
...     credits = client.openrouter.credits()
>>> stats.id == reply.id, stats.total_cost == reply.usage.cost, credits.remaining >= 0
(True, True, True)
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from ._engine.flow import request_flow
from ._engine.polling import poll_flow
from ._engine.retry import Deadline
from ._engine.steps import Send
from .errors import UnsupportedError
from .protocols.openrouter_account import parse_credits, parse_generation, parse_key

if TYPE_CHECKING:
    from ._account import Credits, GenerationStats, KeyInfo
    from ._engine.steps import Flow
    from ._session import Session
    from .message import Message
    from .providers.openrouter import OpenRouter

__all__ = ["OpenRouterAccount", "account_for", "remember"]

T = TypeVar("T")

REMEMBERED = 4096
"""How many recent answers ``reply.generation()`` can trace to the client that made them."""

_made_by: OrderedDict[str, weakref.ref[Session]] = OrderedDict()
_lock = threading.Lock()


class OpenRouterAccount:
    """What OpenRouter says about your key, your credits and your generations. Every method has
    an async twin (``akey``, ``acredits``, ``ageneration``); failures raise the usual errors
    (a 401 is :class:`~pyllm.AuthenticationError`, a 403 on ``/credits`` with a key that may not
    read them :class:`~pyllm.PermissionDeniedError`)."""

    def __init__(self, session: Session, provider: str | None = None) -> None:
        self._session = session
        self._provider_name = provider

    def __repr__(self) -> str:
        return f"OpenRouterAccount(provider={self._openrouter().name!r})"

    def via(self, provider: str | None) -> OpenRouterAccount:
        """The same account reached through the provider called ``provider`` (say, a second
        OpenRouter registered under another name); ``None``: the built-in one."""
        return OpenRouterAccount(self._session, provider)

    def key(self) -> KeyInfo:
        """The calling key: label, spending limit and what is left of it, usage, free tier."""
        return self._session.run(self._get("key_path", parse_key))

    async def akey(self) -> KeyInfo:
        """Async twin of :meth:`key`."""
        return await self._session.arun(self._get("key_path", parse_key))

    def credits(self) -> Credits:
        """Credits bought (``total``), spent (``used``) and ``remaining``."""
        return self._session.run(self._get("credits_path", parse_credits))

    async def acredits(self) -> Credits:
        """Async twin of :meth:`credits`."""
        return await self._session.arun(self._get("credits_path", parse_credits))

    def _get(self, path: str, parse: Callable[[Any], T]) -> Flow[T]:
        """A ``GET`` of the provider's ``path`` (its attribute name), retried per the policy."""
        provider = self._openrouter()
        deadline = Deadline(self._session.settings.total_timeout)
        where = getattr(provider, path)
        send = Send(provider, where, None, None, deadline, parse=parse, method="GET")
        return request_flow(send, self._session.policy)

    def generation(self, generation_id: str, *, wait: float = 5.0) -> GenerationStats:
        """The stats of generation ``generation_id`` (``reply.id``): cost, upstream, latency,
        native token counts, cache discount, finish reason. OpenRouter records a generation a
        moment after answering; until then it answers 404, and pyllm asks again for up to
        ``wait`` seconds before raising :class:`~pyllm.NotFoundError`."""
        return self._session.run(self._generation_flow(generation_id, wait))

    async def ageneration(self, generation_id: str, *, wait: float = 5.0) -> GenerationStats:
        """Async twin of :meth:`generation`."""
        return await self._session.arun(self._generation_flow(generation_id, wait))

    def _generation_flow(self, generation_id: Any, wait: Any) -> Flow[GenerationStats]:
        if not isinstance(generation_id, str) or not generation_id.strip():
            raise TypeError(f"a generation id is a string like 'gen-...', got {generation_id!r}")
        if isinstance(wait, bool) or not isinstance(wait, (int, float)) or wait < 0:
            raise ValueError(f"wait must be a number of seconds >= 0, got {wait!r}")
        provider = self._openrouter()
        path = f"{provider.generation_path}?{urlencode({'id': generation_id})}"
        deadline = Deadline(self._session.settings.total_timeout)
        send = Send(provider, path, None, None, deadline, parse=parse_generation, method="GET")
        hint = (
            f"no record after waiting {wait:g}s: check the id (an answer's reply.id, made with "
            "this account's key), or wait longer (wait=...)"
        )
        flow: Flow[GenerationStats] = poll_flow(
            send, self._session.policy, patience=float(wait), hint=hint
        )
        return flow

    def _openrouter(self) -> OpenRouter:
        from .providers.openrouter import OpenRouter

        provider = self._session.provider(self._provider_name or OpenRouter.name)
        if not isinstance(provider, OpenRouter):
            raise UnsupportedError(
                f"key, credits and generation stats are OpenRouter's; the {provider.name} "
                "provider has no such routes"
            )
        return provider


def remember(message: Message, session: Session) -> None:
    """Note that ``session`` made ``message`` (an answer with an id), for
    ``message.generation()``; only the last :data:`REMEMBERED` answers are kept."""
    if message.id is None:
        return
    with _lock:
        _made_by[message.id] = weakref.ref(session)
        _made_by.move_to_end(message.id)
        while len(_made_by) > REMEMBERED:
            _made_by.popitem(last=False)


def account_for(message: Message, client: Any) -> OpenRouterAccount:
    """The account that can tell ``message``'s stats: ``client``'s, else that of the client
    that made it, else the default client's; on the provider that answered."""
    if client is not None:
        account: OpenRouterAccount = client.openrouter
        return account.via(message.provider)
    with _lock:
        found = _made_by.get(message.id or "")
    session = found() if found is not None else None
    if session is None:
        from .client import default_client

        return default_client().openrouter.via(message.provider)
    return OpenRouterAccount(session, message.provider)
