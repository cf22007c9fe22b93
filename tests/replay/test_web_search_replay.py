"""Replay recorded web searches: OpenRouter's ``openrouter:web_search`` server tool (gpt-5.2)
and a search model's citations (Perplexity Sonar). The request must be the one recorded; the
answer's citations, search counts and cost come out typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyllm
from pyllm.openrouter import web_search

from ._cassettes import load, serve

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

WEB_SEARCH = (
    "chat_web_search_with_openrouter_openai_gpt-5_2_searches_transparently_returning_citations_"
    "and_usage_counters.yml"
)
SONAR = "chat_citations_with_openrouter_perplexity_sonar_returns_search_result_citations.yml"


def test_the_web_search_server_tool(server: FakeOpenRouter) -> None:
    interactions = load(WEB_SEARCH)
    serve(server, interactions)
    recorded = interactions[0]
    chat = server.chat("openai/gpt-5.2").with_tools(web_search())
    reply = chat.ask(recorded.request_body["messages"][0]["content"])
    assert server.requests[0].json == recorded.request_body  # the whole request, as recorded
    assert reply.content == recorded.response_json["choices"][0]["message"]["content"]
    (citation,) = reply.citations
    assert citation == pyllm.Citation(
        url="https://www.ruby-lang.org/en/downloads/",
        title="Download Ruby | Ruby",
        start=50,
        end=108,
    )
    assert citation.cited_text(reply.content) == (
        "([ruby-lang.org](https://www.ruby-lang.org/en/downloads/))"
    )
    usage = reply.usage
    assert usage is not None
    assert (usage.web_search_requests, usage.cost, usage.reasoning_tokens) == (3, 0.066407, 449)
    kinds = [d["type"] for d in reply.reasoning_details]
    assert kinds == ["reasoning.encrypted", "reasoning.summary"] * 3 + ["reasoning.encrypted"]
    assert chat.messages[-1] is reply and reply.id == "gen-1787150080-lE60hPbmJuViaCZSTYIs"


def test_the_web_search_answer_goes_back_as_received(server: FakeOpenRouter) -> None:
    """A follow-up sends the searched answer back with its reasoning details unchanged."""
    interactions = load(WEB_SEARCH)
    serve(server, interactions)
    chat = server.chat("openai/gpt-5.2").with_tools(web_search())
    reply = chat.ask(interactions[0].request_body["messages"][0]["content"])
    chat.ask("Thanks. And the one before it?")
    sent = server.requests[1].json
    assert sent["tools"] == [{"type": "openrouter:web_search"}]
    assistant = sent["messages"][1]
    assert assistant["content"] == reply.content
    assert assistant["reasoning_details"] == [dict(d) for d in reply.reasoning_details]


def test_a_search_models_citations(server: FakeOpenRouter) -> None:
    interactions = load(SONAR)
    serve(server, interactions)
    recorded = interactions[0]
    reply = server.chat("perplexity/sonar").ask(recorded.request_body["messages"][0]["content"])
    assert server.requests[0].json == recorded.request_body
    annotations = recorded.response_json["choices"][0]["message"]["annotations"]
    assert [c.url for c in reply.citations] == [a["url_citation"]["url"] for a in annotations]
    assert len(reply.citations) == 10
    assert reply.citations[0].title == "Ruby (programming language) - Wikipedia"
    assert all(
        (c.start, c.end) == (0, 0) and c.cited_text(reply.content) == "" for c in reply.citations
    )
    assert reply.upstream == "Perplexity" and reply.usage is not None
    assert reply.usage.web_search_requests == 0 and reply.usage.cost == 0.00524
