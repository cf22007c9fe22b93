"""Issue 14's request options: checked when set (``with_*``), rendered by the protocols.

Generic options (stop, seed, user, logprobs, web search) reach every Chat Completions host;
OpenRouter-only ones (plugins, session, metadata, preset, transforms, server tools) are refused
by plain Chat Completions before anything is sent.
"""

from __future__ import annotations

from typing import Any

import pytest

import pyllm
from pyllm.message import Message
from pyllm.openrouter import web_search
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.request import ChatRequest, ServerTool, WebSearch

ROUTER = OpenRouterDialect("openrouter")
PLAIN = ChatCompletions("openai")


def chat() -> pyllm.Chat:
    return pyllm.Client(openrouter_api_key="sk-or-test").chat("openai/gpt-4.1-mini")


def payload_of(c: pyllm.Chat, protocol: Any = ROUTER) -> dict[str, Any]:
    request = c._options.request(c.model, c.toolbox, stream=False)  # what the next call sends
    rendered: dict[str, Any] = protocol.render_chat(request)
    return rendered


def test_generic_options_reach_plain_chat_completions() -> None:
    c = chat().with_stop("END", "STOP").with_seed(7).with_user("user-42").with_logprobs(top=3)
    sent = payload_of(c.with_web_search(context_size="high"), PLAIN)
    assert sent["stop"] == ["END", "STOP"] and sent["seed"] == 7 and sent["user"] == "user-42"
    assert sent["logprobs"] is True and sent["top_logprobs"] == 3
    assert sent["web_search_options"] == {"search_context_size": "high"}
    assert "plugins" not in sent


def test_a_blank_stop_sequence_is_a_sequence() -> None:
    assert payload_of(chat().with_stop("\n\n", " "))["stop"] == ["\n\n", " "]


def test_options_can_be_removed() -> None:
    c = chat().with_stop("END").with_seed(1).with_user("u").with_logprobs().with_web_search()
    c.with_stop().with_seed(None).with_user(None).without_logprobs().without_web_search()
    sent = payload_of(c)
    assert not {"stop", "seed", "user", "logprobs", "top_logprobs", "plugins"} & set(sent)


def test_openrouter_options_render_on_openrouter() -> None:
    c = (
        chat()
        .with_web_search(max_results=3, engine="exa", search_prompt="Sources:", context_size="low")
        .with_pdf_engine("mistral-ocr")
        .with_session("conversation-1")
        .with_metadata({"team": "search"}, env="test")
        .with_preset("@preset/support-bot")
        .with_transforms("middle-out")
    )
    sent = payload_of(c)
    assert sent["plugins"] == [
        {"id": "web", "max_results": 3, "engine": "exa", "search_prompt": "Sources:"},
        {"id": "file-parser", "pdf": {"engine": "mistral-ocr"}},
    ]
    assert sent["web_search_options"] == {"search_context_size": "low"}
    assert sent["session_id"] == "conversation-1" and sent["preset"] == "support-bot"
    assert sent["metadata"] == {"team": "search", "env": "test"}
    assert sent["transforms"] == ["middle-out"]


def test_transforms_can_turn_off_the_default_and_be_reset() -> None:
    assert payload_of(chat().with_transforms())["transforms"] == []
    assert "transforms" not in payload_of(
        chat().with_transforms("middle-out").with_transforms(None)
    )


def test_auto_router_models_and_a_plugin_set_twice_is_replaced() -> None:
    c = chat().with_allowed_models("anthropic/*", "openai/gpt-5-mini").with_pdf_engine("native")
    c.with_pdf_engine("pdf-text")
    assert payload_of(c)["plugins"] == [
        {"id": "auto-router", "allowed_models": ["anthropic/*", "openai/gpt-5-mini"]},
        {"id": "file-parser", "pdf": {"engine": "pdf-text"}},
    ]
    assert "plugins" not in payload_of(c.with_allowed_models().with_pdf_engine(None))


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (lambda c: c.with_session("s"), "a session id"),
        (lambda c: c.with_metadata(a="b"), "metadata"),
        (lambda c: c.with_preset("p"), "a preset"),
        (lambda c: c.with_transforms("middle-out"), "transforms"),
        (lambda c: c.with_transforms(), "transforms"),
        (lambda c: c.with_pdf_engine("native"), "plugins"),
    ],
)
def test_plain_chat_completions_refuses_openrouter_options(change: Any, what: str) -> None:
    with pytest.raises(pyllm.UnsupportedError, match=f"{what}.*OpenRouter option"):
        payload_of(change(chat()), PLAIN)


def test_server_tools_render_beside_function_tools_on_openrouter_only() -> None:
    @pyllm.tool
    def weather(city: str) -> str:
        """The weather."""
        return "sunny"

    c = chat().with_tools(weather, web_search(max_results=2), pyllm.openrouter.datetime())
    sent = payload_of(c)
    assert [t["type"] for t in sent["tools"]] == [
        "function",
        "openrouter:web_search",
        "openrouter:datetime",
    ]
    assert sent["tools"][1] == {"type": "openrouter:web_search", "parameters": {"max_results": 2}}
    assert sent["tools"][2] == {"type": "openrouter:datetime"}  # no empty parameters
    with pytest.raises(pyllm.UnsupportedError, match="openrouter:web_search"):
        payload_of(c, PLAIN)


