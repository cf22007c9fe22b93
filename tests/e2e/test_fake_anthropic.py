"""The fake Anthropic's behaviour over real sockets, checked with plain httpx: what it refuses
like the real API, errors and faults from the shared scripting API, streams that say the same
as blocking answers, the models listing in pages, the prompt cache, its pyllm client (13c)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pyllm.testing import (
    FakeAnthropic,
    RecordedRequest,
    Reply,
    drop,
    error,
    raw,
    stream_error,
    text,
)
from tests.e2e._anthropic_http import CALL, HI, RESULT, post, refused, streamed, turns

# ---- what the real API refuses -----------------------------------------------------------------


def test_keys_and_the_version_header_are_checked_like_the_real_api() -> None:
    with FakeAnthropic() as anyone, FakeAnthropic(api_key="sk-ant-right") as keyed:
        assert post(anyone).status_code == 200  # any key will do
        assert refused(post(anyone, **{"x-api-key": ""})) == (
            401,
            "authentication_error",
            "x-api-key header is required",
        )
        assert refused(post(keyed)) == (401, "authentication_error", "invalid x-api-key")
        assert post(keyed, **{"x-api-key": "sk-ant-right"}).status_code == 200
        missing = post(anyone, **{"anthropic-version": ""})
        assert refused(missing) == (
            400,
            "invalid_request_error",
            "anthropic-version: header is required",
        )
        assert post(anyone, **{"anthropic-version": "2099-01-01"}).status_code == 400
        listing = httpx.get(anyone.url + "/models", timeout=10)  # every route, not only chat
        assert listing.status_code == 401
        anyone.reply(text("unused"))
        post(anyone, **{"x-api-key": ""})
        assert anyone.pending() == 1  # a refused request uses no scripted reply


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_tokens": None}, "max_tokens: Field required"),
        ({"model": None}, "model: Field required"),
        ({"max_tokens": "100"}, "max_tokens: Input should be a valid integer"),
        ({"temperature": 1.5}, "temperature: Input should be a number from 0 to 1"),
        ({"messages": []}, "messages: at least one message is required"),
        (
            {"messages": [{"role": "system", "content": "Be terse."}]},
            "messages.0.role: Input should be 'user' or 'assistant'",
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 500}},
            "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 2048}},
            "`max_tokens` must be greater than `thinking.budget_tokens`",
        ),
    ],
)
def test_a_body_the_api_rejects_is_a_400(
    anthropic: FakeAnthropic, change: dict[str, Any], message: str
) -> None:
    body = {k: v for k, v in {**HI, **change}.items() if v is not None}
    assert refused(post(anthropic, body)) == (400, "invalid_request_error", message)


def test_tool_results_must_answer_the_calls_just_before_them(anthropic: FakeAnthropic) -> None:
    ask = [{"type": "text", "text": "Weather in Oslo?"}]
    assert post(anthropic, turns(ask, [CALL], [RESULT])).status_code == 200
    stray = {**RESULT, "tool_use_id": "toolu_2"}
    status, _, message = refused(post(anthropic, turns(ask, [CALL], [RESULT, stray])))
    assert status == 400 and message.startswith(
        "messages.2.content.1: unexpected `tool_use_id` found in `tool_result` blocks: toolu_2."
    )
    second = {**CALL, "id": "toolu_2"}
    status, _, message = refused(post(anthropic, turns(ask, [CALL, second], [RESULT])))
    assert status == 400 and message.startswith(
        "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: "
        "toolu_2."
    )


def test_thinking_must_come_back_with_the_signature_it_was_given(anthropic: FakeAnthropic) -> None:
    anthropic.reply(text("8", reasoning="5 + 3 = 8."))
    first = post(anthropic).json()["content"]
    assert first[0] == {
        "type": "thinking",
        "thinking": "5 + 3 = 8.",
        "signature": FakeAnthropic.signature("5 + 3 = 8."),
    }
    again = [{"type": "text", "text": "Double it"}]
    assert (
        post(anthropic, turns([{"type": "text", "text": "5 + 3?"}], first, again)).status_code
        == 200
    )
    changed = [{**first[0], "thinking": "5 + 3 = 9."}, first[1]]
    status, _, message = refused(
        post(anthropic, turns([{"type": "text", "text": "5+3"}], changed, again))
    )
    assert (status, message) == (
        400,
        "messages.1.content.0: Invalid `signature` in `thinking` block",
    )


# ---- errors and faults: the shared scripting API in Anthropic's words --------------------------


@pytest.mark.parametrize(
    ("reply", "status", "kind", "retry"),
    [
        (
            error(429, "Number of requests has exceeded your rate limit", retry_after=7),
            429,
            "rate_limit_error",
            "true",
        ),
        (error(529, "Overloaded"), 529, "overloaded_error", "true"),
        (error(500, "Internal server error"), 500, "api_error", "true"),
        (error(401, "invalid x-api-key"), 401, "authentication_error", "false"),
        (error(403, "no"), 403, "permission_error", "false"),
        (error(413, "too big"), 413, "request_too_large", "false"),
        (error(400, "nope", code="billing_error"), 400, "billing_error", "false"),
    ],
)
def test_error_replies_use_anthropics_envelope(
    anthropic: FakeAnthropic, reply: Reply, status: int, kind: str, retry: str
) -> None:
    anthropic.reply(reply)
    answer = post(anthropic)
    assert refused(answer) == (status, kind, reply.error["message"] if reply.error else "")
    assert answer.headers["x-should-retry"] == retry
    if status == 429:
        assert answer.headers["retry-after"] == "7"


def test_a_scripted_request_id_is_the_one_sent(anthropic: FakeAnthropic) -> None:
    anthropic.reply(error(529, "Overloaded", headers={"Request-Id": "req_mine"}), text("ok"))
    failed, answered = post(anthropic), post(anthropic)
    assert failed.headers["request-id"] == failed.json()["request_id"] == "req_mine"
    assert answered.headers["request-id"].startswith("req_fake")


def test_a_stream_error_comes_as_an_error_event_after_the_content(anthropic: FakeAnthropic) -> None:
    anthropic.reply(
        stream_error(529, "Overloaded", after=2, text="one two three"),
        stream_error("api_error", "Internal server error", after=0, text="unsaid"),
    )
    first = streamed(anthropic)
    names = [name for name, _ in first]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 2,
        "error",
    ]
    assert (
        "".join(data["delta"]["text"] for name, data in first if name == "content_block_delta")
        == "one two "
    )
    assert first[-1][1] == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    before_any_content = streamed(anthropic)
    assert [name for name, _ in before_any_content] == ["message_start", "ping", "error"]
    assert before_any_content[-1][1]["error"]["type"] == "api_error"


def test_pings_and_an_unfinished_stream(anthropic: FakeAnthropic) -> None:
    anthropic.reply(text("a b", keepalives=3), text("a b", keepalives=0, done=False))
    names = [name for name, _ in streamed(anthropic)]
    assert names.count("ping") == 3 and names.index("ping") == 2  # after the first block starts
    unfinished = [name for name, _ in streamed(anthropic)]
    assert "ping" not in unfinished and unfinished[-1] == "message_delta"


def test_the_shared_faults_work_on_anthropic_streams(anthropic: FakeAnthropic) -> None:
    anthropic.reply(
        drop(), drop(after=3, text="a b c d"), raw(b"not json", status=200), text("fine")
    )
    with pytest.raises(httpx.HTTPError):
        post(anthropic)
    with pytest.raises(httpx.HTTPError):
        streamed(anthropic)
    assert post(anthropic).content == b"not json"
    assert post(anthropic).json()["content"] == [{"type": "text", "text": "fine"}]
    assert len(anthropic.requests) == 4


def test_a_bug_in_a_handler_is_a_500_in_anthropics_envelope() -> None:
    def broken(request: RecordedRequest) -> Reply:
        raise ValueError("handler bug")

    with FakeAnthropic() as fake:
        fake.route("/messages", broken)
        answer = post(fake)
        assert answer.status_code == 500
        assert answer.json()["error"]["type"] == "api_error"
        assert "handler bug" in answer.json()["error"]["message"]
        assert [type(e) for e in fake.errors] == [ValueError]
