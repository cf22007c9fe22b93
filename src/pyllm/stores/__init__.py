"""Where chats are kept: :class:`SQLStore` (SQLite or PostgreSQL, through SQLAlchemy 2).

>>> import pyllm
>>> store = pyllm.SQLStore("chats.db")           # doctest: +SKIP
>>> chat = store.chat("openai/gpt-4.1-mini")     # doctest: +SKIP
>>> chat.ask("Hi"); chat.id                      # doctest: +SKIP

Names load on first use: importing this package does not import SQLAlchemy (the ``sql``
extra: ``pip install 'pyllm[sql]'``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import ChatInfo as ChatInfo
    from .base import ChatNotFoundError as ChatNotFoundError
    from .base import CostRow as CostRow
    from .base import StoreError as StoreError
    from .sql import SQLStore as SQLStore

__all__ = ["ChatInfo", "ChatNotFoundError", "CostRow", "SQLStore", "StoreError"]

_WHERE = {
    "ChatInfo": "base",
    "ChatNotFoundError": "base",
    "CostRow": "base",
    "StoreError": "base",
    "SQLStore": "sql",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pyllm.stores' has no attribute {name!r}")
    qualified = f"{__name__}.{module}"
    __import__(qualified)
    return getattr(sys.modules[qualified], name)
