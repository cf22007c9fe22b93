"""Replay every recorded OpenRouter tool conversation with Python tools of the same shape.

The tools below are ordinary ``@pyllm.tool`` functions and ``pyllm.Tool`` classes; the test
asserts that pyllm describes them exactly as the recording did (names and parameter schemas),
runs the loop to the same final answer, and sends the same conversation back at every step.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pytest

import pyllm

from ._cassettes import Interaction, api_calls, load, normalize_messages, serve

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter


@pyllm.tool
def weather(latitude: str, longitude: str) -> str:
    """Gets current weather for a location

    Args:
        latitude: Latitude (e.g., 52.5200)
        longitude: Longitude (e.g., 13.4050)
    """
    return f"Current weather at {latitude}, {longitude}: 15°C, Wind: 10 km/h"


@pyllm.tool
def best_language_to_learn() -> str:
    """Gets the best language to learn"""
    return "Ruby"


class DiceRoll(pyllm.Tool):
    """Rolls a single six-sided die and returns the result"""

    def __init__(self) -> None:
        self.rolls = 0

    def execute(self) -> str:
        self.rolls += 1
        return f"{{roll: {self.rolls}}}"


@pyllm.tool
def reasoning_weather(city: Annotated[str, "City name (e.g., Berlin)"]) -> str:
    """Gets current weather for a city"""
    return f"Current weather in {city}: 15°C, cloudy"


RECEIVED: list[Any] = []


@pyllm.tool
def any_of_params(
    task: Annotated[str, "Task description"],
    status: Annotated[Literal["pending", "done"] | None, "Optional task status"],
) -> pyllm.Halt:
    """Uses params DSL any_of support"""
    RECEIVED.append((task, status))
    return pyllm.Halt(RECEIVED[-1])


@pyllm.tool
def array_params(tags: Annotated[list[str], "List of tags to combine"]) -> pyllm.Halt:
    """Uses params DSL array support"""
    RECEIVED.append(tags)
    return pyllm.Halt(RECEIVED[-1])


@dataclass
class Window:
    start: Annotated[str, "ISO start"]
    end: Annotated[str, "ISO end"]


@pyllm.tool
def object_params(window: Annotated[Window, "Time window to schedule"]) -> pyllm.Halt:
    """Uses params DSL object support"""
    RECEIVED.append(window)
    return pyllm.Halt(window)


TOOLS: dict[str, Any] = {
    "weather": weather,
    "best_language_to_learn": best_language_to_learn,
    "dice_roll": DiceRoll,
    "reasoning_weather": reasoning_weather,
    "any_of_params": any_of_params,
    "array_params": array_params,
    "object_params": object_params,
}

CASSETTES = [
    "chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_can_handle_multiple_tool_calls_in_a_single_response.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_can_use_parallel_tool_calls.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools_in_multi-turn_conversations.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools_without_parameters.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_handles_anyof_params.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_handles_array_params.yml",
    "chat_function_calling_openrouter_claude-haiku-4-5_handles_object_params.yml",
    "chat_tool_choice_and_calls_control_openrouter_claude-haiku-4-5_respects_calls_one_for_sequential_execution.yml",
    "chat_tool_choice_and_calls_control_openrouter_claude-haiku-4-5_respects_choice_none.yml",
    "chat_tool_choice_and_calls_control_openrouter_claude-haiku-4-5_respects_choice_required_for_unrelated_queries.yml",
    "chat_tool_choice_and_calls_control_openrouter_claude-haiku-4-5_respects_specific_tool_choice.yml",
    "chat_openrouter_reasoning_details_round-trip_replays_reasoning_details_across_tool_calls_and_turns.yml",
    "chat_openrouter_reasoning_details_round-trip_accumulates_reasoning_details_while_streaming_tool_calls.yml",
]


def _without_strict(tool: dict[str, Any]) -> dict[str, Any]:
    """ruby_llm puts ``"strict": true`` inside the parameters object; the rest must match."""
    function = dict(tool["function"])
    function["parameters"] = {k: v for k, v in function["parameters"].items() if k != "strict"}
    return {**tool, "function": function}


def _comparable(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool-call arguments compare as JSON values (ruby_llm re-serialized them); reasoning
    details compare on the keys ruby_llm kept (pyllm sends them back unchanged)."""
    out = []
    for message in normalize_messages(messages):
        message = dict(message)
        if message.get("tool_calls"):
            message["tool_calls"] = [
                {
                    **c,
                    "function": {
                        **c["function"],
                        "arguments": json.loads(c["function"]["arguments"] or "{}"),
                    },
                }
                for c in message["tool_calls"]
            ]
        message.pop("reasoning_details", None)
        out.append(message)
    return out


