"""The fast copies of frozen values (pyllm._frozen) behave exactly like dataclasses.replace,
and Usage.sum of one usage like the general sum."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pyllm._frozen import copy_with
from pyllm.message import Message, ToolCall, Usage
from pyllm.model import Model
from pyllm.request import (
    Caching,
    ChatRequest,
    ResponseSchema,
    ServerTool,
    Thinking,
    ToolDefinition,
    WebSearch,
)


def _every_field(cls: type, values: dict[str, Any]) -> Any:
    return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls)})


FULL_REQUEST = _every_field(
    ChatRequest,
    {
        "model": "m",
        "messages": (Message.user("hi"),),
        "stream": True,
        "temperature": 0.3,
        "tools": (ToolDefinition("f", "d", {"type": "object"}),),
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "schema": ResponseSchema("s", {"type": "object"}),
        "thinking": Thinking(effort="high"),
        "fallback_models": ("b",),
        "routing": {"sort": "price"},
        "params": {"seed": 1},
        "headers": {"X-A": "1"},
        "max_tokens": 9,
        "caching": Caching(ttl="1h"),
        "model_info": Model("m", "openai"),
        "stop": ("END",),
        "seed": 7,
        "user": "user-42",
        "logprobs": True,
        "top_logprobs": 3,
        "web_search": WebSearch(max_results=2),
        "server_tools": (ServerTool("openrouter:datetime"),),
        "plugins": ({"id": "file-parser", "pdf": {"engine": "native"}},),
        "session_id": "s-1",
        "metadata": {"team": "a"},
        "preset": "bot",
        "transforms": ("middle-out",),
    },
)


@pytest.mark.parametrize(
    ("value", "changes"),
    [
        (FULL_REQUEST, {"model": "other", "messages": (), "routing": None}),
        (FULL_REQUEST, {}),
        (
            Message(
                "assistant", "x", tool_calls=(ToolCall("c", "f"),), usage=Usage(1, 2), raw={"a": 1}
            ),
            {"turn_usage": Usage(3, 4), "parsed": {"ok": True}},
        ),
    ],
)
def test_a_copy_is_what_dataclasses_replace_gives(value: Any, changes: dict[str, Any]) -> None:
    copy = copy_with(value, changes)
    expected = dataclasses.replace(value, **changes)
    assert type(copy) is type(value)
    for field in dataclasses.fields(value):
        assert getattr(copy, field.name) == getattr(expected, field.name), field.name


def test_an_unknown_field_is_a_type_error_like_replace() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        Message.user("hi").replace(colour="red")


def test_the_sum_of_one_usage_is_that_usage_without_raw() -> None:
    one = Usage(3, 2, cached_tokens=1, cost=0.25, cost_source="provider", raw={"x": 1})
    summed = Usage.sum([one])
    assert summed == one and summed.raw is None
    assert (summed.total_tokens, summed.cost, summed.cost_source) == (5, 0.25, "provider")
    assert Usage.sum([Usage(1)]).cost is None and Usage.sum([Usage(1)]).cost_source is None


def test_a_request_for_a_route_carries_every_other_field() -> None:
    info = Model("other", "openai", capabilities=frozenset({"reasoning"}))
    sent = FULL_REQUEST.for_route(
        "other",
        (),
        tool_choice="auto",
        fallback_models=("z",),
        routing={"only": ["x"]},
        model_info=info,
    )
    changed = {
        "model": "other",
        "messages": (),
        "tool_choice": "auto",
        "fallback_models": ("z",),
        "routing": {"only": ["x"]},
        "model_info": info,  # the route's own: never the template's
    }
    assert sent == dataclasses.replace(FULL_REQUEST, **changed)
