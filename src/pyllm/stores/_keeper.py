"""The link between one chat and its store: what the history transaction tells when it
commits, and what a ``Save`` step runs (:class:`~pyllm._engine.steps.Saver`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._serial import FORMAT_VERSION

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..conversation import Chat
    from ..message import Message
    from ._rows import ChatState
    from .sql import SQLStore

__all__ = ["Keeper"]

_SAVED = ("settings", "tools", "used")


class Keeper:
    """Writes ``chat`` to ``store`` under ``id``. ``saved`` is what this process last wrote
    (``None``: unknown, so the first write compares with the rows); ``unsaved`` says whether
    the next ``Save`` has anything to write."""

    def __init__(
        self,
        store: SQLStore,
        chat: Chat,
        id: str,
        *,
        saved: Sequence[Message] | None,
        unsaved: bool,
    ) -> None:
        self.store, self.chat = store, chat
        self._id = id
        self._saved = None if saved is None else list(saved)
        self._unsaved = unsaved

    @property
    def id(self) -> str:
        return self._id

    @property
    def unsaved(self) -> bool:
        return self._unsaved

    def committed(self, messages: Sequence[Message]) -> None:
        """The history gained ``messages``: the next ``Save`` writes them."""
        self._unsaved = True

    def state(self) -> ChatState:
        """The chat as it is now (its messages copied: the list goes on changing)."""
        from ._rows import ChatState  # SQLAlchemy: loaded with the first write

        chat = self.chat
        data = chat.to_dict(messages=False)
        settings = {key: data[key] for key in _SAVED if key in data}
        return ChatState(
            self._id, chat.model, chat.provider, settings, tuple(chat.messages), FORMAT_VERSION
        )

    def save(self) -> None:
        from ._rows import write_chat

        state = self.state()
        with self.store.begin() as conn:
            saved = write_chat(conn, state, self._saved, self.store.files)
        self._saved, self._unsaved = saved, False

    async def asave(self) -> None:
        from ._rows import write_chat

        state = self.state()
        async with self.store.abegin() as conn:
            saved = await conn.run_sync(write_chat, state, self._saved, self.store.files)
        self._saved, self._unsaved = saved, False
