"""Typed citations, log probabilities and web-search counts, read the same from a body and
from a stream, and web searches priced from the registry."""

from __future__ import annotations

import json
from typing import Any

from pyllm import Citation, Model, Pricing, TokenLogprob, Usage
from pyllm._engine.parser import StreamParser
from pyllm._pricing import price_usage
from pyllm.protocols.openrouter import OpenRouterDialect

ROUTER = OpenRouterDialect("openrouter")
CITED = {
    "type": "url_citation",
    "url_citation": {
        "url": "https://www.ruby-lang.org/en/downloads/",
        "title": "Download Ruby | Ruby",
        "content": "Ruby 4.0.6 is the current stable version.",
        "start_index": 4,
        "end_index": 9,
    },
}
TOKENS = {
    "content": [
        {
            "token": "Hi",
            "logprob": -0.25,
            "bytes": [72, 105],
            "top_logprobs": [
                {"token": "Hi", "logprob": -0.25, "bytes": [72, 105]},
                {"token": "Hey", "logprob": -1.5, "bytes": None},
            ],
        },
        {"token": "!", "logprob": 0, "bytes": [33], "top_logprobs": []},
    ]
}


def body(**message: Any) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "choices": [
            {"message": {"role": "assistant", **message}, "finish_reason": "stop", "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "cost": 0.02,
            "server_tool_use_details": {"web_search_requests": 3},
        },
    }


def test_url_citations_become_typed_citations_and_other_annotations_stay_raw() -> None:
    parsed = {"type": "file", "file": {"hash": "9f2c", "name": "report.pdf", "content": []}}
    broken = {"type": "url_citation", "url_citation": {"title": "no url"}}
    message = ROUTER.parse_chat(body(content="The quick fox", annotations=[CITED, parsed, broken]))
    assert message.citations == (
        Citation(
            url="https://www.ruby-lang.org/en/downloads/",
            title="Download Ruby | Ruby",
            content="Ruby 4.0.6 is the current stable version.",
            start=4,
            end=9,
        ),
    )
    assert message.citations[0].cited_text(message.content) == "quick"
    assert len(message.annotations) == 3  # every annotation as received
    assert message.usage is not None and message.usage.web_search_requests == 3


def test_logprobs_are_typed() -> None:
    answer = body(content="Hi!")
    answer["choices"][0]["logprobs"] = TOKENS
    message = ROUTER.parse_chat(answer)
    first, second = message.logprobs
    assert first == TokenLogprob(
        "Hi",
        -0.25,
        (72, 105),
        (TokenLogprob("Hi", -0.25, (72, 105)), TokenLogprob("Hey", -1.5, None)),
    )
    assert second.token == "!" and second.probability == 1.0 and second.top == ()


def test_malformed_logprobs_and_citations_are_skipped_not_fatal() -> None:
    answer = body(content="x", annotations="not a list")
    answer["choices"][0]["logprobs"] = {"content": [{"token": "x"}, "junk", {"logprob": -1}]}
    message = ROUTER.parse_chat(answer)
    assert message.logprobs == () and message.citations == ()


def stream_of(*chunks: dict[str, Any]) -> bytes:
    return b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + (
        b"data: [DONE]\n\n"
    )


def test_a_stream_gives_the_same_citations_logprobs_and_counts() -> None:
    def delta(content: str, logprob: dict[str, Any] | None = None, **extra: Any) -> Any:
        choice: dict[str, Any] = {"delta": {"content": content, **extra}, "finish_reason": None}
        if logprob is not None:
            choice["logprobs"] = {"content": [logprob]}
        return {"id": "gen-1", "choices": [choice]}

    raw = stream_of(
        delta("", annotations=[CITED]),
        delta("", annotations=[CITED]),  # a repeat is kept once
        delta("Hi", TOKENS["content"][0]),
        delta("!", TOKENS["content"][1]),
        {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage": body()["usage"]},
    )
    parser = StreamParser(ROUTER)
    parser.expect("text/event-stream")
    chunks = parser.feed(raw) + parser.finish()
    assert [len(c.citations) for c in chunks[:2]] == [1, 1]
    streamed = parser.message()
    answer = body(content="Hi!", annotations=[CITED])
    answer["choices"][0]["logprobs"] = TOKENS
    whole = ROUTER.parse_chat(answer)
    assert streamed.citations == whole.citations
    assert streamed.logprobs == whole.logprobs
    assert streamed.usage is not None and streamed.usage.web_search_requests == 3


def test_web_search_counts_add_up_and_merge() -> None:
    total = Usage(input_tokens=1, web_search_requests=2) + Usage(web_search_requests=1)
    assert total.web_search_requests == 3
    assert Usage.sum([Usage(web_search_requests=4)]).web_search_requests == 4
    assert Usage(web_search_requests=2).merge(Usage(output_tokens=3)).web_search_requests == 2


def test_web_searches_are_priced_from_the_registry() -> None:
    model = Model("x/y", "openai", pricing=Pricing(input=1.0, output=2.0, web_search=0.01))
    priced = price_usage(model, Usage(input_tokens=1000, output_tokens=500, web_search_requests=3))
    assert priced.cost == 0.002 + 0.03 and priced.cost_source == "registry"
    unknown = Model("x/y", "openai", pricing=Pricing(input=1.0, output=2.0))
    assert price_usage(unknown, Usage(input_tokens=10, web_search_requests=1)).cost is None
    assert price_usage(unknown, Usage(input_tokens=1_000_000)).cost == 1.0


def test_cache_reads_and_writes_are_priced_at_their_own_rates() -> None:
    model = Model(
        "anthropic/claude-haiku-4.5",
        "openrouter",
        pricing=Pricing(input=1.0, output=5.0, cached_input=0.1, cache_write=1.25),
    )
    usage = Usage(input_tokens=1_000_000, cached_tokens=800_000, cache_write_tokens=100_000)
    assert price_usage(model, usage).cost == 0.305  # 0.1 M at 1.0, 0.8 M at 0.1, 0.1 M at 1.25


def test_files_openrouter_parsed_go_back_so_it_need_not_parse_them_again() -> None:
    from pyllm.message import Message
    from pyllm.protocols.chat_completions import ChatCompletions
    from pyllm.request import ChatRequest

    parsed = {"type": "file", "file": {"hash": "9f2c", "name": "report.pdf", "content": []}}
    answer = ROUTER.parse_chat(body(content="It says hi.", annotations=[CITED, parsed]))
    request = ChatRequest("m", (Message.user("Read it"), answer, Message.user("More?")))
    sent = ROUTER.render_chat(request)["messages"][1]
    assert sent["annotations"] == [parsed]  # the citation is not sent back
    assert "annotations" not in ChatCompletions("openai").render_chat(request)["messages"][1]
