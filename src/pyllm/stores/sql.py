"""``pyllm.SQLStore``: chats kept in SQLite (a file) or PostgreSQL, through SQLAlchemy 2.

>>> import pyllm
>>> store = pyllm.SQLStore("chats.db")                    # doctest: +SKIP
>>> chat = store.chat("openai/gpt-4.1-mini")              # doctest: +SKIP
>>> chat.ask("Hi"); store.load(chat.id).messages          # doctest: +SKIP

Every method has an async twin (``aload``, ``achats``, ``adelete``, ``acosts``,
``amigrate``): SQLite through aiosqlite, PostgreSQL through psycopg's async mode. The schema is
created and upgraded by Alembic migrations shipped with pyllm, when the store is first used
(or by :meth:`SQLStore.migrate`).
"""

from __future__ import annotations

import os
import uuid
import weakref
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._redact import display_url
from ._files import DEFAULT_FILE_THRESHOLD, Files
from ._keeper import Keeper
from .base import StoreError

if TYPE_CHECKING:
    import asyncio
    from datetime import date, datetime

    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from ..client import Client
    from ..conversation import Chat
    from ..message import Message
    from .base import ChatInfo, CostRow

__all__ = ["SQLStore"]

_SYNC_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}
_ASYNC_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "psycopg"}
_ASYNC_ONLY = frozenset({"aiosqlite", "asyncpg", "aiomysql", "asyncmy"})
_AUTO: Any = object()


