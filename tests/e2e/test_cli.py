"""The real ``pyllm`` entry point, run as a subprocess."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import httpx
import pyte
import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, text

PYLLM = [sys.executable, "-m", "pyllm.cli"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENROUTER_", "PYLLM_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [*PYLLM, *args], capture_output=True, text=True, timeout=60, env=environment
    )


def test_demo_runs_offline_and_says_so() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "no OPENROUTER_API_KEY set" in out and "pyllm.testing" in out and "127.0.0.1" in out
    assert "2 + 2 = 4" in out
    assert "1, 2, 3, 4, 5" in out
    assert "model called weather({'city': 'Berlin'})" in out
    assert "pyllm waited, retried and got" in out
    assert "AuthenticationError" in out
    assert "the chat history is intact: 10 messages" in out
    # each error line names its class once; the local server is not passed off as a provider
    assert "a wrong API key raises 401 AuthenticationError from openrouter: Invalid API key" in out
    assert all(line.count("Error") <= 1 for line in out.splitlines()), out
    assert "Fake Provider" not in out and "Amazon Bedrock" not in out
    assert out.count("via pyllm.testing") == 2


def test_version_and_help() -> None:
    assert run("--version").stdout.strip() == f"pyllm {pyllm.__version__}"
    help_text = run("--help").stdout
    assert "demo" in help_text and "serve-fake" in help_text
    assert run().returncode == 2  # no command: help and a usage exit code


def test_serve_fake_answers_a_real_client() -> None:
    process = subprocess.Popen(
        [*PYLLM, "serve-fake", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line
        url = line.split("listening on ")[1].strip()
        with pyllm.Client(openrouter_api_key="sk-or-x", openrouter_base_url=url) as client:
            assert client.chat("a/b").ask("ping").content == "You said: ping"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("flag", [["--anthropic"], ["--provider", "anthropic"]])
def test_serve_fake_speaks_anthropic(flag: list[str]) -> None:
    process = subprocess.Popen(
        [*PYLLM, "serve-fake", *flag, "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "pyllm fake Anthropic listening on http://127.0.0.1:" in line
        url = line.split("listening on ")[1].strip()
        assert url.endswith("/v1")
        assert f"export ANTHROPIC_BASE_URL={url}" in process.stdout.readline()
        body = {
            "model": "claude-haiku-4-5",
            "max_tokens": 9,
            "messages": [{"role": "user", "content": "ping"}],
        }
        headers = {"x-api-key": "sk-ant-x", "anthropic-version": "2023-06-01"}
        answer = httpx.post(f"{url}/messages", json=body, headers=headers, timeout=10)
        assert answer.json()["content"] == [{"type": "text", "text": "You said: ping"}]
        assert httpx.post(f"{url}/messages", json=body, timeout=10).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=10)


def _env(server: FakeOpenRouter) -> dict[str, str]:
    return {"OPENROUTER_API_KEY": "sk-or-cli", "OPENROUTER_BASE_URL": server.url}


def test_chat_one_shot_streams_and_reports_usage(server: FakeOpenRouter) -> None:
    server.reply(text("2 + 2 = 4", chunks=3, upstream="Amazon Bedrock"))
    result = run(
        "chat",
        "-m",
        "anthropic/claude-haiku-4.5",
        "-s",
        "Be terse.",
        "-t",
        "0.2",
        "What is 2+2?",
        env=_env(server),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "2 + 2 = 4\n"  # piped: plain text, no terminal codes
    assert "anthropic/claude-haiku-4.5 via Amazon Bedrock" in result.stderr and "$" in result.stderr
    sent = server.requests[0].json
    assert sent["stream"] is True and sent["temperature"] == 0.2
    assert sent["messages"] == [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "What is 2+2?"},
    ]


def test_chat_reads_stdin_and_prints_json(server: FakeOpenRouter, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Buy milk.")
    result = subprocess.run(
        [*PYLLM, "chat", "--json", "--thinking", "low", "-a", str(notes), "Summarize:"],
        input="piped text",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **_env(server)},
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert reply["content"].startswith("You said: Summarize:\n\npiped text")
    assert reply["usage"]["cost"] is not None and reply["finish_reason"] == "stop"
    sent = server.requests[0].json
    assert sent["stream"] is False and sent["reasoning"] == {"effort": "low"}
    assert sent["messages"][0]["content"][1]["text"].startswith("<file name='notes.txt'")


def test_chat_errors_are_one_line_with_a_hint_and_a_nonzero_exit(server: FakeOpenRouter) -> None:
    server.reply(error(402, "Insufficient credits"))
    result = run("chat", "hi", env=_env(server))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: 402 PaymentRequiredError from openrouter: Insufficient credits -- add credits or raise the key's limit"
    ]
    missing_key = run("chat", "hi", env={"OPENROUTER_BASE_URL": server.url})
    assert missing_key.returncode == 1 and "OPENROUTER_API_KEY" in missing_key.stderr


def test_embed_and_paint_commands(server: FakeOpenRouter, tmp_path: Path) -> None:
    result = run("embed", "hello", "world", env=_env(server))
    assert result.returncode == 0, result.stderr
    assert "'hello': 8 dimensions" in result.stdout and "'world': 8 dimensions" in result.stdout
    as_json = json.loads(run("embed", "--json", "--dimensions", "4", "x", env=_env(server)).stdout)
    assert len(as_json["vectors"][0]) == 4
    out = tmp_path / "kite.png"
    result = run("paint", "a red kite", "-o", str(out), env=_env(server))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG") and str(out) in result.stdout


def _read_until(fd: int, marker: bytes, seconds: float = 20.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {marker!r} in {seen!r}")
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def test_interactive_session_in_a_terminal(server: FakeOpenRouter) -> None:
    server.reply(
        text("First **answer**."),
        text("a b c d e f g h i j k l m n o p", chunk_delay=0.3),
        text("Still here."),
    )
    main, child = pty.openpty()
    process = subprocess.Popen(
        [*PYLLM, "chat", "-m", "x/y"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, **_env(server)},
        close_fds=True,
    )
    os.close(child)
    try:
        _read_until(main, b"you> ")
        os.write(main, b"hello\n")
        first = _read_until(main, b"you> ")
        assert b"answer" in first and b"**answer**" not in first  # Markdown rendered in a terminal
        os.write(main, b"tell me a long story\n")
        _read_until(main, b"c ")
        process.send_signal(signal.SIGINT)  # Ctrl-C: stop this answer, keep the session
        assert b"[stopped]" in _read_until(main, b"you> ")
        os.write(main, b"/cost\n")
        assert b"tokens" in _read_until(main, b"you> ")
        os.write(main, b"are you there?\n")
        assert b"Still here." in _read_until(main, b"you> ")
        os.write(main, b"/exit\n")
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    history = server.requests[-1].json["messages"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant", "user"]
    assert history[3]["content"].startswith("a b c")  # the stopped answer was kept


def _terminal(server: FakeOpenRouter, rows: int = 24) -> tuple[int, subprocess.Popen[bytes]]:
    """``pyllm chat`` in a pseudo-terminal of ``rows`` x 80; returns the terminal's fd."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, 80, 0, 0))
    process = subprocess.Popen(
        [*PYLLM, "chat", "-m", "x/y"],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, **_env(server)},
        close_fds=True,
    )
    os.close(child)
    return main, process


