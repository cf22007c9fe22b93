"""Issue 14's request options on pyllm's own Anthropic provider, over real sockets to the fake
Anthropic: each is sent the way the Messages API takes it (the recorded request body says so)
or refused before anything is sent; a web search comes back as citations and a search count,
in all four ways to call a chat."""

from __future__ import annotations

import pytest

import pyllm
from pyllm.openrouter import web_search
from pyllm.request import ServerTool
from pyllm.testing import FakeAnthropic, Reply, text, url_citation

from .._modes import MODES, talk

RUBY = "https://www.ruby-lang.org/en/downloads/"
ANSWER = "The latest stable Ruby is 4.0.6, per ruby-lang.org."


@pytest.mark.parametrize("mode", MODES)
def test_a_stop_sequence_ends_the_answer_there(anthropic: FakeAnthropic, mode: str) -> None:
    anthropic.reply(text("one two END three"))
    reply = talk(anthropic.chat().with_stop("END", "\n\n"), mode, "Count")
    assert anthropic.requests[-1].json["stop_sequences"] == ["END", "\n\n"]
    assert "stop" not in anthropic.requests[-1].json
    assert reply.content == "one two "
    assert (reply.finish_reason, reply.native_finish_reason) == ("stop", "stop_sequence")


def test_the_end_user_id_goes_in_metadata(anthropic: FakeAnthropic) -> None:
    anthropic.chat().with_user("user-7f3a").ask("Hi")
    sent = anthropic.requests[-1].json
    assert sent["metadata"] == {"user_id": "user-7f3a"} and "user" not in sent


@pytest.mark.parametrize(
    ("configure", "words"),
    [
        (lambda c: c.with_seed(7), ("seed", "anthropic", "with_seed(None)")),
        (lambda c: c.with_logprobs(top=2), ("log probabilities", "without_logprobs()")),
        (lambda c: c.with_session("s-1"), ("session id", "OpenRouter option")),
        (lambda c: c.with_metadata(team="search"), ("metadata", "OpenRouter option")),
        (lambda c: c.with_preset("bot"), ("preset", "OpenRouter option")),
        (lambda c: c.with_transforms("middle-out"), ("transforms",)),
        (lambda c: c.with_pdf_engine("pdf-text"), ("plugins",)),
        (lambda c: c.with_web_search(max_results=3), ("max_results=3", "max_uses")),
        (lambda c: c.with_web_search(engine="exa"), ("engine='exa'",)),
        (lambda c: c.with_tools(pyllm.openrouter.datetime()), ("openrouter:datetime",)),
        (lambda c: c.with_tools(ServerTool("code_execution_20250825")), ("code_execution",)),
    ],
)
def test_what_anthropic_cannot_take_is_refused_before_sending(
    anthropic: FakeAnthropic, configure: object, words: tuple[str, ...]
) -> None:
    chat = configure(anthropic.chat())  # type: ignore[operator]
    with pytest.raises(pyllm.UnsupportedError) as raised:
        chat.ask("Hi")
    for word in words:
        assert word in str(raised.value)
    assert anthropic.requests == []
    assert [m.role for m in chat.messages] == []  # nothing was added to the conversation


@pytest.mark.parametrize("mode", MODES)
def test_a_web_search_is_cited_and_counted(anthropic: FakeAnthropic, mode: str) -> None:
    cited = url_citation(RUBY, "Download Ruby", content="4.0.6 is current.", start=0, end=31)
    anthropic.reply(Reply(text=ANSWER, annotations=[cited]))
    chat = anthropic.chat().with_web_search(max_uses=2, allowed_domains=["ruby-lang.org"])
    reply = talk(chat, mode, "Latest Ruby?")
    assert anthropic.requests[-1].json["tools"] == [
        {
            "type": "web_search_20260318",
            "name": "web_search",
            "allowed_callers": ["direct"],
            "max_uses": 2,
            "allowed_domains": ["ruby-lang.org"],
        }
    ]
    assert reply.content == ANSWER and reply.tool_calls == ()
    assert reply.citations == (
        pyllm.Citation(RUBY, "Download Ruby", "4.0.6 is current.", start=0, end=31),
    )
    assert reply.citations[0].cited_text(reply.content) == "The latest stable Ruby is 4.0.6"
    assert reply.usage is not None and reply.usage.web_search_requests == 1


def test_streamed_sources_arrive_when_their_sentence_ends(anthropic: FakeAnthropic) -> None:
    anthropic.reply(Reply(text=ANSWER, annotations=[url_citation(RUBY, "Download Ruby")]))
    chunks = list(anthropic.chat().with_web_search().stream("Latest Ruby?"))
    with_sources = [i for i, c in enumerate(chunks) if c.citations]
    assert len(with_sources) == 1
    assert "".join(c.content for c in chunks[: with_sources[0]]) == ANSWER
    (source,) = chunks[with_sources[0]].citations
    assert (source.url, source.start, source.end) == (RUBY, 0, len(ANSWER))


def test_a_server_tool_search_on_anthropic(anthropic: FakeAnthropic) -> None:
    chat = anthropic.chat().with_tools(web_search(blocked_domains=["reddit.com"]))
    chat.ask("News?")
    assert anthropic.requests[-1].json["tools"][0]["blocked_domains"] == ["reddit.com"]
    anthropic.chat().with_tools(ServerTool("web_search_20250305", {"max_uses": 1})).ask("News?")
    assert anthropic.requests[-1].json["tools"] == [
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 1}
    ]


def test_a_conversation_with_searches_goes_on(anthropic: FakeAnthropic) -> None:
    chat = anthropic.chat().with_web_search(user_location={"city": "Oslo", "country": "NO"})
    first = chat.ask("Weather?")
    assert first.citations[0].url == "https://example.com/"  # the fake's page when unscripted
    chat.without_web_search().ask("Thanks")
    sent = anthropic.requests[-1].json
    assert "tools" not in sent
    assert sent["messages"][1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": first.content}],
    }
    located = anthropic.requests[0].json["tools"][0]["user_location"]
    assert located == {"type": "approximate", "city": "Oslo", "country": "NO"}