class SQLStore:
    """Chats kept in a SQL database: ``url`` is a SQLAlchemy URL (``"sqlite:///chats.db"``,
    ``"postgresql://user:pass@host/db"``) or the path of a SQLite file. ``client`` is the
    :class:`~pyllm.Client` its chats talk through (default: pyllm's default client).

    Attachments are stored once each (by SHA-256); those over ``file_threshold`` bytes go to
    ``files``, a folder (by default ``<database>.files`` beside a SQLite file; none for other
    databases, which keep them in their blob table). ``migrate=False`` leaves the schema to
    :meth:`migrate`. Errors from the database are :class:`~pyllm.stores.StoreError`.
    """

    def __init__(
        self,
        url: str | os.PathLike[str],
        *,
        client: Client | None = None,
        files: str | os.PathLike[str] | None = _AUTO,
        file_threshold: int = DEFAULT_FILE_THRESHOLD,
        migrate: bool = True,
        **engine_options: Any,
    ) -> None:
        try:
            from sqlalchemy.engine import make_url
        except ImportError:
            raise StoreError("SQLStore needs SQLAlchemy: pip install 'pyllm[sql]'") from None
        text = os.fspath(url)
        if "://" not in text:  # a file path
            text = f"sqlite:///{Path(text).expanduser()}"
        self.url: URL = make_url(text)
        if files is _AUTO:
            database = self.url.database
            on_disk = self.url.get_backend_name() == "sqlite" and database not in (
                None,
                "",
                ":memory:",
            )
            files = f"{database}.files" if on_disk else None
        self.files = Files(None if files is None else Path(files).expanduser(), file_threshold)
        self.client = client
        self._migrate = migrate
        self._options = engine_options
        self._engine: Engine | None = None
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncEngine] = (
            weakref.WeakKeyDictionary()
        )
        self._baselines: dict[str, tuple[Message, ...]] = {}

    def __repr__(self) -> str:
        return f"SQLStore({display_url(self.url.render_as_string(hide_password=True))!r})"

    # ---- chats ----------------------------------------------------------------------------

    def chat(self, model: str | None = None, *, provider: str | None = None) -> Chat:
        """A new chat kept in this store: ``chat.id`` is its key. It is written with its first
        answer (then at every answer and whole tool round), or by ``chat.save()``."""
        return self._client().chat(model, provider=provider).with_store(self)

    def load(self, id: str, *, tools: Iterable[Any] = (), missing_tools: str = "raise") -> Chat:
        """The chat stored under ``id``, ready to go on (``chat.ask()`` with no argument
        resumes a tool loop cut short). Its tools are saved by name: give them again in
        ``tools`` (see :meth:`pyllm.Client.chat_from`). Unknown ids raise
        :class:`~pyllm.stores.ChatNotFoundError`."""
        from ._rows import read_chat

        with self.begin() as conn:
            data = read_chat(conn, id, self.files)
        return self._loaded(id, data, tools, missing_tools)

    async def aload(
        self, id: str, *, tools: Iterable[Any] = (), missing_tools: str = "raise"
    ) -> Chat:
        """Async twin of :meth:`load`."""
        from ._rows import read_chat

        async with self.abegin() as conn:
            data = await conn.run_sync(read_chat, id, self.files)
        return self._loaded(id, data, tools, missing_tools)

    def _loaded(
        self, id: str, data: dict[str, Any], tools: Iterable[Any], missing_tools: str
    ) -> Chat:
        held: dict[str, bytes] = data.pop("blobs")

        def load(key: str) -> bytes:
            if key not in held:
                raise StoreError(f"chat {id} refers to attachment {key}, which is not stored")
            return held[key]

        chat = self._client().chat_from(
            data, tools=tools, missing_tools=missing_tools, attachments=load
        )
        self._baselines[id] = tuple(chat.messages)  # what the rows hold: nothing to write
        return chat.with_store(self, id=id)

    def keeper(self, chat: Chat, id: str | None) -> Keeper:
        """What writes ``chat`` here (``chat.with_store(store)`` asks for it)."""
        if id is None:
            return Keeper(self, chat, uuid.uuid4().hex, saved=(), unsaved=True)
        baseline = self._baselines.pop(id, None)
        return Keeper(self, chat, id, saved=baseline, unsaved=baseline is None)

    def chats(
        self,
        *,
        model: str | None = None,
        since: datetime | date | None = None,
        until: datetime | date | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[ChatInfo]:
        """The stored chats, most recently active first: those of ``model``, active from
        ``since`` and before ``until`` (UTC when no zone is given), whose messages contain
        ``text`` (case-insensitive), at most ``limit``."""
        from ._rows import list_chats

        with self.begin() as conn:
            return list_chats(conn, model=model, since=since, until=until, text=text, limit=limit)

    async def achats(self, **filters: Any) -> list[ChatInfo]:
        """Async twin of :meth:`chats`."""
        from ._rows import list_chats

        async with self.abegin() as conn:
            found: list[ChatInfo] = await conn.run_sync(list_chats, **filters)
            return found

    def delete(self, id: str) -> bool:
        """Delete a chat with its messages (and attachments no other chat holds); ``False``
        when there was none."""
        from ._rows import delete_chat

        with self.begin() as conn:
            return delete_chat(conn, id, self.files)

    async def adelete(self, id: str) -> bool:
        """Async twin of :meth:`delete`."""
        from ._rows import delete_chat

        async with self.abegin() as conn:
            gone: bool = await conn.run_sync(delete_chat, id, self.files)
            return gone

    def costs(
        self,
        *,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
        model: str | None = None,
        chat_id: str | None = None,
    ) -> list[CostRow]:
        """What each model cost each day (UTC), from ``since`` and before ``until``: answers,
        tokens and USD (summed exactly), by day then model."""
        from ._rows import costs

        with self.begin() as conn:
            return costs(conn, since=since, until=until, model=model, chat_id=chat_id)

    async def acosts(self, **filters: Any) -> list[CostRow]:
        """Async twin of :meth:`costs`."""
        from ._rows import costs

        async with self.abegin() as conn:
            rows: list[CostRow] = await conn.run_sync(costs, **filters)
            return rows

    def _client(self) -> Client:
        if self.client is None:
            from ..client import default_client

            self.client = default_client()
        return self.client

    # ---- the database ---------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (sync), its schema migrated on first use."""
        if self._engine is None:
            from sqlalchemy import create_engine

            engine = self._opened(
                lambda: create_engine(
                    _with_driver(self.url, _SYNC_DRIVERS, sync=True), **self._options
                )
            )
            _tune(engine)
            if self._migrate:
                self._guarded(lambda: _run_migrations(engine))
            self._engine = engine
        return self._engine

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction (sync), committed when the block ends, rolled back if it raises."""
        engine = self.engine
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._failed(exc) from exc

    async def aengine(self) -> AsyncEngine:
        """The SQLAlchemy async engine of the running event loop, migrated on first use."""
        import asyncio

        loop = asyncio.get_running_loop()
        engine = self._async.get(loop)
        if engine is None:
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = self._opened(
                lambda: create_async_engine(
                    _with_driver(self.url, _ASYNC_DRIVERS, sync=False), **self._options
                )
            )
            _tune(engine.sync_engine)
            if self._migrate:
                async with self._aguarded(engine) as conn:
                    await conn.run_sync(_migrate_connection)
            self._async[loop] = engine
        return engine

    @asynccontextmanager
    async def abegin(self) -> AsyncIterator[AsyncConnection]:
        """Async twin of :meth:`begin`."""
        engine = await self.aengine()
        async with self._aguarded(engine) as conn:
            yield conn

    @asynccontextmanager
    async def _aguarded(self, engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            async with engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._failed(exc) from exc

    def migrate(self) -> None:
        """Create or upgrade the tables to this pyllm's schema (Alembic ``upgrade head``)."""
        engine = self.engine
        self._guarded(lambda: _run_migrations(engine))

    async def amigrate(self) -> None:
        """Async twin of :meth:`migrate`."""
        async with self.abegin() as conn:
            await conn.run_sync(_migrate_connection)

    def close(self) -> None:
        """Close the sync engine's connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    async def aclose(self) -> None:
        """Close the connections (sync, and the async ones of the running loop)."""
        import asyncio

        self.close()
        engine = self._async.pop(asyncio.get_running_loop(), None)
        if engine is not None:
            await engine.dispose()

    def __enter__(self) -> SQLStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> SQLStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _opened(self, make: Any) -> Any:
        try:
            return make()
        except ImportError as exc:  # a driver that is not installed
            raise StoreError(
                f"cannot open {self!r}: {exc}. Install the driver (pip install 'pyllm[sql]' "
                "brings SQLite's; 'pyllm[postgres]' PostgreSQL's)"
            ) from exc
        except Exception as exc:  # a URL SQLAlchemy cannot use
            raise StoreError(f"cannot open {self!r}: {exc}") from exc

    def _guarded(self, work: Any) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return work()
        except SQLAlchemyError as exc:
            raise self._failed(exc) from exc

    def _failed(self, exc: Exception) -> StoreError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreError(f"the store {self!r} failed: {first}")


def _with_driver(url: URL, drivers: dict[str, str], *, sync: bool) -> URL:
    """``url`` with the driver pyllm uses for it (sync or async), unless it names one that
    fits."""
    backend, given = url.get_backend_name(), url.get_driver_name()
    named = "+" in url.drivername
    if named and (given not in _ASYNC_ONLY) == sync:
        return url
    if named and backend not in drivers:
        return url
    chosen = drivers.get(backend)
    return url if chosen is None else url.set(drivername=f"{backend}+{chosen}")


def _tune(engine: Engine) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(connection: Any, record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def _run_migrations(engine: Engine) -> None:
    with engine.begin() as conn:
        _migrate_connection(conn)


def _migrate_connection(conn: Connection) -> None:
    """Upgrade the schema to the newest revision (nothing to do when it is there)."""
    from alembic.runtime.migration import MigrationContext

    from ._schema import HEAD, VERSION_TABLE

    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    if context.get_current_revision() == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    location = str(Path(__file__).resolve().parent / "_migrations")
    config.set_main_option("script_location", location.replace("%", "%%"))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
