"""What a store lists and reports, and its errors. Values; no SQLAlchemy here.

>>> from datetime import date
>>> row = CostRow(date(2025, 1, 2), "openai/gpt-4.1-mini", "openrouter", 3, 120, 40, 0.0001)
>>> row.day.isoformat(), row.requests, row.cost
('2025-01-02', 3, 0.0001)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import Error

if TYPE_CHECKING:
    from datetime import date, datetime

__all__ = ["ChatInfo", "ChatNotFoundError", "CostRow", "StoreError"]


class StoreError(Error):
    """A store could not be opened or used: a missing driver (``pip install 'pyllm[sql]'``),
    an unreachable database, a failed write. The cause is ``__cause__``."""


class ChatNotFoundError(StoreError, KeyError):
    """No chat with that id in the store (``store.load(id)``); ``id`` is the key asked for."""

    def __init__(self, message: str, *, id: str) -> None:
        super().__init__(message)
        self.id = id

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """One stored chat as ``store.chats()`` lists it: its ``id`` (for ``store.load``), model,
    provider, ``title`` (the start of its first message), times, how many messages it holds
    and what its answers cost (``None`` when none reported a cost)."""

    id: str
    model: str
    provider: str
    title: str | None
    created_at: datetime
    updated_at: datetime
    messages: int
    cost: float | None


@dataclass(frozen=True, slots=True)
class CostRow:
    """What one model cost on one day (UTC): how many answers (``requests``), their tokens and
    their cost in USD (summed exactly; ``None`` when none reported one)."""

    day: date
    model: str
    provider: str | None
    requests: int
    input_tokens: int
    output_tokens: int
    cost: float | None
