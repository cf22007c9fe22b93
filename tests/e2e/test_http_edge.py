"""The HTTP edge against a hostile or confused server (issue 11, items 1, 5-9 and 16), sync and
async, through real sockets to the fake OpenRouter."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, Reply, raw, text

FAST = {"retry_backoff": 0.01, "max_retries": 3}
COMPLETION: dict[str, Any] = {
    "id": "gen-json-1",
    "model": "openai/gpt-4.1-mini",
    "provider": "Proxy",
    "choices": [
        {
            "message": {"role": "assistant", "content": "from a plain JSON body"},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 7, "completion_tokens": 5, "total_tokens": 12, "cost": 0.00042},
}
PDF = b"%PDF-1.7\n" + b"0" * 400


def run(mode: str, sync: Any, make_async: Any) -> Any:
    return sync() if mode == "sync" else asyncio.run(make_async())


def stream_all(chat: pyllm.Chat, mode: str, prompt: str = "go") -> list[pyllm.Chunk]:
    async def collect() -> list[pyllm.Chunk]:
        return [chunk async for chunk in chat.astream(prompt)]

    return run(mode, lambda: list(chat.stream(prompt)), collect)


def ask(chat: pyllm.Chat, mode: str, prompt: str = "go", **kwargs: Any) -> pyllm.Message:
    return run(mode, lambda: chat.ask(prompt, **kwargs), lambda: chat.aask(prompt, **kwargs))


def files_url(server: FakeOpenRouter, name: str) -> str:
    return server.url.rsplit("/api/v1", 1)[0] + "/files/" + name


def download(server: FakeOpenRouter, name: str) -> pyllm.Attachment:
    """A file on the fake server that pyllm must download (OpenRouter would take its URL)."""
    return pyllm.Attachment(files_url(server, name), download=True)


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


# ---- item 1: a stream request answered with a plain JSON body ----------------------------------


@MODES
def test_a_json_answer_to_a_stream_request_is_read_once(server: FakeOpenRouter, mode: str) -> None:
    server.reply(raw(COMPLETION), text("a second, billed answer"))
    chat = server.chat(**FAST)
    chunks = stream_all(chat, mode)
    assert "".join(c.content for c in chunks) == "from a plain JSON body"
    assert len(server.requests) == 1  # never retried: one request, one bill
    message = chat.messages[-1]
    assert message.usage is not None and message.usage.cost == 0.00042
    assert message.usage.input_tokens == 7 and message.upstream == "Proxy"
    assert message.id == "gen-json-1" and message.finish_reason == "stop"


@MODES
def test_a_json_error_to_a_stream_request_keeps_its_message(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(raw({"error": {"code": 429, "message": "slow down, key limit"}}), text("x"))
    chat = server.chat(max_retries=0)
    with pytest.raises(pyllm.RateLimitError, match="slow down, key limit") as caught:
        stream_all(chat, mode)
    assert caught.value.status == 429 and len(server.requests) == 1
    assert chat.messages == []


@MODES
def test_a_mislabelled_event_stream_is_still_streamed(server: FakeOpenRouter, mode: str) -> None:
    sse = (
        b'data: {"choices":[{"delta":{"content":"still "}}]}\n\n'
        b'data: {"choices":[{"delta":{"content":"SSE"},"finish_reason":"stop"}]}\n\n'
        b"data: [DONE]\n\n"
    )
    server.reply(raw(sse, content_type="text/plain"))
    chunks = stream_all(server.chat(**FAST), mode)
    assert [c.content for c in chunks] == ["still ", "SSE"]


# ---- item 5: total_timeout while a body trickles in; downloads have a total limit --------------


@MODES
def test_total_timeout_stops_a_trickling_body(server: FakeOpenRouter, mode: str) -> None:
    body = json.dumps(COMPLETION).encode()  # ~500 bytes at 8 bytes per 50 ms: about 3 s
    server.reply(raw(body, write_size=8, chunk_delay=0.05, repeat=9))
    chat = server.chat(total_timeout=0.5, **FAST)
    started = time.monotonic()
    with pytest.raises(pyllm.APITimeoutError, match=r"total timeout of 0\.5s"):
        ask(chat, mode)
    assert time.monotonic() - started < 1.5
    assert len(server.requests) == 1


@MODES
@pytest.mark.parametrize("limit", [{"download_timeout": 0.5}, {"total_timeout": 0.5}])
def test_a_trickling_download_stops_at_its_limit(
    server: FakeOpenRouter, mode: str, limit: dict[str, float]
) -> None:
    server.reply(raw(PDF, write_size=8, chunk_delay=0.05), path="/files/slow.pdf")
    chat = server.chat(**limit)
    started = time.monotonic()
    with pytest.raises(pyllm.AttachmentError, match=r"took longer than 0.5s"):
        ask(chat, mode, attachments=[download(server, "slow.pdf")])
    assert time.monotonic() - started < 1.5
    assert [r.path for r in server.requests] == ["/files/slow.pdf"]  # no chat request


@MODES
def test_a_download_that_never_answers_stops_at_its_limit(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(Reply(body=PDF, delay=10), path="/files/late.pdf")
    chat = server.chat(download_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(pyllm.AttachmentError, match=r"took longer than 0.5s"):
        ask(chat, mode, attachments=[download(server, "late.pdf")])
    assert time.monotonic() - started < 1.5


def test_download_timeout_is_validated() -> None:
    with pytest.raises(pyllm.ConfigurationError, match="download_timeout"):
        _ = pyllm.Client(download_timeout=0).settings
    assert pyllm.Client().settings.download_timeout == 60.0


# ---- item 6: a finished stream hands its connection back ---------------------------------------


@MODES
def test_fifty_streams_reuse_one_connection(server: FakeOpenRouter, mode: str) -> None:
    chat = server.chat()

    async def fifty() -> None:
        for _ in range(50):
            await chat.astream("hi").text()

    run(mode, lambda: [chat.stream("hi").text() for _ in range(50)], fifty)
    assert len(server.requests) == 50
    assert server.connections == 1


# ---- item 7: a redirect from the API -----------------------------------------------------------


@MODES
@pytest.mark.parametrize("stream", [False, True])
def test_a_redirect_from_the_api_is_never_followed(
    server: FakeOpenRouter, mode: str, stream: bool
) -> None:
    moved = server.url + "/moved/chat/completions"
    server.reply(raw(b"", 308, headers={"Location": moved}), text("never fetched"))
    chat = server.chat(**FAST)
    with pytest.raises(pyllm.RedirectError) as caught:
        stream_all(chat, mode) if stream else ask(chat, mode)
    error = caught.value
    assert error.status == 308 and error.location == moved
    assert moved in str(error) and "base URL" in str(error)
    assert [r.path for r in server.requests] == ["/api/v1/chat/completions"]  # not followed
    assert chat.messages == []


def test_a_redirect_on_a_plain_endpoint_is_not_retried(server: FakeOpenRouter) -> None:
    server.reply(raw(b"", 302, headers={"Location": "/elsewhere"}), path="/embeddings")
    with pytest.raises(pyllm.RedirectError, match="/elsewhere"):
        server.client(**FAST).embed("hello")
    assert len(server.requests) == 1


# ---- item 8: local mistakes are not connection errors ------------------------------------------


@pytest.mark.parametrize(
    ("value", "why"), [("a\r\nX-Injected: 1", "line break"), ("café", "not ASCII")]
)
def test_bad_header_values_fail_when_set(server: FakeOpenRouter, value: str, why: str) -> None:
    chat = server.chat()
    with pytest.raises(pyllm.ConfigurationError, match=why):
        chat.with_headers(x_note=value)
    with pytest.raises(pyllm.ConfigurationError, match=f"default_headers.*{why}"):
        _ = server.client(default_headers={"X-Note": value}).settings
    assert server.requests == []


def test_good_headers_are_sent(server: FakeOpenRouter) -> None:
    server.chat(default_headers={"X-Team": "search"}).with_headers(x_session_id="abc").ask("hi")
    headers = server.requests[-1].headers
    assert headers["x-session-id"] == "abc" and headers["x-team"] == "search"


@MODES
def test_a_non_ascii_attribution_header_is_a_configuration_error(
    server: FakeOpenRouter, mode: str
) -> None:
    chat = server.chat(openrouter_app_title="Café Bot", **FAST)
    with pytest.raises(pyllm.ConfigurationError, match="X-OpenRouter-Title"):
        ask(chat, mode)
    assert server.requests == []


@MODES
def test_a_base_url_without_http_is_not_retried_nor_a_fallback(
    server: FakeOpenRouter, mode: str
) -> None:
    from pyllm.providers import OpenAICompatible

    client = server.client(**FAST)
    client.register_provider(OpenAICompatible("local", base_url="ftp://127.0.0.1:9/v1"))
    chat = client.chat("llama", provider="local").with_fallbacks(
        ("openai/gpt-4.1-mini", "openrouter")
    )
    with pytest.raises(pyllm.ConfigurationError, match=r"ftp://127\.0\.0\.1:9/v1"):
        ask(chat, mode)
    assert server.requests == []  # no fallback to OpenRouter either


# ---- item 9: clean shutdown of async streams and pools -----------------------------------------


def _wait_until_closed(server: FakeOpenRouter) -> int:
    deadline = time.monotonic() + 2
    while server.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    return server.open_connections


def test_an_abandoned_async_stream_closes_quietly_at_loop_shutdown(server: FakeOpenRouter) -> None:
    server.reply(text("a b c d e f g h " * 50, chunk_delay=0.001))
    chat = server.chat()
    kept: list[Any] = []
    problems: list[str] = []

    async def main() -> None:
        stream = chat.astream("hi")
        kept.append(stream)  # still referenced when the loop shuts down
        async for _ in stream:
            break

    with asyncio.Runner() as runner:
        runner.get_loop().set_exception_handler(lambda _, ctx: problems.append(str(ctx)))
        runner.run(main())
    assert problems == []
    assert chat.messages[-1].finish_reason == "incomplete"


def test_a_client_nobody_closed_closes_its_pool_when_asyncio_run_ends(
    server: FakeOpenRouter,
) -> None:
    chat = server.chat()
    assert asyncio.run(chat.aask("hi")).content == "You said: hi"
    assert _wait_until_closed(server) == 0


MODULE_LEVEL = """
import asyncio, gc, sys, pyllm
pyllm.configure(openrouter_api_key="sk-or-test", openrouter_base_url=sys.argv[1])

