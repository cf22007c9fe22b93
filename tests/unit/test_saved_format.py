"""The saved-chat format (issue 16): every field of every message, and every chat setting,
comes back from JSON exactly; bad data raises a FormatError naming the field; a chat saved in
format 1 (a frozen file under tests/fixtures) is read by this version and every later one."""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm import Attachment, Message, ToolCall, Usage
from pyllm._chat_options import ChatOptions
from pyllm._engine.retry import RetryPolicy
from pyllm._limits import Limits
from pyllm._serial import FORMAT_VERSION, field_types
from pyllm.openrouter import Routing
from pyllm.request import Caching, ResponseSchema, Thinking

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "saved_chat_v1.json"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))


# ---- sample values from type hints: a new field gets one without anybody writing it -------


def sample(hint: Any, depth: int = 0) -> Any:
    """A value of type ``hint`` that is not its type's default (never empty, zero or None)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return {"any": [1, "two", None, {"three": 3.5}]}
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)), depth)
    if origin is typing.Literal:
        return args[-1]
    if origin in (tuple, list, Sequence, frozenset, set):
        if depth > 4 and origin is tuple:  # a type that holds itself (a logprob's top ones)
            return ()
        item = sample(args[0], depth + 1)
        if origin in (frozenset, set):
            return frozenset({item})
        return (item,) if origin is tuple else [item]
    if origin in (dict, Mapping):
        return {"key": sample(args[1], depth + 1)}
    if hint is Attachment:
        return Attachment(data=PNG, filename="chart.png")
    if dataclasses.is_dataclass(hint):
        hints = field_types(hint)
        return hint(**{f.name: sample(hints[f.name], depth + 1) for f in dataclasses.fields(hint)})
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return list(hint)[-1]
    return {bool: True, int: 7, float: 0.25, str: "text"}[hint]


def full_message() -> Message:
    hints = field_types(Message)
    return Message(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(Message)})


def test_every_message_field_survives_json() -> None:
    """Fails when a field added to Message is not written or not read back."""
    original = full_message()
    defaults = Message("user")
    for f in dataclasses.fields(Message):  # the sample really sets every field
        assert getattr(original, f.name) != getattr(defaults, f.name), f.name
    data = json.loads(json.dumps(original.to_dict()))
    again = Message.from_dict(data)
    for f in dataclasses.fields(Message):  # compare=False fields (parsed, raw...) too
        assert getattr(again, f.name) == getattr(original, f.name), f.name
    assert set(data) == {f.name for f in dataclasses.fields(Message)}


def test_fields_at_their_default_are_left_out() -> None:
    assert Message.user("Hi").to_dict() == {"role": "user", "content": "Hi"}
    assert Message.from_dict({"role": "tool"}) == Message("tool")


def test_attachments_inline_and_by_reference() -> None:
    message = Message.user("see", (Attachment(data=PNG), Attachment(url="https://x.test/a.pdf")))
    inline = message.to_dict()
    assert inline["attachments"][0]["data"].startswith("iVBORw0KGgo")
    assert inline["attachments"][1] == {
        "url": "https://x.test/a.pdf",
        "mime_type": "application/pdf",
    }
    assert Message.from_dict(inline) == message

    kept: dict[str, bytes] = {}

    def save(attachment: Attachment) -> str:
        kept[f"k{len(kept)}"] = attachment.data or b""
        return f"k{len(kept) - 1}"

    by_reference = message.to_dict(attachments=save)
    assert by_reference["attachments"][0] == {
        "ref": "k0",
        "size": len(PNG),
        "mime_type": "image/png",
    }
    assert Message.from_dict(by_reference, attachments=kept.__getitem__) == message
    with pytest.raises(pyllm.FormatError, match="no loader was given"):
        Message.from_dict(by_reference)


def test_parsed_values_are_saved_as_json() -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str
        people: int

    message = Message(
        "assistant", '{"name": "Oslo", "people": 700000}', parsed=City(name="Oslo", people=700000)
    )
    assert Message.from_dict(message.to_dict()).parsed == {"name": "Oslo", "people": 700000}

    @dataclasses.dataclass
    class Point:
        x: int

    assert Message("assistant", parsed=Point(3)).to_dict()["parsed"] == {"x": 3}
    with pytest.raises(TypeError, match=r"cannot save Message\.parsed: a object has no JSON form"):
        Message("assistant", parsed=object()).to_dict()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"content": "no role"}, "role"),
        ({"role": 3}, "role must be a string, got 3"),
        ({"role": "assistant", "usage": {"cost": "cheap"}}, "usage.cost must be a number"),
        (
            {"role": "assistant", "tool_calls": [{"id": "c"}]},
            r"tool_calls\[0\] is not a valid ToolCall",
        ),
        (
            {"role": "user", "attachments": [{"data": "%%%"}]},
            r"attachments\[0\]\.data is not valid base64",
        ),
        ({"role": "user", "attachments": [{}]}, r"attachments\[0\] an Attachment needs data"),
        ({"role": "user", "shiny": 1}, r"fields this pyllm does not know \(shiny\)"),
        ({"role": "assistant", "is_error": "yes"}, "is_error must be true or false"),
    ],
)
def test_data_that_does_not_fit_names_the_field(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(pyllm.FormatError, match=problem) as caught:
        Message.from_dict(data)
    assert str(caught.value).startswith("cannot read a saved Message")
    assert isinstance(caught.value, ValueError)


# ---- chats ----------------------------------------------------------------------------------


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@pyllm.tool
def clock() -> str:
    """The time."""
    return "noon"


def configured(client: pyllm.Client) -> pyllm.Chat:
    """A chat with every setting changed from its default."""
    return (
        client.chat("anthropic/claude-haiku-4.5")
        .with_instructions("Be terse.")
        .with_temperature(0.3)
        .with_max_tokens(500)
        .with_params(top_k=5, provider={"sort": "price"})
        .with_headers(x_session_id="abc")
        .with_thinking("high", exclude=True)
        .with_schema(
            {"type": "object", "properties": {"a": {"type": "string"}}}, name="answer", retries=2
        )
        .with_fallbacks("openai/gpt-4.1-mini")
        .with_routing(order=["anthropic"], data_collection="deny")
        .with_retries(2, retry_budget_s=30.0, max_retry_wait=5.0)
        .with_timeout(45.0)
        .with_caching(ttl="1h", tools=False)
        .with_budget(2.5, allow_unknown_prices=True)
        .with_limits(requests=9, tool_calls=8, input_tokens=7000, output_tokens=6000)
        .with_tools(
            weather,
            clock,
            choice="weather",
            parallel=False,
            max_tool_rounds=4,
            raise_tool_errors=True,
            tool_timeout=12.0,
            max_result_chars=999,
            concurrency=3,
            execute=False,
        )
        .with_stop("END")
        .with_seed(7)
        .with_user("user-42")
        .with_logprobs(top=2)
        .with_web_search(max_results=3)
        .with_pdf_engine("mistral-ocr")
        .with_session("s-1")
        .with_metadata(team="a")
        .with_transforms("middle-out")
    )


@pytest.fixture
def client() -> pyllm.Client:
    return pyllm.Client(openrouter_api_key="sk-or-test", openai_api_key="sk-test")


def test_every_chat_setting_survives_json(client: pyllm.Client) -> None:
    chat = configured(client)
    options = chat._options
    untouched = [
        f.name
        for f in dataclasses.fields(ChatOptions)
        if getattr(options, f.name) == getattr(ChatOptions(), f.name)
    ]
    assert untouched == [], "configured() must set every ChatOptions field"
    data = json.loads(json.dumps(chat.to_dict()))
    again = client.chat_from(data, tools=[weather, clock])
    for f in dataclasses.fields(ChatOptions):
        if f.name not in ("parse", "partial"):
            assert getattr(again._options, f.name) == getattr(options, f.name), f.name
    assert again._options.parse is not None and again._options.parse('{"a": "b"}') == {"a": "b"}
    box, saved = again.toolbox, chat.toolbox
    assert list(box.tools) == ["weather", "clock"]
    for name in (
        "choice",
        "parallel",
        "max_rounds",
        "raise_errors",
        "timeout",
        "max_result_chars",
        "files",
        "concurrency",
        "execute",
    ):
        assert getattr(box, name) == getattr(saved, name), name
    assert (again.model, again.provider, again.messages) == (
        chat.model,
        chat.provider,
        chat.messages,
    )
    assert again.to_dict() == data


def test_limits_and_what_was_used_come_back(client: pyllm.Client) -> None:
    from pyllm._engine.meter import Meter

    chat = client.chat("openai/gpt-4.1-mini").with_limits(requests=3)
    chat._meter = Meter(spent=0.1, requests=2, tool_calls=1, input_tokens=30, output_tokens=40)
    again = client.chat_from(json.loads(json.dumps(chat.to_dict())))
    assert again.limits == Limits(requests=3)
    used = again.used
    assert used is not None
    assert (used.spent, used.requests, used.tool_calls, used.input_tokens, used.output_tokens) == (
        0.1,
        2,
        1,
        30,
        40,
    )


def test_a_missing_tool_raises_unless_dropped(client: pyllm.Client) -> None:
    data = client.chat("openai/gpt-4.1-mini").with_tools(weather, clock, choice="clock").to_dict()
    with pytest.raises(pyllm.ToolError, match=r"used the tools clock, which were not given"):
        client.chat_from(data, tools=[weather])
    dropped = client.chat_from(data, tools=[weather], missing_tools="drop")
    assert list(dropped.toolbox.tools) == ["weather"]
    assert dropped.toolbox.choice is None  # the forced choice named the dropped tool
    with pytest.raises(ValueError, match="missing_tools must be 'raise' or 'drop'"):
        client.chat_from(data, tools=[weather, clock], missing_tools="ignore")


def test_the_module_level_chat_from_uses_the_default_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    monkeypatch.setattr(pyllm.client, "_default", None)
    saved = pyllm.chat("openai/gpt-4.1-mini").with_instructions("Hi").to_dict()
    assert pyllm.chat_from(saved).messages == [Message.system("Hi")]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"format": "other"}, "not a saved pyllm chat"),
        ({"version": FORMAT_VERSION + 1}, f"saved in format {FORMAT_VERSION + 1} by a newer pyllm"),
        ({"version": "1"}, "'version' must be a positive whole number"),
        ({"model": None}, "model and provider must be strings"),
        ({"messages": {}}, "messages must be a list"),
        (
            {"messages": [{"role": "user", "usage": {"input_tokens": "x"}}]},
            r"cannot read a saved chat: messages\[0\]\.usage\.input_tokens must be a whole number",
        ),
        ({"settings": {"temperature": "hot"}}, r"settings\.temperature must be a number"),
        (
            {"settings": {"routing": {"sort": "random"}}},
            r"settings\.routing is not a valid Routing",
        ),
    ],
)
def test_a_chat_that_cannot_be_read_says_why(
    client: pyllm.Client, change: dict[str, Any], problem: str
) -> None:
    data = {**client.chat("openai/gpt-4.1-mini").to_dict(), **change}
    with pytest.raises(pyllm.FormatError, match=problem):
        client.chat_from(data)


def test_a_failed_restore_leaves_the_chat_as_it_was(client: pyllm.Client) -> None:
    chat = client.chat("openai/gpt-4.1-mini").with_instructions("Keep me")
    bad = {**chat.to_dict(), "model": "x/y", "messages": [{"role": 5}]}
    with pytest.raises(pyllm.FormatError):
        chat.restore(bad)
    assert (chat.model, chat.messages) == ("openai/gpt-4.1-mini", [Message.system("Keep me")])


def test_an_unknown_provider_is_named(client: pyllm.Client) -> None:
    data = {**client.chat("openai/gpt-4.1-mini").to_dict(), "provider": "acme"}
    with pytest.raises(pyllm.ConfigurationError, match="unknown provider 'acme'"):
        client.chat_from(data)


# ---- format 1, frozen ------------------------------------------------------------------------


def fixture_chat(client: pyllm.Client) -> pyllm.Chat:
    """What tests/fixtures/saved_chat_v1.json holds (regenerate it only with a new format)."""
    chat = configured(client)
    chat.messages.extend(
        [
            Message.user(
                "Weather in Oslo? Chart attached.", (Attachment(data=PNG, filename="chart.png"),)
            ),
            Message(
                "assistant",
                reasoning="Need the tool.",
                reasoning_details=(
                    {"type": "reasoning.text", "text": "Need the tool.", "signature": "sig=="},
                ),
                tool_calls=(ToolCall("call_1", "weather", {"city": "Oslo"}, '{"city":"Oslo"}'),),
                model="anthropic/claude-4.5-haiku-20251001",
                provider="openrouter",
                upstream="Anthropic",
                id="gen-1",
                finish_reason="tool_calls",
                native_finish_reason="tool_use",
                usage=Usage(120, 20, cost=0.00022, cost_source="provider", cached_tokens=100),
            ),
            Message.tool("call_1", "sunny in Oslo"),
            Message(
                "assistant",
                '{"a": "sunny"}',
                model="anthropic/claude-4.5-haiku-20251001",
                provider="openrouter",
                id="gen-2",
                finish_reason="stop",
                usage=Usage(150, 9, cost=0.000195, cost_source="provider", reasoning_tokens=3),
                annotations=({"type": "url_citation", "url_citation": {"url": "https://met.no"}},),
                parsed={"a": "sunny"},
                turn_usage=Usage(270, 29, cost=0.000415, cost_source="provider"),
                cache=True,
            ),
        ]
    )
    return chat


def test_format_1_is_read_by_this_version(client: pyllm.Client) -> None:
    """The frozen file was written by format 1; every later pyllm must keep reading it."""
    saved = json.loads(FIXTURE.read_text())
    assert saved["version"] == 1
    chat = client.chat_from(saved, tools=[weather, clock])
    expected = fixture_chat(client)
    assert chat.messages == expected.messages
    for got, want in zip(chat.messages, expected.messages, strict=True):
        assert (got.parsed, got.turn_usage) == (want.parsed, want.turn_usage)
    assert chat._options.limits == expected._options.limits
    assert chat._options.routing == Routing(order=["anthropic"], data_collection="deny")
    assert chat._options.retry == RetryPolicy(max_retries=2, max_retry_wait=5.0, budget_s=30.0)
    assert chat._options.caching == Caching(tools=False, ttl="1h")
    assert chat._options.thinking == Thinking(effort="high", exclude=True)
    assert (
        isinstance(chat._options.schema, ResponseSchema) and chat._options.schema.name == "answer"
    )
    assert chat.cost == 0.000415


def test_this_version_still_writes_format_1_as_frozen(client: pyllm.Client) -> None:
    """While FORMAT_VERSION is 1, what this pyllm writes is what the frozen file holds: a
    change of format must raise the version (and freeze a new file), not change format 1."""
    if FORMAT_VERSION != 1:
        pytest.skip("a newer format is written now; format 1 is only read")
    written = json.loads(json.dumps(fixture_chat(client).to_dict()))
    frozen = json.loads(FIXTURE.read_text())
    assert written == frozen  # fields added later, at their default, are left out


def test_field_types_follow_imports_made_for_type_checkers() -> None:
    hints = field_types(Message)
    assert hints["attachments"] == tuple[Attachment, ...]
    assert hints["usage"] == Usage | None
