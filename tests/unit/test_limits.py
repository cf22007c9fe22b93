"""Spend and usage limits as pure parts (issue 16): the worst case of a request, the meter
(holds, settling, exact sums, threads), and the one loop driven by hand with limits: a request
that could cross one is never yielded, and the history stays as it was."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pyllm import BudgetExceededError, ConfigurationError, Message, Model, Pricing, UsageLimitError
from pyllm._engine.exchange import Exchange, Hooks
from pyllm._engine.flow import ChatPlan, chat_flow, request_flow
from pyllm._engine.meter import Ask, Guard, Meter, count_tool_calls, hold, settle
from pyllm._engine.retry import Deadline, RetryPolicy
from pyllm._engine.steps import RunTools, Send, Sent
from pyllm._engine.toolbox import Toolbox
from pyllm._limits import Limits, estimate_input_tokens, output_allowance, worst_case_usd
from pyllm._routes import Route
from pyllm.content import Attachment
from pyllm.message import ToolCall, Usage
from pyllm.model import TopProvider
from pyllm.providers import OpenAICompatible
from pyllm.request import ChatRequest
from pyllm.tools import tool

LOCAL = OpenAICompatible("local", base_url="http://127.0.0.1:9/v1")
PRICED = Model(
    "m/a", "local", max_output_tokens=1000, pricing=Pricing(input=2.0, output=10.0)
)  # $2 / $10 per million tokens


def guard(meter: Meter | None = None, **limits: Any) -> Guard:
    return Guard(
        meter or Meter(),
        Limits(**limits),
        "this chat",
        "chat.with_budget(...)",
        "chat.with_limits({kind}=...)",
    )


# ---- the worst case -----------------------------------------------------------------------


def test_input_tokens_are_estimated_from_text_tools_and_files() -> None:
    text = ChatRequest("m", (Message.user("x" * 4000),))
    assert estimate_input_tokens(text) == 1004  # 4 chars a token, 4 a message
    pdf = b"%PDF-1.7 /Type /Pages /Type /Page x /Type/Page y"
    files = ChatRequest(
        "m", (Message.user("", (Attachment(data=b"\x89PNG\r\n\x1a\n.."), Attachment(data=pdf))),)
    )
    assert estimate_input_tokens(files) == 4 + 1600 + 2 * 3000


def test_the_output_allowance_is_max_tokens_else_what_the_model_says() -> None:
    assert output_allowance(PRICED, 200, 10) == 200
    assert output_allowance(PRICED, None, 10) == 1000
    top = Model("x", "p", top_provider=TopProvider(max_completion_tokens=300))
    assert output_allowance(top, None, 10) == 300
    assert output_allowance(Model("x", "p", context_window=5000), None, 1000) == 4000
    assert output_allowance(Model("x", "p"), None, 10) is None
    assert output_allowance(None, None, 10) is None


def test_the_worst_case_prices_input_and_the_whole_allowance() -> None:
    assert worst_case_usd(PRICED, 1000, 1000) == 0.012
    thinking = Model("x", "p", pricing=Pricing(input=1.0, output=2.0, reasoning=8.0))
    assert worst_case_usd(thinking, 0, 1000) == 0.008  # the dearer output price
    assert worst_case_usd(Model("x", "p", pricing=Pricing(input=1.0)), 10, 0) == 0.00001
    assert worst_case_usd(Model("x", "p", pricing=Pricing(input=1.0)), 10, 5) is None
    assert worst_case_usd(None, 10, 5) is None and worst_case_usd(PRICED, 10, None) is None


@pytest.mark.parametrize(
    ("changes", "error", "text"),
    [
        ({"usd": -1}, ConfigurationError, "zero or more US dollars"),
        ({"usd": float("nan")}, ConfigurationError, "zero or more US dollars"),
        ({"usd": "5"}, TypeError, "a number of US dollars"),
        ({"requests": 1.5}, TypeError, "requests must be a whole number"),
        ({"tool_calls": -1}, ConfigurationError, "tool_calls must be zero or more"),
        ({"allow_unknown_prices": 1}, TypeError, "True or False"),
    ],
)
def test_bad_limits_raise_naming_them(changes: dict[str, Any], error: type, text: str) -> None:
    with pytest.raises(error, match=text):
        Limits().updated(**changes)


# ---- the meter ------------------------------------------------------------------------------


def test_a_hold_counts_the_request_and_settling_counts_the_answer_exactly() -> None:
    meter = Meter()
    g = guard(meter, usd=1.0)
    for cost in (0.1, 0.2, 0.0001, 0.0002):
        settle(hold((g,), Ask("m/a", 0.05, 10, 20)), Usage(10, 20, cost=cost))
    assert meter.spent == 0.3003  # not 0.30030000000000007
    assert (meter.requests, meter.input_tokens, meter.output_tokens) == (4, 40, 80)


def test_the_budget_counts_what_requests_in_flight_hold() -> None:
    g = guard(usd=0.10)
    first = hold((g,), Ask("m/a", 0.06))
    with pytest.raises(BudgetExceededError) as caught:
        hold((g,), Ask("m/a", 0.06))
    err = caught.value
    assert (err.limit, err.spent, err.estimate, err.kind) == (0.10, 0.0, 0.06, "usd")
    assert "held by requests in flight" in str(err) and "nothing was sent" in str(err)
    settle(first, Usage(cost=0.01))  # it cost less than its worst case
    settle(hold((g,), Ask("m/a", 0.06)), None)
    assert g.meter.spent == 0.01


def test_unknown_prices_are_refused_unless_allowed() -> None:
    with pytest.raises(BudgetExceededError, match="prices of m/x are unknown") as caught:
        hold((guard(usd=1.0),), Ask("m/x", None))
    assert caught.value.estimate is None
    allowed = guard(usd=1.0, allow_unknown_prices=True)
    settle(hold((allowed,), Ask("m/x", None)), Usage(cost=0.5))
    assert allowed.meter.spent == 0.5
    settle(hold((guard(),), Ask("m/x", None)), None)  # no budget: nothing to know


def test_a_refusal_by_one_guard_gives_back_what_the_others_took() -> None:
    chat, client = guard(requests=5), guard(usd=0.0)
    with pytest.raises(BudgetExceededError):
        hold((chat, client), Ask("m/a", 0.01))
    assert chat.meter.requests == 0
    with pytest.raises(UsageLimitError):
        count_tool_calls((guard(chat.meter, tool_calls=5), guard(tool_calls=1)), 2)
    assert chat.meter.tool_calls == 0


@pytest.mark.parametrize(
    ("limits", "ask", "kind"),
    [
        ({"requests": 0}, Ask("m", None), "requests"),
        ({"input_tokens": 100}, Ask("m", None, input_tokens=101), "input_tokens"),
        ({"output_tokens": 100}, Ask("m", None, output_tokens=101), "output_tokens"),
    ],
)
def test_each_count_limit_refuses_what_would_cross_it(
    limits: dict[str, int], ask: Ask, kind: str
) -> None:
    with pytest.raises(UsageLimitError) as caught:
        hold((guard(**limits),), ask)
    assert caught.value.kind == kind and caught.value.used == 0
    assert "chat.with_limits(" + kind + "=...)" in str(caught.value)


def test_threads_sharing_a_budget_never_cross_it() -> None:
    g = guard(usd=1.0)
    admitted: list[int] = []

    def spend() -> None:
        for _ in range(50):
            try:
                taken = hold((g,), Ask("m/a", 0.01))
            except BudgetExceededError:
                continue
            admitted.append(1)
            settle(taken, Usage(cost=0.01))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 100 and g.meter.spent == 1.0 and g.meter.requests == 100


# ---- the loop with limits, driven by hand -------------------------------------------------


@tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


class Services:
    def provider(self, name: str) -> Any:
        return LOCAL

    def check_files(self, model: str, provider: str, files: Any) -> None:
        return None

    def priced(self, message: Message, model: str, provider: str) -> Message:
        return message

    def known(self, model: str, provider: str) -> Model | None:
        return PRICED if model == "m/a" else None


def make(guards: tuple[Guard, ...], *, max_tokens: int | None = None) -> tuple[Any, list[Message]]:
    history: list[Message] = []
    toolbox = Toolbox()
    toolbox.configure([weather])
    exchange = Exchange(history, Hooks(), Message.user("hi"))
    plan = ChatPlan(
        request=ChatRequest("m/a", (), tools=toolbox.definitions(), max_tokens=max_tokens),
        routes=(Route("m/a", "local"),),
        policy=RetryPolicy(max_retries=0),
        total_timeout=None,
        download_timeout=60.0,
        toolbox=toolbox,
        raise_tool_errors=False,
        services=Services(),
        guards=guards,
    )
    return chat_flow(plan, exchange), history


def answer(*calls: ToolCall, cost: float = 0.001) -> Message:
    return Message("assistant", "ok", tool_calls=calls, usage=Usage(10, 5, cost=cost))


def test_a_request_over_budget_is_never_yielded_and_the_history_is_unchanged() -> None:
    flow, history = make((guard(usd=0.005),))  # worst case: 1000 output tokens at $10/M = $0.01
    with pytest.raises(BudgetExceededError) as caught:
        next(flow)
    assert caught.value.estimate == pytest.approx(0.0100, abs=1e-4)
    assert history == []


def test_max_tokens_bounds_the_worst_case() -> None:
    g = guard(usd=0.005)
    flow, history = make((g,), max_tokens=100)
    send = next(flow)
    assert isinstance(send, Send)
    with pytest.raises(StopIteration):
        flow.send(Sent(answer(cost=0.0004)))
    assert [m.role for m in history] == ["user", "assistant"] and g.meter.spent == 0.0004


def test_an_output_limit_lowers_max_tokens_to_what_it_leaves() -> None:
    g = guard(output_tokens=30)
    flow, _ = make((g,), max_tokens=500)
    send = next(flow)
    assert isinstance(send, Send) and send.payload is not None
    assert send.payload["max_tokens"] == 30


def test_a_tool_round_over_the_limit_runs_no_tool_and_keeps_the_last_whole_round() -> None:
    g = guard(tool_calls=1)
    flow, history = make((g,))
    next(flow)
    step = flow.send(Sent(answer(ToolCall("c1", "weather", {"city": "Oslo"}))))
    while not isinstance(step, RunTools):
        step = flow.send(None)
    [result] = weather_results(step)
    step = flow.send([result])
    while not isinstance(step, Send):
        step = flow.send(None)
    assert [m.role for m in history] == ["user", "assistant", "tool"]
    two = answer(ToolCall("c2", "weather", {"city": "A"}), ToolCall("c3", "weather", {"city": "B"}))
    with pytest.raises(
        UsageLimitError,
        match="may run at most 1 tool calls and has run 1; the model asks for 2 more: no tool ran",
    ) as caught:
        flow.send(Sent(two))
    assert caught.value.kind == "tool_calls" and g.meter.tool_calls == 1
    assert [m.role for m in history] == ["user", "assistant", "tool"]  # the last whole round


def weather_results(step: RunTools) -> list[Any]:
    return step.toolbox.run_all(step.calls, step.hooks, raise_errors=False)


def test_a_stopped_call_gives_back_what_its_request_held() -> None:
    g = guard(usd=1.0)
    flow, _ = make((g,), max_tokens=100)
    next(flow)
    with pytest.raises(KeyboardInterrupt):
        flow.throw(KeyboardInterrupt())
    assert hold((g,), Ask("m/a", 1.0))  # nothing is still held


def test_a_plain_request_is_checked_and_counted() -> None:
    from pyllm._engine.flow import Spend

    g = guard(usd=0.01)
    send = Send(LOCAL, "/embeddings", {"input": "x"}, None, Deadline(None))
    spend = Spend((g,), Ask("e/1", 0.004), lambda body: Usage(input_tokens=2, cost=body["cost"]))
    flow = request_flow(send, RetryPolicy(max_retries=0), spend)
    assert next(flow) is send
    with pytest.raises(StopIteration):
        flow.send(Sent({"cost": 0.003}))
    assert g.meter.spent == 0.003
    refused = request_flow(
        send, RetryPolicy(max_retries=0), Spend((g,), Ask("e/1", 0.008), lambda b: None)
    )
    with pytest.raises(BudgetExceededError):
        next(refused)
