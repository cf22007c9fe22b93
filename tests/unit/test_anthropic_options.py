"""The request options on Anthropic's Messages API, as a pure render and parse: each option
is a payload field or an UnsupportedError naming it; ``with_web_search``'s new arguments are
checked when set and mapped (or refused) by every protocol; a web search's blocks become
citations with the span of the answer they support, blocking and streamed."""

from __future__ import annotations

import json
from typing import Any

import pytest

import pyllm
from pyllm._engine.accumulator import Accumulator
from pyllm.message import Message
from pyllm.openrouter import web_search
from pyllm.protocols._anthropic_options import WEB_SEARCH_TOOL, render_options
from pyllm.protocols.anthropic import AnthropicMessages
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.request import Caching, ChatRequest, ServerTool, ToolDefinition, WebSearch

CLAUDE = AnthropicMessages()
SEARCH = {"type": WEB_SEARCH_TOOL, "name": "web_search", "allowed_callers": ["direct"]}


def render(**fields: Any) -> dict[str, Any]:
    request = ChatRequest("claude-haiku-4-5", (Message.user("Hi"),), **fields)
    payload: dict[str, Any] = CLAUDE.render_chat(request)
    return payload


def chat() -> pyllm.Chat:
    return pyllm.Client(anthropic_api_key="sk-ant-test").chat("claude-haiku-4-5")


def test_stop_and_user_become_stop_sequences_and_metadata() -> None:
    payload = render(stop=("END", "\n\n"), user="u-1")
    assert payload["stop_sequences"] == ["END", "\n\n"]
    assert payload["metadata"] == {"user_id": "u-1"}
    assert not {"stop", "user", "seed", "tools", "metadata"} & set(render())


def test_an_unset_option_sends_nothing() -> None:
    payload: dict[str, Any] = {}
    render_options(ChatRequest("m", ()), payload, "anthropic")
    assert payload == {}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"seed": 0}, ("seed", "the anthropic provider", "with_seed(None)")),
        ({"logprobs": True}, ("log probabilities", "without_logprobs()")),
        ({"session_id": "s"}, ("session id", "provider='openrouter'")),
        ({"metadata": {"k": "v"}}, ("metadata (with_metadata)",)),
        ({"preset": "p"}, ("preset",)),
        ({"transforms": ()}, ("transforms",)),
        ({"plugins": ({"id": "file-parser"},)}, ("plugins",)),
    ],
)
def test_what_anthropic_has_no_field_for_is_refused(
    fields: dict[str, Any], words: tuple[str, ...]
) -> None:
    with pytest.raises(pyllm.UnsupportedError) as raised:
        render(**fields)
    for word in words:
        assert word in str(raised.value)


def test_the_provider_named_is_the_one_used() -> None:
    request = ChatRequest("claude-haiku-4-5", (), seed=1)
    with pytest.raises(pyllm.UnsupportedError, match="the bedrock provider"):
        AnthropicMessages("bedrock").render_chat(request)


def test_web_search_is_claudes_search_tool_after_the_function_tools() -> None:
    tool = ToolDefinition("weather", "The weather", {"type": "object"})
    search = WebSearch(
        engine="native",
        max_uses=3,
        blocked_domains=("reddit.com",),
        user_location={"city": "Oslo", "timezone": "Europe/Oslo"},
    )
    payload = render(tools=(tool,), web_search=search, caching=Caching())
    assert payload["tools"][0]["name"] == "weather"
    assert payload["tools"][0]["cache_control"] == {"type": "ephemeral"}
    assert payload["tools"][1] == {
        **SEARCH,
        "max_uses": 3,
        "blocked_domains": ["reddit.com"],
        "user_location": {"type": "approximate", "city": "Oslo", "timezone": "Europe/Oslo"},
    }
    assert render(web_search=WebSearch())["tools"] == [SEARCH]


