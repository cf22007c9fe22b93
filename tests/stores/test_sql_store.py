"""pyllm.SQLStore on real databases (SQLite files and a PostgreSQL server): chats written at
the history's safe points, loaded, listed, filtered, deleted; attachments stored once; costs by
model and day; the async twins; the migrations."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

import pyllm
from pyllm.stores import ChatNotFoundError, StoreError
from pyllm.stores._schema import attachments, blobs, chats, messages
from pyllm.testing import FakeOpenRouter, error, tool_call
from pyllm.testing import text as reply

MODEL = "anthropic/claude-haiku-4.5"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


@pyllm.tool
def lookup(key: str) -> str:
    """Look a key up."""
    return key.upper()


def count(store: pyllm.SQLStore, table: Any, *where: Any) -> int:
    with store.begin() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def roles(store: pyllm.SQLStore, chat_id: str) -> list[str]:
    with store.begin() as conn:
        query = (
            select(messages.c.role)
            .where(messages.c.chat_id == chat_id)
            .order_by(messages.c.position)
        )
        return list(conn.execute(query).scalars())


# ---- writing at the safe points -------------------------------------------------------------


def test_a_chat_is_written_with_its_first_answer_and_loads_as_it_was(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    chat = store.chat(MODEL).with_instructions("Be terse.").with_temperature(0.2)
    assert len(chat.id or "") == 32 and store.chats() == []  # nothing written before an answer
    server.reply(
        reply("Hello!", usage={"prompt_tokens": 7, "completion_tokens": 2, "cost": 0.00003})
    )
    chat.ask("Hi")
    [info] = store.chats()
    assert (info.id, info.model, info.provider, info.title, info.messages) == (
        chat.id,
        MODEL,
        "openrouter",
        "Hi",
        3,
    )
    assert info.cost == 0.00003 and info.created_at.tzinfo is not None
    loaded = store.load(chat.id or "")
    assert loaded.messages == chat.messages and loaded.id == chat.id
    assert (
        loaded._options.temperature == 0.2 and loaded.messages[-1].usage == chat.messages[-1].usage
    )


def test_every_whole_tool_round_is_written_and_a_failed_request_writes_nothing(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    chat = store.chat(MODEL).with_tools(lookup).with_retries(0)
    server.reply(
        tool_call("lookup", {"key": "a"}), tool_call("lookup", {"key": "b"}), error(400, "no")
    )
    with pytest.raises(pyllm.BadRequestError):
        chat.ask("go")
    assert roles(store, chat.id or "") == ["user", "assistant", "tool", "assistant", "tool"]
    assert store.load(chat.id or "", tools=[lookup]).messages == chat.messages
    server.reply(error(400, "still no"))
    with pytest.raises(pyllm.BadRequestError):
        chat.ask("again")
    assert len(roles(store, chat.id or "")) == 5  # the failed request wrote nothing


def test_a_failed_first_request_writes_no_chat(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    server.reply(error(401, "bad key"))
    chat = store.chat(MODEL)
    with pytest.raises(pyllm.AuthenticationError):
        chat.ask("Hi")
    assert store.chats() == [] and count(store, messages) == 0


def test_changes_made_between_answers_are_written_with_the_next_one(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    chat = store.chat(MODEL)
    chat.ask("one")
    chat.ask("two")
    chat.messages[:] = chat.messages[:2]  # forget the second exchange (like /clear)
    chat.with_instructions("New rules.")
    chat.ask("three")
    assert [m.content for m in store.load(chat.id or "").messages] == [
        "New rules.",
        "one",
        "You said: one",
        "three",
        "You said: three",
    ]
    assert count(store, messages, messages.c.chat_id == chat.id) == 5


def test_a_stopped_stream_keeps_its_partial_answer_and_save_writes_it(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    chat = store.chat(MODEL)
    server.reply(reply("one two three four five", chunks=5))
    stream = chat.stream("count")
    next(iter(stream))
    stream.close()
    assert chat.messages[-1].finish_reason == "incomplete"
    chat.save()
    assert store.load(chat.id or "").messages == chat.messages
    with pytest.raises(ValueError, match="not kept in a store"):
        pyllm.Client(openrouter_api_key="k").chat(MODEL).save()


def test_a_chat_loaded_elsewhere_goes_on_without_writing_twice(
    database_url: str, server: FakeOpenRouter, client: pyllm.Client
) -> None:
    first = pyllm.SQLStore(database_url, client=client)
    chat = first.chat(MODEL)
    chat.ask("one")
    second = pyllm.SQLStore(database_url, client=client)  # another process, in effect
    again = second.load(chat.id or "")
    again.ask("two")
    assert [m.content for m in first.load(chat.id or "").messages] == [
        "one",
        "You said: one",
        "two",
        "You said: two",
    ]
    chat.ask("three")  # the first copy is behind: its history replaces the rows after "one"
    assert [m.content for m in second.load(chat.id or "").messages][-2:] == [
        "three",
        "You said: three",
    ]
    assert count(first, messages) == 4
    first.close()
    second.close()


def test_with_store_keeps_an_existing_chat(store: pyllm.SQLStore, client: pyllm.Client) -> None:
    chat = client.chat(MODEL).with_instructions("Hi there")
    chat.ask("one")
    chat.with_store(store)
    chat.save()
    assert store.load(chat.id or "").messages == chat.messages


# ---- listing, filtering, deleting -----------------------------------------------------------


def test_chats_are_listed_newest_first_and_filtered(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    a = store.chat(MODEL)
    a.ask("The 100% pure Apple pie")
    b = store.chat("openai/gpt-4.1-mini")
    b.ask("banana_split")
    c = store.chat(MODEL)
    c.ask("cherry")
    a.ask("apple again")  # a is the most recently active now
    assert [i.id for i in store.chats()] == [a.id, c.id, b.id]
    assert [i.id for i in store.chats(model=MODEL)] == [a.id, c.id]
    assert [i.id for i in store.chats(text="APPLE")] == [a.id]  # case-insensitive
    assert [i.id for i in store.chats(text="100%")] == [a.id]  # % and _ are plain text
    assert [i.id for i in store.chats(text="e_p")] == []  # "Apple pie" would match e?p
    assert [i.id for i in store.chats(text="na_sp")] == [b.id]
    assert [i.id for i in store.chats(limit=2)] == [a.id, c.id]
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert store.chats(since=tomorrow) == [] and len(store.chats(until=tomorrow)) == 3
    with store.begin() as conn:  # b was last active a week ago
        week_ago = datetime.now(timezone.utc) - timedelta(days=7)
        conn.execute(update(chats).where(chats.c.id == b.id).values(updated_at=week_ago))
    yesterday = date.today() - timedelta(days=1)
    assert [i.id for i in store.chats(since=yesterday)] == [a.id, c.id]
    assert [i.id for i in store.chats(until=yesterday)] == [b.id]


def test_delete_removes_a_chat_and_the_attachments_only_it_held(
    store: pyllm.SQLStore, server: FakeOpenRouter
) -> None:
    shared, own = PNG, PNG + b"own"
    a = store.chat(MODEL)
    a.ask("one", attachments=[shared, own])
    b = store.chat(MODEL)
    b.ask("two", attachments=[shared])
    assert count(store, blobs) == 2 and count(store, attachments) == 3  # shared bytes: one blob
    assert store.delete(a.id or "") is True
    assert count(store, blobs) == 1 and count(store, messages, messages.c.chat_id == a.id) == 0
    assert store.load(b.id or "").messages[0].attachments[0].data == shared
    assert store.delete(a.id or "") is False
    with pytest.raises(ChatNotFoundError, match=r"no chat '\w+' in this store") as caught:
        store.load(a.id or "")
    assert caught.value.id == a.id and isinstance(caught.value, (KeyError, pyllm.StoreError))


def test_large_attachments_live_outside_the_rows(
    store: pyllm.SQLStore, server: FakeOpenRouter, database_url: str
) -> None:
    big = b"%PDF-1.7\n" + bytes(300_000)
    chat = store.chat(MODEL)
    chat.ask("read", attachments=[big])
    chat.ask("again", attachments=[big])
    with store.begin() as conn:
        [(in_file, data)] = conn.execute(select(blobs.c.in_file, blobs.c.data)).all()
    on_sqlite = database_url.startswith("sqlite")
    assert in_file is on_sqlite  # beside a SQLite file; PostgreSQL keeps it in its blob table
    if on_sqlite:
        assert data is None and len(list(Path(f"{store.url.database}.files").rglob("*"))) == 2
    loaded = store.load(chat.id or "")
    assert [m.attachments[0].data for m in loaded.messages if m.role == "user"] == [big, big]
    store.delete(chat.id or "")
    assert count(store, blobs) == 0
    if on_sqlite:
        assert not any(p.is_file() for p in Path(f"{store.url.database}.files").rglob("*"))


def test_a_missing_tool_on_load_is_named(store: pyllm.SQLStore, server: FakeOpenRouter) -> None:
    chat = store.chat(MODEL).with_tools(lookup)
    chat.ask("hi")
    with pytest.raises(pyllm.ToolError, match="lookup"):
        store.load(chat.id or "")
    assert list(store.load(chat.id or "", tools=[lookup]).toolbox.tools) == ["lookup"]


# ---- costs ----------------------------------------------------------------------------------


def test_costs_by_model_and_day_are_exact(store: pyllm.SQLStore, server: FakeOpenRouter) -> None:
    usage = {"prompt_tokens": 10, "completion_tokens": 4}
    a = store.chat(MODEL)
    for cost in (0.1, 0.2):
        server.reply(reply("ok", usage={**usage, "cost": cost}))
        a.ask("x")
    b = store.chat("openai/gpt-4.1-mini")
    server.reply(
        reply("ok", usage={**usage, "cost": 0.0001}), reply("ok", usage={**usage, "cost": 0.0002})
    )
    b.ask("y")
    b.ask("z")
    with store.begin() as conn:  # b's first answer was yesterday
        first = select(func.min(messages.c.id)).where(
            messages.c.chat_id == b.id, messages.c.role == "assistant"
        )
        conn.execute(
            update(messages)
            .where(messages.c.id == first.scalar_subquery())
            .values(day="2025-01-01")
        )
    rows = store.costs()
    assert [(r.day.isoformat(), r.model, r.requests, r.cost) for r in rows] == [
        ("2025-01-01", "openai/gpt-4.1-mini", 1, 0.0001),
        (date.today().isoformat(), MODEL, 2, 0.3),  # 0.1 + 0.2, not 0.30000000000000004
        (date.today().isoformat(), "openai/gpt-4.1-mini", 1, 0.0002),
    ]
    assert rows[1].input_tokens == 20 and rows[1].output_tokens == 8
    assert [r.cost for r in store.costs(since=date(2025, 1, 2))] == [0.3, 0.0002]
    assert [r.cost for r in store.costs(until=date(2025, 1, 2))] == [0.0001]
    assert [r.cost for r in store.costs(model=MODEL)] == [0.3]
    assert [r.cost for r in store.costs(chat_id=b.id)] == [0.0001, 0.0002]


# ---- async ----------------------------------------------------------------------------------


def test_the_async_twins(store: pyllm.SQLStore, server: FakeOpenRouter) -> None:
    async def main() -> None:
        chat = store.chat(MODEL).with_tools(lookup)
        server.reply(tool_call("lookup", {"key": "a"}), reply("done"))
        await chat.aask("go")
        assert roles(store, chat.id or "") == ["user", "assistant", "tool", "assistant"]
        loaded = await store.aload(chat.id or "", tools=[lookup])
        assert loaded.messages == chat.messages
        async with loaded.astream("more") as stream:
            assert [c.content async for c in stream if c.content]
        assert len(roles(store, chat.id or "")) == 6
        [info] = await store.achats(text="more")
        assert info.id == chat.id and info.messages == 6
        assert [r.requests for r in await store.acosts()] == [3]
        await store.amigrate()  # at head already: nothing to do
        assert await store.adelete(chat.id or "") is True
        assert await store.achats() == []
        with pytest.raises(ChatNotFoundError):
            await store.aload(chat.id or "")
        await store.aclose()

    asyncio.run(main())


# ---- migrations and errors ------------------------------------------------------------------


def test_the_migrations_build_exactly_the_schema(database_url: str, client: pyllm.Client) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from pyllm.stores._schema import HEAD, VERSION_TABLE, metadata

    store = pyllm.SQLStore(database_url, client=client, migrate=False)
    with store.begin() as conn:
        assert not any(name.startswith("pyllm_") for name in conn.dialect.get_table_names(conn))
    store.migrate()
    store.migrate()  # twice is fine
    location = Path(pyllm.stores.__file__).parent / "_migrations"
    assert ScriptDirectory(str(location)).get_current_head() == HEAD
    with store.begin() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        assert context.get_current_revision() == HEAD
        assert compare_metadata(context, metadata) == []
    store.close()


def test_database_errors_are_store_errors(tmp_path: Path, client: pyllm.Client) -> None:
    with pytest.raises(StoreError, match="cannot open"):
        pyllm.SQLStore("nosuchdb://x/y", client=client).chats()
    unreachable = pyllm.SQLStore("postgresql://u:secret@127.0.0.1:1/db", client=client)
    with pytest.raises(StoreError, match="failed") as caught:
        unreachable.chats()
    assert "secret" not in str(caught.value) and "secret" not in repr(unreachable)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(StoreError):
        pyllm.SQLStore(folder, client=client).chats()


def test_a_plain_path_is_a_sqlite_file(
    tmp_path: Path, client: pyllm.Client, server: FakeOpenRouter
) -> None:
    store = pyllm.SQLStore(tmp_path / "here.db", client=client)
    store.chat(MODEL).ask("hi")
    assert (tmp_path / "here.db").exists() and len(store.chats()) == 1
    with store.begin() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    store.close()
