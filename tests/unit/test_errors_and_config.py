"""The error tree and its single status table; settings precedence; secrets stay secret."""

from __future__ import annotations

import pickle

import pytest

import pyllm
from pyllm import errors
from pyllm._engine.retry import RetryPolicy, is_retryable
from pyllm._headers import parse_retry_after
from pyllm.config import Secret, Settings
from pyllm.errors import ErrorDetails, api_error


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, pyllm.BadRequestError),
        (401, pyllm.AuthenticationError),
        (402, pyllm.PaymentRequiredError),
        (403, pyllm.PermissionDeniedError),
        (404, pyllm.NotFoundError),
        (408, pyllm.RequestTimeoutError),
        (413, pyllm.PayloadTooLargeError),
        (422, pyllm.UnprocessableEntityError),
        (429, pyllm.RateLimitError),
        (500, pyllm.ServerError),
        (502, pyllm.ServiceUnavailableError),
        (503, pyllm.ServiceUnavailableError),
        (504, pyllm.ServerError),
        (529, pyllm.OverloadedError),
        (418, pyllm.BadRequestError),
        (None, pyllm.APIError),
    ],
)
def test_one_table_maps_status_to_class(status: int | None, cls: type) -> None:
    error = api_error(status, ErrorDetails(message="m"))
    assert type(error) is cls
    assert isinstance(error, pyllm.APIError) and isinstance(error, pyllm.Error)
    assert error.status == status


def test_context_length_is_recognised_from_message_or_type() -> None:
    by_text = api_error(
        400, ErrorDetails(message="This endpoint's maximum context length is 200000 tokens.")
    )
    by_type = api_error(400, ErrorDetails(message="nope", error_type="context_length_exceeded"))
    assert isinstance(by_text, pyllm.ContextLengthExceededError)
    assert isinstance(by_type, pyllm.ContextLengthExceededError)
    assert type(api_error(400, ErrorDetails(message="bad temperature"))) is pyllm.BadRequestError


def test_moderation_error_exposes_reasons_and_flagged_input() -> None:
    error = api_error(
        403,
        ErrorDetails(
            message="Input flagged",
            metadata={"reasons": ["violence"], "flagged_input": "abc...xyz"},
        ),
    )
    assert isinstance(error, pyllm.ModerationError)
    assert error.reasons == ["violence"]
    assert error.flagged_input == "abc...xyz"


def test_message_joins_upstream_text_and_str_says_what_and_where() -> None:
    error = api_error(
        502,
        ErrorDetails(
            message="Provider returned error",
            upstream="Google AI Studio",
            upstream_message="An internal error",
            retry_after=3,
        ),
        provider="openrouter",
    )
    assert error.message == "Provider returned error - An internal error"
    text = str(error)
    assert (
        "502" in text
        and "openrouter" in text
        and "Google AI Studio" in text
        and "retry after 3s" in text
    )


def test_in_band_codes_map_to_statuses() -> None:
    assert errors.status_from_code("429") == 429
    assert errors.status_from_code("provider_overloaded") == 529
    assert errors.status_from_code(True) is None
    assert errors.status_from_code(99) is None
    assert (
        type(api_error(None, ErrorDetails(message="x", code="rate_limit_exceeded")))
        is pyllm.RateLimitError
    )


def test_developer_mistakes_are_not_api_errors() -> None:
    for cls in (
        pyllm.ConfigurationError,
        pyllm.ModelNotFoundError,
        pyllm.ToolError,
        pyllm.UnsupportedError,
    ):
        assert issubclass(cls, pyllm.Error) and not issubclass(cls, pyllm.APIError)
    assert issubclass(pyllm.APITimeoutError, pyllm.APIConnectionError)


# ---- settings -------------------------------------------------------------------------------