@pytest.mark.parametrize(
    ("search", "words"),
    [
        (WebSearch(max_results=5), ("max_results=5", "max_uses=")),
        (WebSearch(engine="exa"), ("engine='exa'", "provider='openrouter'")),
        (WebSearch(search_prompt="Sources:"), ("search_prompt",)),
        (WebSearch(context_size="high"), ("context_size='high'",)),
        (WebSearch(allowed_domains=("a.org",), blocked_domains=("b.org",)), ("not both",)),
    ],
)
def test_search_settings_claude_has_not_are_refused(
    search: WebSearch, words: tuple[str, ...]
) -> None:
    with pytest.raises(pyllm.UnsupportedError) as raised:
        render(web_search=search)
    for word in words:
        assert word in str(raised.value)


def test_server_tools_claude_runs_and_those_it_does_not() -> None:
    own = ServerTool("web_search_20250305", {"max_uses": 1})
    assert render(server_tools=(own,))["tools"] == [
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 1}
    ]
    routed = web_search(allowed_domains=["ruby-lang.org"], engine="native")
    assert render(server_tools=(routed,))["tools"] == [
        {**SEARCH, "allowed_domains": ["ruby-lang.org"]}
    ]
    for refused, word in [
        (web_search(max_results=3), "max_results=3"),
        (pyllm.openrouter.web_fetch(), "openrouter:web_fetch"),
        (ServerTool("code_execution_20250825"), "code_execution_20250825"),
    ]:
        with pytest.raises(pyllm.UnsupportedError, match=word):
            render(server_tools=(refused,))
    with pytest.raises(pyllm.UnsupportedError, match="one web search tool"):
        render(server_tools=(own,), web_search=WebSearch())


# ---- with_web_search's new arguments, checked when set, on every protocol -------------------


def test_new_search_arguments_are_checked_when_set() -> None:
    c = chat()
    with pytest.raises(pyllm.ConfigurationError, match="max_uses"):
        c.with_web_search(max_uses=0)
    with pytest.raises(TypeError, match="list of domains"):
        c.with_web_search(allowed_domains="ruby-lang.org")  # type: ignore[arg-type]
    with pytest.raises(pyllm.ConfigurationError, match="not both"):
        c.with_web_search(allowed_domains=["a.org"], blocked_domains=["b.org"])
    with pytest.raises(pyllm.ConfigurationError, match="city, region, country, timezone"):
        c.with_web_search(user_location={"street": "Karl Johans gate"})
    with pytest.raises(TypeError, match="user_location"):
        c.with_web_search(user_location="Oslo")  # type: ignore[arg-type]
    c.with_web_search(
        max_uses=1, allowed_domains=("ruby-lang.org",), user_location={"city": "Oslo"}
    )
    search = c._options.extras.web_search
    assert search == WebSearch(
        max_uses=1, allowed_domains=("ruby-lang.org",), user_location={"city": "Oslo"}
    )


def test_openrouter_maps_domains_and_refuses_the_rest() -> None:
    request = ChatRequest("m", (), web_search=WebSearch(3, allowed_domains=("a.org",)))
    plugin = OpenRouterDialect("openrouter").render_chat(request)["plugins"][0]
    assert plugin == {"id": "web", "max_results": 3, "include_domains": ["a.org"]}
    blocked = ChatRequest("m", (), web_search=WebSearch(blocked_domains=("b.org",)))
    assert OpenRouterDialect("openrouter").render_chat(blocked)["plugins"][0][
        "exclude_domains"
    ] == ["b.org"]
    for search in (WebSearch(max_uses=2), WebSearch(user_location={"city": "Oslo"})):
        with pytest.raises(pyllm.UnsupportedError, match="the openrouter provider"):
            OpenRouterDialect("openrouter").render_chat(ChatRequest("m", (), web_search=search))


def test_openai_search_models_take_the_location_only() -> None:
    located = ChatRequest("m", (), web_search=WebSearch(user_location={"country": "NO"}))
    options = ChatCompletions("openai").render_chat(located)["web_search_options"]
    assert options == {"user_location": {"type": "approximate", "approximate": {"country": "NO"}}}
    with pytest.raises(pyllm.UnsupportedError, match="max_uses=2"):
        ChatCompletions("openai").render_chat(
            ChatRequest("m", (), web_search=WebSearch(max_uses=2))
        )


