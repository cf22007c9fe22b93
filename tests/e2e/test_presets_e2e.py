"""The OpenAI-compatible presets end to end: ``provider="ollama"`` (or groq, gemini...) with
nothing registered, settings and ``<NAME>_API_KEY`` / ``<NAME>_BASE_URL`` read like every other
setting, keys kept secret, unknown model ids passed through."""

from __future__ import annotations

import logging

import pytest

import pyllm
from pyllm._presets import PRESETS, PRESETS_BY_NAME
from pyllm.config import ENV_VARIABLES, Secret, Settings
from pyllm.providers import BUILTIN, OpenAICompatible, PresetProvider
from pyllm.testing import FakeOpenRouter, text


def test_every_preset_is_a_builtin_provider_of_a_fresh_client() -> None:
    client = pyllm.Client()
    builtin = list(BUILTIN)
    for preset in PRESETS:
        provider = client.provider(preset.name)
        assert isinstance(provider, PresetProvider) and isinstance(provider, OpenAICompatible)
        assert (provider.name, provider.base_url) == (preset.name, preset.base_url)
        assert provider.requires_key is preset.needs_key
        assert provider.url(provider.chat_path) == preset.base_url + "/chat/completions"
    presets = [builtin.index(p.name) for p in PRESETS]
    assert builtin.index("openai") < min(presets) and max(presets) < builtin.index("openrouter")


def test_the_table_has_what_the_issue_names() -> None:
    assert set(PRESETS_BY_NAME) == {
        "ollama", "lmstudio", "vllm", "llamacpp", "groq", "together", "deepseek", "mistral",
        "xai", "fireworks", "cerebras", "gemini",
    }  # fmt: skip
    assert PRESETS_BY_NAME["ollama"].base_url == "http://localhost:11434/v1"
    local = {p.name for p in PRESETS if not p.needs_key}
    assert local == {"ollama", "lmstudio", "vllm", "llamacpp"}
    gemini = PRESETS_BY_NAME["gemini"]
    assert gemini.base_url == "https://generativelanguage.googleapis.com/v1beta/openai"
    assert gemini.key_variable == "GEMINI_API_KEY"


def test_each_preset_has_its_two_settings_and_variables() -> None:
    names = set(Settings.names())
    for preset in PRESETS:
        assert {preset.key_setting, preset.url_setting} <= names
        assert ENV_VARIABLES[preset.key_setting] == preset.key_variable
        assert ENV_VARIABLES[preset.url_setting] == preset.url_variable
        assert BUILTIN[preset.name] == ("presets", "PresetProvider")
        key = Settings.resolve({preset.key_setting: "k", preset.url_setting: "http://h/v1/"})
        assert isinstance(getattr(key, preset.key_setting), Secret)
        assert getattr(key, preset.url_setting) == "http://h/v1"
    stray = {n for n in names if n.split("_", 1)[0] in PRESETS_BY_NAME}
    assert stray == {s for p in PRESETS for s in (p.key_setting, p.url_setting)}


