"""What the real Anthropic API refuses before it answers, so the fake refuses it too: a missing
or wrong ``x-api-key`` (401), a missing ``anthropic-version`` (400), and a Messages body the API
rejects (400): required fields, roles, ranges, fields it does not have (``seed``, ``stop``...),
``metadata`` beyond ``user_id``, a ``tool_result`` without its ``tool_use`` (or the reverse), a
thinking block whose signature was changed.

Each check returns ``(status, error type, message)``, the messages worded like the API's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ._messages import signature

if TYPE_CHECKING:
    from ._http1 import RecordedRequest

__all__ = ["VERSIONS", "Refusal", "refusal"]

Refusal = tuple[int, str, str]

VERSIONS = ("2023-06-01", "2023-01-01")
"""The ``anthropic-version`` values the API accepts."""

_INVALID = "invalid_request_error"
_NOT_FIELDS = ("stop", "seed", "user", "logprobs", "top_logprobs", "plugins", "session_id")


def refusal(request: RecordedRequest, api_key: str | None) -> Refusal | None:
    """Why the API would refuse ``request`` (``api_key``: the only key accepted, or any)."""
    key = request.headers.get("x-api-key")
    if not key:
        return 401, "authentication_error", "x-api-key header is required"
    if api_key is not None and key != api_key:
        return 401, "authentication_error", "invalid x-api-key"
    version = request.headers.get("anthropic-version")
    if not version:
        return 400, _INVALID, "anthropic-version: header is required"
    if version not in VERSIONS:
        return 400, _INVALID, f"anthropic-version: invalid version {version!r}"
    if request.method == "POST" and request.path.endswith(("/messages", "/messages/count_tokens")):
        problem = _body_problem(request.json, counting=request.path.endswith("/count_tokens"))
        if problem is not None:
            return 400, _INVALID, problem
    return None


def _body_problem(body: Any, *, counting: bool) -> str | None:
    if not isinstance(body, dict):
        return "request body: Input should be a valid JSON object"
    for name in ("model", "messages") if counting else ("model", "messages", "max_tokens"):
        if name not in body:
            return f"{name}: Field required"
    if not counting:
        problem = _number_problem(body) or _field_problem(body)
        if problem is not None:
            return problem
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    return _messages_problem(messages)


def _number_problem(body: Mapping[str, Any]) -> str | None:
    max_tokens = body["max_tokens"]
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        return "max_tokens: Input should be a valid integer"
    if max_tokens < 1:
        return "max_tokens: Input should be greater than or equal to 1"
    temperature = body.get("temperature")
    if temperature is not None and not (
        isinstance(temperature, (int, float)) and 0 <= temperature <= 1
    ):
        return "temperature: Input should be a number from 0 to 1"
    thinking = body.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1024:
            return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
        if max_tokens <= budget:
            return "`max_tokens` must be greater than `thinking.budget_tokens`"
    return None


def _field_problem(body: Mapping[str, Any]) -> str | None:
    """Chat Completions fields the Messages API does not have, ``metadata`` beyond
    ``user_id``, and stop sequences that are not a list of strings."""
    for name in _NOT_FIELDS:
        if name in body:
            return f"{name}: Extra inputs are not permitted"
    metadata = body.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            return "metadata: Input should be a valid dictionary"
        for key in metadata:
            if key != "user_id":
                return f"metadata.{key}: Extra inputs are not permitted"
    stops = body.get("stop_sequences")
    if stops is not None and (
        not isinstance(stops, list) or not all(isinstance(s, str) for s in stops)
    ):
        return "stop_sequences: Input should be a valid list of strings"
    return None


def _messages_problem(messages: list[Any]) -> str | None:
    previous: Mapping[str, Any] = {}
    for i, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        problem = _pairing_problem(i, previous, message) or _signature_problem(i, message)
        if problem is not None:
            return problem
        previous = message
    return None


def _blocks(message: Mapping[str, Any], kind: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    content = message.get("content")
    for j, block in enumerate(content if isinstance(content, list) else []):
        if isinstance(block, Mapping) and block.get("type") == kind:
            yield j, block


def _pairing_problem(i: int, previous: Mapping[str, Any], message: Mapping[str, Any]) -> str | None:
    """Each ``tool_use`` is answered by a ``tool_result`` in the very next message, and each
    ``tool_result`` answers a ``tool_use`` of the message before it."""
    calls = [str(block.get("id")) for _, block in _blocks(previous, "tool_use")]
    results = {str(block.get("tool_use_id")): j for j, block in _blocks(message, "tool_result")}
    for result_id, j in results.items():
        if result_id not in calls:
            return (
                f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` "
                f"blocks: {result_id}. Each `tool_result` block must have a corresponding "
                "`tool_use` block in the previous message."
            )
    unanswered = [call for call in calls if call not in results]
    if unanswered:
        return (
            f"messages.{i - 1}: `tool_use` ids were found without `tool_result` blocks "
            f"immediately after: {', '.join(unanswered)}. Each `tool_use` block must have a "
            "corresponding `tool_result` block in the next message."
        )
    return None


def _signature_problem(i: int, message: Mapping[str, Any]) -> str | None:
    """A thinking block comes back exactly as the fake signed it."""
    for j, block in _blocks(message, "thinking"):
        if block.get("signature") != signature(str(block.get("thinking", ""))):
            return f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block"
    return None
