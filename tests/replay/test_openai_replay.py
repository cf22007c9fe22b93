"""Replay real OpenAI traffic (``../shared/fixtures/openai/``) through ``provider="openai"``.

Every cassette there is either replayed (here, or by a test function shared with OpenRouter's
replays) or skipped for a reason :data:`SKIPPED` states; a test keeps that list whole, so a new
recording cannot go unnoticed. Most chat recordings were made against OpenAI's Responses API
(``POST /v1/responses``), a different wire format from the Chat Completions pyllm speaks to
OpenAI: their requests and answers cannot be replayed, only their error bodies (OpenAI answers
every endpoint with one error envelope).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

import pyllm
from tests.conftest import fixtures_dir

from ._cassettes import api_calls, client_for, load, serve
from .test_media_replay import OPENAI_EMBEDDINGS

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

CITATIONS = (
    "chat_citations_with_openai_gpt-4o-mini-search-preview_returns_url_citations_when_web_search_"
    "is_enabled.yml"
)
AUTH = "chat_error_handling_with_openai_gpt-5-nano_raises_appropriate_auth_error.yml"
CONTEXT = "chat_real_error_scenarios_openai_gpt-5-nano_handles_context_length_exceeded_errors.yml"

REPLAYED = {
    CITATIONS: "test_web_search_citations_on_chat_completions",
    AUTH: "test_chat_replay.py::test_recorded_auth_error_is_an_authentication_error, "
    "test_an_unknown_model_id_reaches_the_api_and_shows_its_error",
    CONTEXT: "test_context_length_error",
    **dict.fromkeys(OPENAI_EMBEDDINGS, "test_media_replay.py::test_embeddings"),
}
"""Cassette -> the test that replays it."""

_RESPONSES = (
    "recorded against the Responses API (POST /v1/responses): pyllm speaks Chat Completions "
    "to OpenAI, whose request and answer differ field by field"
)
_OPENROUTER = "OpenRouter traffic, byte for byte the file of the same name in openrouter/"
SKIPPED_BY_PREFIX = {
    "chat_basic_chat_functionality_openai_": _RESPONSES,
    "chat_document_models_openai_": _RESPONSES + "; docx files are also not sent by pyllm",
    "chat_function_calling_openai_": _RESPONSES,
    "chat_multimodal_tool_attachments_openai_": _RESPONSES,
    "chat_pdf_models_openai_": _RESPONSES,
    "chat_prompt_cache_round-trip_openai_": _RESPONSES + " (prompt_cache_key)",
    "chat_spreadsheet_models_openai_": _RESPONSES + "; xlsx files are also not sent by pyllm",
    "chat_streaming_responses_openai_": _RESPONSES + " (its own stream events)",
    "chat_string_tool_results_openai_": _RESPONSES,
    "chat_text_models_openai_": _RESPONSES,
    "chat_tool_attachments_openai_": _RESPONSES,
    "chat_tool_choice_and_calls_control_openai_": _RESPONSES,
    "chat_vision_models_openai_": _RESPONSES,
    "chat_web_search_with_openai_": _RESPONSES + " (its web_search tool and items)",
    "chat_with_extended_thinking_openai_": _RESPONSES
    + " (reasoning summaries and encrypted reasoning items exist only there)",
    "chat_with_params_openai_": _RESPONSES,
    "chat_with_schema_with_openai_": _RESPONSES + " (text.format)",
    "chat_web_search_with_openrouter_": _OPENROUTER + " (OpenRouter web search: issue 14)",
    "embedding_basic_functionality_openrouter_": _OPENROUTER + ", replayed by test_embeddings",
    "embedding_provider-reported_cost_openrouter_": _OPENROUTER + ", replayed by test_embeddings",
    "speech_basic_functionality_openai_": "POST /v1/audio/speech: pyllm has no speech API",
    "uploadedfile_live_uploads_openai_": "POST /v1/files (uploads), then the Responses API",
}
"""Cassette name prefix -> why those cassettes are not replayed through provider="openai"."""


def test_every_openai_cassette_is_replayed_or_skipped_for_a_reason() -> None:
    root = fixtures_dir()
    if root is None or not (root / "openai").is_dir():
        pytest.skip("recorded fixtures not found (../shared/fixtures or $PYLLM_FIXTURES)")
    names = {path.name for path in (root / "openai").glob("*.yml")}
    unaccounted = {
        n for n in names - set(REPLAYED) if not any(n.startswith(p) for p in SKIPPED_BY_PREFIX)
    }
    assert unaccounted == set(), "replay these, or say in SKIPPED_BY_PREFIX why not"
    assert set(REPLAYED) <= names
    for name in names - set(REPLAYED):  # what is skipped really is what the reason says
        calls = [i.uri for i in load(name, "openai")]
        reason = next(r for p, r in SKIPPED_BY_PREFIX.items() if name.startswith(p))
        if reason.startswith(_RESPONSES):
            assert all(uri.endswith("/v1/responses") for uri in calls if "api.openai" in uri)
        if reason.startswith(_OPENROUTER):
            assert (root / "openrouter" / name).read_bytes() == (
                root / "openai" / name
            ).read_bytes()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_web_search_citations_on_chat_completions(server: FakeOpenRouter, mode: str) -> None:
    item = api_calls(load(CITATIONS, "openai"))[0]
    serve(server, [item])
    spec, body = item.request_body, item.response_json
    client = client_for(server, "openai")
    chat = client.chat(spec["model"], provider="openai")
    chat.with_params(web_search_options=spec["web_search_options"])
    prompt = spec["messages"][-1]["content"]
    reply = chat.ask(prompt) if mode == "sync" else asyncio.run(chat.aask(prompt))

    assert server.requests[0].json == spec  # exactly what was recorded
    assert server.requests[0].path.endswith("/chat/completions")
    message = body["choices"][0]["message"]
    assert reply.content == message["content"]
    assert [dict(a) for a in reply.annotations] == message["annotations"]
    assert (reply.model, reply.id) == (body["model"], body["id"])
    assert (reply.provider, reply.upstream) == ("openai", None)
    assert reply.finish_reason == body["choices"][0]["finish_reason"]
    usage = body["usage"]
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (
        usage["prompt_tokens"],
        usage["completion_tokens"],
    )
    assert reply.usage.cached_tokens == usage["prompt_tokens_details"]["cached_tokens"]
    assert reply.usage.reasoning_tokens == usage["completion_tokens_details"]["reasoning_tokens"]
    prices = client.models.find(spec["model"], "openai").pricing  # OpenAI reports no cost
    assert prices.input is not None and prices.output is not None
    expected = usage["prompt_tokens"] * prices.input + usage["completion_tokens"] * prices.output
    assert reply.usage.cost == pytest.approx(expected / 1e6)
    assert reply.usage.cost_source == "registry"
    assert reply.raw == body


def test_context_length_error(server: FakeOpenRouter) -> None:
    item = api_calls(load(CONTEXT, "openai"))[0]
    serve(server, [item], at="/chat/completions")
    chat = client_for(server, "openai").chat("gpt-5-nano", provider="openai")
    chat.messages.append(pyllm.Message.user("a very long conversation..."))
    chat.messages.append(pyllm.Message("assistant", "...so far"))
    before = list(chat.messages)
    with pytest.raises(pyllm.ContextLengthExceededError) as caught:
        chat.ask("And more")
    recorded = item.response_json["error"]
    assert isinstance(caught.value, pyllm.BadRequestError) and caught.value.status == 400
    assert caught.value.message == recorded["message"]
    assert caught.value.code == recorded["code"] == "context_length_exceeded"
    assert caught.value.metadata == {} and caught.value.raw == item.response_json
    assert chat.messages == before and len(server.requests) == 1


@pytest.mark.parametrize("model", ["gpt-4o-audio-preview", "o1-mini", "dall-e-3"])
def test_an_unknown_model_id_reaches_the_api_and_shows_its_error(
    server: FakeOpenRouter, model: str
) -> None:
    """The issue's ids, once refused before any request, go to OpenAI as given: what comes
    back is OpenAI's own error, never pyllm's guess."""
    serve(server, api_calls(load(AUTH, "openai")), at="/chat/completions")
    chat = client_for(server, "openai").chat(model, provider="openai")
    assert chat.model == model
    with pytest.raises(pyllm.AuthenticationError, match="Incorrect API key provided"):
        chat.ask("Hello")
    assert server.requests[0].json["model"] == model
