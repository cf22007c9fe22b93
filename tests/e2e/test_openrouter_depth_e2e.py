"""Issue 14 end to end, over real sockets to ``pyllm.testing``'s fake OpenRouter: server tools
beside Python tools, streamed citations, prompt caching, log probabilities, and remote
attachments sent as URLs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import pyllm
from pyllm.openrouter import web_search
from pyllm.testing import FakeOpenRouter, Reply, error, text, tool_call, url_citation

SOURCES = (
    url_citation("https://www.ruby-lang.org/en/downloads/", "Download Ruby", content="4.0.6"),
    url_citation("https://en.wikipedia.org/wiki/Ruby", "Ruby - Wikipedia", start=4, end=8),
)
SEARCH_USAGE = {
    "prompt_tokens": 120,
    "completion_tokens": 9,
    "total_tokens": 129,
    "cost": 0.0123,
    "server_tool_use_details": {"web_search_requests": 2},
}
MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def streamed(chat: pyllm.Chat, mode: str, prompt: str) -> list[pyllm.Chunk]:
    if mode == "sync":
        return list(chat.stream(prompt))

    async def go() -> list[pyllm.Chunk]:
        return [chunk async for chunk in chat.astream(prompt)]

    return asyncio.run(go())


def test_server_tools_run_on_the_server_beside_python_tools(server: FakeOpenRouter) -> None:
    ran: list[str] = []

    @pyllm.tool
    def weather(city: str) -> str:
        """The weather in a city."""
        ran.append(city)
        return "sunny"

    answer = Reply(text="Ruby 4.0.6, and sunny.", annotations=SOURCES, usage=SEARCH_USAGE)
    server.reply(tool_call("weather", {"city": "Oslo"}), answer)
    chat = server.chat("openai/gpt-5.2").with_tools(weather, web_search(max_results=3))
    reply = chat.ask("Latest Ruby, and the weather in Oslo?")
    assert ran == ["Oslo"]  # the Python tool ran once; the server tool never runs here
    for request in server.requests:
        assert request.json["tools"][1] == {
            "type": "openrouter:web_search",
            "parameters": {"max_results": 3},
        }
    assert [m.role for m in chat.messages] == ["user", "assistant", "tool", "assistant"]
    assert [c.url for c in reply.citations] == [s["url_citation"]["url"] for s in SOURCES]
    assert (
        reply.citations[0].content == "4.0.6"
        and reply.citations[1].cited_text(reply.content) == reply.content[4:8]
    )
    assert reply.annotations == SOURCES  # the results kept in the history as received
    assert reply.usage is not None and reply.usage.web_search_requests == 2
    assert reply.usage.cost == 0.0123 and chat.usage.web_search_requests == 2


@MODES
def test_citations_stream_before_the_text(server: FakeOpenRouter, mode: str) -> None:
    server.reply(Reply(text="Ruby is a language.", annotations=SOURCES))
    chat = server.chat("perplexity/sonar").with_web_search()
    chunks = streamed(chat, mode, "What is Ruby?")
    first_text = next(i for i, c in enumerate(chunks) if c.content)
    cited = [c for chunk in chunks[:first_text] for c in chunk.citations]
    assert [c.title for c in cited] == ["Download Ruby", "Ruby - Wikipedia"]
    assert chat.messages[-1].citations == tuple(cited)
    assert server.requests[-1].json["plugins"] == [{"id": "web"}]


def test_a_stream_cut_after_the_citations_keeps_them_on_the_partial(
    server: FakeOpenRouter,
) -> None:
    server.reply(Reply(text="a b c", annotations=SOURCES, drop=3))
    chat = server.chat("perplexity/sonar", max_retries=0)
    with pytest.raises(pyllm.APIConnectionError) as raised:
        streamed(chat, "sync", "q")
    partial = raised.value.partial
    assert partial is not None and len(partial.citations) == 2 and partial.content == "a "
    assert chat.messages == []


def test_the_online_variant_still_searches(server: FakeOpenRouter) -> None:
    server.reply(Reply(text="Ruby 4.0.6", annotations=SOURCES[:1]))
    reply = server.chat("openai/gpt-4.1-mini:online").ask("Latest Ruby?")
    assert server.requests[-1].json["model"] == "openai/gpt-4.1-mini:online"
    assert "plugins" not in server.requests[-1].json and len(reply.citations) == 1


@MODES
def test_logprobs_are_the_same_streamed_or_not(server: FakeOpenRouter, mode: str) -> None:
    server.reply(text("The sky is blue"), text("The sky is blue"))
    chat = server.chat("openai/gpt-4.1-mini").with_logprobs(top=2)
    whole = chat.ask("Sky?")
    streamed(chat, mode, "Sky?")
    assert server.requests[-1].json["logprobs"] is True
    assert server.requests[-1].json["top_logprobs"] == 2
    assert [t.token for t in whole.logprobs] == ["The ", "sky ", "is ", "blue"]
    assert all(len(t.top) == 2 and t.top[0].token == t.token for t in whole.logprobs)
    assert chat.messages[-1].logprobs == whole.logprobs


def test_options_reach_the_wire(server: FakeOpenRouter) -> None:
    chat = server.chat("openrouter/auto").with_allowed_models("anthropic/*")
    chat.with_stop("END").with_seed(3).with_user("u-1").with_session("s-1").with_preset("bot")
    chat.with_metadata(team="search").with_transforms("middle-out").with_pdf_engine("pdf-text")
    chat.ask("hi")
    sent = server.requests[-1].json
    assert {k: sent[k] for k in ("stop", "seed", "user", "session_id", "preset")} == {
        "stop": ["END"],
        "seed": 3,
        "user": "u-1",
        "session_id": "s-1",
        "preset": "bot",
    }
    assert sent["metadata"] == {"team": "search"} and sent["transforms"] == ["middle-out"]
    assert [p["id"] for p in sent["plugins"]] == ["auto-router", "file-parser"]


def test_a_preset_model_id_goes_as_it_is(server: FakeOpenRouter) -> None:
    server.chat("@preset/support-bot").ask("hi")
    assert server.requests[-1].json["model"] == "@preset/support-bot"


# ---- prompt caching --------------------------------------------------------------------------

CACHED_USAGE = {
    "prompt_tokens": 2100,
    "completion_tokens": 10,
    "total_tokens": 2110,
    "cost": 0.00031,
    "prompt_tokens_details": {"cached_tokens": 2000, "cache_write_tokens": 90},
}


def test_caching_on_an_anthropic_model_through_openrouter(server: FakeOpenRouter) -> None:
    server.reply(text("First."), Reply(text="Second.", usage=CACHED_USAGE))
    chat = server.chat("anthropic/claude-haiku-4.5").with_caching(ttl="1h")
    chat.with_instructions("You are a careful reader. " * 50)
    chat.ask("Summarise the rules.")
    reply = chat.ask("And the exceptions?")
    control = {"type": "ephemeral", "ttl": "1h"}
    for request in server.requests:
        messages = request.json["messages"]
        assert messages[0]["content"][0]["cache_control"] == control
        assert messages[-1]["content"][-1]["cache_control"] == control
        assert sum("cache_control" in str(m) for m in messages) == 2
    assert reply.usage is not None
    assert (reply.usage.cached_tokens, reply.usage.cache_write_tokens) == (2000, 90)
    assert reply.usage.cost == 0.00031  # OpenRouter's cost, the cache discount applied


def test_too_many_breakpoints_fail_before_sending_and_keep_the_history(
    server: FakeOpenRouter,
) -> None:
    chat = server.chat("anthropic/claude-haiku-4.5").with_caching()
    chat.with_instructions("rules")
    for i in range(3):
        server.reply(text(f"ok {i}"))
        chat.ask(f"document {i}", cache=True)
    before = list(chat.messages)
    with pytest.raises(pyllm.ConfigurationError, match="at most 4"):
        chat.ask("one more", cache=True)
    assert chat.messages == before and len(server.requests) == 3


# ---- remote attachments ------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(64)


def files_url(server: FakeOpenRouter, name: str) -> str:
    return server.url.rsplit("/api/v1", 1)[0] + "/files/" + name


@MODES
def test_a_url_attachment_for_openrouter_makes_no_request_to_its_host(
    server: FakeOpenRouter, mode: str
) -> None:
    server.reply(Reply(body=PDF, content_type="application/pdf"), path="/files/report.pdf")
    server.reply(Reply(body=MP4, content_type="video/mp4"), path="/files/talk.mp4")
    pdf, video = files_url(server, "report.pdf"), files_url(server, "talk.mp4")
    elsewhere = "https://cdn.example.com/figure.png"  # resolving it would fail the test run
    chat = server.chat("google/gemini-2.5-flash")
    if mode == "sync":
        chat.ask("Compare", attachments=[pdf, video, elsewhere])
    else:
        asyncio.run(chat.aask("Compare", attachments=[pdf, video, elsewhere]))
    assert [r.path for r in server.requests] == ["/api/v1/chat/completions"]
    parts = server.requests[0].json["messages"][0]["content"]
    assert parts[1:] == [
        {"type": "file", "file": {"filename": "report.pdf", "file_data": pdf}},
        {"type": "video_url", "video_url": {"url": video}},
        {"type": "image_url", "image_url": {"url": elsewhere}},
    ]
    assert server.pending("/files/report.pdf") == 1 and server.pending("/files/talk.mp4") == 1


def test_a_forced_download_sends_bytes_and_never_the_key(server: FakeOpenRouter) -> None:
    server.reply(Reply(body=MP4, content_type="video/mp4"), path="/files/talk.mp4")
    video = pyllm.Attachment(files_url(server, "talk.mp4"), download=True)
    server.chat("google/gemini-2.5-flash").ask("What happens?", attachments=[video])
    fetched, sent = server.requests
    assert fetched.path == "/files/talk.mp4" and "authorization" not in fetched.headers
    assert sent.headers["authorization"] == "Bearer sk-or-fake-key"
    url = sent.json["messages"][0]["content"][1]["video_url"]["url"]
    assert url.startswith("data:video/mp4;base64,")


def test_a_local_video_and_a_model_without_video_input(server: FakeOpenRouter) -> None:
    server.chat("google/gemini-2.5-flash").ask("Describe", attachments=[MP4])
    part = server.requests[-1].json["messages"][0]["content"][1]
    assert part["type"] == "video_url" and part["video_url"]["url"].startswith("data:video/mp4")
    chat = server.chat("openai/gpt-4.1-mini")
    with pytest.raises(pyllm.UnsupportedError, match="video_input"):
        chat.ask("Describe", attachments=["https://cdn.example.com/talk.mp4"])
    assert chat.messages == [] and len(server.requests) == 1


def test_a_server_error_on_a_forced_download_is_an_attachment_error(
    server: FakeOpenRouter,
) -> None:
    server.reply(error(500, "disk on fire"), path="/files/report.pdf")
    chat = server.chat("google/gemini-2.5-flash")
    attachment: Any = pyllm.Attachment(files_url(server, "report.pdf"), download=True)
    with pytest.raises(pyllm.AttachmentError, match="HTTP 500"):
        chat.ask("Summarise", attachments=[attachment])
    assert [r.path for r in server.requests] == ["/files/report.pdf"] and chat.messages == []
