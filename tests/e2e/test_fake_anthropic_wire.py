"""The fake Anthropic speaks the wire format of the real API's recorded traffic
(../shared/fixtures/anthropic): the same JSON and SSE shapes (keys, value types and every
``type`` value; field order aside), over real sockets, checked with plain httpx (issue 13c)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pyllm.testing import FakeAnthropic, ToolCallSpec, error, text, tool_call
from tests.e2e._anthropic_http import HEADERS, events, shape
from tests.replay._cassettes import Interaction, load


def event_shapes(body: bytes) -> list[tuple[str, Any]]:
    """The events' shapes, a run of events of one shape counted once (deltas vary in number)."""
    shapes: list[tuple[str, Any]] = []
    for name, data in events(body):
        if not shapes or shapes[-1] != (name, shape(data)):
            shapes.append((name, shape(data)))
    return shapes


def send(
    anthropic: FakeAnthropic, recorded: Interaction, key: str = HEADERS["x-api-key"], **changes: Any
) -> httpx.Response:
    """The recorded request, sent to the anthropic (through its own path, with a key and version)."""
    path = recorded.uri.split("/v1", 1)[1]
    body = {**recorded.request_body, **changes}
    headers = {**HEADERS, "x-api-key": key}
    return httpx.post(anthropic.url + path, headers=headers, json=body, timeout=10)


def stream(anthropic: FakeAnthropic, recorded: Interaction) -> httpx.Response:
    with httpx.stream(
        "POST", anthropic.url + "/messages", headers=HEADERS, json=recorded.request_body, timeout=10
    ) as response:
        response.read()
    return response


def test_a_blocking_answer_has_the_recorded_shape(anthropic: FakeAnthropic) -> None:
    [recorded] = load(
        "chat_basic_chat_functionality_anthropic_claude-haiku-4-5_can_have_a_basic_conversation.yml",
        "anthropic",
    )
    anthropic.reply(text("2 + 2 = 4"))
    answer = send(anthropic, recorded)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert shape(answer.json()) == shape(recorded.response_json)
    assert answer.json()["content"] == [{"type": "text", "text": "2 + 2 = 4"}]
    assert answer.headers["request-id"].startswith("req_")


def test_thinking_and_parallel_tool_use_have_the_recorded_shapes(anthropic: FakeAnthropic) -> None:
    [thinking] = load(
        "chat_with_extended_thinking_anthropic_claude-haiku-4-5_returns_thinking_when_available.yml",
        "anthropic",
    )
    calls = load(
        "chat_function_calling_anthropic_claude-haiku-4-5_can_use_parallel_tool_calls.yml",
        "anthropic",
    )[0]
    anthropic.reply(
        text("A question about itself.", reasoning="A clever puzzle."),
        tool_call(
            "weather",
            {"latitude": "52.5200", "longitude": "13.4050"},
            tool_calls=[ToolCallSpec("best_language_to_learn", {})],
        ),
    )
    assert shape(send(anthropic, thinking).json()) == shape(thinking.response_json)
    assert shape(send(anthropic, calls).json()) == shape(calls.response_json)


@pytest.mark.parametrize(
    ("cassette", "reply"),
    [
        (
            "chat_streaming_responses_anthropic_claude-haiku-4-5_supports_streaming_responses.yml",
            text("1\n2\n3", chunks=1),
        ),
        (
            "chat_with_extended_thinking_anthropic_claude-haiku-4-5_streams_thinking_content_when_available.yml",
            text("The mirror answers.", reasoning="This is a clever paradox."),
        ),
        (
            "chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.yml",
            tool_call("weather", {"latitude": "52.5200", "longitude": "13.4050"}),
        ),
    ],
    ids=["text", "thinking", "tool_use"],
)
def test_a_streamed_answer_has_the_recorded_events(
    anthropic: FakeAnthropic, cassette: str, reply: Any
) -> None:
    recorded = load(cassette, "anthropic")[0]
    anthropic.reply(reply)
    answer = stream(anthropic, recorded)
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert event_shapes(answer.content) == event_shapes(recorded.body)
    assert "request-id" in answer.headers


