"""How a scripted :class:`~pyllm.testing.Reply` looks on OpenRouter's Chat Completions wire: a
``chat.completion`` body, or ``chat.completion.chunk`` SSE events (pure).

Unscripted text echoes the last user message; usage is counted from the words sent and
received, with a cost, the way OpenRouter reports it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._replies import Reply

__all__ = ["Rendered", "echo_text", "failure_event", "text_pieces", "token_logprobs", "usage_for"]

_counter = iter(range(1, 1 << 62))


def _words(content: str) -> int:
    return max(1, len(content.split())) if content else 0


def echo_text(request: Mapping[str, Any]) -> str:
    """The default answer: what the last user message said."""
    for message in reversed(request.get("messages") or []):
        if isinstance(message, Mapping) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(
                    p.get("text", "") for p in content if isinstance(p, Mapping) and "text" in p
                )
            return f"You said: {content}" if content else "Hello from the fake OpenRouter!"
    return "Hello from the fake OpenRouter!"


def usage_for(reply: Reply, request: Mapping[str, Any], answer: str) -> dict[str, Any]:
    """The scripted usage, else one counted from the words (with an OpenRouter-style cost)."""
    if reply.usage is not None:
        return dict(reply.usage)
    prompt = 0
    for message in request.get("messages") or []:
        if isinstance(message, Mapping):
            content = message.get("content")
            prompt += _words(content if isinstance(content, str) else json.dumps(content))
    reasoning = _words(reply.reasoning or "")
    completion = _words(answer) + reasoning + 5 * len(reply.tool_calls)
    prompt_cost, completion_cost = prompt * 1e-6, completion * 2e-6
    cost = round(prompt_cost + completion_cost, 12)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": cost,
            "upstream_inference_prompt_cost": round(prompt_cost, 12),
            "upstream_inference_completions_cost": round(completion_cost, 12),
        },
        "completion_tokens_details": {"reasoning_tokens": reasoning, "image_tokens": 0},
    }


def token_logprobs(pieces: list[str], request: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """Made-up log probabilities for ``pieces`` (one token each), when ``request`` asks for
    them: deterministic, with ``top_logprobs`` alternatives (the token itself first)."""
    if not request.get("logprobs"):
        return None
    top = request.get("top_logprobs")
    top = top if isinstance(top, int) and not isinstance(top, bool) else 0

    def token(text: str, logprob: float) -> dict[str, Any]:
        return {"token": text, "logprob": logprob, "bytes": list(text.encode())}

    tokens = []
    for i, piece in enumerate(pieces):
        logprob = -0.05 * (1 + i % 5)
        alternatives = [token(piece, logprob)]
        alternatives += [token(f"{piece.strip()}~{k}", logprob - k) for k in range(1, top)]
        tokens.append({**token(piece, logprob), "top_logprobs": alternatives[:top]})
    return tokens


class Rendered:
    """What the server writes for one reply to one request."""

    def __init__(self, reply: Reply, request: Mapping[str, Any]) -> None:
        self.reply = reply
        self.request = request
        self.answer = reply.text if reply.text is not None else echo_text(request)
        self.generation_id = f"gen-{int(time.time())}-fake{next(_counter):08d}"
        self.model = reply.model or str(request.get("model") or "openrouter/fake")
        self.finish_reason = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")

    @property
    def headers(self) -> dict[str, str]:
        """Response headers of a rendered answer (before the scripted ones)."""
        return {"X-Generation-Id": self.generation_id}

    def _calls(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "function",
                "index": i,
                "id": spec.id or f"call_fake_{i}_{self.generation_id[-8:]}",
                "function": {"name": spec.name, "arguments": spec.arguments_json()},
            }
            for i, spec in enumerate(self.reply.tool_calls)
        ]

    def _envelope(self, obj: str) -> dict[str, Any]:
        return {
            "id": self.generation_id,
            "object": obj,
            "created": int(time.time()),
            "model": self.model,
            "provider": self.reply.upstream,
        }

    def json_body(self) -> bytes:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": self.answer if (self.answer or not self.reply.tool_calls) else None,
            "refusal": None,
            "reasoning": self.reply.reasoning,
        }
        if self.reply.tool_calls:
            message["tool_calls"] = self._calls()
        if self.reply.images:
            message["images"] = [
                {"type": "image_url", "image_url": {"url": u}} for u in self.reply.images
            ]
        if self.reply.annotations:
            message["annotations"] = [dict(a) for a in self.reply.annotations]
        logprobs = token_logprobs(self._pieces(), self.request)
        body = {
            **self._envelope("chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "logprobs": None if logprobs is None else {"content": logprobs},
                    "finish_reason": self.finish_reason,
                    "native_finish_reason": self.finish_reason,
                    "message": message,
                }
            ],
            "usage": usage_for(self.reply, self.request, self.answer),
        }
        prefix = b"\n         \n\n" if self.reply.whitespace else b""
        return prefix + json.dumps(body).encode()

    def _pieces(self) -> list[str]:
        return text_pieces(self.answer, self.reply.chunks)

    def _chunk(
        self,
        delta: dict[str, Any],
        finish: str | None = None,
        logprobs: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> bytes:
        choice = {
            "index": 0,
            "delta": {"role": "assistant", **delta},
            "finish_reason": finish,
            "native_finish_reason": finish,
        }
        if logprobs is not None:
            choice["logprobs"] = {"content": logprobs}
        chunk = {**self._envelope("chat.completion.chunk"), "choices": [choice], **extra}
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    def sse_events(self) -> Iterator[bytes]:
        """Data events (without keep-alives), the last one ``[DONE]`` unless disabled."""
        reply = self.reply
        if reply.reasoning:
            for word in reply.reasoning.split(" "):
                yield self._chunk({"content": "", "reasoning": word + " "})
        for annotation in reply.annotations:  # OpenRouter's web search: sources first
            yield self._chunk({"content": "", "annotations": [dict(annotation)]})
        pieces = self._pieces()
        logprobs = token_logprobs(pieces, self.request)
        for sent, piece in enumerate(pieces):
            if reply.stream_error is not None and sent >= reply.error_after:
                break
            own = None if logprobs is None else [logprobs[sent]]
            yield self._chunk({"content": piece}, logprobs=own)
        if reply.stream_error is not None:
            yield self._chunk({"content": ""}, "error", error=dict(reply.stream_error))
            return
        for i, call in enumerate(self._calls()):
            arguments = call["function"]["arguments"]
            head = {**call, "function": {"name": call["function"]["name"], "arguments": ""}}
            yield self._chunk({"content": None, "tool_calls": [head]})
            half = len(arguments) // 2
            for part in (arguments[:half], arguments[half:]):
                yield self._chunk(
                    {"content": None, "tool_calls": [{"index": i, "function": {"arguments": part}}]}
                )
        if reply.images:
            images = [{"type": "image_url", "image_url": {"url": u}} for u in reply.images]
            yield self._chunk({"content": "", "images": images})
        usage = usage_for(reply, self.request, self.answer)
        if reply.usage_chunk == "repeat":
            yield self._chunk({"content": ""}, self.finish_reason)
            yield self._chunk({"content": ""}, self.finish_reason, usage=usage)
        elif reply.usage_chunk == "separate":
            yield self._chunk({"content": ""}, self.finish_reason)
            yield (
                b"data: "
                + json.dumps(
                    {**self._envelope("chat.completion.chunk"), "choices": [], "usage": usage}
                ).encode()
                + b"\n\n"
            )
        else:
            yield self._chunk({"content": ""}, self.finish_reason)
        if reply.done:
            yield b"data: [DONE]\n\n"


def text_pieces(answer: str, count: int | None) -> list[str]:
    """``answer`` split for streaming: in ``count`` pieces, or one per word (with its space)."""
    if not answer:
        return []
    if count is None:
        pieces, word = [], ""
        for char in answer:
            word += char
            if char == " ":
                pieces.append(word)
                word = ""
        return [*pieces, word] if word else pieces
    count = max(1, min(count, len(answer)))
    size, extra = divmod(len(answer), count)
    pieces, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        pieces.append(answer[start:end])
        start = end
    return pieces


def failure_event(message: str) -> bytes:
    """The in-band error event that ends a stream the server failed to finish."""
    error = {"error": {"code": 500, "message": message}, "choices": []}
    return b"data: " + json.dumps(error).encode() + b"\n\n"