# ---- reading a search's answer ------------------------------------------------------------

CITED = {
    "type": "web_search_result_location",
    "url": "https://ruby-lang.org/",
    "title": "Ruby",
    "cited_text": "4.0.6 is current.",
    "encrypted_index": "Eo8B",
}
BLOCKS: list[dict[str, Any]] = [
    {
        "type": "server_tool_use",
        "id": "srvtoolu_1",
        "name": "web_search",
        "input": {"query": "ruby"},
    },
    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
    {"type": "text", "text": "Ruby 4.0.6 is out", "citations": [CITED]},
    {"type": "text", "text": ", says its site."},
    {
        "type": "text",
        "text": " Twice.",
        "citations": [CITED, {"type": "char_location", "cited_text": "x"}],
    },
]
USAGE = {"input_tokens": 9, "output_tokens": 3, "server_tool_use": {"web_search_requests": 2}}


def test_a_blocking_answer_cites_the_span_of_each_text_block() -> None:
    body = {"model": "m", "content": BLOCKS, "stop_reason": "end_turn", "usage": USAGE}
    reply = CLAUDE.parse_chat(body)
    assert reply.content == "Ruby 4.0.6 is out, says its site. Twice."
    first, second = reply.citations
    assert (first.url, first.title, first.content) == (
        "https://ruby-lang.org/",
        "Ruby",
        "4.0.6 is current.",
    )
    assert first.cited_text(reply.content) == "Ruby 4.0.6 is out"
    assert second.cited_text(reply.content) == " Twice."
    assert reply.tool_calls == () and reply.usage is not None
    assert reply.usage.web_search_requests == 2


def events(blocks: list[dict[str, Any]]) -> list[str]:
    """The stream of ``blocks`` as the API sends it: query and text in pieces, citations first."""
    out = [
        json.dumps(
            {"type": "message_start", "message": {"model": "m", "usage": {"input_tokens": 9}}}
        )
    ]
    for i, block in enumerate(blocks):
        start = {**block, "input": {}} if "input" in block else dict(block)
        if block["type"] == "text":
            start = {"type": "text", "text": "", "citations": []}
        out.append(json.dumps({"type": "content_block_start", "index": i, "content_block": start}))
        deltas: list[dict[str, Any]] = []
        if "input" in block:
            deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
        if block["type"] == "text":
            deltas = [
                {"type": "citations_delta", "citation": c} for c in block.get("citations", [])
            ]
            deltas += [{"type": "text_delta", "text": w} for w in block["text"].split(" ") if w]
        out += [json.dumps({"type": "content_block_delta", "index": i, "delta": d}) for d in deltas]
        out.append(json.dumps({"type": "content_block_stop", "index": i}))
    delta = {"type": "message_delta", "delta": {"stop_reason": "stop_sequence"}, "usage": USAGE}
    return [*out, json.dumps(delta)]


def test_a_streamed_answer_gives_each_source_when_its_block_ends() -> None:
    blocks = [
        {**b, "text": b["text"].replace(" ", "_")} if b["type"] == "text" else b for b in BLOCKS
    ]
    reader, accumulator = CLAUDE.new_stream(), Accumulator("anthropic")
    chunks = [c for c in (reader.parse_event((e, None)) for e in events(blocks)) if c is not None]
    for chunk in chunks:
        accumulator.add(chunk)
    reply = accumulator.message()
    blocking = CLAUDE.parse_chat(
        {"content": blocks, "stop_reason": "stop_sequence", "usage": USAGE}
    )
    assert reply.content == blocking.content
    assert reply.citations == blocking.citations and len(reply.citations) == 2
    assert reply.tool_calls == ()
    assert (reply.finish_reason, reply.native_finish_reason) == ("stop", "stop_sequence")
    assert reply.usage is not None and reply.usage.web_search_requests == 2
    sourced = [c for c in chunks if c.citations]
    assert [len(c.citations) for c in sourced] == [1, 1] and not any(c.content for c in sourced)
