"""pyllm.mcp against a real MCP server (tests/mcp_server.py, the SDK's own MCPServer) started
by these tests: over stdio (a subprocess pyllm starts) and streamable HTTP (a subprocess on
127.0.0.1, a free port). Each transport's connection is shared by the tests of this module,
in every mode: sessions live on their own event loop, so sync and async chats both use them.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import pyllm
from pyllm.mcp import connect
from pyllm.testing import FakeOpenRouter, ToolCallSpec, text, tool_call

from .test_tools_e2e import MODES, run

SERVER = str(Path(__file__).resolve().parents[1] / "mcp_server.py")
COMMAND = [sys.executable, SERVER]


@pytest.fixture(scope="module")
def stdio() -> Iterator[pyllm.mcp.Server]:
    with connect(command=COMMAND) as server:
        yield server


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    process = subprocess.Popen(
        [*COMMAND, "http"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def http(http_url: str) -> Iterator[pyllm.mcp.Server]:
    with connect(url=http_url, headers={"X-Team": "pyllm-tests"}) as server:
        yield server


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest) -> pyllm.mcp.Server:
    value: pyllm.mcp.Server = request.getfixturevalue(request.param)
    return value


def tool_messages(chat: pyllm.Chat) -> list[pyllm.Message]:
    return [m for m in chat.messages if m.role == "tool"]


def test_tools_are_listed_with_their_schemas(server: pyllm.mcp.Server) -> None:
    tools = {tool.name: tool for tool in server.tools}
    assert set(tools) == {"add", "weather_today", "chart", "documents", "fail", "gather"} | {
        "header",
        "pid",
        "stats",
    }
    add = tools["add"].definition()
    assert add.description == "Add two whole numbers."
    assert add.parameters["type"] == "object" and add.parameters["required"] == ["a", "b"]
    assert add.parameters["properties"]["a"]["type"] == "integer"
    weather = tools["weather_today"]  # "weather.today" on the server: not a name models take
    assert isinstance(weather, pyllm.Tool) and weather.remote_name == "weather.today"
    assert server.name == "pyllm-test-server" and server.instructions == "Tools for pyllm's tests."


@pytest.mark.parametrize("mode", MODES)
def test_a_chat_calls_mcp_tools_in_every_mode(
    server: pyllm.mcp.Server, mode: str, fake: FakeOpenRouter
) -> None:
    fake.reply(
        tool_call(
            "add",
            {"a": 2, "b": 3},
            tool_calls=[ToolCallSpec("weather_today", {"city": "Lisbon"})],
        ),
        text("5, and 15 degrees in Lisbon."),
    )
    chat = fake.chat().with_tools(*server.tools)
    reply, _ = run(chat, mode)
    assert reply.content == "5, and 15 degrees in Lisbon."
    assert [(m.content, m.is_error) for m in tool_messages(chat)] == [
        ("5", False),
        ("Lisbon: 15°C", False),
    ]
    sent = fake.requests[0].json["tools"]
    assert {t["function"]["name"] for t in sent} >= {"add", "weather_today"}


@pytest.mark.parametrize("mode", MODES)
def test_images_and_resources_come_back_as_files_and_text(
    server: pyllm.mcp.Server, mode: str, fake: FakeOpenRouter
) -> None:
    fake.reply(
        tool_call(
            "chart",
            {"title": "sales"},
            tool_calls=[ToolCallSpec("documents"), ToolCallSpec("stats")],
        ),
        text("Seen."),
    )
    chat = fake.chat().with_tools(*server.tools)
    run(chat, mode)
    chart, documents, stats = tool_messages(chat)
    assert stats.content == '{"mean": 2.5, "values": [1, 4]}' and not stats.attachments
    assert chart.content == "Chart: sales" and chart.attachments[0].mime_type == "image/png"
    assert documents.content.startswith("Two documents:\n[resource file:///notes.md]\n# Notes")
    assert "[resource link https://example.com/manual (manual): The manual]" in documents.content
    assert "backup.zip (application/zip) not sent: cannot send" in documents.content
    assert [a.name for a in documents.attachments] == ["report.pdf"]
    sent = fake.requests[-1].json["messages"]  # Chat Completions: the files after the results
    roles = ["user", "assistant", "tool", "tool", "tool", "user", "user"]
    assert [m["role"] for m in sent] == roles
    assert sent[5]["content"][1]["type"] == "image_url"
    assert sent[6]["content"][1]["type"] == "file"


@pytest.mark.parametrize("mode", MODES)
def test_server_errors_reach_the_model_as_tool_errors(
    server: pyllm.mcp.Server, mode: str, fake: FakeOpenRouter
) -> None:
    fake.reply(
        tool_call(
            "fail",
            {"reason": "no"},
            tool_calls=[ToolCallSpec("add", {"a": "two"}), ToolCallSpec("add", {"a": 1, "b": 1})],
        ),
        text("One of three worked."),
    )
    chat = fake.chat().with_tools(*server.tools)
    run(chat, mode)
    failed, invalid, ok = tool_messages(chat)
    assert failed.is_error and failed.content == (
        "Error: ToolError: Error executing tool fail: the server refused: no"
    )
    assert (
        invalid.is_error
        and "validation error" in invalid.content
        and "Field required" in (invalid.content)
    )
    assert not ok.is_error and ok.content == "2"


@pytest.mark.parametrize("mode", MODES)
def test_calls_to_one_server_run_at_once(
    server: pyllm.mcp.Server, mode: str, fake: FakeOpenRouter
) -> None:
    specs = [ToolCallSpec("gather", {"parties": 3}) for _ in range(3)]
    fake.reply(tool_call("gather", {"parties": 3}, tool_calls=specs[1:]), text("ok"))
    chat = fake.chat().with_tools(*server.tools)
    run(chat, mode)  # the server answers "together" only once all three calls are in
    assert [m.content for m in tool_messages(chat)] == ["together"] * 3


def test_http_headers_reach_the_server(http: pyllm.mcp.Server, stdio: pyllm.mcp.Server) -> None:
    assert http.call("header", {"name": "X-Team"}) == "pyllm-tests"
    assert stdio.call("header", {"name": "X-Team"}) == ""


@pytest.mark.parametrize("mode", ["async", "astream"])
def test_async_with_in_async_code(mode: str, fake: FakeOpenRouter, http_url: str) -> None:
    fake.reply(tool_call("calc_add", {"a": 20, "b": 22}), text("42"))

    async def main() -> tuple[list[str], str]:
        async with (
            connect(command=COMMAND, prefix="calc_") as stdio_server,
            connect(url=http_url) as http_server,
        ):
            names = [t.name for t in stdio_server.tools][:1]
            chat = fake.chat().with_tools(*stdio_server.tools)
            if mode == "async":
                reply = await chat.aask("sum")
            else:
                async with chat.astream("sum") as stream:
                    async for _ in stream:
                        pass
                assert stream.message is not None
                reply = stream.message
            assert await http_server.acall("add", {"a": 1, "b": 2}) == "3"
            return names, reply.content

    names, content = asyncio.run(main())
    assert names == ["calc_add"] and content == "42"
    sent = fake.requests[0].json["tools"][0]["function"]["name"]
    assert sent == "calc_add" and tool_messages_content(fake) == "42"


def tool_messages_content(fake: FakeOpenRouter) -> str:
    tools = [m for m in fake.requests[-1].json["messages"] if m["role"] == "tool"]
    return str(tools[0]["content"])


def test_leaving_the_block_ends_the_server_and_its_tools(fake: FakeOpenRouter) -> None:
    with connect(command=COMMAND) as server:
        pid = int(server.call("pid"))
        tools = server.tools
        os.kill(pid, 0)  # running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # ended (and reaped) when the block closed
    with pytest.raises(pyllm.MCPError, match="not connected"):
        server.tools  # noqa: B018
    fake.reply(tool_call("add", {"a": 1, "b": 1}), text("The tool is gone."))
    chat = fake.chat().with_tools(*tools)
    chat.ask("sum")
    result = tool_messages(chat)[0]
    assert result.is_error and "is not connected (closed?)" in result.content
    server.close()  # closing again is fine


def test_a_server_that_fails_to_start_is_a_clear_error() -> None:
    with pytest.raises(pyllm.MCPError, match="could not connect to the MCP server"):
        connect(command=[sys.executable, "-c", "import sys; sys.exit(3)"]).open()
    with pytest.raises(pyllm.MCPError, match=r"could not connect.*no-such-program"):
        connect(command=["no-such-program-pyllm"]).open()


def test_a_server_that_does_not_answer_times_out_and_is_ended(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    script = f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    with pytest.raises(pyllm.MCPError, match="did not answer within 1 seconds"):
        connect(command=[sys.executable, "-c", script], timeout=1).open()
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_an_http_server_that_is_not_there_is_a_clear_error() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = connect(url=f"http://127.0.0.1:{port}/mcp", timeout=10)
    with pytest.raises(pyllm.MCPError, match="could not connect"), server:
        pass


def test_connect_checks_its_arguments() -> None:
    with pytest.raises(TypeError, match=r"a command .* or a url"):
        connect()
    with pytest.raises(TypeError, match=r"a command .* or a url"):
        connect(command=["x"], url="http://127.0.0.1:1/mcp")
    with pytest.raises(ValueError, match="http:// or https://"):
        connect(url="127.0.0.1:8000")
    with pytest.raises(ValueError, match="timeout"):
        connect(command="python server.py", timeout=0)
    assert "'python server.py'" in repr(connect(command="python server.py"))


@pytest.fixture
def fake() -> Iterator[FakeOpenRouter]:
    with FakeOpenRouter() as server:
        yield server
