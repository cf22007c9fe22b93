"""Chunks -> one Message: text, reasoning details, tool calls by index, usage, partials."""

from __future__ import annotations

from pyllm._engine.accumulator import Accumulator
from pyllm.chunk import Chunk, ToolCallDelta
from pyllm.message import Usage


def test_text_usage_and_metadata_come_together() -> None:
    acc = Accumulator(provider="openrouter")
    acc.add(Chunk(content="1\n", model="m", id="gen-1", upstream="Bedrock"))
    acc.add(Chunk(content="2", model="other", id="gen-2"))
    acc.add(Chunk(finish_reason="stop", native_finish_reason="end_turn"))
    acc.add(Chunk(finish_reason="stop", usage=Usage(3, 2, cost=0.1)))  # usage chunk repeats finish
    message = acc.message()
    assert message.content == "1\n2"
    assert (message.model, message.id, message.upstream, message.provider) == (
        "m",
        "gen-1",
        "Bedrock",
        "openrouter",
    )
    assert (message.finish_reason, message.native_finish_reason) == ("stop", "end_turn")
    assert message.usage == Usage(3, 2, cost=0.1)


def test_finish_reason_is_the_last_non_null_one() -> None:
    acc = Accumulator()
    acc.add(Chunk(finish_reason="tool_calls"))
    acc.add(Chunk(content=""))
    assert acc.message().finish_reason == "tool_calls"


def test_tool_calls_assemble_by_index_with_id_and_name_only_first() -> None:
    acc = Accumulator()
    for delta in [
        ToolCallDelta(0, "toolu_1", "weather", ""),
        ToolCallDelta(1, "toolu_2", "time", '{"tz"'),
        ToolCallDelta(0, None, None, '{"latitude": "52.5200'),
        ToolCallDelta(0, None, None, '", "longitude": "13'),
        ToolCallDelta(1, None, None, ': "UTC"}'),
        ToolCallDelta(0, None, None, '.4050"}'),
    ]:
        acc.add(Chunk(tool_call_deltas=(delta,)))
    calls = acc.message().tool_calls
    assert [(c.id, c.name) for c in calls] == [("toolu_1", "weather"), ("toolu_2", "time")]
    assert calls[0].arguments == {"latitude": "52.5200", "longitude": "13.4050"}
    assert calls[1].arguments == {"tz": "UTC"}


def test_missing_index_continues_the_last_call_and_a_new_id_starts_one() -> None:
    acc = Accumulator()
    for delta in [
        ToolCallDelta(None, "a", "first", '{"x":'),
        ToolCallDelta(None, None, None, " 1}"),
        ToolCallDelta(None, "b", "second", "{}"),
    ]:
        acc.add(Chunk(tool_call_deltas=(delta,)))
    calls = acc.message().tool_calls
    assert [(c.id, c.name, dict(c.arguments)) for c in calls] == [
        ("a", "first", {"x": 1}),
        ("b", "second", {}),
    ]


def test_repeated_index_with_a_new_id_is_a_new_call() -> None:
    acc = Accumulator()
    acc.add(Chunk(tool_call_deltas=(ToolCallDelta(0, "a", "f", '{"n": 1}'),)))
    acc.add(Chunk(tool_call_deltas=(ToolCallDelta(0, "b", "f", '{"n": 2}'),)))
    assert [c.arguments["n"] for c in acc.message().tool_calls] == [1, 2]


def test_tool_call_without_id_gets_a_stable_one() -> None:
    acc = Accumulator()
    acc.add(Chunk(tool_call_deltas=(ToolCallDelta(0, None, "f", "{}"),)))
    assert acc.message().tool_calls[0].id == "call_0"


def test_reasoning_details_merge_by_index_and_keep_the_signature() -> None:
    acc = Accumulator()
    acc.add(
        Chunk(
            reasoning="The user",
            reasoning_details=(
                {
                    "type": "reasoning.text",
                    "text": "The user",
                    "format": "anthropic-claude-v1",
                    "index": 0,
                },
            ),
        )
    )
    acc.add(
        Chunk(
            reasoning=" asks",
            reasoning_details=(
                {
                    "type": "reasoning.text",
                    "text": " asks",
                    "format": "anthropic-claude-v1",
                    "index": 0,
                },
            ),
        )
    )
    acc.add(Chunk(reasoning_details=({"type": "reasoning.text", "signature": "EvsC", "index": 0},)))
    acc.add(Chunk(reasoning_details=({"type": "reasoning.encrypted", "data": "gAAA", "index": 1},)))
    message = acc.message()
    assert message.reasoning == "The user asks"
    assert message.reasoning_details == (
        {
            "type": "reasoning.text",
            "text": "The user asks",
            "format": "anthropic-claude-v1",
            "index": 0,
            "signature": "EvsC",
        },
        {"type": "reasoning.encrypted", "data": "gAAA", "index": 1},
    )


def test_message_can_be_taken_mid_stream_without_being_changed_later() -> None:
    acc = Accumulator()
    acc.add(
        Chunk(
            content="Hel", reasoning_details=({"type": "reasoning.text", "text": "a", "index": 0},)
        )
    )
    partial = acc.message(finish_reason="incomplete")
    acc.add(
        Chunk(
            content="lo", reasoning_details=({"type": "reasoning.text", "text": "b", "index": 0},)
        )
    )
    assert partial.content == "Hel" and partial.partial
    assert partial.reasoning_details[0]["text"] == "a"
    assert acc.message().content == "Hello"


# ---- usage reported in parts (issue 12) ---------------------------------------------------


def test_usage_chunks_merge_later_counts_over_earlier_ones() -> None:
    """Anthropic-style: input tokens at the start of the stream, output tokens at its end."""
    acc = Accumulator()
    acc.add(Chunk(usage=Usage(input_tokens=120, output_tokens=1, cached_tokens=100)))
    acc.add(Chunk(content="Hi"))
    acc.add(Chunk(finish_reason="stop", usage=Usage(output_tokens=42)))
    usage = acc.message().usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.cached_tokens) == (120, 42, 100)
    assert usage.total_tokens == 162


def test_a_later_usage_chunk_with_every_field_replaces_the_earlier_one() -> None:
    acc = Accumulator()
    acc.add(Chunk(usage=Usage(input_tokens=5, output_tokens=5, cost=0.1)))
    acc.add(Chunk(usage=Usage(input_tokens=7, output_tokens=9, total_tokens=20, cost=0.3)))
    assert acc.message().usage == Usage(7, 9, 20, cost=0.3)


def test_a_cost_reported_first_survives_a_usage_chunk_without_one() -> None:
    acc = Accumulator()
    acc.add(Chunk(usage=Usage(input_tokens=3, cost=0.25, cost_source="provider")))
    acc.add(Chunk(usage=Usage(output_tokens=4)))
    usage = acc.message().usage
    assert usage is not None
    assert (usage.cost, usage.cost_source, usage.total_tokens) == (0.25, "provider", 7)


def test_one_usage_chunk_is_kept_as_it_came() -> None:
    reported = Usage(3, 2, cost=0.1, raw={"prompt_tokens": 3})
    acc = Accumulator()
    acc.add(Chunk(usage=reported))
    assert acc.message().usage is reported
