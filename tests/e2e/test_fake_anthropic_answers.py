"""The fake Anthropic's answers over real sockets, checked with plain httpx: streams that
assemble to the blocking answer, echoes, usage and the prompt cache, the models listing in
pages, routes and the record of requests, its pyllm client (issue 13c)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pyllm.testing import FakeAnthropic, Reply, ToolCallSpec, raw, text, tool_call
from tests.e2e._anthropic_http import CALL, HI, RESULT, get, post, refused, streamed, turns

# ---- streams say what blocking answers say -----------------------------------------------------


DELTAS = {  # delta type -> the field it adds to, the block field it extends
    "text_delta": ("text", "text"),
    "thinking_delta": ("thinking", "thinking"),
    "signature_delta": ("signature", "signature"),
    "input_json_delta": ("partial_json", "partial"),
}


def assemble(stream: list[tuple[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The content blocks and final delta a client builds from the events."""
    blocks: list[dict[str, Any]] = []
    final: dict[str, Any] = {}
    for name, data in stream:
        if name == "content_block_start":
            blocks.append(dict(data["content_block"]))
        elif name == "content_block_delta":
            block, delta = blocks[data["index"]], data["delta"]
            source, target = DELTAS[delta["type"]]
            block[target] = block.get(target, "") + delta[source]
        elif name == "content_block_stop":
            block = blocks[data["index"]]
            if "partial" in block:
                block["input"] = json.loads(block.pop("partial"))
        elif name == "message_delta":
            final = data
    return blocks, final


