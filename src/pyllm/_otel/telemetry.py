"""The listener ``pyllm.instrument()`` installs: OpenTelemetry spans and metrics for every chat
call, from the drivers' notifications (:class:`~pyllm._engine.steps.Listener`).

One call (``ask``, ``aask``, ``stream``, ``astream``) is a tree of spans::

    invoke_agent                    INTERNAL  the whole call: totals, the final answer
    ├── chat {model}                CLIENT    one per HTTP attempt (retries, fallbacks)
    ├── execute_tool {tool name}    INTERNAL  one per tool call the model asked for
    └── chat {model}                CLIENT    the next round

Metrics, per attempt: ``gen_ai.client.operation.duration`` (s) and
``gen_ai.client.token.usage`` ({token}) histograms, with the conventions' buckets, and a
``pyllm.client.cost`` counter ({USD}). Nothing here ever raises into a call: a failure to
record is logged and dropped.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from opentelemetry import context, metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from .. import __version__
from .._engine.steps import Listener
from .._observers import answer_of
from ..message import Message
from .attributes import (
    Attributes,
    error_type,
    input_messages,
    output_messages,
    provider_name,
    request_attributes,
    response_attributes,
    server_attributes,
    tool_arguments,
    tool_definitions,
)

if TYPE_CHECKING:
    from contextvars import Token

    from opentelemetry.context import Context
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

    from .._engine.steps import Call, RunTools, Send, Sent
    from ..tools import ToolResult

__all__ = ["SCHEMA_URL", "Telemetry"]

SCHEMA_URL = "https://opentelemetry.io/schemas/1.41.1"
"""The semantic conventions release followed (its GenAI conventions: the last release before
they moved to their own repository)."""

# the bucket boundaries the conventions give for each histogram
TOKEN_BUCKETS = tuple(4**n for n in range(14))  # 1, 4, 16 ... 67108864
DURATION_BUCKETS = tuple(0.01 * 2**n for n in range(14))  # 0.01, 0.02 ... 81.92 seconds

logger = logging.getLogger("pyllm")

F = TypeVar("F", bound=Callable[..., None])


def _never_raises(method: F) -> F:
    """Telemetry never breaks a call: a failure to record is logged and dropped."""

    @functools.wraps(method)
    def guarded(*args: Any) -> None:
        try:
            method(*args)
        except Exception:
            logger.exception("pyllm could not record %s in OpenTelemetry", method.__name__)

    return guarded  # type: ignore[return-value]


class _Open:
    """One call's open spans (kept in ``call.notes``)."""

    __slots__ = ("attempt", "began", "call", "parent", "token", "tools")

    def __init__(self, call: Span) -> None:
        self.call = call
        self.parent = trace.set_span_in_context(call)
        self.attempt: Span | None = None
        self.began = 0.0
        self.token: Token[Context] | None = None  # made current while a step runs
        self.tools: list[Span] = []

    def detach(self) -> None:
        if self.token is not None:
            token, self.token = self.token, None
            context.detach(token)

    def close(self) -> None:
        """End what a listener raising before us left open (a started step never ended)."""
        self.detach()
        leftovers = [*self.tools, *([self.attempt] if self.attempt is not None else [])]
        self.tools, self.attempt = [], None
        for span in leftovers:
            _ended_with(span, GeneratorExit())
            span.end()


