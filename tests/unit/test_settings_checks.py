"""Settings are checked when set, and errors name where the value came from (issue 11, item 20)."""

from __future__ import annotations

import math
from typing import Any

import pytest

import pyllm
from pyllm.config import ENV_VARIABLES

BAD_VALUES: list[tuple[str, Any, str]] = [
    ("max_retries", -1, "at least 0"),
    ("max_retries", 1.5, "whole number"),
    ("timeout", 0, "positive number of seconds"),
    ("timeout", -1, "positive number of seconds"),
    ("timeout", "soon", "number of seconds"),
    ("connect_timeout", math.nan, "positive number of seconds"),
    ("total_timeout", 0, "positive number of seconds"),
    ("retry_backoff", -0.5, "positive number of seconds"),
    ("max_retry_wait", math.inf, "positive number of seconds"),
    ("max_connections", 0, "at least 1"),
    ("max_tool_rounds", 0, "at least 1"),
    ("raise_tool_errors", "maybe", "true or false"),
    ("log_level", "LOUD", "one of DEBUG"),
    ("openrouter_base_url", "openrouter.ai", "http:// or https://"),
    ("openrouter_api_key", 123, "string API key"),
    ("default_headers", ["x"], "mapping"),
]


@pytest.mark.parametrize(("name", "value", "match"), BAD_VALUES, ids=lambda v: str(v))
def test_a_bad_value_raises_when_set_naming_the_argument(name: str, value: Any, match: str) -> None:
    with pytest.raises(pyllm.ConfigurationError, match=match) as built:
        pyllm.Client(**{name: value})
    assert str(built.value).startswith(f"{name} must be")
    client = pyllm.Client(openrouter_api_key="sk-or-test")
    before = client.settings
    with pytest.raises(pyllm.ConfigurationError, match=match) as configured:
        client.configure(**{name: value})
    message = str(configured.value)
    assert name in message
    variable = ENV_VARIABLES.get(name)
    assert variable is None or variable not in message  # no env variable was involved
    assert client.settings == before  # nothing changed
    assert repr(client) == "Client(providers=['openrouter'])"


def test_the_module_level_configure_checks_too() -> None:
    with pytest.raises(pyllm.ConfigurationError, match="max_retries must be at least 0, got -1"):
        pyllm.configure(max_retries=-1)
    repr(pyllm.default_client())  # still usable: the bad value was never stored
    assert pyllm.default_client().settings.max_retries == 3


def test_a_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYLLM_MAX_RETRIES", "-1")
    with pytest.raises(pyllm.ConfigurationError) as caught:
        pyllm.Client().settings  # noqa: B018
    assert (
        str(caught.value)
        == "the environment variable PYLLM_MAX_RETRIES must be at least 0, got '-1'"
    )
    assert pyllm.Client(max_retries=2).settings.max_retries == 2  # an argument wins, unchecked env


def test_with_retries_names_its_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    chat = pyllm.Client(openrouter_api_key="sk-or-test").chat("a/b")
    with pytest.raises(pyllm.ConfigurationError, match="max_retries must be at least 0") as caught:
        chat.with_retries(-1)
    assert "PYLLM" not in str(caught.value)
    with pytest.raises(pyllm.ConfigurationError, match="max_retry_wait must be a positive"):
        chat.with_retries(max_retry_wait=-5)


def test_configuration_errors_are_value_errors() -> None:
    assert issubclass(pyllm.ConfigurationError, ValueError)
    with pytest.raises(ValueError):
        pyllm.Client(timeout=-1)


def test_good_values_are_still_converted() -> None:
    settings = pyllm.Client(timeout="30", max_retries="2", raise_tool_errors="yes").settings
    assert (settings.timeout, settings.max_retries, settings.raise_tool_errors) == (30.0, 2, True)
    assert pyllm.Client(openrouter_api_key="").settings.openrouter_api_key is None