def test_precedence_environment_then_overrides() -> None:
    env = {
        "OPENROUTER_API_KEY": "sk-env",
        "OPENROUTER_BASE_URL": "http://env.local/api/v1",
        "PYLLM_TIMEOUT": "30",
    }
    settings = Settings.resolve(
        {"openrouter_base_url": "http://explicit.local/api/v1/"}, environ=env
    )
    assert settings.openrouter_api_key == Secret("sk-env")
    assert settings.openrouter_base_url == "http://explicit.local/api/v1"  # trailing slash trimmed
    assert settings.timeout == 30.0
    assert settings.updated({"timeout": 5}).timeout == 5.0


def test_empty_environment_values_count_as_unset() -> None:
    settings = Settings.resolve({}, environ={"OPENROUTER_API_KEY": "  ", "PYLLM_DEFAULT_MODEL": ""})
    assert settings.openrouter_api_key is None
    assert settings.default_model is None


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"opnrouter_api_key": "x"}, "did you mean 'openrouter_api_key'"),
        ({"timeout": -1}, "positive"),
        ({"timeout": "soon"}, "number of seconds"),
        ({"max_retries": -2}, "at least 0"),
        ({"max_retries": 1.5}, "whole number"),
        ({"openrouter_base_url": "openrouter.ai"}, "http:// or https://"),
        ({"openrouter_api_key": 123}, "string API key"),
    ],
)
def test_bad_settings_raise_configuration_error(overrides: dict[str, object], match: str) -> None:
    with pytest.raises(pyllm.ConfigurationError, match=match):
        Settings.resolve(overrides, environ={})


def test_secrets_never_show() -> None:
    key = "sk-or-v1-supersecret"
    settings = Settings.resolve({"openrouter_api_key": key}, environ={})
    client = pyllm.Client(openrouter_api_key=key)
    for text in (
        repr(settings),
        str(settings),
        repr(client),
        repr(client.settings),
        repr(client.provider("openrouter")),
    ):
        assert key not in text
    assert pickle.loads(pickle.dumps(settings.openrouter_api_key)).reveal() == key


# ---- retry policy ---------------------------------------------------------------------------


def test_retry_policy_decisions() -> None:
    policy = RetryPolicy(
        max_retries=2,
        base_delay=1.0,
        max_delay=8.0,
        max_retry_wait=5.0,
        budget_s=10.0,
        jitter=False,
    )
    rate = pyllm.RateLimitError("slow", status=429)
    assert policy.delay(rate, attempt=0, elapsed=0) == 1.0
    assert policy.delay(rate, attempt=1, elapsed=0) == 2.0
    assert policy.delay(rate, attempt=2, elapsed=0) is None  # out of retries
    honoured = pyllm.RateLimitError("slow", status=429, retry_after=5)
    assert policy.delay(honoured, attempt=0, elapsed=0) == 5.0  # up to max_retry_wait
    assert policy.delay(rate, attempt=0, elapsed=9.5) is None  # would end past the budget
    for status in (400, 401, 402, 403, 404, 413):
        assert not is_retryable(api_error(status, ErrorDetails()))
    for status in (408, 429, 500, 502, 503, 504, 529):
        assert is_retryable(api_error(status, ErrorDetails()))
    assert is_retryable(pyllm.APIConnectionError("reset"))
    assert RetryPolicy(max_retries=0).delay(rate, attempt=0, elapsed=0) is None


def test_jittered_backoff_stays_within_bounds() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)
    waits = [
        policy.delay(pyllm.ServerError("x", status=500), attempt=2, elapsed=0) for _ in range(50)
    ]
    assert all(w is not None and 2.0 <= w <= 4.0 for w in waits)
    assert len(set(waits)) > 1


def test_parse_retry_after_forms() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after({"Retry-After": "12"}, now=now) == 12.0
    assert parse_retry_after(
        {"retry-after": "Tue, 14 Nov 2023 22:13:40 GMT"}, now=now
    ) == pytest.approx(20.0)
    assert parse_retry_after(
        {"X-RateLimit-Reset": str(int((now + 30) * 1000))}, now=now
    ) == pytest.approx(30.0)
    assert parse_retry_after({"X-RateLimit-Reset": "5"}, now=now) == 5.0
    assert parse_retry_after({"Retry-After": "soon-ish"}, now=now) is None
    assert parse_retry_after({}, now=now) is None
