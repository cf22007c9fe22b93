"""``pyllm chat --store FILE``, ``--resume ID`` and ``pyllm chats``, run as the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyllm
from pyllm.testing import FakeOpenRouter, text

PYLLM = [sys.executable, "-m", "pyllm.cli"]
MODEL = "anthropic/claude-haiku-4.5"


def run(server: FakeOpenRouter, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "PYLLM_"))
    }
    environment.update(OPENROUTER_API_KEY="sk-or-cli", OPENROUTER_BASE_URL=server.url, **env)
    return subprocess.run(
        [*PYLLM, *args], capture_output=True, text=True, timeout=60, env=environment
    )


def test_chat_keeps_the_conversation_and_resume_continues_it(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    db = str(tmp_path / "chats.db")
    server.reply(text("Paris."), text("About 2 million."))
    first = run(server, "chat", "--store", db, "-m", MODEL, "-s", "Be terse.", "Capital of France?")
    assert first.returncode == 0, first.stderr
    assert "Paris." in first.stdout
    [info] = pyllm.SQLStore(db).chats()
    assert f"--resume {info.id}" in first.stderr and info.messages == 3

    second = run(server, "chat", "--store", db, "--resume", info.id, "--no-stream", "People?")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "About 2 million."
    sent = server.requests[-1].json
    assert sent["model"] == MODEL  # the stored chat's model
    assert [m["content"] for m in sent["messages"]] == [
        "Be terse.",
        "Capital of France?",
        "Paris.",
        "People?",
    ]
    chat = pyllm.SQLStore(db, client=server.client()).load(info.id)
    assert [m.content for m in chat.messages][-1] == "About 2 million."


def test_the_store_can_come_from_the_environment(server: FakeOpenRouter, tmp_path: Path) -> None:
    db = str(tmp_path / "env.db")
    assert run(server, "chat", "-m", MODEL, "Hi", PYLLM_STORE=db).returncode == 0
    listed = run(server, "chats", "--json", PYLLM_STORE=db)
    assert [c["title"] for c in json.loads(listed.stdout)] == ["Hi"]


def test_chats_lists_shows_filters_costs_and_deletes(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    db = str(tmp_path / "chats.db")
    server.reply(
        text("one", usage={"prompt_tokens": 3, "completion_tokens": 1, "cost": 0.0001}),
        text("two", usage={"prompt_tokens": 3, "completion_tokens": 1, "cost": 0.0002}),
    )
    run(server, "chat", "--store", db, "-m", MODEL, "first question")
    run(server, "chat", "--store", db, "-m", "openai/gpt-4.1-mini", "second question")

    listed = run(server, "chats", "--store", db)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and "second question" in lines[0] and "first question" in lines[1]
    assert "$0.000200" in lines[0]
    only = json.loads(run(server, "chats", "--store", db, "-m", MODEL, "--json").stdout)
    assert [c["title"] for c in only] == ["first question"]
    found = json.loads(run(server, "chats", "--store", db, "--text", "SECOND", "--json").stdout)
    assert [c["model"] for c in found] == ["openai/gpt-4.1-mini"]

    shown = run(server, "chats", "--store", db, "--show", only[0]["id"])
    assert "user> first question" in shown.stdout and "assistant> one" in shown.stdout

    costs = json.loads(run(server, "chats", "--store", db, "--costs", "--json").stdout)
    assert sorted((c["model"], c["requests"], c["cost"]) for c in costs) == [
        (MODEL, 1, 0.0001),
        ("openai/gpt-4.1-mini", 1, 0.0002),
    ]

    deleted = run(server, "chats", "--store", db, "--delete", only[0]["id"])
    assert deleted.returncode == 0 and "deleted" in deleted.stderr
    assert len(json.loads(run(server, "chats", "--store", db, "--json").stdout)) == 1
    again = run(server, "chats", "--store", db, "--delete", only[0]["id"])
    assert again.returncode == 1 and "no chat" in again.stderr


def test_without_a_store_chats_says_how_to_name_one(server: FakeOpenRouter) -> None:
    result = run(server, "chats")
    assert result.returncode == 2 and "pass --store FILE" in result.stderr


def test_resuming_an_unknown_chat_is_a_one_line_error(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    result = run(server, "chat", "--store", str(tmp_path / "c.db"), "--resume", "nope", "Hi")
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "error: no chat 'nope' in this store; store.chats() lists the ids"
    )
