"""Canned OpenRouter-shaped bodies, rendered once: a chat completion and SSE streams of N chunks.

Shapes follow recorded OpenRouter traffic (``shared/fixtures/openrouter``): the non-stream body
starts with the whitespace OpenRouter sends while the upstream works; a stream opens with
``: OPENROUTER PROCESSING`` keep-alives, carries one ``chat.completion.chunk`` per delta, a
``finish_reason`` chunk, a final usage chunk with ``cost``, then ``data: [DONE]``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

__all__ = ["MODEL", "PROMPT", "WORDS", "chat_body", "expected_stream_text", "sse_events"]

MODEL = "anthropic/claude-haiku-4.5"
PROMPT = "Count from 1 to 3"
WORDS = ("alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta ", "eta ", "theta ")

_ID = "gen-1780944361-X5HAtL0Z2NQp8nHAiT6F"
_UPSTREAM_MODEL = "anthropic/claude-4.5-haiku-20251001"
_CREATED = 1780944361
_USAGE: dict[str, Any] = {
    "prompt_tokens": 15,
    "completion_tokens": 9,
    "total_tokens": 24,
    "cost": 0.00006,
    "is_byok": False,
    "prompt_tokens_details": {
        "cached_tokens": 0,
        "cache_write_tokens": 0,
        "audio_tokens": 0,
        "video_tokens": 0,
    },
    "cost_details": {
        "upstream_inference_cost": 0.00006,
        "upstream_inference_prompt_cost": 0.000015,
        "upstream_inference_completions_cost": 0.000045,
    },
    "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0, "audio_tokens": 0},
}


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


@lru_cache(maxsize=1)
def chat_body() -> bytes:
    """A non-streaming answer, exactly as OpenRouter frames it (leading whitespace included)."""
    body = {
        "id": _ID,
        "object": "chat.completion",
        "created": _CREATED,
        "model": _UPSTREAM_MODEL,
        "provider": "Amazon Bedrock",
        "system_fingerprint": None,
        "service_tier": None,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": "stop",
                "native_finish_reason": "end_turn",
                "message": {
                    "role": "assistant",
                    "content": "1\n2\n3",
                    "refusal": None,
                    "reasoning": None,
                },
            }
        ],
        "usage": _USAGE,
    }
    return b"\n         \n\n         \n" + _dumps(body)


def _chunk(delta: dict[str, Any], finish: str | None, native: str | None) -> dict[str, Any]:
    return {
        "id": _ID,
        "object": "chat.completion.chunk",
        "created": _CREATED,
        "model": _UPSTREAM_MODEL,
        "provider": "Amazon Bedrock",
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": finish,
                "native_finish_reason": native,
                "logprobs": None,
            }
        ],
    }


@lru_cache(maxsize=8)
def sse_events(chunks: int) -> tuple[bytes, ...]:
    """The SSE events of a stream with ``chunks`` content deltas, each ending in a blank line."""
    events = [b": OPENROUTER PROCESSING\n\n"] * 3
    for i in range(chunks):
        delta = {"role": "assistant", "content": WORDS[i % len(WORDS)]}
        events.append(b"data: " + _dumps(_chunk(delta, None, None)) + b"\n\n")
    events.append(
        b"data: "
        + _dumps(_chunk({"role": "assistant", "content": ""}, "stop", "end_turn"))
        + b"\n\n"
    )
    final = _chunk({"role": "assistant", "content": ""}, "stop", "end_turn")
    final["usage"] = _USAGE
    events.append(b"data: " + _dumps(final) + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return tuple(events)


def expected_stream_text(chunks: int) -> str:
    """What a client must assemble from ``sse_events(chunks)``: checked after every stream."""
    return "".join(WORDS[i % len(WORDS)] for i in range(chunks))
