"""What providers decide for themselves (issue 12): routing preferences, server-side
fallbacks, which image endpoint, which endpoints exist; and max_tokens on the wire."""

from __future__ import annotations

import subprocess
import sys
from typing import ClassVar

import pytest

import pyllm
from pyllm.config import Settings
from pyllm.message import Message
from pyllm.model import Model
from pyllm.protocols.chat_completions import ChatCompletions
from pyllm.providers import OpenAI, OpenAICompatible, OpenRouter
from pyllm.request import ChatRequest, ResponseSchema, ToolDefinition

SETTINGS = Settings(openrouter_api_key=None)
TOOL = ToolDefinition("f", "a tool", {"type": "object", "properties": {}})
HI = (Message.user("hi"),)


def test_openrouter_sends_routing_and_asks_for_parameters_with_tools_or_a_schema() -> None:
    provider = OpenRouter.from_settings(SETTINGS)
    assert provider.server_fallbacks is True
    assert provider.chat_routing(ChatRequest("m", HI)) is None
    assert provider.chat_routing(ChatRequest("m", HI, routing={"sort": "price"})) == {
        "sort": "price"
    }
    with_tools = ChatRequest("m", HI, tools=(TOOL,), routing={"sort": "price"})
    assert provider.chat_routing(with_tools) == {"sort": "price", "require_parameters": True}
    schema = ResponseSchema("answer", {"type": "object"})
    assert provider.chat_routing(ChatRequest("m", HI, schema=schema)) == {
        "require_parameters": True
    }
    chosen = ChatRequest("m", HI, tools=(TOOL,), routing={"require_parameters": False})
    assert provider.chat_routing(chosen) == {"require_parameters": False}  # the user's choice


@pytest.mark.parametrize(
    ("provider", "paints_at"),
    [
        (OpenAI.from_settings(SETTINGS), "images"),  # OpenAI paints only at /images/generations
        (OpenAICompatible("local", base_url="http://127.0.0.1:9"), "chat"),
    ],
    ids=["openai", "compatible"],
)
def test_other_providers_take_no_routing_and_no_server_fallbacks(
    provider: pyllm.providers.Provider, paints_at: str
) -> None:
    request = ChatRequest("m", HI, tools=(TOOL,), routing={"sort": "price"})
    assert provider.chat_routing(request) is None
    assert provider.server_fallbacks is False
    image_only = Model("x/y", provider.name, output_modalities=("image",))
    assert provider.image_endpoint(image_only) == provider.image_endpoint(None) == paints_at


def test_openrouter_paints_image_only_models_at_its_images_endpoint() -> None:
    provider = OpenRouter.from_settings(SETTINGS)
    image_only = Model("openai/gpt-image-1", "openrouter", output_modalities=("image",))
    both = Model("google/gemini-2.5-flash-image", "openrouter", output_modalities=("image", "text"))
    assert provider.image_endpoint(image_only) == "images"
    assert provider.image_endpoint(both) == "chat"
    assert provider.image_endpoint(None) == "chat"  # unknown: chat completions


class NoEmbeddings(OpenAICompatible):
    embeddings_path: ClassVar[str | None] = None
    images_path: ClassVar[str | None] = None


def test_a_provider_without_an_embeddings_endpoint_refuses_before_any_request() -> None:
    client = pyllm.Client().register_provider(NoEmbeddings("bare", base_url="http://127.0.0.1:9"))
    with pytest.raises(pyllm.UnsupportedError, match="bare has no embeddings endpoint"):
        client.embed("hello", model="any-model", provider="bare")


def test_a_provider_without_an_images_endpoint_refuses_it() -> None:
    client = pyllm.Client().register_provider(NoEmbeddings("bare", base_url="http://127.0.0.1:9"))
    with pytest.raises(pyllm.UnsupportedError, match="bare has no images endpoint"):
        client.paint("a kite", model="any-model", provider="bare", endpoint="images")


def test_max_tokens_is_rendered_only_when_set() -> None:
    protocol = ChatCompletions("openai")
    assert "max_tokens" not in protocol.render_chat(ChatRequest("m", HI))
    assert protocol.render_chat(ChatRequest("m", HI, max_tokens=256))["max_tokens"] == 256


def test_the_one_list_of_builtin_providers_is_what_a_client_knows() -> None:
    from pyllm.providers import BUILTIN, BUILTIN_PROVIDERS

    client = pyllm.Client(**{f"{name}_api_key": "sk-test" for name in BUILTIN})
    assert client.configured_providers() == list(BUILTIN) == list(BUILTIN_PROVIDERS)
    for name in BUILTIN:
        made = BUILTIN_PROVIDERS[name](client.settings)
        assert client.provider(name).name == made.name == name
        assert type(client.provider(name)) is type(made)
        assert client.provider(name).base_url == made.base_url


def test_the_names_load_no_provider() -> None:
    """A client needs the names before its first request (a registry lookup, a repr)."""
    code = (
        "import sys, pyllm\n"
        "client = pyllm.Client(openrouter_api_key='sk-or-test')\n"
        "assert repr(client).startswith(\"Client(providers=['openrouter']\"), repr(client)\n"
        "from pyllm.providers import BUILTIN\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('pyllm.providers.'))\n"
        "print(list(BUILTIN)[0], list(BUILTIN)[-1], loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "anthropic openrouter []"  # the gateway last: direct keys serve first