def _fresh_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks with the ids the fake makes up per message (``toolu_fake...``) blanked."""
    return [
        {**b, "id": "toolu_fake"} if str(b.get("id", "")).startswith("toolu_fake") else b
        for b in blocks
    ]


SCRIPTS = [
    text("Hello there, friend.", chunks=4),
    text("Paris.", reasoning="The capital of France is Paris."),
    tool_call(
        "weather",
        {"city": "Paris"},
        text="Let me check.",
        tool_calls=[ToolCallSpec("time", {"zone": "CET"}, id="toolu_mine")],
    ),
    text("", finish_reason="max_tokens"),
]


@pytest.mark.parametrize("script", SCRIPTS, ids=["text", "thinking", "tools", "max_tokens"])
def test_a_stream_assembles_to_the_blocking_answer(anthropic: FakeAnthropic, script: Reply) -> None:
    anthropic.reply(script.but(repeat=2))
    blocking = post(anthropic).json()
    blocks, final = assemble(streamed(anthropic))
    assert _fresh_ids(blocks) == _fresh_ids(blocking["content"])
    assert final["delta"]["stop_reason"] == blocking["stop_reason"]
    assert final["usage"]["output_tokens"] == blocking["usage"]["output_tokens"]


def test_unscripted_answers_echo_the_last_thing_the_user_said(anthropic: FakeAnthropic) -> None:
    ask = [{"type": "text", "text": "Weather in Oslo?"}]
    assert post(anthropic).json()["content"][0]["text"] == "You said: Hi"
    after_tools = post(anthropic, turns(ask, [CALL], [RESULT])).json()
    assert after_tools["content"][0]["text"] == "You said: Weather in Oslo?"
    assert after_tools["stop_reason"] == "end_turn" and after_tools["model"] == "claude-haiku-4-5"


def test_arguments_that_are_not_json_are_sent_as_they_are(anthropic: FakeAnthropic) -> None:
    anthropic.reply(tool_call("weather", '{"city": "Par', repeat=2))
    assert post(anthropic).json()["content"][0]["input"] == '{"city": "Par'
    deltas = [d["delta"] for n, d in streamed(anthropic) if n == "content_block_delta"]
    assert "".join(d["partial_json"] for d in deltas) == '{"city": "Par'


# ---- usage and the prompt cache ----------------------------------------------------------------


def test_cache_breakpoints_write_then_read_the_longest_cached_prefix(
    anthropic: FakeAnthropic,
) -> None:
    system = [
        {
            "type": "text",
            "text": "You review code. " * 50,
            "cache_control": {"type": "ephemeral", "ttl": "1h"},
        }
    ]
    body = {**HI, "system": system}
    first = post(anthropic, body).json()["usage"]
    assert first["cache_creation_input_tokens"] == 150 and first["cache_read_input_tokens"] == 0
    assert first["cache_creation"] == {
        "ephemeral_5m_input_tokens": 0,
        "ephemeral_1h_input_tokens": 150,
    }
    assert first["input_tokens"] == 1  # "Hi", after the breakpoint
    marked = {
        "role": "user",
        "content": [
            {"type": "text", "text": "Long question " * 10, "cache_control": {"type": "ephemeral"}}
        ],
    }
    longer = {**body, "messages": [marked]}
    second = post(anthropic, longer).json()["usage"]
    assert (second["cache_read_input_tokens"], second["cache_creation_input_tokens"]) == (150, 20)
    assert post(anthropic, longer).json()["usage"]["cache_read_input_tokens"] == 170
    no_breakpoint = post(anthropic).json()["usage"]
    assert (
        no_breakpoint["cache_read_input_tokens"]
        == no_breakpoint["cache_creation_input_tokens"]
        == 0
    )


def test_scripted_usage_is_sent_as_given(anthropic: FakeAnthropic) -> None:
    usage = {"input_tokens": 3, "cache_read_input_tokens": 7351, "output_tokens": 4}
    anthropic.reply(text("OK", usage=usage, repeat=2))
    assert post(anthropic).json()["usage"] == usage
    stream = streamed(anthropic)
    assert stream[0][1]["message"]["usage"] == {**usage, "output_tokens": 1}
    assert [d["usage"] for n, d in stream if n == "message_delta"] == [usage]


# ---- models, token counts, routes ----------------------------------------------------------------


def test_models_are_listed_in_pages_newest_first(anthropic: FakeAnthropic) -> None:
    everything = get(anthropic, "/models?limit=1000").json()
    ids = [m["id"] for m in everything["data"]]
    assert everything["has_more"] is False and "claude-haiku-4-5-20251001" in ids
    created = [m["created_at"] for m in everything["data"]]
    assert created == sorted(created, reverse=True) and created[0].endswith("Z")
    assert set(everything["data"][0]) == {
        "type",
        "id",
        "display_name",
        "created_at",
        "max_input_tokens",
        "max_tokens",
    }
    walked, query = [], "/models?limit=3"
    while True:
        page = get(anthropic, query).json()
        walked += [m["id"] for m in page["data"]]
        assert (page["first_id"], page["last_id"]) == (
            page["data"][0]["id"],
            page["data"][-1]["id"],
        )
        if not page["has_more"]:
            break
        query = f"/models?limit=3&after_id={page['last_id']}"
    assert walked == ids and len(ids) > 3
    back = get(anthropic, f"/models?limit=2&before_id={ids[3]}").json()
    assert ([m["id"] for m in back["data"]], back["has_more"]) == (ids[1:3], True)
    assert (
        get(anthropic, "/models/claude-haiku-4-5-20251001").json()["display_name"]
        == "Claude Haiku 4.5"
    )
    assert refused(get(anthropic, "/models/claude-nope"))[:2] == (404, "not_found_error")
    assert refused(get(anthropic, "/models?limit=0"))[:2] == (400, "invalid_request_error")
    assert refused(get(anthropic, "/models?after_id=claude-nope"))[:2] == (
        400,
        "invalid_request_error",
    )


def test_routes_queues_and_the_record_of_requests(anthropic: FakeAnthropic) -> None:
    anthropic.route("/models", lambda request: Reply(body={"data": [], "has_more": False}))
    anthropic.reply(raw({"input_tokens": 42}), path="/count_tokens")
    assert get(anthropic, "/models").json() == {"data": [], "has_more": False}
    count = {"model": "claude-haiku-4-5", "messages": HI["messages"]}  # no max_tokens needed
    assert post(anthropic, count, "/messages/count_tokens").json() == {"input_tokens": 42}
    assert post(anthropic, count, "/messages/count_tokens").json() == {"input_tokens": 1}  # "Hi"
    assert anthropic.pending("/count_tokens") == 0
    # /messages is not /count_tokens: its queue is its own
    assert post(anthropic).json()["content"][0]["text"] == "You said: Hi"
    assert refused(post(anthropic, path="/complete"))[:2] == (404, "not_found_error")
    request = anthropic.requests[-2]
    assert (request.path, request.headers["x-api-key"], request.json) == (
        "/v1/messages",
        "sk-ant-test",
        HI,
    )


# ---- pyllm clients -----------------------------------------------------------------------------


def test_client_points_pyllm_at_the_fake_with_a_private_model_cache() -> None:
    with FakeAnthropic() as fake, FakeAnthropic(api_key="sk-ant-mine") as keyed:
        settings = fake.client().settings
        assert settings.anthropic_base_url == fake.url and fake.url.endswith("/v1")
        assert settings.anthropic_api_key is not None
        mine = keyed.client().settings.anthropic_api_key
        assert mine is not None and mine.reveal() == "sk-ant-mine"
        assert "pyllm-fake-models-" in str(settings.models_cache_path)
        assert settings.allow_private_downloads is True
        other = fake.client(anthropic_api_key="sk-ant-other").settings
        assert (
            other.anthropic_api_key is not None
            and other.anthropic_api_key.reveal() == "sk-ant-other"
        )
