"""Stored conversations on the command line: ``pyllm chat --store FILE [--resume ID]`` and
``pyllm chats`` (list, show, delete, costs). The store is a SQLite file or a database URL
(``--store``, or ``PYLLM_STORE``); it needs the ``sql`` extra (``pip install 'pyllm[sql]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..conversation import Chat
    from ..stores.sql import SQLStore

__all__ = ["add_chats", "add_store_options", "finish", "stored_chat"]

STORE_VARIABLE = "PYLLM_STORE"


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--store`` and ``--resume`` for ``pyllm chat``."""
    parser.add_argument(
        "--store",
        default=None,
        metavar="FILE",
        help=f"keep the conversation in this SQLite file or database URL (or ${STORE_VARIABLE})",
    )
    parser.add_argument(
        "--resume", default=None, metavar="ID", help="continue the stored chat ID (see pyllm chats)"
    )


def open_store(where: str | None) -> SQLStore:
    """The store ``--store`` (or ``PYLLM_STORE``) names; exit status 2 when neither does."""
    target = where or os.environ.get(STORE_VARIABLE, "").strip()
    if not target:
        print(
            f"error: no store: pass --store FILE (a SQLite file or a database URL) or set "
            f"{STORE_VARIABLE}",
            file=sys.stderr,
        )
        raise SystemExit(2)
    import pyllm

    return pyllm.SQLStore(target)


def stored_chat(args: argparse.Namespace) -> Chat:
    """A new chat kept in the store, or (``--resume ID``) the stored one, on the model asked
    for when one is."""
    store = open_store(args.store)
    if not args.resume:
        return store.chat(args.model, provider=args.provider)
    chat = store.load(args.resume, missing_tools="drop")
    if args.model:
        chat.with_model(args.model, args.provider)
    return chat


def finish(chat: Chat, args: argparse.Namespace) -> None:
    """Write what is left (a stopped answer) and say how to go on."""
    if chat.id is None:
        return
    chat.save()
    where = f" --store {args.store}" if args.store else ""
    print(f"(chat {chat.id}; continue: pyllm chat{where} --resume {chat.id})", file=sys.stderr)


def add_chats(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "chats",
        help="list, show, delete stored chats; their costs",
        description="The chats kept with pyllm chat --store: newest first, filtered by model, "
        "date and text; one shown in full; one deleted; or the cost per model and day.",
    )
    parser.add_argument("--store", default=None, metavar="FILE", help="SQLite file or URL")
    parser.add_argument("-m", "--model", default=None, help="only chats with this model")
    parser.add_argument("--text", default=None, help="only chats whose messages contain TEXT")
    parser.add_argument("--since", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    parser.add_argument("--until", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD")
    parser.add_argument("-n", "--limit", type=int, default=50, help="at most N chats (50)")
    parser.add_argument("--show", default=None, metavar="ID", help="print the chat ID in full")
    parser.add_argument("--delete", default=None, metavar="ID", help="delete the chat ID")
    parser.add_argument("--costs", action="store_true", help="cost per model and day")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(run=run_chats)


def run_chats(args: argparse.Namespace) -> int:
    store = open_store(args.store)
    try:
        if args.show:
            return _show(store, args)
        if args.delete:
            gone = store.delete(args.delete)
            print(f"deleted {args.delete}" if gone else f"no chat {args.delete}", file=sys.stderr)
            return 0 if gone else 1
        if args.costs:
            return _costs(store, args)
        return _list(store, args)
    finally:
        store.close()


def _list(store: SQLStore, args: argparse.Namespace) -> int:
    found = store.chats(
        model=args.model, since=args.since, until=args.until, text=args.text, limit=args.limit
    )
    if args.json:
        rows = [
            {
                "id": c.id,
                "model": c.model,
                "provider": c.provider,
                "title": c.title,
                "created_at": c.created_at.isoformat(),
                "updated_at": c.updated_at.isoformat(),
                "messages": c.messages,
                "cost": c.cost,
            }
            for c in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("no chats", file=sys.stderr)
    for c in found:
        cost = f"${c.cost:.6f}" if c.cost is not None else "-"
        when = c.updated_at.strftime("%Y-%m-%d %H:%M")
        title = (c.title or "").replace("\n", " ")[:50]
        print(f"{c.id}  {when}  {c.model:<32}  {c.messages:>3} msgs  {cost:>10}  {title}")
    return 0


def _show(store: SQLStore, args: argparse.Namespace) -> int:
    chat = store.load(args.show, missing_tools="drop")
    if args.json:
        print(json.dumps(chat.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"chat {chat.id} with {chat.model} on {chat.provider}")
    for message in chat.messages:
        if message.tool_calls:
            calls = ", ".join(f"{c.name}({json.dumps(c.arguments)})" for c in message.tool_calls)
            print(f"{message.role}> [calls {calls}] {message.content}".rstrip())
        else:
            print(f"{message.role}> {message.content}")
    cost = chat.cost
    print(f"({len(chat.messages)} messages, ${cost or 0:.6f})", file=sys.stderr)
    return 0


def _costs(store: SQLStore, args: argparse.Namespace) -> int:
    rows = store.costs(since=args.since, until=args.until, model=args.model)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "day": r.day.isoformat(),
                        "model": r.model,
                        "provider": r.provider,
                        "requests": r.requests,
                        "input_tokens": r.input_tokens,
                        "output_tokens": r.output_tokens,
                        "cost": r.cost,
                    }
                    for r in rows
                ],
                indent=2,
            )
        )
        return 0
    for r in rows:
        cost = f"${r.cost:.6f}" if r.cost is not None else "-"
        print(
            f"{r.day.isoformat()}  {r.model:<32}  {r.requests:>5} answers  "
            f"{r.input_tokens:>9} in  {r.output_tokens:>8} out  {cost:>12}"
        )
    return 0