def _screen_and_scrollback(output: bytes, rows: int) -> list[str]:
    """What a terminal shows for ``output``, lines scrolled away included."""
    screen = pyte.HistoryScreen(80, rows, history=10_000)
    pyte.ByteStream(screen).feed(output)
    scrolled = ["".join(line[x].data for x in range(80)).rstrip() for line in screen.history.top]
    return scrolled + [line.rstrip() for line in screen.display]


def test_ctrl_c_on_a_long_answer_shows_it_once(server: FakeOpenRouter) -> None:
    story = "\n\n".join(f"Paragraph {i} of the story." for i in range(40))
    server.reply(text(story, chunk_delay=0.01))
    main, process = _terminal(server, rows=12)
    try:
        seen = _read_until(main, b"you> ")
        os.write(main, b"tell me a story\n")
        seen += _read_until(main, b"Paragraph 20 ")  # taller than the terminal by now
        process.send_signal(signal.SIGINT)
        seen += _read_until(main, b"you> ")
        os.write(main, b"/exit\n")
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    lines = _screen_and_scrollback(seen, rows=12)
    shown = [line for line in lines if line.startswith("Paragraph")]
    assert shown[0] == "Paragraph 0 of the story."
    assert len(shown) == len(set(shown)), shown  # each paragraph once: nothing printed twice
    assert shown == [f"Paragraph {i} of the story." for i in range(len(shown) - 1)] + shown[-1:]
    assert lines.count("[stopped]") == 1


def test_a_model_typo_in_a_session_is_reported_and_the_session_goes_on(
    server: FakeOpenRouter,
) -> None:
    server.reply(text("Still here."))
    main, process = _terminal(server)
    try:
        _read_until(main, b"you> ")
        os.write(main, b"/model claude-hiaku-4-5\n")
        typo = _read_until(main, b"you> ")
        assert b"error: unknown model 'claude-hiaku-4-5'" in typo
        assert b"did you mean 'claude-haiku-4-5'" in typo
        os.write(main, b"/model\n")
        assert b"(talking to x/y on openrouter)" in _read_until(main, b"you> ")
        os.write(main, b"are you there?\n")
        assert b"Still here." in _read_until(main, b"you> ")
        os.write(main, b"/exit\n")
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    assert server.requests[-1].json["model"] == "x/y"
