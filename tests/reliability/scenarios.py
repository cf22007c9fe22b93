"""Fault scenarios shared by the reliability tests and ``scripts/reliability_report.py``.

Each scenario scripts the fake OpenRouter with a fault, runs one ``ask`` or ``stream`` (sync or
async), and observes what pyllm did: the outcome, how many requests the server saw, what
partial answer an error carried, and whether ``chat.messages`` stayed consistent.

``fake=FakeAnthropic`` runs a scenario against the fake Anthropic instead (its default model,
provider="anthropic"); ``openrouter=(replies...)`` then also starts a fake OpenRouter that the
chat's client reaches (for ``fallbacks=(pyllm.Route("claude-haiku-4-5", "openrouter"),)``), and
the requests of both servers are counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyllm
from pyllm.testing import (
    FakeAnthropic,
    FakeOpenRouter,
    Reply,
    ToolCallSpec,
    drop,
    error,
    raw,
    stream_error,
    text,
    tool_call,
)

FAST = {"retry_backoff": 0.01, "max_retries": 3}


@dataclass(frozen=True)
class Scenario:
    fault: str
    replies: tuple[Reply, ...]
    outcome: str  # "answer" or the error class name
    requests: int
    stream: bool = False
    partial: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    fallbacks: tuple[str | pyllm.Route, ...] = ()
    fake: type[FakeOpenRouter] | type[FakeAnthropic] = FakeOpenRouter  # the server faulted
    openrouter: tuple[Reply, ...] = ()  # a fake OpenRouter beside a FakeAnthropic answers these
    configure: Callable[[pyllm.Chat], object] | None = None  # issue 15: tools, schemas
    roles: tuple[str, ...] = ("user", "assistant")  # the history an answer must leave
    final: str = "a b c d"  # and the text it ends with

    @property
    def expected(self) -> str:
        text = self.outcome if self.outcome != "answer" else "answer"
        text += f", {self.requests} request{'s' if self.requests != 1 else ''}"
        if self.partial is not None:
            text += f", partial {self.partial!r}"
        return text


@dataclass(frozen=True)
class Observation:
    outcome: str
    requests: int
    partial: str | None
    consistent: bool
    problems: tuple[str, ...] = ()  # e.g. the API key shown by the error, a NaN cost kept

    def describe(self) -> str:
        text = f"{self.outcome}, {self.requests} request{'s' if self.requests != 1 else ''}"
        if self.partial is not None:
            text += f", partial {self.partial!r}"
        text += "".join(f", {problem}" for problem in self.problems)
        return text + ("" if self.consistent else ", HISTORY INCONSISTENT")


PROVIDER_502 = {
    "provider_name": "Google AI Studio",
    "raw": '{"error": {"code": 500, "message": "An internal error has occurred"}}',
}
ANSWER = text("a b c d")
KEY = "sk-or-fake-key"  # the key server.chat() sends; scenarios that echo it check it never shows
KEYS = (KEY, "sk-ant-fake-key")  # ...and the key of FakeAnthropic's chat()
DEEP = b"[" * 100_000 + b"]" * 100_000  # JSON nested far deeper than Python's recursion limit


def _events(*data: bytes) -> bytes:
    return b"".join(b"data: " + d + b"\n\n" for d in data)


def _usage(**values: Any) -> dict[str, Any]:
    return {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "cost": 1e-5, **values}


SCENARIOS: list[Scenario] = [
    Scenario(
        "429 with Retry-After, then success",
        (error(429, "slow down", retry_after=0.05), ANSWER),
        "answer",
        2,
    ),
    Scenario("503 three times, then success", (error(503, "busy", repeat=3), ANSWER), "answer", 4),
    Scenario(
        "502 with provider metadata, every time",
        (error(502, "Provider returned error", metadata=PROVIDER_502, repeat=9),),
        "ServiceUnavailableError",
        4,
    ),
    Scenario("408, then success", (error(408, "timeout"), ANSWER), "answer", 2),
    Scenario("529, then success", (error(529, "overloaded"), ANSWER), "answer", 2),
    Scenario("400 (never retried)", (error(400, "bad temperature"), ANSWER), "BadRequestError", 1),
    Scenario("401 (never retried)", (error(401, "bad key"), ANSWER), "AuthenticationError", 1),
    Scenario("402 (never retried)", (error(402, "no credits"), ANSWER), "PaymentRequiredError", 1),
    Scenario("413 (never retried)", (error(413, "too large"), ANSWER), "PayloadTooLargeError", 1),
    Scenario(
        "connection reset before headers, then success",
        (drop("before_headers"), ANSWER),
        "answer",
        2,
    ),
    Scenario(
        "reset mid-stream before any content, then success",
        (drop(after=0, text="x y"), ANSWER),
        "answer",
        2,
        stream=True,
    ),
    Scenario(
        "reset mid-stream after content (not retried)",
        (drop(after=2, text="a b c d"), ANSWER),
        "APIConnectionError",
        1,
        stream=True,
        partial="a b ",
    ),
    *[
        Scenario(
            f"mid-stream error chunk {code} after content",
            (stream_error(code, "upstream failed", after=1, text="a b c"), ANSWER),
            cls,
            1,
            stream=True,
            partial="a ",
        )
        for code, cls in [
            (400, "BadRequestError"),
            (408, "RequestTimeoutError"),
            (429, "RateLimitError"),
            (500, "ServerError"),
            (502, "ServiceUnavailableError"),
            (503, "ServiceUnavailableError"),
            (529, "OverloadedError"),
        ]
    ],
    Scenario(
        "mid-stream error chunk 503 before any content, then success",
        (stream_error(503, "cold start", after=0), ANSWER),
        "answer",
        2,
        stream=True,
    ),
    Scenario(
        "200 with an error body (502), then success",
        (raw({"error": {"code": 502, "message": "upstream"}}), ANSWER),
        "answer",
        2,
    ),
    Scenario(
        "200 with an error body (400)",
        (raw({"error": {"code": 400, "message": "invalid"}}), ANSWER),
        "BadRequestError",
        1,
    ),
    Scenario(
        "truncated JSON body",
        (raw(b'{"id": "gen-1", "choices": [{"mess'), ANSWER),
        "InvalidResponseError",
        1,
    ),
    Scenario(
        "invalid UTF-8 body",
        (raw(b'{"choices": [{"message": {"content": "\xff"}}]}'), ANSWER),
        "InvalidResponseError",
        1,
    ),
    Scenario(
        "invalid UTF-8 in a stream after content",
        (
            raw(
                b'data: {"choices":[{"delta":{"content":"ok "}}]}\n\ndata: {"choices":[{"delta":{"content":"\xff"}}]}\n\n',
                content_type="text/event-stream",
            ),
            ANSWER,
        ),
        "InvalidResponseError",
        1,
        stream=True,
        partial="ok ",
    ),
    Scenario(
        "stream stalls past the read timeout after content",
        (Reply(text="a b c", stall=2.0, stall_after=2), ANSWER),
        "APITimeoutError",
        1,
        stream=True,
        partial="a b ",
        settings={"timeout": 0.3},
    ),
    Scenario(
        "stream stalls before any content, then success",
        (Reply(text="a b", stall=2.0, stall_after=0), ANSWER),
        "answer",
        2,
        stream=True,
        settings={"timeout": 0.3},
    ),
    Scenario(
        "server never answers (read timeout)",
        (text("late", delay=30, repeat=9),),
        "APITimeoutError",
        2,
        settings={"timeout": 0.2, "max_retries": 1},
    ),
    Scenario(
        "total timeout across retries",
        (text("late", delay=30, repeat=9),),
        "APITimeoutError",
        1,
        settings={"timeout": 5.0, "total_timeout": 0.4},
    ),
    Scenario(
        "keep-alives only, then close",
        (raw(b": OPENROUTER PROCESSING\n\n", content_type="text/event-stream", repeat=9),),
        "APIConnectionError",
        4,
        stream=True,
    ),
    # Issue 11, item 10: JSON nested too deeply is a typed error, never a bare RecursionError.
    Scenario("200 body nested 100,000 deep", (raw(DEEP), ANSWER), "InvalidResponseError", 1),
    Scenario(
        "stream event nested 100,000 deep after content",
        (
            raw(
                _events(b'{"choices":[{"delta":{"content":"ok "}}]}', DEEP),
                content_type="text/event-stream",
            ),
            ANSWER,
        ),
        "InvalidResponseError",
        1,
        stream=True,
        partial="ok ",
    ),
    Scenario(
        "400 whose error body is nested 100,000 deep",
        (raw(DEEP, status=400), ANSWER),
        "BadRequestError",
        1,
    ),
    # Issue 11, item 12: a NaN, infinite or negative cost or token count counts as absent.
    *[
        Scenario(
            f"usage with {label}",
            (text("a b c d", usage=_usage(**values)),),
            "answer",
            1,
            stream=stream,
        )
        for label, values in [
            ("cost NaN", {"cost": math.nan}),
            ("cost -1 and negative token counts", {"cost": -1, "prompt_tokens": -3}),
            ("cost Infinity", {"cost": math.inf}),
        ]
        for stream in (False, True)
    ],
    # Issue 11, item 14: a key a server echoes never shows in str, repr, raw, metadata, tracebacks.
    Scenario(
        "401 echoing the API key in its message and metadata",
        (error(401, f"Invalid key {KEY}", metadata={"raw": f'{{"key": "{KEY}"}}'}),),
        "AuthenticationError",
        1,
    ),
    Scenario(
        "200 HTML page echoing the API key",
        (raw(f"<html><body>bad key {KEY}</body></html>", content_type="text/html"), ANSWER),
        "InvalidResponseError",
        1,
    ),
    Scenario(
        "in-band stream error echoing the API key after content",
        (stream_error(400, f"key {KEY} is not allowed", after=1, text="a b c"), ANSWER),
        "BadRequestError",
        1,
        stream=True,
        partial="a ",
    ),
    # Issue 11, item 3: a Retry-After beyond max_retry_wait gives up at once; nonsense backs off.
    *[
        Scenario(
            f"429 with Retry-After: {wait} (over max_retry_wait)",
            (error(429, "daily limit reached", retry_after=wait), ANSWER),
            "RateLimitError",
            1,
            stream=stream,
        )
        for wait, stream in [("3600", False), ("3600", True), ("1e9", False), ("inf", False)]
    ],
    Scenario(
        "429 with Retry-After: 3600 and a fallback model",
        (error(429, "daily limit reached", retry_after=3600), ANSWER),
        "answer",
        2,
        fallbacks=("anthropic/claude-haiku-4.5",),
    ),
    Scenario(
        "429 with Retry-After: -5 (backoff), then success",
        (error(429, "slow down", retry_after=-5), ANSWER),
        "answer",
        2,
    ),
    Scenario(
        "503 with retry-after-ms, then success",
        (error(503, "busy", headers={"retry-after-ms": "20"}), ANSWER),
        "answer",
        2,
    ),
    # Issue 11, item 4: after the server-side models list fails, each other model once.
    *[
        Scenario(
            "models list fails (503 on every retry), the next model answers client-side",
            (error(503, "every model is down", repeat=4), ANSWER),
            "answer",
            5,
            stream=stream,
            fallbacks=("anthropic/claude-haiku-4.5", "google/gemini-2.5-flash"),
        )
        for stream in (False, True)
    ],
    Scenario(
        "models list and every model fail (429)",
        (error(429, "rate limited", repeat=9),),
        "RateLimitError",
        6,
        fallbacks=("anthropic/claude-haiku-4.5", "google/gemini-2.5-flash"),
    ),
]


def observe(scenario: Scenario, mode: str) -> Observation:
    """Run ``scenario`` against a fresh fake server, ``mode`` "sync" or "async"."""
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(scenario.fake())
        server.reply(*scenario.replies)
        beside = _beside(scenario, stack)
        servers = [server, *beside]
        reach = {"openrouter_api_key": KEY, "openrouter_base_url": beside[0].url} if beside else {}
        chat = server.chat(**{**FAST, **reach, **scenario.settings})  # the fake's default model
        if scenario.fallbacks:
            chat.with_fallbacks(*scenario.fallbacks)
        if scenario.configure is not None:
            scenario.configure(chat)
        outcome, partial, failure = "answer", None, None
        try:
            run(chat, mode, scenario.stream)
        except pyllm.Error as exc:
            outcome, failure = type(exc).__name__, exc
            carried = getattr(exc, "partial", None)
            partial = carried.content if carried is not None else None
        roles = [m.role for m in chat.messages]
        consistent = roles == (list(scenario.roles) if outcome == "answer" else [])
        if outcome == "answer":
            consistent = consistent and chat.messages[-1].content == scenario.final
        problems = _problems(chat, failure)
        requests = sum(len(s.requests) for s in servers)
        return Observation(outcome, requests, partial, consistent, problems)


def _beside(scenario: Scenario, stack: contextlib.ExitStack) -> list[FakeOpenRouter]:
    """The fake OpenRouter beside the faulted fake, scripted, when the scenario has one."""
    if not scenario.openrouter:
        return []
    if scenario.fake is FakeOpenRouter:
        raise ValueError(f"{scenario.fault}: openrouter= replies need fake=FakeAnthropic")
    beside = stack.enter_context(FakeOpenRouter())
    beside.reply(*scenario.openrouter)
    return [beside]


def _problems(chat: pyllm.Chat, failure: pyllm.Error | None) -> tuple[str, ...]:
    """What no scenario may show: the API key anywhere in the error, a poisoned cost or count."""
    found = []
    if failure is not None:
        shown = "".join(traceback.format_exception(type(failure), failure, None))
        shown += repr(failure) + repr(getattr(failure, "raw", None))
        shown += repr(getattr(failure, "metadata", None))
        if any(key in shown for key in KEYS):
            found.append("API KEY SHOWN")
    usage = chat.messages[-1].usage if failure is None and chat.messages else None
    if usage is not None:
        counts = (usage.input_tokens, usage.output_tokens, usage.total_tokens)
        cost = chat.cost
        if min(counts) < 0 or (cost is not None and not (math.isfinite(cost) and cost >= 0)):
            found.append("USAGE POISONED")
    return tuple(found)


def run(chat: pyllm.Chat, mode: str, stream: bool) -> None:
    if mode == "sync":
        if stream:
            for _ in chat.stream("go"):
                pass
        else:
            chat.ask("go")
        return

    async def go() -> None:
        if stream:
            async with chat.astream("go") as chunks:
                async for _ in chunks:
                    pass
        else:
            await chat.aask("go")

    asyncio.run(go())


# ---- issue 11 (h11a): the HTTP edge and streams ------------------------------------------------

COMPLETION = {
    "id": "gen-json-1",
    "model": "openai/gpt-4.1-mini",
    "choices": [{"message": {"role": "assistant", "content": "a b c d"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 4, "total_tokens": 5, "cost": 0.0001},
}
SSE_ANSWER = (
    b'data: {"choices":[{"delta":{"content":"a b c d"}}]}\n\n'
    b'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)
EVENT_STREAM = {"content_type": "text/event-stream"}
REDIRECT = {"Location": "https://api.example.com/v1/chat/completions"}
HUGE_LINE = b'data: {"choices":[{"delta":{"content":"' + b"x" * (33 << 20) + b'"}}]}'

SCENARIOS += [
    # item 1: a stream request answered with a plain JSON body (the server ignored stream: true)
    Scenario("200 JSON answer to a stream request", (raw(COMPLETION), ANSWER), "answer", 1, True),
    Scenario(
        "200 JSON error (400) to a stream request",
        (raw({"error": {"code": 400, "message": "invalid"}}), ANSWER),
        "BadRequestError",
        1,
        stream=True,
    ),
    Scenario(
        "200 JSON error (502) to a stream request, then success",
        (raw({"error": {"code": 502, "message": "upstream"}}), ANSWER),
        "answer",
        2,
        stream=True,
    ),
    # item 5: total_timeout while a non-stream body trickles in
    Scenario(
        "body trickles in past the total timeout",
        (raw(json.dumps(COMPLETION), write_size=8, chunk_delay=0.05, repeat=9),),
        "APITimeoutError",
        1,
        settings={"total_timeout": 0.4},
    ),
    # item 6: bytes after [DONE] are drained (the connection is reused), never parsed
    Scenario(
        "bytes after [DONE]",
        (raw(SSE_ANSWER + b"data: not json\n\n" * 100, **EVENT_STREAM), ANSWER),
        "answer",
        1,
        stream=True,
    ),
    # item 7: a redirect from the API is never followed and never retried
    Scenario("301 from the API", (raw(b"", 301, headers=REDIRECT), ANSWER), "RedirectError", 1),
    Scenario(
        "307 from the API",
        (raw(b"", 307, headers=REDIRECT), ANSWER),
        "RedirectError",
        1,
        stream=True,
    ),
    # item 8: a body that cannot be decoded is not a connection error
    Scenario(
        "corrupt gzip body (not retried)",
        (raw(b"not gzip", headers={"Content-Encoding": "gzip"}), ANSWER),
        "InvalidResponseError",
        1,
    ),
    Scenario(
        "corrupt gzip stream (not retried)",
        (raw(b"not gzip", headers={"Content-Encoding": "gzip"}, **EVENT_STREAM), ANSWER),
        "InvalidResponseError",
        1,
        stream=True,
    ),
    # item 11: a byte order mark split across two reads
    Scenario(
        "byte order mark split across reads",
        (raw(b"\xef\xbb\xbf" + SSE_ANSWER, write_size=2, **EVENT_STREAM), ANSWER),
        "answer",
        1,
        stream=True,
    ),
    # item 13: one SSE line that never ends
    Scenario(
        "one 33 MB SSE line",
        (raw(HUGE_LINE, **EVENT_STREAM), ANSWER),
        "InvalidResponseError",
        1,
        stream=True,
    ),
    # issue 16: a budget refuses before sending; failed attempts do not eat it
    Scenario(
        "a client budget below the worst case (nothing sent)",
        (ANSWER,),
        "BudgetExceededError",
        0,
        settings={"budget_usd": 0.01},
    ),
    Scenario(
        "503 three times under a budget, then success",
        (error(503, "busy", repeat=3), ANSWER),
        "answer",
        4,
        settings={"budget_usd": 1.0},
    ),
]

# ---- issue 13 (h13a): Anthropic, and the rate-limit story with OpenRouter beside it -----------

CLAUDE_VIA_OPENROUTER = (pyllm.Route("claude-haiku-4-5", "openrouter"),)

SCENARIOS += [
    *[
        Scenario(
            "Anthropic 429 on every retry, then the OpenRouter route answers",
            (error(429, "rate limited", retry_after=0, repeat=4),),
            "answer",
            5,
            stream=stream,
            fallbacks=CLAUDE_VIA_OPENROUTER,
            fake=FakeAnthropic,
            openrouter=(ANSWER,),
        )
        for stream in (False, True)
    ],
    Scenario(
        "Anthropic 529 (overloaded_error), then success",
        (error(529, "Overloaded"), ANSWER),
        "answer",
        2,
        fake=FakeAnthropic,
    ),
    Scenario(
        "Anthropic event: error before any content, then success",
        (stream_error(529, "Overloaded", after=0, text="x y"), ANSWER),
        "answer",
        2,
        stream=True,
        fake=FakeAnthropic,
    ),
    Scenario(
        "Anthropic event: error after content (not retried)",
        (stream_error(529, "Overloaded", after=2, text="a b c d"), ANSWER),
        "OverloadedError",
        1,
        stream=True,
        partial="a b ",
        fake=FakeAnthropic,
    ),
    Scenario(
        "Anthropic 400 with an OpenRouter route (never falls back)",
        (error(400, "bad request"),),
        "BadRequestError",
        1,
        fallbacks=CLAUDE_VIA_OPENROUTER,
        fake=FakeAnthropic,
        openrouter=(ANSWER,),
    ),
]

# ---- issue 14: web search citations in streams ------------------------------------------------

CITED = (
    {"type": "url_citation", "url_citation": {"url": "https://a.example", "title": "A"}},
    {"type": "url_citation", "url_citation": {"url": "https://b.example", "title": "B"}},
)

SCENARIOS += [
    Scenario(
        "web search citations streamed before the text",
        (ANSWER.but(annotations=CITED),),
        "answer",
        1,
        stream=True,
    ),
    Scenario(
        "reset after the citations, before any text (not retried: the caller saw them)",
        (drop(after=2, text="a b c d", annotations=CITED), ANSWER),
        "APIConnectionError",
        1,
        stream=True,
        partial="",
    ),
    Scenario(
        "mid-stream error chunk 502 after the citations",
        (stream_error(502, "upstream failed", after=1, text="a b c", annotations=CITED), ANSWER),
        "ServiceUnavailableError",
        1,
        stream=True,
        partial="a ",
    ),
]

# ---- issue 15: tool rounds that run at once, self-correcting structured output --------------


@pyllm.tool(timeout=0.2)
def _hang() -> str:
    """Never answers in time."""
    threading.Event().wait(5)
    return "late"


@pyllm.tool
def _quick() -> str:
    """Answers at once."""
    return "quick"


@dataclass
class _Words:
    words: str


def _answer_json(words: str = "a b c d") -> Reply:
    return text(json.dumps({"words": words}))


def _with_tools(chat: pyllm.Chat) -> object:
    return chat.with_tools(_hang, _quick)


def _with_schema(chat: pyllm.Chat) -> object:
    return chat.with_schema(_Words, retries=1)


_HANG_AND_QUICK = tool_call("_hang", tool_calls=[ToolCallSpec("_quick")])
_ROUND = ("user", "assistant", "tool", "tool", "assistant")
_CORRECTED = ("user", "assistant", "user", "assistant")

for _stream in (False, True):
    SCENARIOS += [
        Scenario(
            "two tool calls at once, one hangs past its limit",
            (_HANG_AND_QUICK, ANSWER),
            "answer",
            2,
            stream=_stream,
            configure=_with_tools,
            roles=_ROUND,
        ),
        Scenario(
            "structured answer that does not fit, then one that does (retries=1)",
            (text("a b c d"), _answer_json()),
            "answer",
            2,
            stream=_stream,
            configure=_with_schema,
            roles=_CORRECTED,
            final='{"words": "a b c d"}',
        ),
        Scenario(
            "structured answer that never fits (retries=1)",
            (text("a b c d"), text('{"words": 4}')),
            "StructuredOutputError",
            2,
            stream=_stream,
            configure=_with_schema,
        ),
    ]