def test_errors_have_the_recorded_envelopes_and_headers() -> None:
    [denied] = load(
        "chat_error_handling_with_anthropic_claude-haiku-4-5_raises_appropriate_auth_error.yml",
        "anthropic",
    )
    [too_long] = load(
        "chat_real_error_scenarios_anthropic_claude-haiku-4-5_handles_context_length_exceeded_errors.yml",
        "anthropic",
    )
    with FakeAnthropic(api_key=HEADERS["x-api-key"]) as fake:
        fake.reply(error(400, "prompt is too long: 3333404 tokens > 200000 maximum"))
        answers = [send(fake, too_long), send(fake, denied, key="sk-ant-wrong")]
    for answer, recorded in zip(answers, (too_long, denied), strict=True):
        assert answer.status_code == recorded.status
        assert answer.json()["error"] == recorded.response_json["error"]
        assert shape(answer.json()) == shape(recorded.response_json)
        assert answer.json()["request_id"] == answer.headers["request-id"]
        assert answer.headers["x-should-retry"] == recorded.headers["X-Should-Retry"] == "false"


def test_prompt_cache_usage_writes_then_reads_like_the_recording(anthropic: FakeAnthropic) -> None:
    written, read = load(
        "chat_prompt_cache_round-trip_anthropic_claude-haiku-4-5_writes_then_reads_the_prompt_cache.yml",
        "anthropic",
    )
    first, second = send(anthropic, written).json()["usage"], send(anthropic, read).json()["usage"]
    assert shape(first) == shape(written.response_json["usage"])
    for got, recorded in ((first, written), (second, read)):
        expected = recorded.response_json["usage"]
        for key in ("cache_creation_input_tokens", "cache_read_input_tokens"):
            assert (got[key] > 0) == (expected[key] > 0), (key, got, expected)
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert (
        first["cache_creation"]["ephemeral_5m_input_tokens"] == first["cache_creation_input_tokens"]
    )


def test_count_tokens_has_the_recorded_shape(anthropic: FakeAnthropic) -> None:
    plain, configured = load(
        "chat_count_tokens_with_anthropic_claude-haiku-4-5_counts_the_next_request_as_configured.yml",
        "anthropic",
    )
    small, large = send(anthropic, plain).json(), send(anthropic, configured).json()
    assert shape(small) == shape(plain.response_json) == {"input_tokens": "number"}
    assert 0 < small["input_tokens"] < large["input_tokens"]  # system and tools count too


def _every_recorded_request() -> list[tuple[str, Interaction]]:
    from tests.conftest import fixtures_dir

    root = fixtures_dir()
    if root is None:
        return []
    return [
        (path.name, item)
        for path in sorted((root / "anthropic").glob("*.yml"))
        for item in load(path.name, "anthropic")
        if item.uri.startswith("https://api.anthropic.com/v1/messages")
    ]


def test_every_request_the_real_api_accepted_is_accepted(anthropic: FakeAnthropic) -> None:
    recorded = _every_recorded_request()
    if not recorded:
        pytest.skip("recorded fixtures not found")
    refused = {}
    for name, item in recorded:
        answer = (
            send(anthropic, item, stream=False)
            if "count_tokens" not in item.uri
            else send(anthropic, item)
        )
        if answer.status_code != 200:
            refused[name] = answer.json()["error"]["message"]
    # only thinking blocks signed by the real API: the anthropic checks signatures it gave itself
    assert refused == {
        "chat_with_extended_thinking_anthropic_claude-haiku-4-5_preserves_thinking_signatures_between_turns_when_provided.yml": "messages.1.content.0: Invalid `signature` in `thinking` block"
    }
    assert len(recorded) >= 80
