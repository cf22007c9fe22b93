"""A process killed with SIGKILL in the middle of a tool loop leaves its stored chat at the last
whole tool round (never half of one), and the chat resumes from there (issue 16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, text, tool_call

MODEL = "anthropic/claude-haiku-4.5"

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pyllm

    url, base, signal_file = sys.argv[1:4]
    client = pyllm.Client(openrouter_api_key="sk-or-child", openrouter_base_url=base)
    store = pyllm.SQLStore(url, client=client)

    @pyllm.tool
    def step(n: int) -> str:
        '''Do step n.'''
        if n == 2:
            Path(signal_file).write_text(chat.id)
            time.sleep(120)  # SIGKILLed here, in the second tool round
        return f"step {n} done"

    chat = store.chat("anthropic/claude-haiku-4.5").with_tools(step)
    chat.ask("Do the steps")
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_mid_tool_loop_leaves_the_last_whole_round_then_resumes(
    database_url: str, server: FakeOpenRouter, tmp_path: Path
) -> None:
    pyllm.SQLStore(database_url).migrate()  # the schema exists before the child starts
    server.reply(tool_call("step", {"n": 1}), tool_call("step", {"n": 2}))
    signal_file = tmp_path / "in-tool-2"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, server.url, str(signal_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not signal_file.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                output = child.stdout.read().decode() if child.stdout else ""
                pytest.fail(f"the child never reached tool 2 (exit {child.returncode}):\n{output}")
            time.sleep(0.02)
        chat_id = signal_file.read_text()
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        if child.stdout:
            child.stdout.close()

    @pyllm.tool
    def step(n: int) -> str:
        """Do step n."""
        return f"step {n} done"

    store = pyllm.SQLStore(database_url, client=server.client())
    chat = store.load(chat_id, tools=[step])
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool"]  # round 2: none of it
    assert chat.messages[1].tool_calls[0].arguments == {"n": 1}
    assert chat.messages[2].content == "step 1 done"

    server.reply(tool_call("step", {"n": 2}), text("All steps done."))
    assert chat.ask().content == "All steps done."  # goes on from the last whole round
    assert [m["role"] for m in server.requests[2].json["messages"]] == ["user", "assistant", "tool"]
    again = store.load(chat_id, tools=[step])
    assert [m.role for m in again.messages] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    assert again.messages == chat.messages
    store.close()
