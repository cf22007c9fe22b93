"""Replay every recorded Anthropic tool conversation with the Python tools of OpenRouter's tool
replays (``test_tools_replay.py``), driven by its ``talk`` in all four modes.

pyllm must describe the tools exactly as recorded (``input_schema``), map the tool choice and
``parallel=False`` to Anthropic's ``tool_choice``, send every request body as recorded (tool_use
blocks, all results of a round in one user turn), and reach the same final answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import pyllm

from ._anthropic import (
    anthropic_calls,
    anthropic_chat,
    blocks_text,
    expected_answer,
    recorded,
    without_strict,
)
from ._anthropic import serve_anthropic as serve
from .test_tools_replay import RECEIVED, TOOLS, talk

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter


class DiceRoll(pyllm.Tool):
    """Rolls a single six-sided die and returns the result"""

    def __init__(self) -> None:
        self.rolls = 0

    def execute(self) -> str:
        self.rolls += 1
        return f'{{"roll":{self.rolls}}}'  # this recording's tool answered in compact JSON


ANTHROPIC_TOOLS: dict[str, Any] = {**TOOLS, "dice_roll": DiceRoll}

CASSETTES = [
    "chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_can_handle_multiple_tool_calls_in_a_single_response.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_can_use_parallel_tool_calls.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_in_multi-turn_conversations.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_with_multi-turn_streaming_conversations.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_without_parameters.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_can_use_tools_without_parameters_in_multi-turn_streaming_conversations.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_handles_anyof_params.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_handles_array_params.yml",
    "chat_function_calling_anthropic_claude-haiku-4-5_handles_object_params.yml",
    "chat_tool_choice_and_calls_control_anthropic_claude-haiku-4-5_respects_calls_one_for_sequential_execution.yml",
    "chat_tool_choice_and_calls_control_anthropic_claude-haiku-4-5_respects_choice_none.yml",
    "chat_tool_choice_and_calls_control_anthropic_claude-haiku-4-5_respects_choice_required_for_unrelated_queries.yml",
    "chat_tool_choice_and_calls_control_anthropic_claude-haiku-4-5_respects_specific_tool_choice.yml",
]


def choice_of(tool_choice: dict[str, Any] | None) -> tuple[str | None, bool | None]:
    """The ``with_tools(choice=..., parallel=...)`` a recorded ``tool_choice`` stands for."""
    if tool_choice is None:
        return None, None
    parallel = False if tool_choice.get("disable_parallel_tool_use") else None
    kind = tool_choice["type"]
    choice = {"any": "required", "tool": tool_choice.get("name")}.get(kind, kind)
    return choice, parallel


def configure(chat: pyllm.Chat, spec: dict[str, Any]) -> None:
    choice, parallel = choice_of(spec.get("tool_choice"))
    tools = [ANTHROPIC_TOOLS[t["name"]] for t in spec["tools"]]
    chat.with_tools(*tools, choice=choice, parallel=parallel)
    if spec.get("system"):
        chat.with_instructions(blocks_text(spec["system"]))


def prompts(spec: dict[str, Any]) -> list[str]:
    """The user's own messages of a recorded conversation (not the tool results)."""
    return [
        blocks_text(m["content"])
        for m in spec["messages"]
        if m["role"] == "user" and all(b["type"] == "text" for b in m["content"])
    ]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", CASSETTES, ids=lambda n: n.split("haiku-4-5_")[-1][:-4])
def test_replayed_tool_conversation(server: FakeOpenRouter, name: str, mode: str) -> None:
    interactions = anthropic_calls(recorded(name))
    serve(server, interactions, write_size=64)
    first, last = interactions[0].request_body, interactions[-1].request_body
    RECEIVED.clear()

    chat = anthropic_chat(server, first["model"])
    configure(chat, first)
    replies = [talk(chat, prompt, bool(first.get("stream")), mode) for prompt in prompts(last)]

    assert len(server.requests) == len(interactions)
    for sent_request, item in zip(server.requests, interactions, strict=True):
        assert sent_request.json == without_strict(item.request_body)  # the whole body

    final = replies[-1]
    if final.role == "tool":  # the tool halted the loop with the arguments it received
        assert final.parsed == RECEIVED[-1]
        assert final.content == pyllm.tools.render_result(RECEIVED[-1])
    else:
        assert final.content == expected_answer(interactions[-1])["text"]
        assert final.provider == "anthropic" and final.finish_reason == "stop"
    every_call = [c for m in chat.messages for c in m.tool_calls]
    assert [(c.id, c.name, dict(c.arguments)) for c in every_call] == [
        call for item in interactions for call in expected_answer(item)["calls"]
    ]
    answered = {m.tool_call_id for m in chat.messages if m.role == "tool"}
    assert {c.id for c in every_call} == answered  # every call has its result
