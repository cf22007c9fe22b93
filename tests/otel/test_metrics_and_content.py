"""pyllm.instrument(): metrics as the GenAI conventions name them, a cost counter, and content
only when asked for (never an API key)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, error, text, tool_call

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

    from .conftest import Recorded

MODEL = "openai/gpt-4.1-mini"
KEY = "sk-or-v1-otel-secret-key-0123456789"


@pyllm.tool
def weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def test_token_usage_duration_and_cost_are_recorded_per_attempt(
    server: FakeOpenRouter, otel: Recorded
) -> None:
    server.reply(error(503, "busy", retry_after=0), text("Fine now."))
    reply = server.chat(MODEL).ask("Hi")
    assert reply.usage is not None and reply.usage.cost
    tokens = {
        p.attributes["gen_ai.token.type"]: p for p in otel.points("gen_ai.client.token.usage")
    }
    assert tokens["input"].sum == reply.usage.input_tokens and tokens["input"].count == 1
    assert tokens["output"].sum == reply.usage.output_tokens
    assert tokens["input"].explicit_bounds[:3] == (1, 4, 16)
    assert dict(tokens["input"].attributes) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": MODEL,
        "gen_ai.response.model": reply.model,
        "gen_ai.token.type": "input",
        "server.address": "127.0.0.1",
        "server.port": tokens["input"].attributes["server.port"],
    }
    durations = otel.points("gen_ai.client.operation.duration")
    failed = [p for p in durations if p.attributes.get("error.type") == "ServiceUnavailableError"]
    succeeded = [p for p in durations if "error.type" not in p.attributes]
    assert len(failed) == 1 and failed[0].count == 1 and succeeded[0].count == 1
    assert succeeded[0].sum > 0 and succeeded[0].explicit_bounds[0] == 0.01
    (cost,) = otel.points("pyllm.client.cost")
    assert cost.value == pytest.approx(reply.usage.cost)


def test_a_tool_loop_counts_every_request(server: FakeOpenRouter, otel: Recorded) -> None:
    server.reply(tool_call("weather", {"city": "Lima"}), text("Sunny."))
    reply = server.chat(MODEL).with_tools(weather).ask("Weather?")
    assert reply.turn_usage is not None
    (output,) = [
        p
        for p in otel.points("gen_ai.client.token.usage")
        if p.attributes["gen_ai.token.type"] == "output"
    ]
    assert output.count == 2 and output.sum == reply.turn_usage.output_tokens
    (cost,) = otel.points("pyllm.client.cost")
    assert cost.value == pytest.approx(reply.turn_usage.cost)


CONTENT = (
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.tool.definitions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
)


def _everything(spans: list[ReadableSpan]) -> str:
    """Every attribute, event and status text of ``spans``, as one string."""
    return "\n".join(span.to_json() for span in spans)


def test_no_content_is_recorded_unless_asked(server: FakeOpenRouter, otel: Recorded) -> None:
    server.reply(tool_call("weather", {"city": "Lima"}), text("Sunny in Lima."))
    server.chat(MODEL).with_tools(weather).ask("Weather in Lima?")
    recorded = _everything(otel.spans())
    assert not any(name in recorded for name in CONTENT)
    assert "Lima" not in recorded and "sunny" not in recorded


def test_content_is_recorded_when_asked(server: FakeOpenRouter, otel_content: Recorded) -> None:
    server.reply(tool_call("weather", {"city": "Lima"}), text("Sunny in Lima."))
    chat = server.chat(MODEL).with_instructions("Be terse.").with_tools(weather)
    chat.ask("Weather in Lima?")
    first, second = otel_content.named(f"chat {MODEL}")
    sent = json.loads((first.attributes or {})["gen_ai.input.messages"])
    assert sent == [
        {"role": "system", "parts": [{"type": "text", "content": "Be terse."}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather in Lima?"}]},
    ]
    asked = json.loads((first.attributes or {})["gen_ai.output.messages"])
    (part,) = asked[0]["parts"]
    assert asked[0]["finish_reason"] == "tool_call"
    assert part["type"] == "tool_call" and part["name"] == "weather"
    assert part["arguments"] == {"city": "Lima"}
    definitions = json.loads((first.attributes or {})["gen_ai.tool.definitions"])
    assert definitions == [
        {"type": "function", "name": "weather", "description": "The weather in a city."}
    ]
    history = json.loads((second.attributes or {})["gen_ai.input.messages"])
    assert history[-1] == {
        "role": "tool",
        "parts": [{"type": "tool_call_response", "id": part["id"], "response": "sunny in Lima"}],
    }
    answer = json.loads((second.attributes or {})["gen_ai.output.messages"])
    assert answer == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "Sunny in Lima."}],
            "finish_reason": "stop",
        }
    ]
    tool = otel_content.one("execute_tool weather").attributes or {}
    assert json.loads(tool["gen_ai.tool.call.arguments"]) == {"city": "Lima"}
    assert tool["gen_ai.tool.call.result"] == "sunny in Lima"
    call = otel_content.one("invoke_agent").attributes or {}
    assert json.loads(call["gen_ai.output.messages"]) == answer


def test_attachments_are_described_never_sent_as_bytes(
    server: FakeOpenRouter, otel_content: Recorded
) -> None:
    png = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 64
    server.chat(MODEL).ask("What is this?", attachments=[png])
    sent = json.loads(otel_content.one(f"chat {MODEL}").attributes["gen_ai.input.messages"])
    attachment = sent[0]["parts"][1]
    assert attachment == {
        "type": "attachment",
        "modality": "image",
        "mime_type": "image/png",
        "name": attachment["name"],
        "size": len(png),
    }


def test_the_api_key_never_shows_even_with_content(
    server: FakeOpenRouter, otel_content: Recorded
) -> None:
    chat = server.chat(MODEL, openrouter_api_key=KEY).with_retries(0)
    chat.ask("Hi")
    server.reply(error(401, f"the key {KEY} is not valid"))
    with pytest.raises(pyllm.AuthenticationError):
        chat.ask("Again")
    recorded = _everything(otel_content.spans())
    assert "AuthenticationError" in recorded and KEY not in recorded
    assert "Authorization" not in recorded


def test_nothing_from_opentelemetry_is_imported_unless_instrument_runs() -> None:
    code = textwrap.dedent(
        """
        import sys
        import pyllm
        from pyllm.testing import FakeOpenRouter, text, tool_call

        @pyllm.tool
        def weather(city: str) -> str:
            "The weather."
            return "sunny"

        def loaded():
            return sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")

        with FakeOpenRouter() as fake:
            fake.reply(tool_call("weather", {"city": "Lima"}), text("Sunny."))
            chat = fake.chat("openai/gpt-4.1-mini").with_tools(weather).on_request(print)
            chat.ask("Weather?")
            list(chat.stream("And tomorrow?"))
            chat.render("Hi")
            pyllm.instrument  # the name alone loads nothing
            before = loaded()
            with pyllm.instrument():
                chat.ask("Thanks")
            print("BEFORE", before)
            print("AFTER", bool(loaded()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stdout.splitlines()
    assert "BEFORE []" in lines and "AFTER True" in lines, done.stdout + done.stderr


def test_instrument_without_opentelemetry_says_what_to_install() -> None:
    code = textwrap.dedent(
        """
        import sys
        sys.modules["opentelemetry"] = None  # as if it were not installed
        import pyllm
        try:
            pyllm.instrument()
        except ImportError as exc:
            print(exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'pyllm[otel]'" in done.stdout


def test_capture_content_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="capture_content"):
        pyllm.instrument(capture_content="yes")  # type: ignore[arg-type]
