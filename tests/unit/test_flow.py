"""The one tool loop (pyllm._engine.flow), driven by hand: each test sends the flow the
outcomes a driver would (answers, errors, tool results) and checks the steps it asks for and
what reaches the history. No sockets, no threads, no sleeping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from pyllm import (
    APIConnectionError,
    AttachmentError,
    BadRequestError,
    RateLimitError,
    ServerError,
    ToolError,
)
from pyllm._engine.exchange import Exchange, Hooks
from pyllm._engine.flow import ChatPlan, chat_flow, request_flow
from pyllm._engine.retry import Deadline, RetryPolicy
from pyllm._engine.steps import Emit, Fetch, Flow, RunTools, Send, Sent, Wait
from pyllm._engine.toolbox import Toolbox
from pyllm._routes import Route
from pyllm.config import Settings
from pyllm.content import Attachment
from pyllm.message import Message, ToolCall, Usage
from pyllm.model import Model
from pyllm.providers import OpenAI, OpenAICompatible, OpenRouter
from pyllm.request import ChatRequest
from pyllm.tools import Halt, ToolResult, tool

RETRY_ONCE = RetryPolicy(max_retries=1, base_delay=0.25, jitter=False)
NO_RETRY = RetryPolicy(max_retries=0)
PROVIDERS = {
    "openrouter": OpenRouter.from_settings(Settings(openrouter_base_url="http://127.0.0.1:9/v1")),
    "local": OpenAICompatible("local", base_url="http://127.0.0.1:9/v1"),
    "openai": OpenAI.from_settings(Settings(openai_base_url="http://127.0.0.1:9/v1")),
}
REASONS = Model("m/b", "openai", capabilities=frozenset({"reasoning"}))


@tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class FakeServices:
    """What a session gives the flow: providers, file checks, prices (none here)."""

    def __init__(self, check_files: Callable[[tuple[Attachment, ...]], None]) -> None:
        self.checked = check_files

    def provider(self, name: str) -> Any:
        return PROVIDERS[name]

    def check_files(self, model: str, provider: str, files: tuple[Attachment, ...]) -> None:
        self.checked(files)

    def priced(self, message: Message, model: str, provider: str) -> Message:
        return message

    def known(self, model: str, provider: str) -> Model | None:
        ASKED.append((model, provider))
        return REASONS if (model, provider) == ("m/b", "openai") else None


ASKED: list[tuple[str, str]] = []


def answer(content: str = "", *calls: ToolCall, cost: float | None = None) -> Message:
    return Message(
        role="assistant",
        content=content,
        tool_calls=calls,
        provider="openrouter",
        finish_reason="tool_calls" if calls else "stop",
        usage=Usage(input_tokens=3, output_tokens=2, cost=cost),
    )


def call(call_id: str = "c1", city: str = "Lima") -> ToolCall:
    return ToolCall(call_id, "weather", {"city": city})


def make(
    *,
    history: list[Message] | None = None,
    first: Message | None = None,
    routes: tuple[Route, ...] = (Route("m/a", "openrouter"),),
    policy: RetryPolicy = RETRY_ONCE,
    stream: bool = False,
    tools: bool = False,
    choice: str | None = None,
    max_rounds: int = 25,
    check_files: Callable[[tuple[Attachment, ...]], None] = lambda files: None,
    hooks: Hooks | None = None,
    parse: Callable[[str], Any] | None = None,
) -> tuple[Flow[Message], Exchange, list[Message]]:
    history = [] if history is None else history
    toolbox = Toolbox()
    if tools:
        toolbox.configure([weather], choice=choice)
    exchange = Exchange(
        history,
        hooks or Hooks(),
        first if first is not None else Message.user("hi"),
        max_rounds=max_rounds,
    )
    plan = ChatPlan(
        request=ChatRequest(
            routes[0].model,
            (),
            stream=stream,
            tools=toolbox.definitions(),
            tool_choice=toolbox.choice,
            headers={"X-Test": "1"},
            max_tokens=50,
        ),
        routes=routes,
        policy=policy,
        total_timeout=None,
        download_timeout=60.0,
        toolbox=toolbox,
        raise_tool_errors=False,
        services=FakeServices(check_files),
        parse=parse,
    )
    return chat_flow(plan, exchange), exchange, history


def finish(flow: Flow[Message], outcome: Any) -> Message:
    """Send the last outcome; the flow must return."""
    with pytest.raises(StopIteration) as stop:
        flow.send(outcome)
    result: Message = stop.value.value
    return result


def test_one_answer_one_send_committed_at_the_end() -> None:
    flow, exchange, history = make()
    send = next(flow)
    assert isinstance(send, Send) and send.parser is None and send.parse is not None
    assert send.path == "/chat/completions" and send.headers == {"X-Test": "1"}
    assert send.payload is not None
    assert send.payload["model"] == "m/a" and send.payload["max_tokens"] == 50
    assert [m["content"] for m in send.payload["messages"]] == ["hi"]
    assert history == []  # nothing committed before the answer
    reply = finish(flow, Sent(answer("hello")))
    assert reply.content == "hello" and exchange.result is reply
    assert [m.role for m in history] == ["user", "assistant"]


def test_a_retryable_error_waits_then_sends_again() -> None:
    flow, _, history = make()
    assert isinstance(next(flow), Send)
    wait = flow.send(Sent(error=ServerError("down", status=503)))
    assert wait == Wait(0.25)
    again = flow.send(None)
    assert isinstance(again, Send) and again.payload is not None
    assert again.payload["model"] == "m/a"
    assert finish(flow, Sent(answer("ok"))).content == "ok"
    assert [m.content for m in history] == ["hi", "ok"]


def test_retries_run_out_and_the_last_error_is_raised_with_history_unchanged() -> None:
    flow, _, history = make()
    next(flow)
    flow.send(Sent(error=ServerError("down", status=503)))
    flow.send(None)
    with pytest.raises(ServerError, match="still down"):
        flow.send(Sent(error=ServerError("still down", status=503)))
    assert history == []


def test_an_error_that_is_not_worth_a_retry_is_raised_at_once() -> None:
    flow, _, history = make()
    next(flow)
    with pytest.raises(BadRequestError):
        flow.send(Sent(error=BadRequestError("bad", status=400)))
    assert history == []


def test_a_failing_route_falls_back_to_the_next_one() -> None:
    hooks = Hooks()
    switches: list[str] = []
    hooks.fallback.append(lambda error, old, new: switches.append(f"{old} -> {new}"))
    routes = (Route("m/a", "local"), Route("m/b", "local"))
    flow, _, history = make(routes=routes, policy=NO_RETRY, hooks=hooks)
    first = next(flow)
    assert isinstance(first, Send) and first.payload is not None
    assert first.payload["model"] == "m/a" and "models" not in first.payload
    assert flow.send(Sent(error=RateLimitError("slow", status=429))) == Wait(0.0)
    second = flow.send(None)
    assert isinstance(second, Send) and second.payload is not None
    assert second.payload["model"] == "m/b"
    assert switches == ["m/a via local -> m/b via local"]
    assert finish(flow, Sent(answer("from b"))).content == "from b"
    assert [m.content for m in history] == ["hi", "from b"]


def test_a_provider_with_server_fallbacks_gets_them_in_one_request() -> None:
    routes = (Route("m/a", "openrouter"), Route("m/b", "openrouter"), Route("m/c", "local"))
    flow, _, _ = make(routes=routes)
    send = next(flow)
    assert isinstance(send, Send) and send.payload is not None
    assert send.payload["models"] == ["m/a", "m/b"]


def test_a_stream_error_after_chunks_reached_the_caller_is_never_retried() -> None:
    flow, exchange, history = make(stream=True, routes=(Route("m/a", "openrouter"),) * 2)
    send = next(flow)
    assert isinstance(send, Send) and send.parser is not None and send.parse is None
    assert send.payload is not None and send.payload["stream"] is True
    assert exchange.parser is send.parser  # kept for a partial answer
    with pytest.raises(APIConnectionError):
        flow.send(Sent(error=APIConnectionError("dropped"), reached_caller=True))
    assert history == []


def test_a_stream_error_before_any_chunk_reached_the_caller_is_retried() -> None:
    flow, _, _ = make(stream=True)
    first = next(flow)
    assert flow.send(Sent(error=APIConnectionError("dropped"))) == Wait(0.25)
    second = flow.send(None)
    assert isinstance(first, Send) and isinstance(second, Send)
    assert second.parser is not None and second.parser is not first.parser  # a fresh parser


def test_a_tool_round_runs_every_call_in_one_step_between_its_chunks_then_asks_again() -> None:
    flow, _, history = make(tools=True, choice="required")
    first = next(flow)
    assert isinstance(first, Send) and first.payload is not None
    assert first.payload["tool_choice"] == "required"
    calls = (call("c1", "Lima"), call("c2", "Oslo"))
    steps = [flow.send(Sent(answer("", *calls)))]
    results = [ToolResult(c, f"sunny in {c.arguments['city']}") for c in calls]
    steps.append(flow.send(None))
    steps.append(flow.send(None))
    assert history == []  # the calls have not run yet
    steps.append(flow.send(results))
    assert [m.role for m in history] == ["user", "assistant", "tool", "tool"]  # a whole round
    steps.append(flow.send(None))
    again = flow.send(None)
    assert [type(s).__name__ for s in steps] == ["Emit", "Emit", "RunTools", "Emit", "Emit"]
    assert [s.chunk.tool_call for s in steps[:2] if isinstance(s, Emit)] == list(calls)
    assert isinstance(steps[2], RunTools) and steps[2].calls == calls  # one step: run at once
    assert [s.chunk.tool_result for s in steps[3:] if isinstance(s, Emit)] == results
    assert isinstance(again, Send) and again.payload is not None
    assert "tool_choice" not in again.payload  # a forced choice applies to the first request only
    assert [m["role"] for m in again.payload["messages"]] == ["user", "assistant", "tool", "tool"]
    assert finish(flow, Sent(answer("both sunny"))).content == "both sunny"
    assert history[-1].content == "both sunny"


def test_a_halting_tool_ends_the_call_without_another_request() -> None:
    flow, exchange, history = make(tools=True)
    asked = call()
    next(flow)
    flow.send(Sent(answer("", asked)))
    flow.send(None)  # Emit(tool_call) -> RunTools
    halted = ToolResult(asked, "saved", value=Halt({"id": 7}).value, halted=True)
    assert isinstance(flow.send([halted]), Emit)
    reply = finish(flow, None)
    assert reply.role == "tool" and reply.parsed == {"id": 7}
    assert exchange.finished and [m.role for m in history] == ["user", "assistant", "tool"]


def test_max_rounds_stops_a_runaway_loop_at_the_last_whole_round() -> None:
    flow, _, history = make(tools=True, max_rounds=1)
    first = call("c1")
    next(flow)
    flow.send(Sent(answer("", first)))
    flow.send(None)
    flow.send([ToolResult(first, "sunny")])
    assert isinstance(flow.send(None), Send)
    with pytest.raises(ToolError, match="max_tool_rounds=1"):
        flow.send(Sent(answer("", call("c2"))))
    assert [m.role for m in history] == ["user", "assistant", "tool"]


def test_a_tool_exception_thrown_in_fails_the_call_and_propagates() -> None:
    history = [Message.user("before"), Message(role="assistant", content="ok")]
    flow, _, _ = make(history=history, tools=True)
    next(flow)
    flow.send(Sent(answer("", call())))
    flow.send(None)  # now at RunTools
    with pytest.raises(KeyError):
        flow.throw(KeyError("the tool broke"))
    assert [m.content for m in history] == ["before", "ok"]


def test_closing_the_flow_mid_stream_keeps_the_partial_answer() -> None:
    flow, exchange, history = make(stream=True)
    send = next(flow)
    assert isinstance(send, Send) and send.parser is not None
    send.parser.expect("text/event-stream")
    chunk = b'data: {"choices":[{"delta":{"content":"Once upon"}}]}\n\n'
    assert [c.content for c in send.parser.feed(chunk)] == ["Once upon"]
    flow.close()  # what a driver does when the caller stops reading
    assert [m.role for m in history] == ["user", "assistant"]
    assert history[-1].content == "Once upon" and history[-1].finish_reason == "incomplete"
    assert exchange.result is history[-1]


def test_remote_attachments_are_fetched_once_each_before_any_request() -> None:
    url = "https://example.com/notes.pdf"
    pdf_by_url = Attachment(url, download=True)  # OpenRouter would take the URL itself
    first = Message.user("look", (pdf_by_url, pdf_by_url))
    checked: list[tuple[Attachment, ...]] = []
    flow, _, _ = make(first=first, check_files=checked.append)
    fetch = next(flow)
    assert isinstance(fetch, Fetch) and fetch.urls == (url,)
    assert isinstance(fetch.deadline, Deadline) and fetch.deadline.total == 60.0
    pdf = b"%PDF-1.7 a tiny document"
    send = flow.send([(pdf, "application/pdf")])
    assert isinstance(send, Send) and send.payload is not None
    assert [a.data for a in checked[0]] == [None, None]  # checked by name before the download
    assert [(a.data, a.mime_type) for a in checked[1]] == [(pdf, "application/pdf")] * 2
    assert len(send.payload["messages"][0]["content"]) == 3  # the text and both files


@pytest.mark.parametrize(
    ("route", "fetched"),
    [(Route("m/a", "openrouter"), False), (Route("m/a", "local"), True)],
)
def test_a_remote_pdf_goes_as_its_url_to_a_provider_that_fetches_pdfs(
    route: Route, fetched: bool
) -> None:
    url = "https://example.com/notes.pdf"
    first = Message.user("look", (Attachment(url),))
    flow, _, _ = make(first=first, routes=(route,))
    step = next(flow)
    assert isinstance(step, Fetch) is fetched
    if fetched:
        step = flow.send([(b"%PDF-1.7 a tiny document", "application/pdf")])
    assert isinstance(step, Send) and step.payload is not None
    file_data = step.payload["messages"][0]["content"][1]["file"]["file_data"]
    assert file_data.startswith("data:application/pdf;base64,") is fetched
    assert (file_data == url) is not fetched


def test_a_fallback_that_needs_bytes_makes_the_file_download() -> None:
    first = Message.user("look", (Attachment("https://example.com/notes.pdf"),))
    routes = (Route("m/a", "openrouter"), Route("m/b", "local"))
    flow, _, _ = make(first=first, routes=routes)
    assert isinstance(next(flow), Fetch)  # every route must be able to send it


def test_files_the_model_cannot_take_are_refused_before_any_request() -> None:
    def refuse(files: tuple[Attachment, ...]) -> None:
        raise AttachmentError("too long")

    first = Message.user("read", (Attachment(data=b"text", mime_type="text/plain"),))
    flow, _, history = make(first=first, check_files=refuse)
    with pytest.raises(AttachmentError):
        next(flow)
    assert history == []


def test_request_flow_retries_per_policy_and_returns_the_parsed_answer() -> None:
    send = Send(PROVIDERS["local"], "/embeddings", {"input": "x"}, None, Deadline(None))
    flow = request_flow(send, RETRY_ONCE)
    assert next(flow) is send
    assert flow.send(Sent(error=ServerError("down", status=502))) == Wait(0.25)
    assert flow.send(None) == replace(send, attempt=2)  # the retry, numbered for listeners
    with pytest.raises(StopIteration) as stop:
        flow.send(Sent({"data": []}))
    assert stop.value.value == {"data": []}


def test_request_flow_raises_the_error_when_no_retry_is_left() -> None:
    send = Send(PROVIDERS["local"], "/models", None, None, Deadline(None), method="GET")
    flow = request_flow(send, NO_RETRY)
    next(flow)
    with pytest.raises(ServerError):
        flow.send(Sent(error=ServerError("down", status=500)))


def test_structured_output_is_parsed_into_the_answer() -> None:
    flow, _, _ = make(parse=lambda text: {"n": int(text)})
    next(flow)
    assert finish(flow, Sent(answer("42"))).parsed == {"n": 42}


def test_an_answer_that_does_not_parse_keeps_parsed_empty() -> None:
    flow, _, _ = make(parse=lambda text: {"n": int(text)})
    next(flow)
    assert finish(flow, Sent(answer("forty-two"))).parsed is None


def test_the_registry_is_asked_per_route_only_by_providers_that_render_by_it() -> None:
    """OpenAI renders reasoning models differently (issue 13); OpenRouter never needs the
    registry, so its requests never load it."""
    ASKED.clear()
    history = [Message.system("Be terse.")]
    routes = (Route("m/a", "openrouter"), Route("m/a", "openai"), Route("m/b", "openai"))
    flow, _, _ = make(routes=routes, policy=NO_RETRY, history=history)
    sends = [next(flow)]
    for _ in routes[1:]:
        flow.send(Sent(error=RateLimitError("slow", status=429)))
        sends.append(flow.send(None))
    assert ASKED == [("m/a", "openai"), ("m/b", "openai")]  # never for openrouter
    roles = [s.payload["messages"][0]["role"] for s in sends if isinstance(s, Send) and s.payload]
    assert roles == ["system", "system", "developer"]  # only the registry says m/b reasons
    last = sends[-1]
    assert isinstance(last, Send) and last.payload is not None
    assert last.payload["max_completion_tokens"] == 50 and "max_tokens" not in last.payload
