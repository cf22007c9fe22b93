"""Issue 11, item 10: JSON nested too deeply, wherever pyllm reads JSON, is a typed outcome.

Python's parser raises a bare ``RecursionError`` on such input; every entry point must turn it
into what it does with any other unreadable JSON. (Bodies, error bodies and stream events over
real sockets: tests/reliability/scenarios.py.)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

import pyllm
from pyllm._catalog import files
from pyllm._catalog import merge as merging
from pyllm._engine.sse import ServerSentEvent
from pyllm._json import JSONNestingError, loads, parse_tool_arguments
from pyllm.protocols import _readers as read
from pyllm.protocols.base import decode_json
from pyllm.protocols.openrouter import OpenRouterDialect
from pyllm.providers.openrouter import DEFAULT_BASE_URL as BASE_URL
from pyllm.providers.openrouter import OpenRouter

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("data", [DEEP, DEEP.encode(), " " + DEEP, '{"a": ' + DEEP + "}"])
def test_loads_raises_a_value_error_not_recursion_error(data: str | bytes) -> None:
    with pytest.raises(JSONNestingError, match="nested too deeply") as caught:
        loads(data)
    assert isinstance(caught.value, ValueError)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_nesting_python_can_read_still_parses() -> None:
    assert loads("[" * 200 + "]" * 200) == json.loads("[" * 200 + "]" * 200)


def test_a_deep_200_body_is_an_invalid_response_error() -> None:
    with pytest.raises(pyllm.InvalidResponseError, match="nested too deeply") as caught:
        decode_json(DEEP.encode(), provider="openrouter")
    assert caught.value.status == 200


def test_a_deep_stream_event_is_an_invalid_response_error() -> None:
    with pytest.raises(pyllm.InvalidResponseError, match="not valid JSON"):
        OpenRouterDialect("openrouter").parse_event(ServerSentEvent(DEEP))


@pytest.mark.parametrize(
    ("status", "cls"), [(400, pyllm.BadRequestError), (503, pyllm.ServerError)]
)
def test_a_deep_error_body_keeps_the_class_of_its_status(
    status: int, cls: type[pyllm.APIError]
) -> None:
    provider = OpenRouter(
        base_url="http://127.0.0.1:9/api/v1", api_key=None, protocol=OpenRouterDialect("openrouter")
    )
    details = provider.extract_error(status, {}, DEEP.encode())
    assert details.message == "the error body is JSON nested too deeply to read"
    error = pyllm.errors.api_error(status, details, provider="openrouter")
    assert isinstance(error, cls) and error.status == status


def test_deep_error_metadata_and_upstream_text_are_kept_as_text() -> None:
    assert read.metadata(DEEP) == {"raw": DEEP}
    body = {"error": {"message": "Provider returned error", "code": 502, "metadata": {"raw": DEEP}}}
    details = OpenRouterDialect("openrouter").parse_error(body)
    assert details.message == "Provider returned error"
    assert details.upstream_message is not None and details.upstream_message.startswith("[[[")


def test_deep_tool_arguments_are_an_arguments_error() -> None:
    arguments, error = parse_tool_arguments(DEEP)
    assert arguments == {}
    assert error == "arguments are not valid JSON: nested too deeply to read"


def test_a_deep_cache_file_warns_once_and_lookups_use_the_snapshot(tmp_path: Path) -> None:
    cache = tmp_path / "models.json"
    cache.write_text(DEEP)
    client = pyllm.Client(openrouter_api_key="sk-or-test", models_cache_path=str(cache))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = client.models.find("anthropic/claude-haiku-4.5")
        assert client.models.get("openai/gpt-4.1-mini") is not None
        client.chat("anthropic/claude-haiku-4.5")
    ours = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(ours) == 1 and "nested too deeply" in str(ours[0].message)
    assert found.id == "anthropic/claude-haiku-4.5"
    assert client.models.source == "snapshot"


def _cache_with(row_change: dict[int, object]) -> str:
    data = json.loads((files.DATA_DIR / "models.json").read_text())
    row = list(data["providers"]["openrouter"][0])
    for column, value in row_change.items():
        row[column] = value
    data["providers"] = {"openrouter": [row]}
    listing = {"provider": "openrouter", "base_url": BASE_URL, "models": data}
    return json.dumps({"format": files.CACHE_FORMAT, "listings": [listing]})


@pytest.mark.parametrize(
    "change",
    [
        {0: 5},  # the id is a number
        {0: ["a"]},  # the id is a list
        {1: {"a": 1}},  # the name is an object
        {3: 1e300},  # created: a timestamp out of range
        {4: "big"},  # the context window is text
        {4: -1},  # a negative context window
        {10: [float("nan"), 1.0]},  # a NaN price
        {10: [-1.0, 1.0]},  # a negative price
    ],
    ids=[
        "id-number",
        "id-list",
        "name-object",
        "created-huge",
        "context-text",
        "context-negative",
        "price-nan",
        "price-negative",
    ],
)
def test_a_hostile_cache_file_is_ignored_with_a_warning(
    tmp_path: Path, change: dict[int, object]
) -> None:
    cache = tmp_path / "models.json"
    cache.write_text(_cache_with(change))
    with pytest.warns(RuntimeWarning, match="ignoring the pyllm model cache"):
        models, source = merging.load_models(cache, lambda: {"openrouter": BASE_URL})
    assert source == "snapshot" and len(models) > 1000
