"""The real ``pyllm`` entry point, run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pyllm

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