def test_ollama_works_with_nothing_registered(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_BASE_URL", server.url)
    server.reply(text("Rayleigh scattering.", model="llama3.2"))
    reply = pyllm.Client().chat("llama3.2", provider="ollama").ask("Why is the sky blue?")
    assert (reply.provider, reply.model, reply.content) == (
        "ollama",
        "llama3.2",
        "Rayleigh scattering.",
    )
    sent = server.requests[-1]
    assert sent.path == "/api/v1/chat/completions" and "authorization" not in sent.headers
    assert sent.json["model"] == "llama3.2"


def test_a_key_and_base_url_from_the_environment(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GROQ_API_KEY", "gsk-from-env")
    monkeypatch.setenv("GROQ_BASE_URL", server.url)
    client = pyllm.Client()
    client.chat("llama-3.3-70b-versatile", provider="groq").ask("Hi")
    assert server.requests[-1].headers["authorization"] == "Bearer gsk-from-env"
    assert "groq" in client.configured_providers()
    assert "gsk-from-env" not in repr(client.settings)  # a Secret, like every key
    assert repr(client.settings.groq_api_key) == "Secret('********')"


def test_an_argument_beats_the_environment(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOGETHER_API_KEY", "from-env")
    monkeypatch.setenv("TOGETHER_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    client = pyllm.Client(together_api_key="from-argument", together_base_url=server.url)
    client.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", provider="together").ask("Hi")
    assert server.requests[-1].headers["authorization"] == "Bearer from-argument"
    client.configure(together_api_key="from-configure")
    client.chat("meta-llama/Llama-3.3-70B-Instruct-Turbo", provider="together").ask("Hi")
    assert server.requests[-1].headers["authorization"] == "Bearer from-configure"
    assert pyllm.Client().settings.together_api_key == pyllm.config.Secret("from-env")


def test_a_hosted_preset_without_a_key_refuses_before_sending(server: FakeOpenRouter) -> None:
    client = server.client(deepseek_base_url=server.url)
    with pytest.raises(pyllm.ConfigurationError) as caught:
        client.chat("deepseek-chat", provider="deepseek").ask("Hi")
    assert str(caught.value) == (
        "DeepSeek needs an API key: pass deepseek_api_key=... to pyllm.configure() or "
        "pyllm.Client(), or set the DEEPSEEK_API_KEY environment variable"
    )
    assert server.requests == []


def test_bad_preset_settings_are_refused_naming_them(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(pyllm.ConfigurationError, match="vllm_base_url must be an http"):
        pyllm.Client(vllm_base_url="localhost:8000")
    monkeypatch.setenv("XAI_BASE_URL", "api.x.ai")
    with pytest.raises(pyllm.ConfigurationError, match="environment variable XAI_BASE_URL"):
        pyllm.Client().settings  # noqa: B018
    with pytest.raises(pyllm.ConfigurationError, match="did you mean 'groq_api_key'"):
        pyllm.Client(grok_api_key="x")


def test_unknown_ids_pass_through_said_once(
    server: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    client = server.client(vllm_base_url=server.url)
    with caplog.at_level(logging.DEBUG, logger="pyllm"):
        for _ in range(2):
            chat = client.chat("Qwen/Qwen3-8B", provider="vllm")
        chat.ask("Hi")
    assert server.requests[-1].json["model"] == "Qwen/Qwen3-8B"
    said = [r.getMessage() for r in caplog.records if "not in the registry" in r.getMessage()]
    assert said == [
        "'Qwen/Qwen3-8B' is not in the registry for vllm: sent as given, capabilities unknown "
        "(pyllm.models.refresh() fetches new models)"
    ]


def test_a_name_the_registry_knows_elsewhere_still_goes_to_a_local_host(
    server: FakeOpenRouter,
) -> None:
    """A local host serves whatever it serves: never a "did you mean" there."""
    client = server.client(ollama_base_url=server.url)
    chat = client.chat("deepseek-chat", provider="ollama")  # a DeepSeek id, run locally
    assert (chat.model, chat.provider) == ("deepseek-chat", "ollama")


def test_known_models_of_a_preset_resolve_without_provider(server: FakeOpenRouter) -> None:
    client = server.client(
        openrouter_api_key="", gemini_api_key="g-key", gemini_base_url=server.url
    )
    chat = client.chat("gemini-2.5-flash")
    assert (chat.model, chat.provider) == ("gemini-2.5-flash", "gemini")
    server.reply(text("Hello.", usage={"prompt_tokens": 10, "completion_tokens": 5}))
    reply = chat.ask("Hi")
    assert reply.usage.cost_source == "registry"  # Gemini's prices are in the registry
    assert reply.usage.cost is not None and reply.usage.cost > 0
    assert server.requests[-1].headers["authorization"] == "Bearer g-key"


def test_a_local_host_is_configured_by_its_base_url_alone(
    server: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "lmstudio" not in pyllm.Client().configured_providers()
    monkeypatch.setenv("LMSTUDIO_BASE_URL", server.url)
    assert pyllm.Client().configured_providers() == ["lmstudio"]


def test_a_registered_provider_hides_the_preset_of_its_name(server: FakeOpenRouter) -> None:
    mine = OpenAICompatible("ollama", base_url=server.url, headers={"X-Mine": "1"})
    client = server.client(ollama_base_url="http://127.0.0.1:9/v1").register_provider(mine)
    assert client.provider("ollama") is mine
    assert client.configured_providers().count("ollama") == 1
    client.chat("llama3.2", provider="ollama").ask("Hi")
    assert server.requests[-1].headers["x-mine"] == "1"