def _final_content(item: Interaction) -> str:
    text = item.body.decode()
    if item.request_body.get("stream"):
        return "".join(
            (c.get("delta") or {}).get("content") or ""
            for line in text.splitlines()
            if line.startswith("data: {")
            for c in json.loads(line[6:]).get("choices") or []
        )
    return json.loads(text)["choices"][0]["message"]["content"] or ""


def configure(chat: pyllm.Chat, spec: dict[str, Any]) -> None:
    tools = [TOOLS[t["function"]["name"]] for t in spec["tools"]]
    chat.with_tools(
        *tools, choice=_choice(spec.get("tool_choice")), parallel=spec.get("parallel_tool_calls")
    )
    systems = [m for m in spec["messages"] if m["role"] == "developer"]
    if systems:
        chat.with_instructions(systems[0]["content"])
    reasoning = spec.get("reasoning")
    if reasoning:
        chat.with_thinking(reasoning.get("effort"), budget=reasoning.get("max_tokens"))


def _choice(value: Any) -> str | None:
    return value["function"]["name"] if isinstance(value, dict) else value


def talk(chat: pyllm.Chat, prompt: str, stream: bool, mode: str) -> pyllm.Message:
    if stream and mode == "sync":
        s = chat.stream(prompt)
        kinds = [chunk.kind for chunk in s]
        assert ("tool_call" in kinds) == any(m.tool_calls for m in chat.messages)
        assert s.message is not None
        return s.message
    if stream:

        async def run() -> pyllm.Message:
            async with chat.astream(prompt) as s:
                async for _ in s:
                    pass
            assert s.message is not None
            return s.message

        return asyncio.run(run())
    return chat.ask(prompt) if mode == "sync" else asyncio.run(chat.aask(prompt))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", CASSETTES, ids=lambda n: n.split("openrouter_")[-1][:-4])
def test_replayed_tool_conversation(server: FakeOpenRouter, name: str, mode: str) -> None:
    interactions = api_calls(load(name))
    serve(server, interactions, write_size=64)
    first, last = interactions[0].request_body, interactions[-1].request_body
    RECEIVED.clear()

    chat = server.chat(first["model"])
    configure(chat, first)
    prompts = [m["content"] for m in last["messages"] if m["role"] == "user"]
    replies = [talk(chat, prompt, bool(first.get("stream")), mode) for prompt in prompts]

    assert len(server.requests) == len(interactions)
    for sent_request, item in zip(server.requests, interactions, strict=True):
        sent, recorded = sent_request.json, item.request_body
        assert sent["model"] == recorded["model"] and sent["stream"] == recorded["stream"]
        assert sent["tools"] == [_without_strict(t) for t in recorded["tools"]]
        assert sent.get("tool_choice") == recorded.get("tool_choice")
        assert sent.get("parallel_tool_calls") == recorded.get("parallel_tool_calls")
        assert sent.get("reasoning") == recorded.get("reasoning")
        assert _comparable(sent["messages"]) == _comparable(recorded["messages"])
        for ours, theirs in zip(sent["messages"], recorded["messages"], strict=True):
            for detail_ours, detail_theirs in zip(
                ours.get("reasoning_details", []), theirs.get("reasoning_details", []), strict=True
            ):
                assert {k: detail_ours[k] for k in detail_theirs} == detail_theirs

    final = replies[-1]
    if final.role == "tool":  # the tool halted the loop with the arguments it received
        assert final.parsed == RECEIVED[-1]
        assert final.content == pyllm.tools.render_result(RECEIVED[-1])
    else:
        assert final.content == _final_content(interactions[-1])
    every_call = [c for m in chat.messages for c in m.tool_calls]
    answered = {m.tool_call_id for m in chat.messages if m.role == "tool"}
    assert {c.id for c in every_call} == answered  # every call has its result


def test_typed_arguments_reach_the_tools(server: FakeOpenRouter) -> None:
    for name, expected in [
        (
            "chat_function_calling_openrouter_claude-haiku-4-5_handles_anyof_params.yml",
            ("Review PR", "pending"),
        ),
        (
            "chat_function_calling_openrouter_claude-haiku-4-5_handles_array_params.yml",
            ["red", "blue"],
        ),
        (
            "chat_function_calling_openrouter_claude-haiku-4-5_handles_object_params.yml",
            Window("2025-01-01", "2025-01-02"),
        ),
    ]:
        interactions = api_calls(load(name))
        serve(server, interactions)
        RECEIVED.clear()
        chat = server.chat("anthropic/claude-haiku-4.5")
        configure(chat, interactions[0].request_body)
        reply = chat.ask(interactions[0].request_body["messages"][-1]["content"])
        assert [expected] == RECEIVED
        assert reply.role == "tool" and reply.parsed is not None
        assert chat.messages[-1] is reply and chat.messages[-2].tool_calls
