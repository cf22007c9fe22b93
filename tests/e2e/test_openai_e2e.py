"""``provider="openai"`` end to end, the way OpenAI's own API expects it: reasoning models get
the ``developer`` role and ``max_completion_tokens``, ``with_thinking`` becomes
``reasoning_effort``, usage counts cached and reasoning tokens, ``/images/generations`` answers
with ``b64_json`` or ``url``, the organization and project go in headers. Real sockets, against
``pyllm.testing``'s fake (it speaks Chat Completions), pointed at by ``openai_base_url``."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest

import pyllm
from pyllm.testing import FakeOpenRouter, Reply, raw, text
from pyllm.testing._media import TINY_PNG


def openai(server: FakeOpenRouter, **settings: Any) -> pyllm.Client:
    """A client with only an OpenAI key, its base URL the fake's."""
    own = {"openai_api_key": "sk-openai-test", "openai_base_url": server.url}
    return server.client(openrouter_api_key="", **{**own, **settings})


# ---- reasoning models ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("gpt-5-nano", True),  # the registry says so, and so does the id
        ("o4-mini", True),
        ("o1-mini", True),  # unknown to the registry: the id says so
        ("gpt-realtime-2.1", True),  # only the registry says so
        ("gpt-4.1-mini", False),
        ("gpt-4o-audio-preview", False),  # unknown, and no reasoning id
    ],
)
def test_reasoning_models_get_the_developer_role_and_max_completion_tokens(
    server: FakeOpenRouter, model: str, reasoning: bool
) -> None:
    chat = openai(server).chat(model, provider="openai")
    chat.with_instructions("Be terse.").with_max_tokens(300).ask("Hi")
    sent = server.requests[-1].json
    role = "developer" if reasoning else "system"
    assert sent["messages"] == [
        {"role": role, "content": "Be terse."},
        {"role": "user", "content": "Hi"},
    ]
    cap = "max_completion_tokens" if reasoning else "max_tokens"
    assert sent[cap] == 300 and sent["model"] == model
    assert {"max_tokens", "max_completion_tokens"} & set(sent) == {cap}


def test_a_reasoning_model_streams_with_usage_asked_for(server: FakeOpenRouter) -> None:
    chat = openai(server).chat("gpt-5-mini", provider="openai").with_instructions("Terse.")
    chunks = list(chat.stream("Count to three"))
    sent = server.requests[-1].json
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["messages"][0]["role"] == "developer"
    assert chat.messages[-1].content == "".join(c.content for c in chunks)


@pytest.mark.parametrize(
    ("effort", "budget", "sent"),
    [
        ("low", None, "low"),
        ("minimal", None, "minimal"),
        ("max", None, "xhigh"),  # OpenAI's highest
        (None, 1024, "low"),
        (None, 2048, "low"),
        (None, 2049, "medium"),
        (None, 8192, "medium"),
        (None, 30000, "high"),
    ],
)
def test_with_thinking_becomes_reasoning_effort(
    server: FakeOpenRouter, effort: str | None, budget: int | None, sent: str
) -> None:
    chat = openai(server).chat("o3", provider="openai").with_thinking(effort, budget=budget)
    chat.ask("Is 1013 prime?")
    payload = server.requests[-1].json
    assert payload["reasoning_effort"] == sent
    assert "reasoning" not in payload  # OpenRouter's field, not OpenAI's


def test_thinking_on_without_effort_or_budget_sends_nothing_extra(server: FakeOpenRouter) -> None:
    openai(server).chat("o3", provider="openai").with_thinking().ask("Hi")
    assert "reasoning_effort" not in server.requests[-1].json


def test_usage_counts_cached_and_reasoning_tokens_and_is_priced(server: FakeOpenRouter) -> None:
    usage = {
        "prompt_tokens": 2_000_000,
        "completion_tokens": 1_000_000,
        "total_tokens": 3_000_000,
        "prompt_tokens_details": {"cached_tokens": 1_000_000, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 400_000, "audio_tokens": 0},
    }
    server.reply(text("Done.", usage=usage))
    client = openai(server)
    reply = client.chat("gpt-4.1-mini", provider="openai").ask("Hi")
    assert reply.usage.cached_tokens == 1_000_000 and reply.usage.reasoning_tokens == 400_000
    prices = client.models.find("gpt-4.1-mini", "openai").pricing  # 0.4 in, 0.1 cached, 1.6 out
    assert (prices.input, prices.cached_input, prices.output) == (0.4, 0.1, 1.6)
    assert reply.usage.cost == pytest.approx(1 * 0.4 + 1 * 0.1 + 1 * 1.6)
    assert reply.usage.cost_source == "registry"