def test_a_server_tool_alone_needs_no_routing_and_can_be_the_forced_choice() -> None:
    c = chat().with_tools(web_search(), choice="openrouter:web_search")
    sent = payload_of(c)
    assert sent["tools"] == [{"type": "openrouter:web_search"}]
    assert sent["tool_choice"] == {"type": "openrouter:web_search"}
    assert "provider" not in sent  # require_parameters is for function tools and schemas
    assert "parallel_tool_calls" not in sent
    c.without_tools()
    assert "tools" not in payload_of(c)


def test_a_server_tool_of_another_provider_is_refused_by_openrouter() -> None:
    request = ChatRequest("m", (Message.user("hi"),), server_tools=(ServerTool("acme:search"),))
    with pytest.raises(pyllm.UnsupportedError, match="acme:search"):
        ROUTER.render_chat(request)


def test_the_web_plugin_leaves_unset_fields_to_openrouter() -> None:
    request = ChatRequest("m", (Message.user("hi"),), web_search=WebSearch())
    sent = ROUTER.render_chat(request)
    assert sent["plugins"] == [{"id": "web"}] and "web_search_options" not in sent
    assert PLAIN.render_chat(request)["web_search_options"] == {}  # OpenAI's search models


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: c.with_stop("a", "b", "c", "d", "e"), pyllm.ConfigurationError, "at most 4"),
        (lambda c: c.with_stop(""), pyllm.ConfigurationError, "must not be empty"),
        (lambda c: c.with_stop(3), TypeError, "must be a string"),
        (lambda c: c.with_seed(1.5), TypeError, "seed must be a whole number"),
        (lambda c: c.with_seed(True), TypeError, "seed must be a whole number"),
        (lambda c: c.with_user("x" * 257), pyllm.ConfigurationError, "at most 256"),
        (lambda c: c.with_logprobs(top=21), pyllm.ConfigurationError, "from 0 to 20"),
        (lambda c: c.with_logprobs(top="3"), TypeError, "whole number"),
        (lambda c: c.with_web_search(max_results=0), pyllm.ConfigurationError, "max_results"),
        (lambda c: c.with_web_search(engine="bing"), pyllm.ConfigurationError, "native, exa"),
        (lambda c: c.with_web_search(context_size="huge"), pyllm.ConfigurationError, "low"),
        (lambda c: c.with_pdf_engine("ocr"), pyllm.ConfigurationError, "mistral-ocr"),
        (lambda c: c.with_pdf_engine(3), TypeError, "PDF engine"),
        (lambda c: c.with_allowed_models(""), TypeError, "allowed models"),
        (lambda c: c.with_session(""), pyllm.ConfigurationError, "must not be empty"),
        (lambda c: c.with_session("s" * 257), pyllm.ConfigurationError, "at most 256"),
        (lambda c: c.with_metadata(k=1), TypeError, "must be a string"),
        (lambda c: c.with_metadata({"k" * 65: "v"}), pyllm.ConfigurationError, "at most 64"),
        (lambda c: c.with_metadata(k="v" * 513), pyllm.ConfigurationError, "over 512"),
        (
            lambda c: c.with_metadata({f"k{i}": "v" for i in range(17)}),
            pyllm.ConfigurationError,
            "at most 16",
        ),
        (lambda c: c.with_preset("@preset/"), pyllm.ConfigurationError, "must not be empty"),
        (lambda c: c.with_transforms(5), TypeError, "must be a string"),
    ],
)
def test_bad_values_raise_when_set_and_change_nothing(
    call: Any, error: type[Exception], message: str
) -> None:
    c = chat()
    before = payload_of(c)
    with pytest.raises(error, match=message):
        call(c)
    assert payload_of(c) == before


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: web_search(max_results=0), "max_results"),
        (lambda: web_search(search_context_size="huge"), "search_context_size"),
        (lambda: web_search(allowed_domains="example.com"), "list of domains"),
        (lambda: pyllm.openrouter.web_fetch(max_uses=-1), "max_uses"),
        (lambda: pyllm.openrouter.server_tool(""), "server tool name"),
    ],
)
def test_server_tools_check_their_arguments(make: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def test_server_tool_builders() -> None:
    tool = web_search(max_results=5, allowed_domains=["ruby-lang.org"], search_context_size="low")
    assert tool.parameters == {
        "max_results": 5,
        "search_context_size": "low",
        "allowed_domains": ["ruby-lang.org"],
    }
    assert pyllm.openrouter.web_fetch(max_uses=2).type == "openrouter:web_fetch"
    assert pyllm.openrouter.image_generation(model="x/y").parameters == {"model": "x/y"}
    assert pyllm.openrouter.server_tool("openrouter:apply_patch").type == "openrouter:apply_patch"