async def main():
    async for _ in pyllm.chat("openai/gpt-4.1-mini").astream("more"):
        break
    reply = await pyllm.chat("openai/gpt-4.1-mini").aask("hi")  # its connection stays pooled
    return reply.content

print(asyncio.run(main()), flush=True)
gc.collect()
sys.stdin.readline()  # stay alive (default client and all) while the test looks at the server
"""


def test_the_module_level_api_closes_its_connections_when_asyncio_run_ends(
    server: FakeOpenRouter,
) -> None:
    command = [sys.executable, "-X", "dev", "-W", "always", "-c", MODULE_LEVEL, server.url]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "You said: hi"
        still_open = _wait_until_closed(server)
        _, errors = child.communicate("done\n", timeout=60)
    assert still_open == 0, errors
    assert "unclosed" not in errors and "already running" not in errors, errors


# ---- item 16: downloads check every hop --------------------------------------------------------


@MODES
def test_private_addresses_are_refused_unless_allowed(server: FakeOpenRouter, mode: str) -> None:
    server.reply(raw(PDF, content_type="application/pdf"), path="/files/a.pdf")
    chat = server.chat(allow_private_downloads=False)
    with pytest.raises(pyllm.AttachmentError, match="allow_private_downloads"):
        ask(chat, mode, attachments=[download(server, "a.pdf")])
    assert server.requests == []  # nothing was fetched, nothing was asked


@MODES
def test_redirects_are_followed_hop_by_hop_without_the_key(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(raw(b"", 302, headers={"Location": "/files/b.pdf"}), path="/files/a.pdf")
    server.reply(
        raw(b"", 301, headers={"Location": files_url(server, "c.pdf")}), path="/files/b.pdf"
    )
    server.reply(raw(PDF, content_type="application/pdf"), path="/files/c.pdf")
    chat = server.chat()
    ask(chat, mode, attachments=[download(server, "a.pdf")])
    fetched = [r for r in server.requests if r.path.startswith("/files/")]
    assert [r.path for r in fetched] == ["/files/a.pdf", "/files/b.pdf", "/files/c.pdf"]
    assert all("authorization" not in r.headers for r in fetched)
    sent = server.requests[-1].json["messages"][-1]["content"][1]["file"]["file_data"]
    assert sent.startswith("data:application/pdf;base64,")


@MODES
@pytest.mark.parametrize(
    ("location", "match", "requests"),
    [
        ("file:///etc/passwd", "not an http:// or https:// URL", 1),
        ("/files/loop.pdf", "more than 5 redirects", 6),
    ],
)
def test_a_bad_redirect_hop_is_refused(
    server: FakeOpenRouter, mode: str, location: str, match: str, requests: int
) -> None:
    server.reply(raw(b"", 302, headers={"Location": location}, repeat=9), path="/files/loop.pdf")
    with pytest.raises(pyllm.AttachmentError, match=match):
        ask(server.chat(), mode, attachments=[download(server, "loop.pdf")])
    assert [r.path for r in server.requests] == ["/files/loop.pdf"] * requests