class Telemetry(Listener):
    """Spans and metrics for chat calls; ``capture_content`` adds the messages and tool
    arguments and results (never attachment bytes, never an API key)."""

    def __init__(
        self,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        capture_content: bool = False,
    ) -> None:
        self.tracer = trace.get_tracer("pyllm", __version__, tracer_provider, SCHEMA_URL)
        meter = metrics.get_meter("pyllm", __version__, meter_provider, SCHEMA_URL)
        self.capture_content = capture_content
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.tokens = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=TOKEN_BUCKETS,
        )
        self.cost = meter.create_counter(
            "pyllm.client.cost", unit="{USD}", description="USD spent on GenAI operations."
        )

    # ---- the call ---------------------------------------------------------------------------

    @_never_raises
    def call_started(self, call: Call) -> None:
        plan = call.plan
        if plan is None:  # a plain request (embeddings, images, a listing): no GenAI span yet
            return
        provider = plan.routes[0].provider or ""
        attributes: Attributes = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": provider_name(provider),
            **request_attributes(plan.request),
        }
        if len(plan.routes) > 1:
            attributes["pyllm.fallbacks"] = [str(route) for route in plan.routes[1:]]
        span = self.tracer.start_span("invoke_agent", kind=SpanKind.INTERNAL, attributes=attributes)
        call.notes[self] = _Open(span)

    @_never_raises
    def call_ended(self, call: Call, result: Any, error: BaseException | None) -> None:
        state: _Open | None = call.notes.pop(self, None)
        if state is None:
            return
        state.close()
        span = state.call
        if isinstance(result, Message):
            span.set_attributes(response_attributes(result, result.turn_usage or result.usage))
            if self.capture_content:
                span.set_attribute("gen_ai.output.messages", output_messages(result))
        _ended_with(span, error)
        span.end()

    # ---- attempts ---------------------------------------------------------------------------

    @_never_raises
    def attempt_started(self, call: Call, send: Send) -> None:
        state: _Open | None = call.notes.get(self)
        request = send.request
        if state is None or request is None:
            return
        attributes: Attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider_name(send.provider.name),
            **dict(server_attributes(send.provider.base_url)),
            **request_attributes(request),
            "pyllm.attempt": send.attempt,
            "pyllm.route": send.route,
        }
        if self.capture_content:
            attributes["gen_ai.input.messages"] = input_messages(request.messages)
            definitions = tool_definitions(request)
            if definitions is not None:
                attributes["gen_ai.tool.definitions"] = definitions
        span = self.tracer.start_span(
            f"chat {request.model}", state.parent, SpanKind.CLIENT, attributes
        )
        state.attempt, state.began = span, time.perf_counter()
        if send.parser is None:  # current while it is sent (an HTTP span nests under it);
            state.token = context.attach(trace.set_span_in_context(span))  # not across chunks

    @_never_raises
    def attempt_ended(self, call: Call, send: Send, sent: Sent | None) -> None:
        state: _Open | None = call.notes.get(self)
        if state is None or state.attempt is None:
            return
        span, state.attempt = state.attempt, None
        state.detach()
        try:
            self._record_attempt(call, span, send, sent, time.perf_counter() - state.began)
        finally:
            span.end()

    def _record_attempt(
        self, call: Call, span: Span, send: Send, sent: Sent | None, seconds: float
    ) -> None:
        assert send.request is not None
        message = answer_of(call, sent)
        error = sent.error if sent is not None else None
        common: Attributes = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": provider_name(send.provider.name),
            "gen_ai.request.model": send.request.model,
            **dict(server_attributes(send.provider.base_url)),
        }
        if message is not None:
            span.set_attributes(response_attributes(message, message.usage))
            if message.model:
                common["gen_ai.response.model"] = message.model
            if self.capture_content:
                span.set_attribute("gen_ai.output.messages", output_messages(message))
            self._count(message, common)
        if error is not None:
            upstream, status = getattr(error, "upstream", None), getattr(error, "status", None)
            if upstream:
                span.set_attribute("pyllm.upstream", upstream)
            if status:
                span.set_attribute("http.response.status_code", status)
            common["error.type"] = error_type(error)
        if sent is None:  # the caller stopped it: no duration worth recording
            _ended_with(span, GeneratorExit())
            return
        _ended_with(span, error)
        self.duration.record(seconds, common)

    def _count(self, message: Message, common: Attributes) -> None:
        usage = message.usage
        if usage is None:
            return
        self.tokens.record(usage.input_tokens, {**common, "gen_ai.token.type": "input"})
        self.tokens.record(usage.output_tokens, {**common, "gen_ai.token.type": "output"})
        if usage.cost:
            self.cost.add(usage.cost, common)

    # ---- tools ------------------------------------------------------------------------------

    @_never_raises
    def tools_started(self, call: Call, run: RunTools) -> None:
        state: _Open | None = call.notes.get(self)
        if state is None:
            return
        for tool_call in run.calls:
            attributes: Attributes = {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": tool_call.name,
                "gen_ai.tool.call.id": tool_call.id,
                "gen_ai.tool.type": "function",
            }
            tool = run.toolbox.tools.get(tool_call.name)
            if tool is not None and tool.description:
                attributes["gen_ai.tool.description"] = tool.description
            if self.capture_content:
                attributes["gen_ai.tool.call.arguments"] = tool_arguments(tool_call)
            name = f"execute_tool {tool_call.name}"
            state.tools.append(
                self.tracer.start_span(name, state.parent, SpanKind.INTERNAL, attributes)
            )
        if len(state.tools) == 1:  # current while it runs: the tool's own spans nest under it
            state.token = context.attach(trace.set_span_in_context(state.tools[0]))

    @_never_raises
    def tools_ended(
        self,
        call: Call,
        run: RunTools,
        results: list[ToolResult] | None,
        error: BaseException | None = None,
    ) -> None:
        state: _Open | None = call.notes.get(self)
        if state is None:
            return
        spans, state.tools = state.tools, []
        state.detach()
        for index, span in enumerate(spans):
            result = results[index] if results is not None and index < len(results) else None
            if result is not None:
                self._tool_result(span, result)
            else:
                _ended_with(span, error)
            span.end()

    def _tool_result(self, span: Span, result: ToolResult) -> None:
        if self.capture_content:
            span.set_attribute("gen_ai.tool.call.result", result.content)
        if result.halted:
            span.set_attribute("pyllm.tool.halted", True)
        if not result.is_error:
            return
        if result.error is not None:
            _ended_with(span, result.error)
        else:  # refused before running: unknown tool, bad arguments...
            span.set_attribute("error.type", "ToolError")
            span.set_status(Status(StatusCode.ERROR, "the tool call failed"))


def _ended_with(span: Span, error: BaseException | None) -> None:
    """Mark ``span`` with how it ended: nothing for success; ``pyllm.stopped`` when the caller
    stopped (a closed or dropped stream); else ``error.type``, the exception and an error
    status."""
    if error is None:
        return
    if isinstance(error, GeneratorExit):
        span.set_attribute("pyllm.stopped", True)
        return
    span.set_attribute("error.type", error_type(error))
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, str(error)))
