"""Tool results and runs that must be bounded (issue 11, items 16-19), in every mode.

Files a tool result names by path need the chat's permission; huge results are cut with a note;
hanging tools time out; duplicate call ids are refused; values without a JSON form are errors;
``tool_call`` chunks always carry the whole call.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, ToolCallSpec, text, tool_call

from .test_tools_e2e import CALLS, MODES, run, weather

SECRET = "the-secret-is-swordfish"
RELEASE = threading.Event()  # set after each test, so timed-out worker threads end


@pytest.fixture(autouse=True)
def _release_hanging_tools() -> object:
    RELEASE.clear()
    CALLS.clear()
    yield
    RELEASE.set()


def _sent(server: FakeOpenRouter) -> bytes:
    return b"".join(r.body for r in server.requests)


def _tool_message(chat: pyllm.Chat) -> pyllm.Message:
    return next(m for m in chat.messages if m.role == "tool")


# ---- 16: files named by path in a tool's Content --------------------------------------------


@pyllm.tool
def read_file(path: str) -> pyllm.Content:
    """Return a file (the model picks the path)."""
    return pyllm.Content("Here is the file.", [path])


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    place = tmp_path / "private" / "notes.txt"
    place.parent.mkdir()
    place.write_text(SECRET)
    return place


@pytest.mark.parametrize("mode", MODES)
def test_a_path_in_a_tool_result_is_not_uploaded_unless_allowed(
    server: FakeOpenRouter, mode: str, secret: Path
) -> None:
    server.reply(tool_call("read_file", {"path": str(secret)}), text("I could not read it."))
    chat = server.chat().with_tools(read_file)
    reply, _ = run(chat, mode)
    assert reply.content == "I could not read it."
    result = _tool_message(chat)
    assert result.is_error and str(secret) in result.content
    assert "allow_files" in result.content and "Attachment.from_path" in result.content
    assert SECRET.encode() not in _sent(server)
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant"]


@pytest.mark.parametrize("mode", MODES)
def test_allowed_folders_let_named_files_through(
    server: FakeOpenRouter, mode: str, secret: Path, tmp_path: Path
) -> None:
    server.reply(tool_call("read_file", {"path": str(secret)}), text("Read it."))
    chat = server.chat().with_tools(read_file, allow_files=[secret.parent])
    run(chat, mode)
    assert not _tool_message(chat).is_error
    assert SECRET.encode() in server.requests[-1].body
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant"]
    assert [m["role"] for m in server.requests[-1].json["messages"]][3] == "user"  # the file

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    server.reply(tool_call("read_file", {"path": str(secret)}), text("No."))
    chat = server.chat().with_tools(read_file, allow_files=[elsewhere])
    run(chat, mode)
    assert _tool_message(chat).is_error
    assert SECRET.encode() not in server.requests[-1].body


def test_files_the_tool_builds_itself_are_always_sent(server: FakeOpenRouter, secret: Path) -> None:
    @pyllm.tool
    def report() -> pyllm.Content:
        """The report (the tool chooses the file)."""
        return pyllm.Content("The report.", [pyllm.Attachment.from_path(secret)])

    server.reply(tool_call("report"), text("ok"))
    chat = server.chat().with_tools(report)
    chat.ask("go")
    assert not _tool_message(chat).is_error
    assert SECRET.encode() in server.requests[-1].body


def test_path_objects_are_refused_too_and_true_allows_any(
    server: FakeOpenRouter, secret: Path
) -> None:
    @pyllm.tool
    def as_path(path: str) -> pyllm.Content:
        """A file as a Path."""
        return pyllm.Content("", [Path(path)])

    server.reply(tool_call("as_path", {"path": str(secret)}), text("no"))
    chat = server.chat().with_tools(as_path)
    chat.ask("go")
    assert _tool_message(chat).is_error and SECRET.encode() not in _sent(server)
    server.reply(tool_call("as_path", {"path": str(secret)}), text("yes"))
    chat = server.chat().with_tools(as_path, allow_files=True)
    chat.ask("go")
    assert SECRET.encode() in server.requests[-1].body
    with pytest.raises(TypeError, match="allow_files"):
        chat.with_tools(allow_files=42)


def test_a_refused_file_raises_with_raise_tool_errors(server: FakeOpenRouter, secret: Path) -> None:
    server.reply(tool_call("read_file", {"path": str(secret)}))
    chat = server.chat().with_tools(read_file, raise_tool_errors=True)
    with pytest.raises(pyllm.ToolError, match="allow_files"):
        chat.ask("go")
    assert chat.messages == [] and SECRET.encode() not in _sent(server)


# ---- 17: huge results, hanging tools, duplicate ids -------------------------------------------


@pyllm.tool
def dump() -> str:
    """Return 30 MB of text."""
    return "x" * 30_000_000


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_result_is_cut_with_a_note_to_the_model(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("dump"), text("That was long."))
    chat = server.chat().with_tools(dump)
    run(chat, mode)
    sent = server.requests[-1].json["messages"][2]["content"]
    limit = pyllm.tools.DEFAULT_MAX_RESULT_CHARS
    assert sent.startswith("x" * limit) and "x" * (limit + 1) not in sent
    assert "truncated" in sent and "30,000,000 characters" in sent and len(sent) < limit + 300
    assert len(server.requests[-1].body) < 2 * limit


@pytest.mark.parametrize("mode", MODES)
def test_the_result_cap_is_configurable_per_chat(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("weather", {"city": "Berlin"}), text("ok"))
    chat = server.chat().with_tools(weather, max_result_chars=6)
    run(chat, mode)
    content = _tool_message(chat).content
    assert content.startswith("Berlin\n\n[pyllm: this tool result was truncated")
    assert "only the first 6 are shown" in content
    with pytest.raises(ValueError, match="max_result_chars"):
        chat.with_tools(max_result_chars=0)


@pyllm.tool
def hang_sync(seconds: float = 30) -> str:
    """Hang (a sync tool)."""
    RELEASE.wait(seconds)
    return "finally"


@pyllm.tool(timeout=0.3)
async def hang_async() -> str:
    """Hang (an async tool with its own time limit)."""
    await asyncio.sleep(30)
    return "finally"


@pytest.mark.parametrize("mode", MODES)
def test_a_hanging_sync_tool_times_out_and_the_model_is_told(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("hang_sync"), text("It timed out."))
    chat = server.chat().with_tools(hang_sync, tool_timeout=0.3)
    started = time.monotonic()
    reply, _ = run(chat, mode)
    assert time.monotonic() - started < 10
    assert reply.content == "It timed out."
    result = _tool_message(chat)
    assert result.is_error
    assert result.content == (
        "Error: the tool 'hang_sync' did not finish within 0.3 seconds (its time limit), so "
        "pyllm stopped waiting for it. Try a smaller request, or answer without it"
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_tools_own_timeout_beats_the_chats(server: FakeOpenRouter, mode: str) -> None:
    server.reply(tool_call("hang_async"), text("ok"))
    chat = server.chat().with_tools(hang_async, tool_timeout=120)
    started = time.monotonic()
    run(chat, mode)
    assert time.monotonic() - started < 10
    assert "did not finish within 0.3 seconds" in _tool_message(chat).content


def test_timeouts_default_and_validation(server: FakeOpenRouter) -> None:
    chat = server.chat().with_tools(weather)
    assert pyllm.tools.DEFAULT_TOOL_TIMEOUT == 60.0 and chat.toolbox.timeout == 60.0
    with pytest.raises(ValueError, match="tool_timeout must be a positive number"):
        chat.with_tools(tool_timeout=0)
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        pyllm.tool(timeout=-1)

    class Slow(pyllm.Tool):
        """Has a bad limit."""

        timeout = "soon"  # type: ignore[assignment]

        def execute(self) -> str:
            return "x"

    with pytest.raises(ValueError, match="the timeout of tool 'slow'"):
        chat.with_tools(Slow())


def test_no_limit_with_inf_and_a_timeout_raises_with_raise_tool_errors(
    server: FakeOpenRouter,
) -> None:
    server.reply(tool_call("hang_sync", {"seconds": 0.5}), text("waited"))
    chat = server.chat().with_tools(hang_sync, tool_timeout=float("inf"))
    assert chat.ask("go").content == "waited"
    assert _tool_message(chat).content == "finally"
    server.reply(tool_call("hang_sync"))
    strict = server.chat().with_tools(hang_sync, tool_timeout=0.2, raise_tool_errors=True)
    with pytest.raises(pyllm.ToolError, match=r"did not finish within 0\.2 seconds"):
        strict.ask("go")
    assert strict.messages == []


@pytest.mark.parametrize("mode", MODES)
def test_duplicate_tool_call_ids_are_a_typed_error_and_nothing_runs(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(
        tool_call(
            "weather",
            {"city": "Oslo"},
            id="call_same",
            tool_calls=[ToolCallSpec("weather", {"city": "Rome"}, id="call_same")],
        )
    )
    chat = server.chat().with_tools(weather)
    with pytest.raises(pyllm.InvalidResponseError, match="'call_same'") as raised:
        run(chat, mode)
    assert "share an id" in str(raised.value)
    assert CALLS == [] and chat.messages == [] and len(server.requests) == 1


# ---- 18: tool_call chunks are whole calls ------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_tool_call_chunks_carry_the_whole_call_and_fragments_have_their_own_kind(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("weather", {"city": "Lisbon"}), text("Sunny."))
    chat = server.chat().with_tools(weather)
    _, chunks = run(chat, mode)
    # the README's pattern: every tool_call chunk has the call
    shown = [
        f"{c.tool_call.name}({dict(c.tool_call.arguments)})"  # type: ignore[union-attr]
        for c in chunks
        if c.kind == "tool_call"
    ]
    assert shown == ["weather({'city': 'Lisbon'})"]
    fragments = [c for c in chunks if c.kind == "tool_call_delta"]
    assert fragments and all(c.tool_call is None and c.tool_call_deltas for c in fragments)
    streamed = "".join(d.arguments for c in fragments for d in c.tool_call_deltas)
    assert streamed == '{"city": "Lisbon"}'


# ---- 19: values without a JSON form ------------------------------------------------------------


class Opaque:
    def __repr__(self) -> str:
        return "<Opaque at 0x1234>"


@pyllm.tool
def opaque() -> dict[str, object]:
    """Returns something JSON cannot hold."""
    return {"thing": Opaque()}


@pytest.mark.parametrize("mode", MODES)
def test_a_value_without_a_json_form_is_an_error_result_naming_the_type(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(tool_call("opaque"), text("The tool is broken."))
    results: list[pyllm.ToolResult] = []
    chat = server.chat().with_tools(opaque).on_tool_result(results.append)
    run(chat, mode)
    message = _tool_message(chat)
    assert message.is_error and results[0].is_error
    assert "Opaque" in message.content and "<Opaque at" not in message.content
    assert "return a str, a number" in message.content
    assert isinstance(results[0].error, TypeError)
    assert server.requests[-1].json["messages"][2]["content"] == message.content


def test_a_value_without_a_json_form_raises_with_raise_tool_errors(server: FakeOpenRouter) -> None:
    server.reply(tool_call("opaque"))
    chat = server.chat().with_tools(opaque, raise_tool_errors=True)
    with pytest.raises(TypeError, match=r"tests\.e2e\.test_tool_limits\.Opaque value has no JSON"):
        chat.ask("go")