# ---- headers ------------------------------------------------------------------------------


def test_organization_and_project_headers_come_from_settings(server: FakeOpenRouter) -> None:
    client = openai(server, openai_organization="org-123", openai_project="proj_abc")
    client.chat("gpt-4.1-mini", provider="openai").ask("Hi")
    headers = server.requests[-1].headers
    assert headers["openai-organization"] == "org-123"
    assert headers["openai-project"] == "proj_abc"
    assert headers["authorization"] == "Bearer sk-openai-test"


def test_organization_and_project_headers_come_from_the_environment(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORGANIZATION", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT", "proj_env")
    openai(server, openai_project="proj_arg").chat("gpt-4.1-mini", provider="openai").ask("Hi")
    headers = server.requests[-1].headers
    assert headers["openai-organization"] == "org-env"
    assert headers["openai-project"] == "proj_arg"  # an argument beats the environment


def test_no_organization_or_project_header_unless_set(server: FakeOpenRouter) -> None:
    openai(server).chat("gpt-4.1-mini", provider="openai").ask("Hi")
    assert not {"openai-organization", "openai-project"} & set(server.requests[-1].headers)


# ---- images -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_images_come_back_as_b64_json(server: FakeOpenRouter, mode: str, tmp_path: Path) -> None:
    body = {
        "created": 1,
        "data": [{"b64_json": base64.b64encode(TINY_PNG).decode()}],
        "usage": {
            "input_tokens": 12,
            "output_tokens": 4160,
            "total_tokens": 4172,
            "input_tokens_details": {"text_tokens": 12, "image_tokens": 0},
        },
    }
    server.reply(raw(body), path="/images/generations")
    client = openai(server)
    options: dict[str, Any] = {"model": "gpt-image-1", "provider": "openai", "size": "1024x1024"}
    image = (
        client.paint("a red kite", **options)
        if mode == "sync"
        else asyncio.run(client.apaint("a red kite", **options))
    )
    assert server.requests[-1].path.endswith("/images/generations")
    assert server.requests[-1].json == {
        "model": "gpt-image-1",
        "prompt": "a red kite",
        "size": "1024x1024",
    }
    assert image.data == TINY_PNG and image.mime_type == "image/png"  # sniffed: none was said
    assert image.usage is not None and image.usage.input_tokens == 12
    assert image.usage.output_tokens == 4160
    assert image.save(tmp_path / "kite.png").read_bytes() == TINY_PNG


def test_images_come_back_as_urls(server: FakeOpenRouter) -> None:
    url = "https://images.example/kite.png"
    body = {"created": 1, "data": [{"url": url, "revised_prompt": "A red kite, high."}] * 2}
    server.reply(raw(body), path="/images/generations")
    images = openai(server).paint(
        "a red kite", model="dall-e-3", provider="openai", n=2, quality="hd"
    )
    assert server.requests[-1].json == {
        "model": "dall-e-3",  # unknown to the registry on openai: sent as given
        "prompt": "a red kite",
        "n": 2,
        "quality": "hd",
    }
    assert [(i.url, i.data, i.revised_prompt) for i in images] == [
        (url, None, "A red kite, high.")
    ] * 2
    with pytest.raises(ValueError, match="only a URL"):
        images[0].save("kite.png")


def test_reference_images_are_refused_before_any_request(
    server: FakeOpenRouter, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(TINY_PNG)
    with pytest.raises(pyllm.UnsupportedError, match="OpenAI's images endpoint takes no"):
        openai(server).paint("make it green", model="gpt-image-1", attachments=[logo])
    assert server.requests == []


def test_an_images_error_is_openais_own(server: FakeOpenRouter) -> None:
    body = {"error": {"message": "Your request was rejected.", "type": "image_generation_user_error",
                      "param": None, "code": "content_policy_violation"}}  # fmt: skip
    server.reply(Reply(status=400, body=body), path="/images/generations")
    with pytest.raises(pyllm.BadRequestError) as caught:
        openai(server).paint("something", model="gpt-image-1", provider="openai")
    assert caught.value.code == "content_policy_violation"
    assert caught.value.message == "Your request was rejected."
    assert caught.value.provider == "openai"
