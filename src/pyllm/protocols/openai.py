"""OpenAI's own API, pure: Chat Completions the way ``api.openai.com`` expects it.

What differs from the Chat Completions every OpenAI-compatible host speaks:

- **Reasoning models** (the o-series, the gpt-5 family) take the instructions as the
  ``developer`` role and the length cap as ``max_completion_tokens`` (they refuse
  ``max_tokens``). A model is a reasoning model when the registry says it reasons
  (``ChatRequest.model_info``) *or* its id says so (:func:`is_reasoning_model`): either is
  enough, so a model the registry does not know yet is still recognised by its name.
- ``with_thinking`` becomes ``reasoning_effort`` (:func:`reasoning_effort`): an effort as given
  (``"max"`` is OpenAI's ``"xhigh"``), a token budget as the effort of its size.
- Usage reads the ``prompt_tokens`` / ``completion_tokens`` of chat and the ``input_tokens`` /
  ``output_tokens`` of ``/images/generations``, with cached and reasoning tokens.

>>> from pyllm.message import Message
>>> from pyllm.request import ChatRequest
>>> history = (Message.system("Be terse."), Message.user("Hi"))
>>> payload = OpenAIChat("openai").render_chat(ChatRequest("o4-mini", history, max_tokens=50))
>>> payload["messages"][0], payload["max_completion_tokens"], "max_tokens" in payload
({'role': 'developer', 'content': 'Be terse.'}, 50, False)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..message import Usage
from .base import as_int
from .chat_completions import ChatCompletions

if TYPE_CHECKING:
    from ..model import Model
    from ..request import ChatRequest, Thinking

__all__ = ["BUDGET_EFFORTS", "OpenAIChat", "is_reasoning_model", "reasoning_effort"]

_REASONING_IDS = re.compile(r"(?:ft:)?(?:o\d|gpt-5)")

BUDGET_EFFORTS = ((2048, "low"), (8192, "medium"))
"""A thinking budget of at most this many tokens -> this effort; above the last: ``"high"``."""


def is_reasoning_model(model: str, known: Model | None = None) -> bool:
    """Whether OpenAI serves ``model`` as a reasoning model: the registry says it reasons
    (``known``), or its id starts with ``o`` and a digit or with ``gpt-5`` (fine-tuned ids
    ``ft:o4-mini:...`` too).

    >>> [is_reasoning_model(m) for m in ("o1-mini", "o4-mini", "gpt-5.1", "gpt-4.1", "omni-x")]
    [True, True, True, False, False]
    """
    if known is not None and "reasoning" in known.capabilities:
        return True
    return _REASONING_IDS.match(model) is not None


def reasoning_effort(thinking: Thinking | None) -> str | None:
    """OpenAI's ``reasoning_effort`` for ``with_thinking``: the effort as given (``"max"`` ->
    ``"xhigh"``, OpenAI's highest), a budget as the effort of its size (see
    :data:`BUDGET_EFFORTS`); ``None`` when neither is set (reasoning models reason anyway).

    >>> from pyllm.request import Thinking
    >>> [reasoning_effort(Thinking(effort="max")), reasoning_effort(Thinking(budget=4000))]
    ['xhigh', 'medium']
    """
    if thinking is None:
        return None
    if thinking.effort is not None:
        return "xhigh" if thinking.effort == "max" else thinking.effort
    if thinking.budget is None:
        return None
    for most, effort in BUDGET_EFFORTS:
        if thinking.budget <= most:
            return effort
    return "high"


class OpenAIChat(ChatCompletions):
    """Chat Completions as OpenAI's own API expects it (see the module docstring)."""

    def render_extras(self, request: ChatRequest, payload: dict[str, Any]) -> None:
        effort = reasoning_effort(request.thinking)
        if effort is not None:
            payload["reasoning_effort"] = effort
        if not is_reasoning_model(request.model, request.model_info):
            return
        if "max_tokens" in payload:
            payload["max_completion_tokens"] = payload.pop("max_tokens")
        payload["messages"] = [
            {**m, "role": "developer"} if m.get("role") == "system" else m
            for m in payload["messages"]
        ]

    def parse_usage(self, data: Any) -> Usage | None:
        if isinstance(data, Mapping) and "prompt_tokens" not in data and "input_tokens" in data:
            return _image_usage(data)
        return super().parse_usage(data)


def _image_usage(data: Mapping[str, Any]) -> Usage:
    """``/images/generations`` usage: ``input_tokens`` / ``output_tokens`` and their details."""
    inputs = data.get("input_tokens_details")
    outputs = data.get("output_tokens_details")
    inputs = inputs if isinstance(inputs, Mapping) else {}
    outputs = outputs if isinstance(outputs, Mapping) else {}
    return Usage(
        input_tokens=as_int(data.get("input_tokens")),
        output_tokens=as_int(data.get("output_tokens")),
        total_tokens=as_int(data.get("total_tokens")),
        cached_tokens=as_int(inputs.get("cached_tokens")),
        reasoning_tokens=as_int(outputs.get("reasoning_tokens")),
        raw=data,
    )
